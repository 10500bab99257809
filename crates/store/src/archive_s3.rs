//! The archive's S3-compatible backend: the same sha256-named zstd blobs as
//! the local folder, stored as objects `PREFIX/ab/cd/abcd….zst` in a bucket
//! (AWS S3, MinIO, Ceph, s3s-fs, …) through the `object_store` crate.
//!
//! The [`Archive`](crate::Archive) API is synchronous (callers hash and put
//! bytes inline), while `object_store` is async. Each call is therefore run
//! on one small dedicated tokio runtime shared by every S3 archive of the
//! process and waited for with a plain channel: this works from plain
//! threads, from `spawn_blocking` and from inside any async runtime (the
//! caller's thread blocks for the request, like it blocks on `fsync` for the
//! local folder), and never nests runtimes.
//!
//! Objects are written whole (an S3 PUT is atomic) after a HEAD shows the
//! name is free; a concurrent writer of the same name writes the same bytes,
//! so the race is harmless. Credentials, region and endpoint come from the
//! usual `AWS_*` environment variables (`AWS_ENDPOINT_URL` for a server that
//! is not AWS; plain `http://` endpoints are allowed when named explicitly).

use crate::error::StoreError;
use futures_util::TryStreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::future::Future;
use std::sync::OnceLock;
use std::sync::mpsc;

/// Worker threads of the shared runtime that performs S3 requests.
const RUNTIME_THREADS: usize = 2;

/// How to reach an S3-compatible server. Fields left `None` fall back to
/// the `AWS_*` environment variables that `object_store` reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct S3Config {
    /// The server's URL (`http://127.0.0.1:9000`); `None` for AWS itself.
    pub endpoint: Option<String>,
    /// The region to sign requests for (self-hosted servers ignore it;
    /// `us-east-1` when none is set anywhere).
    pub region: Option<String>,
    /// The access key id.
    pub access_key_id: Option<String>,
    /// The secret access key.
    pub secret_access_key: Option<String>,
}

impl S3Config {
    /// The configuration the `AWS_*` environment variables give:
    /// `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT`), `AWS_REGION` (or
    /// `AWS_DEFAULT_REGION`), `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`.
    pub fn from_env() -> S3Config {
        let var = |names: &[&str]| names.iter().find_map(|n| std::env::var(n).ok());
        S3Config {
            endpoint: var(&["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ENDPOINT"]),
            region: var(&["AWS_REGION", "AWS_DEFAULT_REGION"]),
            access_key_id: var(&["AWS_ACCESS_KEY_ID"]),
            secret_access_key: var(&["AWS_SECRET_ACCESS_KEY"]),
        }
    }
}

/// An `s3://bucket/prefix` location, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct S3Location {
    /// The bucket name.
    pub(crate) bucket: String,
    /// The key prefix without leading or trailing `/` (may be empty).
    pub(crate) prefix: String,
}

impl S3Location {
    /// Parses `s3://bucket` or `s3://bucket/some/prefix/`.
    pub(crate) fn parse(location: &str) -> Result<S3Location, StoreError> {
        let rest = location
            .strip_prefix("s3://")
            .ok_or_else(|| StoreError::config(format!("{location:?} is not an s3:// URL")))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid_bucket = !bucket.is_empty()
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b));
        if !valid_bucket {
            return Err(StoreError::config(format!(
                "{location:?}: the bucket name must be lowercase letters, digits, '-' and '.'"
            )));
        }
        let prefix = prefix.trim_matches('/').to_string();
        if prefix
            .split('/')
            .any(|part| part.is_empty() && !prefix.is_empty())
            || prefix.split('/').any(|part| part == "." || part == "..")
        {
            return Err(StoreError::config(format!(
                "{location:?}: the prefix has an empty, '.' or '..' segment"
            )));
        }
        Ok(S3Location {
            bucket: bucket.to_string(),
            prefix,
        })
    }

    /// The location as a URL, for messages.
    pub(crate) fn url(&self) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}", self.bucket)
        } else {
            format!("s3://{}/{}", self.bucket, self.prefix)
        }
    }
}

/// A bucket (and key prefix) holding archive blobs.
#[derive(Debug)]
pub(crate) struct S3Backend {
    store: AmazonS3,
    location: S3Location,
}

