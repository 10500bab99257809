//! Counts, the readable summary paragraph, and the per-section breakdown.
//!
//! Everything here is computed from the list of changes alone, so it is
//! deterministic and can be recomputed from a stored [`ChangeSet`]. The
//! paragraph leads with the substantive changes, grouped per section, most
//! substantive sections first; cosmetic changes and unchanged provisions
//! are only counted.

use crate::significance::{is_cosmetic_reason, section_label};
use cw_model::{ChangeKind, ChangeSet, DiffSummary, ProvisionChange, Significance};
use serde::Serialize;

/// How many sections a sentence of the summary names before "and N more".
const MAX_SECTIONS_NAMED: usize = 4;

/// Changes under one heading path, counted by kind (see [`section_summary`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionSummary {
    /// The innermost heading, or "" for provisions before any heading.
    pub heading: String,
    /// The full heading path (new side's; old side's for removed provisions).
    pub heading_path: Vec<String>,
    /// Provisions only in the new document.
    pub added: usize,
    /// Provisions only in the old document.
    pub removed: usize,
    /// Aligned provisions edited in place.
    pub modified: usize,
    /// Aligned provisions that moved here or within this section.
    pub moved: usize,
    /// Aligned provisions with unchanged text in place.
    pub unchanged: usize,
    /// Changes flagged substantive.
    pub substantive: usize,
    /// Changes flagged cosmetic.
    pub cosmetic: usize,
}

/// The section of each change: its innermost heading — so a section keeps
/// its identity when an outer heading (often the title) differs between
/// versions — except that a heading provision belongs to the section it
/// opens (its text is the innermost heading of the change after it).
pub(crate) fn section_keys(changes: &[ProvisionChange]) -> Vec<Option<&str>> {
    changes
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let own = c.heading_path.last().map(String::as_str);
            let text = c.new_text.as_deref().or(c.old_text.as_deref());
            match (changes.get(k + 1), text) {
                (Some(next), Some(t))
                    if next.heading_path.last().map(String::as_str) == Some(t)
                        && next.heading_path.starts_with(&c.heading_path) =>
                {
                    Some(t)
                }
                _ => own,
            }
        })
        .collect()
}

/// The heading path to show for a group: the first new-side path, else the first.
fn display_path<'a>(cs: &[&'a ProvisionChange], key: Option<&str>) -> &'a [String] {
    let pick = |c: &&&'a ProvisionChange| c.heading_path.last().map(String::as_str) == key;
    cs.iter()
        .filter(pick)
        .find(|c| c.kind != ChangeKind::Removed)
        .or_else(|| cs.iter().find(pick))
        .or_else(|| cs.first())
        .map_or(&[], |c| c.heading_path.as_slice())
}

/// A group of changes under one section.
pub(crate) struct Group<'a> {
    /// The section's heading path (new side's when it has one).
    pub(crate) path: &'a [String],
    /// The changes, in change order.
    pub(crate) changes: Vec<&'a ProvisionChange>,
}

/// Groups all changes by section, in order of first appearance.
pub(crate) fn groups(changes: &[ProvisionChange]) -> Vec<Group<'_>> {
    let keys = section_keys(changes);
    let mut order: Vec<Option<&str>> = Vec::new();
    let mut members: Vec<Vec<&ProvisionChange>> = Vec::new();
    for (c, key) in changes.iter().zip(&keys) {
        match order.iter().position(|k| k == key) {
            Some(n) => {
                if let Some(m) = members.get_mut(n) {
                    m.push(c);
                }
            }
            None => {
                order.push(*key);
                members.push(vec![c]);
            }
        }
    }
    order
        .into_iter()
        .zip(members)
        .map(|(key, cs)| Group {
            path: display_path(&cs, key),
            changes: cs,
        })
        .collect()
}

