//! Pure re-extractions (issue #20): consecutive version pairs of
//! `../shared/corpus/ota` and `ota-wide` whose two Markdown files have the
//! same word sequence once the peer's Markdown formatting is stripped (link
//! targets, emphasis, heading and list syntax, table pipes), so nothing a
//! reader sees changed. For each such pair it extracts both versions with
//! cw-extract (default options), diffs them with cw-diff and counts the pairs
//! with zero substantive changes (target: ≥ 98 %).
//!
//! Run: `cargo run --release -p cw-diff --example reextractions [-- CORPUS_ROOT]`
//! (CORPUS_ROOT holds `ota/` and `ota-wide/`); `CW_SHOW=1` prints every
//! substantive change of a pure re-extraction, `CW_HALF=tune` only lists
//! the tune half's. The split half of each
//! document (tune/check, `scripts/gold_split.py`) is reported too.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a report for a person

use cw_model::Significance;
use std::collections::BTreeMap;

#[path = "support/corpus.rs"]
#[allow(dead_code)] // each example uses part of it
mod corpus;

/// The words a reader sees in a Markdown file: link and image targets
/// dropped, then every run of letters and digits.
fn visible_words(md: &str) -> Vec<String> {
    let mut text = String::with_capacity(md.len());
    let mut rest = md;
    while let Some(at) = rest.find("](") {
        text.push_str(&rest[..at]);
        rest = &rest[at + 2..];
        match rest.find(')') {
            Some(end) => rest = &rest[end + 1..],
            None => break,
        }
    }
    text.push_str(rest);
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// FNV-1a 64 of the service name: even → tune, odd → check.
fn half(service: &str) -> &'static str {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in service.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    if h.is_multiple_of(2) { "tune" } else { "check" }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = corpus::root_arg("");
    let show = std::env::var_os("CW_SHOW").is_some();
    // CW_HALF=tune lists only the tune half's dirty pairs (rules are written
    // looking at tune documents only).
    let only_half = std::env::var("CW_HALF").ok();
    let options = cw_extract::ExtractOptions::default();
    // (half or "all") → (pure re-extraction pairs, clean pairs)
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut consecutive = 0usize;
    for collection in ["ota", "ota-wide"] {
        let dir = root.join(collection);
        if !dir.join("versions.tsv").is_file() {
            eprintln!(
                "## reextractions SKIPPED {collection}: no corpus at {}",
                dir.display()
            );
            continue;
        }
        let mut rows = corpus::read_rows(&dir)?;
        rows.retain(|r| dir.join(&r.file).is_file());
        rows.sort_by(|a, b| {
            a.doc_id
                .cmp(&b.doc_id)
                .then(a.version_no.cmp(&b.version_no))
        });
        for pair in rows.windows(2) {
            let [a, b] = pair else { continue };
            if a.doc_id != b.doc_id {
                continue;
            }
            consecutive += 1;
            let (ma, mb) = (
                std::fs::read(dir.join(&a.file))?,
                std::fs::read(dir.join(&b.file))?,
            );
            if ma == mb
                || visible_words(&String::from_utf8_lossy(&ma))
                    != visible_words(&String::from_utf8_lossy(&mb))
            {
                continue;
            }
            let (Ok(da), Ok(db)) = (
                cw_extract::extract(&ma, &options),
                cw_extract::extract(&mb, &options),
            ) else {
                continue;
            };
            let cs = cw_diff::diff(&da, &db);
            let clean = cs.summary.substantive == 0;
            for key in [half(&b.service), "all"] {
                let e = counts.entry(key).or_default();
                e.0 += 1;
                e.1 += usize::from(clean);
            }
            let e = by_kind.entry(b.kind.clone()).or_default();
            e.0 += 1;
            e.1 += usize::from(clean);
            let listed = only_half.as_deref().is_none_or(|h| h == half(&b.service));
            if !clean && listed {
                println!(
                    "  substantive: {collection}/{} ({} changes)",
                    b.file, cs.summary.substantive
                );
                if show {
                    for c in cs
                        .changes
                        .iter()
                        .filter(|c| c.significance == Significance::Substantive)
                    {
                        println!("{}", corpus::show(&b.file, c));
                    }
                }
            }
        }
    }
    println!("consecutive pairs read: {consecutive} (byte-identical pairs are not re-extractions)");
    println!("| pairs | pure re-extractions | zero substantive | share |");
    println!("|---|---|---|---|");
    let rows = counts
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .chain(by_kind.iter().map(|(k, v)| (format!("kind {k}"), *v)));
    for (key, (n, clean)) in rows {
        let share = 100.0 * clean as f64 / n.max(1) as f64;
        println!("| {key} | {n} | {clean} | {share:.1} % |");
    }
    Ok(())
}
