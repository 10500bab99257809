//! Extraction: the bytes of a policy document (terms of service, acceptable
//! use policy, privacy policy) → an [`ExtractedDocument`] of clean provisions.
//! Pure: no I/O, no clock, no randomness — the same bytes always give the same
//! document.
//!
//! # Brief overview
//!
//! * [`extract`] runs the pipeline: [`sniff_format`] decides the format from
//!   the content (never a file name) → the charset is decoded (BOM, UTF-8,
//!   `<meta charset>`, else a statistical guess such as GBK) → the HTML,
//!   Markdown or plain-text parser turns it into a flat list of blocks
//!   (headings, paragraphs, list items, table rows) → boilerplate removal keeps
//!   the main content span and drops navigation, footers, language pickers,
//!   cookie banners, running page headers and tables of contents → the title
//!   and effective date are taken out as metadata → the rest is segmented into
//!   [`Provision`](cw_model::Provision)s with heading paths and stable ids.
//! * Messy input is data: lost text, lossy decoding and the like become
//!   [`Warning`]s in the result. Only input that is not a
//!   document at all is an [`ExtractError`].
//! * [`render_text`] and [`render_markdown`] turn a result back into
//!   something a person reads.
//!
//! ```
//! use cw_extract::{ExtractOptions, extract, render_text};
//!
//! let input = "Acceptable Use Policy\n\
//!              Last Updated: June 18, 2021\n\
//!              No Network Abuse\n\
//!              You may not make network connections without permission. Prohibited activities include:\n\
//!              • Denial of Service (DoS). Inundating a target with requests.\n";
//! let doc = extract(input.as_bytes(), &ExtractOptions::default())?;
//! assert_eq!(doc.title.as_deref(), Some("Acceptable Use Policy"));
//! assert_eq!(doc.effective_date.map(|d| d.to_string()).as_deref(), Some("2021-06-18"));
//! assert_eq!(doc.provisions[1].id, "no-network-abuse/2");
//! assert_eq!(doc.provisions[1].heading_path, ["No Network Abuse"]);
//! assert!(render_text(&doc).contains("- Denial of Service (DoS)."));
//! # Ok::<(), cw_extract::ExtractError>(())
//! ```
#![deny(missing_docs)]

mod blocks;
mod boilerplate;
mod charset;
mod complete;
mod declarations;
mod html;
mod lang;
mod markdown;
mod meta;
#[cfg(feature = "pdf")]
mod pdf;
mod render;
mod segment;
mod sniff;
mod text;
mod worker;

use cw_model::{Coverage, ExtractedDocument, SourceFormat, Warning};

pub use complete::lost_tail;
pub use declarations::{Declaration, DeclarationError, Edge, Selector};
pub use render::{render_markdown, render_text};

/// Below this share of the page's running text kept, the result carries a warning.
const LOW_COVERAGE: f64 = 0.5;

/// The default input size limit: 64 MiB.
pub const DEFAULT_MAX_BYTES: usize = 64 * 1024 * 1024;

/// Why bytes could not be read as a document at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The input has no bytes, or only whitespace.
    #[error("the input is empty (no bytes, or only whitespace)")]
    Empty,
    /// The input is larger than [`ExtractOptions::max_bytes`].
    #[error("the input is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The input is not text: an image, an archive, an executable, ….
    #[error("the input is {what}, not a text, HTML or Markdown document")]
    Binary {
        /// What the bytes look like, e.g. "a PNG image" or "unrecognised binary data".
        what: String,
    },
    /// The input is a PDF that cannot be read (damaged, not a PDF after
    /// all, or this build has no PDF support); the text says why.
    #[error("cannot read the PDF: {0}")]
    Pdf(String),
    /// The PDF is encrypted and needs a password to open.
    #[error(
        "cannot read the PDF: it is encrypted and needs a password to open; save a copy without a password first (for example `qpdf --password=PASSWORD --decrypt in.pdf out.pdf`)"
    )]
    PdfEncrypted,
    /// The PDF has no text layer: its pages are images, as in a scan.
    #[error(
        "cannot read the PDF: it has no text layer ({pages} page(s) of images, as in a scan); run OCR on it first (for example `ocrmypdf in.pdf out.pdf`)"
    )]
    PdfNoText {
        /// Pages in the PDF.
        pages: usize,
    },
    /// The declaration's `select` selectors match nothing on the page.
    #[error("the declaration's select selectors match nothing on the page")]
    SelectorMatchedNothing,
    /// Reading the HTML took longer than its deadline, or the parser
    /// failed; the text says which.
    #[error("cannot read the HTML page: {0}")]
    Html(String),
}

