//! Test harness: a temporary home folder and a builder for `clausewatch` runs.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// A temporary working folder with its own clausewatch home.
pub(crate) struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    pub(crate) fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub(crate) fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    /// Writes a file into the folder and returns its path.
    /// Runs SQL on the home's SQLite database (Python's sqlite3 module):
    /// to tamper with it, or to step stored time instead of waiting.
    pub(crate) fn sql(&self, statements: &str) {
        let db = self.home().join("clausewatch.db");
        let script = "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.executescript(sys.argv[2])\nc.commit()\n";
        let out = std::process::Command::new("python3")
            .args(["-c", script, db.to_str().unwrap_or_default(), statements])
            .output()
            .expect("python3 (with its sqlite3 module) is needed by this test");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub(crate) fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.tmp.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// A `clausewatch` command with `--home` set to this folder's home.
    pub(crate) fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("clausewatch").unwrap();
        c.current_dir(self.path())
            .env("CLAUSEWATCH_HOME", self.home())
            .env_remove("CLAUSEWATCH_LOG");
        c
    }

    /// Runs and returns stdout, asserting success.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "clausewatch {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and returns stdout parsed as JSON, asserting success.
    pub(crate) fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// Runs, asserting exit status 1 and exactly one `error:` line on stderr; returns it.
    pub(crate) fn fails(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "clausewatch {args:?}: expected exit 1, stderr: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "panic: {stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "expected one error line, got: {stderr}");
        assert!(lines[0].starts_with("error: "), "{stderr}");
        lines[0].to_string()
    }
}

/// The shared seed documents, or `None` with a loud message when ../shared is absent.
pub(crate) fn seeds() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    if p.is_dir() {
        Some(p.canonicalize().unwrap())
    } else {
        eprintln!("SKIPPED: {} is absent; seed tests did not run", p.display());
        None
    }
}
