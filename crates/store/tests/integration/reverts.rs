//! Reverts are versions: a copy whose text is an older version's (not the
//! one in force) is a new version that restores the text's first version,
//! whether its bytes were archived before or are new; a copy of the text in
//! force stays an observation.

use super::util::{TestHome, date, key, render_versions};
use cw_store::{BlobId, ImportOutcome};

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
        .unwrap()?;
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
