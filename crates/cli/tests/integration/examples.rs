//! Issue #22: every command example in README.md and in every `--help`
//! text runs as written against a demo home (exit 0).
//!
//! An example is a line of a fenced `sh` block of README.md that starts
//! with `clausewatch ` (or `echo … | clausewatch …`), or the paragraph after
//! `Example:` in the `--help` of a command (every command and subcommand,
//! found through the `Commands:` lists). The README's examples run in order
//! on one demo home, the help texts' on another, each in a folder of its
//! own with `CLAUSEWATCH_HOME` set, the way a reader would run them.
//!
//! Rules, not lists of lines:
//! * a trailing `# comment` is dropped; `> FILE` sends stdout to FILE;
//!   `$NAME` is read from the environment (`$SECRET` is a test secret);
//! * input files an example names are stand-ins: a missing relative path
//!   ending in `.html`, `.md` or `.txt` is a copy of a demo document of that
//!   format (the n-th stand-in of a format, the n-th such document), and a
//!   missing folder given to `import` or `import-history` is a folder of
//!   dated copies (a demo document's history);
//! * not run, and listed in the output: examples that run until stopped
//!   (`serve`, `worker`, `demo` without `--no-serve`, `watch` without
//!   `--once`), examples that name a PostgreSQL server (`postgres://`),
//!   examples that read data outside their folder (`../…`), and README
//!   examples marked `# yours: …` (data only the reader has).

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The `$SECRET` of the examples (a webhook secret is at least 16 bytes).
const SECRET: &str = "an-example-secret-of-32-bytes-ok";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Splits a command line like a POSIX shell would for these examples:
/// single and double quotes, `$NAME` in double quotes and bare words.
fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    let expand = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, out: &mut String| {
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_alphanumeric() || c == '_' {
                name.push(c);
                chars.next();
            } else {
                break;
            }
        }
        let value = match name.as_str() {
            "SECRET" => SECRET.to_string(),
            other => std::env::var(other).unwrap_or_default(),
        };
        out.push_str(&value);
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    cur.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '$' => expand(&mut chars, &mut cur),
                        c => cur.push(c),
                    }
                }
            }
            '$' => {
                in_word = true;
                expand(&mut chars, &mut cur);
            }
            '#' if !in_word => break,
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// One example: its words after `clausewatch`, the text piped in, and the
/// file its stdout goes to.
#[derive(Debug)]
struct Example {
    line: String,
    args: Vec<String>,
    stdin: Option<String>,
    stdout_to: Option<String>,
}

fn example(line: &str) -> Option<Example> {
    let line = line.trim();
    let (stdin, command) = match line.split_once("| clausewatch ") {
        Some((echo, rest)) if echo.trim_start().starts_with("echo ") => {
            let words = split(echo.trim_start().trim_start_matches("echo "));
            (Some(words.join(" ")), format!("clausewatch {rest}"))
        }
        _ => (None, line.to_string()),
    };
    let mut words = split(&command);
    if words.first().map(String::as_str) != Some("clausewatch") {
        return None;
    }
    words.remove(0);
    let mut stdout_to = None;
    if let Some(i) = words.iter().position(|w| w == ">") {
        stdout_to = words.get(i + 1).cloned();
        words.truncate(i);
    }
    Some(Example {
        line: line.to_string(),
        args: words,
        stdin,
        stdout_to,
    })
}

/// Why an example is not run, by the rules of the module docs.
fn not_run(e: &Example) -> Option<&'static str> {
    let has = |flag: &str| e.args.iter().any(|a| a == flag);
    let takes_value = |i: usize| {
        i > 0
            && matches!(
                e.args[i - 1].as_str(),
                "--home" | "--database" | "--archive"
            )
    };
    let command = e
        .args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with('-') && !takes_value(*i))
        .map(|(_, a)| a.as_str());
    if e.line.contains("# yours:") {
        return Some("needs the reader's own data");
    }
    if e.args.iter().any(|a| a.contains("postgres://")) {
        return Some("needs a PostgreSQL server");
    }
    if e.args.iter().any(|a| a.starts_with("../")) {
        return Some("reads data outside its folder");
    }
    match command {
        Some("serve" | "worker") => Some("runs until stopped"),
        Some("demo") if !has("--no-serve") => Some("runs until stopped"),
        Some("watch") if !has("--once") => Some("runs until stopped"),
        _ => None,
    }
}

