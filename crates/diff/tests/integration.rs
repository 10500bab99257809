//! The cw-diff integration tests: one binary, one `mod` per feature.
//!
//! Every case goes through [`check`]: two documents written in a tiny
//! outline notation (see [`doc`]), and an [`Expect`] listing text fragments
//! that must be reported unchanged / aligned / added / removed / moved /
//! substantive / not substantive, mirroring `shared/eval/check_diff.py`.
//! `check` also asserts the invariants of DESIGN §4 on every diff: each
//! provision id of either side appears in exactly one change, word ops
//! rebuild both texts, unchanged pairs carry no significance, and the counts
//! match the changes.

#[path = "integration/alignment.rs"]
mod alignment;
#[path = "integration/gold.rs"]
mod gold;
#[path = "integration/properties.rs"]
mod properties;
#[path = "integration/render.rs"]
mod render;
#[path = "integration/seeds.rs"]
mod seeds;
#[path = "integration/significance.rs"]
mod significance;

use cw_diff::diff;
use cw_model::{
    ChangeKind, ChangeSet, ExtractedDocument, Provision, ProvisionKind, Significance, SourceFormat,
    WordOpKind, slugify,
};

/// Builds a document from an outline, one provision per non-empty line:
///
/// * `# Heading`, `## Sub-heading` — a heading (it opens a section; the
///   provisions below carry it in their heading path),
/// * `- item` — a list item,
/// * `| a | b |` — a table row,
/// * anything else — a paragraph.
///
/// Ids are `<slug of the innermost heading>/<n>` (`top/<n>` before any
/// heading), like the extractor's.
pub fn doc(title: &str, outline: &str) -> ExtractedDocument {
    let mut provisions = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut counters: std::collections::HashMap<String, usize> = Default::default();
    for line in outline.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let level = line.chars().take_while(|&c| c == '#').count();
        let (kind, text, parents) = if level > 0 {
            path.truncate(level - 1);
            let text = line[level..].trim().to_string();
            let parents = path.clone();
            path.push(text.clone());
            (ProvisionKind::Heading, text, parents)
        } else if let Some(item) = line.strip_prefix("- ") {
            (ProvisionKind::ListItem, item.to_string(), path.clone())
        } else if line.starts_with('|') {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            (ProvisionKind::TableRow, cells.join(" | "), path.clone())
        } else {
            (ProvisionKind::Paragraph, line.to_string(), path.clone())
        };
        let section = path
            .last()
            .map(|h| slugify(h))
            .unwrap_or_else(|| "top".into());
        let n = counters.entry(section.clone()).or_default();
        *n += 1;
        provisions.push(Provision::new(
            format!("{section}/{n}"),
            parents,
            kind,
            text,
        ));
    }
    ExtractedDocument {
        title: Some(title.to_string()),
        effective_date: None,
        language: "en".into(),
        format: SourceFormat::Text,
        provisions,
        warnings: vec![],
        coverage: None,
    }
}

/// What a diff must report, as text fragments (matched case-insensitively
/// after whitespace collapsing, like `check_diff.py`).
#[derive(Debug, Default, Clone, Copy)]
pub struct Expect<'a> {
    /// In a change of kind `unchanged` (old side).
    pub unchanged: &'a [&'a str],
    /// Aligned: old side of an `unchanged`/`modified`/`moved` change with a new side.
    pub matched: &'a [&'a str],
    /// In a change of kind `modified` (old side).
    pub modified: &'a [&'a str],
    /// In a change of kind `moved` (old side).
    pub moved: &'a [&'a str],
    /// In a change of kind `added`.
    pub added: &'a [&'a str],
    /// In a change of kind `removed`.
    pub removed: &'a [&'a str],
    /// In some change flagged substantive.
    pub substantive: &'a [&'a str],
    /// In no change flagged substantive.
    pub not_substantive: &'a [&'a str],
    /// (fragment, reason): a change holding the fragment has a reason containing the text.
    pub reasons: &'a [(&'a str, &'a str)],
}

