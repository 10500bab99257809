//! `clausewatch watch`: the daemon that fetches due sources and delivers
//! alerts (`--once`: one cycle, then deliver and exit). SIGTERM or Ctrl-C
//! stop it gracefully.

use crate::args::{AlertArgs, Format, SmtpTlsArg};
use crate::output;
use anyhow::Context;
use cw_engine::Engine;
use cw_engine::watch::{RunReport, WatchConfig, Watcher, schedule};
use cw_notify::{EmailConfig, SmtpTls};
use cw_store::SETTING_BROWSER_FALLBACK;
use std::process::ExitCode;

/// The values of `watch`.
pub(crate) struct WatchArgs {
    pub(crate) once: bool,
    pub(crate) all: bool,
    pub(crate) allow_private: bool,
    pub(crate) no_browser: bool,
    pub(crate) concurrency: usize,
    pub(crate) per_host_delay: String,
    pub(crate) timeout: String,
    pub(crate) confirm_after: String,
    pub(crate) alerts: AlertArgs,
    pub(crate) format: Format,
}

/// Parses `0`, `250ms`, `1s`, `2m`.
pub(crate) fn duration(text: &str) -> anyhow::Result<std::time::Duration> {
    let t = text.trim();
    if t == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    if let Some(ms) = t.strip_suffix("ms") {
        let ms: u64 = ms
            .parse()
            .with_context(|| format!("bad duration {text:?}"))?;
        return Ok(std::time::Duration::from_millis(ms));
    }
    Ok(schedule::parse_interval(t)?)
}

/// The watcher configuration `watch` and `worker` share: their flags,
/// then the store's settings for what the flags leave open.
pub(crate) async fn config(engine: &Engine, args: &WatchArgs) -> anyhow::Result<WatchConfig> {
    let mut config = WatchConfig::default();
    config.fetch.allow_private = args.allow_private;
    let store_off = engine
        .store()
        .setting(SETTING_BROWSER_FALLBACK)
        .await
        .context("reading the store's settings")?
        .is_some_and(|v| v == "off");
    config.no_browser = args.no_browser || store_off;
    config.fetch.per_host_delay = duration(&args.per_host_delay).context("--per-host-delay")?;
    config.fetch.timeout = duration(&args.timeout).context("--timeout")?;
    config.confirm_after = duration(&args.confirm_after).context("--confirm-after")?;
    config.concurrency = args.concurrency.max(1);
    config.base_url = args.alerts.base_url.clone();
    if let Some(host) = &args.alerts.smtp_host {
        let tls = match args.alerts.smtp_tls {
            SmtpTlsArg::None => SmtpTls::None,
            SmtpTlsArg::Starttls => SmtpTls::StartTls,
            SmtpTlsArg::Tls => SmtpTls::Tls,
        };
        let mut email = EmailConfig::new(host.clone(), args.alerts.smtp_from.clone());
        email.tls = tls;
        email.smtp_port = args.alerts.smtp_port.unwrap_or(tls.default_port());
        email.username = args.alerts.smtp_user.clone();
        email.password = args.alerts.smtp_password.clone();
        config.email = Some(email);
    }
    Ok(config)
}

/// Runs `watch`.
pub(crate) async fn run(engine: Engine, args: WatchArgs) -> anyhow::Result<ExitCode> {
    let config = config(&engine, &args).await?;
    let watcher = Watcher::new(engine.store().clone(), config).context("cannot start watching")?;
    let report = if args.once {
        watcher.run_once(args.all).await?
    } else {
        watcher.run(shutdown_signal()).await?
    };
    print_report(&report, args.format)?;
    Ok(ExitCode::SUCCESS)
}

fn print_report(report: &RunReport, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        return output::json(report);
    }
    let c = &report.last_cycle;
    let states: Vec<String> = c.states.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let d = &report.deliveries;
    output::text(&format!(
        "{} sources fetched in {} ms ({}); {} new versions, {} alerts queued; deliveries: {} delivered, {} retrying, {} failed{}",
        c.sources,
        c.elapsed_ms,
        if states.is_empty() {
            "nothing due".to_string()
        } else {
            states.join(", ")
        },
        c.new_versions,
        c.alerts_queued,
        d.delivered,
        d.retrying,
        d.failed,
        if c.abandoned > 0 {
            format!("; {} fetches abandoned at shutdown", c.abandoned)
        } else {
            String::new()
        },
    ))
}

/// Completes on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "no SIGTERM handler; Ctrl-C only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
