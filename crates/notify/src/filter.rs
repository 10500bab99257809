//! Which alerts a subscription wants: a [`Filter`] over platform, document,
//! label and significance, and the [`Channel`] the matching alerts go to.
//! Both are plain data that the store persists as JSON.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::Alert;
use crate::error::NotifyError;

/// Conditions an alert must meet to be delivered to a subscription.
///
/// Each non-empty list is a condition that one of its entries must satisfy;
/// all conditions must hold. An empty filter matches every alert.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Platform slugs (`aws`); compared without regard to ASCII case.
    pub platforms: Vec<String>,
    /// Document keys (`aws/aup-ningxia`); compared without regard to ASCII case.
    pub documents: Vec<String>,
    /// Labels of changed provisions (`tos_unilateral_termination`). An entry
    /// ending in `*` matches every label with that prefix (`tos_*`). An alert
    /// without labels never matches a label condition.
    pub labels: Vec<String>,
    /// Only alerts with at least one substantive change.
    pub substantive_only: bool,
    /// Alert flags (`silent_change`, `date_bump_without_change`,
    /// `date_older_than_previous`, `divergence`); one must be present.
    pub flags: Vec<String>,
}

impl Filter {
    /// Whether `alert` meets every condition of the filter.
    pub fn matches(&self, alert: &Alert) -> bool {
        let platform_ok = self.platforms.is_empty()
            || self
                .platforms
                .iter()
                .any(|p| p.trim().eq_ignore_ascii_case(&alert.platform));
        let document_ok = self.documents.is_empty()
            || self
                .documents
                .iter()
                .any(|d| d.trim().eq_ignore_ascii_case(&alert.document));
        let label_ok = self.labels.is_empty()
            || self.labels.iter().any(|want| {
                alert
                    .labels
                    .iter()
                    .any(|have| label_matches(want.trim(), have))
            });
        let significance_ok = !self.substantive_only || alert.is_substantive();
        let flag_ok = self.flags.is_empty()
            || self
                .flags
                .iter()
                .any(|want| alert.flags.iter().any(|have| have == want.trim()));
        platform_ok && document_ok && label_ok && significance_ok && flag_ok
    }

    /// The conditions in words (`platform aws|gcp, substantive only`), or
    /// "every confirmed change" for an empty filter.
    pub fn describe(&self) -> String {
        if self.is_empty() {
            return "every confirmed change".into();
        }
        let mut parts = Vec::new();
        if !self.platforms.is_empty() {
            parts.push(format!("platform {}", self.platforms.join("|")));
        }
        if !self.documents.is_empty() {
            parts.push(format!("document {}", self.documents.join("|")));
        }
        if !self.labels.is_empty() {
            parts.push(format!("label {}", self.labels.join("|")));
        }
        if !self.flags.is_empty() {
            parts.push(format!("flag {}", self.flags.join("|")));
        }
        if self.substantive_only {
            parts.push("substantive only".into());
        }
        parts.join(", ")
    }

    /// Whether the filter has no condition at all.
    pub fn is_empty(&self) -> bool {
        self.platforms.is_empty()
            && self.documents.is_empty()
            && self.labels.is_empty()
            && !self.substantive_only
            && self.flags.is_empty()
    }
}

fn label_matches(want: &str, have: &str) -> bool {
    match want.strip_suffix('*') {
        Some(prefix) => {
            have.len() >= prefix.len()
                && have.is_char_boundary(prefix.len())
                && have[..prefix.len()].eq_ignore_ascii_case(prefix)
        }
        None => want.eq_ignore_ascii_case(have),
    }
}

/// Where a subscription's alerts go.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Channel {
    /// An HTTP(S) endpoint that receives a signed JSON POST
    /// ([`webhook_payload`](crate::webhook_payload)).
    Webhook {
        /// The endpoint, `http://` or `https://`.
        url: String,
        /// The shared secret the signature is made with.
        secret: String,
    },
    /// Email recipients, sent through the configured SMTP server.
    Email {
        /// Recipient addresses.
        to: Vec<String>,
    },
    /// An Atom feed with this name (a slug), written to a file or served.
    Feed {
        /// The feed's name.
        name: String,
    },
}

/// The least number of bytes a webhook secret must have.
pub const MIN_SECRET_LEN: usize = 16;