/// Options for [`extract`]. Build with [`ExtractOptions::default`] and the
/// `with_*` methods; more options (content selectors) will be added.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExtractOptions {
    /// Inputs larger than this many bytes are refused with [`ExtractError::TooLarge`].
    pub max_bytes: usize,
    /// The `Content-Type` the bytes came with (an HTTP header such as
    /// `text/html; charset=Shift_JIS`, or just a charset label such as
    /// `gbk`). Its charset wins over `<meta charset>` and detection; only a
    /// byte-order mark wins over it.
    pub content_type: Option<String>,
    /// CSS `select`/`remove` and range selectors for HTML pages; a `select`
    /// wins over the automatic main-content choice.
    pub declaration: Option<Declaration>,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            max_bytes: DEFAULT_MAX_BYTES,
            content_type: None,
            declaration: None,
        }
    }
}

impl ExtractOptions {
    /// Sets the declaration (selectors) to apply to HTML pages.
    #[must_use]
    pub fn with_declaration(mut self, declaration: Declaration) -> Self {
        self.declaration = Some(declaration);
        self
    }

    /// Sets the input size limit in bytes.
    #[must_use]
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Sets the `Content-Type` (or bare charset label) the bytes came with.
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

/// Extracts title, effective date, language and provisions from the raw bytes
/// of a document (HTML page or fragment, Markdown, or plain text in any
/// common encoding).
///
/// Returns an error only when the bytes are not a readable document (empty,
/// too large, binary, PDF); anything messy about a document is reported in
/// [`ExtractedDocument::warnings`]. Never panics. [`extract_checked`] also
/// says whether the input looked whole and readable.
pub fn extract(bytes: &[u8], options: &ExtractOptions) -> Result<ExtractedDocument, ExtractError> {
    extract_checked(bytes, options).map(|e| e.document)
}

/// More than this share of replacement characters (U+FFFD) in the
/// extracted text makes it garbled: 1 %.
pub const GARBLED_SHARE: f64 = 0.01;

/// A document with what extraction noticed about the input's integrity.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Extraction {
    /// The document, exactly as [`extract`] returns it.
    pub document: ExtractedDocument,
    /// Whether the input looked whole and readable.
    pub integrity: Integrity,
}

/// Signals about the input rather than its content: a watcher must not
/// take a page that was cut short in transit or decoded with the wrong
/// charset for a new version of the document. Not part of
/// [`ExtractedDocument`] (the stored JSON contract), as they describe one
/// delivery of the bytes, not the text.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Integrity {
    /// Why the input looks cut short: an HTML page that opened `<html>` or
    /// `<body>` and ends inside markup or with elements open whose end tag
    /// is required, without `</body>` or `</html>`. `None` when it looks
    /// whole (or the format carries no such structure).
    pub cut_short: Option<String>,
    /// The share of the extracted text's (title and provisions) visible
    /// characters that are U+FFFD, after any re-decoding.
    pub replacement_share: f64,
    /// The encoding the text was re-decoded with, when the first decoding
    /// gave more than [`GARBLED_SHARE`] replacement characters and a
    /// statistical guess did better.
    pub redecoded_as: Option<&'static str>,
}

impl Integrity {
    /// Why the text is garbled (more than [`GARBLED_SHARE`] replacement
    /// characters even after re-decoding), or `None`.
    pub fn garbled(&self) -> Option<String> {
        (self.replacement_share > GARBLED_SHARE).then(|| {
            format!(
                "{:.1} % of the text's characters are U+FFFD (undecodable bytes), even after re-decoding with a detected charset",
                self.replacement_share * 100.0
            )
        })
    }
}

