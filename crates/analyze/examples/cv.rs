//! Evaluates the unfair-clause labels on the CLAUDETTE corpus (issue #21): 5
//! folds split by document over the 32 development documents, then a model
//! trained on those 32 scored on the 8 held-back documents; prints tables,
//! or JSON with `--json`. `--folds-out` writes `service<TAB>fold` with
//! `held` for the held-back documents (the scikit-learn baseline reads it).
//!
//! ```text
//! cargo run --release -p cw-analyze --example cv -- [--json] [--corpus DIR] [--folds-out FILE]
//!     [--min-precision X] [--c X] [--pos-exp X] [--no-char] [--char-weight X] [--context X] [--rules X] [--ngram N] [--min-df N]
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use cw_analyze::{TrainOptions, evaluate};
use std::path::PathBuf;
use std::process::ExitCode;

const DEFAULT_CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/labelled/claudette_multilingual"
);

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut json = false;
    let mut corpus = PathBuf::from(DEFAULT_CORPUS);
    let mut folds_out: Option<PathBuf> = None;
    let mut opts = TrainOptions::default();
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_default();
        let num = |s: String| s.parse::<f32>().unwrap_or(f32::NAN);
        match a.as_str() {
            "--json" => json = true,
            "--corpus" => corpus = PathBuf::from(val()),
            "--folds-out" => folds_out = Some(PathBuf::from(val())),
            "--c" => opts.c = num(val()),
            "--pos-exp" => opts.positive_weight_exponent = num(val()),
            "--no-char" => opts.features.char_ngrams = None,
            "--char-weight" => opts.features.char_weight = num(val()),
            "--context" => opts.features.context_weight = num(val()),
            "--rules" => opts.features.rule_weight = num(val()),
            "--ngram" => opts.features.word_ngram_max = val().parse().unwrap_or(2),
            "--min-df" => opts.features.min_df = val().parse().unwrap_or(2),
            "--inner" => opts.inner_folds = val().parse().unwrap_or(4),
            "--min-precision" => opts.min_precision = num(val()),
            other => {
                eprintln!("unknown argument {other:?}");
                return ExitCode::from(2);
            }
        }
    }
    let started = std::time::Instant::now();
    let report = match evaluate(&corpus, 5, &opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = folds_out {
        let mut s = String::from("service\tfold\n");
        for (name, f) in &report.fold_assignment {
            s.push_str(&format!("{name}\t{f}\n"));
        }
        for name in &report.held_back {
            s.push_str(&format!("{name}\theld\n"));
        }
        if let Err(e) = std::fs::write(&path, s) {
            eprintln!("error: writing {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print!("{}", report.to_table());
        println!("({:.1} s)", started.elapsed().as_secs_f32());
    }
    ExitCode::SUCCESS
}
