//! `clausewatch announcements [DOC]`: announced vs silent changes (issue #23).

use crate::args::Format;
use crate::output;
use anyhow::Context;
use cw_engine::{Announcement, Engine};
use cw_model::DocumentKey;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::ExitCode;

#[derive(Serialize)]
struct Report {
    /// Versions with a change record, per class.
    counts: BTreeMap<&'static str, usize>,
    /// The checks listed (flagged ones, or all with --all).
    checks: Vec<cw_engine::AnnouncementCheck>,
}

pub(crate) async fn run(
    engine: &Engine,
    document: Option<&str>,
    all: bool,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let keys: Vec<DocumentKey> = match document {
        Some(d) => vec![
            d.parse()
                .with_context(|| format!("bad document name {d:?}"))?,
        ],
        None => engine
            .store()
            .documents()
            .await?
            .into_iter()
            .map(|d| d.key)
            .collect(),
    };
    let mut report = Report {
        counts: BTreeMap::new(),
        checks: Vec::new(),
    };
    for key in &keys {
        for check in engine.announcements(key).await? {
            *report.counts.entry(check.class.as_str()).or_default() += 1;
            if all || check.class.is_flagged() {
                report.checks.push(check);
            }
        }
    }
    if format == Format::Json {
        output::json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    for (class, n) in &report.counts {
        let _ = writeln!(out, "{class}: {n}");
    }
    for c in &report.checks {
        let date = |d: Option<chrono::NaiveDate>| d.map_or("-".to_string(), |d| d.to_string());
        let _ = writeln!(
            out,
            "{}@{} {} (vs @{}): stated {} → {}, {} substantive: {}",
            c.document,
            c.version,
            c.observed_at.format("%Y-%m-%d"),
            c.previous,
            date(c.previous_effective_date),
            date(c.effective_date),
            c.substantive,
            if c.class == Announcement::Announced {
                "announced"
            } else {
                c.class.describe()
            }
        );
    }
    output::text(&out)?;
    Ok(ExitCode::SUCCESS)
}
