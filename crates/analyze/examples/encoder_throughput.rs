//! Measures the transformer encoder's raw cost per sentence on ONE core:
//! sentences per second for ~500 CLAUDETTE sentences (every k-th line of
//! `corpus/sentences/en/original/*.txt`), batched as `probabilities` batches
//! them and one sentence per call (what a cascade that sends only
//! near-threshold sentences pays). Needs the feature and a release build:
//!
//! ```text
//! cargo run --release -p cw-analyze --features encoder --example encoder_throughput -- \
//!     [--corpus DIR] [--model DIR] [--limit N] [--threads N]
//! ```
//!
//! candle's matrix products (gemm) and its rayon-parallel kernels size
//! their pools from `RAYON_NUM_THREADS` (`CANDLE_NUM_THREADS` for its
//! barrier pool), read from the environment; the example re-runs itself
//! with both set to `--threads` (default 1) so that nothing runs beside the
//! main thread.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use cw_analyze::Encoder;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The process's CPU time (all threads) in seconds: utime + stime of
/// `/proc/self/stat`, in clock ticks of 1/100 s.
fn process_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn threads_now() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, Iterator::count)
}

fn sentences(dir: &Path, limit: usize) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "txt"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let all: Vec<String> = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .flat_map(|t| {
            t.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect();
    let step = (all.len() / limit.max(1)).max(1);
    all.into_iter().step_by(step).take(limit).collect()
}

fn load(model: Option<&Path>) -> Option<&'static Encoder> {
    match model {
        Some(dir) => {
            let read = |f: &str| std::fs::read(dir.join(f));
            let (Ok(st), Ok(tok), Ok(cfg)) = (
                read("encoder.safetensors"),
                read("tokenizer.json"),
                read("encoder.json"),
            ) else {
                eprintln!("!!! {} lacks the three encoder files", dir.display());
                return None;
            };
            let enc = Encoder::from_parts(&st, &tok, &cfg)
                .map_err(|e| eprintln!("!!! {}: {e}", dir.display()))
                .ok()?;
            Some(Box::leak(Box::new(enc)))
        }
        None => {
            let t = Instant::now();
            let enc = Encoder::embedded()?;
            eprintln!(
                "embedded encoder loaded in {:.2} s",
                t.elapsed().as_secs_f64()
            );
            Some(enc)
        }
    }
}

fn main() {
    let mut corpus = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/labelled/claudette_multilingual/corpus/sentences/en/original"
    ));
    let (mut model, mut limit, mut threads) = (None, 500usize, "1".to_string());
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--corpus" => corpus = args.next().map(PathBuf::from).unwrap_or(corpus),
            "--model" => model = args.next().map(PathBuf::from),
            "--limit" => limit = args.next().and_then(|s| s.parse().ok()).unwrap_or(limit),
            "--threads" => threads = args.next().unwrap_or(threads),
            other => {
                eprintln!("unknown argument {other:?}");
                std::process::exit(2);
            }
        }
    }
    // Pin candle's pools before anything reads the variables: run again with them set.
    if std::env::var("RAYON_NUM_THREADS").ok().as_deref() != Some(threads.as_str()) {
        let status = std::env::current_exe().and_then(|exe| {
            std::process::Command::new(exe)
                .args(std::env::args().skip(1))
                .env("RAYON_NUM_THREADS", &threads)
                .env("CANDLE_NUM_THREADS", &threads)
                .status()
        });
        std::process::exit(status.map_or(1, |s| s.code().unwrap_or(1)));
    }
    let texts = sentences(&corpus, limit);
    if texts.is_empty() {
        eprintln!(
            "\n!!! SKIPPED: no CLAUDETTE sentences under {} (--corpus DIR) !!!\n",
            corpus.display()
        );
        return;
    }
    let Some(enc) = load(model.as_deref()) else {
        eprintln!(
            "\n!!! SKIPPED: no encoder: build with model/encoder/encoder.safetensors present \
             (encoder/export_pretrained.py) or pass --model DIR !!!\n"
        );
        return;
    };
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let words: usize = refs.iter().map(|s| s.split_whitespace().count()).sum();
    println!(
        "{} sentences, {:.1} words on average, RAYON_NUM_THREADS={threads}{}",
        refs.len(),
        words as f64 / refs.len() as f64,
        if enc.is_placeholder() {
            " (placeholder model: timing only)"
        } else {
            ""
        }
    );
    // Warm up (allocator, page faults of the weights).
    let _ = enc.probabilities(&refs[..refs.len().min(16)]);

    let measure = |name: &str, run: &dyn Fn() -> usize| {
        let (wall, cpu) = (Instant::now(), process_cpu_secs());
        let n = run();
        let secs = wall.elapsed().as_secs_f64();
        let cpu = process_cpu_secs().zip(cpu).map(|(b, a)| b - a);
        println!(
            "{name:<28} {n} sentences in {secs:.2} s wall: {:>6.1} sentences/s; \
             CPU {}; {} threads in the process",
            n as f64 / secs,
            cpu.map_or("n/a".into(), |c| format!(
                "{c:.2} s = {:.1} sentences per CPU-second",
                n as f64 / c
            )),
            threads_now()
        );
    };
    measure("batched (one call)", &|| {
        enc.probabilities(&refs).map_or(0, |p| p.len())
    });
    measure("one sentence per call", &|| {
        refs.iter()
            .filter(|s| enc.probabilities(&[s]).is_ok())
            .count()
    });
}
