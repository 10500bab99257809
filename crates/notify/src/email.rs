//! Email alerts over SMTP (lettre): [`render_email`] makes the subject and a
//! `multipart/alternative` body (plain text, then HTML with every piece of
//! document text escaped); [`EmailSender`] sends it with the shared
//! [`RetryPolicy`], retrying SMTP 4xx replies and connection failures.

use cw_fetch::{GuardedResolver, ResolveError};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::delivery::{AttemptOutcome, TryResult, error_chain, run_with_retries};
use crate::error::NotifyError;
use crate::render::{escape_html, html_fragment, one_line, text_body};
use crate::{Alert, DeliveryRecord, RetryPolicy};

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text; only for a relay on the same machine or network (and tests).
    None,
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    #[default]
    StartTls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
}

impl SmtpTls {
    /// The usual port: 25 for plain, 587 for STARTTLS, 465 for TLS.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::None => 25,
            SmtpTls::StartTls => 587,
            SmtpTls::Tls => 465,
        }
    }
}

/// Where and how to send email.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailConfig {
    /// The SMTP server's host name.
    pub smtp_host: String,
    /// The SMTP server's port.
    pub smtp_port: u16,
    /// How the connection is secured.
    pub tls: SmtpTls,
    /// The user name to authenticate with, if the server wants one.
    pub username: Option<String>,
    /// The password for `username`.
    pub password: Option<String>,
    /// The sender, `alerts@example.com` or `clausewatch <alerts@example.com>`.
    pub from: String,
    /// Retries and the per-attempt timeout.
    #[serde(default)]
    pub retry: RetryPolicy,
}

impl EmailConfig {
    /// A configuration for `smtp_host` with STARTTLS on port 587, no
    /// credentials and the default retry policy.
    pub fn new(smtp_host: impl Into<String>, from: impl Into<String>) -> EmailConfig {
        EmailConfig {
            smtp_host: smtp_host.into(),
            smtp_port: SmtpTls::StartTls.default_port(),
            tls: SmtpTls::StartTls,
            username: None,
            password: None,
            from: from.into(),
            retry: RetryPolicy::default(),
        }
    }
}

/// Shows everything but the password.
impl fmt::Debug for EmailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailConfig")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .field("retry", &self.retry)
            .finish()
    }
}

/// Parses `a@example.com` or `Name <a@example.com>`.
pub(crate) fn parse_mailbox(address: &str) -> Result<Mailbox, NotifyError> {
    address
        .trim()
        .parse::<Mailbox>()
        .map_err(|e| NotifyError::InvalidAddress {
            address: address.to_string(),
            reason: e.to_string(),
        })
}

/// The subject, plain-text body and HTML body of the email for `alert`.
///
/// The subject reads `[clausewatch] aws/aup-ningxia changed: 3 substantive
/// changes`. The HTML is a complete document whose every piece of document
/// text is escaped.
pub fn render_email(alert: &Alert) -> (String, String, String) {
    let subject = one_line(&format!("[clausewatch] {}", alert.headline()));
    let text = text_body(alert);
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\n\
         <body style=\"font-family:sans-serif;line-height:1.4\">\n{}\
         <hr><p style=\"color:#666;font-size:small\">Sent by clausewatch.</p>\n</body></html>\n",
        escape_html(&subject),
        html_fragment(alert)
    );
    (subject, text, html)
}

/// Sends alert emails through one SMTP server.
pub struct EmailSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    policy: RetryPolicy,
    /// The SMTP server's host name, checked by the address guard.
    host: String,
    server: String,
}

