//! Imports out of date order: an older copy imported after a newer one
//! becomes the predecessor of the version that follows it, whose change
//! record is recomputed against it in the same transaction.

use crate::util::{Home, key, midnight};
use cw_engine::ImportStatus;

const A: &str = "# Terms\n\n## Fees\n\nYou will pay within 30 days.\n\n## Law\n\nThe laws of Ireland govern these terms.\n";
const B: &str = "# Terms\n\n## Fees\n\nYou will pay within 15 days.\n\n## Law\n\nThe laws of Ireland govern these terms.\n";
const C: &str = "# Terms\n\n## Fees\n\nYou will pay within 15 days.\n\n## Law\n\nThe laws of England govern these terms.\n";

#[tokio::test]
async fn an_older_copy_imported_last_repairs_the_following_change() {
    let home = Home::new().await;
    let store = home.engine.store();
    let k = key("example/terms");
    // Recorded in the order B (2022), C (2023), then A (2021).
    assert_eq!(home.import(&k, B, "2022-01-01").await.version, 1);
    assert_eq!(home.import(&k, C, "2023-01-01").await.version, 2);
    let law_key = home
        .key_of(&k, 1, "The laws of Ireland govern these terms.")
        .await;
    let fees_key = home.key_of(&k, 1, "You will pay within 15 days.").await;
    assert_eq!(store.change(&k, 1).await.unwrap(), None);

    let report = home.import(&k, A, "2021-01-01").await;
    assert_eq!(report.status, ImportStatus::NewVersion);
    assert_eq!(report.version, 3);
    assert!(report.changes.is_none(), "A has no predecessor");

    // Versions in observation order: 3 (A), 1 (B), 2 (C).
    let order: Vec<u32> = store
        .versions(&k)
        .await
        .unwrap()
        .iter()
        .map(|v| v.number)
        .collect();
    assert_eq!(order, [3, 1, 2]);
    // B's change is now recorded against A, and is exactly diff(A, B).
    let change = store.change(&k, 1).await.unwrap().expect("B's change");
    assert_eq!(change.old_version, Some(3));
    let (a, b) = (home.version(&k, 3).await, home.version(&k, 1).await);
    assert_eq!(change.change_set, cw_diff::diff(&a.document, &b.document));
    assert_eq!(change.change_set.summary.substantive, 1);
    assert_eq!(store.counts().await.unwrap().changes, 2);
    // C's change still compares with B.
    assert_eq!(
        store.change(&k, 2).await.unwrap().unwrap().old_version,
        Some(1)
    );
    // A's provisions take the lineage of the versions that follow.
    assert_eq!(
        home.key_of(&k, 3, "The laws of Ireland govern these terms.")
            .await,
        law_key
    );
    assert_eq!(
        home.key_of(&k, 3, "You will pay within 30 days.").await,
        fees_key
    );
    assert_eq!(store.history(&k, &fees_key).await.unwrap().len(), 3);
}

#[tokio::test]
async fn an_older_copy_in_the_middle_gets_its_neighbours_right() {
    let home = Home::new().await;
    let store = home.engine.store();
    let k = key("example/terms");
    home.import(&k, A, "2021-01-01").await;
    home.import(&k, C, "2023-01-01").await;
    let stale = store.change(&k, 2).await.unwrap().unwrap();
    assert_eq!(stale.change_set.summary.substantive, 2);

    let report = home.import(&k, B, "2022-01-01").await;
    assert_eq!(report.version, 3);
    assert_eq!(report.changes.unwrap().substantive, 1);
    let change = store.change(&k, 2).await.unwrap().unwrap();
    assert_eq!(change.old_version, Some(3));
    assert_eq!(change.change_set.summary.substantive, 1);
    let law = change
        .change_set
        .changes
        .iter()
        .find(|c| c.kind == cw_model::ChangeKind::Modified)
        .unwrap();
    assert!(law.new_text.as_deref().unwrap().contains("England"));
    assert_eq!(store.counts().await.unwrap().changes, 2);
}

#[tokio::test]
async fn an_older_copy_of_the_following_content_is_a_snapshot_of_it() {
    let home = Home::new().await;
    let store = home.engine.store();
    let k = key("example/terms");
    home.import(&k, A, "2021-01-01").await;
    home.import(&k, B, "2023-01-01").await;
    // Other bytes (trailing blank lines), same content as B, seen in 2022.
    let report = home.import(&k, &format!("{B}\n\n"), "2022-01-01").await;
    assert_eq!(report.status, ImportStatus::SameContent);
    assert_eq!(report.version, 2);
    let versions = store.versions(&k).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1].observed_at, midnight("2022-01-01"));
    assert_eq!(versions[1].snapshots.len(), 2);
    assert_eq!(store.counts().await.unwrap().changes, 1);
}
