//! The test harness: a temporary home with an open [`Store`], a builder
//! that archives bytes and records an import the way the CLI will
//! (previous version looked up, lineage keys = provision ids unless given),
//! and compact text renderings of rows for readable assertions.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use cw_model::{
    ChangeSet, DiffSide, DiffSummary, DocumentKey, ExtractedDocument, Provision, ProvisionKind,
    SourceFormat,
};
use cw_store::{BlobId, ImportOutcome, NewImport, Store, StoreError, StoreOptions, VersionRow};
use tempfile::TempDir;

/// A temporary clausewatch home, opened. Its database is the SQLite file
/// in the home, or with `CLAUSEWATCH_TEST_STORE_BACKEND=postgres` a fresh
/// database on the server of `CLAUSEWATCH_TEST_POSTGRES_URL`: the whole
/// suite runs unchanged against either engine (scripts/test.sh runs both).
pub(crate) struct TestHome {
    pub(crate) dir: TempDir,
    pub(crate) store: Store,
    options: StoreOptions,
}

impl TestHome {
    pub(crate) async fn new() -> TestHome {
        let dir = tempfile::tempdir().unwrap();
        let options = match std::env::var("CLAUSEWATCH_TEST_STORE_BACKEND").as_deref() {
            Err(_) | Ok("sqlite") | Ok("") => StoreOptions::default(),
            Ok("postgres") => {
                let admin = super::servers::postgres_url().expect(
                    "CLAUSEWATCH_TEST_STORE_BACKEND=postgres needs CLAUSEWATCH_TEST_POSTGRES_URL",
                );
                StoreOptions {
                    database: Some(super::servers::fresh_postgres_database(&admin).await),
                    ..StoreOptions::default()
                }
            }
            Ok(other) => panic!("CLAUSEWATCH_TEST_STORE_BACKEND={other}: use sqlite or postgres"),
        };
        let store = Store::open_with(dir.path(), &options).await.unwrap();
        TestHome {
            dir,
            store,
            options,
        }
    }

    /// True when the suite runs against PostgreSQL.
    pub(crate) fn is_postgres(&self) -> bool {
        self.options.database.is_some()
    }

    /// Another store on the same home and database, with its own
    /// connections: a second process sharing the store.
    pub(crate) async fn open_again(&self) -> Store {
        Store::open_with(self.dir.path(), &self.options)
            .await
            .unwrap()
    }

    /// Closes the store and opens the same home again.
    pub(crate) async fn reopen(self) -> TestHome {
        let TestHome {
            dir,
            store,
            options,
        } = self;
        store.close().await;
        let store = Store::open_with(dir.path(), &options).await.unwrap();
        TestHome {
            dir,
            store,
            options,
        }
    }

    /// Starts describing an import of `key` (`platform/document`).
    pub(crate) fn import(&self, key: &str) -> ImportBuilder<'_> {
        ImportBuilder {
            home: self,
            key: key.parse().unwrap(),
            bytes: Vec::new(),
            date: date("2021-01-01"),
            provisions: Vec::new(),
            substantive: None,
            previous: None,
            lineage: None,
            archive: true,
        }
    }
}

pub(crate) fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub(crate) fn midnight(s: &str) -> DateTime<Utc> {
    date(s).and_time(NaiveTime::MIN).and_utc()
}

pub(crate) fn key(s: &str) -> DocumentKey {
    s.parse().unwrap()
}

/// An extracted document whose provisions are `(id, text)` pairs, each
/// under the heading named by the id's part before '/'.
pub(crate) fn extracted(provisions: &[(&str, &str)]) -> ExtractedDocument {
    ExtractedDocument {
        title: Some("Acceptable Use Policy".into()),
        effective_date: None,
        language: "en".into(),
        format: SourceFormat::Html,
        provisions: provisions
            .iter()
            .map(|(id, text)| {
                let heading = id.split('/').next().unwrap_or_default().to_string();
                Provision::new(*id, vec![heading], ProvisionKind::Paragraph, *text)
            })
            .collect(),
        warnings: vec![],
        coverage: None,
    }
}

