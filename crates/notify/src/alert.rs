//! What a recipient is told about: an [`Alert`] wraps one confirmed
//! [`ChangeSet`] of one document with the facts every channel needs (which
//! document, which versions, when, where to look), plus the stable id that
//! makes deliveries idempotent.

use chrono::{DateTime, Utc};
use cw_model::{ChangeKind, ChangeSet, DocumentKey, ProvisionChange, Significance, WhyItMatters};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One confirmed change of one document, ready to be delivered.
///
/// Build it with [`Alert::new`]; the engine adds the diff link with
/// [`Alert::with_url`], the labels of the changed provisions with
/// [`Alert::with_labels`] and, for a delivery to one subscription,
/// scopes the id with [`Alert::for_subscription`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable idempotency key: lowercase hex SHA-256 of scope, document and
    /// version pair (see [`alert_id`]). The same change delivered to the same
    /// subscription always has the same id; receivers deduplicate on it and
    /// Atom entries use it.
    pub id: String,
    /// The platform slug, e.g. `aws`.
    pub platform: String,
    /// The document key, `platform/document`.
    pub document: String,
    /// The document's title (the new side's, else the old side's, else the key).
    pub document_title: String,
    /// The version the change leads to.
    pub version_number: u32,
    /// The version diffed against; `None` for a first version.
    pub old_version_number: Option<u32>,
    /// When the new version was observed.
    pub observed_at: DateTime<Utc>,
    /// A link to the diff in the web UI, when the engine knows one.
    pub url: Option<String>,
    /// The diff. Unchanged provisions are never shown to recipients.
    pub change: ChangeSet,
    /// Labels of the changed provisions (e.g. `tos_unilateral_termination`),
    /// when the analysis stage has run; used by [`Filter`](crate::Filter).
    pub labels: Vec<String>,
    /// What the engine noticed beyond the diff (issue #23): `silent_change`,
    /// `date_bump_without_change`, `date_older_than_previous` (the stated
    /// date against the change), `divergence` (a variant changed and its
    /// siblings did not). Used by [`Filter::flags`](crate::Filter::flags).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// Why the change matters: per changed provision the labels it gained
    /// or lost, and the findings introduced or resolved; the read model the
    /// diff page shows. `None` for a first version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<WhyItMatters>,
}

/// The stable id of an alert: lowercase hex SHA-256 of
/// `clausewatch.alert.v1 \0 scope \0 document \0 old \0 new`, where `scope` is
/// the subscription id (empty for an unscoped alert such as a per-document
/// feed entry) and `old` is empty for a first version.
pub fn alert_id(
    scope: Option<&str>,
    document: &str,
    old_version: Option<u32>,
    version: u32,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"clausewatch.alert.v1\0");
    hasher.update(scope.unwrap_or_default().as_bytes());
    hasher.update(b"\0");
    hasher.update(document.as_bytes());
    hasher.update(b"\0");
    if let Some(old) = old_version {
        hasher.update(old.to_string().as_bytes());
    }
    hasher.update(b"\0");
    hasher.update(version.to_string().as_bytes());
    hex::encode(hasher.finalize())
}

