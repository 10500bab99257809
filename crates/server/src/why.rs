//! Why a change matters: for each changed provision the labels it gained
//! or lost (an added provision: its labels), and the regulatory findings
//! the newer version introduces or resolves. The diff view carries it, so
//! the diff page and the API say the same.

use crate::analysis::Analysis;
use crate::views::label_name;
use cw_analyze::{CAVEAT, Finding};
use cw_model::{ChangeKind, ChangeSet};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use utoipa::ToSchema;

/// A label with a name a person can read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
pub(crate) struct LabelName {
    /// TAXONOMY id, e.g. `tos_unilateral_change`.
    pub(crate) id: String,
    /// "Unilateral change (terms)".
    pub(crate) name: String,
}

impl LabelName {
    fn new(id: &str) -> LabelName {
        LabelName {
            id: id.to_string(),
            name: label_name(id),
        }
    }
}

/// The label change of one changed provision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct LabelChange {
    /// Index of the change in the change set.
    pub(crate) change: usize,
    /// added, removed, modified, moved.
    #[schema(value_type = String)]
    pub(crate) kind: ChangeKind,
    /// Provision id on the new side, else the old.
    pub(crate) provision_id: Option<String>,
    /// Labels the provision gained (an added provision: all of its labels).
    pub(crate) added: Vec<LabelName>,
    /// Labels it lost (a removed provision: all of its labels).
    pub(crate) removed: Vec<LabelName>,
}

/// What the change means: label changes and findings introduced or resolved.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub(crate) struct WhyView {
    /// Changed provisions whose labels differ, in change-set order.
    pub(crate) label_changes: Vec<LabelChange>,
    /// Findings of the new side the old side did not have.
    #[schema(value_type = Vec<Object>)]
    pub(crate) findings_introduced: Vec<Finding>,
    /// Findings of the old side the new side no longer has.
    #[schema(value_type = Vec<Object>)]
    pub(crate) findings_resolved: Vec<Finding>,
    /// Findings are risk indicators, not legal determinations.
    pub(crate) caveat: String,
}

/// Label ids by provision id.
fn by_id<'a>(
    ids: impl Iterator<Item = &'a str>,
    a: &Analysis,
) -> HashMap<&'a str, BTreeSet<String>> {
    ids.zip(a.labels.iter())
        .map(|(id, ls)| (id, ls.iter().map(|l| l.id.clone()).collect()))
        .collect()
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

/// Why the change from `old` to `new` matters. `old_ids`/`new_ids` are the
/// provision ids of the two versions in reading order, as their analyses.
pub(crate) fn why<'a>(
    cs: &ChangeSet,
    old_ids: impl Iterator<Item = &'a str>,
    old: &Analysis,
    new_ids: impl Iterator<Item = &'a str>,
    new: &Analysis,
) -> WhyView {
    let (o, n) = (by_id(old_ids, old), by_id(new_ids, new));
    let empty = BTreeSet::new();
    let labels = |m: &'_ HashMap<&str, BTreeSet<String>>, id: &Option<String>| {
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
            let (before, after) = (labels(&o, &c.old_id), labels(&n, &c.new_id));
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
    WhyView {
        label_changes,
        findings_introduced: missing_from(&new.findings, &old.findings),
        findings_resolved: missing_from(&old.findings, &new.findings),
        caveat: CAVEAT.to_string(),
    }
}