/// Groups runs of consecutive changes in one section (for renderings).
pub(crate) fn runs(changes: &[ProvisionChange]) -> Vec<Group<'_>> {
    let keys = section_keys(changes);
    let mut out: Vec<(Option<&str>, Vec<&ProvisionChange>)> = Vec::new();
    for (c, key) in changes.iter().zip(&keys) {
        match out.last_mut() {
            Some((k, v)) if k == key => v.push(c),
            _ => out.push((*key, vec![c])),
        }
    }
    out.into_iter()
        .map(|(key, cs)| Group {
            path: display_path(&cs, key),
            changes: cs,
        })
        .collect()
}

/// Per-section breakdown of a change set: one entry per section (innermost
/// heading) that has any change, unchanged provisions included, in order of
/// first appearance.
pub fn section_summary(cs: &ChangeSet) -> Vec<SectionSummary> {
    groups(&cs.changes)
        .into_iter()
        .map(|Group { path, changes: cs }| {
            let count = |k: ChangeKind| cs.iter().filter(|c| c.kind == k).count();
            let sig = |s: Significance| cs.iter().filter(|c| c.significance == s).count();
            SectionSummary {
                heading: path.last().cloned().unwrap_or_default(),
                heading_path: path.to_vec(),
                added: count(ChangeKind::Added),
                removed: count(ChangeKind::Removed),
                modified: count(ChangeKind::Modified),
                moved: count(ChangeKind::Moved),
                unchanged: count(ChangeKind::Unchanged),
                substantive: sig(Significance::Substantive),
                cosmetic: sig(Significance::Cosmetic),
            }
        })
        .collect()
}

/// Counts changes by kind and significance.
pub(crate) fn counts(changes: &[ProvisionChange]) -> DiffSummary {
    let mut s = DiffSummary::default();
    for c in changes {
        match c.kind {
            ChangeKind::Added => s.added += 1,
            ChangeKind::Removed => s.removed += 1,
            ChangeKind::Modified => s.modified += 1,
            ChangeKind::Moved => s.moved += 1,
            ChangeKind::Unchanged => s.unchanged += 1,
        }
        if c.significance == Significance::Substantive {
            s.substantive += 1;
        }
    }
    s
}

/// The short label of a reason: its text before the first quote or
/// parenthesis ("modal shift 'may' → 'will'" → "modal shift"), or up to the
/// end of the first quoted phrase when only one word precedes it ("added
/// 'reserve the right'").
pub(crate) fn reason_tag(reason: &str) -> Option<&str> {
    let end = reason.find(['\'', '(']).unwrap_or(reason.len());
    let mut tag = reason[..end].trim().trim_end_matches(':').trim();
    if !tag.contains(' ')
        && reason[end..].starts_with('\'')
        && let Some(close) = reason[end + 1..].find('\'')
    {
        tag = &reason[..end + close + 2];
    }
    (!tag.is_empty() && !tag.starts_with('…')).then_some(tag)
}

