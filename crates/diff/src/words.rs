//! Word-level diff of two provision texts.
//!
//! Both texts are split into tokens (words, whitespace runs, single
//! punctuation characters, single CJK characters), diffed with `similar`'s
//! Myers algorithm, and turned into [`WordOp`]s. Adjacent operations of the
//! same kind are merged, and a whitespace-only "equal" run squeezed between
//! two edits is folded into them (`[-a b-]{+c d+}` reads better than
//! `[-a-]{+c+} [-b-]{+d+}`). Invariant: the `equal`+`delete` texts concatenate
//! to the old text and the `equal`+`insert` texts to the new text, exactly.

use crate::fasthash::FxHashMap;
use crate::tokens::{TokKind, tokenize};
use cw_model::{WordOp, WordOpKind};
use similar::{Algorithm, DiffOp, capture_diff_slices};

/// One step of the diff before merging: equal text, or an edit (deleted, inserted).
enum Step {
    Equal(String),
    Edit(String, String),
}

/// Texts with at most this many units (both sides) are diffed with Myers.
const MYERS_MAX_UNITS: usize = 600;

/// A diff unit: a token with the whitespace that follows it. Units compare
/// by the token alone (`key`), so the ubiquitous " " is never a diff
/// element of its own; whitespace differences are restored afterwards.
#[derive(Debug, Clone, Copy)]
struct Unit {
    /// Byte range of the token (for whitespace at the very start: of that whitespace).
    start: usize,
    key_end: usize,
    /// End of the trailing whitespace.
    end: usize,
}

/// The token part of a unit.
fn key<'a>(text: &'a str, u: &Unit) -> &'a str {
    text.get(u.start..u.key_end).unwrap_or("")
}

fn units(text: &str) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    for t in tokenize(text) {
        match (t.kind, out.last_mut()) {
            (TokKind::Space, Some(last)) if last.end == t.start => last.end = t.end,
            _ => out.push(Unit {
                start: t.start,
                key_end: t.end,
                end: t.end,
            }),
        }
    }
    out
}

/// Diffs `old` against `new` word by word.
pub(crate) fn word_diff(old: &str, new: &str) -> Vec<WordOp> {
    if old == new {
        return if old.is_empty() {
            Vec::new()
        } else {
            vec![WordOp {
                op: WordOpKind::Equal,
                text: old.to_string(),
            }]
        };
    }
    let (ou, nu) = (units(old), units(new));
    // Units as small integers: the diff compares elements many times.
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    let old_ids: Vec<u32> = ou.iter().map(|u| intern(&mut ids, key(old, u))).collect();
    let new_ids: Vec<u32> = nu.iter().map(|u| intern(&mut ids, key(new, u))).collect();
    // Myers gives the shortest edit script; on long, much-edited texts its
    // O(N·D) cost grows quadratically, and histogram diff (anchored on rare
    // tokens, like `git diff --histogram`) is much faster.
    let algorithm = if old_ids.len() + new_ids.len() <= MYERS_MAX_UNITS {
        Algorithm::Myers
    } else {
        Algorithm::Histogram
    };
    let ops = capture_diff_slices(algorithm, &old_ids, &new_ids);

    let text_of = |text: &str, us: &[Unit], from: usize, len: usize| -> String {
        match (us.get(from), us.get(from + len.saturating_sub(1))) {
            (Some(a), Some(b)) if len > 0 => {
                text.get(a.start..b.end).unwrap_or_default().to_string()
            }
            _ => String::new(),
        }
    };
    let mut steps: Vec<Step> = Vec::with_capacity(ops.len());
    for op in ops {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                // Same tokens; their trailing whitespace may still differ.
                for k in 0..len {
                    let (Some(o), Some(n)) = (ou.get(old_index + k), nu.get(new_index + k)) else {
                        continue;
                    };
                    let (ot, nt) = (
                        old.get(o.start..o.end).unwrap_or(""),
                        new.get(n.start..n.end).unwrap_or(""),
                    );
                    if ot == nt {
                        push_step(&mut steps, Step::Equal(ot.to_string()));
                    } else {
                        push_step(&mut steps, Step::Equal(key(old, o).to_string()));
                        let (ow, nw) = (
                            old.get(o.key_end..o.end).unwrap_or(""),
                            new.get(n.key_end..n.end).unwrap_or(""),
                        );
                        push_step(&mut steps, Step::Edit(ow.to_string(), nw.to_string()));
                    }
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => {
                push_step(
                    &mut steps,
                    Step::Edit(text_of(old, &ou, old_index, old_len), String::new()),
                );
            }
            DiffOp::Insert {
                new_index, new_len, ..
            } => {
                push_step(
                    &mut steps,
                    Step::Edit(String::new(), text_of(new, &nu, new_index, new_len)),
                );
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => push_step(
                &mut steps,
                Step::Edit(
                    text_of(old, &ou, old_index, old_len),
                    text_of(new, &nu, new_index, new_len),
                ),
            ),
        }
    }
    fold_whitespace_equals(&mut steps);
    to_ops(trim_edit_whitespace(steps))
}

/// Moves whitespace shared by the start (or end) of both sides of an edit out
/// into the neighbouring equal run: `[-AWS -]{+Amazon Web +}` → `[-AWS-]{+Amazon Web+} `.
fn trim_edit_whitespace(steps: Vec<Step>) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::with_capacity(steps.len());
    for step in steps {
        match step {
            Step::Edit(d, i) if !d.is_empty() && !i.is_empty() => {
                let lead = common_ws_len(d.chars(), i.chars());
                let trail = common_ws_len(d[lead..].chars().rev(), i[lead..].chars().rev());
                let (d_mid, i_mid) = (&d[lead..d.len() - trail], &i[lead..i.len() - trail]);
                if d_mid.is_empty() || i_mid.is_empty() {
                    push_step(&mut out, Step::Edit(d, i));
                    continue;
                }
                push_step(&mut out, Step::Equal(d[..lead].to_string()));
                push_step(&mut out, Step::Edit(d_mid.to_string(), i_mid.to_string()));
                push_step(&mut out, Step::Equal(d[d.len() - trail..].to_string()));
            }
            other => push_step(&mut out, other),
        }
    }
    out
}

