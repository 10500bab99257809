//! Where a store keeps its data: the database (the SQLite file in the home
//! folder, another SQLite file, or a PostgreSQL server) and the archive
//! (the home's `archive/` folder, another folder, or an S3-compatible
//! bucket). [`StoreOptions`] names them; [`Store::open_with`] opens them.
//! The defaults are the single-folder home of [`Store::open`], so a
//! laptop install needs no options and a team install changes two.

use crate::archive::Archive;
use crate::archive_s3::S3Config;
use crate::db::{self, Backend};
use crate::error::StoreError;
use crate::store::{ARCHIVE_DIR, DATABASE_FILE, Store};
use std::fs;
use std::path::{Path, PathBuf};

/// Where the database and the archive of a store live. `None` fields use
/// the home folder (`clausewatch.db`, `archive/`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreOptions {
    /// The database: `sqlite://PATH` (or a plain path) or
    /// `postgres://user:password@host:port/dbname`.
    pub database: Option<String>,
    /// The archive: a folder, or `s3://bucket/prefix`.
    pub archive: Option<String>,
    /// How to reach the S3 server for an `s3://` archive; `None` reads the
    /// `AWS_*` environment variables ([`S3Config::from_env`]).
    pub s3: Option<S3Config>,
}

/// A database location, parsed from a URL or path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// A SQLite file (created if missing).
    Sqlite(PathBuf),
    /// A PostgreSQL server, by its `postgres://` URL.
    Postgres(String),
}

impl DatabaseLocation {
    /// Reads `sqlite://PATH`, `sqlite:PATH`, `postgres://…`,
    /// `postgresql://…`, or a plain file path (SQLite).
    pub fn parse(spec: &str) -> Result<DatabaseLocation, StoreError> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err(StoreError::config("the database URL is empty"));
        }
        match Backend::of_url(spec) {
            Some(Backend::Postgres) => Ok(DatabaseLocation::Postgres(spec.to_string())),
            Some(Backend::Sqlite) => {
                let path = spec
                    .strip_prefix("sqlite://")
                    .or_else(|| spec.strip_prefix("sqlite:"))
                    .unwrap_or(spec);
                let path = path.split('?').next().unwrap_or(path);
                if path.is_empty() || path == ":memory:" {
                    return Err(StoreError::config(format!(
                        "{spec:?}: name a SQLite file (sqlite://PATH)"
                    )));
                }
                Ok(DatabaseLocation::Sqlite(PathBuf::from(path)))
            }
            None if spec.contains("://") => Err(StoreError::config(format!(
                "unsupported database URL {:?} (use sqlite://PATH or postgres://…)",
                db::redact(spec)
            ))),
            None => Ok(DatabaseLocation::Sqlite(PathBuf::from(spec))),
        }
    }

    /// The location for messages, with any password blanked.
    pub fn display(&self) -> String {
        match self {
            DatabaseLocation::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseLocation::Postgres(url) => db::redact(url),
        }
    }

    /// True for PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self, DatabaseLocation::Postgres(_))
    }

    /// The URL sqlx connects with.
    pub(crate) fn connect_url(&self) -> Result<String, StoreError> {
        match self {
            DatabaseLocation::Sqlite(path) => db::sqlite_url(path),
            DatabaseLocation::Postgres(url) => Ok(url.clone()),
        }
    }
}

impl Store {
    /// Opens a store whose database and archive may live outside the home
    /// folder (see [`StoreOptions`]); the home folder is still created (it
    /// holds the search index and other derived files). Applies pending
    /// migrations of the database's engine.
    ///
    /// Errors: [`StoreError::Config`] for a location that cannot be used as
    /// given, [`StoreError::Db`] when the database cannot be reached,
    /// [`StoreError::ObjectStore`] when the bucket cannot be listed.
    pub async fn open_with(home: &Path, options: &StoreOptions) -> Result<Store, StoreError> {
        fs::create_dir_all(home).map_err(|e| StoreError::io("creating", home, e))?;
        let archive = match &options.archive {
            None => Archive::open(home.join(ARCHIVE_DIR))?,
            Some(location) if location.starts_with("s3://") => {
                let config = options.s3.clone().unwrap_or_else(S3Config::from_env);
                let location = location.clone();
                // The S3 check blocks on a request: keep it off the async threads.
                tokio::task::spawn_blocking(move || Archive::open_s3(&location, &config))
                    .await
                    .map_err(|e| StoreError::config(format!("opening the archive: {e}")))??
            }
            Some(folder) => Archive::open(folder)?,
        };
        let database = match &options.database {
            None => DatabaseLocation::Sqlite(home.join(DATABASE_FILE)),
            Some(spec) => DatabaseLocation::parse(spec)?,
        };
        let pool = db::connect_url(&database.connect_url()?).await?;
        tracing::debug!(
            home = %home.display(),
            database = %database.display(),
            archive = %archive.location(),
            "opened store"
        );
        Ok(Store::from_parts(home, pool, archive))
    }

    /// Which engine the database runs on: `"sqlite"` or `"postgres"`.
    pub fn database_engine(&self) -> &'static str {
        match Backend::of_pool(self.pool()) {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_locations_parse() {
        assert_eq!(
            DatabaseLocation::parse("sqlite:///srv/cw/db.sqlite").unwrap(),
            DatabaseLocation::Sqlite("/srv/cw/db.sqlite".into())
        );
        assert_eq!(
            DatabaseLocation::parse("sqlite:rel.db?mode=rwc").unwrap(),
            DatabaseLocation::Sqlite("rel.db".into())
        );
        assert_eq!(
            DatabaseLocation::parse("plain/file.db").unwrap(),
            DatabaseLocation::Sqlite("plain/file.db".into())
        );
        let pg = DatabaseLocation::parse("postgres://cw:s3cret@db:5432/cw").unwrap();
        assert!(pg.is_postgres());
        assert_eq!(pg.display(), "postgres://cw:***@db:5432/cw");
        assert!(
            DatabaseLocation::parse("postgresql://db/cw")
                .unwrap()
                .is_postgres()
        );
        for bad in ["", "mysql://x/y", "sqlite://", "sqlite::memory:"] {
            let err = DatabaseLocation::parse(bad).unwrap_err();
            assert_eq!(err.code(), "config", "{bad}");
        }
    }
}
