//! `clausewatch subscribe`, `subscriptions` and `unsubscribe`: who is told
//! about confirmed changes (webhook, email, Atom feed) and which ones.

use crate::args::Format;
use crate::output;
use anyhow::Context;
use cw_engine::Engine;
use cw_notify::{Channel, Filter};
use serde::Serialize;
use std::process::ExitCode;

/// The values of `subscribe`.
pub(crate) struct SubscribeArgs {
    pub(crate) webhook: Option<String>,
    pub(crate) secret: Option<String>,
    pub(crate) email: Vec<String>,
    pub(crate) feed: Option<String>,
    pub(crate) platform: Vec<String>,
    pub(crate) document: Vec<String>,
    pub(crate) label: Vec<String>,
    pub(crate) substantive_only: bool,
    pub(crate) flag: Vec<String>,
    pub(crate) allow_private: bool,
    pub(crate) format: Format,
}

/// A subscription as listed: the channel without its secret.
#[derive(Debug, Serialize)]
struct Listed {
    id: i64,
    name: String,
    channel: String,
    target: String,
    filter: Filter,
    active: bool,
    allow_private: bool,
    created_at: chrono::DateTime<chrono::Utc>,
    feed_file: Option<String>,
}

/// `subscribe --webhook URL [--secret S] | --email ADDRESS | --feed NAME`.
pub(crate) async fn subscribe(engine: &Engine, args: SubscribeArgs) -> anyhow::Result<ExitCode> {
    let request = cw_notify::SubscriptionRequest {
        webhook: args.webhook,
        secret: args.secret,
        email: args.email,
        feed: args.feed,
        filter: Filter {
            platforms: args.platform,
            documents: args.document,
            labels: args.label,
            substantive_only: args.substantive_only,
            flags: args.flag,
        },
        allow_private: args.allow_private,
    };
    let valid = request.validate().map_err(|e| match e {
        // Said in the CLI's own terms (its flags and the secret's env var).
        cw_notify::NotifyError::ChannelChoice => {
            anyhow::anyhow!("give exactly one of --webhook, --email or --feed")
        }
        cw_notify::NotifyError::MissingSecret { min } => anyhow::anyhow!(
            "a webhook needs --secret (at least {min} bytes; env CLAUSEWATCH_WEBHOOK_SECRET)"
        ),
        cw_notify::NotifyError::BlockedTarget { target, reason } => anyhow::anyhow!(
            "invalid subscription: {target}: {reason} (pass --allow-private to deliver to private addresses)"
        ),
        other => anyhow::Error::new(other).context("invalid subscription"),
    })?;
    let row = engine
        .store()
        .add_subscription(
            valid.name.as_deref(),
            &serde_json::to_string(&valid.channel)?,
            &serde_json::to_string(&valid.filter)?,
            valid.allow_private,
        )
        .await?;
    let mut feed_file = None;
    if let Some(name) = &valid.name {
        let path = cw_engine::watch::write_empty_feed(engine.store().home(), name).await?;
        feed_file = Some(path.display().to_string());
    }
    let listed = listed(&row)?;
    if args.format == Format::Json {
        output::json(&listed)?;
    } else {
        let mut line = format!(
            "subscription {} ({}): {} {}",
            row.id, row.name, listed.channel, listed.target
        );
        if let Some(path) = feed_file {
            line.push_str(&format!("\nfeed file: {path}"));
        }
        output::text(&line)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn listed(row: &cw_store::SubscriptionRow) -> anyhow::Result<Listed> {
    let channel: Channel = serde_json::from_str(&row.channel).context("stored channel")?;
    let filter: Filter = serde_json::from_str(&row.filter).context("stored filter")?;
    let target = channel.target();
    let feed_file = matches!(channel, Channel::Feed { .. }).then(|| target.clone());
    Ok(Listed {
        id: row.id,
        name: row.name.clone(),
        channel: channel.kind().to_string(),
        target,
        filter,
        active: row.active,
        allow_private: row.allow_private,
        created_at: row.created_at,
        feed_file,
    })
}

/// `subscriptions`.
pub(crate) async fn subscriptions(
    engine: &Engine,
    all: bool,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let rows = engine.store().subscriptions(all).await?;
    let listed: Vec<Listed> = rows.iter().map(listed).collect::<anyhow::Result<_>>()?;
    if format == Format::Json {
        output::json(&listed)?;
        return Ok(ExitCode::SUCCESS);
    }
    if listed.is_empty() {
        output::text("no subscriptions")?;
        return Ok(ExitCode::SUCCESS);
    }
    let outbox = engine.store().outbox(None).await?;
    let mut out = String::new();
    for s in &listed {
        let mine: Vec<_> = outbox
            .iter()
            .filter(|a| a.subscription_id == s.id)
            .collect();
        let delivered = mine.iter().filter(|a| a.state == "delivered").count();
        let waiting = mine
            .iter()
            .filter(|a| a.state == "pending" || a.state == "sending")
            .count();
        let failed = mine.iter().filter(|a| a.state == "failed").count();
        out.push_str(&format!(
            "{} {}{}: {} {}\n  filter: {}\n  alerts: {delivered} delivered, {waiting} waiting, {failed} failed\n",
            s.id,
            s.name,
            if s.active { "" } else { " (unsubscribed)" },
            s.channel,
            s.target,
            s.filter.describe(),
        ));
    }
    output::text(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// `unsubscribe ID|NAME`.
pub(crate) async fn unsubscribe(engine: &Engine, which: &str) -> anyhow::Result<ExitCode> {
    if !engine.store().remove_subscription(which).await? {
        anyhow::bail!("no active subscription {which:?}");
    }
    output::text(&format!("unsubscribed {which}"))?;
    Ok(ExitCode::SUCCESS)
}
