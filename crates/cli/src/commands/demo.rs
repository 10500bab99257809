//! `clausewatch demo`: load the sample corpus (and the seed documents when present).

use crate::output;
use cw_engine::{Engine, ImportRequest};
use cw_model::DocumentKey;
use cw_store::DocumentMeta;
use std::path::Path;
use std::process::ExitCode;

/// The seed documents the project was started from, by file name: which
/// document each is a copy of. Unknown files in the folder are skipped.
const SEEDS: &[(&str, &str, &str, &str, Option<&str>)] = &[
    (
        "002_15648575c5abf10e.txt",
        "aws",
        "aup-global",
        "acceptable-use-policy",
        None,
    ),
    (
        "001_f6a6c2ff7fccd97e.txt",
        "aws",
        "aup-ningxia",
        "acceptable-use-policy",
        Some("cn-northwest-1"),
    ),
    (
        "000_3e6e674a31a59b81.txt",
        "aws",
        "aup-beijing",
        "acceptable-use-policy",
        Some("cn-north-1"),
    ),
    (
        "003_8cf4dd9642cd441a.txt",
        "aws",
        "privacy-cn",
        "privacy-policy",
        Some("cn-north-1"),
    ),
];

pub(crate) async fn run(engine: &Engine, home: &Path, seeds: &Path) -> anyhow::Result<ExitCode> {
    output::text(&format!(
        "Loading the sample corpus into {}",
        home.display()
    ))?;
    for report in engine.import_demo().await? {
        output::text(&format!("  {}", report.outcome_text()))?;
    }
    if seeds.is_dir() {
        output::text(&format!(
            "Loading the seed documents from {}",
            seeds.display()
        ))?;
        for (file, platform, document, doc_type, region) in SEEDS {
            let path = seeds.join(file);
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let mut req = ImportRequest::new(
                DocumentKey::new(platform, document)?,
                bytes,
                path.display().to_string(),
            );
            req.meta = DocumentMeta {
                doc_type: Some((*doc_type).to_string()),
                region: region.map(str::to_string),
                source_url: None,
            };
            match engine.import(req).await {
                Ok(r) => output::text(&format!("  {}", r.outcome_text()))?,
                Err(e) => {
                    output::error_line(&anyhow::Error::from(e).context(format!("seed {file}")))
                }
            }
        }
    }
    // The commands run as printed from this folder: they name the home
    // unless it is the default one.
    let home_arg = if home == Path::new("clausewatch-data") {
        String::new()
    } else {
        let h = home.display().to_string();
        if h.contains(char::is_whitespace) {
            format!(" --home '{h}'")
        } else {
            format!(" --home {h}")
        }
    };
    let mut tries = String::from("\nTry:");
    for cmd in [
        "documents",
        "timeline example-cloud/aup",
        "diff example-cloud/aup",
        "diff example-cloud/aup@1 example-cloud/aup@2",
        "diff aws/aup-global aws/aup-beijing",
    ] {
        tries.push_str(&format!("\n  clausewatch{home_arg} {cmd}"));
    }
    output::text(&tries)?;
    Ok(ExitCode::SUCCESS)
}
