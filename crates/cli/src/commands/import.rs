//! `clausewatch import PATH…`: archive files as versions of one document.
//!
//! Before and after the files, the derived data of the home is caught up
//! (`Engine::heal_derived`): a version left without its analysis or search
//! entries by a killed or concurrent import gets them here.

use crate::args::Format;
use crate::{input, output};
use anyhow::Context;
use cw_engine::{Engine, ImportRequest};
use cw_model::{DocumentKey, slugify};
use cw_store::DocumentMeta;
use std::path::PathBuf;
use std::process::ExitCode;

pub(crate) struct ImportArgs {
    pub(crate) platform: String,
    pub(crate) document: Option<String>,
    pub(crate) doc_type: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) observed_at: Option<chrono::NaiveDate>,
    /// `--observed-at-from-name`: each file's date is in its name.
    pub(crate) observed_at_from_name: bool,
    /// `--force`: keep a file the page classifier judges an error page or
    /// a wall, and record a version without provisions.
    pub(crate) force: bool,
    pub(crate) format: Format,
    /// Selectors given with `--select`/`--remove`, if any.
    pub(crate) declaration: Option<cw_extract::Declaration>,
}

/// How long a catch-up waits for another process's index writer per batch.
const HEAL_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Catches up missing derived data; a failure is a warning (derived data,
/// the next run repeats it), never the import's failure.
pub(crate) async fn heal(engine: &Engine) {
    match engine.heal_derived(HEAL_LOCK_WAIT).await {
        Ok(report) if report.versions() > 0 => {
            tracing::info!(
                versions = report.versions(),
                "caught up the analysis and search entries of earlier versions"
            );
        }
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(error = %e, "derived data not caught up; the next import retries");
        }
    }
}

pub(crate) async fn run(
    engine: &Engine,
    paths: &[PathBuf],
    args: ImportArgs,
) -> anyhow::Result<ExitCode> {
    let files = plan(paths, args.observed_at_from_name)?;
    heal(engine).await;
    let mut reports = Vec::new();
    let mut failed = 0usize;
    // One file: a spinner (a 50 MB file takes minutes); several: a bar.
    let bar = if files.len() > 1 {
        let bar = crate::progress::bar("importing");
        bar.set_length(files.len() as u64);
        bar
    } else {
        crate::progress::spinner("importing")
    };
    for (path, observed_at) in &files {
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        bar.set_message(format!("{} ({})", path.display(), input::human_bytes(size)));
        let outcome = import_one(engine, path, *observed_at, &args).await;
        bar.inc(1);
        match outcome {
            Ok(report) => {
                if args.format != Format::Json {
                    bar.suspend(|| -> anyhow::Result<()> {
                        output::text(&report.outcome_text())?;
                        for w in &report.warnings {
                            output::text(&format!("  warning: {w}"))?;
                        }
                        Ok(())
                    })?;
                }
                reports.push(report);
            }
            Err(e) => {
                failed += 1;
                bar.suspend(|| output::error_line(&e));
            }
        }
    }
    bar.finish_and_clear();
    heal(engine).await;
    if args.format == Format::Json {
        output::json(&reports)?;
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The files to import with the time each was observed, if the name says:
/// folders stand for their files (by name, hidden files left out); with
/// `from_name` every file must state its date and the files go in date
/// order (then by name), through the same name-date reader as the dated
/// folders of `import-history`.
fn plan(
    paths: &[PathBuf],
    from_name: bool,
) -> anyhow::Result<Vec<(PathBuf, Option<chrono::DateTime<chrono::Utc>>)>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("cannot read the folder {}", path.display()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && !file_name(p).starts_with('.'))
                .collect();
            inside.sort();
            if inside.is_empty() {
                anyhow::bail!("the folder {} holds no files", path.display());
            }
            files.extend(inside);
        } else {
            files.push(path.clone());
        }
    }
    if !from_name {
        return Ok(files.into_iter().map(|f| (f, None)).collect());
    }
    let mut undated = Vec::new();
    let mut dated = Vec::new();
    for f in files {
        match cw_backfill::date_in_name(&file_name(&f)) {
            Some(at) => dated.push((f, Some(at))),
            None => undated.push(f.display().to_string()),
        }
    }
    if !undated.is_empty() {
        anyhow::bail!(
            "--observed-at-from-name: no date (YYYY-MM-DD or YYYYMMDD) in the name of {}",
            undated.join(", ")
        );
    }
    dated.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    Ok(dated)
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

