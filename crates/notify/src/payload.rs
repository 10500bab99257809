//! The webhook's JSON body, schema `clausewatch.alert.v1`.
//!
//! ```text
//! {
//!   "schema": "clausewatch.alert.v1",        // changes only with a new name (v2, …)
//!   "event": "document.changed",
//!   "id": "<64 hex>",                        // idempotency key, = X-Clausewatch-Delivery header
//!   "platform": "aws",
//!   "document": "aws/aup-ningxia",
//!   "document_title": "Acceptable Use Policy …",
//!   "version": 3,                            // the new version number
//!   "old_version": 2,                        // null for a first version
//!   "observed_at": "2024-05-01T12:00:00Z",   // RFC 3339, UTC
//!   "url": "https://…/diff" | null,          // the diff in the web UI
//!   "labels": ["tos_unilateral_termination"],
//!   "old": {"title": "…", "effective_date": "2021-06-18" | null},
//!   "new": {"title": "…", "effective_date": "…" | null},
//!   "summary": {"added": 1, "removed": 0, "modified": 2, "moved": 0, "unchanged": 25, "substantive": 3},
//!   "summary_text": "One paragraph a person can read.",
//!   "changes": [                             // unchanged provisions left out; substantive first
//!     {"kind": "modified", "significance": "substantive",
//!      "old_id": "…" | null, "new_id": "…" | null, "heading_path": ["…"],
//!      "old_text": "…" | null, "new_text": "…" | null,
//!      "reasons": ["added qualifier 'without notice'"]}
//!   ],
//!   "why": {                                 // why it matters (the diff page's panel); absent for a first version
//!     "label_changes": [{"change": 1, "kind": "modified", "provision_id": "…",
//!                        "added": [{"id": "tos_unilateral_change", "name": "Unilateral change (terms)"}],
//!                        "removed": []}],
//!     "findings_introduced": [{"check": "…", "regulation": "…", "article": "…", "message": "…", …}],
//!     "findings_resolved": [],
//!     "caveat": "risk indicator, not a legal determination"},
//!   "changes_total": 3,                      // reported changes before truncation
//!   "changes_truncated": false               // true when more than MAX_PAYLOAD_CHANGES
//! }
//! ```
//!
//! Word-level diffs are left out to keep payloads small; `url` leads to them.
//! Receivers must ignore fields they do not know: new fields may be added
//! within v1, none is removed or changes meaning.

use serde_json::{Value, json};

use crate::Alert;

/// The schema name carried in every payload.
pub const PAYLOAD_SCHEMA: &str = "clausewatch.alert.v1";

/// The event name carried in every payload (and the `X-Clausewatch-Event` header).
pub const PAYLOAD_EVENT: &str = "document.changed";

/// At most this many changes are listed in one payload.
pub const MAX_PAYLOAD_CHANGES: usize = 200;

