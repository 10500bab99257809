//! The extraction declaration stored with a document: CSS `select`/`remove`
//! and range selectors (Open Terms Archive's declarations) that every import
//! of the document applies when the request brings none. The store keeps the
//! JSON text as given (cw-extract's `Declaration::to_json`); it does not
//! interpret it. The SQL is in `db::declarations`.

use crate::db::{begin_read, begin_write, declarations as sql, documents};
use crate::error::StoreError;
use crate::store::Store;
use crate::time::ts_to_text;
use crate::types::DocumentMeta;
use chrono::{DateTime, Utc};
use cw_model::DocumentKey;

/// A declaration as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredDeclaration {
    /// The JSON form (`{"select": [...], "remove": [...]}`).
    pub json: String,
    /// When it was last set.
    pub updated_at: DateTime<Utc>,
}

impl Store {
    /// Stores `json` as the declaration of `key`, replacing any earlier one;
    /// creates the document when it does not exist yet.
    pub async fn set_declaration(&self, key: &DocumentKey, json: &str) -> Result<(), StoreError> {
        let now = ts_to_text(self.now());
        let mut tx = begin_write(self.pool()).await?;
        let id = documents::ensure(&mut tx, key, &DocumentMeta::default(), &now).await?;
        sql::set(&mut tx, id, json, &now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The declaration stored with `key`, if any (`None` also when the
    /// document does not exist).
    pub async fn declaration(
        &self,
        key: &DocumentKey,
    ) -> Result<Option<StoredDeclaration>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        let Some(id) = documents::id(&mut tx, key).await? else {
            return Ok(None);
        };
        let out = sql::get(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Removes the declaration of `key`; true when there was one.
    pub async fn clear_declaration(&self, key: &DocumentKey) -> Result<bool, StoreError> {
        let mut tx = begin_write(self.pool()).await?;
        let Some(id) = documents::id(&mut tx, key).await? else {
            return Ok(false);
        };
        let done = sql::clear(&mut tx, id).await?;
        tx.commit().await?;
        Ok(done)
    }
}
