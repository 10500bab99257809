//! `clausewatch label` (stdin lines → JSON lines, the interface evaluations use) and `train`.

use anyhow::{Context, bail};
use cw_analyze::{DocType, LabelContext, TrainOptions};
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

pub(crate) fn run(doc_type: Option<&str>) -> anyhow::Result<ExitCode> {
    let doc_type = match doc_type {
        None => DocType::Unknown,
        Some("tos" | "terms" | "terms-of-service") => DocType::Tos,
        Some("privacy" | "privacy-policy") => DocType::Privacy,
        Some("aup" | "acceptable-use-policy" | "community-guidelines") => DocType::Aup,
        Some(other) => bail!("unknown document type {other:?} (use tos, privacy or aup)"),
    };
    let ctx = LabelContext::with_doc_type(doc_type);
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.split(b'\n') {
        let line = line.context("cannot read stdin")?;
        let text = String::from_utf8_lossy(&line);
        let text = text.strip_suffix('\r').unwrap_or(&text);
        let labels: Vec<serde_json::Value> = cw_analyze::label(text, &ctx)
            .into_iter()
            .map(|l| {
                serde_json::json!({
                    "id": l.id,
                    "confidence": (f64::from(l.confidence) * 1000.0).round() / 1000.0,
                    "span": [l.span.0, l.span.1],
                    "source": l.source,
                })
            })
            .collect();
        serde_json::to_writer(&mut out, &serde_json::json!({ "labels": labels }))?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn train(corpus: &Path, output: &Path) -> anyhow::Result<ExitCode> {
    let model = cw_analyze::train(corpus, &TrainOptions::default())
        .with_context(|| format!("cannot train from {}", corpus.display()))?;
    std::fs::write(output, model.to_bytes())
        .with_context(|| format!("cannot write {}", output.display()))?;
    crate::output::text(&format!("model written to {}", output.display()))?;
    Ok(ExitCode::SUCCESS)
}
