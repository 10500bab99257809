//! `Store::record_import`: a new version, the same snapshot again, new bytes
//! with the same content, stale diffs (conflicts), inconsistent imports, and
//! imports that race each other.

use super::util::{TestHome, key, render_versions};
use cw_store::{ImportOutcome, StoreError};

const V1: &[(&str, &str)] = &[
    ("rules/1", "You may not abuse the network."),
    ("rules/2", "We may suspend your account."),
];

#[tokio::test]
async fn a_first_import_records_a_new_version() {
    let home = TestHome::new().await;
    let outcome = home
        .import("aws/aup")
        .bytes("<p>v1</p>")
        .on("2021-06-18")
        .provisions(V1)
        .run();
    assert_eq!(
        outcome.await.unwrap(),
        ImportOutcome::NewVersion {
            version_number: 1,
            substantive: 0,
            restores: None
        }
    );

    let aup = key("aws/aup");
    let versions = home.store.versions(&aup).await.unwrap();
    assert_eq!(
        render_versions(&versions),
        "v1 observed 2021-06-18 provisions 2 snapshots 1 | no change record"
    );
    assert_eq!(versions[0].content_hash.len(), 64);
    assert_eq!(versions[0].extractor_version, cw_model::EXTRACTOR_VERSION);

    let doc = home.store.document(&aup).await.unwrap().unwrap();
    assert_eq!(
        (doc.version_count, doc.snapshot_count, doc.latest_version),
        (1, 1, Some(1))
    );
    let counts = home.store.counts().await.unwrap();
    assert_eq!(
        (
            counts.platforms,
            counts.documents,
            counts.versions,
            counts.provisions,
            counts.snapshots
        ),
        (1, 1, 1, 2, 1)
    );
}

#[tokio::test]
async fn the_same_bytes_again_only_log_an_observation() {
    let home = TestHome::new().await;
    home.import("aws/aup")
        .bytes("<p>v1</p>")
        .on("2021-06-18")
        .provisions(V1)
        .run()
        .await
        .unwrap();
    let again = home
        .import("aws/aup")
        .bytes("<p>v1</p>")
        .on("2021-07-01")
        .provisions(V1)
        .run();
    assert_eq!(
        again.await.unwrap(),
        ImportOutcome::SameSnapshot { version_number: 1 }
    );

    let aup = key("aws/aup");
    let snapshots = home.store.snapshots(&aup).await.unwrap();
    assert_eq!(snapshots.len(), 1);
    assert_eq!(snapshots[0].observation_count, 2);
    assert_eq!(
        snapshots[0].observed_at.date_naive().to_string(),
        "2021-06-18"
    );
    assert_eq!(
        snapshots[0].last_observed_at.date_naive().to_string(),
        "2021-07-01"
    );
    let counts = home.store.counts().await.unwrap();
    assert_eq!(
        (counts.versions, counts.snapshots, counts.observations),
        (1, 1, 2)
    );
}

#[tokio::test]
async fn new_bytes_with_the_same_content_join_the_existing_version() {
    let home = TestHome::new().await;
    home.import("aws/aup")
        .bytes("<p>v1</p>")
        .on("2021-06-18")
        .provisions(V1)
        .run()
        .await
        .unwrap();
    let outcome = home
        .import("aws/aup")
        .bytes("<p>v1</p><!-- tracking pixel 42 -->")
        .on("2021-07-01")
        .provisions(V1)
        .substantive(0)
        .run();
    assert_eq!(
        outcome.await.unwrap(),
        ImportOutcome::SameContent { version_number: 1 }
    );

    let aup = key("aws/aup");
    assert_eq!(
        render_versions(&home.store.versions(&aup).await.unwrap()),
        "v1 observed 2021-06-18 provisions 2 snapshots 2 | no change record"
    );
    let snapshots = home.store.snapshots(&aup).await.unwrap();
    assert_eq!(
        snapshots
            .iter()
            .map(|s| s.version_number)
            .collect::<Vec<_>>(),
        vec![1, 1]
    );
    assert_eq!(home.store.counts().await.unwrap().changes, 0);
}

