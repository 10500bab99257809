//! When a source is fetched again: a change seen for the first time is
//! confirmed within minutes, not a whole period later, and a failed fetch
//! is retried soon (issue #24); with the browser fallback off, a page that
//! needs a browser is the `needs_browser` state (issue #18).

use crate::origin::{CLOUDFLARE, Origin, Reply, policy};
use crate::watchkit::{config, cycle, home, states, versions, watcher};
use cw_engine::watch::{self, TrackRequest};
use cw_store::{Schedule, SourceRow, Store};

async fn track_daily(store: &Store, document: &str, url: String, no_browser: bool) {
    watch::track(
        store,
        &TrackRequest {
            document: document.parse().unwrap(),
            url,
            schedule: Schedule::Every(86_400),
            select_css: vec![],
            remove_css: vec![],
            browser: false,
            no_browser,
            language: Some("en".to_owned()),
            allow_private: true,
            confirmations: 2,
        },
    )
    .await
    .unwrap();
}

async fn source(store: &Store, document: &str) -> SourceRow {
    store
        .source(&document.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
}

/// An origin whose `/aup` serves a policy once, then a changed text twice
/// (first sighting, confirmation).
async fn changing_origin() -> Origin {
    let origin = Origin::start().await;
    let v1 = policy("Acceptable Use Policy", 4, "");
    let v2 = policy(
        "Acceptable Use Policy",
        4,
        " Accounts may be closed without notice.",
    );
    origin.push(
        "/aup",
        [
            Reply::Page(v1, None),
            Reply::Page(v2.clone(), None),
            Reply::Page(v2, None),
        ],
    );
    origin
}

/// Seconds from the last attempt to the next due time.
fn wait_secs(source: &SourceRow) -> i64 {
    (source.next_due_at - source.last_attempt_at.unwrap()).num_seconds()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_sighting_is_confirmed_within_minutes_on_a_daily_schedule() {
    let origin = changing_origin().await;
    origin.push(
        "/aup",
        [Reply::Status(
            503,
            "<h1>Service Unavailable</h1>".to_owned(),
        )],
    );
    let (_dir, store) = home().await;
    track_daily(&store, "example/aup", origin.url("/aup"), false).await;
    let w = watcher(&store, config());

    cycle(&w).await;
    let first = source(&store, "example/aup").await;
    assert_eq!(
        wait_secs(&first),
        86_400,
        "a first version waits for the schedule"
    );

    cycle(&w).await;
    let seen = source(&store, "example/aup").await;
    assert_eq!(seen.last_state.as_deref(), Some("changed_unconfirmed"));
    let wait = wait_secs(&seen);
    assert!(
        (1..=600).contains(&wait),
        "confirmation due in {wait} s, not a day"
    );

    cycle(&w).await;
    assert_eq!(versions(&store, "example/aup").await, 2);
    assert_eq!(wait_secs(&source(&store, "example/aup").await), 86_400);

    // A failed fetch is retried after the base delay, not a day later.
    cycle(&w).await;
    let failed = source(&store, "example/aup").await;
    assert_eq!(failed.last_state.as_deref(), Some("http_error"));
    assert_eq!(wait_secs(&failed), 600, "first retry after the base delay");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_browser_off_a_bot_wall_needs_a_browser() {
    let origin = Origin::start().await;
    origin.push("/wall", [Reply::Page(CLOUDFLARE.to_owned(), None)]);
    origin.push("/wall-source", [Reply::Page(CLOUDFLARE.to_owned(), None)]);
    let (_dir, store) = home().await;
    // Off for the whole run (`watch --no-browser` or the store's setting)…
    track_daily(&store, "example/wall", origin.url("/wall"), false).await;
    let mut off = config();
    off.no_browser = true;
    cycle(&watcher(&store, off)).await;
    assert_eq!(states(&store, "example/wall").await, ["needs_browser"]);
    let wall = source(&store, "example/wall").await;
    assert!(
        wall.last_detail
            .as_deref()
            .unwrap_or("")
            .contains("browser fallback is off"),
        "{:?}",
        wall.last_detail
    );
    // …or for one source (`track --no-browser`).
    track_daily(
        &store,
        "example/wall-source",
        origin.url("/wall-source"),
        true,
    )
    .await;
    cycle(&watcher(&store, config())).await;
    assert_eq!(
        states(&store, "example/wall-source").await,
        ["needs_browser"]
    );
    assert_eq!(versions(&store, "example/wall-source").await, 0);
    // With the fallback merely unavailable, the wall is still a bot wall.
    assert_eq!(
        states(&store, "example/wall").await,
        ["needs_browser", "bot_wall"]
    );
}

/// Issue #24: with `--every 24h` and two confirmations, a change goes from
/// its first sighting to a delivered alert within 15 minutes of simulated
/// time. The store reads a manual clock; the test steps it a minute at a
/// time and runs the scheduled cycle (`watch` without `--once --all`),
/// which fetches only what is due by that clock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_daily_schedule_a_change_is_alerted_within_fifteen_minutes_of_first_sight() {
    use chrono::{Duration, TimeZone, Utc};

    let origin = changing_origin().await;
    let (_dir, store, clock) =
        cw_testkit::temp_store_at(Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()).await;
    track_daily(&store, "example/aup", origin.url("/aup"), false).await;
    let hook = cw_testkit::WebhookReceiver::start().await;
    let delivered = || hook.deliveries().len();
    let channel = cw_notify::Channel::Webhook {
        url: hook.url().to_owned(),
        secret: "s3cret-s3cret-s3cret".to_owned(),
    };
    store
        .add_subscription(
            None,
            &serde_json::to_string(&channel).unwrap(),
            &serde_json::to_string(&cw_notify::Filter::default()).unwrap(),
            true,
        )
        .await
        .unwrap();
    let w = watcher(&store, config());
    let scheduled = || async { w.run_once(false).await.unwrap() };

    scheduled().await;
    assert_eq!(versions(&store, "example/aup").await, 1);
    // Nothing is due again for a day: stepping an hour fetches nothing.
    clock.advance(Duration::hours(1));
    scheduled().await;
    assert_eq!(origin.hits("/aup"), 1, "fetched before it was due");

    // A day later the changed page is seen for the first time.
    clock.advance(Duration::hours(23));
    scheduled().await;
    assert_eq!(
        source(&store, "example/aup").await.last_state.as_deref(),
        Some("changed_unconfirmed")
    );
    let first_sight = clock.now();
    assert_eq!(delivered(), 0, "alert before confirmation");

    let mut minutes = 0;
    while delivered() == 0 && minutes < 24 * 60 {
        clock.advance(Duration::minutes(1));
        minutes += 1;
        scheduled().await;
    }
    let waited = clock.now() - first_sight;
    assert_eq!(delivered(), 1, "one alert delivered");
    assert!(
        waited <= Duration::minutes(15),
        "alert delivered {} min after the first sighting",
        waited.num_minutes()
    );
    assert_eq!(versions(&store, "example/aup").await, 2);
    assert_eq!(origin.hits("/aup"), 3, "one confirming fetch, no more");
}
