//! Reading back: documents and their metadata, version selection by
//! latest/date/number, stored versions with provisions, previous versions,
//! and provision lineages across versions.

use super::util::{TestHome, date, key, midnight};
use cw_model::{VersionRef, VersionSelector};
use cw_store::{DocumentMeta, StoreError};

/// Three versions of `aws/aup`. The suspension clause keeps its lineage
/// (`L-suspend`) while its text changes and, in v3, its id changes too.
async fn three_versions() -> TestHome {
    let home = TestHome::new().await;
    home.import("aws/aup")
        .bytes("v1")
        .on("2021-01-10")
        .provisions(&[
            ("rules/1", "No spam."),
            ("rules/2", "We may suspend accounts."),
        ])
        .lineage(&["L-spam", "L-suspend"])
        .run()
        .await
        .unwrap();
    home.import("aws/aup")
        .bytes("v2")
        .on("2021-06-18")
        .provisions(&[
            ("rules/1", "No spam."),
            ("rules/2", "We may terminate accounts."),
        ])
        .lineage(&["L-spam", "L-suspend"])
        .substantive(1)
        .run()
        .await
        .unwrap();
    home.import("aws/aup")
        .bytes("v3")
        .on("2022-03-01")
        .provisions(&[
            ("termination/1", "We may terminate accounts without notice."),
            ("rules/1", "No spam or phishing."),
        ])
        .lineage(&["L-suspend", "L-spam"])
        .substantive(2)
        .run()
        .await
        .unwrap();
    home
}

fn version_ref(s: &str) -> VersionRef {
    s.parse().unwrap()
}

#[tokio::test]
async fn a_lineage_history_follows_a_provision_across_versions() {
    let home = three_versions().await;
    let history = home
        .store
        .history(&key("aws/aup"), "L-suspend")
        .await
        .unwrap();
    let lines: Vec<String> = history
        .iter()
        .map(|(v, p)| {
            format!(
                "v{} {} {}: {}",
                v.number,
                v.observed_at.date_naive(),
                p.id,
                p.text
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            "v1 2021-01-10 rules/2: We may suspend accounts.",
            "v2 2021-06-18 rules/2: We may terminate accounts.",
            "v3 2022-03-01 termination/1: We may terminate accounts without notice.",
        ]
    );
    assert!(
        home.store
            .history(&key("aws/aup"), "L-unknown")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn versions_are_selected_by_latest_date_and_number() {
    let home = three_versions().await;
    let pick = |s: &'static str| {
        let store = home.store.clone();
        async move { store.version(&version_ref(s)).await.map(|v| v.row.number) }
    };
    assert_eq!(pick("aws/aup").await.unwrap(), 3);
    assert_eq!(pick("aws/aup@latest").await.unwrap(), 3);
    assert_eq!(pick("aws/aup@2").await.unwrap(), 2);
    // A date picks the newest version observed on or before it.
    assert_eq!(pick("aws/aup@2021-01-10").await.unwrap(), 1);
    assert_eq!(pick("aws/aup@2021-06-17").await.unwrap(), 1);
    assert_eq!(pick("aws/aup@2021-06-18").await.unwrap(), 2);
    assert_eq!(pick("aws/aup@2030-01-01").await.unwrap(), 3);

    for missing in [
        "aws/aup@2020-12-31",
        "aws/aup@0",
        "aws/aup@4",
        "aws/nope",
        "gcp/aup@1",
    ] {
        let err = pick(missing).await.unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound { .. }),
            "{missing}: {err:?}"
        );
        assert!(err.is_user_error());
    }
}

#[tokio::test]
async fn the_version_in_force_on_a_day_is_the_newest_observed_by_its_end() {
    let home = three_versions().await;
    let aup = key("aws/aup");
    let in_force = |day: &'static str| {
        let store = home.store.clone();
        let aup = aup.clone();
        async move {
            store
                .version_in_force_at(&aup, date(day))
                .await
                .unwrap()
                .map(|f| {
                    (
                        f.version.row.number,
                        f.version.document.provisions[0].text.clone(),
                    )
                })
        }
    };
    assert_eq!(in_force("2021-01-09").await, None);
    assert_eq!(in_force("2021-01-10").await, Some((1, "No spam.".into())));
    assert_eq!(in_force("2021-06-17").await, Some((1, "No spam.".into())));
    assert_eq!(in_force("2021-06-18").await, Some((2, "No spam.".into())));
    let v3 = Some((3, "We may terminate accounts without notice.".into()));
    assert_eq!(in_force("2030-01-01").await, v3);
    // The same answer as `DOC@DATE`.
    let by_ref = home.store.version(&version_ref("aws/aup@2021-06-18")).await;
    assert_eq!(by_ref.unwrap().row.number, 2);
    // A document never stored has no version in force.
    let gcp = key("gcp/aup");
    let none = home.store.version_in_force_at(&gcp, date("2030-01-01"));
    assert!(none.await.unwrap().is_none());
}

#[tokio::test]
async fn a_stored_version_gives_back_the_extracted_document() {
    let home = three_versions().await;
    let v3 = home.store.version(&version_ref("aws/aup@3")).await.unwrap();
    let expected = super::util::extracted(&[
        ("termination/1", "We may terminate accounts without notice."),
        ("rules/1", "No spam or phishing."),
    ]);
    assert_eq!(v3.document, expected);
    assert_eq!(v3.lineage_keys, ["L-suspend", "L-spam"]);
    assert_eq!(v3.row.content_hash, cw_store::content_hash(&expected));
    assert_eq!(v3.row.substantive_changes, Some(2));
    assert_eq!(v3.row.snapshots, vec![cw_store::BlobId::of(b"v3")]);
}

