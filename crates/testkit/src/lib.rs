//! Test helpers shared by every clausewatch crate's integration tests and
//! benches, so that each real part a test needs is written once:
//!
//! * [`Origin`]: an HTTP origin on loopback playing a script of replies per
//!   path (pages, statuses, slow and truncated answers, redirect loops,
//!   gzip bombs, raw bytes), or serving any axum router;
//! * [`WebhookReceiver`]: a webhook endpoint on loopback that records what
//!   it was sent and can fail the first attempts;
//! * [`temp_store`] / [`temp_store_at`]: a fresh home folder, optionally on a
//!   [`ManualClock`] the test steps instead of sleeping;
//! * [`servers`]: the PostgreSQL cluster `scripts/test.sh` starts and an
//!   `s3s-fs` S3 server per test, with a loud SKIPPED line (a failure under
//!   CI) when one is missing.
//!
//! Everything binds `127.0.0.1:0`: nothing a test starts reaches beyond
//! loopback. Helpers panic on set-up failure: they only run in tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed set-up is a failed test"
)]

mod hook;
mod origin;
pub mod servers;

pub use cw_model::{Clock, ManualClock};
pub use hook::{Delivery, WebhookReceiver};
pub use origin::{Origin, Reply};

use chrono::{DateTime, Utc};
use cw_store::Store;

/// A fresh home folder and its store on the system clock. Keep the
/// `TempDir`: the folder is deleted when it drops.
pub async fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    (dir, store)
}

/// A fresh home whose store reads `clock` (schedules, leases, retries,
/// deliveries), and the clock standing at `start` for the test to step.
pub async fn temp_store_at(start: DateTime<Utc>) -> (tempfile::TempDir, Store, ManualClock) {
    let (dir, store) = temp_store().await;
    let clock = ManualClock::new(start);
    let store = store.with_clock(clock.shared());
    (dir, store, clock)
}
