//! The errors of setting up a channel or a sender. Delivering never returns
//! an error: every failure of a delivery is a line in its
//! [`DeliveryRecord`](crate::DeliveryRecord).

/// Why a channel, an address or a sender could not be set up. All are user
/// errors (bad configuration) except [`NotifyError::Client`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// A webhook URL that does not parse or is not http(s).
    #[error("invalid webhook URL {0}")]
    InvalidWebhookUrl(String),
    /// None or more than one of webhook, email and feed was given.
    #[error("give exactly one of a webhook URL, email addresses or a feed name")]
    ChannelChoice,
    /// A webhook without a signing secret.
    #[error("a webhook needs a signing secret of at least {min} bytes")]
    MissingSecret {
        /// The least length accepted.
        min: usize,
    },
    /// A webhook secret too short to be safe.
    #[error("the webhook secret must be at least {min} bytes long")]
    WeakSecret {
        /// The least length accepted.
        min: usize,
    },
    /// An email address that does not parse.
    #[error("invalid email address {address:?}: {reason}")]
    InvalidAddress {
        /// The address as given.
        address: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A feed name that is not a slug.
    #[error("invalid feed name {0:?} (use lowercase letters, digits, '-', '_' or '.')")]
    InvalidFeedName(String),
    /// A webhook or email target on a loopback, private, link-local or other
    /// non-public address, refused by the address guard because the
    /// subscription does not allow private targets.
    #[error("{target}: {reason} (private targets need the subscription's allow-private option)")]
    BlockedTarget {
        /// The target as given (a webhook URL without credentials or query,
        /// an email address).
        target: String,
        /// Why the guard refused it.
        reason: cw_fetch::BlockReason,
    },
    /// An SMTP setting that cannot work (e.g. a password without a username).
    #[error("invalid SMTP configuration: {0}")]
    InvalidSmtpConfig(String),
    /// The HTTP or SMTP client could not be built (TLS set-up); internal.
    #[error("could not build the {what} client: {reason}")]
    Client {
        /// `HTTP` or `SMTP`.
        what: &'static str,
        /// The underlying error.
        reason: String,
    },
}
