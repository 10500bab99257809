//! The `clausewatch` binary: parses arguments, calls the libraries, owns exit codes.
fn main() {}
