//! Measures labelling throughput (provisions per second) on the paragraphs
//! of every OTA version under /work/shared/corpus/ota (split on blank
//! lines), with the doc type guessed from the terms-type folder, and prints
//! an FNV-1a digest of every label (id, confidence bits, span, source): the
//! same digest before and after a speed change shows it changed no output
//! (issue #25). Run it in release mode:
//!
//! ```text
//! cargo run --release -p cw-analyze --example throughput -- [OTA_DIR] [--limit N]
//! RAYON_NUM_THREADS=1 CANDLE_NUM_THREADS=1 cargo run --release -p cw-analyze --features encoder --example throughput
//! ```
//! With the encoder, the process CPU line is the one to read (its matrix
//! products run on candle's threads, which the thread CPU line misses).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use cw_analyze::{DocType, LabelContext, label};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

// Only the folder walk is used here.
#[allow(dead_code)]
#[path = "../tests/support/sample.rs"]
mod sample;

fn versions(root: &Path) -> Vec<(PathBuf, DocType)> {
    let mut out = Vec::new();
    // <collection>/<Service>/<Terms_Type>/versions/*.md
    let dirs = sample::subdirs;
    for coll in dirs(root) {
        for service in dirs(&coll) {
            for terms in dirs(&service) {
                let dt = DocType::guess(
                    &terms
                        .file_name()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                );
                let files = sample::version_files(&terms.join("versions"));
                out.extend(files.into_iter().map(|f| (f, dt)));
            }
        }
    }
    out
}

/// This thread's CPU time in seconds, where Linux exposes it (the first
/// field of `/proc/thread-self/schedstat`, in nanoseconds).
fn thread_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let (ns, _) = stat.split_once(' ')?;
    ns.parse::<f64>().ok().map(|n| n / 1e9)
}

/// The whole process's CPU time (user + system, every thread: the
/// encoder's matrix products run on candle's own threads), from
/// /proc/self/stat in clock ticks of 1/100 s.
fn process_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let (_, after_name) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

fn main() {
    let mut root = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/ota"
    ));
    let mut limit = usize::MAX;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--limit" {
            limit = args
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(usize::MAX);
        } else {
            root = PathBuf::from(a);
        }
    }
    let files = versions(&root);
    if files.is_empty() {
        eprintln!("no versions under {}", root.display());
        return;
    }
    let mut paragraphs: Vec<(String, DocType)> = Vec::new();
    for (f, dt) in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        for p in text.split("\n\n") {
            let p = p.trim();
            if !p.is_empty() {
                paragraphs.push((p.to_string(), *dt));
            }
        }
        if paragraphs.len() >= limit {
            break;
        }
    }
    paragraphs.truncate(limit);
    let chars: usize = paragraphs.iter().map(|(p, _)| p.chars().count()).sum();
    // Warm up: compile rules and load the model outside the timing.
    let _ = label("warm up", &LabelContext::default());
    let start = Instant::now();
    let cpu_start = thread_cpu_secs();
    let process_start = process_cpu_secs();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0usize;
    let mut digest = 0xcbf2_9ce4_8422_2325_u64;
    for (p, dt) in &paragraphs {
        let ctx = LabelContext {
            doc_type: *dt,
            language: None,
            heading_path: Vec::new(),
        };
        for l in label(p, &ctx) {
            let canon = format!(
                "{} {:08x} {:?} {:?};",
                l.id,
                l.confidence.to_bits(),
                l.span,
                l.source
            );
            digest = canon.bytes().fold(digest, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
            *counts.entry(l.id).or_insert(0) += 1;
            total += 1;
        }
        // One separator per paragraph: a label moving to another paragraph shows.
        digest = (digest ^ u64::from(b'\n')).wrapping_mul(0x0100_0000_01b3);
    }
    let secs = start.elapsed().as_secs_f64();
    // On a shared machine wall time counts other people's work; the
    // thread's own CPU time does not (Linux: /proc/thread-self/schedstat).
    if let (Some(a), Some(b)) = (cpu_start, thread_cpu_secs()) {
        let cpu = b - a;
        println!(
            "thread CPU {cpu:.2} s: {:.0} provisions per CPU-second",
            paragraphs.len() as f64 / cpu
        );
    }
    if let (Some(a), Some(b)) = (process_start, process_cpu_secs()) {
        println!(
            "process CPU {:.2} s (all threads): {:.0} provisions per CPU-second",
            b - a,
            paragraphs.len() as f64 / (b - a)
        );
    }
    println!(
        "{} versions, {} paragraphs ({:.1} MB of text): {:.2} s, {:.0} provisions/s, {:.2} MB/s, {} labels",
        files.len(),
        paragraphs.len(),
        chars as f64 / 1e6,
        secs,
        paragraphs.len() as f64 / secs,
        chars as f64 / 1e6 / secs,
        total
    );
    println!("labels digest {digest:016x}");
    let mut top: Vec<(String, usize)> = counts.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (id, n) in top.iter().take(12) {
        println!("  {n:>7}  {id}");
    }
}
