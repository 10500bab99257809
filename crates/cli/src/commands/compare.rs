//! `clausewatch compare DOC PROVISION`: how other platforms handle a
//! provision — the closest provisions of other platforms' documents in force
//! that share its labels (BM25, computed locally), with adoption counts.

use crate::args::Format;
use crate::output;
use cw_engine::{Comparison, Engine, shorten};
use cw_model::VersionRef;
use std::fmt::Write as _;
use std::process::ExitCode;

pub(crate) async fn run(
    engine: &Engine,
    document: &str,
    provision: &str,
    limit: usize,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let r: VersionRef = document.parse()?;
    let c = engine.compare(&r, provision, limit).await?;
    if format == Format::Json {
        output::json(&c)?;
    } else {
        output::text(&render(&c))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn render(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}@{} {}", c.document, c.version, c.provision_id);
    if !c.heading_path.is_empty() {
        let _ = writeln!(out, "  [{}]", c.heading_path.join(" › "));
    }
    let _ = writeln!(out, "  “{}”", shorten(&c.text, 300));
    if c.labels.is_empty() {
        out.push_str("  labels: none\n");
    } else {
        let ls: Vec<String> = c
            .labels
            .iter()
            .map(|l| format!("{} {:.2}", l.id, l.confidence))
            .collect();
        let _ = writeln!(out, "  labels: {}", ls.join(" · "));
    }
    out.push('\n');
    if !c.labels.is_empty() {
        let _ = writeln!(out, "{}.", c.adoption.sentence);
        for a in &c.by_label {
            let _ = writeln!(
                out,
                "  {:<44} {} of {}{}",
                a.labels.join(","),
                a.platforms_with,
                a.platforms_total,
                if a.platforms.is_empty() {
                    String::new()
                } else {
                    format!("  ({})", a.platforms.join(", "))
                }
            );
        }
        out.push('\n');
    }
    if let Some(note) = &c.note {
        let _ = writeln!(out, "{note}.");
    }
    for (i, m) in c.matches.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. {}@{} {}   score {:.2}   shares {}",
            i + 1,
            m.document,
            m.version,
            m.provision_id,
            m.score,
            m.shared_labels.join(", ")
        );
        if !m.heading_path.is_empty() {
            let _ = writeln!(out, "   [{}]", m.heading_path.join(" › "));
        }
        let _ = writeln!(out, "   “{}”", shorten(&m.text, 300));
        out.push('\n');
    }
    out
}
