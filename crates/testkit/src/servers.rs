//! The real servers some tests need besides SQLite: an S3-compatible object
//! store (the `s3s-fs` binary from crates.io, started per test on a free
//! loopback port over a temporary folder) and a PostgreSQL cluster (started
//! by `scripts/test.sh`, which passes its URL in
//! `CLAUSEWATCH_TEST_POSTGRES_URL`).
//!
//! When a server is not available the test prints a loud SKIPPED line and
//! returns; under CI (`CI` set) it fails instead, so a missing install step
//! can never pass unnoticed.

use cw_store::S3Config;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Says loudly that a test did not run its checks; fails under CI.
pub fn skipped(test: &str, why: &str) {
    let line = format!("SKIPPED {test}: {why}");
    if std::env::var_os("CI").is_some() {
        panic!("{line} (CI is set: every external server must be there)");
    }
    #[allow(
        clippy::print_stderr,
        reason = "a skipped test must be loud in the test log"
    )]
    {
        eprintln!("\n!!!!!!!! {line} !!!!!!!!\n");
    }
}

/// The PostgreSQL server URL scripts/test.sh exported, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("CLAUSEWATCH_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// The PostgreSQL server URL, or a SKIPPED line for `test` (a failure
/// under CI) and `None` when scripts/test.sh did not start one.
pub fn require_postgres(test: &str) -> Option<String> {
    let url = postgres_url();
    if url.is_none() {
        skipped(test, "CLAUSEWATCH_TEST_POSTGRES_URL is not set");
    }
    url
}

/// [`fresh_postgres_database`] for tests without an async runtime.
pub fn fresh_postgres_database_blocking(admin: &str) -> String {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(fresh_postgres_database(admin))
}

/// Creates an empty database on the server of `admin` (a URL whose user may
/// create databases) and returns its URL. Each test gets its own; the
/// throwaway cluster is wiped by the next `scripts/pg-test-cluster.sh start`.
pub async fn fresh_postgres_database(admin: &str) -> String {
    use sqlx::Connection;
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!(
        "cw_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let mut conn = sqlx::PgConnection::connect(admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let (base, query) = admin.split_once('?').unwrap_or((admin, ""));
    let (server, _db) = base.rsplit_once('/').unwrap();
    if query.is_empty() {
        format!("{server}/{name}")
    } else {
        format!("{server}/{name}?{query}")
    }
}

/// A running s3s-fs server with one bucket, stopped on drop.
#[derive(Debug)]
pub struct S3Server {
    child: Child,
    /// The folder the server keeps objects in: `root/BUCKET/KEY`.
    pub root: tempfile::TempDir,
    /// How to reach it.
    pub config: S3Config,
}

/// The bucket every test server has.
pub const BUCKET: &str = "clausewatch-test";

fn s3s_fs_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CLAUSEWATCH_TEST_S3S_FS") {
        return Some(PathBuf::from(path));
    }
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("s3s-fs"))
                .collect()
        })
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".cargo/bin/s3s-fs"));
    }
    candidates.into_iter().find(|p| p.is_file())
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl S3Server {
    /// Starts a server, or says SKIPPED (see the module docs) and returns `None`.
    pub fn start(test: &str) -> Option<S3Server> {
        let Some(binary) = s3s_fs_binary() else {
            skipped(
                test,
                "s3s-fs not found (cargo install s3s-fs@0.14.1 --features binary --locked)",
            );
            return None;
        };
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join(BUCKET)).unwrap();
        let port = free_port();
        let child = Command::new(&binary)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--access-key",
                "cw-test-key",
                "--secret-key",
                "cw-test-secret",
            ])
            .arg(root.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let server = S3Server {
            child,
            root,
            config: S3Config {
                endpoint: Some(format!("http://127.0.0.1:{port}")),
                region: Some("us-east-1".into()),
                access_key_id: Some("cw-test-key".into()),
                secret_access_key: Some("cw-test-secret".into()),
            },
        };
        wait_for_port(port, Duration::from_secs(20), "s3s-fs");
        Some(server)
    }

    /// The `s3://` location of `prefix` in the test bucket.
    pub fn location(&self, prefix: &str) -> String {
        format!("s3://{BUCKET}/{prefix}")
    }

    /// The file the server keeps an object in.
    pub fn object_file(&self, key: &str) -> PathBuf {
        self.root.path().join(BUCKET).join(key)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits (polling every 20 ms) until something listens on the loopback
/// `port`; panics naming `what` after `limit`.
pub fn wait_for_port(port: u16, limit: Duration, what: &str) {
    let deadline = std::time::Instant::now() + limit;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} did not start listening on port {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