/// Demo documents by extension, in a fixed order.
fn demo_files(ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let demo = repo().join("demo");
    for platform in std::fs::read_dir(&demo).unwrap().flatten() {
        if !platform.path().is_dir() {
            continue;
        }
        for doc in std::fs::read_dir(platform.path()).unwrap().flatten() {
            for f in std::fs::read_dir(doc.path()).unwrap().flatten() {
                let p = f.path();
                let name = p.file_name().unwrap().to_string_lossy().to_string();
                if name.ends_with(&format!(".{ext}")) && name.matches('.').count() == 1 {
                    out.push(p);
                }
            }
        }
    }
    out.sort();
    out
}

/// Makes the stand-ins of the files and folders `e` names.
fn stand_ins(e: &Example, dir: &Path, used: &mut std::collections::HashMap<String, usize>) {
    let command = e.args.iter().find(|a| !a.starts_with('-')).cloned();
    for (i, a) in e.args.iter().enumerate() {
        let path = dir.join(a);
        if a.starts_with('-')
            || a.contains("://")
            || path.exists()
            || a.contains('/') && !a.starts_with("./")
        {
            continue;
        }
        if i > 0 && e.args[i - 1].starts_with("--") && e.args[i - 1] != "--snapshots" {
            continue;
        }
        if let Some(ext) = ["html", "md", "txt"]
            .into_iter()
            .find(|x| a.ends_with(&format!(".{x}")))
        {
            let n = used.entry(ext.to_string()).or_default();
            let files = demo_files(ext);
            std::fs::copy(&files[*n % files.len()], &path).unwrap();
            *n += 1;
        } else if a.starts_with("./")
            && matches!(command.as_deref(), Some("import" | "import-history"))
        {
            std::fs::create_dir_all(&path).unwrap();
            let history = repo().join("demo/example-cloud/aup");
            for f in std::fs::read_dir(history).unwrap().flatten() {
                std::fs::copy(f.path(), path.join(f.file_name())).unwrap();
            }
        }
    }
}

struct Runner {
    dir: tempfile::TempDir,
    used: std::collections::HashMap<String, usize>,
    ran: usize,
    skipped: Vec<String>,
    failures: Vec<String>,
}

