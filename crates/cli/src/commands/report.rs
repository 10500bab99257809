//! `clausewatch report DOC|PLATFORM`: an evidence report as HTML, Markdown or PDF.

use crate::args::ReportFormat;
use crate::output;
use anyhow::Context;
use chrono::{NaiveDate, Utc};
use cw_engine::Engine;
use cw_report::{PdfOptions, ReportOptions, Scope};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(crate) async fn run(
    engine: &Engine,
    target: &str,
    since: Option<NaiveDate>,
    format: ReportFormat,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let scope: Scope = target
        .parse()
        .with_context(|| format!("{target:?} is neither PLATFORM nor PLATFORM/DOCUMENT"))?;
    let options = ReportOptions {
        since,
        generator: format!("clausewatch {}", env!("CARGO_PKG_VERSION")),
        generated_at: Utc::now(),
    };
    let report = cw_report::gather(engine.store(), &scope, &options)
        .await
        .with_context(|| format!("cannot build the report of {scope}"))?;
    match format {
        ReportFormat::Html => write(output, &cw_report::render_html(&report, &HashMap::new()))?,
        ReportFormat::Md => write(output, &cw_report::render_markdown(&report))?,
        ReportFormat::Pdf => {
            let path: PathBuf = output.map(Path::to_path_buf).unwrap_or_else(|| {
                PathBuf::from(format!("{}-report.pdf", target.replace('/', "-")))
            });
            let target_path = path.clone();
            let located = tokio::task::spawn_blocking(move || {
                cw_report::print_pdf(&report, &target_path, &PdfOptions::default())
            })
            .await
            .context("the PDF printer stopped")?
            .with_context(|| format!("cannot print {}", path.display()))?;
            output::text(&format!(
                "wrote {} ({located} contents entries with page numbers)",
                path.display()
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write(output: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => output::text(text),
    }
}
