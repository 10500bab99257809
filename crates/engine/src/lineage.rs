//! Provision lineage: a key that follows one provision through every version
//! of its document, across edits and moves, as long as the diff aligns it.

use cw_model::{ChangeSet, DocumentKey, ExtractedDocument};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Computes one lineage key per provision of `new`.
///
/// A provision aligned (unchanged, modified or moved) with a provision of the
/// previous version inherits that provision's key; any other provision gets a
/// fresh key derived from the document, the version's content and its id, so
/// the same import always yields the same keys.
pub(crate) fn lineage_keys(
    document: &DocumentKey,
    new: &ExtractedDocument,
    new_content_hash: &str,
    previous: Option<(&[String], &ExtractedDocument)>,
    change: Option<&ChangeSet>,
) -> Vec<String> {
    let mut inherited: HashMap<&str, &str> = HashMap::new();
    if let (Some((old_keys, old_doc)), Some(change)) = (previous, change) {
        let old_key_of: HashMap<&str, &str> = old_doc
            .provisions
            .iter()
            .zip(old_keys.iter())
            .map(|(p, k)| (p.id.as_str(), k.as_str()))
            .collect();
        for c in &change.changes {
            if let (Some(old_id), Some(new_id)) = (&c.old_id, &c.new_id)
                && let Some(key) = old_key_of.get(old_id.as_str())
            {
                inherited.insert(new_id.as_str(), key);
            }
        }
    }
    new.provisions
        .iter()
        .map(|p| match inherited.get(p.id.as_str()) {
            Some(k) => (*k).to_string(),
            None => fresh_key(document, new_content_hash, &p.id),
        })
        .collect()
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
