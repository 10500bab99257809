//! Provision lineage: a key that follows one provision through every version
//! of its document, across edits and moves, as long as the diff aligns it.
//!
//! Keys come from *sources*, each a map from a provision id of the version
//! being keyed to a key it can inherit, built from one diff: against the
//! version before ([`via_old`]), against the version after ([`via_new`],
//! for a version imported out of date order) or against the version's own
//! earlier extraction (a technical upgrade). [`assign`] takes the first
//! source that has a key not yet used in the version; provisions no source
//! knows get a fresh key.

use cw_model::{ChangeSet, DocumentKey, ExtractedDocument};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// Provision id (of one version) → lineage key it may inherit.
pub(crate) type Source = HashMap<String, String>;

/// Keys the new side of `change` inherits from its old side, whose
/// provisions (`old_doc`) carry `old_keys`.
pub(crate) fn via_old(
    old_keys: &[String],
    old_doc: &ExtractedDocument,
    change: &ChangeSet,
) -> Source {
    let key_of: HashMap<&str, &str> = old_doc
        .provisions
        .iter()
        .zip(old_keys)
        .map(|(p, k)| (p.id.as_str(), k.as_str()))
        .collect();
    change
        .changes
        .iter()
        .filter_map(|c| {
            let key = key_of.get(c.old_id.as_deref()?)?;
            Some((c.new_id.clone()?, (*key).to_string()))
        })
        .collect()
}

/// Keys the old side of `change` inherits from its new side, whose
/// provisions (`new_doc`) carry `new_keys`.
pub(crate) fn via_new(
    new_keys: &[String],
    new_doc: &ExtractedDocument,
    change: &ChangeSet,
) -> Source {
    let key_of: HashMap<&str, &str> = new_doc
        .provisions
        .iter()
        .zip(new_keys)
        .map(|(p, k)| (p.id.as_str(), k.as_str()))
        .collect();
    change
        .changes
        .iter()
        .filter_map(|c| {
            let key = key_of.get(c.new_id.as_deref()?)?;
            Some((c.old_id.clone()?, (*key).to_string()))
        })
        .collect()
}

/// One lineage key per provision of `doc`: from the first source that knows
/// the provision and whose key no earlier provision took, else a fresh key
/// derived from the document, the version's content hash and the provision
/// id (so the same input always yields the same keys).
pub(crate) fn assign(
    document: &DocumentKey,
    doc: &ExtractedDocument,
    content_hash: &str,
    sources: &[&Source],
) -> Vec<String> {
    let mut used: HashSet<String> = HashSet::new();
    // Inherited keys first, in source order, so an earlier source wins.
    let mut chosen: Vec<Option<String>> = vec![None; doc.provisions.len()];
    for source in sources {
        for (slot, p) in chosen.iter_mut().zip(&doc.provisions) {
            if slot.is_some() {
                continue;
            }
            if let Some(k) = source.get(&p.id)
                && !used.contains(k)
            {
                used.insert(k.clone());
                *slot = Some(k.clone());
            }
        }
    }
    chosen
        .into_iter()
        .zip(&doc.provisions)
        .map(|(k, p)| k.unwrap_or_else(|| fresh_key(document, content_hash, &p.id)))
        .collect()
}

/// Computes one lineage key per provision of `new` at import.
///
/// A provision aligned (unchanged, modified or moved) with a provision of the
/// previous version inherits that provision's key; failing that, for a
/// version imported before an already stored one, the key of the provision
/// of the following version it aligns with; any other provision gets a
/// fresh key.
pub(crate) fn lineage_keys(
    document: &DocumentKey,
    new: &ExtractedDocument,
    new_content_hash: &str,
    previous: Option<(&[String], &ExtractedDocument, &ChangeSet)>,
    next: Option<(&[String], &ExtractedDocument, &ChangeSet)>,
) -> Vec<String> {
    let before = previous
        .map(|(keys, doc, change)| via_old(keys, doc, change))
        .unwrap_or_default();
    let after = next
        .map(|(keys, doc, change)| via_new(keys, doc, change))
        .unwrap_or_default();
    assign(document, new, new_content_hash, &[&before, &after])
}

/// [`lineage_keys`] for a version imported between two stored versions
/// (either may be absent), each with the diff computed against it: the
/// previous one's diff leads to `new`, the next one's leads from `new`.
pub(crate) fn keys_between(
    document: &DocumentKey,
    new: &ExtractedDocument,
    new_content_hash: &str,
    previous: Option<(&cw_store::StoredVersion, &ChangeSet)>,
    next: Option<(&cw_store::StoredVersion, &ChangeSet)>,
) -> Vec<String> {
    lineage_keys(
        document,
        new,
        new_content_hash,
        previous.map(|(p, c)| (p.lineage_keys.as_slice(), &p.document, c)),
        next.map(|(n, c)| (n.lineage_keys.as_slice(), &n.document, c)),
    )
}

fn fresh_key(document: &DocumentKey, content_hash: &str, provision_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(document.to_string().as_bytes());
    h.update([0]);
    h.update(content_hash.as_bytes());
    h.update([0]);
    h.update(provision_id.as_bytes());
    let digest = hex::encode(h.finalize());
    format!("L{}", &digest[..12])
}