impl fmt::Debug for EmailSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailSender")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl EmailSender {
    /// A sender for `config`. Fails on a bad sender address, half-given
    /// credentials or a TLS set-up error; connects only when sending.
    pub fn new(config: EmailConfig) -> Result<EmailSender, NotifyError> {
        let from = parse_mailbox(&config.from)?;
        if config.smtp_host.trim().is_empty() {
            return Err(NotifyError::InvalidSmtpConfig("no SMTP host".into()));
        }
        let host = config.smtp_host.trim();
        let client_error = |e: lettre::transport::smtp::Error| NotifyError::Client {
            what: "SMTP",
            reason: error_chain(&e),
        };
        let builder = match config.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(client_error)?
            }
            SmtpTls::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(client_error)?
            }
        };
        let mut builder = builder
            .port(config.smtp_port)
            .timeout(Some(config.retry.attempt_timeout));
        match (config.username, config.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user, password));
            }
            (None, None) => {}
            _ => {
                return Err(NotifyError::InvalidSmtpConfig(
                    "give both a username and a password, or neither".into(),
                ));
            }
        }
        Ok(EmailSender {
            transport: builder.build(),
            from,
            policy: config.retry,
            host: host.to_string(),
            server: format!("{host}:{}", config.smtp_port),
        })
    }

    /// The address guard for one delivery: recipients, then the server.
    async fn check_targets(&self, to: &[String], allow_private: bool) -> Result<(), String> {
        if allow_private {
            return Ok(());
        }
        let recipients = crate::Channel::Email { to: to.to_vec() };
        recipients
            .check_targets(false)
            .map_err(|e| format!("refused by the address guard: {e}"))?;
        match GuardedResolver::new(false).lookup(&self.host).await {
            Err(ResolveError::Blocked(reason)) => Err(format!(
                "refused by the address guard: SMTP server {}: {reason}",
                self.server
            )),
            // Resolution failures are the SMTP client's to report (and retry).
            _ => Ok(()),
        }
    }

    /// Sends the email for `alert` to every address in `to` (one message,
    /// all recipients in `To`), retrying per the policy. Unless
    /// `allow_private` (the subscription's `--allow-private`), the SMTP
    /// server's addresses and domain-literal recipients must pass the
    /// address guard ([`cw_fetch::GuardedResolver`]): a refusal is final.
    /// The server is resolved again by the SMTP client when it connects;
    /// unlike a webhook URL it is the operator's setting, not a
    /// subscriber's. Never panics and never returns an error: failures are
    /// in the record. Runs on a Tokio runtime with the time and I/O drivers
    /// enabled.
    pub async fn deliver(
        &self,
        to: &[String],
        alert: &Alert,
        allow_private: bool,
    ) -> DeliveryRecord {
        let target = to.join(", ");
        let (subject, text, html) = render_email(alert);
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(subject)
            // The same alert always has the same Message-ID, so a copy sent
            // again after a lost reply is recognisable as a duplicate.
            .message_id(Some(format!("<{}@clausewatch>", alert.id)))
            .date_now();
        if to.is_empty() {
            return DeliveryRecord::refused(&alert.id, "email", target, "no recipient".into());
        }
        for address in to {
            match parse_mailbox(address) {
                Ok(mailbox) => builder = builder.to(mailbox),
                Err(e) => {
                    return DeliveryRecord::refused(&alert.id, "email", target, e.to_string());
                }
            }
        }
        if let Err(why) = self.check_targets(to, allow_private).await {
            return DeliveryRecord::refused(&alert.id, "email", target, why);
        }
        let message = match builder.multipart(MultiPart::alternative_plain_html(text, html)) {
            Ok(message) => message,
            Err(e) => {
                return DeliveryRecord::refused(&alert.id, "email", target, error_chain(&e));
            }
        };
        run_with_retries(&self.policy, "email", target, &alert.id, |_, _| {
            let message = message.clone();
            async move {
                match self.transport.send(message).await {
                    Ok(response) => TryResult::new(
                        AttemptOutcome::Delivered,
                        response.code().to_string().parse().ok(),
                        response.first_line().map(str::to_string),
                    ),
                    Err(e) => {
                        let outcome = if e.is_permanent() || e.is_client() {
                            AttemptOutcome::Final
                        } else {
                            AttemptOutcome::Retryable
                        };
                        let status = e.status().and_then(|c| c.to_string().parse().ok());
                        TryResult::new(outcome, status, Some(error_chain(&e)))
                    }
                }
            }
        })
        .await
    }
}
