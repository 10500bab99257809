//! Upgrade-share measurement: how many of the versions that
//! `../shared/corpus/ota/versions.tsv` marks `upgrade` (re-extractions of an
//! unchanged page by a new extractor or selectors) come out of `cw_diff::diff`
//! with no substantive change against the previous version of the document.
//!
//! It does what the import job does for these pairs (cw-extract with default
//! options on the Markdown, then cw-diff against the previous version's
//! extraction; identical content is not diffed) without a store or an index,
//! so the whole corpus takes seconds instead of minutes. It also reports how
//! many consecutive pairs have substantive changes and the diff time.
//!
//! Run: `cargo run --release -p cw-diff --example upgrades [-- CORPUS_DIR]`;
//! `CW_SHOW=1` prints every substantive change of a dirty `upgrade` pair,
//! `CW_SHOW=all` also for `change` pairs (best with `CW_DOC=substring`),
//! `CW_SHOW=reseg` every change the re-segmentation rule made cosmetic.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a report for a person

use cw_model::{ChangeKind, ExtractedDocument, Significance};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[path = "support/corpus.rs"]
#[allow(dead_code)] // each example uses part of it
mod corpus;

use corpus::{clip, read_rows};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = corpus::root_arg("ota");
    if !root.join("versions.tsv").is_file() {
        eprintln!("##########################################################################");
        eprintln!(
            "## upgrades SKIPPED: no corpus at {} (pass its path)",
            root.display()
        );
        eprintln!("##########################################################################");
        return Ok(());
    }
    let show = std::env::var("CW_SHOW").ok();
    let only = std::env::var("CW_DOC").ok();
    let rows = read_rows(&root)?;
    let options = cw_extract::ExtractOptions::default();
    let (mut pairs, mut substantive_pairs, mut same) = (0usize, 0usize, 0usize);
    let (mut upgrades, mut upgrades_clean) = (0usize, 0usize);
    let mut dirty: Vec<String> = Vec::new();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut diff_time = Duration::ZERO;
    let mut previous: Option<(String, ExtractedDocument)> = None;
    for row in &rows {
        if only.as_deref().is_some_and(|o| !row.doc_id.contains(o)) {
            continue;
        }
        if !root.join(&row.file).is_file() {
            continue;
        }
        let bytes = std::fs::read(root.join(&row.file))?;
        let doc = match cw_extract::extract(&bytes, &options) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("extract failed: {}: {e}", row.file);
                continue;
            }
        };
        let prev = previous.replace((row.doc_id.clone(), doc.clone()));
        let Some((prev_id, prev_doc)) = prev.filter(|(id, _)| *id == row.doc_id) else {
            continue;
        };
        debug_assert_eq!(prev_id, row.doc_id);
        pairs += 1;
        let upgrade = row.kind == "upgrade";
        if upgrade {
            upgrades += 1;
        }
        if prev_doc.provisions == doc.provisions && prev_doc.title == doc.title {
            same += 1;
            if upgrade {
                upgrades_clean += 1;
            }
            continue;
        }
        let started = Instant::now();
        let cs = cw_diff::diff(&prev_doc, &doc);
        diff_time += started.elapsed();
        let substantive = cs.summary.substantive;
        if show.as_deref() == Some("reseg") {
            for c in cs.changes.iter().filter(|c| {
                c.reasons
                    .first()
                    .is_some_and(|r| r.starts_with("re-segmented"))
            }) {
                eprintln!(
                    "[{}] {} {}\n    old: {:?}\n    new: {:?}",
                    row.file,
                    row.kind,
                    c.kind.as_str(),
                    clip(c.old_text.as_deref()),
                    clip(c.new_text.as_deref())
                );
            }
        }
        if substantive > 0 {
            substantive_pairs += 1;
        }
        if !upgrade && show.as_deref() != Some("all") {
            continue;
        }
        if substantive == 0 {
            upgrades_clean += usize::from(upgrade);
            continue;
        }
        if upgrade {
            dirty.push(format!("{} ({substantive} substantive)", row.file));
        }
        for c in cs.changes.iter() {
            if c.significance != Significance::Substantive {
                continue;
            }
            let first = c.reasons.first().cloned().unwrap_or_default();
            let what = if matches!(c.kind, ChangeKind::Modified | ChangeKind::Moved) {
                first.split('\'').next().unwrap_or_default().to_string()
            } else {
                format!("{}: {}", c.kind.as_str(), first)
            };
            if upgrade {
                *reasons.entry(what).or_default() += 1;
            }
            if show.is_some() {
                eprintln!(
                    "[{}] {} {:?}\n    old: {:?}\n    new: {:?}",
                    row.file,
                    c.kind.as_str(),
                    c.reasons,
                    clip(c.old_text.as_deref()),
                    clip(c.new_text.as_deref())
                );
            }
        }
    }
    println!(
        "consecutive pairs: {pairs}; with substantive changes: {substantive_pairs}; same provisions: {same}; diff time {:.2} s",
        diff_time.as_secs_f64()
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
    println!("most frequent substantive reasons in upgrade pairs:");
    for (r, n) in by_count.iter().take(25) {
        println!("  {n:5} × {r}");
    }
    Ok(())
}