/// A change set standing in for the diff stage's output.
pub(crate) fn change_set(substantive: usize) -> ChangeSet {
    ChangeSet {
        old: DiffSide::default(),
        new: DiffSide::default(),
        summary: DiffSummary {
            modified: substantive,
            substantive,
            ..DiffSummary::default()
        },
        summary_text: format!("{substantive} substantive change(s)."),
        changes: vec![],
    }
}

pub(crate) struct ImportBuilder<'a> {
    home: &'a TestHome,
    key: DocumentKey,
    bytes: Vec<u8>,
    date: NaiveDate,
    provisions: Vec<(String, String)>,
    substantive: Option<usize>,
    previous: Option<Option<u32>>,
    lineage: Option<Vec<String>>,
    archive: bool,
}

impl ImportBuilder<'_> {
    pub(crate) fn bytes(mut self, bytes: &str) -> Self {
        self.bytes = bytes.as_bytes().to_vec();
        self
    }

    pub(crate) fn on(mut self, day: &str) -> Self {
        self.date = date(day);
        self
    }

    pub(crate) fn provisions(mut self, provisions: &[(&str, &str)]) -> Self {
        self.provisions = provisions
            .iter()
            .map(|(i, t)| (i.to_string(), t.to_string()))
            .collect();
        self
    }

    /// Attaches a change record with this many substantive changes.
    pub(crate) fn substantive(mut self, n: usize) -> Self {
        self.substantive = Some(n);
        self
    }

    /// Claims to have diffed against this version instead of looking it up.
    pub(crate) fn previous(mut self, number: Option<u32>) -> Self {
        self.previous = Some(number);
        self
    }

    pub(crate) fn lineage(mut self, keys: &[&str]) -> Self {
        self.lineage = Some(keys.iter().map(|k| k.to_string()).collect());
        self
    }

    /// Does not put the bytes into the archive first.
    pub(crate) fn without_archiving(mut self) -> Self {
        self.archive = false;
        self
    }

    /// Builds the [`NewImport`] (archiving the bytes unless told not to).
    pub(crate) async fn build(self) -> NewImport {
        let store = &self.home.store;
        let observed_at = self.date.and_time(NaiveTime::MIN).and_utc();
        let blob = if self.archive {
            store.archive().put(&self.bytes).unwrap()
        } else {
            BlobId::of(&self.bytes)
        };
        let previous = match self.previous {
            Some(p) => p,
            None => store
                .previous_version(&self.key, observed_at)
                .await
                .unwrap()
                .map(|v| v.row.number),
        };
        let pairs: Vec<(&str, &str)> = self
            .provisions
            .iter()
            .map(|(i, t)| (i.as_str(), t.as_str()))
            .collect();
        let lineage_keys = self
            .lineage
            .unwrap_or_else(|| self.provisions.iter().map(|(i, _)| i.clone()).collect());
        NewImport {
            document: self.key,
            blob,
            size: self.bytes.len() as u64,
            format: "html".into(),
            source: format!("fixtures/{}.html", self.date),
            observed_at,
            extracted: extracted(&pairs),
            extractor_version: cw_model::EXTRACTOR_VERSION.into(),
            previous_version_number: previous,
            change: self.substantive.map(change_set),
            lineage_keys,
        }
    }

    pub(crate) async fn run(self) -> Result<ImportOutcome, StoreError> {
        let store = self.home.store.clone();
        let import = self.build().await;
        store.record_import(import).await
    }
}

/// One line per version: number, observation date, effective date,
/// provisions, snapshots, substantive changes (and against what).
pub(crate) fn render_versions(rows: &[VersionRow]) -> String {
    rows.iter()
        .map(|v| {
            let change = match (v.compared_with, v.substantive_changes) {
                (Some(old), Some(n)) => format!("{n} substantive vs {old}"),
                (None, Some(n)) => format!("{n} substantive vs nothing"),
                _ => "no change record".to_string(),
            };
            let restores = v
                .restores
                .map(|n| format!(" restores @{n}"))
                .unwrap_or_default();
            format!(
                "v{} observed {} provisions {} snapshots {}{restores} | {change}",
                v.number,
                v.observed_at.date_naive(),
                v.provision_count,
                v.snapshots.len(),
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every file below `dir`, relative, sorted.
pub(crate) fn files_below(dir: &std::path::Path) -> Vec<String> {
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}
