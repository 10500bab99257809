//! `clausewatch diff OLD NEW`: provision-level comparison of files or stored versions.

use crate::args::Format;
use crate::{input, output};
use cw_model::{DocumentKey, ExtractedDocument, VersionRef};
use std::path::Path;
use std::process::ExitCode;

pub(crate) async fn run(
    home: &Path,
    old: &str,
    new: &str,
    format: Format,
    all: bool,
) -> anyhow::Result<ExitCode> {
    let (old_doc, old_ref) = load(home, old).await?;
    let (new_doc, new_ref) = load(home, new).await?;
    // Two stored versions whose pair has a change record: that record, the
    // one `timeline`, `history`, the web UI and alerts read; else diff now.
    let stored = match (&old_ref, &new_ref) {
        (Some((o_key, o)), Some((n_key, n))) if o_key == n_key => {
            let engine = super::open_existing(home).await?;
            engine.store().stored_change_between(n_key, *o, *n).await?
        }
        _ => None,
    };
    let changes = match stored {
        Some(cs) => cs,
        None => cw_diff::diff(&old_doc, &new_doc),
    };
    // `--all`: unchanged provisions in place too (JSON always has every provision).
    let options = if all {
        cw_diff::RenderOptions::all()
    } else {
        cw_diff::RenderOptions::default()
    };
    // Label changes of modified/moved provisions (issue #5), computed outside cw-diff.
    let deltas =
        super::analyze::diff_label_changes(home, old, new, &old_doc, &new_doc, &changes).await?;
    match format {
        Format::Json => output::json(&super::analyze::diff_json(&changes, &deltas)?)?,
        Format::Html => output::text(&cw_diff::render_html_with(&changes, &options))?,
        Format::Text | Format::Markdown => output::text(&format!(
            "{}{}",
            cw_diff::render_text_with(&changes, &options),
            super::analyze::diff_text(&changes, &deltas)
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `clausewatch diff PLATFORM/DOCUMENT`: the document's latest change, the
/// version before the latest against the latest.
pub(crate) async fn latest(
    home: &Path,
    document: &str,
    format: Format,
    all: bool,
) -> anyhow::Result<ExitCode> {
    let key: cw_model::DocumentKey = document.parse().map_err(|e| {
        anyhow::anyhow!(
            "{document:?}: with one argument, diff takes a stored PLATFORM/DOCUMENT: {e}"
        )
    })?;
    let engine = super::open_existing(home).await?;
    let versions = engine.store().versions(&key).await?;
    let [.., before, last] = versions.as_slice() else {
        anyhow::bail!(
            "{key} has {} version(s): nothing to compare yet",
            versions.len()
        );
    };
    drop(engine);
    let (old, new) = (
        format!("{key}@{}", before.number),
        format!("{key}@{}", last.number),
    );
    run(home, &old, &new, format, all).await
}

/// A stored side of a diff: its document and version number.
type StoredSide = Option<(DocumentKey, u32)>;

/// A side of a diff is a file when such a file exists, else a stored
/// version (then also returned as document and number).
async fn load(home: &Path, spec: &str) -> anyhow::Result<(ExtractedDocument, StoredSide)> {
    let path = Path::new(spec);
    if path.exists() {
        let options = cw_extract::ExtractOptions::default();
        let bytes = input::read_file(path, options.max_bytes)?;
        let doc = cw_extract::extract(&bytes, &options)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        return Ok((doc, None));
    }
    let r: VersionRef = spec
        .parse()
        .map_err(|e| anyhow::anyhow!("{spec:?} is neither a file nor a stored version: {e}"))?;
    let engine = super::open_existing(home).await?;
    let stored = engine.store().version(&r).await?;
    let side = Some((r.document, stored.row.number));
    Ok((stored.document, side))
}