impl Channel {
    /// `webhook`, `email` or `feed`.
    pub fn kind(&self) -> &'static str {
        match self {
            Channel::Webhook { .. } => "webhook",
            Channel::Email { .. } => "email",
            Channel::Feed { .. } => "feed",
        }
    }

    /// Where alerts go, without the secret: the webhook URL, the
    /// recipients joined with ", ", or the feed name.
    pub fn target(&self) -> String {
        match self {
            Channel::Webhook { url, .. } => url.clone(),
            Channel::Email { to } => to.join(", "),
            Channel::Feed { name } => name.clone(),
        }
    }

    /// Checks what a user typed: an http(s) URL and a secret of at least
    /// [`MIN_SECRET_LEN`] bytes, parseable email addresses, a slug feed name.
    pub fn validate(&self) -> Result<(), NotifyError> {
        match self {
            Channel::Webhook { url, secret } => {
                let parsed = reqwest::Url::parse(url)
                    .map_err(|e| NotifyError::InvalidWebhookUrl(format!("{url}: {e}")))?;
                if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                    return Err(NotifyError::InvalidWebhookUrl(format!(
                        "{url}: use an http:// or https:// URL with a host"
                    )));
                }
                if secret.len() < MIN_SECRET_LEN {
                    return Err(NotifyError::WeakSecret {
                        min: MIN_SECRET_LEN,
                    });
                }
                Ok(())
            }
            Channel::Email { to } => {
                if to.is_empty() {
                    return Err(NotifyError::InvalidAddress {
                        address: String::new(),
                        reason: "no recipient".into(),
                    });
                }
                for address in to {
                    crate::email::parse_mailbox(address)?;
                }
                Ok(())
            }
            Channel::Feed { name } => {
                let ok = !name.is_empty()
                    && name.len() <= 100
                    && name.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
                    })
                    && !name.starts_with('.');
                if ok {
                    Ok(())
                } else {
                    Err(NotifyError::InvalidFeedName(name.clone()))
                }
            }
        }
    }
}

impl Channel {
    /// The address guard at subscribe time (the same check as a tracked
    /// source's URL, [`cw_fetch::check_url`]): a webhook URL whose host is
    /// an IP literal and an email recipient at a domain literal
    /// (`user@[10.0.0.1]`) must be public addresses unless `allow_private`.
    /// Host names are judged after resolution, at every delivery.
    pub fn check_targets(&self, allow_private: bool) -> Result<(), NotifyError> {
        match self {
            Channel::Webhook { url, .. } => {
                let parsed = reqwest::Url::parse(url)
                    .map_err(|e| NotifyError::InvalidWebhookUrl(format!("{url}: {e}")))?;
                cw_fetch::check_url(&parsed, allow_private).map_err(|reason| {
                    NotifyError::BlockedTarget {
                        target: crate::webhook::redact_url(url),
                        reason,
                    }
                })
            }
            Channel::Email { to } if !allow_private => {
                for address in to {
                    let mailbox = crate::email::parse_mailbox(address)?;
                    if let Some(ip) = domain_literal(mailbox.email.domain())
                        && let Err(reason) = cw_fetch::ssrf_check(ip)
                    {
                        return Err(NotifyError::BlockedTarget {
                            target: address.clone(),
                            reason,
                        });
                    }
                }
                Ok(())
            }
            Channel::Email { .. } | Channel::Feed { .. } => Ok(()),
        }
    }
}

/// The address of an email domain that is an IP literal: `[192.0.2.1]`,
/// `[IPv6:::1]`, or a bare `192.0.2.1` (which lettre accepts too).
fn domain_literal(domain: &str) -> Option<std::net::IpAddr> {
    let inner = domain
        .strip_prefix('[')
        .and_then(|d| d.strip_suffix(']'))
        .unwrap_or(domain);
    let inner = inner
        .strip_prefix("IPv6:")
        .or_else(|| inner.strip_prefix("ipv6:"))
        .unwrap_or(inner);
    inner.parse().ok()
}

