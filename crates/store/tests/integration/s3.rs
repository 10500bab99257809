//! The archive in an S3-compatible bucket, against a real s3s-fs server:
//! the same names, compression and checks as the folder, objects landing
//! under the prefix, foreign objects ignored, damage and absence detected,
//! and a whole store working with its blobs in the bucket.

use super::servers::{BUCKET, S3Server};
use super::util::extracted;
use cw_model::DocumentKey;
use cw_store::{Archive, BlobId, ImportOutcome, NewImport, S3Config, Store, StoreOptions};
use std::fs;

fn key_of(id: &BlobId) -> String {
    let s = id.as_str();
    format!("{}/{}/{s}.zst", &s[0..2], &s[2..4])
}

#[test]
fn blobs_round_trip_through_the_bucket_under_the_prefix() {
    let Some(server) = S3Server::start("s3::blobs_round_trip_through_the_bucket_under_the_prefix")
    else {
        return;
    };
    let archive = Archive::open_s3(&server.location("team/archive"), &server.config).unwrap();
    assert!(archive.is_remote());
    assert_eq!(archive.location(), format!("s3://{BUCKET}/team/archive"));

    let bytes = "<p>We may suspend your account.</p>\n".repeat(200);
    let id = archive.put(bytes.as_bytes()).unwrap();
    assert_eq!(id, BlobId::of(bytes.as_bytes()));
    // The server holds a compressed object at PREFIX/ab/cd/<sha>.zst.
    let file = server.object_file(&format!("team/archive/{}", key_of(&id)));
    let stored = fs::read(&file).unwrap();
    assert_eq!(&stored[..4], &[0x28, 0xb5, 0x2f, 0xfd], "zstd magic number");
    assert!(stored.len() < bytes.len() / 10, "{} bytes", stored.len());

    assert!(archive.contains(&id));
    assert_eq!(archive.get(&id).unwrap(), bytes.as_bytes());
    archive.verify(&id).unwrap();

    // Same bytes again: same id, no second object.
    assert_eq!(archive.put(bytes.as_bytes()).unwrap(), id);
    let empty = archive.put(b"").unwrap();
    assert_eq!(archive.get(&empty).unwrap(), b"");
    let mut expected = vec![id.clone(), empty];
    expected.sort();
    assert_eq!(
        archive.iter().collect::<Result<Vec<_>, _>>().unwrap(),
        expected
    );

    // Another prefix of the same bucket is another archive.
    let other = Archive::open_s3(&server.location("elsewhere"), &server.config).unwrap();
    assert!(!other.contains(&id));
    assert_eq!(other.get(&id).unwrap_err().code(), "not_found");
    assert_eq!(other.iter().count(), 0);
}

#[test]
fn foreign_objects_are_skipped_and_damage_is_detected() {
    let Some(server) = S3Server::start("s3::foreign_objects_are_skipped_and_damage_is_detected")
    else {
        return;
    };
    let archive = Archive::open_s3(&server.location("a"), &server.config).unwrap();
    let id = archive.put(b"the original terms").unwrap();
    let blob_file = server.object_file(&format!("a/{}", key_of(&id)));

    // Objects that are not blobs, put there by someone else.
    let junk = server.object_file("a/README");
    fs::write(&junk, b"junk").unwrap();
    let misplaced = server.object_file(&format!("a/00/00/{id}.zst"));
    fs::create_dir_all(misplaced.parent().unwrap()).unwrap();
    fs::write(&misplaced, b"junk").unwrap();
    assert_eq!(
        archive.iter().collect::<Result<Vec<_>, _>>().unwrap(),
        vec![id.clone()]
    );

    // Valid zstd, other content: the hash check catches it.
    fs::write(
        &blob_file,
        zstd::encode_all(&b"the tampered terms"[..], 3).unwrap(),
    )
    .unwrap();
    let err = archive.get(&id).unwrap_err();
    assert_eq!(err.code(), "corrupt_blob", "{err}");
    assert!(err.to_string().contains("content hashes to"), "{err}");

    // Not zstd at all.
    fs::write(&blob_file, b"not zstd").unwrap();
    assert_eq!(archive.verify(&id).unwrap_err().code(), "corrupt_blob");

    // Gone.
    fs::remove_file(&blob_file).unwrap();
    assert!(!archive.contains(&id));
    assert_eq!(archive.get(&id).unwrap_err().code(), "not_found");
}

