//! Integration tests of `cw-fetch` against real HTTP origins on loopback.
//!
//! One test binary, a module per feature. Every origin is an axum (or raw
//! TCP) server on `127.0.0.1:0` started by the test; fetchers use
//! `allow_private = true` except in the SSRF tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod browser;
mod classify;
mod conditional;
mod errors;
mod harness;
mod limits;
mod politeness;
mod redirects;
mod ssrf;
mod versions;