/// Byte length of the common run of identical whitespace characters at the
/// front of two character sequences.
fn common_ws_len(a: impl Iterator<Item = char>, b: impl Iterator<Item = char>) -> usize {
    a.zip(b)
        .take_while(|(x, y)| x == y && x.is_whitespace())
        .map(|(x, _)| x.len_utf8())
        .sum()
}

/// The small integer standing for token `t`.
fn intern<'a>(ids: &mut FxHashMap<&'a str, u32>, t: &'a str) -> u32 {
    let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
    *ids.entry(t).or_insert(next)
}

fn push_step(steps: &mut Vec<Step>, step: Step) {
    match (steps.last_mut(), step) {
        (Some(Step::Equal(a)), Step::Equal(b)) => a.push_str(&b),
        (Some(Step::Edit(d, i)), Step::Edit(d2, i2)) => {
            d.push_str(&d2);
            i.push_str(&i2);
        }
        (_, step) => {
            let empty = match &step {
                Step::Equal(t) => t.is_empty(),
                Step::Edit(d, i) => d.is_empty() && i.is_empty(),
            };
            if !empty {
                steps.push(step);
            }
        }
    }
}

/// Whether an equal run between two edits is too slight to show on its own:
/// whitespace, or up to three characters of punctuation and spaces (", ").
fn is_slight(t: &str) -> bool {
    t.chars().all(char::is_whitespace)
        || (t.chars().count() <= 3 && !t.chars().any(char::is_alphanumeric))
}

/// Folds slight equal runs that sit between two edits into the edits.
fn fold_whitespace_equals(steps: &mut Vec<Step>) {
    let mut out: Vec<Step> = Vec::with_capacity(steps.len());
    let mut iter = std::mem::take(steps).into_iter().peekable();
    while let Some(step) = iter.next() {
        let fold = match (&step, out.last(), iter.peek()) {
            (Step::Equal(t), Some(Step::Edit(..)), Some(Step::Edit(..))) => is_slight(t),
            _ => false,
        };
        if fold {
            if let (Step::Equal(ws), Some(Step::Edit(d, i))) = (&step, out.last_mut()) {
                d.push_str(ws);
                i.push_str(ws);
            }
        } else {
            push_step(&mut out, step);
        }
    }
    *steps = out;
}

fn to_ops(steps: Vec<Step>) -> Vec<WordOp> {
    let mut out = Vec::with_capacity(steps.len() * 2);
    for step in steps {
        match step {
            Step::Equal(text) => out.push(WordOp {
                op: WordOpKind::Equal,
                text,
            }),
            Step::Edit(deleted, inserted) => {
                if !deleted.is_empty() {
                    out.push(WordOp {
                        op: WordOpKind::Delete,
                        text: deleted,
                    });
                }
                if !inserted.is_empty() {
                    out.push(WordOp {
                        op: WordOpKind::Insert,
                        text: inserted,
                    });
                }
            }
        }
    }
    out
}

