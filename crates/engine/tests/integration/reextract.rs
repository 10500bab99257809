//! `Engine::reextract`: a version stored as an older extractor read it is
//! re-read from the archive; the difference becomes a technical upgrade —
//! no new version, no change record of its own, lineage kept, index
//! consistent, and nothing recorded the second time.

use crate::util::{Home, OLD_EXTRACTOR, key};
use cw_model::{ExtractedDocument, Provision, ProvisionKind};
use cw_search::SearchOptions;

const V1: &str = "# Acceptable Use Policy\n\n## Use\n\nYou must not abuse the network or probe other systems.\n\nYou must keep your password secret and tell us about misuse.\n\n## Fees\n\nYou will pay every invoice within 30 days of its date.\n";
const V2: &str = "# Acceptable Use Policy\n\n## Use\n\nYou must not abuse the network or probe other systems.\n\nYou must keep your password secret and tell us about misuse.\n\n## Fees\n\nYou will pay every invoice within 15 days of its date.\n";

const ABUSE: &str = "You must not abuse the network or probe other systems.";
const PASSWORD: &str = "You must keep your password secret and tell us about misuse.";
const FEES_30: &str = "You will pay every invoice within 30 days of its date.";
const FEES_15: &str = "You will pay every invoice within 15 days of its date.";

/// How the "old extractor" read the pages: it kept a cookie banner and did
/// not split the two "Use" paragraphs.
fn old_reading(doc: &mut ExtractedDocument) {
    let a = doc
        .provisions
        .iter()
        .position(|p| p.text == ABUSE)
        .expect("abuse paragraph");
    let b = doc.provisions.remove(a + 1);
    assert_eq!(b.text, PASSWORD);
    doc.provisions[a].text = format!("{ABUSE} {PASSWORD}");
    doc.provisions.insert(
        0,
        Provision::new(
            "zanzibar-banner/1",
            vec![],
            ProvisionKind::Paragraph,
            "Zanzibar cookie banner: accept all cookies to continue.",
        ),
    );
}

async fn stale_home() -> (Home, cw_model::DocumentKey) {
    let home = Home::new().await;
    let k = key("example-cloud/aup");
    home.import_as_old_extractor(&k, V1, "2021-01-01", old_reading)
        .await;
    home.import_as_old_extractor(&k, V2, "2022-01-01", old_reading)
        .await;
    home.engine.reindex().await.unwrap();
    (home, k)
}

fn all_versions() -> SearchOptions {
    SearchOptions {
        all_versions: true,
        ..Default::default()
    }
}

