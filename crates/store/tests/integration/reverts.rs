//! Reverts are versions: a copy whose text is an older version's (not the
//! one in force) is a new version that restores the text's first version,
//! whether its bytes were archived before or are new; a copy of the text in
//! force stays an observation.

use super::util::{TestHome, date, key, render_versions};
use cw_store::{BlobId, ImportOutcome};
use proptest::prelude::*;
use std::collections::HashMap;

const A: &[(&str, &str)] = &[("rules/1", "You may not abuse the network.")];
const B: &[(&str, &str)] = &[("rules/1", "You may not abuse or probe the network.")];

/// Imports `provisions` from `bytes` on `day`, diffed against the version
/// in force then; returns the outcome.
async fn import(
    home: &TestHome,
    bytes: &str,
    day: &str,
    provisions: &[(&str, &str)],
) -> ImportOutcome {
    home.import("aws/aup")
        .bytes(bytes)
        .on(day)
        .provisions(provisions)
        .substantive(1)
        .run()
        .await
        .unwrap()
}

/// The first provision's text in force on a day.
async fn text_on(home: &TestHome, day: &str) -> Option<(u32, String)> {
    let v = home
        .store
        .version_in_force_at(&key("aws/aup"), date(day))
        .await
        .unwrap()?
        .version;
    Some((v.row.number, v.document.provisions[0].text.clone()))
}

#[tokio::test]
async fn the_same_bytes_after_another_text_are_a_version_that_restores_the_first() {
    let home = TestHome::new().await;
    import(&home, "<p>A</p>", "2021-01-10", A).await;
    import(&home, "<p>B</p>", "2021-02-10", B).await;
    let back = import(&home, "<p>A</p>", "2021-03-10", A).await;
    assert_eq!(
        back,
        ImportOutcome::NewVersion {
            version_number: 3,
            substantive: 1,
            restores: Some(1)
        }
    );
    let aup = key("aws/aup");
    let versions = home.store.versions(&aup).await.unwrap();
    assert_eq!(
        render_versions(&versions),
        "v1 observed 2021-01-10 provisions 1 snapshots 1 | 1 substantive vs nothing\n\
         v2 observed 2021-02-10 provisions 1 snapshots 1 | 1 substantive vs 1\n\
         v3 observed 2021-03-10 provisions 1 snapshots 1 restores @1 | 1 substantive vs 2"
    );
    // The revert's bytes are the first version's one snapshot, seen twice.
    assert_eq!(versions[2].snapshots, vec![BlobId::of(b"<p>A</p>")]);
    let snapshots = home.store.snapshots(&aup).await.unwrap();
    assert_eq!(snapshots.len(), 2);
    assert_eq!(
        (snapshots[0].version_number, snapshots[0].observation_count),
        (1, 2)
    );
    // The change leading to the revert is against the text it replaced.
    let change = home.store.change(&aup, 3).await.unwrap().unwrap();
    assert_eq!(change.old_version, Some(2));

    // Each day gets the text observed in force on it.
    let a = "You may not abuse the network.".to_string();
    let b = "You may not abuse or probe the network.".to_string();
    assert_eq!(text_on(&home, "2021-01-09").await, None);
    assert_eq!(text_on(&home, "2021-01-10").await, Some((1, a.clone())));
    assert_eq!(text_on(&home, "2021-02-28").await, Some((2, b)));
    assert_eq!(text_on(&home, "2021-03-10").await, Some((3, a.clone())));
    assert_eq!(text_on(&home, "2030-01-01").await, Some((3, a)));

    // The restored text is in force now: the same bytes again are a sighting of it.
    let again = import(&home, "<p>A</p>", "2021-04-10", A).await;
    assert_eq!(again, ImportOutcome::SameSnapshot { version_number: 3 });
    assert_eq!(home.store.versions(&aup).await.unwrap().len(), 3);
    // And the next text is diffed against the revert.
    import(&home, "<p>C</p>", "2021-05-10", &[("rules/1", "Be nice.")]).await;
    let change = home.store.change(&aup, 4).await.unwrap().unwrap();
    assert_eq!(change.old_version, Some(3));
}

