//! `clausewatch extract FILE`: one file to clean provisions.

use crate::args::{DeclarationArgs, Format};
use crate::{input, output};
use cw_extract::ExtractOptions;
use std::path::Path;
use std::process::ExitCode;

pub(crate) fn run(
    file: &Path,
    format: Format,
    declaration: &DeclarationArgs,
) -> anyhow::Result<ExitCode> {
    let mut options = ExtractOptions::default();
    options.declaration = declaration.declaration();
    let bytes = input::read_file(file, options.max_bytes)?;
    let doc = cw_extract::extract(&bytes, &options)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    match format {
        Format::Json => output::json(&doc)?,
        Format::Markdown => output::text(&cw_extract::render_markdown(&doc))?,
        Format::Text | Format::Html => output::text(&cw_extract::render_text(&doc))?,
    }
    Ok(ExitCode::SUCCESS)
}
