//! Open Terms Archive versions repositories: one commit per recorded
//! version of `<Service>/<Terms type>.md`, read with gix (no shelling out,
//! no worktree: a bare clone is enough).
//!
//! Each commit is compared with its first parent tree by tree, descending
//! only into subtrees whose id changed, so a history of thousands of
//! commits over thousands of files costs the changed paths, not a full
//! listing per commit. A file added or modified by a commit is one item;
//! a file deleted is not a version (the archive stopped tracking it).

use crate::{BackfillError, Content, Item, ItemKind, is_upgrade_subject};
use chrono::{DateTime, Utc};
use gix::ObjectId;
use regex::Regex;
use std::path::Path;
use std::sync::LazyLock;

/// A full commit id in a message (Open Terms Archive names the snapshot
/// commit(s) a version was extracted from, as links ending in the id).
static COMMIT_ID: LazyLock<Regex> = LazyLock::new(|| crate::dates::re(r"\b[0-9a-f]{40}\b"));

fn open(path: &Path) -> Result<gix::Repository, BackfillError> {
    gix::open(path).map_err(|e| BackfillError::git(format!("open {}", path.display()), e))
}

/// The name a repository goes by in provenance: its `origin` remote's
/// path (`OpenTermsArchive/demo-versions`) when configured, else the
/// canonical folder path.
fn archive_name(repo: &gix::Repository, path: &Path) -> Result<String, BackfillError> {
    let from_remote = repo
        .config_snapshot()
        .string("remote.origin.url")
        .map(|u| u.to_string())
        .and_then(|url| {
            let trimmed = url.trim_end_matches('/').trim_end_matches(".git");
            let mut parts = trimmed.rsplit(['/', ':']);
            let name = parts.next()?;
            let owner = parts.next()?;
            (!owner.is_empty() && !name.is_empty()).then(|| format!("{owner}/{name}"))
        });
    match from_remote {
        Some(name) => Ok(name),
        None => Ok(path
            .canonicalize()
            .map_err(|e| BackfillError::io(path, e))?
            .to_string_lossy()
            .into_owned()),
    }
}

/// One entry of a tree: name, id, whether it is a subtree.
type Entry = (String, ObjectId, bool);

fn tree_entries(repo: &gix::Repository, id: ObjectId) -> Result<Vec<Entry>, BackfillError> {
    let tree = repo
        .find_tree(id)
        .map_err(|e| BackfillError::git(format!("tree {id}"), e))?;
    let mut out = Vec::new();
    for entry in tree.iter() {
        let entry = entry.map_err(|e| BackfillError::git(format!("tree {id}"), e))?;
        let mode = entry.mode();
        if mode.is_commit() {
            continue; // a submodule: not part of this history
        }
        out.push((
            entry.filename().to_string(),
            entry.object_id(),
            mode.is_tree(),
        ));
    }
    Ok(out)
}

/// Files added or modified between two trees (`old = None`: every file),
/// as `(path, blob id)`.
fn changed_files(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: ObjectId,
    prefix: &str,
    out: &mut Vec<(String, ObjectId)>,
) -> Result<(), BackfillError> {
    let before = match old {
        Some(id) => tree_entries(repo, id)?,
        None => Vec::new(),
    };
    for (name, id, is_tree) in tree_entries(repo, new)? {
        let previous = before.iter().find(|(n, _, t)| *n == name && *t == is_tree);
        if previous.is_some_and(|(_, old_id, _)| *old_id == id) {
            continue;
        }
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if is_tree {
            changed_files(repo, previous.map(|(_, i, _)| *i), id, &path, out)?;
        } else {
            out.push((path, id));
        }
    }
    Ok(())
}

/// A commit in capture order.
struct CommitInfo {
    id: ObjectId,
    time: DateTime<Utc>,
    tree: ObjectId,
    parent_tree: Option<ObjectId>,
    message: String,
}

fn commits(repo: &gix::Repository) -> Result<Vec<CommitInfo>, BackfillError> {
    let head = repo
        .head_id()
        .map_err(|e| BackfillError::git("HEAD", e))?
        .detach();
    let walk = repo
        .rev_walk([head])
        .all()
        .map_err(|e| BackfillError::git("history walk", e))?;
    let mut out = Vec::new();
    for info in walk {
        let info = info.map_err(|e| BackfillError::git("history walk", e))?;
        let commit = info
            .object()
            .map_err(|e| BackfillError::git(format!("commit {}", info.id), e))?;
        let seconds = commit
            .time()
            .map_err(|e| BackfillError::git(format!("commit {} time", info.id), e))?
            .seconds;
        let time = DateTime::from_timestamp(seconds, 0).ok_or_else(|| BackfillError::Layout {
            path: Path::new(".").to_path_buf(),
            reason: format!("commit {}: time {seconds} out of range", info.id),
        })?;
        let tree = commit
            .tree_id()
            .map_err(|e| BackfillError::git(format!("commit {} tree", info.id), e))?
            .detach();
        let parent_tree = match commit.parent_ids().next() {
            Some(parent) => Some(
                repo.find_commit(parent.detach())
                    .and_then(|p| p.tree_id().map(gix::Id::detach))
                    .map_err(|e| BackfillError::git(format!("parent of {}", info.id), e))?,
            ),
            None => None,
        };
        let message = commit
            .message_raw()
            .map_err(|e| BackfillError::git(format!("commit {} message", info.id), e))?
            .to_string();
        out.push(CommitInfo {
            id: info.id,
            time,
            tree,
            parent_tree,
            message,
        });
    }
    // Oldest first; the walk's order breaks ties (reversed: parents first).
    out.reverse();
    out.sort_by_key(|c| c.time);
    Ok(out)
}

