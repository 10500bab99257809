//! Shared fixtures: alerts built with a small builder, including one whose
//! provisions carry hostile text (`<script>`, quotes, ampersands) so every
//! channel's escaping is exercised.

use chrono::{DateTime, TimeZone, Utc};
use cw_model::{
    ChangeKind, ChangeSet, DiffSide, DiffSummary, DocumentKey, ProvisionChange, Significance,
    WordOp, WordOpKind,
};
use cw_notify::Alert;

/// The hostile provision text every channel must escape.
pub(crate) const HOSTILE: &str = "<script>alert(1)</script>";

/// Builder for test alerts; `build()` fills sensible defaults.
pub(crate) struct AlertBuilder {
    document: String,
    old_version: Option<u32>,
    version: u32,
    observed_at: DateTime<Utc>,
    changes: Vec<ProvisionChange>,
    labels: Vec<String>,
    url: Option<String>,
}

pub(crate) fn alert(document: &str) -> AlertBuilder {
    AlertBuilder {
        document: document.to_string(),
        old_version: Some(2),
        version: 3,
        observed_at: Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap(),
        changes: Vec::new(),
        labels: Vec::new(),
        url: Some(format!(
            "https://clausewatch.example/documents/{document}/diff/2..3"
        )),
    }
}

pub(crate) fn modified(
    heading: &str,
    old: &str,
    new: &str,
    significance: Significance,
) -> ProvisionChange {
    ProvisionChange {
        kind: ChangeKind::Modified,
        old_id: Some(format!("{}/1", cw_model::slugify(heading))),
        new_id: Some(format!("{}/1", cw_model::slugify(heading))),
        old_text: Some(old.to_string()),
        new_text: Some(new.to_string()),
        heading_path: vec![heading.to_string()],
        significance,
        reasons: if significance == Significance::Substantive {
            vec!["added qualifier 'without notice'".to_string()]
        } else {
            vec![]
        },
        words: vec![],
    }
}

impl AlertBuilder {
    pub(crate) fn versions(mut self, old: Option<u32>, new: u32) -> Self {
        self.old_version = old;
        self.version = new;
        self
    }

    pub(crate) fn observed(mut self, at: DateTime<Utc>) -> Self {
        self.observed_at = at;
        self
    }

    pub(crate) fn change(mut self, change: ProvisionChange) -> Self {
        self.changes.push(change);
        self
    }

    pub(crate) fn label(mut self, label: &str) -> Self {
        self.labels.push(label.to_string());
        self
    }

    /// Adds the three hostile changes: a substantive modification whose new
    /// text is a script tag, an added provision with quotes and ampersands,
    /// and a cosmetic word-diffed change.
    pub(crate) fn hostile(self) -> Self {
        let mut words_change = modified(
            "Fees & \"Charges\"",
            "Fees are due monthly.",
            "Fees are due <b>monthly</b>.",
            Significance::Cosmetic,
        );
        words_change.words = vec![
            WordOp {
                op: WordOpKind::Equal,
                text: "Fees are due ".into(),
            },
            WordOp {
                op: WordOpKind::Delete,
                text: "monthly".into(),
            },
            WordOp {
                op: WordOpKind::Insert,
                text: "<b>monthly</b>".into(),
            },
            WordOp {
                op: WordOpKind::Equal,
                text: ".".into(),
            },
        ];
        self.change(modified(
            "Termination <i>now</i>",
            "We may suspend your account.",
            &format!("We may terminate your account without notice. {HOSTILE}"),
            Significance::Substantive,
        ))
        .change(ProvisionChange {
            kind: ChangeKind::Added,
            old_id: None,
            new_id: Some("arbitration/1".into()),
            old_text: None,
            new_text: Some(
                "Disputes go to \"binding\" arbitration & you waive class actions.".into(),
            ),
            heading_path: vec!["Arbitration".into()],
            significance: Significance::Substantive,
            reasons: vec!["new provision: arbitration <clause>".into()],
            words: vec![],
        })
        .change(words_change)
    }

    pub(crate) fn build(self) -> Alert {
        let key: DocumentKey = self.document.parse().unwrap();
        let substantive = self
            .changes
            .iter()
            .filter(|c| c.significance == Significance::Substantive)
            .count();
        let set = ChangeSet {
            old: DiffSide {
                title: Some("Acceptable Use Policy".into()),
                effective_date: None,
            },
            new: DiffSide {
                title: Some("Acceptable Use Policy <2024>".into()),
                effective_date: None,
            },
            summary: DiffSummary {
                added: self
                    .changes
                    .iter()
                    .filter(|c| c.kind == ChangeKind::Added)
                    .count(),
                modified: self
                    .changes
                    .iter()
                    .filter(|c| c.kind == ChangeKind::Modified)
                    .count(),
                unchanged: 12,
                substantive,
                ..DiffSummary::default()
            },
            summary_text: format!("{substantive} substantive changes, including {HOSTILE}."),
            changes: self.changes,
        };
        let mut alert = Alert::new(&key, self.old_version, self.version, self.observed_at, set)
            .with_labels(self.labels);
        alert.url = self.url;
        alert
    }
}
