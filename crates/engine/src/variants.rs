//! Variants of one policy (issue #23): documents declared as regional or
//! language variants (`aws/aup-global`, `aws/aup-beijing`,
//! `aws/aup-ningxia`), a view aligning their provisions (what one variant
//! says that another does not), and **divergence**: one variant changed
//! substantively and a sibling did not change within a window.
//!
//! Alignment reuses the diff: every variant's latest version is diffed
//! against the base (the variant with the most provisions); provisions the
//! diff pairs share a row, the others get rows of their own, and those of
//! two non-base variants share a row when their words agree (Jaccard ≥ 0.6
//! over lowercase words). Time is passed in (`now`), never read here, so
//! tests step a clock instead of sleeping.

use crate::{Engine, EngineError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use cw_model::{DocumentKey, VersionRef, VersionSelector};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// One variant's column in the view.
#[derive(Debug, Clone, Serialize)]
pub struct VariantColumn {
    /// The variant's label.
    pub variant: String,
    /// Its document.
    pub document: String,
    /// The version shown (the latest).
    pub version: u32,
    /// Its stated date.
    pub effective_date: Option<NaiveDate>,
}

/// One provision aligned across the variants.
#[derive(Debug, Clone, Serialize)]
pub struct AlignedRow {
    /// Headings of the first variant that has it.
    pub heading_path: Vec<String>,
    /// The text in each variant (column order), `None` where it is absent.
    pub texts: Vec<Option<String>>,
    /// Labels of the variants that have it.
    pub present_in: Vec<String>,
    /// Labels of the variants that lack it.
    pub absent_from: Vec<String>,
}

/// Every provision of a policy's variants, aligned.
#[derive(Debug, Clone, Serialize)]
pub struct VariantsView {
    /// The policy.
    pub policy: String,
    /// The variants, base first.
    pub columns: Vec<VariantColumn>,
    /// The rows in the base's reading order (others' own provisions after
    /// the base provision they follow).
    pub rows: Vec<AlignedRow>,
}

impl VariantsView {
    /// Rows present in only some of the variants: what one variant says
    /// (forbids, requires) that another does not.
    pub fn differing(&self) -> impl Iterator<Item = &AlignedRow> {
        self.rows.iter().filter(|r| !r.absent_from.is_empty())
    }
}

/// A variant that changed substantively while a sibling did not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Divergence {
    /// The policy.
    pub policy: String,
    /// The variant that changed.
    pub variant: String,
    /// Its document.
    pub document: String,
    /// The version the change led to.
    pub version: u32,
    /// When it was observed.
    pub observed_at: DateTime<Utc>,
    /// Substantive changes in it.
    pub substantive: usize,
    /// Siblings with no substantive change within the window around it.
    pub unchanged_siblings: Vec<String>,
}

fn words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn similar(a: &str, b: &str) -> bool {
    let (a, b) = (words(a), words(b));
    let union = a.union(&b).count();
    union > 0 && a.intersection(&b).count() * 10 >= union * 6
}

/// A row being built: its position key and texts per column.
struct Building {
    anchor: usize,
    seq: usize,
    heading_path: Vec<String>,
    texts: Vec<Option<String>>,
}