#[tokio::test]
async fn new_bytes_of_an_older_text_restore_its_first_version() {
    let home = TestHome::new().await;
    import(&home, "<p>A</p>", "2021-01-10", A).await;
    import(&home, "<p>B</p>", "2021-02-10", B).await;
    import(&home, "<div>A</div>", "2021-03-10", A).await;
    import(&home, "<p>B</p>", "2021-04-10", B).await;
    let fifth = import(&home, "<section>A</section>", "2021-05-10", A).await;
    assert_eq!(
        fifth,
        ImportOutcome::NewVersion {
            version_number: 5,
            substantive: 1,
            restores: Some(1)
        }
    );
    let versions = home.store.versions(&key("aws/aup")).await.unwrap();
    let restores: Vec<Option<u32>> = versions.iter().map(|v| v.restores).collect();
    assert_eq!(restores, [None, None, Some(1), Some(2), Some(1)]);
    // New bytes are the revert's own snapshot; known bytes are the restored version's.
    assert_eq!(versions[2].snapshots, vec![BlobId::of(b"<div>A</div>")]);
    assert_eq!(versions[3].snapshots, vec![BlobId::of(b"<p>B</p>")]);
    let v5 = home
        .store
        .version(&"aws/aup@5".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(v5.row.restores, Some(1));
}

#[tokio::test]
async fn an_older_copy_of_the_text_in_force_then_is_no_revert() {
    let home = TestHome::new().await;
    import(&home, "<p>A</p>", "2021-01-10", A).await;
    import(&home, "<p>B</p>", "2021-03-10", B).await;
    // A seen again in February, when A was in force: an observation of v1.
    let feb = import(&home, "<p>A</p>", "2021-02-10", A).await;
    assert_eq!(feb, ImportOutcome::SameSnapshot { version_number: 1 });
    // B's bytes seen before B was first observed: still B's snapshot.
    let early = import(&home, "<p>B</p>", "2021-01-20", B).await;
    assert_eq!(early, ImportOutcome::SameSnapshot { version_number: 2 });
    let versions = home.store.versions(&key("aws/aup")).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert!(versions.iter().all(|v| v.restores.is_none()));
}

/// The texts a document switches between in the property below.
const TEXTS: &[&str] = &[
    "You may not abuse the network.",
    "You may not abuse or probe the network.",
    "You must not abuse the network.",
];

/// Imports a document's history: on day `i`, text `TEXTS[t]` in one of two
/// byte forms (`form`: the same bytes as before, or other bytes of the same
/// text). Returns, per day, the version the store then holds in force.
async fn play(history: &[(usize, bool)]) -> (TestHome, Vec<String>) {
    let home = TestHome::new().await;
    let mut days = Vec::new();
    for (i, &(t, form)) in history.iter().enumerate() {
        let day = format!("2021-01-{:02}", i + 1);
        let bytes = if form {
            format!("<p>{t}</p>")
        } else {
            format!("<div>{t}</div>")
        };
        import(&home, &bytes, &day, &[("rules/1", TEXTS[t])]).await;
        days.push(day);
    }
    (home, days)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any sequence of texts: a new version exactly when the text differs
    /// from the one in force; it restores the first version of its text
    /// when that text was seen before; every day reads the text in force.
    #[test]
    fn every_text_change_is_a_version_and_every_return_a_revert(
        history in prop::collection::vec((0..TEXTS.len(), any::<bool>()), 1..7),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (versions, on_days) = rt.block_on(async {
            let (home, days) = play(&history).await;
            let aup = key("aws/aup");
            let versions: Vec<(u32, Option<u32>, String)> = {
                let mut out = Vec::new();
                for v in home.store.versions(&aup).await.unwrap() {
                    let r: cw_model::VersionRef = format!("aws/aup@{}", v.number).parse().unwrap();
                    let stored = home.store.version(&r).await.unwrap();
                    let text = stored.document.provisions[0].text.clone();
                    out.push((v.number, v.restores, text));
                }
                out
            };
            let mut on_days = Vec::new();
            for day in &days {
                let v = home.store.version_in_force_at(&aup, date(day)).await.unwrap().unwrap();
                on_days.push(v.version.document.provisions[0].text.clone());
            }
            (versions, on_days)
        });
        // The model: versions are the runs of equal texts.
        let mut expected: Vec<(u32, Option<u32>, String)> = Vec::new();
        let mut first_of: HashMap<usize, u32> = HashMap::new();
        let mut in_force = None;
        for &(t, _) in &history {
            if in_force == Some(t) {
                continue;
            }
            let number = expected.len() as u32 + 1;
            expected.push((number, first_of.get(&t).copied(), TEXTS[t].to_string()));
            first_of.entry(t).or_insert(number);
            in_force = Some(t);
        }
        prop_assert_eq!(versions, expected);
        let texts: Vec<String> = history.iter().map(|&(t, _)| TEXTS[t].to_string()).collect();
        prop_assert_eq!(on_days, texts);
    }
}
