//! The result of comparing two documents provision by provision.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How a provision fared between the old and the new document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only in the new document.
    Added,
    /// Only in the old document.
    Removed,
    /// Aligned, same place, text changed.
    Modified,
    /// Aligned, now elsewhere (another section or out of reading order); text may have changed.
    Moved,
    /// Aligned, same text (after normalisation), same place.
    Unchanged,
}

impl ChangeKind {
    /// The lowercase name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Modified => "modified",
            ChangeKind::Moved => "moved",
            ChangeKind::Unchanged => "unchanged",
        }
    }
}

/// Whether a change matters to the meaning of the terms (TAXONOMY §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Significance {
    /// Nothing changed.
    None,
    /// Only form changed: quotes, whitespace, case, numbering, a date line, a rebrand.
    Cosmetic,
    /// The meaning may have changed; `reasons` says why.
    Substantive,
}

impl Significance {
    /// The lowercase name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Significance::None => "none",
            Significance::Cosmetic => "cosmetic",
            Significance::Substantive => "substantive",
        }
    }
}

/// One operation of a word-level diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WordOpKind {
    /// Text present on both sides.
    Equal,
    /// Text only on the old side.
    Delete,
    /// Text only on the new side.
    Insert,
}

/// A run of text with its word-diff operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordOp {
    /// What happened to this run.
    pub op: WordOpKind,
    /// The run itself, with its surrounding whitespace.
    pub text: String,
}

/// One entry of a provision-level diff. Every provision of either side
/// appears in exactly one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionChange {
    /// What happened.
    pub kind: ChangeKind,
    /// The provision id on the old side, `None` for `added`.
    pub old_id: Option<String>,
    /// The provision id on the new side, `None` for `removed`.
    pub new_id: Option<String>,
    /// Old text, `None` for `added`.
    pub old_text: Option<String>,
    /// New text, `None` for `removed`.
    pub new_text: Option<String>,
    /// The new side's heading path (the old side's for `removed`).
    pub heading_path: Vec<String>,
    /// Whether the change matters.
    pub significance: Significance,
    /// Why it is substantive or cosmetic, in words a person can read.
    pub reasons: Vec<String>,
    /// Word-level diff of old → new (empty for unchanged, added and removed).
    pub words: Vec<WordOp>,
}

/// Title and date of one side of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DiffSide {
    /// Document title, when known.
    pub title: Option<String>,
    /// Effective date, when known.
    pub effective_date: Option<NaiveDate>,
}

/// Counts of a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DiffSummary {
    /// Provisions only in the new document.
    pub added: usize,
    /// Provisions only in the old document.
    pub removed: usize,
    /// Aligned provisions whose text changed in place.
    pub modified: usize,
    /// Aligned provisions that moved.
    pub moved: usize,
    /// Aligned provisions with identical text in place.
    pub unchanged: usize,
    /// Changes flagged substantive.
    pub substantive: usize,
}

/// A provision-level comparison of two documents; serialises to the
/// `diff --format json` contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSet {
    /// The old document.
    pub old: DiffSide,
    /// The new document.
    pub new: DiffSide,
    /// Counts.
    pub summary: DiffSummary,
    /// One paragraph a person can read.
    pub summary_text: String,
    /// One entry per provision (pair).
    pub changes: Vec<ProvisionChange>,
}
