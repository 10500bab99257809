//! Sources that are folders: the corpus layout (`versions.tsv`), an Open
//! Terms Archive dataset, and a folder of dated copies.

use crate::dates::{date_in_name, parse_column};
use crate::{BackfillError, Content, Item, ItemKind};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The name an archive of files goes by: the folder's canonical path.
fn archive_name(root: &Path) -> Result<String, BackfillError> {
    let canonical = root
        .canonicalize()
        .map_err(|e| BackfillError::io(root, e))?;
    Ok(canonical.to_string_lossy().into_owned())
}

fn entries(dir: &Path) -> Result<Vec<PathBuf>, BackfillError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| BackfillError::io(dir, e))? {
        let entry = entry.map_err(|e| BackfillError::io(dir, e))?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        out.push(entry.path());
    }
    out.sort();
    Ok(out)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn relative(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .into_owned()
}

/// A copy read from a file of a folder archive; `rel` names it in the archive.
fn file_item(
    service: &str,
    terms_type: &str,
    captured_at: chrono::DateTime<chrono::Utc>,
    archive: &str,
    rel: String,
    path: PathBuf,
) -> Item {
    Item {
        service: service.to_string(),
        terms_type: terms_type.to_string(),
        captured_at,
        kind: ItemKind::Record,
        archive: archive.to_string(),
        item: rel.clone(),
        commit: None,
        path: rel,
        snapshot_refs: Vec::new(),
        content: Content::File(path),
        raw: None,
    }
}

/// True when files directly inside `dir` carry dates in their names.
pub(crate) fn has_dated_files(dir: &Path) -> Result<bool, BackfillError> {
    Ok(entries(dir)?
        .iter()
        .any(|p| p.is_file() && date_in_name(&file_name(p)).is_some()))
}

/// A gzip file's decompressed bytes.
pub(crate) fn read_gz(path: &Path) -> Result<Vec<u8>, BackfillError> {
    let file = std::fs::File::open(path).map_err(|e| BackfillError::io(path, e))?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut out)
        .map_err(|e| BackfillError::io(path, e))?;
    Ok(out)
}

/// One document's copies in one folder: each file dated by its name; the
/// folder names the terms type and its parent the service. Files without a
/// date in their name are an error (nothing is skipped silently).
pub(crate) fn read_dated_folder(root: &Path) -> Result<Vec<Item>, BackfillError> {
    let archive = archive_name(root)?;
    let canonical = PathBuf::from(&archive);
    let terms_type = file_name(&canonical);
    let service = canonical.parent().map(file_name).unwrap_or_default();
    let mut items = Vec::new();
    for path in entries(root)? {
        if !path.is_file() {
            continue;
        }
        let name = file_name(&path);
        let captured_at = date_in_name(&name).ok_or_else(|| {
            BackfillError::layout(&path, "no date in the file name (YYYY-MM-DD or YYYYMMDD)")
        })?;
        items.push(file_item(
            &service,
            &terms_type,
            captured_at,
            &archive,
            name,
            path,
        ));
    }
    Ok(items)
}

/// An Open Terms Archive dataset: `<Service>/<Terms type>/<ISO date>.md`.
/// Any other file at the third level is an error, files elsewhere (a
/// README, a licence) are not versions and are left alone.
pub(crate) fn read_dataset(root: &Path) -> Result<Vec<Item>, BackfillError> {
    let archive = archive_name(root)?;
    let mut items = Vec::new();
    for service_dir in entries(root)?.into_iter().filter(|p| p.is_dir()) {
        let service = file_name(&service_dir);
        for type_dir in entries(&service_dir)?.into_iter().filter(|p| p.is_dir()) {
            let terms_type = file_name(&type_dir);
            for path in entries(&type_dir)?.into_iter().filter(|p| p.is_file()) {
                let captured_at = date_in_name(&file_name(&path)).ok_or_else(|| {
                    BackfillError::layout(&path, "a dataset file must be named by its ISO date")
                })?;
                let rel = relative(root, &path);
                items.push(file_item(
                    &service,
                    &terms_type,
                    captured_at,
                    &archive,
                    rel,
                    path,
                ));
            }
        }
    }
    if items.is_empty() {
        return Err(BackfillError::layout(
            root,
            "no <Service>/<Terms type>/<date> files: not a dataset, a corpus (versions.tsv), a git repository or a folder of dated copies",
        ));
    }
    Ok(items)
}

fn split_refs(s: &str) -> Vec<String> {
    s.split(" | ")
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

/// The corpus layout: one row of `versions.tsv` per version, files beside it.
pub(crate) fn read_corpus(root: &Path) -> Result<Vec<Item>, BackfillError> {
    let index = root.join("versions.tsv");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quoting(false)
        .flexible(true)
        .from_path(&index)
        .map_err(|e| BackfillError::layout(&index, e.to_string()))?;
    let headers = reader
        .headers()
        .map_err(|e| BackfillError::layout(&index, e.to_string()))?
        .clone();
    let col: HashMap<&str, usize> = headers.iter().enumerate().map(|(i, h)| (h, i)).collect();
    let needed = [
        "service",
        "terms_type",
        "version_date",
        "kind",
        "version_file",
        "versions_repo",
        "versions_commit",
        "source_path",
    ];
    if let Some(missing) = needed.iter().find(|c| !col.contains_key(**c)) {
        return Err(BackfillError::layout(
            &index,
            format!("no column {missing}"),
        ));
    }
    let mut items = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| BackfillError::layout(&index, e.to_string()))?;
        let get = |c: &str| col.get(c).and_then(|i| record.get(*i)).unwrap_or("");
        let row = || format!("row {}", n + 2);
        let captured_at = parse_column(get("version_date")).ok_or_else(|| {
            BackfillError::layout(
                &index,
                format!("{}: bad version_date {:?}", row(), get("version_date")),
            )
        })?;
        let kind = match get("kind") {
            "upgrade" => ItemKind::Upgrade,
            "first" | "change" => ItemKind::Record,
            other => {
                return Err(BackfillError::layout(
                    &index,
                    format!("{}: unknown kind {other:?}", row()),
                ));
            }
        };
        let file = root.join(get("version_file"));
        let raw = split_refs(get("snapshot_files"))
            .first()
            .map(|f| Content::GzFile(root.join(f)));
        let commit = get("versions_commit").to_string();
        items.push(Item {
            service: get("service").to_string(),
            terms_type: get("terms_type").to_string(),
            captured_at,
            kind,
            archive: get("versions_repo").to_string(),
            item: format!("{commit}:{}", get("source_path")),
            commit: Some(commit).filter(|c| !c.is_empty()),
            path: get("version_file").to_string(),
            snapshot_refs: split_refs(get("snapshot_refs")),
            content: Content::File(file),
            raw,
        });
    }
    Ok(items)
}
