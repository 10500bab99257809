//! Word-level diff of two provision texts.
//!
//! Both texts are split into tokens (words, whitespace runs, single
//! punctuation characters, single CJK characters), diffed with `similar`'s
//! Myers algorithm, and turned into [`WordOp`]s. Adjacent operations of the
//! same kind are merged, and a whitespace-only "equal" run squeezed between
//! two edits is folded into them (`[-a b-]{+c d+}` reads better than
//! `[-a-]{+c+} [-b-]{+d+}`). Invariant: the `equal`+`delete` texts concatenate
//! to the old text and the `equal`+`insert` texts to the new text, exactly.

use crate::tokens::{Token, tokenize};
use cw_model::{WordOp, WordOpKind};
use similar::{Algorithm, DiffOp, capture_diff_slices};

/// One step of the diff before merging: equal text, or an edit (deleted, inserted).
enum Step {
    Equal(String),
    Edit(String, String),
}

fn span(source: &str, toks: &[Token], from: usize, len: usize) -> String {
    let (Some(first), Some(last)) = (toks.get(from), toks.get(from + len.saturating_sub(1)))
    else {
        return String::new();
    };
    if len == 0 {
        return String::new();
    }
    source.get(first.start..last.end).unwrap_or_default().to_string()
}

/// Diffs `old` against `new` word by word.
pub(crate) fn word_diff(old: &str, new: &str) -> Vec<WordOp> {
    if old == new {
        return if old.is_empty() {
            Vec::new()
        } else {
            vec![WordOp { op: WordOpKind::Equal, text: old.to_string() }]
        };
    }
    let old_toks = tokenize(old);
    let new_toks = tokenize(new);
    let old_strs: Vec<&str> = old_toks.iter().map(|t| t.text(old)).collect();
    let new_strs: Vec<&str> = new_toks.iter().map(|t| t.text(new)).collect();
    let ops = capture_diff_slices(Algorithm::Myers, &old_strs, &new_strs);

    let mut steps: Vec<Step> = Vec::with_capacity(ops.len());
    for op in ops {
        let step = match op {
            DiffOp::Equal { old_index, len, .. } => Step::Equal(span(old, &old_toks, old_index, len)),
            DiffOp::Delete { old_index, old_len, .. } => {
                Step::Edit(span(old, &old_toks, old_index, old_len), String::new())
            }
            DiffOp::Insert { new_index, new_len, .. } => {
                Step::Edit(String::new(), span(new, &new_toks, new_index, new_len))
            }
            DiffOp::Replace { old_index, old_len, new_index, new_len } => Step::Edit(
                span(old, &old_toks, old_index, old_len),
                span(new, &new_toks, new_index, new_len),
            ),
        };
        push_step(&mut steps, step);
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
    a.zip(b).take_while(|(x, y)| x == y && x.is_whitespace()).map(|(x, _)| x.len_utf8()).sum()
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
            Step::Equal(text) => out.push(WordOp { op: WordOpKind::Equal, text }),
            Step::Edit(deleted, inserted) => {
                if !deleted.is_empty() {
                    out.push(WordOp { op: WordOpKind::Delete, text: deleted });
                }
                if !inserted.is_empty() {
                    out.push(WordOp { op: WordOpKind::Insert, text: inserted });
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
}

/// Groups word ops into edited regions.
pub(crate) fn regions(ops: &[WordOp]) -> Vec<Region> {
    let mut out: Vec<Region> = Vec::new();
    let mut open = false;
    let mut seen_equal = false;
    for op in ops {
        match op.op {
            WordOpKind::Equal => {
                open = false;
                seen_equal = true;
            }
            WordOpKind::Delete | WordOpKind::Insert => {
                if !open {
                    out.push(Region {
                        deleted: String::new(),
                        inserted: String::new(),
                        at_start: !seen_equal,
                    });
                    open = true;
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
    ops.iter().filter(|o| o.op == WordOpKind::Equal || o.op == side).map(|o| o.text.as_str()).collect()
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
        let ops = word_diff("We may suspend your account.", "We may terminate your account.");
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
        assert_eq!((r[1].deleted.as_str(), r[1].inserted.as_str()), ("may", "will"));
        assert_eq!((r[2].deleted.as_str(), r[2].inserted.as_str()), ("", " now"));
    }
}
