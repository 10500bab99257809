//! The archive: round trip, deduplication, fan-out layout, detection of
//! damaged blobs, and decompression bombs refused under the size cap.

use super::util::files_below;
use cw_store::{Archive, BlobId, StoreError};
use std::fs;
use std::io::Write;

fn archive() -> (tempfile::TempDir, Archive) {
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path().join("archive")).unwrap();
    (dir, archive)
}

/// Lets the test overwrite a blob file (blobs are written read-only).
fn make_writable(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o644)).unwrap();
    }
}

#[test]
fn put_then_get_round_trips_through_a_compressed_fanned_out_file() {
    let (_dir, archive) = archive();
    let bytes = "<p>We may suspend your account.</p>\n".repeat(200);
    let id = archive.put(bytes.as_bytes()).unwrap();
    assert_eq!(id, BlobId::of(bytes.as_bytes()));

    let s = id.as_str();
    assert_eq!(
        files_below(archive.root()),
        vec![format!("{}/{}/{s}.zst", &s[0..2], &s[2..4])]
    );
    let stored = fs::read(archive.path(&id)).unwrap();
    assert_eq!(&stored[..4], &[0x28, 0xb5, 0x2f, 0xfd], "zstd magic number");
    assert!(
        stored.len() < bytes.len() / 10,
        "compressed: {} bytes",
        stored.len()
    );

    assert_eq!(archive.get(&id).unwrap(), bytes.as_bytes());
    assert!(archive.contains(&id));
    archive.verify(&id).unwrap();
    assert_eq!(
        archive.iter().collect::<Result<Vec<_>, _>>().unwrap(),
        vec![id]
    );
}

#[test]
fn empty_bytes_are_a_blob_too() {
    let (_dir, archive) = archive();
    let id = archive.put(b"").unwrap();
    assert_eq!(archive.get(&id).unwrap(), b"");
}

#[test]
fn identical_bytes_are_stored_once_and_never_rewritten() {
    let (_dir, archive) = archive();
    let first = archive.put(b"same bytes").unwrap();
    let path = archive.path(&first);
    let before = fs::metadata(&path).unwrap().modified().unwrap();
    let second = archive.put(b"same bytes").unwrap();
    assert_eq!(first, second);
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), before);
    assert_eq!(
        files_below(archive.root()).len(),
        1,
        "no second file, no temp file left"
    );
    let other = archive.put(b"other bytes").unwrap();
    assert_ne!(other, first);
    assert_eq!(archive.iter().count(), 2);
}

#[test]
fn a_flipped_byte_is_detected_as_corruption() {
    let (_dir, archive) = archive();
    let bytes = "Inundating a target with communications requests. ".repeat(50);
    let id = archive.put(bytes.as_bytes()).unwrap();
    let path = archive.path(&id);
    make_writable(&path);
    let mut stored = fs::read(&path).unwrap();
    let middle = stored.len() / 2;
    stored[middle] ^= 0x01;
    fs::write(&path, &stored).unwrap();

    let err = archive.get(&id).unwrap_err();
    assert!(
        matches!(&err, StoreError::Corrupt { blob, .. } if *blob == id),
        "{err:?}"
    );
    assert!(!err.is_user_error());
    assert!(archive.verify(&id).is_err());
}

#[test]
fn a_valid_file_with_other_content_fails_the_hash_check() {
    let (_dir, archive) = archive();
    let id = archive.put(b"the original terms").unwrap();
    let path = archive.path(&id);
    make_writable(&path);
    fs::write(
        &path,
        zstd::encode_all(&b"the tampered terms"[..], 3).unwrap(),
    )
    .unwrap();

    let err = archive.get(&id).unwrap_err();
    assert_eq!(err.code(), "corrupt_blob");
    assert!(err.to_string().contains("content hashes to"), "{err}");
}

#[test]
fn a_missing_blob_is_not_found() {
    let (_dir, archive) = archive();
    let id = BlobId::of(b"never stored");
    assert!(!archive.contains(&id));
    assert_eq!(archive.get(&id).unwrap_err().code(), "not_found");
}

/// Writes a small zstd file that inflates to `size` zero bytes under `id`'s
/// name; `pledge` says whether the frame header declares the size.
fn plant_bomb(archive: &Archive, id: &BlobId, size: usize, pledge: bool) -> u64 {
    let path = archive.path(id);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = fs::File::create(&path).unwrap();
    let mut encoder = zstd::stream::Encoder::new(file, 1).unwrap();
    if pledge {
        encoder.set_pledged_src_size(Some(size as u64)).unwrap();
    }
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..size / chunk.len() {
        encoder.write_all(&chunk).unwrap();
    }
    encoder.finish().unwrap();
    fs::metadata(&path).unwrap().len()
}

#[test]
fn a_decompression_bomb_is_refused_at_the_size_cap() {
    let (_dir, archive) = archive();
    let archive = archive.with_max_blob_size(1 << 20);
    for (name, pledge) in [
        (&b"bomb with size header"[..], true),
        (b"bomb without size header", false),
    ] {
        let id = BlobId::of(name);
        let compressed = plant_bomb(&archive, &id, 32 << 20, pledge);
        assert!(compressed < 64 * 1024, "a small file: {compressed} bytes");
        let err = archive.get(&id).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        assert!(err.to_string().contains("limit of 1048576 bytes"), "{err}");
    }
}

#[test]
fn the_size_cap_allows_blobs_up_to_it() {
    let (_dir, archive) = archive();
    let archive = archive.with_max_blob_size(1000);
    let exact = vec![b'x'; 1000];
    let id = archive.put(&exact).unwrap();
    assert_eq!(archive.get(&id).unwrap(), exact);
    let err = archive.put(&vec![b'x'; 1001]).unwrap_err();
    assert!(
        matches!(err, StoreError::TooLarge { limit: 1000, .. }),
        "{err:?}"
    );
    assert!(err.is_user_error());
}
