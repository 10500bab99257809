//! Issue #25 (hardening): no open doors and nothing lost on a crash —
//! webhook targets pass the address guard, a `kill -9` during `import`
//! leaves no version without its analysis and search entries, concurrent
//! imports lose no index update, and a page without provisions is no
//! version.

use crate::util::Dir;

const SECRET: &str = "0123456789abcdef-secret";

/// Item 1: `subscribe --webhook` to the metadata endpoint or loopback is
/// refused at subscribe time unless `--allow-private`, which is stored.
#[test]
fn issue_25_subscribe_refuses_private_webhooks() {
    let dir = Dir::new();
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:8080/hook",
        "http://[::1]/hook",
    ] {
        let err = dir.fails(&["subscribe", "--webhook", url, "--secret", SECRET]);
        assert!(err.contains("--allow-private"), "{url}: {err}");
    }
    let err = dir.fails(&["subscribe", "--email", "ops@10.0.0.1"]);
    assert!(err.contains("--allow-private"), "{err}");
    let listed = dir.json(&["subscriptions", "--format", "json"]);
    assert_eq!(listed, serde_json::json!([]));
    let made = dir.json(&[
        "subscribe",
        "--webhook",
        "http://127.0.0.1:8080/hook",
        "--secret",
        SECRET,
        "--allow-private",
        "--format",
        "json",
    ]);
    assert_eq!(made["allow_private"], true);
    let listed = dir.json(&["subscriptions", "--format", "json"]);
    assert_eq!(listed[0]["allow_private"], true);
}

/// A policy text whose version `i` differs from every other one; every
/// version has exactly one provision with the word "zebracorn".
fn policy(i: usize) -> String {
    format!(
        "# Acceptable Use Policy\n\n## Use\n\nThe zebracorn clause, revision {i}: you may not resell \
         the service to more than {i} parties without our written consent.\n\n## Termination\n\n\
         We may end revision {i} of this agreement after notice of {i} days.\n"
    )
}

/// A number in `0..bound` that differs from run to run (no rand crate).
fn random_below(bound: u64) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.finish() % bound.max(1)
}

/// The committed versions of `doc`.
fn versions(dir: &Dir, doc: &str) -> Vec<u64> {
    match dir
        .cmd()
        .args(["versions", doc, "--format", "json"])
        .output()
    {
        Ok(out) if out.status.success() => {
            let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            listed
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["number"].as_u64().unwrap())
                .collect()
        }
        _ => Vec::new(),
    }
}

