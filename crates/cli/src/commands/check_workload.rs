//! `clausewatch check-workload "DESCRIPTION"`: the provisions of tracked
//! platforms (documents in force) that a described activity may fall under,
//! with their labels and quotes.

use crate::args::Format;
use crate::output;
use cw_engine::{Engine, WorkloadReport, shorten};
use std::fmt::Write as _;
use std::process::ExitCode;

pub(crate) async fn run(
    engine: &Engine,
    description: &str,
    limit: usize,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let report = engine.check_workload(description, limit).await?;
    if format == Format::Json {
        output::json(&report)?;
    } else {
        output::text(&render(&report))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn render(r: &WorkloadReport) -> String {
    let mut out = format!("Workload: “{}”\n\n", r.description);
    for a in &r.activities {
        let _ = writeln!(
            out,
            "{}   (terms: {})",
            a.label,
            a.terms
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(out, "  {}.", a.adoption.sentence);
        for h in &a.provisions {
            let heading = if h.heading_path.is_empty() {
                String::new()
            } else {
                format!(" [{}]", h.heading_path.join(" › "))
            };
            let _ = writeln!(
                out,
                "  - {}@{} {}{heading}",
                h.document, h.version, h.provision_id
            );
            let _ = writeln!(out, "    “{}”", shorten(&h.quote, 200));
            if h.text != h.quote {
                let _ = writeln!(out, "    in: {}", shorten(&h.text, 240));
            }
            let _ = writeln!(out, "    labels: {}", h.labels.join(", "));
        }
        if a.provisions.is_empty() {
            out.push_str("  no tracked document in force has such a provision\n");
        }
        out.push('\n');
    }
    if let Some(note) = &r.note {
        let _ = writeln!(out, "{note}.\n");
    }
    let _ = writeln!(out, "Each match is a {}.", r.caveat);
    out
}