/// [`extract`], with the input's [`Integrity`]. A text with more than
/// [`GARBLED_SHARE`] replacement characters is decoded again with the
/// charset a statistical look at the bytes suggests (chardetng, ignoring
/// the header and `<meta>`), and the better of the two is kept, with a
/// warning naming the charset used.
pub fn extract_checked(bytes: &[u8], options: &ExtractOptions) -> Result<Extraction, ExtractError> {
    if bytes.len() > options.max_bytes {
        return Err(ExtractError::TooLarge {
            size: bytes.len(),
            limit: options.max_bytes,
        });
    }
    let first = run(bytes, options, None)?;
    let share = replacement_share(&first.document);
    // UTF-8 with a few broken bytes stays UTF-8: a legacy guess would
    // decode every byte, and garble every other non-ASCII character.
    let redo = match first.encoding {
        Some(used) if share > GARBLED_SHARE && !charset::mostly_utf8(bytes) => {
            let guess = charset::detect(bytes);
            (guess != used).then_some((used, guess))
        }
        _ => None,
    };
    if let Some((used, guess)) = redo
        && let Ok(mut second) = run(bytes, options, Some(guess))
    {
        let second_share = replacement_share(&second.document);
        if second_share < share {
            second.document.warnings.push(Warning::new(format!(
                "decoded as {} instead of the declared {}: {:.1} % of the text was undecodable that way",
                guess.name(),
                used.name(),
                share * 100.0
            )));
            return Ok(Extraction {
                document: second.document,
                integrity: Integrity {
                    cut_short: second.cut_short,
                    replacement_share: second_share,
                    redecoded_as: Some(guess.name()),
                },
            });
        }
    }
    Ok(Extraction {
        document: first.document,
        integrity: Integrity {
            cut_short: first.cut_short,
            replacement_share: share,
            redecoded_as: None,
        },
    })
}

/// The share of U+FFFD among the visible characters of a document's title
/// and provisions (0 for an empty document).
fn replacement_share(doc: &ExtractedDocument) -> f64 {
    let (mut bad, mut all) = (0usize, 0usize);
    let texts = doc
        .title
        .iter()
        .map(String::as_str)
        .chain(doc.provisions.iter().map(|p| p.text.as_str()));
    for text in texts {
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            all += 1;
            bad += usize::from(c == '\u{FFFD}');
        }
    }
    if all == 0 {
        0.0
    } else {
        bad as f64 / all as f64
    }
}

/// One pass of the pipeline.
struct Run {
    document: ExtractedDocument,
    /// The text encoding used (`None` for a PDF).
    encoding: Option<&'static encoding_rs::Encoding>,
    cut_short: Option<String>,
}

