//! Domain types shared by every clausewatch stage, with no I/O.
//!
//! # Brief overview
//!
//! * [`ExtractedDocument`] is what extraction makes of one snapshot: title,
//!   effective date, language, detected [`SourceFormat`] and the ordered
//!   [`Provision`]s, plus [`Warning`]s about messy input. Its JSON form is the
//!   fixed `extract --format json` contract (DESIGN §4).
//! * [`ChangeSet`] is what the diff stage makes of two documents: one
//!   [`ProvisionChange`] per aligned pair or unpaired provision, a
//!   [`DiffSummary`] and a readable summary paragraph. Its JSON form is the
//!   fixed `diff --format json` contract.
//! * [`DocumentKey`] and [`VersionRef`] name stored documents and versions
//!   (`aws/aup-ningxia`, `aws/aup-ningxia@2021-06-18`).
//!
//! ```
//! use cw_model::{Provision, ProvisionKind};
//! let p = Provision::new("no-network-abuse/3", vec!["No Network Abuse".into()],
//!     ProvisionKind::ListItem, "Denial of Service (DoS). Inundating a target …");
//! assert_eq!(p.kind.as_str(), "list_item");
//! ```
#![deny(missing_docs)]

mod change;
mod clock;
mod document;
mod keys;
mod why;

pub use change::{
    ChangeKind, ChangeSet, DiffSide, DiffSummary, ProvisionChange, Significance, WordOp, WordOpKind,
};
pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use document::{Coverage, ExtractedDocument, Provision, ProvisionKind, SourceFormat, Warning};
pub use keys::{DocumentKey, KeyError, VersionRef, VersionSelector, slugify};
pub use why::{CAVEAT, Finding, LabelChange, LabelName, SideLabels, WhyItMatters, label_name};

/// The version of the extraction rules. Stored with every version so that a
/// re-extraction with newer rules is recognised as a technical upgrade rather
/// than a change of the terms.
pub const EXTRACTOR_VERSION: &str = concat!("cw-extract/", env!("CARGO_PKG_VERSION"), "+r3");
