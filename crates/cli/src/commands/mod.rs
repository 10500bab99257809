//! One module per subcommand; `run` dispatches and turns results into exit codes.

mod analyze;
mod announcements;
mod check;
mod check_workload;
mod compare;
mod demo;
mod diff;
mod export;
mod extract;
mod history;
mod import;
mod import_history;
mod label;
mod migrate;
mod reextract;
mod report;
mod search;
mod serve;
mod store_views;
mod subscribe;
mod token;
mod track;
mod variants;
mod verify;
mod watch;
mod worker;

use crate::args::{Cli, Command};
use anyhow::Context;
use cw_engine::Engine;
use std::path::Path;
use std::process::ExitCode;

/// Runs the parsed command.
pub(crate) async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let home = cli.global.home;
    // --database/--archive apply to every command that opens the store.
    let _ = STORE_OPTIONS.set(cw_store::StoreOptions {
        database: cli.global.database.clone(),
        archive: cli.global.archive.clone(),
        s3: None,
    });
    match cli.command {
        Command::Extract {
            file,
            format,
            declaration,
        } => extract::run(&file, format, &declaration),
        Command::Import {
            paths,
            platform,
            document,
            doc_type,
            region,
            url,
            observed_at,
            observed_at_from_name,
            force,
            format,
            declaration,
        } => {
            let args = import::ImportArgs {
                platform,
                document,
                doc_type,
                region,
                url,
                observed_at,
                observed_at_from_name,
                force,
                format,
                declaration: declaration.declaration(),
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
        } => match new {
            Some(new) => diff::run(&home, &old, &new, format, all).await,
            None => diff::latest(&home, &old, format, all).await,
        },
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
        Command::Analyze {
            version,
            all,
            format,
        } => {
            analyze::run(
                &open_existing(&home).await?,
                version.as_deref(),
                all,
                format,
            )
            .await
        }
        Command::Compare {
            version,
            provision,
            limit,
            format,
        } => {
            compare::run(
                &open_existing(&home).await?,
                &version,
                &provision,
                limit,
                format,
            )
            .await
        }
        Command::Check { version, format } => {
            check::run(&open_existing(&home).await?, &version, format).await
        }
        Command::CheckWorkload {
            description,
            limit,
            format,
        } => check_workload::run(&open_existing(&home).await?, &description, limit, format).await,
        Command::Label { doc_type } => label::run(doc_type.as_deref()),
        Command::Train { corpus, output } => label::train(&corpus, &output),
        Command::Reindex => search::reindex(&open_existing(&home).await?).await,
        Command::Announcements {
            document,
            all,
            format,
        } => {
            announcements::run(
                &open_existing(&home).await?,
                document.as_deref(),
                all,
                format,
            )
            .await
        }
        Command::Variants { action } => variants::run(&open_existing(&home).await?, action).await,
        Command::ImportHistory {
            source,
            snapshots,
            document,
            kind,
            no_derive,
            quiet,
            format,
        } => {
            let args = import_history::Args {
                source,
                snapshots,
                document,
                kind,
                derive: !no_derive,
                quiet,
                format,
            };
            import_history::run(&open(&home).await?, args).await
        }
        Command::Reextract {
            document,
            dry_run,
            format,
        } => {
            reextract::run(
                &open_existing(&home).await?,
                document.as_deref(),
                dry_run,
                format,
            )
            .await
        }
        Command::Track {
            url,
            platform,
            document,
            every,
            cron,
            select,
            remove,
            browser,
            no_browser,
            language,
            allow_private,
            confirmations,
            format,
        } => {
            let document = cw_model::DocumentKey::new(&platform, &document)
                .with_context(|| format!("bad document name {platform}/{document}"))?;
            let request = cw_engine::watch::TrackRequest {
                document,
                url,
                schedule: cw_engine::watch::schedule_from(every.as_deref(), cron.as_deref())?,
                select_css: select,
                remove_css: remove,
                browser,
                no_browser,
                language,
                allow_private,
                confirmations: confirmations.unwrap_or(cw_engine::watch::DEFAULT_CONFIRMATIONS),
            };
            track::track(&open(&home).await?, &request, format).await
        }
        Command::Untrack { document } => {
            track::untrack(&open_existing(&home).await?, &document).await
        }
        Command::Sources { all, format } => track::sources(&open(&home).await?, all, format).await,
        Command::Settings { action } => track::settings(&open(&home).await?, action).await,
        Command::Watch {
            once,
            all,
            allow_private,
            no_browser,
            concurrency,
            per_host_delay,
            timeout,
            confirm_after,
            alerts,
            format,
        } => {
            let args = watch::WatchArgs {
                once,
                all,
                allow_private,
                no_browser,
                concurrency,
                per_host_delay,
                timeout,
                confirm_after,
                alerts,
                format,
            };
            watch::run(open(&home).await?, args).await
        }
        Command::Worker {
            until_idle,
            id,
            lease,
            batch,
            poll,
            max_attempts,
            allow_private,
            no_browser,
            concurrency,
            per_host_delay,
            timeout,
            confirm_after,
            alerts,
            format,
        } => {
            let watch = watch::WatchArgs {
                once: false,
                all: false,
                allow_private,
                no_browser,
                concurrency,
                per_host_delay,
                timeout,
                confirm_after,
                alerts,
                format,
            };
            let args = worker::WorkerArgs {
                until_idle,
                id,
                lease,
                batch,
                poll,
                max_attempts,
            };
            worker::run(open(&home).await?, watch, args).await
        }
        Command::Subscribe {
            webhook,
            secret,
            email,
            feed,
            platform,
            document,
            label,
            substantive_only,
            flag,
            allow_private,
            format,
        } => {
            let args = subscribe::SubscribeArgs {
                flag,
                webhook,
                secret,
                email,
                feed,
                platform,
                document,
                label,
                substantive_only,
                allow_private,
                format,
            };
            subscribe::subscribe(&open(&home).await?, args).await
        }
        Command::Subscriptions { all, format } => {
            subscribe::subscriptions(&open(&home).await?, all, format).await
        }
        Command::Unsubscribe { subscription } => {
            subscribe::unsubscribe(&open_existing(&home).await?, &subscription).await
        }
        Command::Report {
            target,
            since,
            format,
            output,
        } => {
            report::run(
                &open_existing(&home).await?,
                &target,
                since,
                format,
                output.as_deref(),
            )
            .await
        }
        Command::Export {
            format,
            since,
            output,
            with_archive,
        } => {
            export::export(
                &open_existing(&home).await?,
                format,
                since,
                &output,
                with_archive,
            )
            .await
        }
        Command::ImportDataset { dir, format } => {
            export::import(&open(&home).await?, &dir, format).await
        }
        Command::Verify {
            format,
            expect_head,
            no_rebuild,
        } => {
            verify::run(
                &open_existing(&home).await?,
                format,
                expect_head.as_deref(),
                no_rebuild,
            )
            .await
        }
        Command::Demo {
            seeds,
            addr,
            no_serve,
        } => {
            let engine = open(&home).await?;
            let code = demo::run(&engine, &home, &seeds).await?;
            if no_serve || code != ExitCode::SUCCESS {
                return Ok(code);
            }
            serve::run(engine, addr, true).await
        }
        Command::Serve {
            addr,
            anonymous_read,
        } => serve::run(open_existing(&home).await?, addr, anonymous_read).await,
        Command::Migrate {
            from,
            to,
            archive_from,
            archive_to,
            format,
        } => {
            migrate::run(migrate::MigrateArgs {
                from,
                to,
                archive_from,
                archive_to,
                format,
            })
            .await
        }
        Command::Token { command } => token::run(&open(&home).await?, command).await,
    }
}

