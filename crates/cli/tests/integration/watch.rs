//! `track`, `sources`, `subscribe`, `watch` end to end: the real binary
//! against a scripted HTTP origin on loopback, a webhook receiver that
//! verifies signatures, a real SMTP server (aiosmtpd), and `kill -9` of a
//! running `watch` followed by a restart: nothing lost, nothing twice.

use crate::util::Dir;
use cw_testkit::Reply;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "0123456789abcdef-secret";

/// A scripted origin and a webhook receiver on loopback (`cw_testkit`),
/// served by their own runtime so the tests can block on the binary.
struct Servers {
    origin: cw_testkit::Origin,
    hook: String,
    receiver: cw_testkit::WebhookReceiver,
    _runtime: tokio::runtime::Runtime,
}

impl Servers {
    fn start() -> Servers {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (origin, receiver) = runtime.block_on(async {
            (
                cw_testkit::Origin::start().await,
                cw_testkit::WebhookReceiver::start().await,
            )
        });
        Servers {
            origin,
            hook: receiver.url().to_owned(),
            receiver,
            _runtime: runtime,
        }
    }

    fn push(&self, path: &str, replies: impl IntoIterator<Item = Reply>) {
        self.origin.push(path, replies);
    }

    fn url(&self, path: &str) -> String {
        self.origin.url(path)
    }

    fn hits(&self, path: &str) -> usize {
        self.origin.hits(path)
    }

    /// (delivery id, document, version, signature verified) per delivery.
    fn deliveries(&self) -> Vec<(String, String, u64, bool)> {
        self.receiver
            .deliveries()
            .into_iter()
            .map(|d| {
                let verified = cw_notify::verify(
                    SECRET.as_bytes(),
                    &d.signature,
                    &d.body,
                    chrono_now(),
                    cw_notify::DEFAULT_TOLERANCE,
                )
                .is_ok();
                (
                    d.id,
                    d.payload["document"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    d.payload["version"].as_u64().unwrap_or(0),
                    verified,
                )
            })
            .collect()
    }
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// An English policy page; `twist` changes its first provision.
fn policy(title: &str, twist: &str) -> String {
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>{title}</title></head><body><main><h1>{title}</h1>"
    );
    for i in 1..=4 {
        let extra = if i == 1 { twist } else { "" };
        html.push_str(&format!(
            "<h2>Section {i}: Use of the services</h2>\
             <p>You must not use the services in section {i} to violate the law, to infringe the \
             rights of others, or to distribute malware, spam or other harmful content.{extra}</p>\
             <p>We may suspend or terminate your access to the services described in section {i} \
             if you breach this policy, and we will give you notice where the law requires it.</p>"
        ));
    }
    html.push_str("</main></body></html>");
    html
}

const CHANGE: &str = " We may terminate your account at any time without notice.";

/// The aiosmtpd sink of cw-notify's tests.
struct Smtp {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Smtp {
    fn start() -> Smtp {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../notify/tests/smtp_sink.py");
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("python3")
            .arg(&script)
            .arg("--dir")
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 with aiosmtpd (scripts/test.sh installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                panic!("aiosmtpd sink did not start: {line:?} (pip install aiosmtpd)")
            });
        Smtp { child, port, dir }
    }