/// `<Service>/<Terms type>.md` → (service, terms type).
fn document_of(path: &str) -> Option<(String, String)> {
    let (service, file) = path.split_once('/')?;
    let terms_type = file.strip_suffix(".md")?;
    (!service.is_empty() && !terms_type.is_empty() && !terms_type.contains('/'))
        .then(|| (service.to_string(), terms_type.to_string()))
}

/// The raw page(s) a snapshot commit recorded for one document: files
/// whose name is the terms type, alone (`Terms of Service.html`) or with a
/// source suffix (`Terms of Service #eu-terms.html`).
fn snapshot_pages(
    repo: &gix::Repository,
    commit: ObjectId,
    service: &str,
    terms_type: &str,
) -> Result<Vec<(String, ObjectId)>, BackfillError> {
    let c = repo
        .find_commit(commit)
        .map_err(|e| BackfillError::git(format!("snapshot commit {commit}"), e))?;
    let tree = c
        .tree_id()
        .map_err(|e| BackfillError::git(format!("snapshot commit {commit}"), e))?
        .detach();
    let mut files = Vec::new();
    let Some((_, dir, true)) = tree_entries(repo, tree)?
        .into_iter()
        .find(|(n, _, is_tree)| n == service && *is_tree)
    else {
        return Ok(files);
    };
    for (name, id, is_tree) in tree_entries(repo, dir)? {
        let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
        let matches = stem == terms_type
            || stem
                .strip_prefix(terms_type)
                .is_some_and(|rest| rest.starts_with(" #"));
        if !is_tree && matches {
            files.push((format!("{service}/{name}"), id));
        }
    }
    Ok(files)
}

/// Every item of a versions repository (and the repositories, for reading).
pub(crate) fn read(
    path: &Path,
    snapshots: Option<&Path>,
) -> Result<(Vec<Item>, gix::Repository, Option<gix::Repository>), BackfillError> {
    let repo = open(path)?;
    let archive = archive_name(&repo, path)?;
    let snapshots = snapshots.map(open).transpose()?;
    let mut items = Vec::new();
    for commit in commits(&repo)? {
        let mut changed = Vec::new();
        changed_files(&repo, commit.parent_tree, commit.tree, "", &mut changed)?;
        let subject = commit.message.lines().next().unwrap_or("").to_string();
        let kind = if is_upgrade_subject(&subject) {
            ItemKind::Upgrade
        } else {
            ItemKind::Record
        };
        let named: Vec<&str> = COMMIT_ID
            .find_iter(&commit.message)
            .map(|m| m.as_str())
            .collect();
        for (file, blob) in changed {
            let Some((service, terms_type)) = document_of(&file) else {
                continue; // README, licence, declarations: not a version
            };
            let mut refs = Vec::new();
            let mut raw = None;
            if let Some(snap) = &snapshots {
                for id in &named {
                    let Ok(oid) = ObjectId::from_hex(id.as_bytes()) else {
                        continue;
                    };
                    for (page, page_blob) in snapshot_pages(snap, oid, &service, &terms_type)? {
                        refs.push(format!("{id}:{page}"));
                        raw.get_or_insert(Content::SnapshotBlob(page_blob));
                    }
                }
            } else {
                refs.extend(named.iter().map(|id| (*id).to_string()));
            }
            items.push(Item {
                service,
                terms_type,
                captured_at: commit.time,
                kind,
                archive: archive.clone(),
                item: format!("{}:{file}", commit.id),
                commit: Some(commit.id.to_string()),
                path: file,
                snapshot_refs: refs,
                content: Content::Blob(blob),
                raw,
            });
        }
    }
    Ok((items, repo, snapshots))
}

/// A blob's bytes.
pub(crate) fn blob(repo: Option<&gix::Repository>, id: ObjectId) -> Result<Vec<u8>, BackfillError> {
    let repo = repo.ok_or_else(|| BackfillError::Layout {
        path: Path::new(".").to_path_buf(),
        reason: format!("blob {id}: no repository open"),
    })?;
    let mut blob = repo
        .find_blob(id)
        .map_err(|e| BackfillError::git(format!("blob {id}"), e))?;
    Ok(blob.take_data())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_of_paths() {
        assert_eq!(
            document_of("ChatGPT/Terms of Service.md"),
            Some(("ChatGPT".into(), "Terms of Service".into()))
        );
        assert_eq!(document_of("README.md"), None);
        assert_eq!(document_of("a/b/c.md"), None);
        assert_eq!(document_of("ChatGPT/notes.txt"), None);
    }
}
