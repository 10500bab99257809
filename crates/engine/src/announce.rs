//! Announced and silent changes (issue #23) for a stored document: the
//! classes themselves live in [`cw_store::announce`] (a pure read of
//! version rows, shared with reports and the server); this adds the
//! engine's lookups.

use crate::{Engine, EngineError};
use cw_model::DocumentKey;
pub use cw_store::announce::{Announcement, AnnouncementCheck, check_versions, classify};

impl Engine {
    /// The announcement check of every version of a document that has a
    /// recorded change. [`EngineError::Store`] (not found) if the document
    /// is not stored.
    pub async fn announcements(
        &self,
        key: &DocumentKey,
    ) -> Result<Vec<AnnouncementCheck>, EngineError> {
        let rows = self.store().versions(key).await?;
        Ok(check_versions(key, &rows))
    }

    /// The class of one version's change, if it has one.
    pub async fn announcement_of(
        &self,
        key: &DocumentKey,
        version: u32,
    ) -> Result<Option<Announcement>, EngineError> {
        Ok(self
            .announcements(key)
            .await?
            .into_iter()
            .find(|c| c.version == version)
            .map(|c| c.class))
    }
}