    fn messages(&self) -> Vec<Value> {
        (1..)
            .map_while(|n| std::fs::read_to_string(self.dir.path().join(format!("{n}.json"))).ok())
            .map(|t| serde_json::from_str(&t).unwrap())
            .collect()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn watch_once(dir: &Dir, extra: &[&str]) -> String {
    let mut args = vec![
        "watch",
        "--once",
        "--all",
        "--allow-private",
        "--per-host-delay",
        "0",
        "--timeout",
        "5s",
    ];
    args.extend_from_slice(extra);
    dir.ok(&args)
}

#[test]
fn track_watch_and_alert_by_webhook_email_and_feed() {
    let servers = Servers::start();
    let smtp = Smtp::start();
    let dir = Dir::new();
    servers.push(
        "/aup",
        [
            Reply::Page(policy("Acceptable Use Policy", ""), None),
            Reply::Page(policy("Acceptable Use Policy", CHANGE), None),
        ],
    );
    // Refused: not http, and a loopback target without --allow-private.
    dir.fails(&[
        "track",
        "ftp://example.com/x",
        "--platform",
        "acme",
        "--document",
        "aup",
    ]);
    let err = dir.fails(&[
        "track",
        &servers.url("/aup"),
        "--platform",
        "acme",
        "--document",
        "aup",
    ]);
    assert!(err.contains("allow-private"), "{err}");
    dir.ok(&[
        "track",
        &servers.url("/aup"),
        "--platform",
        "acme",
        "--document",
        "aup",
        "--every",
        "6h",
        "--language",
        "en",
        "--allow-private",
        "--select",
        "main",
    ]);
    let sources = dir.json(&["sources", "--format", "json"]);
    assert_eq!(sources[0]["document"], "acme/aup");
    assert_eq!(sources[0]["schedule"]["every"], 21_600);
    assert_eq!(sources[0]["select_css"][0], "main");
    assert_eq!(sources[0]["last_state"], Value::Null);

    subscribe_webhook(&dir, &servers.hook);
    dir.ok(&[
        "subscribe",
        "--email",
        "legal@example.com",
        "--platform",
        "acme",
        "--substantive-only",
        // The SMTP sink listens on loopback.
        "--allow-private",
    ]);
    let feed = dir.json(&["subscribe", "--feed", "acme-news", "--format", "json"]);
    assert_eq!(feed["channel"], "feed");
    let feed_path = dir.home().join("feeds/acme-news.xml");
    assert!(feed_path.exists(), "the feed file is written at once");
    let subs = dir.json(&["subscriptions", "--format", "json"]);
    assert_eq!(subs.as_array().unwrap().len(), 3);
    assert!(!subs.to_string().contains(SECRET), "secrets are not listed");

    let port = smtp.port.to_string();
    let smtp_flags = [
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-tls",
        "none",
    ];
    let out = watch_once(&dir, &smtp_flags);
    assert!(out.contains("first_version 1"), "{out}");
    let out = watch_once(&dir, &smtp_flags);
    assert!(out.contains("changed_unconfirmed 1"), "{out}");
    assert!(servers.deliveries().is_empty());
    let started = Instant::now();
    let out = watch_once(&dir, &smtp_flags);
    assert!(out.contains("confirmed 1"), "{out}");
    assert!(out.contains("3 delivered"), "{out}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "delivered within 60 s"
    );

    let hooks = servers.deliveries();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].1, "acme/aup");
    assert_eq!(hooks[0].2, 2);
    assert!(hooks[0].3, "webhook signature verifies");
    let mails = smtp.messages();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(
        mail["subject"]
            .as_str()
            .unwrap()
            .contains("acme/aup changed"),
        "{mail}"
    );
    assert_eq!(mail["rcpt_tos"][0], "legal@example.com");
    let types: Vec<&str> = mail["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["content_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["text/plain", "text/html"]);
    assert!(mail.to_string().contains("without notice"));
    let xml = std::fs::read_to_string(&feed_path).unwrap();
    assert!(xml.contains("without notice"), "{xml}");
    assert!(dir.home().join("feeds/documents/acme/aup.xml").exists());

    let sources = dir.ok(&["sources"]);
    assert!(sources.contains("last fetch: confirmed"), "{sources}");
    assert!(sources.contains("latest version: 2"), "{sources}");
    let versions = dir.json(&["versions", "acme/aup", "--format", "json"]);
    assert_eq!(versions.as_array().unwrap().len(), 2);

    // Nothing more to say: no second alert.
    watch_once(&dir, &smtp_flags);
    assert_eq!(servers.deliveries().len(), 1);
    assert_eq!(smtp.messages().len(), 1);

