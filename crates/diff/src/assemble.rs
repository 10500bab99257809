//! Turning an alignment into the ordered list of [`ProvisionChange`]s.
//!
//! Order: the new document's reading order, each removed provision inserted
//! right after the change of the nearest preceding old provision that stayed
//! in place (or at the top). Every provision of either side appears in exactly
//! one change: pairs once, unpaired provisions as `added`/`removed`
//! (split/merge parts included, with a note on where they went).

use crate::align::{Alignment, MoveKind, Side};
use crate::normalize::display_key;
use crate::resegment::{self, Entry};
use crate::significance::{Move, Pair, PartOf, assess_pair, assess_unpaired};
use crate::words::word_diff;
use cw_model::{ChangeKind, ProvisionChange, ProvisionKind, Significance};

/// Builds the changes of an alignment, in output order.
pub(crate) fn changes(old: &Side<'_>, new: &Side<'_>, a: &Alignment) -> Vec<ProvisionChange> {
    // Removed provisions, bucketed after the new index of the preceding anchor.
    let mut at_top: Vec<usize> = Vec::new();
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); new.len()];
    let mut anchor: Option<usize> = None;
    for i in 0..old.len() {
        match a.new_of_old.get(i).copied().flatten() {
            Some(j) => {
                if a.moved.get(j).copied().flatten().is_none() {
                    anchor = Some(j);
                }
            }
            None => match anchor.and_then(|j| after.get_mut(j)) {
                Some(bucket) => bucket.push(i),
                None => at_top.push(i),
            },
        }
    }

    let mut out: Vec<Entry> = Vec::with_capacity(old.len().max(new.len()) + 8);
    let is_heading = |side: &Side<'_>, k: usize| {
        side.provs
            .get(k)
            .is_some_and(|p| p.kind == ProvisionKind::Heading)
    };
    let path = |k: usize| {
        old.provs
            .get(k)
            .map(|p| p.heading_path.clone())
            .unwrap_or_default()
    };
    let mut push = |change: Option<ProvisionChange>, i: Option<usize>, j: Option<usize>| {
        if let Some(change) = change {
            out.push(Entry {
                change,
                heading: i.is_some_and(|i| is_heading(old, i))
                    || j.is_some_and(|j| is_heading(new, j)),
                old_path: i.map(path).unwrap_or_default(),
            });
        }
    };
    for &i in &at_top {
        push(removed(old, new, a, i), Some(i), None);
    }
    for j in 0..new.len() {
        match a.old_of_new.get(j).copied().flatten() {
            Some(i) => push(paired(old, new, a, i, j), Some(i), Some(j)),
            None => push(added(old, new, a, j), None, Some(j)),
        }
        for &i in after.get(j).map(Vec::as_slice).unwrap_or_default() {
            push(removed(old, new, a, i), Some(i), None);
        }
    }
    resegment::apply(&mut out);
    out.into_iter().map(|e| e.change).collect()
}

fn id_of(side: &Side<'_>, k: usize) -> String {
    side.provs.get(k).map(|p| p.id.clone()).unwrap_or_default()
}

