//! Provision-level diff of two extracted documents: alignment, word diff,
//! and a cosmetic/substantive verdict with reasons for every change.
//!
//! # Brief overview
//!
//! * [`diff`] / [`diff_with`] compare two [`ExtractedDocument`]s and return a
//!   [`ChangeSet`] (the fixed `diff --format json` contract, DESIGN §4):
//!   every provision of either side appears in exactly one
//!   [`cw_model::ProvisionChange`] (`added`, `removed`, `modified`, `moved` or
//!   `unchanged`), in the new document's order with removed provisions where
//!   they stood, each with a [`cw_model::Significance`], human-readable
//!   reasons and a word diff. Pure: no I/O, no clock, no randomness.
//! * [`reason_category`] / [`change_category`] file a reason (or a change)
//!   under its TAXONOMY §3 [`Category`] ("modal", "party", "renumber" …).
//! * [`DiffOptions`] holds the thresholds (fuzzy similarity, split/merge
//!   containment, candidate pruning) and switches (moves, splits).
//! * [`render_text`] and [`render_html`] turn a change set into a terminal
//!   report or a self-contained HTML page ([`render_text_with`] and
//!   [`render_html_with`] take [`RenderOptions`], e.g. to show unchanged
//!   provisions too); [`section_summary`] gives the
//!   per-section counts as data ([`SectionSummary`]).
//!
//! How it works: texts are normalised (NFKC, quotes, dashes, whitespace, list
//! numbering; case folded for matching only), aligned (exact in-order passes
//! on raw then normalised text, an exact hash pass, date lines, a per-gap
//! pass, an IDF-weighted fuzzy pass with rare-token candidate pruning,
//! split/merge detection, moves via the longest increasing subsequence and
//! heading paths), word-diffed with `similar`, and judged by the
//! change-significance cues of TAXONOMY §3 (see the `significance` module
//! for the rules and their reason strings; links and e-mail addresses are
//! judged apart, numbering of any shape is a list marker, relative dates
//! never matter); a last pass marks text that only changed provision
//! boundaries (re-split or merged paragraphs, or a document whose word
//! stream is unchanged) cosmetic. [`reason_category`] files every reason
//! under its TAXONOMY §3 category.
//!
//! Cost: hash-based exact passes are O(n log n); the fuzzy passes only see
//! what is left and probe at most a few rare tokens per provision. A 100 KB
//! pair of consecutive versions diffs in about a millisecond in release mode.
//!
//! # Example
//!
//! ```
//! use cw_model::{ExtractedDocument, Provision, ProvisionKind, SourceFormat};
//! use cw_model::{ChangeKind, Significance};
//!
//! let doc = |text: &str| ExtractedDocument {
//!     title: Some("Acceptable Use Policy".into()),
//!     effective_date: None,
//!     language: "en".into(),
//!     format: SourceFormat::Text,
//!     provisions: vec![Provision::new(
//!         "enforcement/1",
//!         vec!["Enforcement".into()],
//!         ProvisionKind::Paragraph,
//!         text,
//!     )],
//!     warnings: vec![],
//!     coverage: None,
//! };
//! let old = doc("We may suspend your use of the Services.");
//! let new = doc("We may suspend your use of the Services without notice.");
//!
//! let cs = cw_diff::diff(&old, &new);
//! let change = &cs.changes[0];
//! assert_eq!(change.kind, ChangeKind::Modified);
//! assert_eq!(change.significance, Significance::Substantive);
//! assert_eq!(change.reasons, ["added qualifier 'without notice'"]);
//! assert_eq!(cs.summary.substantive, 1);
//! assert!(cw_diff::render_text(&cs).contains("{+ without notice+}"));
//! ```
#![deny(missing_docs)]

mod align;
mod assemble;
mod category;
mod fasthash;
mod normalize;
mod options;
mod render;
mod resegment;
mod significance;
mod summary;
mod tokens;
mod words;

pub use category::{Category, change_category, reason_category};
pub use options::DiffOptions;
pub use render::{RenderOptions, render_html, render_html_with, render_text, render_text_with};
pub use summary::{SectionSummary, section_summary};

use cw_model::{ChangeSet, DiffSide, ExtractedDocument};

/// Compares two documents provision by provision with default options.
///
/// Deterministic: the same two documents always give the same change set.
pub fn diff(old: &ExtractedDocument, new: &ExtractedDocument) -> ChangeSet {
    diff_with(old, new, &DiffOptions::default())
}

/// Compares two documents provision by provision with the given options.
///
/// Out-of-range options are clamped (thresholds to 0–1; a NaN threshold
/// falls back to its default), so no option value can make this panic.
pub fn diff_with(
    old: &ExtractedDocument,
    new: &ExtractedDocument,
    options: &DiffOptions,
) -> ChangeSet {
    let options = sanitized(options);
    let (o, n) = (align::Side::new(old), align::Side::new(new));
    let alignment = align::align(&o, &n, &options);
    let mut changes = assemble::changes(&o, &n, &alignment);
    resegment::same_words_everywhere(&old.provisions, &new.provisions, &mut changes);
    let summary = summary::counts(&changes);
    let summary_text = summary::summary_text(&changes, &summary);
    ChangeSet {
        old: side(old),
        new: side(new),
        summary,
        summary_text,
        changes,
    }
}

fn side(doc: &ExtractedDocument) -> DiffSide {
    DiffSide {
        title: doc.title.clone(),
        effective_date: doc.effective_date,
    }
}

fn sanitized(o: &DiffOptions) -> DiffOptions {
    let unit = |x: f64, default: f64| {
        if x.is_nan() {
            default
        } else {
            x.clamp(0.0, 1.0)
        }
    };
    let d = DiffOptions::default();
    DiffOptions {
        fuzzy_threshold: unit(o.fuzzy_threshold, d.fuzzy_threshold),
        gap_threshold: unit(o.gap_threshold, d.gap_threshold),
        containment_threshold: unit(o.containment_threshold, d.containment_threshold),
        ..o.clone()
    }
}
