//! Engine integration tests: one test binary, one module per job. The
//! re-extraction and out-of-order import tests use a temporary home; the
//! watch tests run the watch cycle against a real HTTP origin on loopback,
//! a real SQLite home, a real webhook receiver and a real SMTP server
//! (aiosmtpd).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod util;

mod changed;
mod history;
mod out_of_order;
mod reextract;
mod reverts;
mod variants;

mod alerts;
mod confirm;
mod derived;
mod integrity;
mod origin;
mod politeness;
mod states;
mod watchkit;
mod worker;
