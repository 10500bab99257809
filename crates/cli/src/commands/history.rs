//! `timeline DOC` and `history DOC PROVISION`: a document's and a provision's story across versions.

use crate::args::Format;
use crate::output;
use anyhow::Context;
use cw_engine::Engine;
use cw_model::{ChangeKind, DocumentKey, Significance, VersionRef, VersionSelector};
use serde::Serialize;
use std::fmt::Write as _;
use std::process::ExitCode;

#[derive(Debug, Serialize)]
struct TimelineEntry {
    version: u32,
    /// The earlier version whose text this one brings back (a revert).
    #[serde(skip_serializing_if = "Option::is_none")]
    restores: Option<u32>,
    observed_at: chrono::DateTime<chrono::Utc>,
    effective_date: Option<chrono::NaiveDate>,
    title: Option<String>,
    provisions: usize,
    summary: Option<cw_model::DiffSummary>,
    summary_text: Option<String>,
    /// Substantive changes first, then the rest that changed.
    changes: Vec<TimelineChange>,
    /// Whether the change record was recomputed by a technical upgrade (not alerted).
    change_recomputed_by_upgrade: bool,
    /// Re-extractions of this version by a newer extractor: not changes of the terms.
    technical_upgrades: Vec<TimelineUpgrade>,
    /// How the change relates to the stated date (`silent_change`, …; issue #23).
    announcement: Option<cw_engine::Announcement>,
    /// Where imported observations of this version came from (`import-history`).
    provenance: Vec<cw_store::StoredHistoryItem>,
}

/// A technical upgrade of one version, as the timeline shows it.
#[derive(Debug, Serialize)]
struct TimelineUpgrade {
    technical_upgrade: bool,
    recorded_at: chrono::DateTime<chrono::Utc>,
    old_extractor_version: String,
    new_extractor_version: String,
    summary: cw_model::DiffSummary,
}

#[derive(Debug, Serialize)]
struct TimelineChange {
    kind: ChangeKind,
    significance: Significance,
    heading_path: Vec<String>,
    text: String,
    reasons: Vec<String>,
}

