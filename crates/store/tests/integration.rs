//! The integration tests of `cw-store`, one binary with a module per
//! feature: the archive (folder and S3 bucket), imports, reverts, reading back,
//! transactional behaviour, reopening a home, the job queue, the shared
//! per-host turns, and PostgreSQL parity. Every test works on a fresh
//! temporary home driven through the [`util::TestHome`] harness: a real
//! SQLite file, or with
//! `CLAUSEWATCH_TEST_STORE_BACKEND=postgres` a fresh database on a real
//! PostgreSQL server (scripts/test.sh runs both passes). The external
//! servers are in [`servers`]. The modules live in `tests/integration/`
//! (so Cargo does not build each as its own binary).

// Harness helpers are test code too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "integration/analysis.rs"]
mod analysis;
#[path = "integration/archive.rs"]
mod archive;
#[path = "integration/hosts.rs"]
mod hosts;
#[path = "integration/import.rs"]
mod import;
#[path = "integration/jobs.rs"]
mod jobs;
#[path = "integration/postgres.rs"]
mod postgres;
#[path = "integration/queries.rs"]
mod queries;
#[path = "integration/reopen.rs"]
mod reopen;
#[path = "integration/reverts.rs"]
mod reverts;
#[path = "integration/s3.rs"]
mod s3;
#[path = "integration/servers.rs"]
mod servers;
#[path = "integration/transactions.rs"]
mod transactions;
#[path = "integration/util.rs"]
mod util;
