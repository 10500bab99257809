//! Printing a report to PDF with Debian's headless Chromium
//! (`--print-to-pdf`). Page numbers come from the print CSS (`@page`
//! margin boxes). The table of contents gets page numbers in a second
//! pass: the first PDF is read back with `pdftotext` (poppler-utils) to
//! find the page of each section's marker (an invisible, absolutely
//! positioned span that takes no room), and the page is printed again
//! without the markers and with the numbers filled in (they take the space
//! reserved for them, so the layout does not move). Without `pdftotext` the contents keep their
//! links but show no page numbers.

use crate::data::Report;
use crate::error::ReportError;
use crate::html::{marker, render_html, render_html_marked, sections};
use cw_chromium::{Launch, Reach};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Where the tools are and how long Chromium may take.
#[derive(Debug, Clone)]
pub struct PdfOptions {
    /// The Chromium binary (`CLAUSEWATCH_CHROMIUM`, default Debian's).
    pub chromium: PathBuf,
    /// `pdftotext`, for the page numbers of the contents; `None` to skip.
    pub pdftotext: Option<PathBuf>,
    /// Longest time one Chromium run may take before it is killed.
    pub timeout: Duration,
}

impl Default for PdfOptions {
    fn default() -> Self {
        let chromium = cw_chromium::default_executable();
        let pdftotext = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.is_file());
        PdfOptions {
            chromium,
            pdftotext,
            timeout: Duration::from_secs(120),
        }
    }
}

/// Prints the report to `output` as PDF. Returns how many sections of the
/// contents got a page number (0 without `pdftotext`).
pub fn print_pdf(
    report: &Report,
    output: &Path,
    options: &PdfOptions,
) -> Result<usize, ReportError> {
    let work = tempfile::Builder::new()
        .prefix("clausewatch-pdf-")
        .tempdir()
        .map_err(|e| ReportError::io("creating a temporary folder in", std::env::temp_dir(), e))?;
    let first = work.path().join("pass1.pdf");
    let Some(tool) = &options.pdftotext else {
        // No way to read pages back: one pass, contents without page numbers.
        print_html(
            &render_html(report, &HashMap::new()),
            &first,
            work.path(),
            options,
        )?;
        std::fs::copy(&first, output).map_err(|e| ReportError::io("writing", output, e))?;
        return Ok(0);
    };
    print_html(
        &render_html_marked(report, &HashMap::new()),
        &first,
        work.path(),
        options,
    )?;
    // The final pass never carries the markers (they would be in the text layer).
    let pages = locate_sections(report, &first, tool)?;
    let second = work.path().join("pass2.pdf");
    print_html(&render_html(report, &pages), &second, work.path(), options)?;
    std::fs::copy(&second, output).map_err(|e| ReportError::io("writing", output, e))?;
    Ok(pages.len())
}

/// Runs Chromium once on an HTML string.
fn print_html(
    html: &str,
    pdf: &Path,
    work: &Path,
    options: &PdfOptions,
) -> Result<(), ReportError> {
    let page = work.join("report.html");
    std::fs::write(&page, html).map_err(|e| ReportError::io("writing", &page, e))?;
    // A fresh, isolated profile per run, and a browser that can reach no
    // host at all: the report is a local file with everything inline.
    let profile = tempfile::Builder::new()
        .prefix("profile-")
        .tempdir_in(work)
        .map_err(|e| ReportError::io("creating a profile folder in", work, e))?;
    cw_chromium::prepare_profile(profile.path())
        .map_err(|e| ReportError::io("writing the profile of", profile.path(), e))?;
    let launch = Launch::new(&options.chromium, Reach::Nothing)
        .map_err(|e| ReportError::Pdf(e.to_string()))?
        .arg("--no-pdf-header-footer")
        .arg("--generate-pdf-document-outline")
        .arg(format!("--print-to-pdf={}", pdf.display()));
    let mut child = launch
        .command(profile.path())
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            ReportError::Pdf(format!(
                "cannot start {} ({e}); install Debian's chromium or set CLAUSEWATCH_CHROMIUM",
                launch.executable().display()
            ))
        })?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > options.timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ReportError::Pdf(format!(
                    "chromium did not finish within {}s",
                    options.timeout.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(ReportError::Pdf(format!("waiting for chromium: {e}"))),
        }
    };
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        use std::io::Read;
        let _ = err.read_to_string(&mut stderr);
    }
    let written = std::fs::metadata(pdf).map(|m| m.len()).unwrap_or(0);
    if !status.success() || written == 0 {
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(ReportError::Pdf(format!(
            "chromium exited with {status} and wrote {written} bytes: {last}"
        )));
    }
    Ok(())
}

/// Finds the page of every section marker in a printed PDF.
fn locate_sections(
    report: &Report,
    pdf: &Path,
    pdftotext: &Path,
) -> Result<HashMap<String, u32>, ReportError> {
    let out = Command::new(pdftotext)
        .arg(pdf)
        .arg("-")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| ReportError::Pdf(format!("cannot run {}: {e}", pdftotext.display())))?;
    if !out.status.success() {
        tracing::warn!("pdftotext failed; the contents get no page numbers");
        return Ok(HashMap::new());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    // pdftotext separates pages with form feeds; markers may be broken across lines.
    let pages: Vec<String> = text
        .split('\u{c}')
        .map(|p| p.split_whitespace().collect::<String>())
        .collect();
    let mut found = HashMap::new();
    for (anchor, _, _) in sections(report) {
        let m: String = marker(&anchor).split_whitespace().collect();
        if let Some(i) = pages.iter().position(|p| p.contains(&m)) {
            found.insert(anchor, u32::try_from(i + 1).unwrap_or(u32::MAX));
        }
    }
    Ok(found)
}
