//! Email deliveries against a real SMTP server: each test starts its own
//! aiosmtpd process (`tests/smtp_sink.py`) on a free loopback port, sends
//! through `EmailSender` and reads back what the server stored. aiosmtpd is
//! required: without it these tests fail with the install command (CI
//! installs it; nothing is skipped).

use cw_notify::{AttemptOutcome, EmailConfig, EmailSender, RetryPolicy, SmtpTls};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use tempfile::TempDir;

use crate::common::{HOSTILE, alert};

const INSTALL_HINT: &str = "python3 -m pip install aiosmtpd";

/// Builder for a running aiosmtpd sink.
struct SmtpSink {
    auth: Option<String>,
    fail_first: u32,
}

/// A running sink; the process ends when this is dropped (its stdin closes
/// and it is killed).
struct RunningSink {
    child: Child,
    port: u16,
    dir: TempDir,
}

impl SmtpSink {
    fn new() -> Self {
        SmtpSink {
            auth: None,
            fail_first: 0,
        }
    }

    /// Require AUTH with these credentials.
    fn auth(mut self, user: &str, password: &str) -> Self {
        self.auth = Some(format!("{user}:{password}"));
        self
    }

    /// Answer the first `n` messages with a transient `451`.
    fn fail_first(mut self, n: u32) -> Self {
        self.fail_first = n;
        self
    }

    fn start(self) -> RunningSink {
        let probe = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .output();
        match probe {
            Ok(out) if out.status.success() => {}
            Ok(out) => panic!(
                "aiosmtpd is not installed, so the SMTP tests cannot start their server. \
                 Install it with `{INSTALL_HINT}`.\n{}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => panic!(
                "python3 is not available ({e}); the SMTP tests need python3 and aiosmtpd \
                 (`{INSTALL_HINT}`)"
            ),
        }
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_sink.py");
        let stderr = std::fs::File::create(dir.path().join("sink.stderr")).unwrap();
        let mut command = Command::new("python3");
        command
            .arg(&script)
            .arg("--dir")
            .arg(dir.path())
            .arg("--fail-first")
            .arg(self.fail_first.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr);
        if let Some(auth) = &self.auth {
            command.arg("--auth").arg(auth);
        }
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse::<u16>().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let log = std::fs::read_to_string(dir.path().join("sink.stderr")).unwrap_or_default();
            panic!("the aiosmtpd sink did not start (got {line:?}):\n{log}");
        };
        RunningSink { child, port, dir }
    }
}

impl RunningSink {
    fn config(&self) -> EmailConfig {
        EmailConfig {
            smtp_host: "127.0.0.1".into(),
            smtp_port: self.port,
            tls: SmtpTls::None,
            username: None,
            password: None,
            from: "clausewatch <alerts@clausewatch.example>".into(),
            retry: RetryPolicy {
                initial_backoff: Duration::from_millis(50),
                jitter: 0.0,
                attempt_timeout: Duration::from_secs(10),
                ..RetryPolicy::default()
            },
        }
    }

    /// The decoded messages the server stored, in arrival order.
    fn messages(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for n in 1.. {
            let path: PathBuf = self.dir.path().join(format!("{n}.json"));
            let Ok(text) = std::fs::read_to_string(&path) else {
                break;
            };
            out.push(serde_json::from_str(&text).unwrap());
        }
        out
    }
}

impl Drop for RunningSink {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn part<'a>(message: &'a Value, content_type: &str) -> &'a str {
    message["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["content_type"] == content_type)
        .unwrap_or_else(|| panic!("no {content_type} part in {message}"))["body"]
        .as_str()
        .unwrap()
}