/// Where a section is, for a sentence: "under 'X'" or "at the top of the document".
fn where_(path: &[String], prep: &str) -> String {
    if path.is_empty() {
        "at the top of the document".to_string()
    } else {
        format!("{prep} '{}'", section_label(path))
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "a, b and c"
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Names at most [`MAX_SECTIONS_NAMED`] phrases, then "N more sections".
fn bounded(mut phrases: Vec<String>) -> String {
    if phrases.len() > MAX_SECTIONS_NAMED {
        let rest = phrases.len() - MAX_SECTIONS_NAMED;
        phrases.truncate(MAX_SECTIONS_NAMED);
        phrases.push(plural(rest, "more section", "more sections"));
    }
    join_and(&phrases)
}

fn has_reason(c: &ProvisionChange, reason: &str) -> bool {
    c.reasons.iter().any(|r| r == reason)
}

/// Sections with changes that `keep` selects, most first (ties: document
/// order), each with whether every change of the section is of `kind`
/// (a whole section added or removed).
fn ranked<'a>(
    groups: &[Group<'a>],
    kind: Option<ChangeKind>,
    keep: impl Fn(&ProvisionChange) -> bool,
) -> Vec<(&'a [String], Vec<&'a ProvisionChange>, bool)> {
    let mut v: Vec<(usize, &[String], Vec<&ProvisionChange>, bool)> = groups
        .iter()
        .enumerate()
        .filter_map(|(n, g)| {
            let kept: Vec<&ProvisionChange> =
                g.changes.iter().copied().filter(|c| keep(c)).collect();
            let whole = kind.is_some_and(|k| g.changes.iter().all(|c| c.kind == k));
            (!kept.is_empty()).then_some((n, g.path, kept, whole))
        })
        .collect();
    v.sort_by(|a, b| b.2.len().cmp(&a.2.len()).then(a.0.cmp(&b.0)));
    v.into_iter()
        .map(|(_, p, cs, whole)| (p, cs, whole))
        .collect()
}

fn is_sub(c: &ProvisionChange) -> bool {
    c.significance == Significance::Substantive
}

/// The readable summary paragraph of a list of changes.
pub(crate) fn summary_text(changes: &[ProvisionChange], s: &DiffSummary) -> String {
    if changes.iter().all(|c| c.kind == ChangeKind::Unchanged) {
        return match changes.len() {
            0 => "Both documents are empty.".to_string(),
            1 => "No changes: 1 provision unchanged.".to_string(),
            n => format!("No changes: all {n} provisions unchanged."),
        };
    }
    let gs = groups(changes);
    let mut out: Vec<String> = Vec::new();
    let sub_sections = gs
        .iter()
        .filter(|g| g.changes.iter().any(|c| is_sub(c)))
        .count();
    if s.substantive == 0 {
        out.push("No substantive changes.".to_string());
    } else {
        out.push(format!(
            "{} across {}.",
            plural(s.substantive, "substantive change", "substantive changes"),
            plural(sub_sections, "section", "sections")
        ));
    }

    let describe = |added: bool| -> Option<String> {
        let kind = if added {
            ChangeKind::Added
        } else {
            ChangeKind::Removed
        };
        let item_reason = if added {
            "new list item"
        } else {
            "list item removed"
        };
        let prep = if added { "under" } else { "from" };
        let phrases: Vec<String> = ranked(&gs, Some(kind), |c| c.kind == kind && is_sub(c))
            .into_iter()
            .map(|(path, cs, whole)| {
                let n = cs.len();
                let items = cs.iter().filter(|c| has_reason(c, item_reason)).count();
                let what = match (items, n - items) {
                    (0, others) => plural(others, "provision", "provisions"),
                    (items, 0) => plural(items, "list item", "list items"),
                    (items, others) => format!(
                        "{} and {}",
                        plural(items, "list item", "list items"),
                        plural(others, "other provision", "other provisions")
                    ),
                };
                if whole && !path.is_empty() {
                    let article = if added { "a new" } else { "the" };
                    format!("{article} '{}' section ({what})", section_label(path))
                } else {
                    format!("{what} {}", where_(path, prep))
                }
            })
            .collect();
        (!phrases.is_empty()).then(|| bounded(phrases))
    };
    if let Some(p) = describe(true) {
        out.push(format!("Added: {p}."));
    }
    if let Some(p) = describe(false) {
        out.push(format!("Removed: {p}."));
    }

    let edited = |c: &ProvisionChange| matches!(c.kind, ChangeKind::Modified | ChangeKind::Moved);
    let phrases: Vec<String> = ranked(&gs, None, |c| edited(c) && is_sub(c))
        .into_iter()
        .map(|(path, cs, _)| {
            let mut tags: Vec<&str> = Vec::new();
            for c in &cs {
                for r in c.reasons.iter().take_while(|r| !is_cosmetic_reason(r)) {
                    if let Some(t) = reason_tag(r)
                        && !tags.contains(&t)
                    {
                        tags.push(t);
                    }
                }
            }
            let shown: Vec<String> = tags.iter().take(3).map(|t| (*t).to_string()).collect();
            let more = if tags.len() > 3 { ", …" } else { "" };
            let name = if path.is_empty() {
                "the top of the document".to_string()
            } else {
                format!("'{}'", section_label(path))
            };
            format!("{name} ({}{more})", shown.join(", "))
        })
        .collect();
    if !phrases.is_empty() {
        out.push(format!("Modified: {}.", bounded(phrases)));
    }

    let cosmetic: Vec<&ProvisionChange> = changes
        .iter()
        .filter(|c| c.significance == Significance::Cosmetic)
        .collect();
    if !cosmetic.is_empty() {
        let mut tags: Vec<(&str, usize)> = Vec::new();
        for c in &cosmetic {
            if let Some(t) = c.reasons.first().and_then(|r| reason_tag(r)) {
                match tags.iter_mut().find(|(x, _)| *x == t) {
                    Some((_, n)) => *n += 1,
                    None => tags.push((t, 1)),
                }
            }
        }
        tags.sort_by_key(|t| std::cmp::Reverse(t.1));
        let top: Vec<&str> = tags.iter().take(3).map(|(t, _)| *t).collect();
        out.push(format!(
            "{} ({}).",
            plural(cosmetic.len(), "cosmetic change", "cosmetic changes"),
            top.join(", ")
        ));
    }
    if s.moved > 0 {
        out.push(format!(
            "{} moved.",
            plural(s.moved, "provision", "provisions")
        ));
    }
    out.push(format!(
        "{} unchanged.",
        plural(s.unchanged, "provision", "provisions")
    ));
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(
        kind: ChangeKind,
        path: &[&str],
        sig: Significance,
        reasons: &[&str],
    ) -> ProvisionChange {
        ProvisionChange {
            kind,
            old_id: None,
            new_id: None,
            old_text: None,
            new_text: None,
            heading_path: path.iter().map(|s| s.to_string()).collect(),
            significance: sig,
            reasons: reasons.iter().map(|s| s.to_string()).collect(),
            words: vec![],
        }
    }

    #[test]
    fn tags_are_reason_prefixes() {
        assert_eq!(
            reason_tag("modal shift 'may' → 'will'"),
            Some("modal shift")
        );
        assert_eq!(reason_tag("new list item"), Some("new list item"));
        assert_eq!(reason_tag("… and 3 more"), None);
        assert_eq!(
            reason_tag("added 'reserve the right'"),
            Some("added 'reserve the right'")
        );
    }

    #[test]
    fn paragraph_leads_with_substantive_sections() {
        use ChangeKind::*;
        use Significance::*;
        let changes = vec![
            change(Unchanged, &["A"], None, &[]),
            change(Added, &["A"], Substantive, &["new list item"]),
            change(Added, &["A"], Substantive, &["new list item"]),
            change(Added, &["MLPS"], Substantive, &["new provision"]),
            change(Removed, &["B"], Substantive, &["list item removed"]),
            change(
                Modified,
                &["C"],
                Cosmetic,
                &["entity renamed 'AWS' → 'Amazon'"],
            ),
            change(
                Modified,
                &["D"],
                Substantive,
                &["modal shift 'may' → 'will'"],
            ),
        ];
        let s = counts(&changes);
        assert_eq!(s.substantive, 5);
        assert_eq!(
            summary_text(&changes, &s),
            "5 substantive changes across 4 sections. Added: 2 list items under 'A' and a new 'MLPS' \
             section (1 provision). Removed: the 'B' section (1 list item). Modified: 'D' (modal \
             shift). 1 cosmetic change (entity renamed). 1 provision unchanged."
        );
    }

    #[test]
    fn no_changes() {
        let changes = vec![change(ChangeKind::Unchanged, &[], Significance::None, &[])];
        assert_eq!(
            summary_text(&changes, &counts(&changes)),
            "No changes: 1 provision unchanged."
        );
    }
}