#[tokio::test]
async fn changed_content_makes_a_new_version_with_its_change_record() {
    let home = TestHome::new().await;
    home.import("aws/aup")
        .bytes("<p>v1</p>")
        .on("2021-06-18")
        .provisions(V1)
        .run()
        .await
        .unwrap();
    let outcome = home
        .import("aws/aup")
        .bytes("<p>v2</p>")
        .on("2022-01-10")
        .provisions(&[
            ("rules/1", "You may not abuse the network."),
            ("rules/2", "We may terminate your account."),
        ])
        .substantive(1)
        .run();
    assert_eq!(
        outcome.await.unwrap(),
        ImportOutcome::NewVersion {
            version_number: 2,
            substantive: 1,
            restores: None
        }
    );

    let aup = key("aws/aup");
    let change = home.store.change(&aup, 2).await.unwrap().unwrap();
    assert_eq!((change.old_version, change.new_version), (Some(1), 2));
    assert_eq!(change.change_set, super::util::change_set(1));
    assert!(home.store.change(&aup, 1).await.unwrap().is_none());
    assert_eq!(
        render_versions(&home.store.versions(&aup).await.unwrap()),
        "v1 observed 2021-06-18 provisions 2 snapshots 1 | no change record\n\
         v2 observed 2022-01-10 provisions 2 snapshots 1 | 1 substantive vs 1"
    );
}

#[tokio::test]
async fn a_stale_previous_version_is_a_conflict_and_records_nothing() {
    let home = TestHome::new().await;
    home.import("aws/aup")
        .bytes("v1")
        .on("2021-01-01")
        .provisions(V1)
        .run()
        .await
        .unwrap();
    home.import("aws/aup")
        .bytes("v2")
        .on("2021-02-01")
        .provisions(&[("a/1", "two")])
        .run()
        .await
        .unwrap();
    let before = home.store.counts().await.unwrap();

    let err = home
        .import("aws/aup")
        .bytes("v3")
        .on("2021-03-01")
        .provisions(&[("a/1", "three")])
        .previous(Some(1))
        .run()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                expected: Some(1),
                actual: Some(2),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_user_error());
    assert_eq!(home.store.counts().await.unwrap(), before);

    // A first import that claims a predecessor conflicts too.
    let err = home
        .import("aws/tos")
        .bytes("x")
        .provisions(V1)
        .previous(Some(1))
        .run()
        .await;
    assert!(
        matches!(err, Err(StoreError::Conflict { actual: None, .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn lineage_keys_must_match_the_provisions() {
    let home = TestHome::new().await;
    let err = home
        .import("aws/aup")
        .bytes("v1")
        .provisions(V1)
        .lineage(&["only-one"])
        .run()
        .await;
    let err = err.unwrap_err();
    assert_eq!(err.code(), "invalid_import");
    assert!(
        err.to_string().contains("1 lineage keys for 2 provisions"),
        "{err}"
    );
    assert_eq!(home.store.counts().await.unwrap().documents, 0);
}

#[tokio::test]
async fn racing_imports_of_one_document_serialise_and_the_loser_conflicts() {
    let home = TestHome::new().await;
    // Both importers looked before either recorded: both diffed against nothing.
    let a = home
        .import("aws/aup")
        .bytes("A")
        .on("2021-01-01")
        .provisions(&[("a/1", "A")])
        .build()
        .await;
    // Same day: whichever commits first precedes the other, so the outcome
    // does not depend on which transaction the engine lets in first.
    let b = home
        .import("aws/aup")
        .bytes("B")
        .on("2021-01-01")
        .provisions(&[("a/1", "B")])
        .build()
        .await;
    let (ra, rb) = tokio::join!(home.store.record_import(a), home.store.record_import(b));
    let outcomes = [ra, rb];
    let won = outcomes
        .iter()
        .filter(|r| matches!(r, Ok(o) if o.is_new_version()))
        .count();
    let lost = outcomes
        .iter()
        .filter(|r| matches!(r, Err(StoreError::Conflict { .. })))
        .count();
    assert_eq!((won, lost), (1, 1), "{outcomes:?}");
    assert_eq!(home.store.counts().await.unwrap().versions, 1);
}

#[tokio::test]
async fn reverting_to_older_content_is_a_new_version() {
    let home = TestHome::new().await;
    for (day, text) in [
        ("2021-01-01", "old"),
        ("2021-02-01", "new"),
        ("2021-03-01", "old"),
    ] {
        home.import("aws/aup")
            .bytes(&format!("{day} {text}"))
            .on(day)
            .provisions(&[("a/1", text)])
            .run()
            .await
            .unwrap();
    }
    let versions = home.store.versions(&key("aws/aup")).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.number).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(versions[0].content_hash, versions[2].content_hash);
}