/// Every committed version of every document in `docs` has a stored
/// analysis and search entries, and `verify` finds nothing missing.
fn assert_derived_complete(dir: &Dir, docs: &[&str]) {
    let mut total = 0;
    for doc in docs {
        let numbers = versions(dir, doc);
        assert!(!numbers.is_empty(), "{doc}: no version");
        for n in &numbers {
            let shown = dir.json(&["show", &format!("{doc}@{n}"), "--format", "json"]);
            assert_eq!(
                shown["analysis"]["source"], "stored",
                "{doc}@{n} has no stored analysis"
            );
        }
        total += numbers.len();
    }
    let hits = dir.json(&[
        "search",
        "zebracorn",
        "--all-versions",
        "--limit",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(
        hits["total"].as_u64(),
        Some(total as u64),
        "versions missing from the search index"
    );
    let verified = dir.json(&["verify", "--no-rebuild", "--format", "json"]);
    assert_eq!(verified["derived"]["lacking_analysis"], 0, "{verified}");
    assert_eq!(verified["derived"]["lacking_index"], 0, "{verified}");
    assert_eq!(verified["ok"], true, "{verified}");
}

/// Writes `files` policies numbered from `first` and returns their names.
fn write_policies(dir: &Dir, first: usize, files: usize) -> Vec<String> {
    (first..first + files)
        .map(|i| {
            let name = format!("policy-{i}.md");
            dir.write(&name, policy(i));
            name
        })
        .collect()
}

/// Item 5: `kill -9` of an `import` at a random moment, three times, then a
/// restart (the next import): every committed version has its analysis
/// and its search entries. Before #25 the last committed version lost its
/// analysis on almost every kill and nothing repaired it.
#[test]
fn issue_25_kill_during_import_then_restart_heals_derived_data() {
    const FILES: usize = 8;
    // How long an uninterrupted import of FILES versions takes here.
    let calibration = Dir::new();
    let names = write_policies(&calibration, 0, FILES);
    let started = std::time::Instant::now();
    let mut args = vec!["import", "--platform", "acme", "--document", "aup"];
    args.extend(names.iter().map(String::as_str));
    calibration.ok(&args);
    let full = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);

    let dir = Dir::new();
    for round in 0..3 {
        let names = write_policies(&dir, round * FILES, FILES);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_clausewatch"))
            .current_dir(dir.path())
            .env("CLAUSEWATCH_HOME", dir.home())
            .args(["import", "--platform", "acme", "--document", "aup"])
            .args(&names)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Kill at a random moment of the import (polled in short steps).
        let at =
            std::time::Instant::now() + std::time::Duration::from_millis(random_below(full.max(1)));
        while std::time::Instant::now() < at {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    // The restart: any import catches up (here: one more version).
    let names = write_policies(&dir, 3 * FILES, 1);
    dir.ok(&[
        "import",
        "--platform",
        "acme",
        "--document",
        "aup",
        &names[0],
    ]);
    assert_derived_complete(&dir, &["acme/aup"]);
}

/// Item 6: two `import` processes into one home at once: both succeed and
/// every version of both is searchable (index updates wait for the other
/// process's writer instead of being dropped).
#[test]
fn issue_25_two_concurrent_imports_leave_every_version_searchable() {
    const FILES: usize = 12;
    let dir = Dir::new();
    let a = write_policies(&dir, 0, FILES);
    let b = write_policies(&dir, 100, FILES);
    // Create the home first, so the two processes race on imports only.
    dir.write(
        "seed.md",
        "# Seed\n\nA document without the searched word.\n",
    );
    dir.ok(&[
        "import",
        "seed.md",
        "--platform",
        "acme",
        "--document",
        "seed",
    ]);
    let spawn = |doc: &str, names: &[String]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_clausewatch"))
            .current_dir(dir.path())
            .env("CLAUSEWATCH_HOME", dir.home())
            .args(["import", "--platform", "acme", "--document", doc])
            .args(names)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let first = spawn("aup", &a);
    let second = spawn("terms", &b);
    for child in [first, second] {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(!stderr.contains("not updated"), "{stderr}");
    }
    assert_eq!(versions(&dir, "acme/aup").len(), FILES);
    assert_eq!(versions(&dir, "acme/terms").len(), FILES);
    assert_derived_complete(&dir, &["acme/aup", "acme/terms"]);
}

/// A page that is only an inline SVG: no provisions.
const SVG_ONLY: &str = "<!DOCTYPE html><html><head><title>Terms</title></head><body>\
    <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"400\">\
    <rect width=\"600\" height=\"400\" fill=\"#eee\"/><circle cx=\"300\" cy=\"200\" r=\"80\"/>\
    </svg></body></html>";

/// Item 9: a version without provisions is refused unless `--force`.
#[test]
fn issue_25_zero_provision_import_needs_force() {
    let dir = Dir::new();
    dir.write("v1.md", policy(1));
    dir.write("svg.html", SVG_ONLY);
    dir.ok(&["import", "v1.md", "--platform", "acme", "--document", "aup"]);
    let import_svg = [
        "import",
        "svg.html",
        "--platform",
        "acme",
        "--document",
        "aup",
    ];
    let err = dir.fails(&import_svg);
    assert!(
        err.contains("no provisions") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(versions(&dir, "acme/aup"), [1]);
    dir.ok(&[&import_svg[..], &["--force"]].concat());
    assert_eq!(versions(&dir, "acme/aup"), [1, 2]);
}
