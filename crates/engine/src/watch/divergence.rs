//! Alerts of issue #23 through the watcher's alert path: flags on every
//! alert (the announcement class of the change, `divergence` when a variant
//! changed and a sibling did not) and the outbox entries for divergences
//! found once their window has elapsed.

use super::{WatchError, Watcher};
use crate::Engine;
use chrono::{DateTime, Duration, Utc};
use cw_model::DocumentKey;
use cw_notify::Filter;
use cw_store::NewAlert;

/// The `settings` row holding the divergence window in days.
pub const SETTING_DIVERGENCE_DAYS: &str = "variant_divergence_days";

/// The window when the setting is absent: 30 days.
pub const DEFAULT_DIVERGENCE_DAYS: i64 = 30;

/// The divergence window configured in the store (`settings`), or the default.
pub async fn divergence_window(engine: &Engine) -> Result<Duration, crate::EngineError> {
    let days = engine
        .store()
        .setting(SETTING_DIVERGENCE_DAYS)
        .await?
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|d| *d > 0)
        .unwrap_or(DEFAULT_DIVERGENCE_DAYS);
    Ok(Duration::days(days))
}

impl Watcher {
    /// The flags of the alert for a version, as of `now`.
    pub(crate) async fn alert_flags(
        &self,
        document: &DocumentKey,
        number: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, WatchError> {
        let engine = Engine::from_store(self.store().clone());
        let mut flags = Vec::new();
        if let Some(class) = engine
            .announcement_of(document, number)
            .await?
            .filter(|c| c.is_flagged())
        {
            flags.push(class.as_str().to_string());
        }
        let window = divergence_window(&engine).await?;
        let doc = document.to_string();
        if engine
            .divergences(window, now)
            .await?
            .iter()
            .any(|d| d.document == doc && d.version == number)
        {
            flags.push("divergence".to_string());
        }
        Ok(flags)
    }

    /// Puts an alert in the outbox for every divergence found as of `now`
    /// (injectable: tests step a clock) and every active subscription whose
    /// filter matches it. Idempotent: one alert per subscription and
    /// version. Returns the divergences found.
    pub async fn queue_divergence_alerts(&self, now: DateTime<Utc>) -> Result<usize, WatchError> {
        let engine = Engine::from_store(self.store().clone());
        let window = divergence_window(&engine).await?;
        let found = engine.divergences(window, now).await?;
        let subscriptions = self.store().subscriptions(false).await?;
        for d in &found {
            let key: DocumentKey = d.document.parse().map_err(crate::EngineError::from)?;
            let Some(mut alert) = self.build_alert(&key, d.version).await? else {
                continue;
            };
            if !alert.flags.iter().any(|f| f == "divergence") {
                alert.flags.push("divergence".to_string());
            }
            let mut out = Vec::new();
            for sub in &subscriptions {
                let filter: Filter = serde_json::from_str(&sub.filter)?;
                if filter.matches(&alert) {
                    out.push(NewAlert {
                        subscription_id: sub.id,
                        alert_id: alert.clone().for_subscription(&sub.name).id,
                    });
                }
            }
            self.store()
                .enqueue_alerts(&key, d.version, alert.old_version_number, &out)
                .await?;
        }
        Ok(found.len())
    }
}
