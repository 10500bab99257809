//! Trains the unfair-clause model on the CLAUDETTE corpus with the default
//! options and writes it (the file committed at `model/unfair_tos.json`).
//!
//! ```text
//! cargo run --release -p cw-analyze --example train -- [CORPUS_DIR] [OUT_FILE]
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use cw_analyze::{TrainOptions, train};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let corpus = PathBuf::from(args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpus/labelled/claudette_multilingual"
        )
        .into()
    }));
    let out = PathBuf::from(args.next().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/model/unfair_tos.json").to_string()
    }));
    let started = std::time::Instant::now();
    let model = match train(&corpus, &TrainOptions::default()) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bytes = model.to_bytes();
    if let Err(e) = std::fs::write(&out, &bytes) {
        eprintln!("error: writing {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    println!(
        "wrote {} ({} bytes, {} features, {} sentences) in {:.1} s",
        out.display(),
        bytes.len(),
        model.vocabulary_size(),
        model.header().sentences,
        started.elapsed().as_secs_f32()
    );
    for (id, threshold, f1) in model.thresholds() {
        println!("  {id:<30} threshold {threshold:>7.3}  inner-fold F1 {f1:.3}");
    }
    ExitCode::SUCCESS
}
