//! Variants of one policy (issue #23): documents declared as regional or
//! language variants of each other (`aws/aup-global`, `aws/aup-beijing`),
//! and the alert outbox entries their divergence produces.

use crate::db::{begin_read, begin_write, documents, variants, watch};
use crate::error::StoreError;
use crate::store::Store;
use crate::time::ts_to_text;
use crate::watch::NewAlert;
use chrono::Utc;
use cw_model::DocumentKey;
use serde::{Serialize, Serializer};

fn key_as_string<S: Serializer>(key: &DocumentKey, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(key)
}

/// One document declared as a variant of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariantRow {
    /// The policy the variants share (a free slug).
    pub policy: String,
    /// The variant's label (`beijing`, `fr`).
    pub variant: String,
    /// The document.
    #[serde(serialize_with = "key_as_string")]
    pub document: DocumentKey,
}

impl Store {
    /// Declares `key` as the `variant` of `policy` (replacing an earlier
    /// declaration of the document). [`StoreError::NotFound`] if the
    /// document is not stored; [`StoreError::InvalidImport`] if another
    /// document already is that variant.
    pub async fn set_variant(
        &self,
        key: &DocumentKey,
        policy: &str,
        variant: &str,
    ) -> Result<(), StoreError> {
        let mut tx = begin_write(self.pool()).await?;
        let id = documents::require_id(&mut tx, key).await?;
        variants::set(&mut tx, id, policy, variant, &ts_to_text(Utc::now())).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The variants of a policy, by variant label.
    pub async fn variants(&self, policy: &str) -> Result<Vec<VariantRow>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        variants::of_policy(&mut tx, Some(policy)).await
    }

    /// Every declared variant, by policy then label.
    pub async fn all_variants(&self) -> Result<Vec<VariantRow>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        variants::of_policy(&mut tx, None).await
    }

    /// Puts alerts for version `version` of a document in the outbox, in one
    /// transaction; an alert of a subscription for that version that is
    /// already there is kept as it is (one alert per subscription and version).
    pub async fn enqueue_alerts(
        &self,
        key: &DocumentKey,
        version: u32,
        old_version: Option<u32>,
        alerts: &[NewAlert],
    ) -> Result<(), StoreError> {
        let now = ts_to_text(Utc::now());
        let mut tx = begin_write(self.pool()).await?;
        let id = documents::require_id(&mut tx, key).await?;
        for alert in alerts {
            watch::insert_alert(&mut tx, alert, id, version, old_version, &now).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