/// The pipeline, decoding with `forced` when given (see [`charset::decode`]).
fn run(
    bytes: &[u8],
    options: &ExtractOptions,
    forced: Option<&'static encoding_rs::Encoding>,
) -> Result<Run, ExtractError> {
    let mut warnings = Vec::new();
    let (text, format, encoding) = if sniff::sniff_bytes(bytes) == sniff::Content::Pdf {
        (String::new(), SourceFormat::Pdf, None)
    } else {
        let (text, format, encoding) = decode(
            bytes,
            options.content_type.as_deref(),
            forced,
            &mut warnings,
        )?;
        (text, format, Some(encoding))
    };
    let mut declared = false;
    let mut cut_short = None;
    if format != SourceFormat::Html && options.declaration.as_ref().is_some_and(|d| !d.is_empty()) {
        warnings.push(Warning::new(
            "the declaration's selectors were ignored: they apply to HTML pages only",
        ));
    }
    let (mut blocks, page_titles, html_lang) = match format {
        SourceFormat::Html => {
            // The text is not needed after the parse: it moves to the worker.
            let page = html::parse_guarded(text, options.declaration.clone())?;
            declared = page.declared;
            cut_short = page.cut_short;
            let titles: Vec<String> = page.og_title.into_iter().chain(page.title).collect();
            (page.blocks, titles, page.lang)
        }
        SourceFormat::Markdown => (markdown::parse(&text), Vec::new(), None),
        SourceFormat::Pdf => (read_pdf(bytes, &mut warnings)?, Vec::new(), None),
        SourceFormat::Text => (text::parse(&text), Vec::new(), None),
    };
    blocks::demote_long_headings(&mut blocks);
    let (mut keep, coverage) = if declared {
        (vec![true; blocks.len()], None)
    } else {
        let s = boilerplate::select(&blocks, format != SourceFormat::Html);
        (s.keep, Some(s.coverage))
    };
    if let Some(c) = coverage.filter(|c| *c < LOW_COVERAGE) {
        warnings.push(Warning::new(format!(
            "only {:.0} % of the page's running text could be kept as content",
            c * 100.0
        )));
    }
    let meta = meta::take_metadata(
        &blocks,
        &mut keep,
        &page_titles.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let content: Vec<blocks::Block> = blocks
        .into_iter()
        .zip(keep)
        .filter_map(|(b, k)| k.then_some(b))
        .collect();
    let content = boilerplate::rejoin(content);
    let provisions = segment::segment(&content, &mut warnings);
    if provisions.is_empty() {
        warnings.push(Warning::new(
            "no provisions found: the input has no recognisable running text",
        ));
    }
    let mut sample = meta.title.clone().unwrap_or_default();
    for p in &provisions {
        if sample.len() > 8_000 {
            break;
        }
        sample.push('\n');
        sample.push_str(&p.text);
    }
    let language = lang::detect(&sample, html_lang.as_deref());
    Ok(Run {
        document: ExtractedDocument {
            title: meta.title,
            effective_date: meta.effective_date,
            language,
            format,
            provisions,
            warnings,
            coverage: coverage.map(Coverage::from_share),
        },
        encoding,
        cut_short,
    })
}

/// Reads the text layer of a PDF into blocks.
#[cfg(feature = "pdf")]
fn read_pdf(bytes: &[u8], warnings: &mut Vec<Warning>) -> Result<Vec<blocks::Block>, ExtractError> {
    pdf::read(bytes, warnings)
}

/// This build has no PDF reader.
#[cfg(not(feature = "pdf"))]
fn read_pdf(_: &[u8], _: &mut Vec<Warning>) -> Result<Vec<blocks::Block>, ExtractError> {
    Err(ExtractError::Pdf(
        "this build of clausewatch has no PDF support (the `pdf` feature of cw-extract is off)"
            .into(),
    ))
}

/// Detects the format of a document from its content (never from a file
/// name). `None` when the bytes are empty or not a document (an image, an
/// archive, other binary data).
pub fn sniff_format(bytes: &[u8]) -> Option<SourceFormat> {
    let head = bytes.get(..SNIFF_BYTES).unwrap_or(bytes);
    decode(head, None, None, &mut Vec::new())
        .ok()
        .map(|(_, f, _)| f)
        .or_else(|| (sniff::sniff_bytes(bytes) == sniff::Content::Pdf).then_some(SourceFormat::Pdf))
}

/// How much of the input [`sniff_format`] looks at.
const SNIFF_BYTES: usize = 256 * 1024;

/// Refuses non-documents, decodes the text and decides its format.
fn decode(
    bytes: &[u8],
    content_type: Option<&str>,
    forced: Option<&'static encoding_rs::Encoding>,
    warnings: &mut Vec<Warning>,
) -> Result<(String, SourceFormat, &'static encoding_rs::Encoding), ExtractError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ExtractError::Empty);
    }
    match sniff::sniff_bytes(bytes) {
        sniff::Content::Pdf => {
            return Err(ExtractError::Pdf("the input is a PDF".to_string()));
        }
        sniff::Content::Binary(what) => {
            return Err(ExtractError::Binary {
                what: what.to_string(),
            });
        }
        sniff::Content::Text => {}
    }
    let (text, encoding) = charset::decode(bytes, content_type, forced, warnings);
    let text = match blocks::expand_ligatures(&text) {
        std::borrow::Cow::Owned(expanded) => expanded,
        std::borrow::Cow::Borrowed(_) => text,
    };
    if text
        .chars()
        .all(|c| c.is_whitespace() || c.is_control() || blocks::is_invisible(c))
    {
        return Err(ExtractError::Empty);
    }
    let format = sniff::sniff_text(&text);
    Ok((text, format, encoding))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_as_one_line() {
        let e = ExtractError::TooLarge { size: 10, limit: 5 };
        assert_eq!(
            e.to_string(),
            "the input is 10 bytes, more than the limit of 5 bytes"
        );
        let e = ExtractError::Binary {
            what: "a PNG image".into(),
        };
        assert_eq!(
            e.to_string(),
            "the input is a PNG image, not a text, HTML or Markdown document"
        );
    }

    #[test]
    fn sniffs_formats() {
        assert_eq!(sniff_format(b"%PDF-1.4\n"), Some(SourceFormat::Pdf));
        assert_eq!(
            sniff_format(b"<p>Hi</p><p>there</p><ul><li>x</li></ul>"),
            Some(SourceFormat::Html)
        );
        assert_eq!(
            sniff_format(b"# T\n\n**a** [b](c)"),
            Some(SourceFormat::Markdown)
        );
        assert_eq!(sniff_format(b"Plain words."), Some(SourceFormat::Text));
        assert_eq!(sniff_format(b"  \n"), None);
        assert_eq!(sniff_format(b"\x89PNG\r\n\x1a\n"), None);
    }
}
