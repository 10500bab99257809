//! Shared by the `findings` example and the hand-checked findings test: the
//! findings of the newest version of one OTA document, computed as the
//! product computes them (cw-extract, `label_document`, `check_document`).

use cw_analyze::{DocType, Finding, check_document, label_document};
use std::path::Path;

// The corpus sample and its folder walks (the integration tests use it
// through here: a file is loaded as one module only); the `findings`
// example uses only the listing of versions.
#[allow(dead_code)]
#[path = "sample.rs"]
pub(crate) mod sample;

/// `(version file name, [(finding, "heading > path | provision text" or "")])` for
/// `version` (a file name; the newest when `None`) of `doc`
/// (`collection/Service/Terms_Type`) under `ota` or `ota-wide` of `root`;
/// `None` when it cannot be read.
pub(crate) fn run(
    root: &Path,
    doc: &str,
    version: Option<&str>,
) -> Option<(String, Vec<(Finding, String)>)> {
    let dir = ["ota", "ota-wide"]
        .iter()
        .map(|c| root.join(c).join(doc).join("versions"))
        .find(|d| d.is_dir())?;
    let mut files = sample::version_files(&dir);
    let newest = match version {
        Some(v) => dir.join(v),
        None => files.pop()?,
    };
    let bytes = std::fs::read(&newest).ok()?;
    let extracted = cw_extract::extract(&bytes, &cw_extract::ExtractOptions::default()).ok()?;
    let terms_type = doc.rsplit('/').next().unwrap_or("");
    let doc_type = DocType::guess(terms_type);
    // CW_DUMP_PROVISIONS=1 lists the extracted provisions on stderr (for judging).
    #[allow(clippy::print_stderr)]
    if std::env::var_os("CW_DUMP_PROVISIONS").is_some() {
        for p in &extracted.provisions {
            let head: String = p.text.chars().take(100).collect();
            eprintln!("{}\t{:?}\t{}", p.id, p.kind, head);
        }
    }
    let labels = label_document(&extracted, doc_type);
    let findings = check_document(&extracted, &labels, doc_type);
    let name = newest.file_name()?.to_string_lossy().into_owned();
    Some((
        name,
        findings
            .into_iter()
            .map(|f| {
                let text = f
                    .provision_id
                    .as_ref()
                    .and_then(|id| extracted.provisions.iter().find(|p| &p.id == id))
                    .map(|p| format!("{} | {}", p.heading_path.join(" > "), p.text))
                    .unwrap_or_default();
                (f, text)
            })
            .collect(),
    ))
}
