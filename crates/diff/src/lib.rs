//! Provision-level diff of two extracted documents.
#![deny(missing_docs)]

use cw_model::{ChangeSet, ExtractedDocument};

/// Compares two documents provision by provision.
pub fn diff(_old: &ExtractedDocument, _new: &ExtractedDocument) -> ChangeSet {
    unimplemented!()
}
