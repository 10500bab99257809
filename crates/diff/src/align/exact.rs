//! Exact alignment passes: same normalised text.
//!
//! [`in_order`] diffs the sequences of (text, section) hashes with Myers, so
//! unchanged provisions pair in reading order even when their text repeats.
//! [`by_text`] then pairs what is left by text alone through a hash map,
//! preferring a candidate in the same section, then the nearest in relative
//! position. Hash hits are always confirmed by comparing the keys.

use super::{Alignment, Link, Side};
use crate::fasthash::FxHashMap;
use similar::{Algorithm, DiffOp, capture_diff_slices};

/// Candidates examined per provision when a text repeats many times.
const MAX_DUPLICATES_SCANNED: usize = 64;

fn same_key(old: &Side<'_>, i: usize, new: &Side<'_>, j: usize) -> bool {
    matches!((old.keys.get(i), new.keys.get(j)), (Some(a), Some(b)) if a == b)
}

/// Pairs identical provisions in identical sections, in reading order.
pub(super) fn in_order(old: &Side<'_>, new: &Side<'_>, a: &mut Alignment) {
    let combine = |side: &Side<'_>| -> Vec<u64> {
        side.hashes
            .iter()
            .enumerate()
            .map(|(k, t)| {
                t.rotate_left(17) ^ side.section_hash(k).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            })
            .collect()
    };
    let (ok, nk) = (combine(old), combine(new));
    for op in capture_diff_slices(Algorithm::Myers, &ok, &nk) {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            for k in 0..len {
                let (i, j) = (old_index + k, new_index + k);
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
        if let Some(&h) = old.hashes.get(i) {
            buckets.entry(h).or_default().push(i);
        }
    }
    if buckets.is_empty() {
        return;
    }
    for j in 0..new.len() {
        if !a.new_free(j) {
            continue;
        }
        let Some(list) = new.hashes.get(j).and_then(|h| buckets.get_mut(h)) else {
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
