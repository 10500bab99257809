//! The real servers some tests need besides SQLite (`cw_testkit::servers`):
//! an `s3s-fs` S3 server per test and the PostgreSQL cluster
//! `scripts/test.sh` starts; SKIPPED loudly when missing, failing under CI.

pub(crate) use cw_testkit::servers::{
    BUCKET, S3Server, fresh_postgres_database, postgres_url, skipped,
};
