//! The state every handler shares: the engine (and through it the store and
//! search index), the server settings, and the in-memory analysis caches.

use crate::ServerConfig;
use crate::analysis::{Analysis, Peers};
use crate::error::ApiError;
use cw_engine::Engine;
use cw_model::{DocumentKey, VersionRef, VersionSelector};
use cw_store::{DocumentRow, Store, StoredVersion};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Shared, cheaply cloned state of a running server.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    engine: Arc<Engine>,
    config: ServerConfig,
    analyses: Mutex<HashMap<(String, u32), Arc<Analysis>>>,
    peers: tokio::sync::Mutex<Option<(u64, Arc<Peers>)>>,
}

impl AppState {
    /// State for a server over `engine` with `config`.
    pub fn new(engine: Arc<Engine>, config: ServerConfig) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                engine,
                config,
                analyses: Mutex::new(HashMap::new()),
                peers: tokio::sync::Mutex::new(None),
            }),
        }
    }

    /// The store.
    pub(crate) fn store(&self) -> &Store {
        self.inner.engine.store()
    }

    /// The engine, shareable with blocking tasks.
    pub(crate) fn engine_arc(&self) -> Arc<Engine> {
        Arc::clone(&self.inner.engine)
    }

    /// The settings.
    pub(crate) fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// The latest version's title of a document.
    pub(crate) async fn title(&self, key: &DocumentKey) -> Result<Option<String>, ApiError> {
        Ok(self
            .store()
            .versions(key)
            .await?
            .into_iter()
            .last()
            .and_then(|v| v.title))
    }

    /// Labels and findings of a stored version: its stored analysis when
    /// fresh, else computed off the async threads; cached per process (a
    /// stored version never changes).
    pub(crate) async fn analysis(
        &self,
        doc: &DocumentRow,
        v: &StoredVersion,
    ) -> Result<Arc<Analysis>, ApiError> {
        let key = (doc.key.to_string(), v.row.number);
        if let Ok(cache) = self.inner.analyses.lock()
            && let Some(a) = cache.get(&key)
        {
            return Ok(Arc::clone(a));
        }
        let a = Arc::new(Analysis::load(self.store(), doc, v).await?);
        if let Ok(mut cache) = self.inner.analyses.lock() {
            cache.insert(key, Arc::clone(&a));
        }
        Ok(a)
    }

    /// The peer index over every document's latest version, rebuilt when
    /// the number of stored versions changed.
    pub(crate) async fn similarity(&self) -> Result<Arc<Peers>, ApiError> {
        let versions = self.store().counts().await?.versions;
        let mut guard = self.inner.peers.lock().await;
        if let Some((n, peers)) = guard.as_ref()
            && *n == versions
        {
            return Ok(Arc::clone(peers));
        }
        let mut items = Vec::new();
        for doc in self.store().documents().await? {
            if doc.latest_version.is_none() {
                continue;
            }
            let v = self
                .store()
                .version(&VersionRef {
                    document: doc.key.clone(),
                    selector: VersionSelector::Latest,
                })
                .await?;
            let a = self.analysis(&doc, &v).await?;
            items.push((doc, v, a));
        }
        let peers = Arc::new(Peers::build(items));
        *guard = Some((versions, Arc::clone(&peers)));
        Ok(peers)
    }
}
