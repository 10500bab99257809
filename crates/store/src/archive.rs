//! The content-addressed archive of raw snapshot bytes: one zstd file per
//! distinct byte string, named by the sha256 of the raw (uncompressed) bytes
//! and fanned out as `archive/ab/cd/abcd…64hex.zst`.
//!
//! Blobs are written once (temp file in the target directory, fsync, atomic
//! rename that never replaces an existing file) and never rewritten or
//! deleted. Reading decompresses under a size cap and re-hashes, so a damaged
//! file or a decompression bomb is an error, never a panic or an exhausted
//! machine. A blob that no database row mentions is harmless: the store only
//! believes in blobs that a committed snapshot row refers to.
//!
//! The same layout can live in an S3-compatible bucket instead of a folder
//! ([`Archive::open_location`] with `s3://bucket/prefix`; the backend is in
//! `archive_s3.rs`): objects are named `PREFIX/ab/cd/abcd….zst`, compressed
//! and checked the same way, so a folder can be copied into a bucket as is.
//!
//! The archive is synchronous I/O (file system or S3 requests); async
//! callers handling large blobs may wrap calls in `tokio::task::spawn_blocking`.

use crate::archive_s3::{S3Backend, S3Config, S3Location};
use crate::error::StoreError;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

/// The default largest blob (uncompressed) the archive accepts and will
/// decompress: 256 MiB, far above any policy document or PDF seen so far.
pub const DEFAULT_MAX_BLOB_SIZE: u64 = 256 * 1024 * 1024;

/// zstd level for new blobs: a good ratio on HTML at a few ms per document.
const COMPRESSION_LEVEL: i32 = 9;

/// Largest zstd window (log2) accepted when decompressing: 128 MiB, zstd's
/// own default for decoders, stated so a hostile frame cannot ask for more memory.
const WINDOW_LOG_MAX: u32 = 27;

/// File-name suffix of a stored blob.
const SUFFIX: &str = ".zst";

/// The name of a blob: the lowercase hex sha256 of its raw bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct BlobId(String);

impl BlobId {
    /// The id the given bytes have (their sha256).
    pub fn of(bytes: &[u8]) -> BlobId {
        BlobId(hex::encode(Sha256::digest(bytes)))
    }

    /// The 64 lowercase hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Where the blob lives below the archive root: `ab/cd/abcd….zst`.
    fn relative_path(&self) -> PathBuf {
        let s = self.as_str();
        Path::new(&s[0..2])
            .join(&s[2..4])
            .join(format!("{s}{SUFFIX}"))
    }

    /// The same with `/` separators, as an object key below the prefix.
    fn relative_key(&self) -> String {
        let s = self.as_str();
        format!("{}/{}/{s}{SUFFIX}", &s[0..2], &s[2..4])
    }

    /// The id an object key below the prefix names, if it is a blob's key.
    fn from_relative_key(key: &str) -> Option<BlobId> {
        let mut parts = key.split('/');
        let (a, b, name) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let id: BlobId = name.strip_suffix(SUFFIX)?.parse().ok()?;
        (id.as_str().get(0..2) == Some(a) && id.as_str().get(2..4) == Some(b)).then_some(id)
    }
}

impl fmt::Display for BlobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for BlobId {
    type Err = StoreError;

    /// Accepts exactly 64 lowercase hex digits.
    fn from_str(s: &str) -> Result<Self, StoreError> {
        if s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(BlobId(s.to_string()))
        } else {
            Err(StoreError::BadBlobId(s.to_string()))
        }
    }
}

/// A directory (or S3-compatible bucket prefix) of zstd-compressed,
/// sha256-named blobs. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Archive {
    /// The folder, or for S3 the location URL as a path (for messages).
    root: PathBuf,
    /// `Some` when the blobs live in a bucket rather than in `root`.
    s3: Option<Arc<S3Backend>>,
    max_blob_size: u64,
}