#[tokio::test]
async fn delivers_text_and_html_parts_with_hostile_text_escaped() {
    let sink = SmtpSink::new().start();
    let sender = EmailSender::new(sink.config()).unwrap();
    let alert = alert("aws/aup-ningxia").hostile().build();
    let to = vec![
        "legal@example.com".to_string(),
        "Ops <ops@example.com>".to_string(),
    ];
    let record = sender.deliver(&to, &alert, true).await;

    assert!(record.ok, "{record:?}");
    assert_eq!(record.channel, "email");
    assert_eq!(record.attempts.len(), 1);
    assert_eq!(record.attempts[0].status, Some(250));

    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(
        m["subject"],
        "[clausewatch] aws/aup-ningxia changed: 2 substantive changes"
    );
    assert_eq!(m["content_type"], "multipart/alternative");
    assert_eq!(m["mail_from"], "alerts@clausewatch.example");
    assert_eq!(
        m["rcpt_tos"],
        serde_json::json!(["legal@example.com", "ops@example.com"])
    );
    assert_eq!(m["message_id"], format!("<{}@clausewatch>", alert.id));

    let text = part(m, "text/plain");
    assert!(
        text.contains("We may terminate your account without notice."),
        "{text}"
    );
    assert!(
        text.contains("Why: added qualifier 'without notice'"),
        "{text}"
    );
    // Plain text is not markup: the provision text is shown as it is.
    assert!(text.contains(HOSTILE), "{text}");
    assert!(text.contains("https://clausewatch.example/documents/aws/aup-ningxia/diff/2..3"));

    let html = part(m, "text/html");
    assert!(
        !html.contains("<script"),
        "unescaped script in HTML part:\n{html}"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<b>monthly</b>") && html.contains("&lt;b&gt;monthly&lt;/b&gt;"));
    assert!(!html.contains("<i>now</i>") && html.contains("Termination &lt;i&gt;now&lt;/i&gt;"));
    assert!(html.contains("&quot;binding&quot; arbitration &amp; you waive"));
    assert!(html.contains("Acceptable Use Policy &lt;2024&gt;"));
    assert!(
        html.contains(
            "<a href=\"https://clausewatch.example/documents/aws/aup-ningxia/diff/2..3\">"
        )
    );
    assert!(html.contains("<del") && html.contains("<ins"));
    // The raw message is what aiosmtpd received on the wire.
    let raw = std::fs::read_to_string(sink.dir.path().join("1.eml")).unwrap();
    assert!(raw.contains("multipart/alternative"));
}

#[tokio::test]
async fn authenticates_when_the_server_requires_it() {
    let sink = SmtpSink::new().auth("alice", "s3cret-pass").start();
    let config = EmailConfig {
        username: Some("alice".into()),
        password: Some("s3cret-pass".into()),
        ..sink.config()
    };
    assert!(!format!("{config:?}").contains("s3cret-pass"));
    let sender = EmailSender::new(config).unwrap();
    let alert = alert("aws/aup").hostile().build();
    let record = sender
        .deliver(&["legal@example.com".to_string()], &alert, true)
        .await;
    assert!(record.ok, "{record:?}");
    assert_eq!(sink.messages().len(), 1);

    // A wrong password is a permanent (5xx) failure: no retry.
    let wrong = EmailConfig {
        username: Some("alice".into()),
        password: Some("wrong".into()),
        ..sink.config()
    };
    let record = EmailSender::new(wrong)
        .unwrap()
        .deliver(&["legal@example.com".to_string()], &alert, true)
        .await;
    assert!(!record.ok);
    assert_eq!(record.attempts.len(), 1, "{record:?}");
    assert_eq!(record.attempts[0].outcome, AttemptOutcome::Final);
    assert_eq!(record.attempts[0].status, Some(535));
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn a_transient_451_is_retried() {
    let sink = SmtpSink::new().fail_first(2).start();
    let sender = EmailSender::new(sink.config()).unwrap();
    let alert = alert("aws/aup").hostile().build();
    let record = sender
        .deliver(&["legal@example.com".to_string()], &alert, true)
        .await;

    assert!(record.ok, "{record:?}");
    let statuses: Vec<_> = record.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, vec![Some(451), Some(451), Some(250)]);
    assert_eq!(record.attempts[0].outcome, AttemptOutcome::Retryable);
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn bad_addresses_and_a_dead_server_fail_without_panicking() {
    let sink = SmtpSink::new().start();
    let sender = EmailSender::new(sink.config()).unwrap();
    let alert = alert("aws/aup").build();

    let record = sender
        .deliver(&["not an address".to_string()], &alert, true)
        .await;
    assert!(!record.ok);
    assert_eq!(record.attempts[0].outcome, AttemptOutcome::Final);
    assert!(record.last_error().unwrap().contains("not an address"));
    assert!(!sender.deliver(&[], &alert, true).await.ok);
    assert!(sink.messages().is_empty());

    assert!(
        EmailSender::new(EmailConfig {
            from: "nobody".into(),
            ..sink.config()
        })
        .is_err()
    );
    assert!(
        EmailSender::new(EmailConfig {
            username: Some("u".into()),
            ..sink.config()
        })
        .is_err()
    );

    // Nothing listens on the port any more: every attempt is a retryable failure.
    let config = sink.config();
    drop(sink);
    let config = EmailConfig {
        retry: RetryPolicy {
            max_attempts: 2,
            ..config.retry.clone()
        },
        ..config
    };
    let record = EmailSender::new(config)
        .unwrap()
        .deliver(&["legal@example.com".to_string()], &alert, true)
        .await;
    assert!(!record.ok);
    assert_eq!(record.attempts.len(), 2, "{record:?}");
    assert!(
        record
            .attempts
            .iter()
            .all(|a| a.outcome == AttemptOutcome::Retryable)
    );
}

/// Issue #25: the SMTP server an email goes through and domain-literal
/// recipients pass the address guard at delivery unless the subscription
/// allows private targets (the sink listens on loopback).
#[tokio::test]
async fn issue_25_a_private_smtp_server_needs_allow_private() {
    let sink = SmtpSink::new().start();
    let sender = EmailSender::new(sink.config()).unwrap();
    let alert = alert("aws/aup").build();
    let to = ["legal@example.com".to_string()];
    let record = sender.deliver(&to, &alert, false).await;
    assert!(!record.ok);
    assert_eq!(record.attempts.len(), 1, "{record:?}");
    assert_eq!(record.attempts[0].outcome, AttemptOutcome::Final);
    assert!(
        record.last_error().unwrap_or_default().contains("loopback"),
        "{record:?}"
    );
    assert!(sink.messages().is_empty());
    let literal = ["ops@10.1.2.3".to_string()];
    let record = sender.deliver(&literal, &alert, true).await;
    assert!(record.ok, "{record:?}");
    assert_eq!(sink.messages().len(), 1);
    assert!(sender.deliver(&to, &alert, true).await.ok);
}
