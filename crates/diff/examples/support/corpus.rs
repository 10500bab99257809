//! Shared by the corpus examples: reading `versions.tsv` and showing a change.

use cw_model::ProvisionChange;
use std::path::Path;

/// One row of `versions.tsv`.
pub(crate) struct Row {
    pub(crate) doc_id: String,
    pub(crate) version_no: u32,
    pub(crate) date: String,
    pub(crate) kind: String,
    pub(crate) file: String,
    pub(crate) service: String,
}

/// The rows of `dir/versions.tsv`, by document then date.
pub(crate) fn read_rows(dir: &Path) -> Result<Vec<Row>, String> {
    let path = dir.join("versions.tsv");
    let tsv = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = tsv.lines();
    let header: std::collections::HashMap<&str, usize> = lines
        .next()
        .unwrap_or_default()
        .split('\t')
        .enumerate()
        .map(|(k, name)| (name, k))
        .collect();
    let mut cols = [0usize; 6];
    for (slot, name) in cols.iter_mut().zip([
        "doc_id",
        "version_no",
        "version_date",
        "kind",
        "version_file",
        "service",
    ]) {
        *slot = *header.get(name).ok_or(format!("no column {name}"))?;
    }
    let mut rows: Vec<Row> = lines
        .filter(|l| !l.is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let get = |k: usize| f.get(cols[k]).copied().unwrap_or_default().to_string();
            Row {
                doc_id: get(0),
                version_no: get(1).parse().unwrap_or(0),
                date: get(2),
                kind: get(3),
                file: get(4),
                service: get(5),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.doc_id.cmp(&b.doc_id).then(a.date.cmp(&b.date)));
    Ok(rows)
}

/// The corpus folder: the first command-line argument, else `sub` under
/// `../shared/corpus` beside the workspace.
pub(crate) fn root_arg(sub: &str) -> std::path::PathBuf {
    match std::env::args_os().nth(1) {
        Some(arg) => arg.into(),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpus")
            .join(sub),
    }
}

/// The first 200 characters of a text.
pub(crate) fn clip(t: Option<&str>) -> String {
    t.map(|t| t.chars().take(200).collect::<String>())
        .unwrap_or_default()
}

/// One line per change: where, kind, reasons, then old and new text.
pub(crate) fn show(label: &str, c: &ProvisionChange) -> String {
    format!(
        "[{label}] {} {:?}\n    old: {:?}\n    new: {:?}",
        c.kind.as_str(),
        c.reasons,
        clip(c.old_text.as_deref()),
        clip(c.new_text.as_deref())
    )
}
