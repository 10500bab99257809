//! PostgreSQL-only checks, run in every pass when
//! `CLAUSEWATCH_TEST_POSTGRES_URL` names a server (scripts/test.sh starts
//! one), SKIPPED loudly otherwise: the twin migrations build the same
//! tables and columns as the SQLite ones, and a store on PostgreSQL
//! reports its engine and reopens with its schema already in place.
//! (The rest of the suite runs on PostgreSQL in the second pass, with
//! `CLAUSEWATCH_TEST_STORE_BACKEND=postgres`.)

use super::servers::{fresh_postgres_database, postgres_url, skipped};
use cw_store::{Store, StoreOptions};
use sqlx::Connection;
use std::collections::BTreeMap;

/// Table → sorted column names.
type Schema = BTreeMap<String, Vec<String>>;

async fn sqlite_schema(path: &std::path::Path) -> Schema {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    collect(rows)
}

async fn postgres_schema(url: &str) -> Schema {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    collect(rows)
}

fn collect(rows: Vec<(String, String)>) -> Schema {
    let mut schema = Schema::new();
    for (table, column) in rows {
        schema.entry(table).or_default().push(column);
    }
    for columns in schema.values_mut() {
        columns.sort();
    }
    schema
}

#[tokio::test]
async fn twin_migrations_build_the_same_schema() {
    let Some(admin) = postgres_url() else {
        skipped(
            "postgres::twin_migrations_build_the_same_schema",
            "CLAUSEWATCH_TEST_POSTGRES_URL is not set (scripts/test.sh starts a cluster)",
        );
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let sqlite = Store::open(home.path()).await.unwrap();
    assert_eq!(sqlite.database_engine(), "sqlite");
    sqlite.close().await;

    let url = fresh_postgres_database(&admin).await;
    let options = StoreOptions {
        database: Some(url.clone()),
        ..StoreOptions::default()
    };
    let pg_home = tempfile::tempdir().unwrap();
    let pg = Store::open_with(pg_home.path(), &options).await.unwrap();
    assert_eq!(pg.database_engine(), "postgres");
    pg.close().await;
    // Opening again finds every migration applied.
    let pg = Store::open_with(pg_home.path(), &options).await.unwrap();
    pg.close().await;

    let left = sqlite_schema(&home.path().join(cw_store::DATABASE_FILE)).await;
    let right = postgres_schema(&url).await;
    assert!(left.contains_key("jobs") && left.contains_key("versions"));
    assert_eq!(left, right, "SQLite and PostgreSQL schemas differ");
}

#[tokio::test]
async fn a_wrong_postgres_url_is_an_error_not_a_hang() {
    let Some(admin) = postgres_url() else {
        skipped(
            "postgres::a_wrong_postgres_url_is_an_error_not_a_hang",
            "CLAUSEWATCH_TEST_POSTGRES_URL is not set (scripts/test.sh starts a cluster)",
        );
        return;
    };
    let (server, _) = admin.rsplit_once('/').unwrap();
    let options = StoreOptions {
        database: Some(format!("{server}/no_such_database")),
        ..StoreOptions::default()
    };
    let home = tempfile::tempdir().unwrap();
    let err = Store::open_with(home.path(), &options).await.unwrap_err();
    assert_eq!(err.code(), "database", "{err}");
    assert!(err.to_string().contains("no_such_database"), "{err}");
}

/// Records one import of `text` as `key` observed on `day` (YYYY-MM-DD).
async fn import(store: &Store, key: &str, text: &str, day: &str, previous: Option<u32>) {
    let bytes = format!("# Policy\n\n{text}").into_bytes();
    let blob = store.archive().put(&bytes).unwrap();
    store
        .record_import(cw_store::NewImport {
            document: key.parse().unwrap(),
            blob,
            size: bytes.len() as u64,
            format: "markdown".into(),
            source: format!("{key}.md"),
            observed_at: super::util::midnight(day),
            extracted: super::util::extracted(&[("p/1", text)]),
            extractor_version: cw_model::EXTRACTOR_VERSION.into(),
            previous_version_number: previous,
            change: None,
            lineage_keys: vec!["p/1".into()],
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn migrate_copies_sqlite_to_postgres_verified_by_counts_and_hashes() {
    let Some(admin) = postgres_url() else {
        skipped(
            "postgres::migrate_copies_sqlite_to_postgres_verified_by_counts_and_hashes",
            "CLAUSEWATCH_TEST_POSTGRES_URL is not set (scripts/test.sh starts a cluster)",
        );
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let sqlite = Store::open(home.path()).await.unwrap();
    import(&sqlite, "aws/aup", "No abuse.", "2021-01-01", None).await;
    import(
        &sqlite,
        "aws/aup",
        "No abuse at all.",
        "2021-02-01",
        Some(1),
    )
    .await;
    import(&sqlite, "gcp/tos", "Be nice. ünïcödé ✓", "2021-03-01", None).await;
    sqlite
        .enqueue_jobs(&[cw_store::NewJob {
            kind: cw_store::JobKind::Deliver,
            dedupe_key: "deliver:1:0".into(),
            payload: "{}".into(),
            run_after: chrono::Utc::now(),
            max_attempts: 5,
        }])
        .await
        .unwrap();
    let documents = sqlite.documents().await.unwrap();
    let counts = sqlite.counts().await.unwrap();
    sqlite.close().await;

    let source = cw_store::DatabaseLocation::Sqlite(home.path().join(cw_store::DATABASE_FILE));
    let url = fresh_postgres_database(&admin).await;
    let target = cw_store::DatabaseLocation::parse(&url).unwrap();
    let report = cw_store::copy_database(&source, &target).await.unwrap();
    assert!(report.verified(), "{report:#?}");
    let versions = report
        .tables
        .iter()
        .find(|t| t.table == "versions")
        .unwrap();
    assert_eq!((versions.source_rows, versions.target_rows), (3, 3));
    assert!(
        report
            .tables
            .iter()
            .any(|t| t.table == "jobs" && t.target_rows == 1)
    );
    assert_eq!(report.tables.len(), {
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.tables
             WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        n as usize
    });

    // The copy is a working store: same answers, and new rows get new ids.
    let options = StoreOptions {
        database: Some(url.clone()),
        archive: Some(home.path().join("archive").display().to_string()),
        ..StoreOptions::default()
    };
    let pg = Store::open_with(home.path(), &options).await.unwrap();
    assert_eq!(pg.documents().await.unwrap(), documents);
    assert_eq!(pg.counts().await.unwrap(), counts);
    import(
        &pg,
        "aws/aup",
        "Changed on PostgreSQL.",
        "2021-04-01",
        Some(2),
    )
    .await;
    assert_eq!(
        pg.versions(&"aws/aup".parse().unwrap())
            .await
            .unwrap()
            .len(),
        3
    );
    pg.close().await;

    // A target with rows is refused: a copy never merges.
    let err = cw_store::copy_database(&source, &target).await.unwrap_err();
    assert_eq!(err.code(), "config", "{err}");
    assert!(err.to_string().contains("not empty"), "{err}");
}
