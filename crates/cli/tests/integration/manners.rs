//! CLI manners (#22): `diff DOC` shows the latest change, a future
//! `--observed-at` is refused, and a reader that leaves early (`| head`)
//! ends the command quietly.

use crate::util::Dir;
use std::io::Read;
use std::process::Stdio;

fn demo() -> Dir {
    let dir = Dir::new();
    dir.ok(&["demo", "--seeds", "no-such-folder", "--no-serve"]);
    dir
}

#[test]
fn diff_of_one_document_is_its_latest_change() {
    let dir = demo();
    let versions = dir.json(&["versions", "example-cloud/aup", "--format", "json"]);
    let n = versions.as_array().unwrap().len();
    let one = dir.ok(&["diff", "example-cloud/aup"]);
    let two = dir.ok(&[
        "diff",
        &format!("example-cloud/aup@{}", n - 1),
        &format!("example-cloud/aup@{n}"),
    ]);
    assert_eq!(one, two);
    let err = dir.fails(&["diff", "no-such/document"]);
    assert!(err.contains("no-such/document"), "{err}");
}

#[test]
fn a_future_observation_date_is_refused() {
    let dir = demo();
    let file = dir.write("aup.md", "# Terms\n\nYou may not abuse the network.\n");
    let err = dir.fails(&[
        "import",
        file.to_str().unwrap(),
        "--platform",
        "x",
        "--document",
        "terms",
        "--observed-at",
        "2099-01-01",
    ]);
    assert!(err.contains("in the future"), "{err}");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = demo();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("clausewatch"))
        .current_dir(dir.path())
        .env("CLAUSEWATCH_HOME", dir.home())
        .args(["timeline", "example-cloud/aup", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close our end of stdout at once, as `| head -0` would.
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "exit {status}: {stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}

#[test]
fn unknown_names_get_a_did_you_mean() {
    let dir = demo();
    let err = dir.fails(&["history", "example-cloud/aup", "no-network-abuse/2"]);
    assert!(err.contains("did you mean 3-no-network-abuse/2"), "{err}");
    let err = dir.fails(&["timeline", "example-cloud/aupp"]);
    assert!(err.contains("did you mean example-cloud/aup"), "{err}");
    // The README's and --help's history example runs as written.
    let out = dir.ok(&["history", "example-cloud/aup", "3-no-network-abuse/2"]);
    assert!(!out.is_empty());
}

/// Issue #22: long work draws a progress bar on stderr when it is a
/// terminal (here a pseudo-terminal from util-linux's `script`), and
/// nothing when it is a pipe.
#[test]
fn progress_bars_only_on_a_terminal() {
    let dir = demo();
    let bin = assert_cmd::cargo::cargo_bin("clausewatch");
    let home = dir.home();
    let run = |args: &str| {
        std::process::Command::new("script")
            .args(["-qec"])
            .arg(format!(
                "{} --home {} {args}",
                bin.display(),
                home.display()
            ))
            .arg("/dev/null")
            .env("TERM", "xterm")
            .env("COLUMNS", "120")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = run("analyze --all");
    assert!(out.status.success(), "{out:?}");
    let drawn = String::from_utf8_lossy(&out.stdout);
    assert!(
        drawn.contains("analysing versions"),
        "a bar on the terminal: {drawn}"
    );
    let out = dir.cmd().args(["analyze", "--all"]).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("analysing versions"),
        "no bar on a pipe: {stderr}"
    );
}