/// The JSON body of a webhook delivery for `alert` (see the module docs for
/// the schema).
pub fn webhook_payload(alert: &Alert) -> Value {
    let reported = alert.reported_changes();
    let total = reported.len();
    let changes: Vec<Value> = reported
        .iter()
        .take(MAX_PAYLOAD_CHANGES)
        .map(|c| {
            json!({
                "kind": c.kind.as_str(),
                "significance": c.significance.as_str(),
                "old_id": c.old_id,
                "new_id": c.new_id,
                "heading_path": c.heading_path,
                "old_text": c.old_text,
                "new_text": c.new_text,
                "reasons": c.reasons,
            })
        })
        .collect();
    let summary = &alert.change.summary;
    json!({
        "schema": PAYLOAD_SCHEMA,
        "event": PAYLOAD_EVENT,
        "id": alert.id,
        "platform": alert.platform,
        "document": alert.document,
        "document_title": alert.document_title,
        "version": alert.version_number,
        "old_version": alert.old_version_number,
        "observed_at": alert.observed_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "url": alert.url,
        "labels": alert.labels,
        "old": {
            "title": alert.change.old.title,
            "effective_date": alert.change.old.effective_date.map(|d| d.to_string()),
        },
        "new": {
            "title": alert.change.new.title,
            "effective_date": alert.change.new.effective_date.map(|d| d.to_string()),
        },
        "summary": {
            "added": summary.added,
            "removed": summary.removed,
            "modified": summary.modified,
            "moved": summary.moved,
            "unchanged": summary.unchanged,
            "substantive": alert.substantive_count(),
        },
        "summary_text": alert.change.summary_text,
        "changes": changes,
        "why": alert.why,
        "changes_total": total,
        "changes_truncated": total > MAX_PAYLOAD_CHANGES,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, NaiveDate, Utc};
    use cw_model::{
        ChangeKind, ChangeSet, DiffSide, DiffSummary, DocumentKey, ProvisionChange, Significance,
    };

    fn change(kind: ChangeKind, significance: Significance, text: &str) -> ProvisionChange {
        ProvisionChange {
            kind,
            old_id: Some("t/1".into()),
            new_id: Some("t/1".into()),
            old_text: Some(format!("old {text}")),
            new_text: Some(format!("new {text}")),
            heading_path: vec!["Termination".into()],
            significance,
            reasons: vec!["added qualifier 'without notice'".into()],
            words: vec![],
        }
    }

    fn alert(changes: Vec<ProvisionChange>) -> Alert {
        let key = DocumentKey {
            platform: "aws".into(),
            document: "aup".into(),
        };
        let set = ChangeSet {
            old: DiffSide {
                title: Some("AUP".into()),
                effective_date: NaiveDate::from_ymd_opt(2021, 6, 18),
            },
            new: DiffSide {
                title: Some("AUP".into()),
                effective_date: None,
            },
            summary: DiffSummary {
                modified: changes.len(),
                substantive: 1,
                ..DiffSummary::default()
            },
            summary_text: "One provision changed.".into(),
            changes,
        };
        let at = DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        Alert::new(&key, Some(2), 3, at, set).with_url("https://cw.example/d/aws/aup/3")
    }

    #[test]
    fn payload_carries_the_schema_fields() {
        let a = alert(vec![
            change(ChangeKind::Unchanged, Significance::None, "same"),
            change(
                ChangeKind::Modified,
                Significance::Substantive,
                "we may terminate",
            ),
        ]);
        let p = webhook_payload(&a);
        assert_eq!(p["schema"], "clausewatch.alert.v1");
        assert_eq!(p["event"], "document.changed");
        assert_eq!(p["id"], a.id.as_str());
        assert_eq!(p["document"], "aws/aup");
        assert_eq!(p["version"], 3);
        assert_eq!(p["old_version"], 2);
        assert_eq!(p["observed_at"], "2024-05-01T12:00:00Z");
        assert_eq!(p["old"]["effective_date"], "2021-06-18");
        assert_eq!(p["new"]["effective_date"], Value::Null);
        assert_eq!(p["summary"]["substantive"], 1);
        assert_eq!(p["changes_total"], 1);
        assert_eq!(p["changes_truncated"], false);
        let c = &p["changes"][0];
        assert_eq!(c["kind"], "modified");
        assert_eq!(c["significance"], "substantive");
        assert_eq!(c["new_text"], "new we may terminate");
        assert_eq!(c["reasons"][0], "added qualifier 'without notice'");
        assert!(c.get("words").is_none());
    }

    #[test]
    fn payload_truncates_long_change_lists() {
        let many = (0..MAX_PAYLOAD_CHANGES + 5)
            .map(|i| change(ChangeKind::Added, Significance::Cosmetic, &i.to_string()))
            .collect();
        let p = webhook_payload(&alert(many));
        assert_eq!(
            p["changes"].as_array().map(Vec::len),
            Some(MAX_PAYLOAD_CHANGES)
        );
        assert_eq!(p["changes_total"], MAX_PAYLOAD_CHANGES + 5);
        assert_eq!(p["changes_truncated"], true);
    }
}