impl Archive {
    /// Opens (creating it if needed) the archive rooted at `dir`.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Archive, StoreError> {
        let root = dir.into();
        fs::create_dir_all(&root).map_err(|e| StoreError::io("creating", &root, e))?;
        Ok(Archive {
            root,
            s3: None,
            max_blob_size: DEFAULT_MAX_BLOB_SIZE,
        })
    }

    /// Opens the archive at `location`: `s3://bucket/prefix` for an
    /// S3-compatible bucket configured by the `AWS_*` environment variables
    /// ([`S3Config::from_env`]; `AWS_ENDPOINT_URL` for a server other than
    /// AWS), anything else as a folder (see [`open`](Self::open)).
    pub fn open_location(location: &str) -> Result<Archive, StoreError> {
        if location.starts_with("s3://") {
            Archive::open_s3(location, &S3Config::from_env())
        } else {
            Archive::open(location)
        }
    }

    /// Opens the archive in the bucket and prefix of `location`
    /// (`s3://bucket/prefix`) on the server `config` names. The bucket must
    /// exist; it is checked with one listing request.
    pub fn open_s3(location: &str, config: &S3Config) -> Result<Archive, StoreError> {
        let backend = S3Backend::open(S3Location::parse(location)?, config)?;
        backend.check()?;
        Ok(Archive {
            root: PathBuf::from(backend.location().url()),
            s3: Some(Arc::new(backend)),
            max_blob_size: DEFAULT_MAX_BLOB_SIZE,
        })
    }

    /// Where the blobs are: the folder, or the `s3://bucket/prefix` URL.
    pub fn location(&self) -> String {
        match &self.s3 {
            Some(s3) => s3.location().url(),
            None => self.root.display().to_string(),
        }
    }

    /// True when the blobs live in an S3-compatible bucket.
    pub fn is_remote(&self) -> bool {
        self.s3.is_some()
    }

    /// Sets the largest blob, in uncompressed bytes, that [`put`](Self::put)
    /// accepts and [`get`](Self::get) will decompress.
    pub fn with_max_blob_size(mut self, limit: u64) -> Archive {
        self.max_blob_size = limit;
        self
    }

    /// The archive's root directory (for S3, the location URL as a path,
    /// good for messages only).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of a blob's file (which may not exist); for S3, its URL.
    pub fn path(&self, id: &BlobId) -> PathBuf {
        match &self.s3 {
            Some(_) => PathBuf::from(format!("{}/{}", self.location(), id.relative_key())),
            None => self.root.join(id.relative_path()),
        }
    }

    /// Stores `bytes` and returns their id. Identical bytes already stored are
    /// not written again. The file is complete and durable (fsynced, renamed
    /// into place, directory fsynced) before this returns.
    pub fn put(&self, bytes: &[u8]) -> Result<BlobId, StoreError> {
        let id = BlobId::of(bytes);
        if bytes.len() as u64 > self.max_blob_size {
            return Err(StoreError::TooLarge {
                blob: id,
                limit: self.max_blob_size,
            });
        }
        if let Some(s3) = &self.s3 {
            let key = id.relative_key();
            if !s3.exists(&key)? {
                let compressed = compress(bytes)
                    .map_err(|e| StoreError::io("compressing", self.path(&id), e))?;
                s3.put(&key, compressed)?;
                tracing::debug!(blob = %id, size = bytes.len(), "archived blob in S3");
            }
            return Ok(id);
        }
        let path = self.path(&id);
        if path.is_file() {
            return Ok(id);
        }
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        let new_dir = !dir.is_dir();
        fs::create_dir_all(&dir).map_err(|e| StoreError::io("creating", &dir, e))?;

        let tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempfile_in(&dir)
            .map_err(|e| StoreError::io("creating a temporary file in", &dir, e))?;
        let write = |file: &fs::File| -> io::Result<()> {
            let mut encoder = zstd::stream::Encoder::new(file, COMPRESSION_LEVEL)?;
            encoder.include_checksum(true)?;
            encoder.set_pledged_src_size(Some(bytes.len() as u64))?;
            encoder.write_all(bytes)?;
            encoder.finish()?;
            file.sync_all()?;
            Ok(())
        };
        write(tmp.as_file()).map_err(|e| StoreError::io("writing", tmp.path(), e))?;
        set_read_only(tmp.path())?;
        match tmp.persist_noclobber(&path) {
            Ok(_) => {}
            // Another writer stored the same bytes first: same name, same content.
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => return Ok(id),
            Err(e) => return Err(StoreError::io("renaming into", &path, e.error)),
        }
        sync_dir(&dir)?;
        if new_dir {
            // The fan-out directories are new too: make their entries durable.
            for ancestor in dir.ancestors().skip(1).take(2) {
                sync_dir(ancestor)?;
            }
        }
        tracing::debug!(blob = %id, size = bytes.len(), "archived blob");
        Ok(id)
    }

    /// True if a blob file with this id exists (its content is not checked;
    /// see [`verify`](Self::verify)). For S3, an unreachable server counts
    /// as "not there" (and is logged): callers then refuse to go on.
    pub fn contains(&self, id: &BlobId) -> bool {
        match &self.s3 {
            Some(s3) => s3.exists(&id.relative_key()).unwrap_or_else(|e| {
                tracing::warn!(blob = %id, error = %e, "cannot check the S3 archive");
                false
            }),
            None => self.path(id).is_file(),
        }
    }

    /// Reads a blob back: decompresses it (refusing to produce more than the
    /// size limit) and checks that the bytes still hash to `id`.
    ///
    /// Errors: [`StoreError::NotFound`] if there is no such blob,
    /// [`StoreError::Corrupt`] if it cannot be decompressed, is too large or
    /// hashes to something else.
    pub fn get(&self, id: &BlobId) -> Result<Vec<u8>, StoreError> {
        let path = self.path(id);
        if let Some(s3) = &self.s3 {
            // zstd never expands incompressible input by more than a few
            // bytes per block, so the compressed object is at most this big.
            let cap = self
                .max_blob_size
                .saturating_add(self.max_blob_size / 64 + 4096);
            return match s3.get(&id.relative_key(), cap)? {
                Some(compressed) => {
                    decompress(compressed.as_slice(), id, self.max_blob_size, &path)
                }
                None => Err(StoreError::not_found(format!("blob {id}"))),
            };
        }
        let file = match fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(StoreError::not_found(format!("blob {id}")));
            }
            Err(e) => return Err(StoreError::io("opening", &path, e)),
        };
        decompress(file, id, self.max_blob_size, &path)
    }

    /// Re-reads a blob and checks its hash; `Ok(())` if it is intact.
    /// Errors as for [`get`](Self::get).
    pub fn verify(&self, id: &BlobId) -> Result<(), StoreError> {
        self.get(id).map(|_| ())
    }

    /// Every blob id in the archive, in sorted order, found by walking the
    /// fan-out directories. Temporary files and foreign files are skipped.
    pub fn iter(&self) -> BlobIter {
        if let Some(s3) = &self.s3 {
            // One listing up front (ids are 64 bytes: a million blobs is
            // tens of MB), sorted like the folder walk.
            let listed = match s3.list() {
                Ok(keys) => {
                    let mut ids: Vec<BlobId> = keys
                        .iter()
                        .filter_map(|k| BlobId::from_relative_key(k))
                        .collect();
                    ids.sort();
                    ids.into_iter().rev().map(Ok).collect()
                }
                Err(e) => vec![Err(e)],
            };
            return BlobIter {
                stack: Vec::new(),
                pending: Vec::new(),
                listed,
            };
        }
        BlobIter {
            stack: vec![(self.root.clone(), 0)],
            pending: Vec::new(),
            listed: Vec::new(),
        }
    }
}

