//! Chooses how the fine-tuned encoder and the linear model are combined
//! (issue #21) on out-of-fold predictions of the development documents
//! (`encoder/oof_probabilities.tsv`, from `encoder/train_encoder.py`) and
//! writes `model/encoder/ensemble.json` (see `cw_analyze::calibrate`). Then
//! `--example cv` gives the held-back number.
//!
//! ```text
//! cargo run --release -p cw-analyze --features encoder --example calibrate_encoder -- [CORPUS_DIR] [OOF_TSV] [OUT_FILE]
//!     [--min-precision P] [--precision-z Z] [--fallback-min-recall R] [--per-label-weight] [--scores-out TSV]
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use cw_analyze::{CalibrateOptions, TrainOptions, calibrate};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut choice = CalibrateOptions::default();
    let mut positional = Vec::new();
    let mut raw = std::env::args().skip(1);
    while let Some(a) = raw.next() {
        match a.as_str() {
            "--scores-out" => choice.scores_out = raw.next().map(PathBuf::from),
            "--min-precision" => choice.min_precision = raw.next().and_then(|v| v.parse().ok()),
            "--precision-z" => {
                choice.precision_z = raw.next().and_then(|v| v.parse().ok()).unwrap_or(0.0)
            }
            "--fallback-min-recall" => {
                choice.fallback_min_recall = raw.next().and_then(|v| v.parse().ok())
            }
            "--per-label-weight" => choice.per_label_weight = true,
            _ => positional.push(a),
        }
    }
    let mut args = positional.into_iter();
    let corpus = PathBuf::from(args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpus/labelled/claudette_multilingual"
        )
        .into()
    }));
    let oof = PathBuf::from(args.next().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/encoder/oof_probabilities.tsv").to_string()
    }));
    let out = PathBuf::from(args.next().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/model/encoder/ensemble.json").to_string()
    }));
    let started = std::time::Instant::now();
    let c = match calibrate(&corpus, &oof, &TrainOptions::default(), &choice) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let json = match serde_json::to_string_pretty(&c.ensemble) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(&out, format!("{json}\n")) {
        eprintln!("error: writing {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    println!(
        "out of fold ({} development sentences): macro-F1 linear {:.3}, encoder {:.3}, ensemble {:.3}\n\
         encoder weight {:.1} (per label: {:?}), gate {:.2} ({:.1}% of sentences reach the encoder)\n\
         thresholds {:?}\nwrote {} in {:.1} s",
        c.sentences,
        c.macro_f1_linear,
        c.macro_f1_encoder,
        c.macro_f1_ensemble,
        c.ensemble.encoder_weight,
        c.ensemble.encoder_weights,
        c.ensemble.gate,
        100.0 * c.gated_share,
        c.ensemble.thresholds,
        out.display(),
        started.elapsed().as_secs_f32()
    );
    ExitCode::SUCCESS
}
