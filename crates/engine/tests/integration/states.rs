//! Fetch states, not content: every kind of bad answer a source can give is
//! logged with the right state and never becomes a version; a real change
//! becomes a version only after two identical sightings.

use crate::origin::{CAPTCHA, CLOUDFLARE, LOGIN, Origin, Reply, SOFT_404, policy, policy_fr};
use crate::watchkit::{config, cycle, home, states, track, versions, watcher};
use std::time::Duration;

fn page(body: String) -> Reply {
    Reply::Page(body, None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_answers_are_states_and_never_versions() {
    let origin = Origin::start().await;
    let (_dir, store) = home().await;
    let v1 = policy("Acceptable Use Policy", 4, "");
    // Each path: a good first version, then one kind of trouble, three times.
    let troubles: Vec<(&str, Reply, &str)> = vec![
        (
            "/http-500",
            Reply::Status(500, "<h1>Internal Server Error</h1>".into()),
            "http_error",
        ),
        (
            "/http-404",
            Reply::Status(404, "<h1>Not Found</h1>".into()),
            "http_error",
        ),
        ("/bot-wall", page(CLOUDFLARE.into()), "bot_wall"),
        (
            "/bot-wall-403",
            Reply::Status(403, CLOUDFLARE.into()),
            "bot_wall",
        ),
        ("/captcha", page(CAPTCHA.into()), "captcha"),
        ("/login", page(LOGIN.into()), "login_wall"),
        ("/soft-404", page(SOFT_404.into()), "soft_not_found"),
        (
            "/lost",
            page(policy("Acceptable Use Policy", 1, "")),
            "lost_provisions",
        ),
        ("/language", page(policy_fr(4)), "wrong_language"),
        (
            "/slow",
            Reply::Slow(Duration::from_secs(4), v1.clone()),
            "timeout",
        ),
        ("/redirect-loop", Reply::RedirectLoop, "redirect_loop"),
        ("/gzip-bomb", Reply::GzipBomb(40 << 20), "too_large"),
    ];
    for (path, trouble, _) in &troubles {
        origin.push(path, [page(v1.clone()), trouble.clone()]);
        let doc = format!("example{}", path.replace('/', "-"));
        track(&store, &format!("{doc}/aup"), origin.url(path), Some("en")).await;
    }
    // Truncated bodies come from a raw server: first a good page from the
    // origin (same path name), then a body cut short.
    let (truncated_url, _raw) = crate::origin::truncated_origin().await;
    origin.push("/truncated-first", [page(v1.clone())]);
    track(
        &store,
        "example-truncated/aup",
        origin.url("/truncated-first"),
        Some("en"),
    )
    .await;
    // The same text, served with a wrong charset label: still the same version.
    origin.push(
        "/charset",
        [
            page(v1.clone()),
            Reply::Page(v1.clone(), Some("text/html; charset=iso-8859-1")),
        ],
    );
    track(
        &store,
        "example-charset/aup",
        origin.url("/charset"),
        Some("en"),
    )
    .await;
    // A page that is a bot wall from the very first fetch: no version at all.
    origin.push("/wall-first", [page(CLOUDFLARE.into())]);
    track(
        &store,
        "example-wall-first/aup",
        origin.url("/wall-first"),
        None,
    )
    .await;

    let w = watcher(&store, config());
    let first = cycle(&w).await;
    assert_eq!(
        first.last_cycle.new_versions,
        troubles.len() + 2,
        "{first:?}"
    );
    // The truncated source moves to the raw server after its first version.
    track(&store, "example-truncated/aup", truncated_url, Some("en")).await;
    for _ in 0..3 {
        let report = cycle(&w).await;
        assert_eq!(report.last_cycle.new_versions, 0, "{report:?}");
    }
    let mut expectations: Vec<(String, &str)> = troubles
        .iter()
        .map(|(path, _, expected)| (format!("example{}/aup", path.replace('/', "-")), *expected))
        .collect();
    expectations.push(("example-truncated/aup".into(), "truncated"));
    for (doc, expected) in &expectations {
        let doc = doc.as_str();
        assert_eq!(versions(&store, doc).await, 1, "{doc}: zero false versions");
        let seen = states(&store, doc).await;
        assert_eq!(seen[0], "first_version", "{doc}: {seen:?}");
        assert!(
            seen[1..].iter().all(|s| s == expected),
            "{doc}: expected {expected}, got {seen:?}"
        );
        let source = store.source(&doc.parse().unwrap()).await.unwrap().unwrap();
        assert_eq!(source.last_state.as_deref(), Some(*expected), "{doc}");
        assert_eq!(source.consecutive_failures, 3, "{doc}");
        assert!(source.candidate.is_none(), "{doc}: no change candidate");
    }
    assert_eq!(versions(&store, "example-charset/aup").await, 1);
    let charset = states(&store, "example-charset/aup").await;
    assert!(charset[1..].iter().all(|s| s == "unchanged"), "{charset:?}");
    assert_eq!(versions(&store, "example-wall-first/aup").await, 0);
    let wall = states(&store, "example-wall-first/aup").await;
    assert_eq!(wall, vec!["bot_wall"; 4]);
    // Evidence of what the wall served is archived and named on the attempt.
    let attempts = store
        .fetch_attempts(&"example-wall-first/aup".parse().unwrap(), 1)
        .await
        .unwrap();
    let sha = attempts[0].sha256.clone().unwrap();
    assert!(store.archive().contains(&sha.parse().unwrap()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_change_needs_two_identical_sightings_and_flapping_never_confirms() {
    let origin = Origin::start().await;
    let (_dir, store) = home().await;
    let v1 = policy("Terms of Service", 4, "");
    let v2 = policy(
        "Terms of Service",
        4,
        " We may also terminate your account without notice.",
    );
    let v3 = policy("Terms of Service", 4, " Disputes go to arbitration.");
    // Steady: v1, v2 (unconfirmed), an error (neutral), v2 (confirmed).
    origin.push(
        "/steady",
        [
            page(v1.clone()),
            page(v2.clone()),
            Reply::Status(500, "<h1>Internal Server Error</h1>".into()),
            page(v2.clone()),
        ],
    );
    // Flapping: v1, v2, v1, v3, v1 … never the same change twice in a row.
    origin.push(
        "/flapping",
        [
            page(v1.clone()),
            page(v2.clone()),
            page(v1.clone()),
            page(v3.clone()),
            page(v1.clone()),
        ],
    );
    track(&store, "steady/tos", origin.url("/steady"), Some("en")).await;
    track(&store, "flapping/tos", origin.url("/flapping"), Some("en")).await;
    let w = watcher(&store, config());
    for _ in 0..5 {
        cycle(&w).await;
    }
    assert_eq!(
        states(&store, "steady/tos").await,
        vec![
            "first_version",
            "changed_unconfirmed",
            "http_error",
            "confirmed",
            "unchanged"
        ]
    );
    assert_eq!(versions(&store, "steady/tos").await, 2);
    let v = store
        .versions(&"steady/tos".parse().unwrap())
        .await
        .unwrap();
    // The version is dated at its first sighting and carries the diff.
    let attempts = store
        .fetch_attempts(&"steady/tos".parse().unwrap(), 10)
        .await
        .unwrap();
    let first_sighting = attempts.iter().rev().nth(1).unwrap().finished_at;
    assert!(v[1].observed_at <= first_sighting);
    assert!(v[1].substantive_changes.unwrap_or(0) >= 1, "{v:?}");

    assert_eq!(
        states(&store, "flapping/tos").await,
        vec![
            "first_version",
            "changed_unconfirmed",
            "unchanged",
            "changed_unconfirmed",
            "unchanged"
        ]
    );
    assert_eq!(
        versions(&store, "flapping/tos").await,
        1,
        "flapping never confirms"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conditional_get_and_schedule() {
    let origin = Origin::start().await;
    let (_dir, store) = home().await;
    origin.push("/p", [page(policy("Privacy Policy", 3, ""))]);
    track(&store, "sched/privacy", origin.url("/p"), None).await;
    let w = watcher(&store, config());
    // Due at once; after the fetch, due in an hour: a normal cycle skips it.
    let r = w.run_once(false).await.unwrap();
    assert_eq!(r.last_cycle.sources, 1);
    let r = w.run_once(false).await.unwrap();
    assert_eq!(r.last_cycle.sources, 0);
    let s = store
        .source(&"sched/privacy".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let wait = s.next_due_at - chrono::Utc::now();
    assert!(wait > chrono::Duration::minutes(59), "{wait:?}");
    assert_eq!(origin.hits("/p"), 1);
}

/// Issue #25 (item 9): a page without provisions (only an inline SVG) is a
/// `no_provisions` attempt, never a version: not as the first version, and
/// not as a change of a short document (below the lost-provisions guard's
/// minimum), however often it is seen.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn issue_25_watch_never_stores_a_page_without_provisions() {
    // Links around an inline SVG: enough visible text for the fetcher's
    // classifier (not an empty shell), nothing the extractor keeps.
    let links: String = (0..20)
        .map(|i| format!("<a href=\"/p{i}\">Product page number {i}</a> "))
        .collect();
    let svg_only = format!(
        "<!DOCTYPE html><html><head><title>Terms</title></head><body><nav>{links}</nav>\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"400\">\
         <rect width=\"600\" height=\"400\" fill=\"#eee\"/></svg><footer>{links}</footer></body></html>"
    );
    let origin = Origin::start().await;
    let (_dir, store) = home().await;
    origin.push("/svg-first", vec![page(svg_only.clone()); 3]);
    let short = policy("Terms of Service", 2, "");
    origin.push(
        "/svg-later",
        [page(short), page(svg_only.clone()), page(svg_only)],
    );
    track(&store, "svg-first/tos", origin.url("/svg-first"), None).await;
    track(&store, "svg-later/tos", origin.url("/svg-later"), None).await;
    let w = watcher(&store, config());
    for _ in 0..3 {
        cycle(&w).await;
    }
    assert_eq!(versions(&store, "svg-first/tos").await, 0);
    assert_eq!(
        states(&store, "svg-first/tos").await,
        vec!["no_provisions"; 3]
    );
    assert_eq!(versions(&store, "svg-later/tos").await, 1);
    assert_eq!(
        states(&store, "svg-later/tos").await,
        vec!["first_version", "no_provisions", "no_provisions"]
    );
    let source = store
        .source(&"svg-later/tos".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(source.candidate.is_none());
}