pub(crate) async fn timeline(
    engine: &Engine,
    document: &str,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let key: DocumentKey = document.parse()?;
    known_document(engine, &key).await?;
    let store = engine.store();
    store
        .document(&key)
        .await?
        .with_context(|| format!("no document {key} in this home"))?;
    let upgrades = store.technical_upgrades(&key).await?;
    let recomputed = store.changes_recomputed_by_upgrades(&key).await?;
    let versions = store.versions(&key).await?;
    let mut notes =
        cw_store::announce::notes_by_version(&key, &versions, store.history_items(&key).await?);
    let mut entries = Vec::new();
    for v in versions {
        let notes = notes.remove(&v.number).unwrap_or_default();
        let change = store.change(&key, v.number).await?;
        let (summary, summary_text, mut changes) = match change {
            Some(stored) => {
                let cs = stored.change_set;
                let changes: Vec<TimelineChange> = cs
                    .changes
                    .iter()
                    .filter(|c| c.kind != ChangeKind::Unchanged)
                    .map(|c| TimelineChange {
                        kind: c.kind,
                        significance: c.significance,
                        heading_path: c.heading_path.clone(),
                        text: c
                            .new_text
                            .clone()
                            .or_else(|| c.old_text.clone())
                            .unwrap_or_default(),
                        reasons: c.reasons.clone(),
                    })
                    .collect();
                (Some(cs.summary), Some(cs.summary_text), changes)
            }
            None => (None, None, Vec::new()),
        };
        changes.sort_by_key(|c| std::cmp::Reverse(c.significance));
        entries.push(TimelineEntry {
            version: v.number,
            restores: v.restores,
            observed_at: v.observed_at,
            effective_date: v.effective_date,
            title: v.title.clone(),
            provisions: v.provision_count,
            summary,
            summary_text,
            changes,
            change_recomputed_by_upgrade: recomputed.contains(&v.number),
            technical_upgrades: upgrades
                .iter()
                .filter(|u| u.version == v.number)
                .map(|u| TimelineUpgrade {
                    technical_upgrade: true,
                    recorded_at: u.recorded_at,
                    old_extractor_version: u.old_extractor_version.clone(),
                    new_extractor_version: u.new_extractor_version.clone(),
                    summary: u.summary,
                })
                .collect(),
            announcement: notes.announcement,
            provenance: notes.imported,
        });
    }
    if format == Format::Json {
        output::json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = format!("{key}: {} version(s)\n", entries.len());
    for e in &entries {
        let _ = write!(out, "\n@{} {}", e.version, e.observed_at.format("%Y-%m-%d"));
        if let Some(d) = e.effective_date {
            let _ = write!(out, " (effective {d})");
        }
        if let Some(n) = e.restores {
            let _ = write!(out, " restores @{n}");
        }
        match &e.summary {
            None => {
                let _ = writeln!(out, ": first version, {} provisions", e.provisions);
            }
            Some(s) => {
                let _ = writeln!(
                    out,
                    ": {} substantive; {} added, {} removed, {} modified, {} moved",
                    s.substantive, s.added, s.removed, s.modified, s.moved
                );
                if let Some(t) = &e.summary_text {
                    let _ = writeln!(out, "  {t}");
                }
                if let Some(a) = e.announcement.filter(|a| a.is_flagged()) {
                    let _ = writeln!(out, "  ! {}", a.describe());
                }
                if e.change_recomputed_by_upgrade {
                    let _ = writeln!(
                        out,
                        "  (recomputed after a technical upgrade, from the current extractions)"
                    );
                }
                for c in e
                    .changes
                    .iter()
                    .filter(|c| c.significance == Significance::Substantive)
                    .take(10)
                {
                    let _ = writeln!(
                        out,
                        "  [{}] {}: {}{}",
                        c.kind.as_str(),
                        c.heading_path.last().map(String::as_str).unwrap_or("(top)"),
                        shorten(&c.text, 100),
                        if c.reasons.is_empty() {
                            String::new()
                        } else {
                            format!(" — {}", c.reasons.join("; "))
                        }
                    );
                }
            }
        }
        for i in &e.provenance {
            let _ = writeln!(
                out,
                "  < {} {} {} {}{}",
                i.provenance.archive,
                i.provenance.commit.as_deref().unwrap_or(&i.provenance.path),
                i.provenance.captured_at.format("%Y-%m-%dT%H:%M:%SZ"),
                serde_json::to_value(i.kind)
                    .ok()
                    .and_then(|k| k.as_str().map(String::from))
                    .unwrap_or_default(),
                i.provenance
                    .snapshot_refs
                    .as_deref()
                    .map(|r| format!(" (raw page {r})"))
                    .unwrap_or_default()
            );
        }
        for u in &e.technical_upgrades {
            let s = &u.summary;
            let _ = writeln!(
                out,
                "  ~ technical upgrade {}: re-extracted {} → {} ({} added, {} removed, {} modified, {} moved); not a change of the terms",
                u.recorded_at.format("%Y-%m-%d"),
                u.old_extractor_version,
                u.new_extractor_version,
                s.added,
                s.removed,
                s.modified,
                s.moved
            );
        }
    }
    output::text(&out)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn history(
    engine: &Engine,
    document: &str,
    provision: &str,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let key: DocumentKey = document.parse()?;
    known_document(engine, &key).await?;
    let store = engine.store();
    let lineage = if provision.starts_with('L') && !provision.contains('/') {
        provision.to_string()
    } else {
        // A provision id, looked up in the latest version.
        let latest = store
            .version(&VersionRef {
                document: key.clone(),
                selector: VersionSelector::Latest,
            })
            .await?;
        let pos = latest
            .document
            .provisions
            .iter()
            .position(|p| p.id == provision)
            .with_context(|| {
                let ids = latest.document.provisions.iter().map(|p| p.id.as_str());
                format!(
                    "no provision {provision:?} in the latest version of {key}{}",
                    crate::suggest::hint(provision, ids)
                )
            })?;
        latest
            .lineage_keys
            .get(pos)
            .cloned()
            .context("version has no lineage keys")?
    };
    // "Changed" and its significance come from each version's stored
    // change record, the one `diff`, `timeline`, the web UI and alerts read.
    let rows = store.provision_history(&key, &lineage).await?;
    let changed: Vec<bool> = rows
        .iter()
        .enumerate()
        .map(|(i, e)| e.changed(i.checked_sub(1).and_then(|p| rows.get(p))))
        .collect();
    if format == Format::Json {
        let items: Vec<_> = rows
            .iter()
            .zip(&changed)
            .map(|(e, &changed)| {
                let v = &e.version;
                serde_json::json!({
                    "version": v.number, "observed_at": v.observed_at,
                    "effective_date": v.effective_date, "provision": e.provision,
                    "changed": changed,
                    "significance": e.change.as_ref().filter(|_| changed).map(|c| c.significance),
                    "reasons": e.change.as_ref().filter(|_| changed).map(|c| &c.reasons),
                })
            })
            .collect();
        output::json(
            &serde_json::json!({"document": key.to_string(), "lineage_key": lineage, "history": items}),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = format!(
        "{key} provision lineage {lineage}: {} version(s)\n",
        rows.len()
    );
    for (i, (e, &changed)) in rows.iter().zip(&changed).enumerate() {
        let note = match &e.change {
            _ if i == 0 => String::new(),
            Some(c) if changed => {
                let reasons = if c.reasons.is_empty() {
                    String::new()
                } else {
                    format!(": {}", c.reasons.join("; "))
                };
                format!("({} {}{reasons})", c.significance.as_str(), c.kind.as_str())
            }
            None if changed => "(changed)".to_string(),
            _ => "(unchanged)".to_string(),
        };
        let _ = writeln!(
            out,
            "\n@{} {} [{}] {note}",
            e.version.number,
            e.version.observed_at.format("%Y-%m-%d"),
            e.provision.id,
        );
        if i == 0 || changed {
            let _ = writeln!(out, "  {}", e.provision.text);
        }
    }
    output::text(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

/// Fails with "did you mean" when `key` is not a stored document.
pub(crate) async fn known_document(engine: &Engine, key: &DocumentKey) -> anyhow::Result<()> {
    if engine.store().document(key).await?.is_some() {
        return Ok(());
    }
    let all: Vec<String> = engine
        .store()
        .documents()
        .await?
        .iter()
        .map(|d| d.key.to_string())
        .collect();
    anyhow::bail!(
        "no document {key}{}",
        crate::suggest::hint(&key.to_string(), all.iter().map(String::as_str))
    )
}
