//! Dumps the provisions cw-extract reads from each file given on the command
//! line, one JSON line per file: `{"file", "provisions": [{id, kind,
//! heading_path, text}]}`. The gold-set candidate lister
//! (`crates/diff/scripts/gold_candidates.py`) pairs changed provisions from
//! this with its own word diff, independent of cw-diff's alignment and
//! significance, so a person can judge each change.
//!
//! Run: `cargo run --release -p cw-diff --example provisions -- FILE...`

#![allow(clippy::print_stdout, clippy::print_stderr)] // a dump for a script

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = cw_extract::ExtractOptions::default();
    for file in std::env::args().skip(1) {
        let bytes = std::fs::read(&file)?;
        let provisions = match cw_extract::extract(&bytes, &options) {
            Ok(doc) => doc.provisions,
            Err(e) => {
                eprintln!("{file}: {e}");
                Vec::new()
            }
        };
        let line = serde_json::json!({ "file": file, "provisions": provisions });
        println!("{line}");
    }
    Ok(())
}
