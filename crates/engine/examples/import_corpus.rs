//! Corpus import benchmark: imports every version of every document of
//! `../shared/corpus/ota` (or the folder given as the first argument), in
//! date order, into a fresh temporary home through the real import job
//! (extract → diff → lineage → store → search index), then reports:
//!
//! * how many consecutive version pairs have substantive changes;
//! * what share of the versions the corpus marks `upgrade` (OTA
//!   re-extractions of an unchanged page) come out with no substantive
//!   change, and for the others which reasons fired;
//! * the wall time for the whole corpus.
//!
//! Run: `cargo run --release -p cw-engine --example import_corpus [-- CORPUS_DIR]`.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a report for a person

use cw_engine::{Engine, ImportRequest, ImportStatus, start_of_day};
use cw_model::{ChangeKind, DocumentKey, Significance, slugify};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

/// One row of `versions.tsv`.
struct Row {
    doc_id: String,
    service: String,
    collection: String,
    terms_type: String,
    date: chrono::DateTime<chrono::Utc>,
    kind: String,
    file: String,
}

fn read_rows(root: &std::path::Path) -> Result<Vec<Row>, String> {
    let tsv = std::fs::read_to_string(root.join("versions.tsv"))
        .map_err(|e| format!("{}: {e}", root.join("versions.tsv").display()))?;
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or(format!("no column {name}"))
    };
    let (doc, coll, svc, tt, date, kind, file) = (
        col("doc_id")?,
        col("collection")?,
        col("service")?,
        col("terms_type")?,
        col("version_date")?,
        col("kind")?,
        col("version_file")?,
    );
    let mut rows = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let get = |k: usize| f.get(k).copied().unwrap_or_default().to_string();
        let date_text = get(date);
        let parsed = chrono::DateTime::parse_from_rfc3339(&date_text)
            .map(|d| d.with_timezone(&chrono::Utc))
            .or_else(|_| date_text.parse::<chrono::NaiveDate>().map(start_of_day))
            .map_err(|e| format!("date {date_text:?}: {e}"))?;
        rows.push(Row {
            doc_id: get(doc),
            collection: get(coll),
            service: get(svc),
            terms_type: get(tt),
            date: parsed,
            kind: get(kind),
            file: get(file),
        });
    }
    Ok(rows)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/corpus/ota"
            ))
        });
    if !root.join("versions.tsv").is_file() {
        eprintln!("##########################################################################");
        eprintln!(
            "## import_corpus SKIPPED: no corpus at {} (pass its path)",
            root.display()
        );
        eprintln!("##########################################################################");
        return Ok(());
    }
    let mut rows = read_rows(&root)?;
    rows.sort_by(|a, b| a.doc_id.cmp(&b.doc_id).then(a.date.cmp(&b.date)));
    let home = tempfile::tempdir()?;
    let engine = Engine::open(home.path()).await?;

    let mut pairs = 0usize;
    let mut substantive_pairs = 0usize;
    let mut same = 0usize;
    let mut upgrades = 0usize;
    let mut upgrades_clean = 0usize;
    let mut dirty: Vec<String> = Vec::new();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut failed = 0usize;
    let mut bytes_total = 0usize;
    let mut previous_doc = String::new();
    let started = Instant::now();
    for row in &rows {
        let key: DocumentKey = format!(
            "{}/{}",
            slugify(&row.service),
            slugify(&format!("{}-{}", row.collection, row.terms_type))
        )
        .parse()?;
        let bytes = std::fs::read(root.join(&row.file))?;
        bytes_total += bytes.len();
        let mut request = ImportRequest::new(key.clone(), bytes, row.file.clone());
        request.observed_at = Some(row.date);
        let first = row.doc_id != previous_doc;
        previous_doc.clone_from(&row.doc_id);
        let report = match engine.import(request).await {
            Ok(r) => r,
            Err(e) => {
                failed += 1;
                eprintln!("import failed: {}: {e}", row.file);
                continue;
            }
        };
        if first {
            continue;
        }
        pairs += 1;
        let substantive = report.changes.map_or(0, |c| c.substantive);
        if report.status != ImportStatus::NewVersion {
            same += 1;
        }
        if substantive > 0 {
            substantive_pairs += 1;
        }
        if row.kind == "upgrade" {
            upgrades += 1;
            if substantive == 0 {
                upgrades_clean += 1;
            } else {
                dirty.push(format!("{} ({} substantive)", row.file, substantive));
                let change = engine.store().change(&key, report.version).await?;
                for c in change.iter().flat_map(|c| &c.change_set.changes) {
                    if c.significance == Significance::Substantive {
                        let first_reason = c.reasons.first().cloned().unwrap_or_default();
                        let what = if c.kind == ChangeKind::Modified || c.kind == ChangeKind::Moved
                        {
                            first_reason
                        } else {
                            format!("{}: {}", c.kind.as_str(), first_reason)
                        };
                        *reasons.entry(what).or_default() += 1;
                        if std::env::var_os("CW_SHOW").is_some() {
                            eprintln!(
                                "  {} {:?}\n    old: {:?}\n    new: {:?}",
                                c.kind.as_str(),
                                c.reasons,
                                c.old_text
                                    .as_deref()
                                    .map(|t| t.chars().take(160).collect::<String>()),
                                c.new_text
                                    .as_deref()
                                    .map(|t| t.chars().take(160).collect::<String>())
                            );
                        }
                    }
                }
            }
        }
    }
    let elapsed = started.elapsed();
    let documents = rows
        .iter()
        .map(|r| r.doc_id.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    println!(
        "imported {} versions of {documents} documents ({:.1} MB) in {:.2} s ({failed} failed)",
        rows.len(),
        bytes_total as f64 / 1e6,
        elapsed.as_secs_f64()
    );
    println!(
        "consecutive pairs: {pairs}; with substantive changes: {substantive_pairs}; same content (no new version): {same}"
    );
    println!(
        "`upgrade` versions with no substantive change: {upgrades_clean} of {upgrades} ({:.1} %)",
        100.0 * upgrades_clean as f64 / upgrades.max(1) as f64
    );
    for d in &dirty {
        println!("  substantive upgrade: {d}");
    }
    let mut by_count: Vec<(&String, &usize)> = reasons.iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (reason, n) in by_count.iter().take(25) {
        println!("  {n:>4} × {reason}");
    }
    Ok(())
}