/// Compresses a blob: zstd with a content checksum and the size pledged.
fn compress(bytes: &[u8]) -> io::Result<Vec<u8>> {
    let mut encoder = zstd::stream::Encoder::new(Vec::new(), COMPRESSION_LEVEL)?;
    encoder.include_checksum(true)?;
    encoder.set_pledged_src_size(Some(bytes.len() as u64))?;
    encoder.write_all(bytes)?;
    encoder.finish()
}

/// Decompresses a stored blob under the size cap and checks that the bytes
/// still hash to `id`. `path` names the blob in errors.
fn decompress(
    compressed: impl Read,
    id: &BlobId,
    max_blob_size: u64,
    path: &Path,
) -> Result<Vec<u8>, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        blob: id.clone(),
        reason,
    };
    let mut decoder = zstd::stream::Decoder::new(compressed)
        .map_err(|e| StoreError::io("decompressing", path, e))?;
    decoder
        .window_log_max(WINDOW_LOG_MAX)
        .map_err(|e| StoreError::io("decompressing", path, e))?;
    let mut bytes = Vec::new();
    // Read one byte past the limit to tell "exactly the limit" from "more".
    decoder
        .take(max_blob_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| corrupt(format!("cannot decompress: {e}")))?;
    if bytes.len() as u64 > max_blob_size {
        return Err(corrupt(format!(
            "decompresses to more than the limit of {max_blob_size} bytes"
        )));
    }
    let actual = BlobId::of(&bytes);
    if &actual != id {
        return Err(corrupt(format!("content hashes to {actual}")));
    }
    Ok(bytes)
}

