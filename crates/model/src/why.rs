//! Why a change matters, as one read model for every sink: per changed
//! provision the labels it gained or lost (an added provision: all of its
//! labels), and the regulatory findings the newer version introduces or
//! resolves. The diff page, the API and alerts (webhook JSON, e-mail, Atom)
//! all carry a [`WhyItMatters`] built by [`WhyItMatters::new`]; nothing else
//! computes it.

use crate::{ChangeKind, ChangeSet};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// The caveat every regulatory finding carries.
pub const CAVEAT: &str = "risk indicator, not a legal determination";

/// One regulatory finding (produced by cw-analyze's checks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// The id of the check in cw-analyze's `rules/regulations.toml`.
    pub check: String,
    /// The regulation, e.g. `DSA Regulation (EU) 2022/2065`.
    pub regulation: String,
    /// The article, e.g. `14(2)`.
    pub article: String,
    /// The provision concerned; `None` for document-level findings (absence, coverage).
    pub provision_id: Option<String>,
    /// What the check found.
    pub message: String,
    /// The quoted evidence (the label's evidence span or the attribute that triggered).
    pub evidence: Option<String>,
    /// Always "risk indicator, not a legal determination" ([`CAVEAT`]).
    pub caveat: String,
}

/// A label id in words with its family: `tos_unilateral_change` →
/// "Unilateral change (terms)". The id stays the stable name (tooltips,
/// filters); this is for people.
pub fn label_name(id: &str) -> String {
    let (family, rest) = match id.split_once('_') {
        Some(("tos", r)) => (Some("terms"), r),
        Some(("pp", r)) => (Some("privacy"), r),
        Some(("aup", r)) => (Some("acceptable use"), r),
        _ => (None, id),
    };
    let mut words = rest.replace('_', " ");
    if let Some(first) = words.get(..1) {
        words = first.to_uppercase() + &words[1..];
    }
    match family {
        Some(f) => format!("{words} ({f})"),
        None => words,
    }
}

/// A label with a name a person can read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LabelName {
    /// TAXONOMY id, e.g. `tos_unilateral_change`.
    pub id: String,
    /// "Unilateral change (terms)".
    pub name: String,
}

impl LabelName {
    /// The id with its [`label_name`].
    pub fn new(id: &str) -> LabelName {
        LabelName {
            id: id.to_string(),
            name: label_name(id),
        }
    }
}

/// The label change of one changed provision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LabelChange {
    /// Index of the change in the change set.
    pub change: usize,
    /// added, removed, modified, moved.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: ChangeKind,
    /// Provision id on the new side, else the old.
    pub provision_id: Option<String>,
    /// Labels the provision gained (an added provision: all of its labels).
    pub added: Vec<LabelName>,
    /// Labels it lost (a removed provision: all of its labels).
    pub removed: Vec<LabelName>,
}

/// The labels and findings of one version, as [`WhyItMatters::new`] reads
/// them: label ids by provision id.
#[derive(Debug, Clone, Copy)]
pub struct SideLabels<'a> {
    /// Label ids of each provision, by provision id.
    pub labels: &'a HashMap<String, BTreeSet<String>>,
    /// The version's findings.
    pub findings: &'a [Finding],
}

/// What the change means: label changes and findings introduced or resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WhyItMatters {
    /// Changed provisions whose labels differ, in change-set order.
    pub label_changes: Vec<LabelChange>,
    /// Findings of the new side the old side did not have.
    pub findings_introduced: Vec<Finding>,
    /// Findings of the old side the new side no longer has.
    pub findings_resolved: Vec<Finding>,
    /// Findings are risk indicators, not legal determinations.
    pub caveat: String,
}

/// What a finding is about, whatever its provision is called in a version.
fn finding_key(f: &Finding) -> (&str, &str, &str) {
    (&f.check, &f.regulation, &f.article)
}

/// Findings of `a` whose (check, regulation, article) `b` lacks.
fn missing_from(a: &[Finding], b: &[Finding]) -> Vec<Finding> {
    let keys: BTreeSet<_> = b.iter().map(finding_key).collect();
    a.iter()
        .filter(|f| !keys.contains(&finding_key(f)))
        .cloned()
        .collect()
}

impl WhyItMatters {
    /// Why the change `cs` from `old` to `new` matters.
    pub fn new(cs: &ChangeSet, old: SideLabels<'_>, new: SideLabels<'_>) -> WhyItMatters {
        let empty = BTreeSet::new();
        let labels = |m: &'_ HashMap<String, BTreeSet<String>>, id: &Option<String>| {
            id.as_deref()
                .and_then(|id| m.get(id))
                .unwrap_or(&empty)
                .clone()
        };
        let label_changes = cs
            .changes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind != ChangeKind::Unchanged)
            .filter_map(|(i, c)| {
                let (before, after) =
                    (labels(old.labels, &c.old_id), labels(new.labels, &c.new_id));
                let added: Vec<LabelName> = after
                    .difference(&before)
                    .map(|id| LabelName::new(id))
                    .collect();
                let removed: Vec<LabelName> = before
                    .difference(&after)
                    .map(|id| LabelName::new(id))
                    .collect();
                (!added.is_empty() || !removed.is_empty()).then(|| LabelChange {
                    change: i,
                    kind: c.kind,
                    provision_id: c.new_id.clone().or_else(|| c.old_id.clone()),
                    added,
                    removed,
                })
            })
            .collect();
        WhyItMatters {
            label_changes,
            findings_introduced: missing_from(new.findings, old.findings),
            findings_resolved: missing_from(old.findings, new.findings),
            caveat: CAVEAT.to_string(),
        }
    }

    /// Nothing to say: no label changed and no finding came or went.
    pub fn is_empty(&self) -> bool {
        self.label_changes.is_empty()
            && self.findings_introduced.is_empty()
            && self.findings_resolved.is_empty()
    }

    /// Lines a person reads in an e-mail or a feed entry: one per
    /// provision whose labels changed, one per finding introduced or
    /// resolved (with the caveat once).
    pub fn lines(&self) -> Vec<String> {
        let names = |ls: &[LabelName]| {
            ls.iter()
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut out = Vec::new();
        for c in &self.label_changes {
            let mut parts = Vec::new();
            if !c.added.is_empty() {
                parts.push(format!("now {}", names(&c.added)));
            }
            if !c.removed.is_empty() {
                parts.push(format!("no longer {}", names(&c.removed)));
            }
            out.push(format!(
                "{} ({}): {}",
                c.provision_id.as_deref().unwrap_or("?"),
                c.kind.as_str(),
                parts.join("; ")
            ));
        }
        let finding = |verb: &str, f: &Finding| {
            format!("{verb}: {} art. {}: {}", f.regulation, f.article, f.message)
        };
        out.extend(
            self.findings_introduced
                .iter()
                .map(|f| finding("finding introduced", f)),
        );
        out.extend(
            self.findings_resolved
                .iter()
                .map(|f| finding("finding resolved", f)),
        );
        if !self.findings_introduced.is_empty() || !self.findings_resolved.is_empty() {
            out.push(format!("(findings are a {})", self.caveat));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_names_read_as_words_with_their_family() {
        assert_eq!(
            label_name("tos_unilateral_change"),
            "Unilateral change (terms)"
        );
        assert_eq!(
            label_name("aup_child_safety"),
            "Child safety (acceptable use)"
        );
        assert_eq!(label_name("pp_data_retention"), "Data retention (privacy)");
        assert_eq!(label_name("custom_thing"), "Custom thing");
        assert_eq!(label_name(""), "");
    }
}
