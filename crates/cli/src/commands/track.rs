//! `clausewatch track`, `untrack`, `sources` and `settings`: which URLs
//! are watched, on what schedule, how their last fetch went, and the
//! store-wide defaults of `watch` and `worker`.

use crate::args::{Format, OnOff, SettingName, SettingsAction};
use crate::output;
use anyhow::Context;
use cw_engine::Engine;
use cw_engine::watch::{self, TrackRequest, schedule};
use cw_model::DocumentKey;
use cw_store::{SETTING_BROWSER_FALLBACK, SourceRow};
use std::process::ExitCode;

/// `track URL --platform P --document D …`, the request built from the
/// arguments.
pub(crate) async fn track(
    engine: &Engine,
    request: &TrackRequest,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let source = watch::track(engine.store(), request)
        .await
        .with_context(|| format!("cannot track {}", request.url))?;
    if format == Format::Json {
        output::json(&source)?;
    } else {
        output::text(&format!(
            "tracking {} ← {} ({}, {} confirmations); first fetch at the next `clausewatch watch`",
            source.document,
            source.url,
            schedule::describe(&source.schedule),
            source.confirmations
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `untrack PLATFORM/DOCUMENT`.
pub(crate) async fn untrack(engine: &Engine, document: &str) -> anyhow::Result<ExitCode> {
    let key: DocumentKey = document
        .parse()
        .with_context(|| format!("bad document name {document:?}"))?;
    if !engine.store().untrack_source(&key).await? {
        anyhow::bail!("{key} is not tracked");
    }
    output::text(&format!(
        "stopped tracking {key} (its versions and fetch history are kept)"
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// `sources [--all]`.
pub(crate) async fn sources(
    engine: &Engine,
    all: bool,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let rows = engine.store().sources(all).await?;
    if format == Format::Json {
        output::json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        output::text(
            "no tracked sources (add one with `clausewatch track URL --platform P --document D`)",
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    for s in &rows {
        out.push_str(&line(s));
    }
    output::text(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn line(s: &SourceRow) -> String {
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or_else(
            || "never".to_string(),
            |t| t.format("%Y-%m-%d %H:%M:%SZ").to_string(),
        )
    };
    let mut out = format!(
        "{}{}  {}\n  schedule: {}; next due {}; confirmations {}\n  last fetch: {} at {}",
        s.document,
        if s.active { "" } else { " (untracked)" },
        s.url,
        schedule::describe(&s.schedule),
        s.next_due_at.format("%Y-%m-%d %H:%M:%SZ"),
        s.confirmations,
        s.last_state.as_deref().unwrap_or("none"),
        when(s.last_attempt_at),
    );
    if let Some(detail) = &s.last_detail {
        out.push_str(&format!(" ({detail})"));
    }
    out.push('\n');
    if s.consecutive_failures > 0 {
        out.push_str(&format!(
            "  {} failed fetches in a row; last good fetch {}\n",
            s.consecutive_failures,
            when(s.last_ok_at)
        ));
    }
    if let Some(v) = &s.latest_version {
        out.push_str(&format!(
            "  latest version: {} ({} provisions)\n",
            v.number, v.provision_count
        ));
    }
    if let Some(c) = &s.candidate {
        out.push_str(&format!(
            "  change waiting for confirmation: seen {} of {} times since {}\n",
            c.seen_count,
            s.confirmations,
            c.first_seen_at.format("%Y-%m-%d %H:%M:%SZ")
        ));
    }
    out
}

/// `settings` (show) and `settings set NAME VALUE`.
pub(crate) async fn settings(
    engine: &Engine,
    action: Option<SettingsAction>,
) -> anyhow::Result<ExitCode> {
    let store = engine.store();
    if let Some(SettingsAction::Set { name, value }) = action {
        let (key, value) = match (name, value) {
            (SettingName::BrowserFallback, OnOff::On) => (SETTING_BROWSER_FALLBACK, "on"),
            (SettingName::BrowserFallback, OnOff::Off) => (SETTING_BROWSER_FALLBACK, "off"),
        };
        store
            .set_setting(key, value)
            .await
            .context("cannot save the setting")?;
    }
    let fallback = store
        .setting(SETTING_BROWSER_FALLBACK)
        .await
        .context("cannot read the settings")?
        .unwrap_or_else(|| "on".to_owned());
    output::text(&format!(
        "browser-fallback {fallback}    (headless Chromium for bot walls and empty JavaScript pages; \
         `watch --no-browser` turns it off for one run)"
    ))?;
    Ok(ExitCode::SUCCESS)
}
