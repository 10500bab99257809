//! Shared harness of the cw-extract fuzz targets: runs one input through
//! [`cw_extract::extract`] (with a prefix that steers format sniffing to the
//! reader under test), checks the invariants every result must keep, and
//! tells a panic inside the PDF library — which cw-extract catches on its
//! worker thread and turns into an error — from a real crash.
//!
//! libfuzzer-sys installs a panic hook that aborts on any panic, even one
//! that is caught. [`init`] wraps that hook: a panic on cw-extract's PDF
//! worker thread (named `cw-extract-pdf`) is recorded instead — the input is
//! saved under `artifacts/caught-panics/` so it can become a regression test —
//! and unwinds into cw-extract's `catch_unwind`; every other panic still
//! aborts and is a crash.

use std::sync::Mutex;

use cw_extract::{ExtractError, ExtractOptions, extract};
use cw_model::SourceFormat;

/// The input being run, for the panic hook to save.
static CURRENT: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Installs the panic hook described in the crate documentation.
pub fn init() {
    let abort_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("cw-extract-pdf") {
            let input = CURRENT.lock().map(|g| g.clone()).unwrap_or_default();
            let hash = input
                .iter()
                .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                    (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
                });
            let dir = std::path::Path::new("artifacts/caught-panics");
            let _ = std::fs::create_dir_all(dir);
            let path = dir.join(format!("{hash:016x}"));
            if !path.exists() {
                let _ = std::fs::write(&path, &input);
                eprintln!("caught PDF library panic ({info}); input saved to {}", path.display());
            }
            return;
        }
        abort_hook(info);
    }));
}

/// Runs `prefix + data` through extraction and checks the result.
pub fn run(prefix: &[u8], data: &[u8]) {
    let mut input = Vec::with_capacity(prefix.len() + data.len());
    input.extend_from_slice(prefix);
    input.extend_from_slice(data);
    if let Ok(mut current) = CURRENT.lock() {
        current.clone_from(&input);
    }
    match extract(&input, &ExtractOptions::default()) {
        Ok(doc) => {
            for p in &doc.provisions {
                assert!(!p.id.is_empty(), "empty provision id");
                assert_eq!(p.text.trim(), p.text, "untrimmed provision text");
                assert!(!p.text.is_empty(), "empty provision");
            }
            // Same bytes, same document.
            // (PDFs are checked once: a second run would double the slow part.)
            if doc.format != SourceFormat::Pdf {
                let again = extract(&input, &ExtractOptions::default());
                assert_eq!(again.as_ref().ok(), Some(&doc), "extraction is not deterministic");
            }
        }
        Err(e) => {
            // Every error reads as one line.
            let msg = e.to_string();
            assert!(!msg.is_empty() && !msg.contains('\n'), "bad error message {msg:?}");
            let _: &ExtractError = &e;
        }
    }
}
