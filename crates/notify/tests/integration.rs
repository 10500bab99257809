//! Integration tests for cw-notify through its public API only, one `mod`
//! per channel: webhooks against a real HTTP receiver that verifies the
//! signature, email against a real SMTP server (aiosmtpd, started by the
//! test), Atom feeds parsed back with atom_syndication.
//! The modules live in `tests/integration/` so Cargo builds one binary.

// Tests state their expectations with unwrap/expect/panic on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "integration/common.rs"]
mod common;
#[path = "integration/email.rs"]
mod email;
#[path = "integration/feed.rs"]
mod feed;
#[path = "integration/webhook.rs"]
mod webhook;
