//! Prints the regulatory findings of the newest version of OTA documents
//! (extracted with cw-extract, labelled with `label_document`, checked with
//! `check_document`) as TSV, for hand review: the rows of
//! `tests/data/findings_checked.tsv` were judged from this output and the
//! documents themselves.
//!
//! ```text
//! cargo run --release -p cw-analyze --example findings -- <corpus dir> <collection/Service/Terms_Type> ...
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = args.next().unwrap_or_else(|| "/work/shared/corpus".into());
    for doc in args {
        let Some((version, found)) = cw_analyze_findings::run(Path::new(&root), &doc, None) else {
            eprintln!("{doc}: no readable version");
            continue;
        };
        for (f, text) in found {
            let clip = |s: &str, n: usize| {
                s.chars()
                    .take(n)
                    .collect::<String>()
                    .replace(['\t', '\n'], " ")
            };
            println!(
                "{doc}\t{version}\t{}\t{}\t{}\t{}",
                f.check,
                f.provision_id.as_deref().unwrap_or("-"),
                clip(f.evidence.as_deref().unwrap_or(""), 80),
                clip(&text, 400)
            );
        }
    }
}

#[path = "../tests/support/findings.rs"]
mod cw_analyze_findings;
