//! What a person asks for when subscribing, in one shape for every front end
//! (the `subscribe` command's flags, the web form, the JSON API): exactly one
//! channel and a filter. [`SubscriptionRequest::validate`] is the one place
//! that checks it, so the CLI and the server accept and refuse the same
//! things.

use crate::error::NotifyError;
use crate::filter::{Channel, Filter, MIN_SECRET_LEN};
use std::fmt;

/// A subscription as typed: one of a webhook (with its secret), email
/// recipients or a feed name, and the filter's conditions.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SubscriptionRequest {
    /// Webhook endpoint (`http://` or `https://`).
    pub webhook: Option<String>,
    /// Webhook signing secret (at least [`MIN_SECRET_LEN`] bytes).
    pub secret: Option<String>,
    /// Email recipients.
    pub email: Vec<String>,
    /// Atom feed name (a slug); also the subscription's name.
    pub feed: Option<String>,
    /// Which alerts: platforms, documents, labels, substantive only.
    pub filter: Filter,
    /// Let deliveries reach loopback, private, link-local and other
    /// non-public addresses (`subscribe --allow-private`). Off, the target
    /// passes the address guard here and at every delivery.
    pub allow_private: bool,
}

/// A checked subscription, ready for the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSubscription {
    /// Where alerts go.
    pub channel: Channel,
    /// Which alerts (entries trimmed, empty entries dropped).
    pub filter: Filter,
    /// The subscription's name when it must have one (a feed's name).
    pub name: Option<String>,
    /// Deliveries may reach non-public addresses (stored with the
    /// subscription; see [`SubscriptionRequest::allow_private`]).
    pub allow_private: bool,
}