impl S3Backend {
    /// Connects to the bucket named by `location`. Makes no request: a
    /// wrong endpoint or bucket shows on first use (see [`S3Backend::check`]).
    pub(crate) fn open(location: S3Location, config: &S3Config) -> Result<S3Backend, StoreError> {
        // object_store's HTTP client (reqwest, rustls without a built-in
        // provider) uses the process-wide crypto provider: ring, installed
        // once. An error only means one is installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(&location.bucket);
        if let Some(endpoint) = &config.endpoint {
            // A plain-HTTP endpoint named explicitly is meant (a server on
            // the same host or network); object_store refuses it otherwise.
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        // Self-hosted servers ignore the region, but signing needs one.
        builder = builder.with_region(config.region.as_deref().unwrap_or("us-east-1"));
        if let Some(key) = &config.access_key_id {
            builder = builder.with_access_key_id(key);
        }
        if let Some(secret) = &config.secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        let store = builder.build().map_err(|e| StoreError::ObjectStore {
            op: "configuring",
            location: location.url(),
            source: e,
        })?;
        Ok(S3Backend { store, location })
    }

    /// The location, for messages.
    pub(crate) fn location(&self) -> &S3Location {
        &self.location
    }

    /// The object key of a blob's relative path (`ab/cd/….zst`).
    fn key(&self, relative: &str) -> ObjectPath {
        if self.location.prefix.is_empty() {
            ObjectPath::from(relative)
        } else {
            ObjectPath::from(format!("{}/{relative}", self.location.prefix))
        }
    }

    fn err(&self, op: &'static str, key: &ObjectPath, source: object_store::Error) -> StoreError {
        StoreError::ObjectStore {
            op,
            location: format!("s3://{}/{key}", self.location.bucket),
            source,
        }
    }

    /// Lists one key to prove the bucket is reachable with these credentials.
    pub(crate) fn check(&self) -> Result<(), StoreError> {
        let store = self.store.clone();
        let prefix = self.key("");
        let probe = prefix.clone();
        block_on(async move {
            let mut stream = store.list(Some(&probe));
            stream.try_next().await.map(|_| ())
        })
        .and_then(|r| r.map_err(|e| self.err("listing", &prefix, e)))
    }

    /// True if the object exists. `Err` only when the server cannot answer.
    pub(crate) fn exists(&self, relative: &str) -> Result<bool, StoreError> {
        let key = self.key(relative);
        let store = self.store.clone();
        let probe = key.clone();
        match block_on(async move { store.head(&probe).await })? {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.err("checking", &key, e)),
        }
    }

    /// Writes the object whole.
    pub(crate) fn put(&self, relative: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        let key = self.key(relative);
        let store = self.store.clone();
        let target = key.clone();
        block_on(async move { store.put(&target, PutPayload::from(bytes)).await })?
            .map(|_| ())
            .map_err(|e| self.err("writing", &key, e))
    }

    /// Reads the object; `Ok(None)` if it does not exist. Refuses objects
    /// larger than `max_size` bytes before downloading them.
    pub(crate) fn get(&self, relative: &str, max_size: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let key = self.key(relative);
        let store = self.store.clone();
        let target = key.clone();
        let result = block_on(async move {
            let got = store.get(&target).await?;
            if got.meta.size > max_size {
                return Ok(Err(got.meta.size));
            }
            got.bytes().await.map(|b| Ok(b.to_vec()))
        })?;
        match result {
            Ok(Ok(bytes)) => Ok(Some(bytes)),
            Ok(Err(size)) => Err(StoreError::ObjectStore {
                op: "reading",
                location: format!("s3://{}/{key}", self.location.bucket),
                source: object_store::Error::Generic {
                    store: "S3",
                    source: format!("object is {size} bytes, over the limit of {max_size}").into(),
                },
            }),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.err("reading", &key, e)),
        }
    }

    /// Every object key below the prefix, relative to it (`ab/cd/….zst`).
    pub(crate) fn list(&self) -> Result<Vec<String>, StoreError> {
        let prefix = self.key("");
        let store = self.store.clone();
        let listed = prefix.clone();
        let metas =
            block_on(async move { store.list(Some(&listed)).try_collect::<Vec<_>>().await })?
                .map_err(|e| self.err("listing", &prefix, e))?;
        let skip = if self.location.prefix.is_empty() {
            0
        } else {
            self.location.prefix.len() + 1
        };
        Ok(metas
            .into_iter()
            .filter_map(|m| m.location.as_ref().get(skip..).map(str::to_string))
            .collect())
    }
}

/// The runtime every S3 request runs on, started on first use.
fn runtime() -> Result<&'static tokio::runtime::Runtime, StoreError> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(RUNTIME_THREADS)
                .thread_name("cw-archive-s3")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| StoreError::config(format!("cannot start the S3 client runtime: {e}")))
}

/// Runs `fut` on the S3 runtime and waits for its output on this thread.
fn block_on<F>(fut: F) -> Result<F::Output, StoreError>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (tx, rx) = mpsc::sync_channel(1);
    runtime()?.spawn(async move {
        // The receiver only goes away if the caller's thread died.
        let _ = tx.send(fut.await);
    });
    rx.recv()
        .map_err(|_| StoreError::config("the S3 client runtime stopped".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_bucket_and_prefix() {
        let l = S3Location::parse("s3://cw-archive/team/a/").unwrap();
        assert_eq!(l.bucket, "cw-archive");
        assert_eq!(l.prefix, "team/a");
        assert_eq!(l.url(), "s3://cw-archive/team/a");
        let l = S3Location::parse("s3://bucket").unwrap();
        assert_eq!(l.prefix, "");
        assert_eq!(l.url(), "s3://bucket");
        for bad in [
            "s3://",
            "s3://Bucket/x",
            "http://b/x",
            "s3://b/a//c",
            "s3://b/../x",
        ] {
            assert!(S3Location::parse(bad).is_err(), "{bad}");
        }
    }
}