#[tokio::test]
async fn an_extractor_change_is_a_technical_upgrade_not_a_change() {
    let (home, k) = stale_home().await;
    let store = home.engine.store();
    let before = store.counts().await.unwrap();
    assert_eq!((before.versions, before.changes), (2, 1));
    let fees_key = home.key_of(&k, 1, FEES_30).await;
    assert_eq!(home.key_of(&k, 2, FEES_15).await, fees_key);
    let merged_key = home.key_of(&k, 1, &format!("{ABUSE} {PASSWORD}")).await;
    assert_eq!(
        home.engine
            .search("zanzibar", &all_versions())
            .unwrap()
            .total,
        2
    );

    let report = home.engine.reextract(None, false).await.unwrap();
    assert_eq!(report.versions, 2);
    assert_eq!(report.unchanged, 0);
    assert_eq!(report.upgrades.len(), 2, "{report:#?}");
    assert!(report.problems.is_empty(), "{report:#?}");
    let u = &report.upgrades[0];
    assert!(u.technical_upgrade && u.recorded);
    assert_eq!(u.old_extractor_version, OLD_EXTRACTOR);
    assert_eq!(u.new_extractor_version, cw_model::EXTRACTOR_VERSION);
    assert_ne!(u.old_content_hash, u.new_content_hash);
    assert_eq!(u.summary.removed, 1, "the banner: {u:#?}");

    // No new version, no new change record.
    let after = store.counts().await.unwrap();
    assert_eq!((after.versions, after.changes), (2, 1));
    // The upgrades are recorded, with the marker alerting code filters on.
    let upgrades = store.technical_upgrades(&k).await.unwrap();
    assert_eq!(upgrades.len(), 2);
    assert!(upgrades.iter().all(|u| u.technical_upgrade));
    assert_eq!(
        upgrades.iter().map(|u| u.version).collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(upgrades[0].change_set.changes.iter().any(|c| {
        c.old_text
            .as_deref()
            .is_some_and(|t| t.contains("Zanzibar"))
    }));

    // Stored provisions are now what the current extractor reads.
    for (n, bytes) in [(1, V1), (2, V2)] {
        let v = home.version(&k, n).await;
        let current = cw_extract::extract(bytes.as_bytes(), &Default::default()).unwrap();
        assert_eq!(v.document.provisions, current.provisions);
        assert_eq!(v.row.content_hash, cw_store::content_hash(&current));
        assert_eq!(v.row.extractor_version, cw_model::EXTRACTOR_VERSION);
    }

    // Lineage kept: the fees clause keeps its key in both versions; the
    // merged paragraph's key goes to one of its two halves; the half that
    // is new in version 1 is followed into version 2.
    assert_eq!(home.key_of(&k, 1, FEES_30).await, fees_key);
    assert_eq!(home.key_of(&k, 2, FEES_15).await, fees_key);
    let halves = [
        home.key_of(&k, 1, ABUSE).await,
        home.key_of(&k, 1, PASSWORD).await,
    ];
    assert!(halves.contains(&merged_key), "{halves:?} vs {merged_key}");
    assert_eq!(home.key_of(&k, 2, ABUSE).await, halves[0]);
    assert_eq!(home.key_of(&k, 2, PASSWORD).await, halves[1]);
    let history = store.history(&k, &halves[1]).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(store.history(&k, &fees_key).await.unwrap().len(), 2);

    // The change record of version 2 now compares the current extractions:
    // one substantive edit, nothing from the extractor, marked as recomputed.
    let change = store.change(&k, 2).await.unwrap().unwrap();
    assert_eq!(change.old_version, Some(1));
    let s = change.change_set.summary;
    assert_eq!(
        (s.modified, s.added, s.removed, s.substantive),
        (1, 0, 0, 1)
    );
    assert_eq!(store.changes_recomputed_by_upgrades(&k).await.unwrap(), [2]);

    // The index follows: the banner is gone, the split paragraph is findable.
    assert_eq!(
        home.engine
            .search("zanzibar", &all_versions())
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        home.engine
            .search("\"password secret\"", &all_versions())
            .unwrap()
            .total,
        2
    );

    // Idempotent: the second run records nothing.
    let again = home.engine.reextract(None, false).await.unwrap();
    assert!(again.upgrades.is_empty(), "{again:#?}");
    assert_eq!((again.unchanged, again.recomputed_changes), (2, 0));
    assert_eq!(store.technical_upgrades(&k).await.unwrap().len(), 2);
    assert_eq!(store.counts().await.unwrap(), after);
}

#[tokio::test]
async fn a_dry_run_reports_and_writes_nothing() {
    let (home, k) = stale_home().await;
    let store = home.engine.store();
    let before = store.versions(&k).await.unwrap();
    let report = home.engine.reextract(Some(&k), true).await.unwrap();
    assert!(report.dry_run);
    assert_eq!(report.upgrades.len(), 2);
    assert!(report.upgrades.iter().all(|u| !u.recorded));
    assert_eq!(store.versions(&k).await.unwrap(), before);
    assert!(store.technical_upgrades(&k).await.unwrap().is_empty());
    assert!(
        store
            .changes_recomputed_by_upgrades(&k)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn versions_read_alike_are_left_alone() {
    let home = Home::new().await;
    let k = key("example-cloud/aup");
    home.import(&k, V1, "2021-01-01").await;
    home.import(&k, V2, "2022-01-01").await;
    let before = home.engine.store().counts().await.unwrap();
    let report = home.engine.reextract(None, false).await.unwrap();
    assert_eq!((report.versions, report.unchanged), (2, 2));
    assert!(report.upgrades.is_empty());
    assert_eq!(home.engine.store().counts().await.unwrap(), before);
}