/// One edited region of a word diff: what was deleted and what was inserted
/// between two equal runs, and whether it starts at the beginning of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Region {
    /// Text only on the old side (may be empty).
    pub(crate) deleted: String,
    /// Text only on the new side (may be empty).
    pub(crate) inserted: String,
    /// Whether the region starts at the very beginning of both texts.
    pub(crate) at_start: bool,
    /// Up to [`CONTEXT`] bytes of the equal text just before the region.
    pub(crate) before: String,
    /// Up to [`CONTEXT`] bytes of the equal text just after the region.
    pub(crate) after: String,
}

/// How much equal text a [`Region`] keeps on each side, in bytes.
pub(crate) const CONTEXT: usize = 48;

fn tail(s: &str, n: usize) -> &str {
    let mut start = s.len().saturating_sub(n);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    s.get(start..).unwrap_or_default()
}

fn head(s: &str, n: usize) -> &str {
    let mut end = n.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

/// Groups word ops into edited regions.
pub(crate) fn regions(ops: &[WordOp]) -> Vec<Region> {
    let mut out: Vec<Region> = Vec::new();
    let mut open = false;
    let mut seen_equal = false;
    // Equal text since the last region (its tail is the next region's
    // `before`); equal text after a region fills its `after`.
    let mut recent = String::new();
    for op in ops {
        match op.op {
            WordOpKind::Equal => {
                if let Some(r) = out.last_mut()
                    && r.after.len() < CONTEXT
                {
                    let room = CONTEXT - r.after.len();
                    r.after.push_str(head(&op.text, room));
                }
                open = false;
                seen_equal = true;
                recent.push_str(&op.text);
                if recent.len() > 4 * CONTEXT {
                    recent = tail(&recent, CONTEXT).to_string();
                }
            }
            WordOpKind::Delete | WordOpKind::Insert => {
                if !open {
                    out.push(Region {
                        deleted: String::new(),
                        inserted: String::new(),
                        at_start: !seen_equal,
                        before: tail(&recent, CONTEXT).to_string(),
                        after: String::new(),
                    });
                    open = true;
                    recent.clear();
                }
                if let Some(r) = out.last_mut() {
                    if op.op == WordOpKind::Delete {
                        r.deleted.push_str(&op.text);
                    } else {
                        r.inserted.push_str(&op.text);
                    }
                }
            }
        }
    }
    out
}

/// Rebuilds the old (`Delete`) or new (`Insert`) text from word ops.
#[cfg(test)]
pub(crate) fn rebuild(ops: &[WordOp], side: WordOpKind) -> String {
    ops.iter()
        .filter(|o| o.op == WordOpKind::Equal || o.op == side)
        .map(|o| o.text.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(ops: &[WordOp]) -> String {
        ops.iter()
            .map(|o| match o.op {
                WordOpKind::Equal => o.text.clone(),
                WordOpKind::Delete => format!("[-{}-]", o.text),
                WordOpKind::Insert => format!("{{+{}+}}", o.text),
            })
            .collect()
    }

    #[test]
    fn diffs_words() {
        let ops = word_diff(
            "We may suspend your account.",
            "We may terminate your account.",
        );
        assert_eq!(show(&ops), "We may [-suspend-]{+terminate+} your account.");
    }

    #[test]
    fn folds_whitespace_between_edits() {
        let ops = word_diff("the AWS Site", "the Amazon Web Services China Site");
        assert_eq!(show(&ops), "the [-AWS-]{+Amazon Web Services China+} Site");
    }

    #[test]
    fn merges_adjacent_ops_of_one_kind() {
        let ops = word_diff("a b c", "x y z");
        assert_eq!(show(&ops), "[-a b c-]{+x y z+}");
        for w in ops.windows(2) {
            assert_ne!(w[0].op, w[1].op);
        }
    }

    #[test]
    fn reconstructs_both_sides() {
        for (a, b) in [
            ("", "x"),
            ("x", ""),
            ("same", "same"),
            ("我们可以随时修改", "我们将随时修改本政策"),
            ("  lead and trail  ", "lead, and trail"),
        ] {
            let ops = word_diff(a, b);
            assert_eq!(rebuild(&ops, WordOpKind::Delete), a);
            assert_eq!(rebuild(&ops, WordOpKind::Insert), b);
        }
    }

    #[test]
    fn groups_regions() {
        let ops = word_diff("1. We may act.", "2. We will act now.");
        let r = regions(&ops);
        assert_eq!(r.len(), 3);
        assert!(r[0].at_start);
        assert_eq!((r[0].deleted.as_str(), r[0].inserted.as_str()), ("1", "2"));
        assert_eq!(
            (r[1].deleted.as_str(), r[1].inserted.as_str()),
            ("may", "will")
        );
        assert_eq!(
            (r[2].deleted.as_str(), r[2].inserted.as_str()),
            ("", " now")
        );
    }
}