/// `check_diff.py`'s normalisation: NFKC-ish quotes, collapsed whitespace, lowercase.
fn norm(s: &str) -> String {
    let s = s
        .replace(['\u{2019}', '\u{2018}'], "'")
        .replace(['\u{201C}', '\u{201D}'], "\"");
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn holds(text: Option<&str>, fragment: &str) -> bool {
    text.is_some_and(|t| norm(t).contains(&norm(fragment)))
}

/// Asserts the DESIGN §4 invariants of a change set for these documents.
pub fn assert_invariants(old: &ExtractedDocument, new: &ExtractedDocument, cs: &ChangeSet) {
    for (side, d) in [("old", old), ("new", new)] {
        let mut want: Vec<&str> = d.provisions.iter().map(|p| p.id.as_str()).collect();
        let mut got: Vec<&str> = cs
            .changes
            .iter()
            .filter_map(|c| {
                if side == "old" {
                    c.old_id.as_deref()
                } else {
                    c.new_id.as_deref()
                }
            })
            .collect();
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(
            got, want,
            "{side} side: every provision must appear exactly once"
        );
    }
    for c in &cs.changes {
        match c.kind {
            ChangeKind::Added => {
                assert!(c.old_id.is_none() && c.new_id.is_some() && c.words.is_empty())
            }
            ChangeKind::Removed => {
                assert!(c.new_id.is_none() && c.old_id.is_some() && c.words.is_empty())
            }
            ChangeKind::Unchanged => {
                assert_eq!(c.significance, Significance::None, "{c:?}");
                assert!(c.words.is_empty() && c.reasons.is_empty(), "{c:?}");
            }
            ChangeKind::Modified | ChangeKind::Moved => {
                let side = |k: WordOpKind| -> String {
                    c.words
                        .iter()
                        .filter(|w| w.op == WordOpKind::Equal || w.op == k)
                        .map(|w| w.text.as_str())
                        .collect()
                };
                assert_eq!(
                    Some(side(WordOpKind::Delete).as_str()),
                    c.old_text.as_deref()
                );
                assert_eq!(
                    Some(side(WordOpKind::Insert).as_str()),
                    c.new_text.as_deref()
                );
                for w in c.words.windows(2) {
                    assert_ne!(w[0].op, w[1].op, "adjacent word ops of one kind: {c:?}");
                }
            }
        }
        if c.significance != Significance::None {
            assert!(!c.reasons.is_empty(), "a verdict needs a reason: {c:?}");
        }
    }
    let count = |k: ChangeKind| cs.changes.iter().filter(|c| c.kind == k).count();
    assert_eq!(cs.summary.added, count(ChangeKind::Added));
    assert_eq!(cs.summary.removed, count(ChangeKind::Removed));
    assert_eq!(cs.summary.modified, count(ChangeKind::Modified));
    assert_eq!(cs.summary.moved, count(ChangeKind::Moved));
    assert_eq!(cs.summary.unchanged, count(ChangeKind::Unchanged));
    let subst = cs
        .changes
        .iter()
        .filter(|c| c.significance == Significance::Substantive)
        .count();
    assert_eq!(cs.summary.substantive, subst);
}

/// Asserts the expectations on a change set.
pub fn assert_expect(cs: &ChangeSet, expect: &Expect<'_>) {
    let report = || cw_diff::render_text(cs);
    let on_old = |s: &str, kinds: &[ChangeKind]| {
        cs.changes
            .iter()
            .any(|c| kinds.contains(&c.kind) && holds(c.old_text.as_deref(), s))
    };
    for s in expect.unchanged {
        assert!(
            on_old(s, &[ChangeKind::Unchanged]),
            "not unchanged: {s:?}\n{}",
            report()
        );
    }
    for s in expect.matched {
        let ok = cs.changes.iter().any(|c| {
            matches!(
                c.kind,
                ChangeKind::Unchanged | ChangeKind::Modified | ChangeKind::Moved
            ) && holds(c.old_text.as_deref(), s)
                && c.new_text.is_some()
        });
        assert!(ok, "not aligned: {s:?}\n{}", report());
    }
    for s in expect.modified {
        assert!(
            on_old(s, &[ChangeKind::Modified]),
            "not modified: {s:?}\n{}",
            report()
        );
    }
    for s in expect.moved {
        assert!(
            on_old(s, &[ChangeKind::Moved]),
            "not moved: {s:?}\n{}",
            report()
        );
    }
    for s in expect.added {
        let ok = cs
            .changes
            .iter()
            .any(|c| c.kind == ChangeKind::Added && holds(c.new_text.as_deref(), s));
        assert!(ok, "not added: {s:?}\n{}", report());
    }
    for s in expect.removed {
        assert!(
            on_old(s, &[ChangeKind::Removed]),
            "not removed: {s:?}\n{}",
            report()
        );
    }
    let hits = |s: &str| {
        cs.changes
            .iter()
            .filter(|c| holds(c.old_text.as_deref(), s) || holds(c.new_text.as_deref(), s))
            .collect::<Vec<_>>()
    };
    for s in expect.substantive {
        let ok = hits(s)
            .iter()
            .any(|c| c.significance == Significance::Substantive);
        assert!(ok, "not substantive: {s:?}\n{}", report());
    }
    for s in expect.not_substantive {
        let bad = hits(s)
            .into_iter()
            .find(|c| c.significance == Significance::Substantive);
        assert!(
            bad.is_none(),
            "substantive but should not be: {s:?}: {bad:?}"
        );
    }
    for (s, reason) in expect.reasons {
        let ok = hits(s)
            .iter()
            .any(|c| c.reasons.iter().any(|r| r.contains(reason)));
        assert!(ok, "no reason {reason:?} for {s:?}\n{}", report());
    }
}

/// Diffs two outlines, asserts the invariants and the expectations, and
/// returns the change set.
pub fn check(old: &str, new: &str, expect: Expect<'_>) -> ChangeSet {
    let (o, n) = (doc("Old", old), doc("New", new));
    let cs = diff(&o, &n);
    assert_invariants(&o, &n, &cs);
    assert_expect(&cs, &expect);
    cs
}
