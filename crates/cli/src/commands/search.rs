//! `clausewatch search QUERY` and `clausewatch reindex`.

use crate::args::Format;
use crate::output;
use cw_engine::{Engine, EngineError};
use cw_search::SearchOptions;
use std::fmt::Write as _;
use std::process::ExitCode;

pub(crate) fn run(
    engine: &Engine,
    query: &str,
    all_versions: bool,
    limit: usize,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let options = SearchOptions {
        all_versions,
        limit,
        offset: 0,
    };
    let results = match engine.search(query, &options) {
        Ok(r) => r,
        Err(EngineError::Search(e)) if e.is_user_error() => {
            output::error_line(&anyhow::anyhow!("{e}"));
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    if format == Format::Json {
        output::json(&results)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = format!("{} match(es) for {}\n", results.total, query);
    for h in &results.hits {
        let _ = writeln!(
            out,
            "\n{}@{} ({})  {}  [{}]",
            h.document,
            h.version_number,
            h.version_date,
            h.heading_path.join(" › "),
            h.provision_id
        );
        let _ = writeln!(out, "  {}", h.snippet_text);
    }
    output::text(&out)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn reindex(engine: &Engine) -> anyhow::Result<ExitCode> {
    let n = engine.reindex().await?;
    output::text(&format!("indexed {n} provisions"))?;
    Ok(ExitCode::SUCCESS)
}