impl Engine {
    /// The view of a policy's variants (their latest versions).
    /// [`EngineError::Inconsistent`] when the policy has fewer than two variants.
    pub async fn variants_view(&self, policy: &str) -> Result<VariantsView, EngineError> {
        let variants = self.store().variants(policy).await?;
        if variants.len() < 2 {
            return Err(EngineError::Inconsistent(format!(
                "policy {policy} has {} variant(s); declare at least two",
                variants.len()
            )));
        }
        let mut docs = Vec::with_capacity(variants.len());
        for v in &variants {
            let stored = self
                .store()
                .version(&VersionRef {
                    document: v.document.clone(),
                    selector: VersionSelector::Latest,
                })
                .await?;
            docs.push((v, stored));
        }
        // The base: most provisions (ties: label order).
        docs.sort_by_key(|(v, s)| {
            (
                std::cmp::Reverse(s.document.provisions.len()),
                v.variant.clone(),
            )
        });
        let n = docs.len();
        let base = &docs[0].1.document;
        let mut rows: Vec<Building> = base
            .provisions
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut texts = vec![None; n];
                texts[0] = Some(p.text.clone());
                Building {
                    anchor: i,
                    seq: 0,
                    heading_path: p.heading_path.clone(),
                    texts,
                }
            })
            .collect();
        let base_index: HashMap<&str, usize> = base
            .provisions
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let mut seq = 0;
        for (col, (_, stored)) in docs.iter().enumerate().skip(1) {
            let other = &stored.document;
            let text_of: HashMap<&str, &cw_model::Provision> = other
                .provisions
                .iter()
                .map(|p| (p.id.as_str(), p))
                .collect();
            let change = cw_diff::diff(base, other);
            let mut anchor = 0;
            for c in &change.changes {
                match (&c.old_id, &c.new_id) {
                    (Some(old), Some(new)) => {
                        if let (Some(&i), Some(p)) =
                            (base_index.get(old.as_str()), text_of.get(new.as_str()))
                        {
                            rows[i].texts[col] = Some(p.text.clone());
                            anchor = i;
                        }
                    }
                    (None, Some(new)) => {
                        let Some(p) = text_of.get(new.as_str()) else {
                            continue;
                        };
                        // A provision the base lacks: join another variant's row with the same words.
                        let same = rows.iter_mut().find(|r| {
                            r.texts[0].is_none()
                                && r.texts[col].is_none()
                                && r.texts.iter().flatten().any(|t| similar(t, &p.text))
                        });
                        match same {
                            Some(r) => r.texts[col] = Some(p.text.clone()),
                            None => {
                                seq += 1;
                                let mut texts = vec![None; n];
                                texts[col] = Some(p.text.clone());
                                rows.push(Building {
                                    anchor,
                                    seq,
                                    heading_path: p.heading_path.clone(),
                                    texts,
                                });
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        rows.sort_by_key(|r| (r.anchor, r.seq));
        let labels: Vec<String> = docs.iter().map(|(v, _)| v.variant.clone()).collect();
        let rows = rows
            .into_iter()
            .map(|r| {
                let (present_in, absent_from) = labels.iter().zip(&r.texts).fold(
                    (Vec::new(), Vec::new()),
                    |(mut p, mut a), (l, t)| {
                        if t.is_some() {
                            p.push(l.clone());
                        } else {
                            a.push(l.clone());
                        }
                        (p, a)
                    },
                );
                AlignedRow {
                    heading_path: r.heading_path,
                    texts: r.texts,
                    present_in,
                    absent_from,
                }
            })
            .collect();
        Ok(VariantsView {
            policy: policy.to_string(),
            columns: docs
                .iter()
                .map(|(v, s)| VariantColumn {
                    variant: v.variant.clone(),
                    document: v.document.to_string(),
                    version: s.row.number,
                    effective_date: s.row.effective_date,
                })
                .collect(),
            rows,
        })
    }

    /// Divergences of every declared policy as of `now`: a variant's
    /// substantive change observed at `t`, with `t + window <= now`, while
    /// a sibling had no substantive change observed within `window` of `t`.
    /// Changes whose window has not elapsed yet are not judged.
    pub async fn divergences(
        &self,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<Divergence>, EngineError> {
        let all = self.store().all_variants().await?;
        let mut by_policy: HashMap<&str, Vec<&cw_store::VariantRow>> = HashMap::new();
        for v in &all {
            by_policy.entry(v.policy.as_str()).or_default().push(v);
        }
        // Substantive change times per document.
        let mut changed: HashMap<DocumentKey, Vec<(u32, DateTime<Utc>, usize)>> = HashMap::new();
        for v in &all {
            let rows = self.store().versions(&v.document).await?;
            changed.insert(
                v.document.clone(),
                rows.iter()
                    .filter(|r| r.compared_with.is_some())
                    .filter_map(|r| {
                        let s = r.substantive_changes.filter(|s| *s > 0)?;
                        Some((r.number, r.observed_at, s))
                    })
                    .collect(),
            );
        }
        let mut out = Vec::new();
        let mut policies: Vec<_> = by_policy.into_iter().collect();
        policies.sort_by(|a, b| a.0.cmp(b.0));
        for (policy, members) in policies {
            for v in &members {
                for &(version, at, substantive) in changed.get(&v.document).into_iter().flatten() {
                    if at + window > now {
                        continue;
                    }
                    let unchanged_siblings: Vec<String> = members
                        .iter()
                        .filter(|s| s.document != v.document)
                        .filter(|s| {
                            !changed
                                .get(&s.document)
                                .into_iter()
                                .flatten()
                                .any(|&(_, t, _)| (t - at).abs() <= window)
                        })
                        .map(|s| s.variant.clone())
                        .collect();
                    if !unchanged_siblings.is_empty() {
                        out.push(Divergence {
                            policy: policy.to_string(),
                            variant: v.variant.clone(),
                            document: v.document.to_string(),
                            version,
                            observed_at: at,
                            substantive,
                            unchanged_siblings,
                        });
                    }
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_similarity() {
        assert!(similar(
            "contains any other content prohibited by laws, administrative regulations;",
            "contains any other content prohibited by laws, administrative regulations."
        ));
        assert!(!similar(
            "for any illegal activity",
            "to violate the rights of others"
        ));
        assert!(!similar("", ""));
    }
}
