//! `clausewatch variants declare|show|divergences` (issue #23).

use crate::args::{Format, VariantsAction};
use crate::output;
use anyhow::Context;
use cw_engine::Engine;
use cw_model::DocumentKey;
use std::fmt::Write as _;
use std::process::ExitCode;

pub(crate) async fn run(engine: &Engine, action: VariantsAction) -> anyhow::Result<ExitCode> {
    match action {
        VariantsAction::Declare { policy, variants } => {
            for v in &variants {
                let (doc, label) = v
                    .split_once('=')
                    .with_context(|| format!("{v:?}: expected PLATFORM/DOCUMENT=LABEL"))?;
                let key: DocumentKey = doc.parse()?;
                engine
                    .store()
                    .set_variant(&key, &policy, label.trim())
                    .await?;
            }
            output::text(&format!(
                "{policy}: {} variant(s) declared\n",
                variants.len()
            ))?;
        }
        VariantsAction::Show {
            policy,
            differing,
            format,
        } => {
            let mut view = engine.variants_view(&policy).await?;
            if differing {
                view.rows.retain(|r| !r.absent_from.is_empty());
            }
            if format == Format::Json {
                output::json(&view)?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut out = String::new();
            for c in &view.columns {
                let _ = writeln!(out, "{} = {}@{}", c.variant, c.document, c.version);
            }
            for r in &view.rows {
                let text = r.texts.iter().flatten().next().map_or("", String::as_str);
                let short: String = text.chars().take(110).collect();
                let _ = writeln!(
                    out,
                    "[{}]{} {short}",
                    r.present_in.join(","),
                    if r.absent_from.is_empty() {
                        String::new()
                    } else {
                        format!(" (not in {})", r.absent_from.join(","))
                    }
                );
            }
            output::text(&out)?;
        }
        VariantsAction::Divergences {
            window_days,
            format,
        } => {
            let window = match window_days {
                Some(d) => chrono::Duration::days(d),
                None => cw_engine::watch::divergence_window(engine).await?,
            };
            let found = engine.divergences(window, chrono::Utc::now()).await?;
            if format == Format::Json {
                output::json(&found)?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut out = format!(
                "{} divergence(s), window {} days\n",
                found.len(),
                window.num_days()
            );
            for d in &found {
                let _ = writeln!(
                    out,
                    "{} {}: {}@{} {} ({} substantive) not followed by {}",
                    d.policy,
                    d.variant,
                    d.document,
                    d.version,
                    d.observed_at.format("%Y-%m-%d"),
                    d.substantive,
                    d.unchanged_siblings.join(", ")
                );
            }
            output::text(&out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