async fn import_one(
    engine: &Engine,
    path: &std::path::Path,
    named_at: Option<chrono::DateTime<chrono::Utc>>,
    args: &ImportArgs,
) -> anyhow::Result<cw_engine::ImportReport> {
    let mut options = cw_extract::ExtractOptions::default();
    options.declaration = args.declaration.clone();
    let bytes = input::read_file(path, options.max_bytes)?;
    if !args.force {
        refuse_fetch_states(path, &bytes)?;
    }
    let document = match &args.document {
        Some(d) => d.clone(),
        None => {
            let doc = cw_extract::extract(&bytes, &options)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let title = doc.title.unwrap_or_default();
            let slug: String = slugify(&title).chars().take(60).collect();
            if slug.is_empty() || !slug.is_ascii() {
                anyhow::bail!(
                    "{}: no usable title to name the document; pass --document",
                    path.display()
                );
            }
            slug
        }
    };
    let key = DocumentKey::new(&args.platform, &document)?;
    let mut request = ImportRequest::new(key, bytes, path.display().to_string());
    request.meta = DocumentMeta {
        doc_type: args.doc_type.clone(),
        region: args.region.clone(),
        source_url: args.url.clone(),
    };
    if let Some(d) = args.observed_at
        && d > chrono::Utc::now().date_naive()
    {
        anyhow::bail!("--observed-at {d} is in the future: give the date the copy was seen");
    }
    if let Some(at) = named_at
        && at > chrono::Utc::now()
    {
        anyhow::bail!(
            "{}: the date in its name, {}, is in the future",
            path.display(),
            at.date_naive()
        );
    }
    request.observed_at = named_at.or(args.observed_at.map(cw_engine::start_of_day));
    request.extract = options;
    request.allow_no_provisions = args.force;
    match engine.import(request).await {
        Err(cw_engine::EngineError::NoProvisions { .. }) => anyhow::bail!(
            "cannot import {}: no provisions found (a page that is only an image or an SVG?); \
             pass --force to record it as a version anyway",
            path.display()
        ),
        other => other.with_context(|| format!("cannot import {}", path.display())),
    }
}

/// Refuses a file that `track` would not take as a version either: the
/// fetch crate's page classifier (the one the watcher uses) judges it an
/// error page, a "not found" page, a bot wall, a captcha or a sign-in wall.
/// A short file is not refused for being short (`import` takes text
/// excerpts); `--force` skips the check.
fn refuse_fetch_states(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    if cw_extract::sniff_format(bytes) == Some(cw_model::SourceFormat::Pdf) {
        return Ok(());
    }
    let verdict = cw_fetch::classify_page(200, None, bytes);
    if verdict.is_content() || matches!(verdict, cw_fetch::PageVerdict::Empty { .. }) {
        return Ok(());
    }
    anyhow::bail!(
        "{}: this looks like a {} page ({}), not a copy of the document; `track` refuses such pages too. Pass --force to import it anyway",
        path.display(),
        verdict.code().replace('_', " "),
        verdict.signal().unwrap_or("no detail")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn refuses_what_track_refuses_unless_forced() {
        let error_page = b"<!DOCTYPE html><html><head><title>Page Not Found</title></head>\
            <body><h1>Sorry, this page isn't available.</h1>\
            <p>The link you followed may be broken, or the page may have been removed.</p>\
            <a href=\"/\">Go back home</a></body></html>";
        let err = refuse_fetch_states(Path::new("terms.html"), error_page)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("soft not found"), "{err}");
        assert!(err.contains("--force"), "{err}");
        let terms = format!(
            "<html><head><title>Terms of Service</title></head><body><h1>Terms</h1>{}</body></html>",
            "<p>You agree to use the service lawfully and to keep your password secret.</p>"
                .repeat(20)
        );
        assert!(refuse_fetch_states(Path::new("terms.html"), terms.as_bytes()).is_ok());
        // A short plain-text excerpt is not refused for being short.
        assert!(refuse_fetch_states(Path::new("aup.txt"), b"No spam.").is_ok());
    }
}
