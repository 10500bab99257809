//! API tokens for the HTTP server: created with a random secret that is
//! shown once, stored only as its sha256, looked up by hashing what a
//! request presents. Two roles: [`Role::Viewer`] reads, [`Role::Admin`]
//! also changes things.

use crate::db::{auth, to_i64};
use crate::error::StoreError;
use crate::store::Store;
use crate::time::ts_to_text;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Every secret starts with this, so leaked tokens are easy to grep for.
pub const TOKEN_PREFIX: &str = "cwt_";

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Read everything.
    Viewer,
    /// Read everything and change subscriptions, sources and tokens.
    Admin,
}

impl Role {
    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Admin => "admin",
        }
    }

    /// Reads a stored or typed name (`viewer`, `admin`).
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A stored token, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TokenRow {
    /// Row id, for revoking.
    pub id: u64,
    /// What the token is for, as given at creation.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// The first characters of the secret, to tell tokens apart.
    pub prefix: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last presented, if ever.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A freshly created token: the secret exists only here.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NewToken {
    /// The stored row.
    pub row: TokenRow,
    /// The secret to hand to the user once (`cwt_` + 64 hex digits).
    pub secret: String,
}

/// The stored form of a secret: lowercase hex sha256.
pub fn hash_token(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new random secret: `cwt_` + 32 random bytes in hex.
fn new_secret() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Io {
        op: "drawing random bytes for",
        path: "a token".into(),
        source: std::io::Error::other(e.to_string()),
    })?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

impl Store {
    /// Creates a token with a fresh random secret; the secret is returned
    /// once and only its hash is stored.
    pub async fn create_token(&self, name: &str, role: Role) -> Result<NewToken, StoreError> {
        let secret = new_secret()?;
        let prefix: String = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
        let now = ts_to_text(self.now());
        let mut conn = self.pool().acquire().await?;
        let id = auth::insert(&mut conn, name, role, &hash_token(&secret), &prefix, &now).await?;
        let row = auth::get(&mut conn, id)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("token {id}")))?;
        Ok(NewToken { row, secret })
    }

    /// The unrevoked token whose secret this is, or `None`. Stamps its last use.
    pub async fn authenticate_token(&self, secret: &str) -> Result<Option<TokenRow>, StoreError> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let mut conn = self.pool().acquire().await?;
        let Some(row) = auth::by_hash(&mut conn, &hash_token(secret)).await? else {
            return Ok(None);
        };
        let now = self.now();
        // One write per minute per token at most: readers stay readers.
        if row
            .last_used_at
            .is_none_or(|t| (now - t) > chrono::Duration::minutes(1))
        {
            auth::touch(&mut conn, to_i64(row.id, "token id")?, &ts_to_text(now)).await?;
        }
        Ok(Some(row))
    }

    /// Every token (revoked ones too), oldest first.
    pub async fn tokens(&self) -> Result<Vec<TokenRow>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        auth::list(&mut conn).await
    }

    /// Revokes a token; `false` if there is no unrevoked token with that id.
    pub async fn revoke_token(&self, id: u64) -> Result<bool, StoreError> {
        let mut conn = self.pool().acquire().await?;
        auth::revoke(&mut conn, to_i64(id, "token id")?, &ts_to_text(self.now())).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn tokens_are_stored_hashed_and_authenticate_until_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let t = store.create_token("ci", Role::Viewer).await.unwrap();
        assert!(t.secret.starts_with(TOKEN_PREFIX) && t.secret.len() == 68);
        assert_eq!(t.row.role, Role::Viewer);
        let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
            .fetch_all(store.pool())
            .await
            .unwrap();
        assert_eq!(stored, vec![hash_token(&t.secret)]);
        assert!(!stored[0].contains(&t.secret[4..]));

        let found = store.authenticate_token(&t.secret).await.unwrap().unwrap();
        assert_eq!(found.id, t.row.id);
        assert!(
            store
                .authenticate_token("cwt_nope")
                .await
                .unwrap()
                .is_none()
        );
        assert!(store.authenticate_token("").await.unwrap().is_none());
        assert!(store.revoke_token(t.row.id).await.unwrap());
        assert!(!store.revoke_token(t.row.id).await.unwrap());
        assert!(store.authenticate_token(&t.secret).await.unwrap().is_none());
        assert_eq!(store.tokens().await.unwrap().len(), 1);
    }
}
