//! Labelling throughput (divan), on the corpus sample of the golden-digest
//! test: the newest version of every OTA document and ten ota-wide ones
//! (Chinese and French), extracted as the product extracts them
//! (`tests/support/sample.rs`). Throughput counts the bytes of the versions.
//!
//! * `label_documents`: `label_document` (cue rules + model) of every document;
//! * `attributes_documents`: `attributes` of every provision;
//! * `check_documents`: `check_document` on labels computed beforehand;
//! * `analyse_documents`: all three, as `Engine::analyze` runs them.
//!
//! `examples/throughput.rs` measures the same labelling on every paragraph
//! of every OTA version and prints a digest of its labels. Without the corpus
//! this bench prints a loud notice and measures nothing.
//! Run: `cargo bench -p cw-analyze --bench label`.

use cw_analyze::{DocType, attributes, check_document, label_document};
use cw_model::ExtractedDocument;
use divan::Bencher;
use divan::counter::BytesCount;
use std::sync::LazyLock;

#[path = "../tests/support/sample.rs"]
mod sample;

/// Each document with its type and source size.
static DOCS: LazyLock<Vec<(ExtractedDocument, DocType, usize)>> = LazyLock::new(|| {
    sample::documents(&sample::corpus())
        .into_iter()
        .filter_map(|(name, dir)| {
            let (_, bytes, doc) = sample::newest(&dir)?;
            let dt = DocType::guess(name.rsplit('/').next().unwrap_or(""));
            Some((doc, dt, bytes))
        })
        .collect()
});

fn total_bytes() -> usize {
    DOCS.iter().map(|d| d.2).sum()
}

fn bytes() -> BytesCount {
    BytesCount::new(total_bytes())
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn label_documents(bencher: Bencher<'_, '_>) {
    bencher.counter(bytes()).bench(|| {
        for (doc, dt, _) in DOCS.iter() {
            divan::black_box(label_document(doc, *dt));
        }
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn attributes_documents(bencher: Bencher<'_, '_>) {
    bencher.counter(bytes()).bench(|| {
        for (doc, _, _) in DOCS.iter() {
            for p in &doc.provisions {
                divan::black_box(attributes(&p.text));
            }
        }
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn check_documents(bencher: Bencher<'_, '_>) {
    let labels: Vec<_> = DOCS
        .iter()
        .map(|(doc, dt, _)| label_document(doc, *dt))
        .collect();
    bencher.counter(bytes()).bench(|| {
        for ((doc, dt, _), l) in DOCS.iter().zip(&labels) {
            divan::black_box(check_document(doc, l, *dt));
        }
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn analyse_documents(bencher: Bencher<'_, '_>) {
    bencher.counter(bytes()).bench(|| {
        for (doc, dt, _) in DOCS.iter() {
            let labels = label_document(doc, *dt);
            divan::black_box(check_document(doc, &labels, *dt));
            for p in &doc.provisions {
                divan::black_box(attributes(&p.text));
            }
        }
    });
}

#[allow(clippy::print_stderr)] // the loud skip notice is the point
fn main() {
    let root = sample::corpus();
    if !root.join("ota").is_dir() {
        eprintln!();
        eprintln!("##########################################################################");
        eprintln!(
            "## cw-analyze bench SKIPPED: corpus not found at {}",
            root.display()
        );
        eprintln!("##########################################################################");
        eprintln!();
        return;
    }
    let provisions: usize = DOCS.iter().map(|d| d.0.provisions.len()).sum();
    eprintln!(
        "cw-analyze bench: {} documents, {} bytes, {provisions} provisions",
        DOCS.len(),
        total_bytes()
    );
    divan::main();
}
