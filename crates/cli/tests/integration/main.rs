//! End-to-end tests of the `clausewatch` binary: one test binary, one module per subcommand.

mod util;

mod bad_input;
mod demo;
mod diff;
mod extract;
mod import;
mod search;
