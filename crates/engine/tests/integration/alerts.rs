//! Alerts from confirmed changes: a signed webhook whose receiver verifies
//! the signature (and fails the first attempt, so the retry shows), Atom
//! feed files per subscription and per document, filters, idempotent
//! promotion, and no alert for first versions.

use crate::origin::{Origin, Reply, policy};
use crate::watchkit::{config, cycle, home, track, watcher};
use cw_notify::{Channel, DEFAULT_TOLERANCE, Filter, verify};
use std::time::{Duration, Instant};

const SECRET: &str = "s3cret-s3cret-s3cret";

async fn subscribe(
    store: &cw_store::Store,
    name: Option<&str>,
    channel: &Channel,
    filter: &Filter,
) {
    store
        .add_subscription(
            name,
            &serde_json::to_string(channel).unwrap(),
            &serde_json::to_string(filter).unwrap(),
            // The receivers listen on loopback.
            true,
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn confirmed_change_is_delivered_once_signed_and_in_feeds() {
    let origin = Origin::start().await;
    let (dir, store) = home().await;
    // The first attempt fails: the sender must retry.
    let receiver = cw_testkit::WebhookReceiver::failing_first(1).await;
    let hook = receiver.url().to_owned();
    let v1 = policy("Terms of Service", 4, "");
    let v2 = policy(
        "Terms of Service",
        4,
        " We may terminate your account at any time without notice.",
    );
    origin.push(
        "/tos",
        [
            Reply::Page(v1, None),
            Reply::Page(v2.clone(), None),
            Reply::Page(v2, None),
        ],
    );
    track(&store, "acme/tos", origin.url("/tos"), Some("en")).await;
    let webhook = Channel::Webhook {
        url: hook.clone(),
        secret: SECRET.into(),
    };
    subscribe(&store, None, &webhook, &Filter::default()).await;
    subscribe(
        &store,
        Some("acme-feed"),
        &Channel::Feed {
            name: "acme-feed".into(),
        },
        &Filter {
            platforms: vec!["acme".into()],
            ..Filter::default()
        },
    )
    .await;
    // A filter that never matches: no outbox row for it.
    subscribe(
        &store,
        Some("other-feed"),
        &Channel::Feed {
            name: "other-feed".into(),
        },
        &Filter {
            platforms: vec!["other".into()],
            ..Filter::default()
        },
    )
    .await;

    let mut config = config();
    config.webhook_retry.initial_backoff = Duration::from_millis(100);
    let w = watcher(&store, config);
    // First version: no alert.
    let r = cycle(&w).await;
    assert_eq!(r.last_cycle.alerts_queued, 0);
    // First sighting of the change: no alert yet.
    let r = cycle(&w).await;
    assert_eq!(r.last_cycle.alerts_queued, 0);
    assert!(receiver.deliveries().is_empty());
    // Second sighting: confirmed, queued and delivered within the run.
    let started = Instant::now();
    let r = cycle(&w).await;
    assert_eq!(r.last_cycle.new_versions, 1, "{r:?}");
    assert_eq!(r.last_cycle.alerts_queued, 2, "webhook + acme feed: {r:?}");
    assert_eq!(r.deliveries.delivered, 2, "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(60));
    {
        assert_eq!(receiver.calls(), 2, "one failed attempt, one retry");
        let got = receiver.deliveries();
        assert_eq!(got.len(), 1);
        let (id, payload) = (&got[0].id, &got[0].payload);
        let verified = verify(
            SECRET.as_bytes(),
            &got[0].signature,
            &got[0].body,
            chrono::Utc::now().timestamp(),
            DEFAULT_TOLERANCE,
        );
        assert!(
            verified.is_ok(),
            "the signature verifies with the shared secret"
        );
        assert_eq!(payload["schema"], "clausewatch.alert.v1");
        assert_eq!(payload["document"], "acme/tos");
        assert_eq!(payload["version"], 2);
        assert_eq!(payload["old_version"], 1);
        assert_eq!(&payload["id"], id.as_str());
        assert!(
            payload["summary"]["substantive"].as_u64().unwrap() >= 1,
            "{payload}"
        );
        let changes = payload["changes"].as_array().unwrap();
        assert!(changes.iter().any(|c| {
            c["new_text"]
                .as_str()
                .unwrap_or_default()
                .contains("without notice")
        }));
        // Issue #22: why it matters, from the read model the diff page
        // renders (the same labels and findings of both stored versions).
        let key: cw_model::DocumentKey = "acme/tos".parse().unwrap();
        let doc = store.document(&key).await.unwrap().unwrap();
        let at = |n| cw_model::VersionRef {
            document: key.clone(),
            selector: cw_model::VersionSelector::Number(n),
        };
        let (old, new) = (
            store.version(&at(1)).await.unwrap(),
            store.version(&at(2)).await.unwrap(),
        );
        let change = store.change(&key, 2).await.unwrap().unwrap();
        let expected = cw_engine::why_it_matters(
            &change.change_set,
            &cw_engine::VersionLabels::of(&doc, &old),
            &cw_engine::VersionLabels::of(&doc, &new),
        );
        assert!(
            !expected.label_changes.is_empty(),
            "terminating without notice gains a label: {expected:?}"
        );
        assert_eq!(payload["why"], serde_json::to_value(&expected).unwrap());
        let gained = &payload["why"]["label_changes"][0]["added"][0];
        assert!(
            gained["name"].as_str().unwrap_or_default().contains(' '),
            "a readable label name beside its id: {gained}"
        );
    }
    // The delivery log has both attempts.
    let outbox = store.outbox(None).await.unwrap();
    assert_eq!(outbox.len(), 2);
    assert!(outbox.iter().all(|a| a.state == "delivered"));
    let webhook_row = outbox.iter().find(|a| a.subscription_id == 1).unwrap();
    let log = store.deliveries(webhook_row.id).await.unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].status, Some(503));
    assert_eq!(log[1].outcome, "delivered");

    // Feeds: the subscription's and the document's, with the change.
    let feed = std::fs::read_to_string(dir.path().join("feeds/acme-feed.xml")).unwrap();
    assert!(feed.contains("urn:clausewatch:alert:"), "{feed}");
    assert!(feed.contains("without notice"), "{feed}");
    assert!(feed.contains("Why it matters"), "{feed}");
    let doc_feed =
        std::fs::read_to_string(dir.path().join("feeds/documents/acme/tos.xml")).unwrap();
    assert!(doc_feed.contains("urn:clausewatch:feed:document:acme/tos"));
    assert!(doc_feed.contains("without notice"));
    assert!(!dir.path().join("feeds/other-feed.xml").exists());

    // A document feed lost between a promotion and its write (a crash) is
    // rewritten when the watcher starts its next run.
    std::fs::remove_file(dir.path().join("feeds/documents/acme/tos.xml")).unwrap();

    // More cycles: unchanged, nothing more is sent.
    cycle(&w).await;
    let healed = std::fs::read_to_string(dir.path().join("feeds/documents/acme/tos.xml")).unwrap();
    assert!(healed.contains("without notice"), "{healed}");
    cycle(&w).await;
    assert_eq!(receiver.deliveries().len(), 1);
    assert_eq!(store.outbox(None).await.unwrap().len(), 2);

    // Promoting the same candidate again (a crash before its transaction
    // ended) queues nothing twice.
    assert_eq!(w.recover().await.unwrap(), 0);
    assert_eq!(store.outbox(None).await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn substantive_only_filter_skips_cosmetic_changes() {
    let origin = Origin::start().await;
    let (_dir, store) = home().await;
    let v1 = policy("Privacy Policy", 4, "");
    // Punctuation only: a cosmetic change.
    let v2 = v1.replacen("spam or other", "spam, or other", 1);
    origin.push(
        "/privacy",
        [
            Reply::Page(v1, None),
            Reply::Page(v2.clone(), None),
            Reply::Page(v2, None),
        ],
    );
    track(&store, "acme/privacy", origin.url("/privacy"), Some("en")).await;
    subscribe(
        &store,
        Some("substantive"),
        &Channel::Feed {
            name: "substantive".into(),
        },
        &Filter {
            substantive_only: true,
            ..Filter::default()
        },
    )
    .await;
    subscribe(
        &store,
        Some("everything"),
        &Channel::Feed {
            name: "everything".into(),
        },
        &Filter::default(),
    )
    .await;
    let w = watcher(&store, config());
    for _ in 0..3 {
        cycle(&w).await;
    }
    assert_eq!(crate::watchkit::versions(&store, "acme/privacy").await, 2);
    let outbox = store.outbox(None).await.unwrap();
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    assert_eq!(outbox[0].subscription_id, 2);
}