#[tokio::test]
async fn the_previous_version_is_the_newest_observed_at_or_before_an_instant() {
    let home = three_versions().await;
    let aup = key("aws/aup");
    let prev = |day: &str| {
        let store = home.store.clone();
        let at = midnight(day);
        let aup = aup.clone();
        async move {
            store
                .previous_version(&aup, at)
                .await
                .unwrap()
                .map(|v| v.row.number)
        }
    };
    assert_eq!(prev("2021-01-09").await, None);
    assert_eq!(prev("2021-01-10").await, Some(1));
    assert_eq!(prev("2021-12-31").await, Some(2));
    assert_eq!(prev("2023-01-01").await, Some(3));
    let unknown = home
        .store
        .previous_version(&key("aws/nope"), midnight("2023-01-01"))
        .await;
    assert!(
        unknown.unwrap().is_none(),
        "an unknown document has no previous version"
    );
}

#[tokio::test]
async fn documents_are_listed_with_metadata_and_history() {
    let home = three_versions().await;
    let meta = DocumentMeta {
        doc_type: Some("aup".into()),
        region: Some("global".into()),
        source_url: None,
    };
    let row = home
        .store
        .ensure_document(&key("aws/aup"), &meta)
        .await
        .unwrap();
    assert_eq!(
        (row.doc_type.as_deref(), row.version_count),
        (Some("aup"), 3)
    );

    // Set fields are kept; empty ones are filled; blanks fill nothing.
    let later = DocumentMeta {
        doc_type: Some("terms".into()),
        region: Some("  ".into()),
        source_url: Some("https://aws.amazon.com/aup/".into()),
    };
    let row = home
        .store
        .ensure_document(&key("aws/aup"), &later)
        .await
        .unwrap();
    assert_eq!(row.doc_type.as_deref(), Some("aup"));
    assert_eq!(row.region.as_deref(), Some("global"));
    assert_eq!(
        row.source_url.as_deref(),
        Some("https://aws.amazon.com/aup/")
    );

    home.store
        .ensure_document(&key("acme/tos"), &DocumentMeta::default())
        .await
        .unwrap();
    let listed = home.store.documents().await.unwrap();
    let summary: Vec<String> = listed
        .iter()
        .map(|d| {
            format!(
                "{} versions={} latest={:?} on {:?}",
                d.key,
                d.version_count,
                d.latest_version,
                d.latest_observed_at.map(|t| t.date_naive())
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "acme/tos versions=0 latest=None on None",
            format!(
                "aws/aup versions=3 latest=Some(3) on {:?}",
                Some(date("2022-03-01"))
            )
            .as_str(),
        ]
    );
    assert!(
        home.store
            .document(&key("aws/nope"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        home.store
            .versions(&key("acme/tos"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        home.store.versions(&key("aws/nope")).await,
        Err(StoreError::NotFound { .. })
    ));
}

#[tokio::test]
async fn an_import_observed_between_versions_follows_the_one_before_it() {
    let home = three_versions().await;
    // Observed between v1 and v2, same content as v1: a snapshot of v1.
    let outcome = home
        .import("aws/aup")
        .bytes("v1 again, other bytes")
        .on("2021-03-01")
        .provisions(&[
            ("rules/1", "No spam."),
            ("rules/2", "We may suspend accounts."),
        ])
        .lineage(&["L-spam", "L-suspend"])
        .run()
        .await
        .unwrap();
    assert_eq!(
        outcome,
        cw_store::ImportOutcome::SameContent { version_number: 1 }
    );
    let v = home
        .store
        .version(&VersionRef {
            document: key("aws/aup"),
            selector: VersionSelector::Date(date("2021-03-01")),
        })
        .await
        .unwrap();
    assert_eq!(v.row.snapshots.len(), 2);
}

/// Issue #25: the version inventory the derived-data checks use lists every
/// version (watched or not) with its provision count and whether it has an
/// analysis; `versions_lacking_analysis` covers imported documents too.
#[tokio::test]
async fn issue_25_version_inventory_lists_every_version() {
    let home = three_versions().await;
    let inventory = home.store.version_inventory().await.unwrap();
    let listed: Vec<(String, u32, u64, bool)> = inventory
        .iter()
        .map(|v| (v.document.to_string(), v.number, v.provisions, v.analysed))
        .collect();
    assert_eq!(
        listed,
        [
            ("aws/aup".to_string(), 1, 2, false),
            ("aws/aup".to_string(), 2, 2, false),
            ("aws/aup".to_string(), 3, 2, false),
        ]
    );
    let lacking = home.store.versions_lacking_analysis(0, 10).await.unwrap();
    assert_eq!(lacking.len(), 3, "unwatched documents count too");
}

/// Issue #25: a subscription's `allow_private` is stored with it
/// (migration 0010) and read back.
#[tokio::test]
async fn issue_25_subscriptions_keep_allow_private() {
    let home = TestHome::new().await;
    let channel = r#"{"type":"webhook","url":"http://127.0.0.1:9/h","secret":"0123456789abcdef"}"#;
    let open = home
        .store
        .add_subscription(None, channel, "{}", true)
        .await
        .unwrap();
    let guarded = home
        .store
        .add_subscription(None, channel, "{}", false)
        .await
        .unwrap();
    assert!(open.allow_private);
    assert!(!guarded.allow_private);
    let listed: Vec<bool> = home
        .store
        .subscriptions(false)
        .await
        .unwrap()
        .iter()
        .map(|s| s.allow_private)
        .collect();
    assert_eq!(listed, [true, false]);
}