/// Shows everything but the webhook secret.
impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Channel::Webhook { url, .. } => f
                .debug_struct("Webhook")
                .field("url", url)
                .field("secret", &"<redacted>")
                .finish(),
            Channel::Email { to } => f.debug_struct("Email").field("to", to).finish(),
            Channel::Feed { name } => f.debug_struct("Feed").field("name", name).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use cw_model::{
        ChangeKind, ChangeSet, DiffSide, DiffSummary, DocumentKey, ProvisionChange, Significance,
    };

    #[test]
    fn flag_condition() {
        let mut a = alert("aws", "aws/aup", Significance::Substantive, &[]);
        let f = Filter {
            flags: vec!["silent_change".into()],
            ..Filter::default()
        };
        assert!(!f.matches(&a));
        a.flags.push("silent_change".into());
        assert!(f.matches(&a));
        assert!(f.describe().contains("flag silent_change"));
        assert!(!f.is_empty());
    }

    fn alert(platform: &str, doc: &str, significance: Significance, labels: &[&str]) -> Alert {
        let key = DocumentKey {
            platform: platform.into(),
            document: doc.into(),
        };
        let set = ChangeSet {
            old: DiffSide::default(),
            new: DiffSide::default(),
            summary: DiffSummary::default(),
            summary_text: String::new(),
            changes: vec![ProvisionChange {
                kind: ChangeKind::Modified,
                old_id: Some("a/1".into()),
                new_id: Some("a/1".into()),
                old_text: Some("old".into()),
                new_text: Some("new".into()),
                heading_path: vec![],
                significance,
                reasons: vec![],
                words: vec![],
            }],
        };
        Alert::new(&key, Some(1), 2, DateTime::<Utc>::UNIX_EPOCH, set)
            .with_labels(labels.iter().map(|l| l.to_string()))
    }

    /// One table of (filter, alert, expected) cases.
    fn check(filter: Filter, alert: &Alert, expected: bool) {
        assert_eq!(
            filter.matches(alert),
            expected,
            "{filter:?} on {}",
            alert.document
        );
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn empty_filter_matches_everything() {
        let f = Filter::default();
        assert!(f.is_empty());
        check(f, &alert("aws", "aup", Significance::Cosmetic, &[]), true);
    }

    #[test]
    fn platform_filter() {
        let a = alert("aws", "aup", Significance::Cosmetic, &[]);
        let f = |p: &[&str]| Filter {
            platforms: strings(p),
            ..Filter::default()
        };
        check(f(&["aws"]), &a, true);
        check(f(&["AWS"]), &a, true);
        check(f(&["google", "aws"]), &a, true);
        check(f(&["google"]), &a, false);
    }

    #[test]
    fn document_filter() {
        let a = alert("aws", "aup-ningxia", Significance::Cosmetic, &[]);
        let f = |d: &[&str]| Filter {
            documents: strings(d),
            ..Filter::default()
        };
        check(f(&["aws/aup-ningxia"]), &a, true);
        check(f(&["aws/aup"]), &a, false);
        check(f(&["aup-ningxia"]), &a, false);
    }

    #[test]
    fn label_filter() {
        let a = alert(
            "aws",
            "aup",
            Significance::Cosmetic,
            &["tos_unilateral_termination"],
        );
        let f = |l: &[&str]| Filter {
            labels: strings(l),
            ..Filter::default()
        };
        check(f(&["tos_unilateral_termination"]), &a, true);
        check(f(&["tos_*"]), &a, true);
        check(f(&["privacy_*"]), &a, false);
        check(f(&["tos_arbitration"]), &a, false);
        check(
            f(&["tos_*"]),
            &alert("aws", "aup", Significance::Cosmetic, &[]),
            false,
        );
    }

    #[test]
    fn substantive_only_filter() {
        let f = Filter {
            substantive_only: true,
            ..Filter::default()
        };
        check(
            f.clone(),
            &alert("aws", "aup", Significance::Substantive, &[]),
            true,
        );
        check(f, &alert("aws", "aup", Significance::Cosmetic, &[]), false);
    }

    #[test]
    fn conditions_combine_with_and() {
        let f = Filter {
            platforms: strings(&["aws"]),
            labels: strings(&["tos_*"]),
            substantive_only: true,
            ..Filter::default()
        };
        check(
            f.clone(),
            &alert("aws", "aup", Significance::Substantive, &["tos_x"]),
            true,
        );
        check(
            f.clone(),
            &alert("aws", "aup", Significance::Cosmetic, &["tos_x"]),
            false,
        );
        check(
            f.clone(),
            &alert("gcp", "aup", Significance::Substantive, &["tos_x"]),
            false,
        );
        check(
            f,
            &alert("aws", "aup", Significance::Substantive, &["other"]),
            false,
        );
    }

    #[test]
    fn filter_json_round_trips_and_defaults() {
        let f: Filter = serde_json::from_str(r#"{"platforms":["aws"]}"#).unwrap_or_default();
        assert_eq!(f.platforms, vec!["aws".to_string()]);
        assert!(!f.substantive_only);
    }

    #[test]
    fn channel_validation_and_redacted_debug() {
        let hook = Channel::Webhook {
            url: "https://example.com/hook".into(),
            secret: "0123456789abcdef0123".into(),
        };
        assert!(hook.validate().is_ok());
        assert!(!format!("{hook:?}").contains("0123456789abcdef"));
        let weak = Channel::Webhook {
            url: "https://example.com/hook".into(),
            secret: "short".into(),
        };
        assert!(matches!(
            weak.validate(),
            Err(NotifyError::WeakSecret { .. })
        ));
        let ftp = Channel::Webhook {
            url: "ftp://example.com/".into(),
            secret: "0123456789abcdef0123".into(),
        };
        assert!(matches!(
            ftp.validate(),
            Err(NotifyError::InvalidWebhookUrl(_))
        ));
        assert!(
            Channel::Email {
                to: vec!["a@example.com".into()]
            }
            .validate()
            .is_ok()
        );
        assert!(
            Channel::Email {
                to: vec!["not an address".into()]
            }
            .validate()
            .is_err()
        );
        assert!(
            Channel::Feed {
                name: "aws-terms".into()
            }
            .validate()
            .is_ok()
        );
        assert!(
            Channel::Feed {
                name: "../etc".into()
            }
            .validate()
            .is_err()
        );
        let json = serde_json::to_value(Channel::Feed { name: "x".into() }).unwrap_or_default();
        assert_eq!(json, serde_json::json!({"type": "feed", "name": "x"}));
    }
}