#[test]
fn the_size_cap_holds_in_the_bucket_too() {
    let Some(server) = S3Server::start("s3::the_size_cap_holds_in_the_bucket_too") else {
        return;
    };
    let archive = Archive::open_s3(&server.location("cap"), &server.config)
        .unwrap()
        .with_max_blob_size(1000);
    let exact = vec![b'x'; 1000];
    let id = archive.put(&exact).unwrap();
    assert_eq!(archive.get(&id).unwrap(), exact);
    assert_eq!(archive.put(&[b'x'; 1001]).unwrap_err().code(), "too_large");

    // A bomb planted under a blob's name inflates past the cap: refused.
    let bomb = BlobId::of(b"bomb");
    let file = server.object_file(&format!("cap/{}", key_of(&bomb)));
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(&file, zstd::encode_all(&vec![0u8; 1 << 20][..], 1).unwrap()).unwrap();
    let err = archive.get(&bomb).unwrap_err();
    assert_eq!(err.code(), "corrupt_blob", "{err}");
    assert!(err.to_string().contains("limit of 1000 bytes"), "{err}");
}

#[test]
fn a_missing_bucket_or_wrong_credentials_fail_at_open() {
    let Some(server) = S3Server::start("s3::a_missing_bucket_or_wrong_credentials_fail_at_open")
    else {
        return;
    };
    let err = Archive::open_s3("s3://no-such-bucket/x", &server.config).unwrap_err();
    assert_eq!(err.code(), "object_store", "{err}");
    assert!(err.to_string().contains("s3://no-such-bucket"), "{err}");

    let wrong = S3Config {
        secret_access_key: Some("wrong".into()),
        ..server.config.clone()
    };
    let err = Archive::open_s3(&server.location("x"), &wrong).unwrap_err();
    assert_eq!(err.code(), "object_store", "{err}");

    let err = Archive::open_s3("s3://Bad_Bucket/x", &server.config).unwrap_err();
    assert_eq!(err.code(), "config");
    assert!(err.is_user_error());
}

#[tokio::test]
async fn a_store_keeps_its_blobs_in_the_bucket() {
    let Some(server) = S3Server::start("s3::a_store_keeps_its_blobs_in_the_bucket") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let options = StoreOptions {
        archive: Some(server.location("store")),
        s3: Some(server.config.clone()),
        ..StoreOptions::default()
    };
    let store = Store::open_with(home.path(), &options).await.unwrap();
    assert!(store.archive().is_remote());
    assert!(
        !home.path().join("archive").exists(),
        "no local archive folder"
    );

    let key: DocumentKey = "aws/aup".parse().unwrap();
    let bytes = b"# AUP\n\nNo network abuse.";
    let blob = store.archive().put(bytes).unwrap();
    let outcome = store
        .record_import(NewImport {
            document: key.clone(),
            blob: blob.clone(),
            size: bytes.len() as u64,
            format: "markdown".into(),
            source: "aup.md".into(),
            observed_at: chrono::Utc::now(),
            extracted: extracted(&[("aup/1", "No network abuse.")]),
            extractor_version: cw_model::EXTRACTOR_VERSION.into(),
            previous_version_number: None,
            change: None,
            lineage_keys: vec!["aup/1".into()],
        })
        .await
        .unwrap();
    assert!(
        matches!(
            outcome,
            ImportOutcome::NewVersion {
                version_number: 1,
                ..
            }
        ),
        "{outcome:?}"
    );
    store.close().await;

    // Reopened from the same settings, the snapshot's bytes come back from S3.
    let store = Store::open_with(home.path(), &options).await.unwrap();
    let snapshot = store.snapshots(&key).await.unwrap().remove(0);
    assert_eq!(snapshot.blob, blob);
    assert_eq!(store.archive().get(&snapshot.blob).unwrap(), bytes);
    assert!(
        server
            .object_file(&format!("store/{}", key_of(&blob)))
            .is_file()
    );

    // An import naming bytes that are not in the bucket is refused.
    let missing = BlobId::of(b"never uploaded");
    let err = store
        .record_import(NewImport {
            document: key.clone(),
            blob: missing,
            size: 3,
            format: "markdown".into(),
            source: "x.md".into(),
            observed_at: chrono::Utc::now(),
            extracted: extracted(&[("aup/1", "Other.")]),
            extractor_version: cw_model::EXTRACTOR_VERSION.into(),
            previous_version_number: Some(1),
            change: None,
            lineage_keys: vec!["aup/1".into()],
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), "missing_blob");
}
