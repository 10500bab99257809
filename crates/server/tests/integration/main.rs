//! Integration tests of cw-server: the API through tower's `oneshot` with
//! JSON snapshots (and a snapshot of the OpenAPI document), hostile
//! documents rendered inert on every page, auth and CSRF, and the pages in
//! a real headless Chromium.

// Helpers outside `#[test]` functions fail loudly on purpose.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod util;

mod api;
mod auth;
mod bounded;
mod browser;
mod desk;
mod history_api;
mod watching;
mod xss;
