//! `check-integrity`: how often cw-extract's integrity signals fire on the
//! raw pages of the shared OTA corpora (issue #25). A real, complete page
//! flagged "cut short" or "garbled" is a false alarm (a watcher would never
//! record that page); each page cut at 70 % of its bytes should be flagged
//! "cut short". Reported per tune/check half.

use std::collections::BTreeMap;
use std::path::PathBuf;

use cw_extract::{ExtractOptions, extract_checked};
use cw_model::SourceFormat;

use crate::corpus::{self, Half};

/// Counts for one half.
#[derive(Debug, Default)]
struct Counts {
    /// Raw HTML pages read (PDFs are counted apart).
    pages: usize,
    /// Whole pages flagged cut short (false alarms), with their paths.
    cut_short: Vec<(PathBuf, String)>,
    /// Whole pages flagged garbled (false alarms), with their paths.
    garbled: Vec<(PathBuf, String)>,
    /// Whole pages re-decoded with a detected charset.
    redecoded: usize,
    /// Pages cut at 70 % of their bytes.
    cut: usize,
    /// Of those, flagged cut short.
    cut_flagged: usize,
    /// Of those not flagged, cut after the page's `</body>` or `</html>`
    /// (trailing scripts or data: no text lost).
    cut_after_end: usize,
    /// The others not flagged, with their extraction's provision counts
    /// (cut, whole).
    missed: Vec<(PathBuf, usize, usize)>,
    /// Of the missed, caught by the comparison with the whole page
    /// ([`cw_extract::lost_tail`]).
    missed_lost_tail: usize,
    /// Consecutive recorded versions compared.
    changes: usize,
    /// Of those, a real change that looks like a lost tail (a false
    /// `truncated`), with the newer version's path.
    changes_lost_tail: Vec<(PathBuf, String)>,
    /// PDFs read (no structure to check).
    pdfs: usize,
}

/// Runs the check over the corpus folders given.
pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    if args.is_empty() {
        anyhow::bail!("usage: check-integrity CORPUS_DIR... [--list]");
    }
    let list = args.iter().any(|a| a == "--list");
    let mut halves: BTreeMap<Half, Counts> = BTreeMap::new();
    let options = ExtractOptions::default();
    for root in args.iter().filter(|a| !a.starts_with("--")) {
        for pair in corpus::pairs(std::path::Path::new(root))? {
            let counts = halves.entry(pair.half()).or_default();
            for part in &pair.parts {
                let bytes = corpus::read(part)?;
                let Ok(whole) = extract_checked(&bytes, &options) else {
                    continue;
                };
                if whole.document.format == SourceFormat::Pdf {
                    counts.pdfs += 1;
                    continue;
                }
                counts.pages += 1;
                if let Some(why) = whole.integrity.cut_short.clone() {
                    counts.cut_short.push((part.clone(), why));
                }
                if let Some(why) = whole.integrity.garbled() {
                    counts.garbled.push((part.clone(), why));
                }
                counts.redecoded += usize::from(whole.integrity.redecoded_as.is_some());
                let cut = bytes.get(..bytes.len() * 7 / 10).unwrap_or_default();
                counts.cut += 1;
                match extract_checked(cut, &options) {
                    Ok(e) if e.integrity.cut_short.is_some() => counts.cut_flagged += 1,
                    _ if has_page_end(cut) => counts.cut_after_end += 1,
                    result => {
                        let cut = result.map(|e| e.document.provisions).unwrap_or_default();
                        counts.missed_lost_tail += usize::from(
                            cw_extract::lost_tail(&whole.document.provisions, &cut).is_some(),
                        );
                        counts.missed.push((
                            part.clone(),
                            cut.len(),
                            whole.document.provisions.len(),
                        ));
                    }
                }
            }
        }
    }
    for root in args.iter().filter(|a| !a.starts_with("--")) {
        for history in corpus::histories(std::path::Path::new(root))? {
            let counts = halves.entry(history.half()).or_default();
            let mut previous: Option<Vec<cw_model::Provision>> = None;
            for file in &history.versions {
                let bytes = corpus::read(file)?;
                let Ok(doc) = cw_extract::extract(&bytes, &options) else {
                    continue;
                };
                if let Some(old) = &previous {
                    counts.changes += 1;
                    if let Some(why) = cw_extract::lost_tail(old, &doc.provisions) {
                        counts.changes_lost_tail.push((file.clone(), why));
                    }
                }
                previous = Some(doc.provisions);
            }
        }
    }
    let mut out = String::from(
        "| half | HTML pages | whole pages flagged cut short | whole pages flagged garbled | re-decoded | pages cut at 70 % flagged | cut after `</body>` | not flagged, caught by `lost_tail` | PDFs | recorded changes | changes looking like a lost tail |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (half, c) in &halves {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} / {} | {} | {} / {} | {} | {} | {} |\n",
            half.name(),
            c.pages,
            c.cut_short.len(),
            c.garbled.len(),
            c.redecoded,
            c.cut_flagged,
            c.cut,
            c.cut_after_end,
            c.missed_lost_tail,
            c.missed.len(),
            c.pdfs,
            c.changes,
            c.changes_lost_tail.len()
        ));
    }
    if list {
        for c in halves.values() {
            for (path, why) in c
                .cut_short
                .iter()
                .chain(&c.garbled)
                .chain(&c.changes_lost_tail)
            {
                out.push_str(&format!("{}: {why}\n", path.display()));
            }
            for (path, cut, whole) in &c.missed {
                out.push_str(&format!(
                    "missed: {} ({cut} of {whole} provisions after the cut)\n",
                    path.display()
                ));
            }
        }
    }
    Ok(crate::tidy::say(&out)?)
}

/// Whether the bytes hold a `</body>` or `</html>` end tag.
fn has_page_end(bytes: &[u8]) -> bool {
    let lower = bytes.to_ascii_lowercase();
    memchr_find(&lower, b"</body").is_some() || memchr_find(&lower, b"</html").is_some()
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