impl Alert {
    /// An unscoped alert for `change`, the diff of `document` from
    /// `old_version_number` to `version_number`, observed at `observed_at`.
    pub fn new(
        document: &DocumentKey,
        old_version_number: Option<u32>,
        version_number: u32,
        observed_at: DateTime<Utc>,
        change: ChangeSet,
    ) -> Alert {
        let key = document.to_string();
        let document_title = change
            .new
            .title
            .clone()
            .or_else(|| change.old.title.clone())
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| key.clone());
        Alert {
            id: alert_id(None, &key, old_version_number, version_number),
            platform: document.platform.clone(),
            document: key,
            document_title,
            version_number,
            old_version_number,
            observed_at,
            url: None,
            change,
            labels: Vec::new(),
            flags: Vec::new(),
            why: None,
        }
    }

    /// Sets the link to the diff in the web UI.
    pub fn with_url(mut self, url: impl Into<String>) -> Alert {
        self.url = Some(url.into());
        self
    }

    /// Sets the labels of the changed provisions (sorted, deduplicated).
    pub fn with_labels(mut self, labels: impl IntoIterator<Item = String>) -> Alert {
        let mut labels: Vec<String> = labels.into_iter().collect();
        labels.sort();
        labels.dedup();
        self.labels = labels;
        self
    }

    /// The same alert with its id scoped to one subscription, so that two
    /// subscriptions receiving the same change get distinct idempotency keys
    /// and one subscription never gets the same change twice under two ids.
    pub fn for_subscription(mut self, subscription_id: &str) -> Alert {
        self.id = alert_id(
            Some(subscription_id),
            &self.document,
            self.old_version_number,
            self.version_number,
        );
        self
    }

    /// How many changes the diff flags substantive.
    pub fn substantive_count(&self) -> usize {
        let counted = self
            .change
            .changes
            .iter()
            .filter(|c| c.significance == Significance::Substantive)
            .count();
        counted.max(self.change.summary.substantive)
    }

    /// Whether at least one change is substantive.
    pub fn is_substantive(&self) -> bool {
        self.substantive_count() > 0
    }

    /// The changes a recipient is shown: every change except `unchanged`,
    /// substantive ones first, each group in document order.
    pub fn reported_changes(&self) -> Vec<&ProvisionChange> {
        let mut out: Vec<&ProvisionChange> = self
            .change
            .changes
            .iter()
            .filter(|c| c.kind != ChangeKind::Unchanged)
            .collect();
        // Stable sort keeps document order within each significance.
        out.sort_by_key(|c| std::cmp::Reverse(c.significance));
        out
    }

    /// A one-line headline: `aws/aup-ningxia changed: 3 substantive changes`.
    pub fn headline(&self) -> String {
        let substantive = self.substantive_count();
        let what = if substantive > 0 {
            plural(substantive, "substantive change")
        } else {
            let total = self.reported_changes().len();
            if total == 0 {
                "no provision changed".to_string()
            } else {
                format!("{}, none substantive", plural(total, "change"))
            }
        };
        format!("{} changed: {what}", self.document)
    }
}

/// `1 change`, `3 changes`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cw_model::{DiffSide, DiffSummary};

    fn change(kind: ChangeKind, significance: Significance) -> ProvisionChange {
        ProvisionChange {
            kind,
            old_id: None,
            new_id: None,
            old_text: None,
            new_text: None,
            heading_path: vec![],
            significance,
            reasons: vec![],
            words: vec![],
        }
    }

    fn alert(changes: Vec<ProvisionChange>) -> Alert {
        let key = DocumentKey {
            platform: "aws".into(),
            document: "aup".into(),
        };
        let set = ChangeSet {
            old: DiffSide::default(),
            new: DiffSide::default(),
            summary: DiffSummary::default(),
            summary_text: String::new(),
            changes,
        };
        Alert::new(&key, Some(1), 2, DateTime::<Utc>::UNIX_EPOCH, set)
    }

    #[test]
    fn ids_are_stable_and_scoped() {
        let a = alert(vec![]);
        assert_eq!(a.id, alert_id(None, "aws/aup", Some(1), 2));
        assert_eq!(a.id.len(), 64);
        let scoped = a.clone().for_subscription("sub-1");
        assert_ne!(scoped.id, a.id);
        assert_eq!(scoped.id, a.clone().for_subscription("sub-1").id);
        assert_ne!(
            alert_id(None, "aws/aup", None, 12),
            alert_id(None, "aws/aup", Some(1), 2)
        );
        assert_eq!(a.document_title, "aws/aup");
    }

    #[test]
    fn reported_changes_put_substantive_first_and_drop_unchanged() {
        let a = alert(vec![
            change(ChangeKind::Modified, Significance::Cosmetic),
            change(ChangeKind::Unchanged, Significance::None),
            change(ChangeKind::Added, Significance::Substantive),
        ]);
        let kinds: Vec<_> = a.reported_changes().iter().map(|c| c.kind).collect();
        assert_eq!(kinds, vec![ChangeKind::Added, ChangeKind::Modified]);
        assert_eq!(a.headline(), "aws/aup changed: 1 substantive change");
    }

    #[test]
    fn headline_without_substantive_changes() {
        let a = alert(vec![change(ChangeKind::Modified, Significance::Cosmetic)]);
        assert_eq!(a.headline(), "aws/aup changed: 1 change, none substantive");
        assert_eq!(
            alert(vec![]).headline(),
            "aws/aup changed: no provision changed"
        );
    }
}
