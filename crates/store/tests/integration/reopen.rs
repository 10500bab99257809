//! Durability: everything recorded is there after the store is closed and
//! the home opened again from the files on disk.

use super::util::{TestHome, key};
use cw_model::VersionRef;
use cw_store::{ARCHIVE_DIR, DATABASE_FILE};

#[tokio::test]
async fn reopening_the_home_keeps_everything() {
    let home = TestHome::new().await;
    home.import("aws/aup")
        .bytes("v1")
        .on("2021-01-01")
        .provisions(&[("a/1", "one")])
        .run()
        .await
        .unwrap();
    home.import("aws/aup")
        .bytes("v2")
        .on("2021-02-01")
        .provisions(&[("a/1", "one!"), ("a/2", "two")])
        .substantive(1)
        .run()
        .await
        .unwrap();
    home.import("aws/aup")
        .bytes("v2")
        .on("2021-03-01")
        .provisions(&[("a/1", "one!"), ("a/2", "two")])
        .run()
        .await
        .unwrap();

    let aup = key("aws/aup");
    let latest: VersionRef = "aws/aup".parse().unwrap();
    let versions = home.store.versions(&aup).await.unwrap();
    let stored = home.store.version(&latest).await.unwrap();
    let snapshots = home.store.snapshots(&aup).await.unwrap();
    let change = home.store.change(&aup, 2).await.unwrap();
    let counts = home.store.counts().await.unwrap();

    assert_eq!(
        home.dir.path().join(DATABASE_FILE).is_file(),
        !home.is_postgres()
    );
    assert!(home.dir.path().join(ARCHIVE_DIR).is_dir());
    let home = home.reopen().await;

    assert_eq!(home.store.versions(&aup).await.unwrap(), versions);
    assert_eq!(home.store.version(&latest).await.unwrap(), stored);
    assert_eq!(home.store.snapshots(&aup).await.unwrap(), snapshots);
    assert_eq!(home.store.change(&aup, 2).await.unwrap(), change);
    assert_eq!(home.store.counts().await.unwrap(), counts);
    for snapshot in &snapshots {
        home.store.archive().verify(&snapshot.blob).unwrap();
    }
    // Recording continues where it left off.
    let again = home
        .import("aws/aup")
        .bytes("v2")
        .on("2021-04-01")
        .provisions(&[("a/1", "one!"), ("a/2", "two")])
        .run();
    assert_eq!(
        again.await.unwrap(),
        cw_store::ImportOutcome::SameSnapshot { version_number: 2 }
    );
}
