//! PDF → blocks. The text layer is read with pdf_oxide (pure Rust; it copes
//! with CJK text in non-embedded fonts), one span list per page, and handed
//! to [`layout`], which rebuilds lines, drops running headers, footers and
//! page numbers, joins hyphenated line ends, reflows paragraphs and takes
//! headings from font size and weight.
//!
//! pdf_oxide is large and sees hostile input, so it runs behind a guard: on
//! a worker thread with a big stack, inside `catch_unwind`, with a page and
//! text budget and a wall-clock deadline. A panic, a timeout or a parse
//! failure becomes an [`ExtractError`], never a crash. The deadline is the
//! one place extraction looks at a clock; it only ever turns a pathological
//! input into an error, so ordinary documents still give the same result
//! every time.

mod layout;

use std::time::Duration;

use cw_model::Warning;

use crate::ExtractError;
use crate::blocks::Block;
use crate::worker::{self, Outcome};
pub(crate) use layout::Span;

/// Pages read at most; a policy is rarely longer than a few hundred pages.
const MAX_PAGES: usize = 5_000;
/// Characters of text read at most, over all pages.
const MAX_CHARS: usize = 32 * 1024 * 1024;
/// Stack of the worker thread: deep object nesting recurses in the parser.
const WORKER_STACK: usize = 256 * 1024 * 1024;
/// How long one PDF may take before it is given up.
const DEADLINE: Duration = Duration::from_secs(120);

/// Why the text layer could not be read (mapped to an [`ExtractError`]).
#[derive(Debug)]
enum Failure {
    Encrypted,
    NoText { pages: usize },
    Broken(String),
}

impl From<Failure> for ExtractError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Encrypted => ExtractError::PdfEncrypted,
            Failure::NoText { pages } => ExtractError::PdfNoText { pages },
            Failure::Broken(why) => ExtractError::Pdf(why),
        }
    }
}

/// What the worker hands back: spans per page plus warnings.
type Pages = (Vec<Vec<Span>>, Vec<String>);

/// Reads the text layer of a PDF into blocks. Errors name why a PDF has no
/// usable text: encrypted, no text layer (a scan), or broken.
pub(crate) fn read(bytes: &[u8], warnings: &mut Vec<Warning>) -> Result<Vec<Block>, ExtractError> {
    let data = bytes.to_vec();
    let outcome = worker::run("cw-extract-pdf", Some(WORKER_STACK), DEADLINE, move || {
        read_pages(data)
    });
    let (pages, notes) = match outcome {
        Outcome::Done(result) => result.map_err(ExtractError::from)?,
        Outcome::Panicked => {
            return Err(ExtractError::from(Failure::Broken(
                "the PDF library failed on this file (it is probably damaged)".into(),
            )));
        }
        Outcome::TimedOut => {
            return Err(ExtractError::Pdf(format!(
                "reading the text layer took longer than {} seconds; the file is probably malformed",
                DEADLINE.as_secs()
            )));
        }
        Outcome::NoWorker => {
            return Err(ExtractError::Pdf(
                "could not run the PDF reader (out of threads or memory)".into(),
            ));
        }
    };
    warnings.extend(notes.into_iter().map(Warning::new));
    let page_count = pages.len();
    let blocks = layout::blocks(&pages);
    if blocks.is_empty() {
        return Err(ExtractError::PdfNoText { pages: page_count });
    }
    Ok(blocks)
}

/// Opens the PDF and collects the spans of every page (on the worker thread).
fn read_pages(data: Vec<u8>) -> Result<Pages, Failure> {
    let doc = pdf_oxide::PdfDocument::from_bytes(data).map_err(|e| map_error(&e))?;
    if doc.is_encrypted() && !doc.is_authenticated() {
        return Err(Failure::Encrypted);
    }
    let count = doc.page_count().map_err(|e| map_error(&e))?;
    if count == 0 {
        return Err(Failure::Broken("the PDF has no pages".into()));
    }
    let mut notes = Vec::new();
    if count > MAX_PAGES {
        notes.push(format!(
            "the PDF has {count} pages; only the first {MAX_PAGES} were read"
        ));
    }
    let mut pages = Vec::new();
    let mut chars = 0usize;
    let mut failed = Vec::new();
    let mut last_error = None;
    for index in 0..count.min(MAX_PAGES) {
        let spans = match doc.extract_spans(index) {
            Ok(spans) => spans,
            Err(pdf_oxide::Error::EncryptedPdf) => return Err(Failure::Encrypted),
            Err(e) => {
                failed.push(index + 1);
                last_error = Some(e.to_string());
                pages.push(Vec::new());
                continue;
            }
        };
        let mut page = Vec::with_capacity(spans.len());
        for s in spans {
            chars += s.text.len();
            let b = s.bbox;
            page.push(Span {
                text: s.text,
                x: b.x,
                y: b.y,
                width: b.width,
                height: b.height,
                size: s.font_size,
                bold: s.font_weight.is_bold(),
            });
        }
        pages.push(page);
        if chars > MAX_CHARS {
            notes.push(format!(
                "the PDF has more than {} MiB of text; reading stopped after page {}",
                MAX_CHARS / (1024 * 1024),
                index + 1
            ));
            break;
        }
    }
    if !failed.is_empty() {
        if failed.len() == pages.len() {
            return Err(Failure::Broken(format!(
                "no page could be read ({})",
                last_error.unwrap_or_default()
            )));
        }
        notes.push(format!(
            "{} of {} PDF pages could not be read and were skipped (pages {})",
            failed.len(),
            pages.len(),
            list_pages(&failed)
        ));
    }
    if pages
        .iter()
        .all(|p| p.iter().all(|s| s.text.trim().is_empty()))
    {
        return Err(Failure::NoText { pages: pages.len() });
    }
    Ok((pages, notes))
}

/// "1, 4, 7" (at most ten numbers, then "…").
fn list_pages(pages: &[usize]) -> String {
    let mut out: Vec<String> = pages.iter().take(10).map(usize::to_string).collect();
    if pages.len() > 10 {
        out.push("…".into());
    }
    out.join(", ")
}

fn map_error(e: &pdf_oxide::Error) -> Failure {
    match e {
        pdf_oxide::Error::EncryptedPdf => Failure::Encrypted,
        other => Failure::Broken(format!("the file is not a readable PDF ({other})")),
    }
}
