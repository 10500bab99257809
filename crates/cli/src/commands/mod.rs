//! One module per subcommand; `run` dispatches and turns results into exit codes.

mod demo;
mod diff;
mod extract;
mod history;
mod import;
mod label;
mod search;
mod store_views;

use crate::args::{Cli, Command};
use anyhow::Context;
use cw_engine::Engine;
use std::path::Path;
use std::process::ExitCode;

/// Runs the parsed command.
pub(crate) async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let home = cli.global.home;
    match cli.command {
        Command::Extract { file, format } => extract::run(&file, format),
        Command::Import {
            paths,
            platform,
            document,
            doc_type,
            region,
            url,
            observed_at,
            format,
        } => {
            let args = import::ImportArgs {
                platform,
                document,
                doc_type,
                region,
                url,
                observed_at,
                format,
            };
            import::run(&open(&home).await?, &paths, args).await
        }
        Command::Documents { format } => {
            store_views::documents(&open_existing(&home).await?, format).await
        }
        Command::Versions { document, format } => {
            store_views::versions(&open_existing(&home).await?, &document, format).await
        }
        Command::Show { version, format } => {
            store_views::show(&open_existing(&home).await?, &version, format).await
        }
        Command::Diff {
            old,
            new,
            format,
            all,
        } => diff::run(&home, &old, &new, format, all).await,
        Command::Timeline { document, format } => {
            history::timeline(&open_existing(&home).await?, &document, format).await
        }
        Command::History {
            document,
            provision,
            format,
        } => history::history(&open_existing(&home).await?, &document, &provision, format).await,
        Command::Search {
            query,
            all_versions,
            limit,
            format,
        } => search::run(
            &open_existing(&home).await?,
            &query,
            all_versions,
            limit,
            format,
        ),
        Command::Label { doc_type } => label::run(doc_type.as_deref()),
        Command::Train { corpus, output } => label::train(&corpus, &output),
        Command::Reindex => search::reindex(&open_existing(&home).await?).await,
        Command::Demo { seeds } => demo::run(&open(&home).await?, &home, &seeds).await,
    }
}

/// Opens the home folder, creating it when missing.
pub(crate) async fn open(home: &Path) -> anyhow::Result<Engine> {
    Engine::open(home)
        .await
        .with_context(|| format!("cannot open the clausewatch home {}", home.display()))
}

/// Opens an existing home folder; a read-only command never creates one.
pub(crate) async fn open_existing(home: &Path) -> anyhow::Result<Engine> {
    if !home.join("clausewatch.db").exists() {
        anyhow::bail!(
            "no clausewatch home at {} (import something first, run `clausewatch demo`, or pass --home)",
            home.display()
        );
    }
    open(home).await
}
