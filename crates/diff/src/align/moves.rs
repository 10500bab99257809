//! Move detection: aligned provisions that now stand elsewhere.
//!
//! A pair is *moved* when its section changed or when it falls outside the
//! longest increasing subsequence (LIS) of aligned pairs (new order against
//! old order): the LIS is the largest set of pairs that kept their relative
//! order, everything else was reordered. Sections are compared after
//! following renamed headings (aligned heading provisions with new text), and
//! a path that is a suffix of the other counts as the same section, so an
//! extractor that adds or drops an outer heading does not turn every
//! provision into a move.

use super::{Alignment, MoveKind, Side};
use crate::fasthash::FxHashMap;
use cw_model::ProvisionKind;

/// Indices (into `seq`) of one longest strictly increasing subsequence;
/// O(n log n), deterministic (earliest-ending choice on ties).
pub(super) fn lis(seq: &[usize]) -> Vec<usize> {
    let mut tails: Vec<usize> = Vec::new(); // indices into seq
    let mut prev: Vec<Option<usize>> = vec![None; seq.len()];
    for (k, &x) in seq.iter().enumerate() {
        let pos = tails.partition_point(|&t| seq.get(t).is_some_and(|&v| v < x));
        if pos > 0
            && let (Some(p), Some(&t)) = (prev.get_mut(k), tails.get(pos - 1))
        {
            *p = Some(t);
        }
        if pos == tails.len() {
            tails.push(k);
        } else if let Some(slot) = tails.get_mut(pos) {
            *slot = k;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut cur = tails.last().copied();
    while let Some(k) = cur {
        out.push(k);
        cur = prev.get(k).copied().flatten();
    }
    out.reverse();
    out
}

/// Whether two section paths name the same section.
fn same_section(a: &[String], b: &[String]) -> bool {
    a == b || (!a.is_empty() && !b.is_empty() && (a.ends_with(b) || b.ends_with(a)))
}

/// Marks moved pairs in `a.moved`.
pub(super) fn detect(old: &Side<'_>, new: &Side<'_>, a: &mut Alignment) {
    // Renamed headings: old section key → new section key.
    let mut renamed: FxHashMap<&str, &str> = FxHashMap::default();
    for (i, j) in a.pairs() {
        let (Some(op), Some(np)) = (old.provs.get(i), new.provs.get(j)) else {
            continue;
        };
        if op.kind == ProvisionKind::Heading
            && np.kind == ProvisionKind::Heading
            && let (Some(ok), Some(nk)) = (old.key(i), new.key(j))
            && ok != nk
        {
            renamed.insert(ok, nk);
        }
    }
    let pairs: Vec<(usize, usize)> = a.pairs().collect();
    let order: Vec<usize> = pairs.iter().map(|&(i, _)| i).collect();
    let mut in_order = vec![false; pairs.len()];
    for k in lis(&order) {
        if let Some(f) = in_order.get_mut(k) {
            *f = true;
        }
    }
    for (k, &(i, j)) in pairs.iter().enumerate() {
        let new_sec = new.section(j);
        let same = old.section(i) == new_sec || {
            let old_sec: Vec<String> = old
                .section(i)
                .iter()
                .map(|h| {
                    renamed
                        .get(h.as_str())
                        .map_or_else(|| h.clone(), |n| (*n).to_string())
                })
                .collect();
            same_section(&old_sec, new_sec)
        };
        let kind = if !same {
            Some(MoveKind::Section)
        } else if !in_order.get(k).copied().unwrap_or(true) {
            Some(MoveKind::Reordered)
        } else {
            None
        };
        if let Some(m) = a.moved.get_mut(j) {
            *m = kind;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_increasing_subsequence() {
        assert_eq!(lis(&[]), Vec::<usize>::new());
        assert_eq!(lis(&[0, 1, 2]), [0, 1, 2]);
        assert_eq!(lis(&[2, 0, 1]), [1, 2]);
        assert_eq!(lis(&[0, 4, 1, 2, 3]), [0, 2, 3, 4]);
    }

    #[test]
    fn suffix_paths_are_the_same_section() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(same_section(
            &s(&["aup", "no network abuse"]),
            &s(&["no network abuse"])
        ));
        assert!(!same_section(&s(&["a", "general"]), &s(&["b", "general"])));
        assert!(!same_section(&s(&[]), &s(&["x"])));
    }
}
