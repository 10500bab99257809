//! `migrate` and the global `--database`/`--archive` options end to end:
//! the demo corpus in a SQLite home is copied to a fresh database on a real
//! PostgreSQL server (started by scripts/test.sh, URL in
//! `CLAUSEWATCH_TEST_POSTGRES_URL`; SKIPPED loudly without it, failing
//! under CI), verified table by table, and read back through the same
//! commands with `--database postgres://…`. The archive is copied to
//! another folder and every blob re-hashed.

use crate::util::Dir;

pub(crate) use cw_testkit::servers::require_postgres as postgres_url;

/// A new empty database on the test server; returns its URL.
pub(crate) fn fresh_database(admin: &str) -> String {
    cw_testkit::servers::fresh_postgres_database_blocking(admin)
}

#[test]
fn migrate_copies_a_sqlite_home_to_postgres_and_commands_read_it_back() {
    let Some(admin) = postgres_url("migrate_copies_a_sqlite_home_to_postgres") else {
        return;
    };
    let dir = Dir::new();
    dir.ok(&["demo", "--seeds", "no-such-folder", "--no-serve"]);
    let db = dir.home().join("clausewatch.db");
    let url = fresh_database(&admin);

    let report = dir.json(&[
        "migrate",
        "--from",
        &format!("sqlite://{}", db.display()),
        "--to",
        &url,
        "--archive-from",
        &dir.home().join("archive").display().to_string(),
        "--archive-to",
        &dir.path().join("archive-copy").display().to_string(),
        "--format",
        "json",
    ]);
    let tables = report["database"]["tables"].as_array().unwrap();
    assert!(tables.len() >= 8, "{tables:?}");
    for t in tables {
        assert_eq!(t["source_rows"], t["target_rows"], "{t}");
        assert_eq!(t["source_hash"], t["target_hash"], "{t}");
    }
    let versions = tables.iter().find(|t| t["table"] == "versions").unwrap();
    assert!(versions["target_rows"].as_u64().unwrap() > 0);
    let archive = &report["archive"];
    assert!(archive["blobs"].as_u64().unwrap() > 0);
    assert_eq!(archive["blobs"], archive["copied"]);
    assert_eq!(archive["errors"].as_array().unwrap().len(), 0);

    // The same commands give the same answers from PostgreSQL.
    let on_sqlite = dir.json(&["documents", "--format", "json"]);
    let on_postgres = dir.json(&["--database", &url, "documents", "--format", "json"]);
    assert_eq!(on_sqlite, on_postgres);
    let key = on_sqlite[0]["key"]
        .as_str()
        .or_else(|| on_sqlite[0]["document"].as_str())
        .map(str::to_string);
    if let Some(key) = key {
        let a = dir.json(&["versions", &key, "--format", "json"]);
        let b = dir.json(&["--database", &url, "versions", &key, "--format", "json"]);
        assert_eq!(a, b);
    }

    // Text output says it was verified; a second copy into the now
    // non-empty target is refused with exit code 1.
    let err = dir.fails(&[
        "migrate",
        "--from",
        &format!("sqlite://{}", db.display()),
        "--to",
        &url,
    ]);
    assert!(err.contains("not empty"), "{err}");
}

#[test]
fn migrate_refuses_a_missing_source_and_a_bad_url() {
    let dir = Dir::new();
    let err = dir.fails(&[
        "migrate",
        "--from",
        "sqlite://no/such.db",
        "--to",
        "postgres://x@127.0.0.1:1/x",
    ]);
    assert!(err.contains("no SQLite database"), "{err}");
    let err = dir.fails(&["migrate", "--from", "mysql://a/b", "--to", "sqlite://x.db"]);
    assert!(err.contains("unsupported database URL"), "{err}");
}
