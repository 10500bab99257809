//! End-to-end tests of the `clausewatch` binary: one test binary, one module per subcommand.

// Helpers outside `#[test]` functions fail loudly on purpose.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod util;

mod analyze;
mod bad_input;
mod browser_isolation;
mod declarations;
mod demo;
mod diff;
mod evidence;
mod examples;
mod extract;
mod hardening;
mod import;
mod import_history;
mod label;
mod manners;
mod migrate;
mod reextract;
mod reverts;
mod search;
mod serve;
mod watch;
mod worker;
