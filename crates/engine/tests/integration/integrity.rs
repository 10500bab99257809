//! Issue #25 (item 2): completeness before content. A page cut short but
//! delivered as a complete 200, a page that lost its tail, a text that is
//! undecodable: archived as evidence, logged with their state, never a
//! version, a candidate or an alert. GBK bytes labelled UTF-8 (header and
//! `<meta>`) are re-decoded: version 1 is Chinese, not a garbled text.

use crate::origin::{Origin, Reply, policy};
use crate::watchkit::{config, cycle, home, states, track, versions, watcher};
use cw_model::{VersionRef, VersionSelector};

fn page(body: String) -> Reply {
    Reply::Page(body, None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn issue_25_cut_pages_are_truncated_never_versions() {
    let origin = Origin::start().await;
    let (_dir, store) = home().await;
    let whole = policy("Terms of Service", 16, "");
    // Cut at 70 % of its bytes, served as a complete 200 (right length).
    let cut = whole.get(..whole.len() * 7 / 10).unwrap().to_string();
    assert!(!cut.contains("</body>"));
    origin.push("/cut", [page(whole.clone()), page(cut)]);
    // Whole markup, but only the first 12 of 16 sections: a lost tail
    // (above the lost-provisions guard's half).
    origin.push(
        "/tail",
        [
            page(whole.clone()),
            page(policy("Terms of Service", 12, "")),
        ],
    );
    // The first fetch already cut: not even a first version.
    let first_cut = whole.get(..whole.len() / 2).unwrap().to_string();
    origin.push("/cut-first", [page(first_cut)]);
    // A real change that also loses the tail is a change, not a cut.
    origin.push(
        "/edit",
        [
            page(whole.clone()),
            page(policy(
                "Terms of Service",
                12,
                " We may also end your account.",
            )),
        ],
    );
    track(&store, "cut/tos", origin.url("/cut"), Some("en")).await;
    track(&store, "tail/tos", origin.url("/tail"), Some("en")).await;
    track(
        &store,
        "cut-first/tos",
        origin.url("/cut-first"),
        Some("en"),
    )
    .await;
    track(&store, "edit/tos", origin.url("/edit"), Some("en")).await;
    let w = watcher(&store, config());
    for _ in 0..3 {
        cycle(&w).await;
    }
    for doc in ["cut/tos", "tail/tos"] {
        assert_eq!(versions(&store, doc).await, 1, "{doc}");
        assert_eq!(
            states(&store, doc).await,
            ["first_version", "truncated", "truncated"],
            "{doc}"
        );
        let key = doc.parse().unwrap();
        let source = store.source(&key).await.unwrap().unwrap();
        assert!(source.candidate.is_none(), "{doc}: no candidate");
        // The cut page is archived as evidence and named on the attempt.
        let attempts = store.fetch_attempts(&key, 1).await.unwrap();
        let sha = attempts[0].sha256.clone().unwrap();
        assert!(store.archive().contains(&sha.parse().unwrap()));
        let detail = attempts[0].detail.clone().unwrap_or_default();
        let expected = if doc == "cut/tos" {
            "element(s) open"
        } else {
            "only the first 24 of the latest version's 32 provisions"
        };
        assert!(detail.contains(expected), "{doc}: {detail}");
    }
    assert_eq!(versions(&store, "cut-first/tos").await, 0);
    assert_eq!(
        states(&store, "cut-first/tos").await,
        ["truncated", "truncated", "truncated"]
    );
    assert_eq!(
        states(&store, "edit/tos").await,
        ["first_version", "changed_unconfirmed", "confirmed"]
    );
    assert_eq!(versions(&store, "edit/tos").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn issue_25_gbk_labelled_utf8_is_read_and_garbled_text_is_refused() {
    let origin = Origin::start().await;
    let (_dir, store) = home().await;
    let text = "隐私政策";
    let body: String = (1..=6)
        .map(|i| {
            format!(
                "<h2>第{i}条 个人信息的收集</h2><p>我们非常重视您的个人信息和隐私保护。我们将按照法律法规的要求，\
                 采取相应的安全保护措施，尽力保护您的个人信息安全可控。本条适用于第{i}项服务。</p>"
            )
        })
        .collect();
    let html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{text}</title></head>\
         <body><main><h1>{text}</h1>{body}</main></body></html>"
    );
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&html);
    assert!(!unmappable);
    origin.push(
        "/gbk",
        [Reply::Bytes(gbk.into_owned(), "text/html; charset=utf-8")],
    );
    // A valid UTF-8 page whose text is mostly U+FFFD already (garbled
    // upstream): no charset makes it readable.
    let garbled = policy("Terms of Service", 4, "").replace('e', "\u{FFFD}");
    origin.push("/garbled", [page(garbled)]);
    track(&store, "gbk/privacy", origin.url("/gbk"), None).await;
    track(&store, "garbled/tos", origin.url("/garbled"), None).await;
    let w = watcher(&store, config());
    cycle(&w).await;
    cycle(&w).await;

    assert_eq!(
        states(&store, "gbk/privacy").await,
        ["first_version", "unchanged"]
    );
    let v1 = store
        .version(&VersionRef {
            document: "gbk/privacy".parse().unwrap(),
            selector: VersionSelector::Number(1),
        })
        .await
        .unwrap();
    assert_eq!(v1.document.language, "zh");
    assert_eq!(v1.document.title.as_deref(), Some(text));
    let all: String = v1
        .document
        .provisions
        .iter()
        .map(|p| p.text.as_str())
        .collect();
    assert!(all.contains("我们非常重视您的个人信息和隐私保护"), "{all}");
    assert!(!all.contains('\u{FFFD}'));

    assert_eq!(versions(&store, "garbled/tos").await, 0);
    assert_eq!(states(&store, "garbled/tos").await, ["garbled", "garbled"]);
    let attempts = store
        .fetch_attempts(&"garbled/tos".parse().unwrap(), 1)
        .await
        .unwrap();
    assert!(attempts[0].sha256.is_some(), "evidence archived");
}
