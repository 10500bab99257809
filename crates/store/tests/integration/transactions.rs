//! All-or-nothing imports: an import that fails half-way through its
//! transaction, or before it, leaves no snapshot, version, provision,
//! change or observation behind, and the store stays usable.

use super::util::{TestHome, key};
use cw_store::{ImportOutcome, StoreError};

#[tokio::test]
async fn a_failure_mid_transaction_leaves_no_trace() {
    let home = TestHome::new().await;
    home.import("aws/aup")
        .bytes("v1")
        .on("2021-01-01")
        .provisions(&[("a/1", "one")])
        .run()
        .await
        .unwrap();
    let before = home.store.counts().await.unwrap();

    // Two provisions share an id: the version row and the first provision
    // row are written before UNIQUE (version_id, provision_id) fails.
    let bad = home
        .import("aws/aup")
        .bytes("v2 with a duplicate id")
        .on("2021-02-01")
        .provisions(&[("a/1", "one"), ("a/1", "two")])
        .substantive(1)
        .run()
        .await;
    let err = bad.unwrap_err();
    assert!(
        matches!(&err, StoreError::InvalidImport { reason } if reason.contains("\"a/1\"")),
        "{err:?}"
    );
    assert!(err.is_user_error());

    assert_eq!(
        home.store.counts().await.unwrap(),
        before,
        "no row of the failed import remains"
    );
    let aup = key("aws/aup");
    assert_eq!(home.store.versions(&aup).await.unwrap().len(), 1);
    assert_eq!(home.store.snapshots(&aup).await.unwrap().len(), 1);
    // The blob was archived before the import failed; the store does not believe in it.
    let orphan = cw_store::BlobId::of(b"v2 with a duplicate id");
    assert!(home.store.archive().contains(&orphan));

    // The database is still usable, and the same bytes import cleanly as a
    // new snapshot (not "already seen").
    let retry = home
        .import("aws/aup")
        .bytes("v2 with a duplicate id")
        .on("2021-02-01")
        .provisions(&[("a/1", "one"), ("a/2", "two")])
        .substantive(1)
        .run()
        .await;
    assert_eq!(
        retry.unwrap(),
        ImportOutcome::NewVersion {
            version_number: 2,
            substantive: 1,
            restores: None
        }
    );
    let counts = home.store.counts().await.unwrap();
    assert_eq!(
        (
            counts.versions,
            counts.provisions,
            counts.changes,
            counts.snapshots
        ),
        (2, 3, 1, 2)
    );
}

#[tokio::test]
async fn an_import_of_bytes_not_in_the_archive_is_refused() {
    let home = TestHome::new().await;
    let err = home
        .import("aws/aup")
        .bytes("never archived")
        .provisions(&[("a/1", "one")])
        .without_archiving()
        .run()
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::MissingBlob { .. }), "{err:?}");
    assert_eq!(home.store.counts().await.unwrap(), Default::default());
    assert!(
        home.store
            .document(&key("aws/aup"))
            .await
            .unwrap()
            .is_none()
    );
}
