//! Exact alignment passes: same normalised text.
//!
//! [`in_order`] diffs the sequences of (text, section) hashes with Myers, so
//! unchanged provisions pair in reading order even when their text repeats:
//! first the raw texts, then the normalised keys of what is left.
//! [`by_text`] then pairs what is left by text alone through a hash map,
//! preferring a candidate in the same section, then the nearest in relative
//! position. Hash hits are always confirmed by comparing the keys.

use super::{Alignment, Link, Side};
use crate::fasthash::FxHashMap;
use similar::{Algorithm, DiffOp, capture_diff_slices};

/// Candidates examined per provision when a text repeats many times.
const MAX_DUPLICATES_SCANNED: usize = 64;

fn same_key(old: &Side<'_>, i: usize, new: &Side<'_>, j: usize) -> bool {
    matches!((old.key(i), new.key(j)), (Some(a), Some(b)) if a == b)
}

fn same_raw(old: &Side<'_>, i: usize, new: &Side<'_>, j: usize) -> bool {
    matches!((old.provs.get(i), new.provs.get(j)), (Some(a), Some(b)) if a.text == b.text)
}

fn combine(text: u64, section: u64) -> u64 {
    text.rotate_left(17) ^ section.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Pairs identical provisions in identical sections, in reading order: first
/// on raw text (no normalisation needed for what did not change at all),
/// then on match keys among what is left.
pub(super) fn in_order(old: &Side<'_>, new: &Side<'_>, a: &mut Alignment) {
    let raw = |side: &Side<'_>| -> Vec<u64> {
        (0..side.len())
            .map(|k| {
                combine(
                    side.raw_hashes.get(k).copied().unwrap_or(0),
                    side.section_hash(k),
                )
            })
            .collect()
    };
    let (ok, nk) = (raw(old), raw(new));
    for op in capture_diff_slices(Algorithm::Myers, &ok, &nk) {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            for k in 0..len {
                let (i, j) = (old_index + k, new_index + k);
                if same_raw(old, i, new, j) {
                    a.pair(i, j, Link::Exact);
                }
            }
        }
    }
    let olds: Vec<usize> = (0..old.len()).filter(|&i| a.old_free(i)).collect();
    let news: Vec<usize> = (0..new.len()).filter(|&j| a.new_free(j)).collect();
    if olds.is_empty() || news.is_empty() {
        return;
    }
    let keyed = |side: &Side<'_>, ks: &[usize]| -> Vec<u64> {
        ks.iter()
            .map(|&k| combine(side.key_hash(k), side.section_hash(k)))
            .collect()
    };
    let (ok, nk) = (keyed(old, &olds), keyed(new, &news));
    for op in capture_diff_slices(Algorithm::Myers, &ok, &nk) {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            for k in 0..len {
                let (Some(&i), Some(&j)) = (olds.get(old_index + k), news.get(new_index + k))
                else {
                    continue;
                };
                if same_key(old, i, new, j) {
                    a.pair(i, j, Link::Exact);
                }
            }
        }
    }
}

/// Relative position of index `k` in a sequence of `len` items, in [0, 1].
pub(super) fn rel(k: usize, len: usize) -> f64 {
    if len <= 1 {
        0.0
    } else {
        k as f64 / (len - 1) as f64
    }
}

/// Pairs identical provisions left over (moved or reordered ones).
pub(super) fn by_text(old: &Side<'_>, new: &Side<'_>, a: &mut Alignment) {
    let mut buckets: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
    for i in (0..old.len()).filter(|&i| a.old_free(i)) {
        buckets.entry(old.key_hash(i)).or_default().push(i);
    }
    if buckets.is_empty() {
        return;
    }
    for j in 0..new.len() {
        if !a.new_free(j) {
            continue;
        }
        let Some(list) = buckets.get_mut(&new.key_hash(j)) else {
            continue;
        };
        let pos = rel(j, new.len());
        let best = list
            .iter()
            .enumerate()
            .take(MAX_DUPLICATES_SCANNED)
            .filter(|&(_, &i)| same_key(old, i, new, j))
            .min_by(|&(_, &x), &(_, &y)| {
                let same = |i: usize| old.section_hash(i) != new.section_hash(j);
                let dist = |i: usize| (rel(i, old.len()) - pos).abs();
                same(x)
                    .cmp(&same(y))
                    .then(dist(x).total_cmp(&dist(y)))
                    .then(x.cmp(&y))
            })
            .map(|(slot, &i)| (slot, i));
        if let Some((slot, i)) = best
            && a.pair(i, j, Link::Exact)
        {
            list.remove(slot);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::doc;
    use super::*;
    use cw_model::ProvisionKind::*;

    #[test]
    fn pairs_duplicates_by_section() {
        let old = doc(
            "P",
            &[
                (
                    "a",
                    &["Security"],
                    Paragraph,
                    "Prohibited activities include:",
                ),
                (
                    "b",
                    &["Network"],
                    Paragraph,
                    "Prohibited activities include:",
                ),
            ],
        );
        let new = doc(
            "P",
            &[(
                "x",
                &["Network"],
                Paragraph,
                "Prohibited activities include:",
            )],
        );
        let (o, n) = (Side::new(&old), Side::new(&new));
        let mut a = Alignment::new(2, 1);
        in_order(&o, &n, &mut a);
        assert_eq!(a.old_of_new, [Some(1)]);
    }

    #[test]
    fn pairs_moved_text_by_hash() {
        let old = doc(
            "P",
            &[
                ("a", &["A"], Paragraph, "One."),
                ("b", &["A"], Paragraph, "Two."),
            ],
        );
        let new = doc(
            "P",
            &[
                ("x", &["B"], Paragraph, "two"),
                ("y", &["A"], Paragraph, "One."),
            ],
        );
        let (o, n) = (Side::new(&old), Side::new(&new));
        let mut a = Alignment::new(2, 2);
        in_order(&o, &n, &mut a);
        by_text(&o, &n, &mut a);
        assert_eq!(a.old_of_new, [Some(1), Some(0)]);
    }
}