#[cfg(unix)]
fn set_read_only(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o444))
        .map_err(|e| StoreError::io("setting permissions on", path, e))
}

#[cfg(not(unix))]
fn set_read_only(path: &Path) -> Result<(), StoreError> {
    let mut perms = fs::metadata(path)
        .map_err(|e| StoreError::io("reading", path, e))?
        .permissions();
    perms.set_readonly(true);
    fs::set_permissions(path, perms).map_err(|e| StoreError::io("setting permissions on", path, e))
}

/// Makes a rename durable by fsyncing the directory that holds it.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io("syncing directory", dir, e))
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<(), StoreError> {
    Ok(())
}

/// Iterator over the ids of an [`Archive`], returned by [`Archive::iter`].
/// Yields an error for a directory that cannot be read, then carries on.
#[derive(Debug)]
pub struct BlobIter {
    /// Directories still to list, with their depth (0 = root, 2 = leaf).
    stack: Vec<(PathBuf, u8)>,
    /// Ids found in the current leaf directory, in reverse order.
    pending: Vec<BlobId>,
    /// For S3: the whole listing (or its error), in reverse order.
    listed: Vec<Result<BlobId, StoreError>>,
}

impl BlobIter {
    /// Lists one directory: subdirectories are pushed (for depth < 2), blob
    /// ids collected (at depth 2).
    fn expand(&mut self, dir: &Path, depth: u8) -> Result<(), StoreError> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .map_err(|e| StoreError::io("listing", dir, e))?
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| entry.file_name().into_string().ok())
            .collect();
        names.sort();
        if depth < 2 {
            for name in names.into_iter().rev() {
                let ok = name.len() == 2 && name.bytes().all(|b| b.is_ascii_hexdigit());
                let path = dir.join(&name);
                if ok && path.is_dir() {
                    self.stack.push((path, depth + 1));
                }
            }
        } else {
            for name in names.into_iter().rev() {
                if let Some(id) = name
                    .strip_suffix(SUFFIX)
                    .and_then(|s| s.parse::<BlobId>().ok())
                {
                    self.pending.push(id);
                }
            }
        }
        Ok(())
    }
}

impl Iterator for BlobIter {
    type Item = Result<BlobId, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(item) = self.listed.pop() {
            return Some(item);
        }
        loop {
            if let Some(id) = self.pending.pop() {
                return Some(Ok(id));
            }
            let (dir, depth) = self.stack.pop()?;
            if let Err(e) = self.expand(&dir, depth) {
                return Some(Err(e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_are_sha256_hex() {
        let id = BlobId::of(b"abc");
        assert_eq!(
            id.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(id.as_str().parse::<BlobId>().unwrap(), id);
        assert!("BA78".parse::<BlobId>().is_err());
        assert!(id.as_str().to_uppercase().parse::<BlobId>().is_err());
        assert_eq!(
            id.relative_path(),
            Path::new("ba/78").join(format!("{}.zst", id.as_str()))
        );
    }

    #[test]
    fn iter_skips_foreign_and_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path()).unwrap();
        let a = archive.put(b"one").unwrap();
        let b = archive.put(b"two").unwrap();
        fs::write(archive.path(&a).with_file_name(".tmp-xyz"), b"junk").unwrap();
        fs::write(dir.path().join("README"), b"junk").unwrap();
        fs::create_dir_all(dir.path().join("zz/zz")).unwrap();
        let mut expected = vec![a, b];
        expected.sort();
        let ids: Vec<BlobId> = archive.iter().collect::<Result<_, _>>().unwrap();
        assert_eq!(ids, expected);
    }

    #[test]
    fn put_refuses_bytes_over_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path()).unwrap().with_max_blob_size(4);
        assert!(archive.put(b"1234").is_ok());
        let err = archive.put(b"12345").unwrap_err();
        assert_eq!(err.code(), "too_large");
        assert_eq!(archive.iter().count(), 1);
    }
}
