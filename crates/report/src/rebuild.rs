//! The rebuild check of `verify`: every snapshot is re-extracted with the
//! current extractor and must give the content its version records
//! ([`cw_store::content_hash`]). When the version was recorded by another
//! extractor version, a difference is expected and reported as a note (run
//! `clausewatch reextract`), never silently passed and never as tampering.

use crate::error::ReportError;
use cw_extract::ExtractOptions;
use cw_store::{Problem, Store, StoreError};
use serde::Serialize;

/// A version recorded by another extractor than the current one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RebuildNote {
    /// `platform/document@N`.
    pub version: String,
    /// The extractor recorded for the version.
    pub recorded_extractor: String,
    /// Whether the current extractor still gives the recorded content.
    pub same_content: bool,
    /// A sentence for people.
    pub detail: String,
}

/// What the rebuild check found.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct RebuildReport {
    /// Versions looked at.
    pub versions: u64,
    /// Snapshots re-extracted.
    pub snapshots_rebuilt: u64,
    /// Snapshots skipped because their blob is missing or corrupt (reported by the blob check).
    pub snapshots_unreadable: u64,
    /// The current extractor.
    pub current_extractor: String,
    /// Versions recorded by another extractor.
    pub notes: Vec<RebuildNote>,
    /// Snapshots that do not rebuild to their version under the same extractor.
    pub problems: Vec<Problem>,
}

/// Re-extracts every snapshot of every document and compares.
pub async fn rebuild_check(store: &Store) -> Result<RebuildReport, ReportError> {
    let current = cw_model::EXTRACTOR_VERSION;
    let mut report = RebuildReport {
        current_extractor: current.to_string(),
        ..RebuildReport::default()
    };
    let options = ExtractOptions::default();
    for doc in store.documents().await? {
        let key = &doc.key;
        let snapshots = store.snapshots(key).await?;
        for version in store.versions(key).await? {
            report.versions += 1;
            let name = format!("{key}@{}", version.number);
            let same_extractor = version.extractor_version == current;
            let mut differs = false;
            for s in snapshots
                .iter()
                .filter(|s| s.version_number == version.number)
            {
                let bytes = match store.archive().get(&s.blob) {
                    Ok(b) => b,
                    Err(StoreError::NotFound { .. } | StoreError::Corrupt { .. }) => {
                        report.snapshots_unreadable += 1;
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                };
                report.snapshots_rebuilt += 1;
                let outcome = cw_extract::extract(&bytes, &options)
                    .map(|d| cw_store::content_hash(&d) == version.content_hash);
                match outcome {
                    Ok(true) => {}
                    Ok(false) if same_extractor => report.problems.push(Problem::new(
                        "rebuild_mismatch",
                        name.clone(),
                        format!(
                            "snapshot {} no longer extracts to {name} with the extractor recorded for it ({current}): the stored provisions do not match the archived bytes",
                            s.blob
                        ),
                    )),
                    Err(e) if same_extractor => report.problems.push(Problem::new(
                        "rebuild_failed",
                        name.clone(),
                        format!("snapshot {} cannot be extracted any more: {e}", s.blob),
                    )),
                    Ok(false) | Err(_) => differs = true,
                }
            }
            if !same_extractor {
                report.notes.push(RebuildNote {
                    version: name.clone(),
                    recorded_extractor: version.extractor_version.clone(),
                    same_content: !differs,
                    detail: if differs {
                        format!(
                            "{name} was recorded by {} and the current extractor {current} reads its snapshot differently; not a change of the terms (run `clausewatch reextract` to upgrade)",
                            version.extractor_version
                        )
                    } else {
                        format!(
                            "{name} was recorded by {}; the current extractor {current} gives the same content",
                            version.extractor_version
                        )
                    },
                });
            }
        }
    }
    Ok(report)
}
