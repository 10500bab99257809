//! `clausewatch analyze DOC[@VERSION]` / `analyze --all`: label every
//! provision (with confidence and evidence quote), read attributes, run the
//! regulatory checks and store the results. Also the label views other
//! commands reuse: labels under each provision in `show`, label changes of
//! modified provisions in `diff`.

use crate::args::Format;
use crate::output;
use anyhow::Context;
use cw_analyze::DocType;
use cw_engine::{Engine, LabelDelta, LabelView, VersionAnalysis};
use cw_model::{ChangeSet, ExtractedDocument, ProvisionKind, VersionRef};
use cw_store::StoredVersion;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

pub(crate) async fn run(
    engine: &Engine,
    document: Option<&str>,
    all: bool,
    format: Format,
) -> anyhow::Result<ExitCode> {
    if all {
        let bar = crate::progress::bar("analysing versions");
        let analyses = engine
            .analyze_all_with_progress(&mut crate::progress::hook(&bar))
            .await?;
        bar.finish_and_clear();
        if format == Format::Json {
            output::json(&analyses)?;
        } else {
            let mut out = String::new();
            for a in &analyses {
                let _ = writeln!(out, "{}", summary_line(a));
            }
            if analyses.is_empty() {
                out.push_str("no documents yet (try `clausewatch demo` or `clausewatch import`)\n");
            }
            output::text(&out)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let spec = document.context("name a document (PLATFORM/DOCUMENT[@VERSION]) or pass --all")?;
    let r: VersionRef = spec.parse()?;
    let analysis = engine.analyze(&r).await?;
    if format == Format::Json {
        output::json(&analysis)?;
    } else {
        output::text(&render(&analysis))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per analysed version.
fn summary_line(a: &VersionAnalysis) -> String {
    let labels: usize = a.label_counts.values().sum();
    let outcome = a
        .outcome
        .map(|o| format!("{o:?}").to_lowercase())
        .unwrap_or_else(|| "not stored".into());
    format!(
        "{}@{}: {} provisions, {} labelled, {} labels, {} findings ({outcome})",
        a.document,
        a.version,
        a.provision_count,
        a.provisions.iter().filter(|p| !p.labels.is_empty()).count(),
        labels,
        a.findings.len()
    )
}

/// A label with its confidence and source: `tos_unilateral_change 0.93 (rule)`.
fn label_text(l: &LabelView) -> String {
    format!("{} {:.2} ({})", l.id, l.confidence, l.source)
}

/// Readable attributes from their JSON: `modality may · notice_mode posting · jurisdictions PRC`.
pub(crate) fn attributes_text(v: &serde_json::Value) -> String {
    fn value_text(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            serde_json::Value::Array(items) => {
                let parts: Vec<String> = items.iter().filter_map(value_text).collect();
                (!parts.is_empty()).then(|| parts.join(", "))
            }
            serde_json::Value::Object(o) => match (o.get("value"), o.get("unit")) {
                (Some(value), Some(unit)) => {
                    Some(format!("{} {}", value_text(value)?, value_text(unit)?))
                }
                (Some(value), None) => value_text(value),
                _ => None,
            },
        }
    }
    let Some(obj) = v.as_object() else {
        return String::new();
    };
    obj.iter()
        .filter_map(|(k, v)| value_text(v).map(|t| format!("{k} {t}")))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The text form of one version's analysis.
fn render(a: &VersionAnalysis) -> String {
    let mut out = String::new();
    let labelled = a.provisions.iter().filter(|p| !p.labels.is_empty()).count();
    let _ = writeln!(
        out,
        "{}@{} — {} ({}; {} provisions, {} labelled)",
        a.document,
        a.version,
        a.title.as_deref().unwrap_or("(untitled)"),
        a.doc_type,
        a.provision_count,
        labelled
    );
    let outcome = match a.outcome {
        Some(cw_store::AnalysisOutcome::Recorded) => "stored",
        Some(cw_store::AnalysisOutcome::Replaced) => "stored (replaced the earlier analysis)",
        Some(cw_store::AnalysisOutcome::Unchanged) => "already stored, unchanged",
        _ => "not stored",
    };
    let _ = writeln!(
        out,
        "{outcome}; analyzer {}, model {}\n",
        a.analyzer_version, a.model_version
    );
    for p in &a.provisions {
        if p.labels.is_empty() {
            continue;
        }
        let heading = if p.heading_path.is_empty() {
            String::new()
        } else {
            format!("  [{}]", p.heading_path.join(" › "))
        };
        let _ = writeln!(out, "{}{heading}", p.provision_id);
        let _ = writeln!(out, "  {}", cw_engine::shorten(&p.text, 160));
        for l in &p.labels {
            let _ = writeln!(
                out,
                "    {:<40} {:.2} {:<5} “{}”",
                l.id,
                l.confidence,
                l.source,
                cw_engine::shorten(&l.evidence, 90)
            );
        }
        if let Some(attrs) = &p.attributes {
            let t = attributes_text(attrs);
            if !t.is_empty() {
                let _ = writeln!(out, "    attributes: {t}");
            }
        }
        out.push('\n');
    }
    if labelled == 0 {
        out.push_str("no provision carries a label\n\n");
    }
    if !a.label_counts.is_empty() {
        out.push_str("labels:\n");
        for (id, n) in &a.label_counts {
            let _ = writeln!(out, "  {id:<44} {n:>3}");
        }
    }
    let _ = writeln!(
        out,
        "\n{} regulatory finding(s); see `clausewatch check {}@{}` (risk indicators, not legal determinations)",
        a.findings.len(),
        a.document,
        a.version
    );
    out
}

/// `show` in text: the version's provisions (with ids) and the labels of each.
pub(crate) fn render_show(
    header: &str,
    stored: &StoredVersion,
    analysis: &VersionAnalysis,
) -> String {
    let labels: HashMap<&str, &[LabelView]> = analysis
        .provisions
        .iter()
        .map(|p| (p.provision_id.as_str(), p.labels.as_slice()))
        .collect();
    let doc = &stored.document;
    let mut out = String::from(header);
    if let Some(t) = &doc.title {
        let _ = writeln!(out, "{t}\n{}\n", "=".repeat(t.chars().count().clamp(3, 80)));
    }
    if let Some(d) = doc.effective_date {
        let _ = writeln!(out, "Effective date: {d}\n");
    }
    let mut prev: &[String] = &[];
    for p in &doc.provisions {
        let common = prev
            .iter()
            .zip(&p.heading_path)
            .take_while(|(a, b)| a == b)
            .count();
        for (depth, h) in p.heading_path.iter().enumerate().skip(common) {
            let _ = writeln!(out, "{h}");
            if depth == 0 {
                let _ = writeln!(out, "{}", "-".repeat(h.chars().count().clamp(3, 80)));
            }
            out.push('\n');
        }
        prev = &p.heading_path;
        let bullet = if p.kind == ProvisionKind::ListItem {
            "- "
        } else {
            ""
        };
        let _ = writeln!(out, "[{}] {bullet}{}", p.id, p.text);
        if let Some(ls) = labels.get(p.id.as_str()).filter(|l| !l.is_empty()) {
            let parts: Vec<String> = ls.iter().map(label_text).collect();
            let _ = writeln!(out, "    labels: {}", parts.join(" · "));
        }
        out.push('\n');
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

/// `show` in JSON: the labels of each labelled provision, by position.
pub(crate) fn labels_json(analysis: &VersionAnalysis) -> serde_json::Value {
    serde_json::json!({
        "analyzer_version": analysis.analyzer_version,
        "model_version": analysis.model_version,
        "source": analysis.source,
        "doc_type": analysis.doc_type,
        "provisions": analysis.provisions.iter().map(|p| serde_json::json!({
            "provision_id": p.provision_id,
            "position": p.position,
            "labels": p.labels,
            "attributes": p.attributes,
        })).collect::<Vec<_>>(),
    })
}

/// The label ids of one side of a diff, for the provisions in `ids`: the
/// stored analysis for a stored version, computed for a file (which never
/// opens or creates a home).
async fn side_labels(
    home: &Path,
    spec: &str,
    doc: &ExtractedDocument,
    ids: &std::collections::HashSet<&str>,
) -> anyhow::Result<HashMap<String, Vec<String>>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    if Path::new(spec).exists() {
        let doc_type = DocType::guess(doc.title.as_deref().unwrap_or(""));
        return Ok(cw_engine::label_ids(doc, doc_type, Some(ids)));
    }
    let r: VersionRef = spec.parse()?;
    let engine = super::open_existing(home).await?;
    let (_, analysis) = engine.version_analysis(&r).await?;
    Ok(analysis.label_ids())
}

/// The label changes of the modified and moved provisions of a diff, index
/// for index with `changes.changes`.
pub(crate) async fn diff_label_changes(
    home: &Path,
    old_spec: &str,
    new_spec: &str,
    old_doc: &ExtractedDocument,
    new_doc: &ExtractedDocument,
    changes: &ChangeSet,
) -> anyhow::Result<Vec<Option<LabelDelta>>> {
    let (old_ids, new_ids) = cw_engine::aligned_ids(changes);
    let old = side_labels(home, old_spec, old_doc, &old_ids).await?;
    let new = side_labels(home, new_spec, new_doc, &new_ids).await?;
    Ok(cw_engine::label_changes(changes, &old, &new))
}

/// The diff JSON (DESIGN §4) with one added field, `label_changes`
/// (`{"added": [...], "removed": [...]}`), on every modified or moved change.
pub(crate) fn diff_json(
    changes: &ChangeSet,
    deltas: &[Option<LabelDelta>],
) -> anyhow::Result<serde_json::Value> {
    let mut v = serde_json::to_value(changes)?;
    if let Some(list) = v.get_mut("changes").and_then(|c| c.as_array_mut()) {
        for (c, d) in list.iter_mut().zip(deltas) {
            if let (Some(obj), Some(d)) = (c.as_object_mut(), d) {
                obj.insert("label_changes".into(), serde_json::to_value(d)?);
            }
        }
    }
    Ok(v)
}

/// The text section listing label changes of modified provisions (empty when there are none).
pub(crate) fn diff_text(changes: &ChangeSet, deltas: &[Option<LabelDelta>]) -> String {
    let mut out = String::new();
    for (c, d) in changes.changes.iter().zip(deltas) {
        let Some(d) = d.as_ref().filter(|d| !d.is_empty()) else {
            continue;
        };
        let id = match (&c.old_id, &c.new_id) {
            (Some(o), Some(n)) if o != n => format!("{o} → {n}"),
            (_, Some(n)) => n.clone(),
            (Some(o), None) => o.clone(),
            (None, None) => continue,
        };
        let mut parts: Vec<String> = d.added.iter().map(|l| format!("+{l}")).collect();
        parts.extend(d.removed.iter().map(|l| format!("-{l}")));
        let _ = writeln!(out, "  {id} ({}): {}", c.kind.as_str(), parts.join(" "));
    }
    if out.is_empty() {
        return out;
    }
    format!("\nLabel changes of modified provisions:\n{out}")
}