/// Joins the texts of provisions `ks` (in index order) with spaces.
fn joined(side: &Side<'_>, ks: &[usize]) -> String {
    let mut ks = ks.to_vec();
    ks.sort_unstable();
    ks.iter()
        .filter_map(|&k| side.provs.get(k))
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn quoted_ids(side: &Side<'_>, ks: &[usize]) -> String {
    let mut ks = ks.to_vec();
    ks.sort_unstable();
    ks.iter()
        .map(|&k| format!("'{}'", id_of(side, k)))
        .collect::<Vec<_>>()
        .join(" and ")
}

fn paired(
    old: &Side<'_>,
    new: &Side<'_>,
    a: &Alignment,
    i: usize,
    j: usize,
) -> Option<ProvisionChange> {
    let (op, np) = (old.provs.get(i)?, new.provs.get(j)?);
    let moved = a.moved.get(j).copied().flatten();
    let same_text = op.text == np.text || display_key(&op.text) == display_key(&np.text);
    let split = a.split_parts.get(&j).filter(|v| !v.is_empty());
    let merge = a.merge_parts.get(&j).filter(|v| !v.is_empty());

    let kind = match (moved, same_text && split.is_none() && merge.is_none()) {
        (Some(_), _) => ChangeKind::Moved,
        (None, true) => ChangeKind::Unchanged,
        (None, false) => ChangeKind::Modified,
    };
    let mut change = ProvisionChange {
        kind,
        old_id: Some(op.id.clone()),
        new_id: Some(np.id.clone()),
        old_text: Some(op.text.clone()),
        new_text: Some(np.text.clone()),
        heading_path: np.heading_path.clone(),
        significance: Significance::None,
        reasons: Vec::new(),
        words: Vec::new(),
    };
    if kind == ChangeKind::Unchanged {
        return Some(change);
    }

    change.words = word_diff(&op.text, &np.text);
    let mut notes = Vec::new();
    let old_rules = match merge {
        Some(parts) => {
            let mut all = parts.clone();
            all.push(i);
            notes.push(format!("merged from {}", quoted_ids(old, &all)));
            joined(old, &all)
        }
        None => op.text.clone(),
    };
    let new_rules = match split {
        Some(parts) => {
            let mut all = parts.clone();
            all.push(j);
            notes.push(format!("split into {}", quoted_ids(new, &all)));
            joined(new, &all)
        }
        None => np.text.clone(),
    };
    let plain = split.is_none() && merge.is_none();
    let pair = Pair {
        old_text: &old_rules,
        new_text: &new_rules,
        heading: op.kind == ProvisionKind::Heading && np.kind == ProvisionKind::Heading,
        ops: if plain { Some(&change.words) } else { None },
        moved: moved.map(|m| Move {
            from: op.heading_path.clone(),
            to: np.heading_path.clone(),
            reordered_only: m == MoveKind::Reordered,
            list_item: np.kind == ProvisionKind::ListItem,
        }),
        notes,
        restructured: !plain,
    };
    let (significance, reasons) = assess_pair(&pair);
    change.significance = significance;
    change.reasons = reasons;
    Some(change)
}

fn added(old: &Side<'_>, new: &Side<'_>, a: &Alignment, j: usize) -> Option<ProvisionChange> {
    let np = new.provs.get(j)?;
    let part = a.split_from.get(&j).map(|&(i, contained)| PartOf {
        other_id: id_of(old, i),
        contained,
    });
    let repeats = new.repeats_heading(j);
    let (significance, reasons) = assess_unpaired(np.kind, &np.text, true, part.as_ref(), repeats);
    Some(ProvisionChange {
        kind: ChangeKind::Added,
        old_id: None,
        new_id: Some(np.id.clone()),
        old_text: None,
        new_text: Some(np.text.clone()),
        heading_path: np.heading_path.clone(),
        significance,
        reasons,
        words: Vec::new(),
    })
}

fn removed(old: &Side<'_>, new: &Side<'_>, a: &Alignment, i: usize) -> Option<ProvisionChange> {
    let op = old.provs.get(i)?;
    let part = a.merged_into.get(&i).map(|&(j, contained)| PartOf {
        other_id: id_of(new, j),
        contained,
    });
    let repeats = old.repeats_heading(i);
    let (significance, reasons) = assess_unpaired(op.kind, &op.text, false, part.as_ref(), repeats);
    Some(ProvisionChange {
        kind: ChangeKind::Removed,
        old_id: Some(op.id.clone()),
        new_id: None,
        old_text: Some(op.text.clone()),
        new_text: None,
        heading_path: op.heading_path.clone(),
        significance,
        reasons,
        words: Vec::new(),
    })
}