    dir.ok(&["untrack", "acme/aup"]);
    assert_eq!(
        dir.json(&["sources", "--format", "json"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    dir.fails(&["untrack", "acme/aup"]);
    dir.ok(&["unsubscribe", "acme-news"]);
    assert_eq!(
        dir.json(&["subscriptions", "--format", "json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn kill_9_mid_cycle_then_restart_loses_nothing_and_alerts_once() {
    let servers = Servers::start();
    let dir = Dir::new();
    let v1 = policy("Terms of Service", "");
    let v2 = policy("Terms of Service", CHANGE);
    servers.push(
        "/fast",
        [Reply::Page(v1.clone(), None), Reply::Page(v2.clone(), None)],
    );
    servers.push(
        "/slow",
        [
            Reply::Page(v1.clone(), None),
            Reply::Page(v1.clone(), None),
            Reply::Slow(Duration::from_secs(40), v1.clone()),
            Reply::Page(v1.clone(), None),
        ],
    );
    // A third source for the worst moment: the process dies right after the
    // version is written, before its alerts are queued.
    servers.push(
        "/crash",
        [Reply::Page(v1.clone(), None), Reply::Page(v2.clone(), None)],
    );
    // Two host names for the one origin: fetches to one host are serialised
    // (politeness), and fast's confirmation must not queue behind slow's
    // hanging fetch.
    let slow_url = servers.url("/slow").replace("127.0.0.1", "localhost");
    for (url, doc) in [(servers.url("/fast"), "fast"), (slow_url, "slow")] {
        dir.ok(&[
            "track",
            &url,
            "--platform",
            "acme",
            "--document",
            doc,
            "--every",
            "1s",
            "--allow-private",
        ]);
    }
    subscribe_webhook(&dir, &servers.hook);
    watch_once(&dir, &[]); // first versions
    watch_once(&dir, &[]); // fast: change seen once
    // Both sources due now (stepped, not waited for): the daemon's first
    // cycle confirms fast's change while slow's fetch hangs. Were fast due
    // a moment later, it would wait for the cycle that holds the hanging
    // fetch (cycles run one after the other).
    dir.sql("UPDATE watch_sources SET next_due_at = '2000-01-01T00:00:00.000000Z'");

    // The daemon: fast's change is confirmed and delivered; slow hangs.
    let mut daemon = std::process::Command::new(env!("CARGO_BIN_EXE_clausewatch"))
        .args([
            "watch",
            "--allow-private",
            "--per-host-delay",
            "0",
            "--timeout",
            "60s",
        ])
        .env("CLAUSEWATCH_HOME", dir.home())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while (servers.deliveries().is_empty() || servers.hits("/slow") < 3)
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        servers.deliveries().len(),
        1,
        "the alert was delivered by the daemon"
    );
    assert!(servers.hits("/slow") >= 3, "the slow fetch is in flight");
    daemon.kill().unwrap(); // SIGKILL
    daemon.wait().unwrap();

    // Restart: the slow source is fetched again, the fast one has nothing new.
    let out = watch_once(&dir, &[]);
    assert!(out.contains("0 new versions"), "{out}");
    assert_eq!(servers.deliveries().len(), 1, "nothing alerted twice");
    let fast = dir.json(&["versions", "acme/fast", "--format", "json"]);
    assert_eq!(fast.as_array().unwrap().len(), 2, "nothing lost");
    let slow = dir.json(&["versions", "acme/slow", "--format", "json"]);
    assert_eq!(slow.as_array().unwrap().len(), 1);
    let sources = dir.json(&["sources", "--format", "json"]);
    let slow = sources
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["document"] == "acme/slow")
        .unwrap();
    assert_eq!(slow["last_state"], "unchanged");

    // The worst moment: abort right after the import of a confirmed change.
    dir.ok(&[
        "track",
        &servers.url("/crash"),
        "--platform",
        "acme",
        "--document",
        "crash",
        "--allow-private",
    ]);
    watch_once(&dir, &[]);
    watch_once(&dir, &[]);
    let crashed = dir
        .cmd()
        .args([
            "watch",
            "--once",
            "--all",
            "--allow-private",
            "--per-host-delay",
            "0",
        ])
        .env("CLAUSEWATCH_CRASH_AT", "after_import")
        .output()
        .unwrap();
    assert!(!crashed.status.success(), "the process aborted");
    let crash = dir.json(&["versions", "acme/crash", "--format", "json"]);
    assert_eq!(
        crash.as_array().unwrap().len(),
        2,
        "the version was written"
    );
    assert_eq!(servers.deliveries().len(), 1, "its alert was not sent yet");
    watch_once(&dir, &[]);
    watch_once(&dir, &[]);
    let hooks = servers.deliveries();
    assert_eq!(hooks.len(), 2, "recovered and delivered once: {hooks:?}");
    assert_eq!(hooks[1].1, "acme/crash");
    assert_eq!(hooks[1].2, 2);
    let ids: std::collections::HashSet<&String> = hooks.iter().map(|h| &h.0).collect();
    assert_eq!(ids.len(), 2);
}

#[test]
fn sigterm_stops_the_daemon_gracefully() {
    let servers = Servers::start();
    let dir = Dir::new();
    let v1 = policy("Privacy Policy", "");
    servers.push("/ok", [Reply::Page(v1.clone(), None)]);
    servers.push("/hang", [Reply::Slow(Duration::from_secs(120), v1)]);
    // Two host names for the one origin: fetches to one host are serialised
    // (politeness), and the quick page must not queue behind the hanging one.
    let hang_url = servers.url("/hang").replace("127.0.0.1", "localhost");
    for (url, doc) in [(servers.url("/ok"), "ok"), (hang_url, "hang")] {
        dir.ok(&[
            "track",
            &url,
            "--platform",
            "acme",
            "--document",
            doc,
            "--allow-private",
        ]);
    }
    let daemon = std::process::Command::new(env!("CARGO_BIN_EXE_clausewatch"))
        .args([
            "watch",
            "--allow-private",
            "--per-host-delay",
            "0",
            "--timeout",
            "300s",
        ])
        .env("CLAUSEWATCH_HOME", dir.home())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    // Both fetches started: the quick one finishes within the shutdown
    // grace period, the hanging one is abandoned.
    while (servers.hits("/hang") == 0 || servers.hits("/ok") == 0) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let term = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let started = Instant::now();
    let out = daemon.wait_with_output().unwrap();
    assert!(out.status.success(), "exit 0 after SIGTERM");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the hanging fetch was abandoned after the grace period"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 fetches abandoned"), "{text}");
    // The finished source was recorded; the abandoned one left no trace.
    let sources = dir.json(&["sources", "--format", "json"]);
    let state = |doc: &str| {
        sources
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["document"] == doc)
            .unwrap()["last_state"]
            .clone()
    };
    assert_eq!(state("acme/ok"), "first_version");
    assert_eq!(state("acme/hang"), Value::Null);
}

/// Subscribes the test's webhook receiver (on loopback, so with
/// `--allow-private`: issue #25).
fn subscribe_webhook(dir: &Dir, url: &str) {
    dir.ok(&[
        "subscribe",
        "--webhook",
        url,
        "--secret",
        SECRET,
        "--allow-private",
    ]);
}
