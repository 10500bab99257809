//! Reverts are versions (issue #20): when a document goes back to an older
//! text, the copy is a new version that restores the text's first version,
//! through the import job and through the watcher; the next copy is diffed
//! against the revert, and each day reads the text in force on it.

use crate::origin::{Origin, Reply, policy};
use crate::util::{Home, key};
use crate::watchkit::{config, cycle, home, track, watcher};
use cw_engine::ImportStatus;

const A: &str = "# Terms\n\n## Fees\n\nYou will pay within 30 days.\n\n## Law\n\nThe laws of Ireland govern these terms.\n";
const B: &str = "# Terms\n\n## Fees\n\nYou will pay within 15 days.\n\n## Law\n\nThe laws of Ireland govern these terms.\n";
const C: &str = "# Terms\n\n## Fees\n\nYou will pay within 15 days.\n\n## Law\n\nThe laws of England govern these terms.\n";

/// The fees provision in force on a day, by version.
async fn fees_on(home: &Home, day: &str) -> Option<(u32, String)> {
    let date = day.parse().unwrap();
    let v = home
        .engine
        .store()
        .version_in_force_at(&key("example/terms"), date)
        .await
        .unwrap()?
        .version;
    let fees = v
        .document
        .provisions
        .iter()
        .find(|p| p.text.contains("pay"))?;
    Some((v.row.number, fees.text.clone()))
}

#[tokio::test]
async fn importing_a_then_b_then_a_again_records_a_revert() {
    let home = Home::new().await;
    let store = home.engine.store();
    let k = key("example/terms");
    home.import(&k, A, "2021-01-01").await;
    home.import(&k, B, "2021-02-01").await;
    let back = home.import(&k, A, "2021-03-01").await;
    assert_eq!(back.status, ImportStatus::NewVersion);
    assert_eq!((back.version, back.restores), (3, Some(1)));
    assert!(
        back.outcome_text()
            .contains("version 3 (restores version 1)"),
        "{}",
        back.outcome_text()
    );
    // The revert's change is against what it replaced: 15 days → 30 days.
    let change = store.change(&k, 3).await.unwrap().unwrap();
    assert_eq!(change.old_version, Some(2));
    assert_eq!(change.change_set.summary.modified, 1);
    assert_eq!(change.change_set.summary.substantive, 1);
    // Its provisions keep their lineage.
    assert_eq!(
        home.key_of(&k, 3, "You will pay within 30 days.").await,
        home.key_of(&k, 1, "You will pay within 30 days.").await
    );
    // Each day reads the text in force on it.
    let thirty = "You will pay within 30 days.".to_string();
    assert_eq!(fees_on(&home, "2020-12-31").await, None);
    assert_eq!(
        fees_on(&home, "2021-01-15").await,
        Some((1, thirty.clone()))
    );
    let fifteen = "You will pay within 15 days.".to_string();
    assert_eq!(fees_on(&home, "2021-02-15").await, Some((2, fifteen)));
    assert_eq!(fees_on(&home, "2021-03-15").await, Some((3, thirty)));
    // Identical to the latest stays a no-op.
    let again = home.import(&k, A, "2021-03-02").await;
    assert_eq!(
        (again.status, again.version),
        (ImportStatus::SameSnapshot, 3)
    );
    // The next text is diffed against the revert, the version in force.
    let next = home.import(&k, C, "2021-04-01").await;
    assert_eq!(next.version, 4);
    let change = store.change(&k, 4).await.unwrap().unwrap();
    assert_eq!(change.old_version, Some(3));
    assert_eq!(
        change.change_set.summary.modified, 2,
        "fees and law changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_page_that_goes_back_to_its_old_text_is_a_revert() {
    let origin = Origin::start().await;
    let a = policy("Acceptable Use Policy", 3, "");
    let b = policy(
        "Acceptable Use Policy",
        3,
        " Accounts may be closed without notice.",
    );
    // A, then B seen twice (confirmed), then A seen twice (confirmed).
    let replies = [&a, &b, &b, &a, &a].map(|p| Reply::Page(p.clone(), None));
    origin.push("/aup", replies);
    let (_dir, store) = home().await;
    track(&store, "example/aup", origin.url("/aup"), Some("en")).await;
    let w = watcher(&store, config());
    for _ in 0..5 {
        cycle(&w).await;
    }
    let doc = "example/aup".parse().unwrap();
    let versions = store.versions(&doc).await.unwrap();
    let summary: Vec<(u32, Option<u32>, Option<u32>)> = versions
        .iter()
        .map(|v| (v.number, v.compared_with, v.restores))
        .collect();
    assert_eq!(
        summary,
        [(1, None, None), (2, Some(1), None), (3, Some(2), Some(1))]
    );
    // The page now serves the restored text: the version in force today.
    let today = chrono::Utc::now().date_naive();
    let in_force = store
        .version_in_force_at(&doc, today)
        .await
        .unwrap()
        .unwrap()
        .version;
    assert_eq!(in_force.row.number, 3);
    assert_eq!(in_force.row.content_hash, versions[0].content_hash);
}