impl Runner {
    fn new() -> Runner {
        let dir = tempfile::tempdir().unwrap();
        let r = Runner {
            dir,
            used: Default::default(),
            ran: 0,
            skipped: Vec::new(),
            failures: Vec::new(),
        };
        let out = r.cmd().args(["demo", "--no-serve"]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        r
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("clausewatch").unwrap();
        c.current_dir(self.dir.path())
            .env("CLAUSEWATCH_HOME", self.dir.path().join("home"))
            .env("SECRET", SECRET)
            .env_remove("CLAUSEWATCH_LOG")
            .timeout(std::time::Duration::from_secs(180));
        c
    }

    fn run(&mut self, e: &Example) {
        if let Some(why) = not_run(e) {
            self.skipped.push(format!("{} ({why})", e.line));
            return;
        }
        stand_ins(e, self.dir.path(), &mut self.used);
        let mut cmd = self.cmd();
        cmd.args(&e.args);
        if let Some(text) = &e.stdin {
            cmd.write_stdin(format!("{text}\n"));
        }
        let out = cmd.output().unwrap();
        self.ran += 1;
        if !out.status.success() {
            self.failures.push(format!(
                "{}\n    exit {:?}: {}",
                e.line,
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        } else if let Some(f) = &e.stdout_to {
            std::fs::write(self.dir.path().join(f), &out.stdout).unwrap();
        }
    }

    fn finish(self, what: &str, at_least: usize) {
        eprintln!(
            "{what}: {} examples ran; not run by rule:\n  {}",
            self.ran,
            self.skipped.join("\n  ")
        );
        assert!(
            self.failures.is_empty(),
            "{what}: examples that fail as written:\n  {}",
            self.failures.join("\n  ")
        );
        assert!(
            self.ran >= at_least,
            "{what}: only {} examples ran",
            self.ran
        );
    }
}

/// The README's fenced `sh` blocks, in order.
fn readme_examples() -> Vec<Example> {
    let text = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_sh = !in_sh && line.trim() == "```sh";
            continue;
        }
        if in_sh && let Some(e) = example(line) {
            out.push(e);
        }
    }
    out
}

fn help(path: &[String]) -> String {
    let out = Command::cargo_bin("clausewatch")
        .unwrap()
        .args(path)
        .arg("--help")
        .env("COLUMNS", "400")
        .output()
        .unwrap();
    assert!(out.status.success(), "{path:?} --help");
    String::from_utf8(out.stdout).unwrap()
}

/// Every command path (`["variants", "declare"]`, …) with its help text.
fn helps(path: Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
    let text = help(&path);
    let mut subcommands = Vec::new();
    let mut in_list = false;
    for line in text.lines() {
        if line == "Commands:" {
            in_list = true;
        } else if in_list && line.trim().is_empty() {
            in_list = false;
        } else if in_list
            && let Some(name) = line
                .strip_prefix("  ")
                .and_then(|l| l.split_whitespace().next())
            && name != "help"
            && !line.starts_with("   ")
        {
            subcommands.push(name.to_string());
        }
    }
    out.push((path.clone(), text));
    for s in subcommands {
        let mut p = path.clone();
        p.push(s);
        helps(p, out);
    }
}

/// The paragraphs after `Example:` in a help text (wrapped lines joined).
fn help_examples(text: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines().chain(std::iter::once("")) {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("Example: ") {
            if let Some(e) = current.take().and_then(|c| example(&c)) {
                out.push(e);
            }
            current = Some(rest.to_string());
        } else if t.is_empty() {
            if let Some(e) = current.take().and_then(|c| example(&c)) {
                out.push(e);
            }
        } else if let Some(c) = current.as_mut() {
            c.push(' ');
            c.push_str(t);
        }
    }
    out
}

#[test]
fn issue_22_readme_examples_run_as_written() {
    let mut runner = Runner::new();
    let examples = readme_examples();
    for e in &examples {
        runner.run(e);
    }
    runner.finish("README.md", 25);
}

#[test]
fn issue_22_help_examples_run_as_written() {
    let mut all = Vec::new();
    helps(Vec::new(), &mut all);
    assert!(all.len() > 30, "every command's help: {}", all.len());
    let mut runner = Runner::new();
    let mut seen = std::collections::HashSet::new();
    for (path, text) in &all {
        let examples = help_examples(text);
        assert!(
            path.len() != 1 || !examples.is_empty(),
            "`clausewatch {}` --help has no example",
            path.join(" ")
        );
        for e in examples {
            if seen.insert(e.line.clone()) {
                runner.run(&e);
            }
        }
    }
    runner.finish("--help", 30);
}

#[test]
fn examples_split_like_a_shell() {
    assert_eq!(
        split(r#"clausewatch search '"without notice" platform:x' # note"#),
        ["clausewatch", "search", "\"without notice\" platform:x"]
    );
    let e = example("echo \"We may modify it.\" | clausewatch label").unwrap();
    assert_eq!(
        (e.args, e.stdin.as_deref()),
        (vec!["label".to_string()], Some("We may modify it."))
    );
    let e = example("clausewatch diff a b --format html > diff.html").unwrap();
    assert_eq!(e.stdout_to.as_deref(), Some("diff.html"));
    assert!(not_run(&example("clausewatch watch --smtp-host m").unwrap()).is_some());
    assert!(not_run(&example("clausewatch watch --once").unwrap()).is_none());
    assert!(not_run(&example("clausewatch --database postgres://x worker").unwrap()).is_some());
}
