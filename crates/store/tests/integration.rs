//! The integration tests of `cw-store`, one binary with a module per
//! feature: the archive, imports, reading back, transactional behaviour and
//! reopening a home. Every test works on a fresh temporary home with a real
//! SQLite file, driven through the [`util::TestHome`] harness. The modules
//! live in `tests/integration/` (so Cargo does not build each as its own binary).

// Harness helpers are test code too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "integration/archive.rs"]
mod archive;
#[path = "integration/import.rs"]
mod import;
#[path = "integration/queries.rs"]
mod queries;
#[path = "integration/reopen.rs"]
mod reopen;
#[path = "integration/transactions.rs"]
mod transactions;
#[path = "integration/util.rs"]
mod util;
