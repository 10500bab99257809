//! `clausewatch check DOC`: regulatory findings of a document's version,
//! each citing its provision and stating that it is a risk indicator, not a
//! legal determination.

use crate::args::Format;
use crate::output;
use cw_engine::{CheckReport, Engine, shorten};
use cw_model::VersionRef;
use std::fmt::Write as _;
use std::process::ExitCode;

pub(crate) async fn run(
    engine: &Engine,
    document: &str,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let r: VersionRef = document.parse()?;
    let report = engine.check(&r).await?;
    if format == Format::Json {
        output::json(&report)?;
    } else {
        output::text(&render(&report))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn render(r: &CheckReport) -> String {
    let mut out = format!(
        "{}@{} ({}): {} finding(s)\n\n",
        r.document,
        r.version,
        r.doc_type,
        r.findings.len()
    );
    for (i, f) in r.findings.iter().enumerate() {
        let x = &f.finding;
        let _ = writeln!(
            out,
            "{}. {} art. {} [{}]",
            i + 1,
            x.regulation,
            x.article,
            x.check
        );
        let _ = writeln!(out, "   {}", x.message);
        match &x.provision_id {
            Some(id) => {
                let heading = f
                    .heading_path
                    .as_ref()
                    .filter(|h| !h.is_empty())
                    .map(|h| format!(" [{}]", h.join(" › ")))
                    .unwrap_or_default();
                let _ = writeln!(out, "   provision {id}{heading}");
                if let Some(t) = &f.provision_text {
                    let _ = writeln!(out, "   “{}”", shorten(t, 240));
                }
            }
            None => out.push_str("   whole document\n"),
        }
        if let Some(e) = &x.evidence {
            let _ = writeln!(out, "   evidence: “{}”", shorten(e, 160));
        }
        let _ = writeln!(out, "   {}", x.caveat);
        out.push('\n');
    }
    if r.findings.is_empty() {
        out.push_str("no regulatory check raised a finding\n\n");
    }
    let _ = writeln!(
        out,
        "Every finding is a {}; analyzer {}.",
        r.caveat, r.analyzer_version
    );
    out
}