/// Where the store's database and archive live (global `--database` and
/// `--archive`), set once by [`run`] before any command opens the store.
static STORE_OPTIONS: std::sync::OnceLock<cw_store::StoreOptions> = std::sync::OnceLock::new();

/// Opens the home folder, creating it when missing; the database and the
/// archive are where `--database` and `--archive` say (default: in the home).
pub(crate) async fn open(home: &Path) -> anyhow::Result<Engine> {
    let options = STORE_OPTIONS.get().cloned().unwrap_or_default();
    if options == cw_store::StoreOptions::default() {
        return Engine::open(home)
            .await
            .with_context(|| format!("cannot open the clausewatch home {}", home.display()));
    }
    let store = cw_store::Store::open_with(home, &options)
        .await
        .with_context(|| {
            format!(
                "cannot open the clausewatch store (home {}, database {}, archive {})",
                home.display(),
                options
                    .database
                    .as_deref()
                    .map(|d| cw_store::DatabaseLocation::parse(d)
                        .map(|l| l.display())
                        .unwrap_or_else(|_| "(unreadable URL)".into()))
                    .unwrap_or_else(|| "in the home".into()),
                options.archive.as_deref().unwrap_or("in the home"),
            )
        })?;
    Ok(Engine::from_store(store))
}

/// Opens an existing home folder; a read-only command never creates one.
pub(crate) async fn open_existing(home: &Path) -> anyhow::Result<Engine> {
    let database = STORE_OPTIONS.get().and_then(|o| o.database.as_deref());
    let file = match database.map(cw_store::DatabaseLocation::parse) {
        // A server database exists or not on the server: opening tells.
        Some(Ok(cw_store::DatabaseLocation::Postgres(_))) => None,
        Some(Ok(cw_store::DatabaseLocation::Sqlite(path))) => Some(path),
        Some(Err(e)) => return Err(anyhow::Error::new(e).context("--database")),
        None => Some(home.join("clausewatch.db")),
    };
    if file.is_some_and(|f| !f.exists()) {
        anyhow::bail!(
            "no clausewatch home at {} (import something first, run `clausewatch demo`, or pass --home)",
            home.display()
        );
    }
    open(home).await
}