/// Trims entries and drops empty ones (web forms send blanks).
fn clean(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn given(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl SubscriptionRequest {
    /// Checks the request: exactly one channel; a webhook needs an http(s)
    /// URL and a secret of at least [`MIN_SECRET_LEN`] bytes; addresses must
    /// parse; a feed name must be a slug (see [`Channel::validate`]); the
    /// target must pass the address guard unless private targets are
    /// allowed (see [`Channel::check_targets`]).
    pub fn validate(&self) -> Result<ValidSubscription, NotifyError> {
        let webhook = given(&self.webhook);
        let feed = given(&self.feed);
        let email = clean(&self.email);
        let chosen = usize::from(webhook.is_some())
            + usize::from(!email.is_empty())
            + usize::from(feed.is_some());
        if chosen != 1 {
            return Err(NotifyError::ChannelChoice);
        }
        let channel = if let Some(url) = webhook {
            // The secret is used byte for byte: never trimmed.
            let secret = self.secret.clone().filter(|s| !s.is_empty()).ok_or(
                NotifyError::MissingSecret {
                    min: MIN_SECRET_LEN,
                },
            )?;
            Channel::Webhook { url, secret }
        } else if let Some(name) = &feed {
            Channel::Feed { name: name.clone() }
        } else {
            Channel::Email { to: email }
        };
        channel.validate()?;
        channel.check_targets(self.allow_private)?;
        Ok(ValidSubscription {
            channel,
            filter: Filter {
                platforms: clean(&self.filter.platforms),
                documents: clean(&self.filter.documents),
                labels: clean(&self.filter.labels),
                substantive_only: self.filter.substantive_only,
                flags: clean(&self.filter.flags),
            },
            name: feed,
            allow_private: self.allow_private,
        })
    }
}

/// Shows everything but the webhook secret.
impl fmt::Debug for SubscriptionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubscriptionRequest")
            .field("webhook", &self.webhook)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("email", &self.email)
            .field("feed", &self.feed)
            .field("filter", &self.filter)
            .field("allow_private", &self.allow_private)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef-secret";

    fn hook(url: &str, secret: Option<&str>) -> SubscriptionRequest {
        SubscriptionRequest {
            webhook: Some(url.into()),
            secret: secret.map(str::to_string),
            ..SubscriptionRequest::default()
        }
    }

    #[test]
    fn exactly_one_channel() {
        assert!(matches!(
            SubscriptionRequest::default().validate(),
            Err(NotifyError::ChannelChoice)
        ));
        let two = SubscriptionRequest {
            feed: Some("x".into()),
            email: vec!["a@example.com".into()],
            ..SubscriptionRequest::default()
        };
        assert!(matches!(two.validate(), Err(NotifyError::ChannelChoice)));
        // Blank form fields do not count as a choice.
        let blanks = SubscriptionRequest {
            webhook: Some("  ".into()),
            email: vec![String::new()],
            feed: Some("aws-terms".into()),
            ..SubscriptionRequest::default()
        };
        let ok = blanks.validate().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok.name.as_deref(), Some("aws-terms"));
        assert_eq!(ok.channel.kind(), "feed");
    }

    #[test]
    fn webhooks_need_a_strong_secret_and_an_http_url() {
        assert!(matches!(
            hook("https://example.com/h", None).validate(),
            Err(NotifyError::MissingSecret { .. })
        ));
        assert!(matches!(
            hook("https://example.com/h", Some("short")).validate(),
            Err(NotifyError::WeakSecret { .. })
        ));
        assert!(matches!(
            hook("javascript:alert(1)", Some(SECRET)).validate(),
            Err(NotifyError::InvalidWebhookUrl(_))
        ));
        let ok = hook("https://example.com/h", Some(SECRET))
            .validate()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok.name, None);
        let shown = format!("{:?}", hook("https://example.com/h", Some(SECRET)));
        assert!(!shown.contains(SECRET), "{shown}");
    }

    /// Issue #25: a webhook or email target on a non-public address is
    /// refused at subscribe time unless the subscription allows it.
    #[test]
    fn issue_25_private_targets_need_allow_private() {
        let blocked = [
            "http://169.254.169.254/latest/meta-data/",
            "http://127.0.0.1:8080/hook",
            "http://[::1]/hook",
            "http://0x7f.1/hook",
            "https://10.1.2.3/hook",
            "http://[::ffff:192.168.1.1]/hook",
        ];
        for url in blocked {
            let refused = hook(url, Some(SECRET)).validate();
            assert!(
                matches!(refused, Err(NotifyError::BlockedTarget { .. })),
                "{url}: {refused:?}"
            );
            let allowed = SubscriptionRequest {
                allow_private: true,
                ..hook(url, Some(SECRET))
            };
            let ok = allowed.validate().unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(ok.allow_private);
        }
        let message = hook(blocked[0], Some(SECRET))
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("link_local"), "{message}");
        // Names are judged after resolution, at delivery.
        assert!(
            hook("https://hooks.example.com/h", Some(SECRET))
                .validate()
                .is_ok()
        );
        let email = |to: &str, allow_private| SubscriptionRequest {
            email: vec![to.into()],
            allow_private,
            ..SubscriptionRequest::default()
        };
        // lettre takes a bare IP as an address's domain (not `[…]`).
        for to in ["ops@127.0.0.1", "ops@10.0.0.1", "ops@169.254.169.254"] {
            assert!(
                matches!(
                    email(to, false).validate(),
                    Err(NotifyError::BlockedTarget { .. })
                ),
                "{to}"
            );
            assert!(email(to, true).validate().is_ok(), "{to}");
        }
        assert!(email("legal@example.com", false).validate().is_ok());
    }

    #[test]
    fn filters_are_cleaned() {
        let r = SubscriptionRequest {
            email: vec![" a@example.com ".into()],
            filter: Filter {
                platforms: vec![" aws ".into(), "".into()],
                labels: vec!["tos_*".into()],
                substantive_only: true,
                ..Filter::default()
            },
            ..SubscriptionRequest::default()
        };
        let ok = r.validate().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok.filter.platforms, vec!["aws".to_string()]);
        assert_eq!(ok.filter.labels, vec!["tos_*".to_string()]);
        assert!(ok.filter.substantive_only);
        assert_eq!(
            ok.channel,
            Channel::Email {
                to: vec!["a@example.com".into()]
            }
        );
    }
}
