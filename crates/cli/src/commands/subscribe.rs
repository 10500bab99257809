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
    created_at: chrono::DateTime<chrono::Utc>,
    feed_file: Option<String>,
}

/// `subscribe --webhook URL [--secret S] | --email ADDRESS | --feed NAME`.
pub(crate) async fn subscribe(engine: &Engine, args: SubscribeArgs) -> anyhow::Result<ExitCode> {
    let given = usize::from(args.webhook.is_some())
        + usize::from(!args.email.is_empty())
        + usize::from(args.feed.is_some());
    if given != 1 {
        anyhow::bail!("give exactly one of --webhook, --email or --feed");
    }
    let channel = if let Some(url) = args.webhook {
        let secret = args.secret.context(
            "a webhook needs --secret (at least 16 bytes; env CLAUSEWATCH_WEBHOOK_SECRET)",
        )?;
        Channel::Webhook { url, secret }
    } else if let Some(name) = &args.feed {
        Channel::Feed { name: name.clone() }
    } else {
        Channel::Email { to: args.email }
    };
    channel.validate().context("invalid subscription")?;
    let filter = Filter {
        platforms: args.platform,
        documents: args.document,
        labels: args.label,
        substantive_only: args.substantive_only,
    };
    let row = engine
        .store()
        .add_subscription(
            args.feed.as_deref(),
            &serde_json::to_string(&channel)?,
            &serde_json::to_string(&filter)?,
        )
        .await?;
    let mut feed_file = None;
    if let Some(name) = &args.feed {
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
    let (target, feed_file) = match &channel {
        Channel::Webhook { url, .. } => (url.clone(), None),
        Channel::Email { to } => (to.join(", "), None),
        Channel::Feed { name } => (name.clone(), Some(name.clone())),
        _ => (String::new(), None),
    };
    Ok(Listed {
        id: row.id,
        name: row.name.clone(),
        channel: channel.kind().to_string(),
        target,
        filter,
        active: row.active,
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
            describe(&s.filter),
        ));
    }
    output::text(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn describe(f: &Filter) -> String {
    if f.is_empty() {
        return "every confirmed change".into();
    }
    let mut parts = Vec::new();
    if !f.platforms.is_empty() {
        parts.push(format!("platform {}", f.platforms.join("|")));
    }
    if !f.documents.is_empty() {
        parts.push(format!("document {}", f.documents.join("|")));
    }
    if !f.labels.is_empty() {
        parts.push(format!("label {}", f.labels.join("|")));
    }
    if f.substantive_only {
        parts.push("substantive only".into());
    }
    parts.join(", ")
}

/// `unsubscribe ID|NAME`.
pub(crate) async fn unsubscribe(engine: &Engine, which: &str) -> anyhow::Result<ExitCode> {
    if !engine.store().remove_subscription(which).await? {
        anyhow::bail!("no active subscription {which:?}");
    }
    output::text(&format!("unsubscribed {which}"))?;
    Ok(ExitCode::SUCCESS)
}
