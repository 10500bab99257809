//! The labels and findings of a stored version, and why a change between
//! two stored versions matters ([`cw_model::WhyItMatters`]): the one
//! computation behind the diff page, the API and alerts. Labels come from
//! [`crate::label_document`] (headings and list lead-ins, as `analyze`
//! stores them), findings from cw-analyze's checks on those labels.

use crate::index::doc_type;
use cw_analyze::{Finding, Label};
use cw_model::{ChangeSet, SideLabels, WhyItMatters};
use cw_store::{DocumentRow, StoredVersion};
use std::collections::{BTreeSet, HashMap};

/// The labels of every provision of a version and its regulatory findings.
#[derive(Debug, Clone, Default)]
pub struct VersionLabels {
    /// `labels[i]` are the labels of provision `i`.
    pub labels: Vec<Vec<Label>>,
    /// Regulatory findings of the whole version.
    pub findings: Vec<Finding>,
    /// Label ids by provision id.
    by_id: HashMap<String, BTreeSet<String>>,
}

impl VersionLabels {
    /// Labels every provision of `v` (a version of `doc`) and runs the
    /// regulatory checks. Pure and deterministic; callers cache it.
    pub fn of(doc: &DocumentRow, v: &StoredVersion) -> VersionLabels {
        let kind = doc_type(doc, v.document.title.as_deref());
        let labels = crate::label_document(&v.document, kind);
        let findings = cw_analyze::check_document(&v.document, &labels, kind);
        let by_id = v
            .document
            .provisions
            .iter()
            .zip(&labels)
            .map(|(p, ls)| (p.id.clone(), ls.iter().map(|l| l.id.clone()).collect()))
            .collect();
        VersionLabels {
            labels,
            findings,
            by_id,
        }
    }

    fn side(&self) -> SideLabels<'_> {
        SideLabels {
            labels: &self.by_id,
            findings: &self.findings,
        }
    }
}

/// Why `cs` (the change from the version labelled `old` to the one
/// labelled `new`) matters.
pub fn why_it_matters(cs: &ChangeSet, old: &VersionLabels, new: &VersionLabels) -> WhyItMatters {
    WhyItMatters::new(cs, old.side(), new.side())
}
