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
    let mut entries = Vec::new();
    for v in store.versions(&key).await? {
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
    let rows = store.history(&key, &lineage).await?;
    if format == Format::Json {
        let items: Vec<_> = rows
            .iter()
            .map(|(v, p)| {
                serde_json::json!({
                    "version": v.number, "observed_at": v.observed_at,
                    "effective_date": v.effective_date, "provision": p,
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
    let mut last: Option<&str> = None;
    for (v, p) in &rows {
        let same = last == Some(p.text.as_str());
        let _ = writeln!(
            out,
            "\n@{} {} [{}] {}",
            v.number,
            v.observed_at.format("%Y-%m-%d"),
            p.id,
            if same { "(unchanged)" } else { "" }
        );
        if !same {
            let _ = writeln!(out, "  {}", p.text);
        }
        last = Some(p.text.as_str());
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
