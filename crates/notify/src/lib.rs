//! Telling people that a platform's terms changed: signed webhooks, SMTP
//! email and Atom feeds. The only clausewatch crate that talks to
//! recipients; it neither persists subscriptions nor schedules work (the
//! store and the engine do), it makes payloads, decides what matches and
//! delivers.
//!
//! # Brief overview
//!
//! * [`Alert`] is one confirmed [`ChangeSet`](cw_model::ChangeSet) of one
//!   document with its versions, time, diff link, labels and a stable id
//!   ([`alert_id`]) that is the idempotency key everywhere.
//! * [`Filter`] says which alerts a subscription wants (platforms,
//!   documents, labels, substantive only); [`Channel`] says where they go
//!   (webhook, email, feed); [`SubscriptionRequest::validate`] checks what
//!   a person typed into the CLI or the web form, the same way for both.
//! * [`webhook_payload`] is the versioned JSON body (`clausewatch.alert.v1`,
//!   documented in the `payload` module); [`sign`] and [`verify`] make and
//!   check the `X-Clausewatch-Signature: t=…,v1=…` header (HMAC-SHA256).
//! * [`WebhookSender`] and [`EmailSender`] deliver with the shared
//!   [`RetryPolicy`] (by default 4 attempts at ~0/2/6/14 s, 10 s each,
//!   within 60 s) and return a [`DeliveryRecord`] of every [`Attempt`];
//!   they never panic and never return errors for a failed delivery.
//! * [`render_email`] makes subject, text and HTML (all document text
//!   escaped); [`atom_feed`] makes an Atom 1.0 feed and
//!   [`write_feed_file`] writes it atomically.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use cw_model::{ChangeKind, ChangeSet, DiffSide, DiffSummary, DocumentKey,
//!     ProvisionChange, Significance};
//! use cw_notify::{atom_feed, render_email, sign, verify, webhook_payload, Alert, Filter};
//!
//! let doc: DocumentKey = "aws/aup-ningxia".parse()?;
//! let change = ChangeSet {
//!     old: DiffSide::default(),
//!     new: DiffSide { title: Some("AWS Acceptable Use Policy".into()), effective_date: None },
//!     summary: DiffSummary { modified: 1, substantive: 1, ..DiffSummary::default() },
//!     summary_text: "One provision now allows termination without notice.".into(),
//!     changes: vec![ProvisionChange {
//!         kind: ChangeKind::Modified,
//!         old_id: Some("termination/1".into()),
//!         new_id: Some("termination/1".into()),
//!         old_text: Some("We may suspend your account.".into()),
//!         new_text: Some("We may terminate your account without notice.".into()),
//!         heading_path: vec!["Termination".into()],
//!         significance: Significance::Substantive,
//!         reasons: vec!["added qualifier 'without notice'".into()],
//!         words: vec![],
//!     }],
//! };
//! let observed = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).single().unwrap_or_default();
//! let alert = Alert::new(&doc, Some(2), 3, observed, change).for_subscription("sub-1");
//!
//! let filter = Filter { platforms: vec!["aws".into()], substantive_only: true, ..Filter::default() };
//! assert!(filter.matches(&alert));
//!
//! let body = serde_json::to_vec(&webhook_payload(&alert))?;
//! let header = sign(b"0123456789abcdef", observed.timestamp(), &body);
//! assert!(verify(b"0123456789abcdef", &header, &body, observed.timestamp() + 5,
//!     cw_notify::DEFAULT_TOLERANCE).is_ok());
//!
//! let (subject, _text, _html) = render_email(&alert);
//! assert_eq!(subject, "[clausewatch] aws/aup-ningxia changed: 1 substantive change");
//!
//! let xml = atom_feed("subscription:sub-1", "Alerts", None, &[alert], observed);
//! assert!(xml.contains("urn:clausewatch:alert:"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod alert;
mod delivery;
mod email;
mod error;
mod feed;
mod filter;
mod payload;
mod render;
mod request;
mod signature;
mod webhook;

pub use alert::{Alert, alert_id};
pub use delivery::{Attempt, AttemptOutcome, DeliveryRecord, RetryPolicy};
pub use email::{EmailConfig, EmailSender, SmtpTls, render_email};
pub use error::NotifyError;
pub use feed::{
    ENTRY_ID_PREFIX, atom_feed, document_feed_id, entry_id, subscription_feed_id, write_feed_file,
};
pub use filter::{Channel, Filter, MIN_SECRET_LEN};
pub use payload::{MAX_PAYLOAD_CHANGES, PAYLOAD_EVENT, PAYLOAD_SCHEMA, webhook_payload};
pub use render::{MAX_RENDERED_CHANGES, escape_html};
pub use request::{SubscriptionRequest, ValidSubscription};
pub use signature::{DEFAULT_TOLERANCE, SIGNATURE_HEADER, SignatureError, sign, verify};
pub use webhook::{ATTEMPT_HEADER, DELIVERY_HEADER, EVENT_HEADER, WebhookSender};
