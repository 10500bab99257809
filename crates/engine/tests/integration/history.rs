//! `Engine::import_history` (issue #23) on an Open Terms Archive versions
//! repository and its snapshots repository that the test builds with git:
//! versions and their dates come from the commits, the upgrade commit is a
//! technical upgrade (never a version or a change), each version is linked
//! to its raw page, and a second run records nothing.

use crate::util::Home;
use cw_backfill::{History, OpenOptions};
use cw_engine::HistoryImportOptions;
use cw_model::{DocumentKey, VersionRef};
use std::path::Path;
use std::process::Command;

/// Runs git in `dir` with a fixed author and committer date.
fn git(dir: &Path, date: &str, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_NAME", "OTA-Bot")
        .env("GIT_AUTHOR_EMAIL", "bot@example.invalid")
        .env("GIT_COMMITTER_NAME", "OTA-Bot")
        .env("GIT_COMMITTER_EMAIL", "bot@example.invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn init(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    git(dir, "2020-01-01T00:00:00Z", &["init", "-q", "-b", "main"]);
}

/// Writes files and commits them; returns the commit id.
fn commit(dir: &Path, date: &str, files: &[(&str, &str)], message: &str) -> String {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    git(dir, date, &["add", "-A"]);
    git(dir, date, &["commit", "-q", "-m", message]);
    git(dir, date, &["rev-parse", "HEAD"])
}

const TOS: &str = "Acme/Terms of Service.md";
const PRIVACY: &str = "Acme/Privacy Policy.md";

const V1: &str = "# Terms of Service\n\nYou must not resell the service.\n\nWe may end your account with 30 days notice.\n";
const V2: &str = "# Terms of Service\n\nYou must not resell the service.\n\nWe may end your account at any time without notice.\n";
/// The upgrade: a new declaration also selects a section the old one missed.
const V2_UPGRADED: &str = "# Terms of Service\n\nYou must not resell the service.\n\nWe may end your account at any time without notice.\n\n## Contact\n\nWrite to the legal team at the postal address on the website.\n";
const V3: &str = "# Terms of Service\n\nYou must not resell or rent the service.\n\nWe may end your account at any time without notice.\n\n## Contact\n\nWrite to the legal team at the postal address on the website.\n";
const P1: &str = "# Privacy Policy\n\nWe keep your e-mail address while your account exists.\n";

fn snapshot_message(subject: &str, snapshot: &str) -> String {
    format!(
        "{subject}\n\nThis version was recorded after extracting from snapshot https://example.invalid/snapshots/commit/{snapshot}\n"
    )
}

struct Repos {
    _dir: tempfile::TempDir,
    versions: std::path::PathBuf,
    snapshots: std::path::PathBuf,
    s1: String,
    s2: String,
}

fn build_repos() -> Repos {
    let dir = tempfile::tempdir().unwrap();
    let versions = dir.path().join("versions");
    let snapshots = dir.path().join("snapshots");
    init(&versions);
    init(&snapshots);
    let s1 = commit(
        &snapshots,
        "2021-01-01T10:00:00Z",
        &[(
            "Acme/Terms of Service.html",
            "<html><body><h1>Terms of Service</h1><p>v1 page</p></body></html>",
        )],
        "Record new snapshot of Acme Terms of Service",
    );
    let s2 = commit(
        &snapshots,
        "2021-02-01T10:00:00Z",
        &[
            (
                "Acme/Terms of Service.html",
                "<html><body><h1>Terms of Service</h1><p>v2 page</p></body></html>",
            ),
            (
                "Acme/Privacy Policy.html",
                "<html><body><h1>Privacy Policy</h1></body></html>",
            ),
        ],
        "Record new snapshot of Acme Terms of Service",
    );
    commit(
        &versions,
        "2021-01-01T10:05:00Z",
        &[(TOS, V1), ("README.md", "# Versions\n\nNot a document.\n")],
        &snapshot_message("First record of Acme Terms of Service", &s1),
    );
    commit(
        &versions,
        "2021-02-01T10:05:00Z",
        &[(TOS, V2), (PRIVACY, P1)],
        &snapshot_message("Record new changes of Acme Terms of Service", &s2),
    );
    commit(
        &versions,
        "2021-03-01T10:05:00Z",
        &[(TOS, V2_UPGRADED)],
        &snapshot_message(
            "Apply technical or declaration upgrade on Acme Terms of Service",
            &s2,
        ),
    );
    commit(
        &versions,
        "2021-04-01T10:05:00Z",
        &[(TOS, V3)],
        "Record new changes of Acme Terms of Service",
    );
    Repos {
        _dir: dir,
        versions,
        snapshots,
        s1,
        s2,
    }
}

fn day(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

#[tokio::test]
async fn ota_versions_repository_with_snapshots() {
    let repos = build_repos();
    let history = History::open(
        &repos.versions,
        &OpenOptions {
            snapshots: Some(repos.snapshots.clone()),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    // Five files touched by four commits; README.md is not a document.
    assert_eq!(history.items().len(), 5, "{history:?}");

    let home = Home::new().await;
    let options = HistoryImportOptions::default();
    let mut steps = Vec::new();
    let report = home
        .engine
        .import_history(&history, &options, &mut |s| steps.push(s.status))
        .await
        .unwrap();
    assert_eq!(steps.len(), 5);
    assert_eq!(report.new_versions, 4, "{report:?}"); // tos 1, 2, 3 + privacy 1
    assert_eq!(report.technical_upgrades, 1);
    assert!(report.refused.is_empty());

    let store = home.engine.store();
    let tos: DocumentKey = "acme/terms-of-service".parse().unwrap();
    let versions = store.versions(&tos).await.unwrap();
    let dates: Vec<String> = versions.iter().map(|v| day(v.observed_at)).collect();
    // Commit time = observation time; the upgrade commit is no version.
    assert_eq!(
        dates,
        ["2021-01-01T10:05", "2021-02-01T10:05", "2021-04-01T10:05"]
    );
    // The upgrade replaced version 2's provisions and recorded no change.
    let upgrades = store.technical_upgrades(&tos).await.unwrap();
    assert_eq!(upgrades.len(), 1);
    assert_eq!(upgrades[0].version, 2);
    assert_eq!(upgrades[0].summary.added, 1, "{:?}", upgrades[0].summary);
    let v2 = store
        .version(&format!("{tos}@2").parse::<VersionRef>().unwrap())
        .await
        .unwrap();
    assert!(
        v2.document
            .provisions
            .iter()
            .any(|p| p.text.contains("postal address"))
    );
    // Version 3's recorded change is against the upgraded version 2: only the resale clause.
    let change = store.change(&tos, 3).await.unwrap().unwrap();
    assert_eq!(change.old_version, Some(2));
    assert_eq!(
        change.change_set.summary.modified, 1,
        "{:?}",
        change.change_set.summary
    );
    assert_eq!(change.change_set.summary.added, 0);

    // Provenance: commits, capture times, snapshot links and raw pages.
    let items = store.history_items(&tos).await.unwrap();
    assert_eq!(items.len(), 4);
    let kinds: Vec<_> = items.iter().map(|i| (i.kind, i.version)).collect();
    use cw_store::HistoryItemKind::{Upgrade, Version};
    assert_eq!(
        kinds,
        [
            (Version, Some(1)),
            (Version, Some(2)),
            (Upgrade, Some(2)),
            (Version, Some(3))
        ]
    );
    assert!(items[2].technical_upgrade);
    assert_eq!(
        items[0].provenance.snapshot_refs.as_deref(),
        Some(format!("{}:Acme/Terms of Service.html", repos.s1).as_str())
    );
    assert_eq!(
        items[1].provenance.snapshot_refs.as_deref(),
        Some(format!("{}:Acme/Terms of Service.html", repos.s2).as_str())
    );
    let raw = items[0]
        .provenance
        .raw_blob
        .clone()
        .expect("raw page archived");
    let page = store.archive().get(&raw).unwrap();
    assert!(String::from_utf8_lossy(&page).contains("v1 page"));
    // The last commit names no snapshot: no link, no raw page.
    assert_eq!(items[3].provenance.snapshot_refs, None);
    assert!(items[3].provenance.raw_blob.is_none());
    for item in &items {
        assert_eq!(item.provenance.path, TOS);
        let commit = item.provenance.commit.as_deref().unwrap();
        assert_eq!(item.provenance.item, format!("{commit}:{TOS}"));
    }
    assert_eq!(day(items[2].provenance.captured_at), "2021-03-01T10:05");

    // The privacy policy came from the second commit, linked to its own page.
    let privacy: DocumentKey = "acme/privacy-policy".parse().unwrap();
    let p_items = store.history_items(&privacy).await.unwrap();
    assert_eq!(
        p_items[0].provenance.snapshot_refs.as_deref(),
        Some(format!("{}:Acme/Privacy Policy.html", repos.s2).as_str())
    );

    // In force on 2021-03-15: version 2, last seen in the upgrade commit.
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let f = store
        .version_in_force_at(&tos, date("2021-03-15"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(f.version.row.number, 2);
    assert_eq!(day(f.proof.observed_at), "2021-03-01T10:05");
    assert_eq!(day(f.replaced_at.unwrap()), "2021-04-01T10:05");
    let proof_item = f.provenance.expect("the proof came from the archive");
    assert_eq!(proof_item.kind, Upgrade);
    assert_eq!(proof_item.provenance.commit, items[2].provenance.commit);
    // The day a version was first observed, it is the one in force.
    let f = store
        .version_in_force_at(&tos, date("2021-02-01"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(f.version.row.number, 2);
    assert_eq!(day(f.proof.observed_at), "2021-02-01T10:05");
    assert!(
        store
            .version_in_force_at(&tos, date("2020-12-31"))
            .await
            .unwrap()
            .is_none()
    );

    // A second run records nothing.
    let counts = store.counts().await.unwrap();
    let again = home
        .engine
        .import_history(&history, &options, &mut |_| {})
        .await
        .unwrap();
    assert!(again.recorded_nothing(), "{again:?}");
    assert_eq!(again.already_imported, 5);
    assert_eq!(store.counts().await.unwrap(), counts);
}

#[tokio::test]
async fn dataset_folder_and_dated_copies() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("dataset");
    let write = |p: &str, t: &str| {
        let path = dataset.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, t).unwrap();
    };
    write("Acme/Terms of Service/2021-01-01T10-05-00Z.md", V1);
    write("Acme/Terms of Service/2021-02-01T10-05-00Z.md", V2);
    write("Acme/Terms of Service/2021-03-01T10-05-00Z.md", "");
    write("README.md", "# Dataset\n");
    let history = History::open(&dataset, &OpenOptions::default()).unwrap();
    assert_eq!(history.kind(), cw_backfill::SourceKind::OtaDataset);
    let home = Home::new().await;
    let report = home
        .engine
        .import_history(&history, &HistoryImportOptions::default(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.new_versions, 2);
    // The empty copy is refused, kept in the archive and reported, not dropped.
    assert_eq!(report.refused.len(), 1, "{report:?}");
    let tos: DocumentKey = "acme/terms-of-service".parse().unwrap();
    let items = home.engine.store().history_items(&tos).await.unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[2].kind, cw_store::HistoryItemKind::Refused);
    let note = items[2].note.as_deref().unwrap();
    assert!(note.starts_with("not a document"), "{note}");
    assert!(
        home.engine
            .store()
            .archive()
            .contains(&items[2].sha256.parse().unwrap())
    );

    // A folder of dated copies, named by --document.
    let folder = dir.path().join("copies");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("aup 2020-05-01.md"), V1).unwrap();
    std::fs::write(folder.join("aup 2020-06-01.md"), V2).unwrap();
    let history = History::open(&folder, &OpenOptions::default()).unwrap();
    assert_eq!(history.kind(), cw_backfill::SourceKind::DatedFolder);
    let key: DocumentKey = "acme/aup".parse().unwrap();
    let options = HistoryImportOptions {
        document: Some(key.clone()),
        ..HistoryImportOptions::default()
    };
    let report = home
        .engine
        .import_history(&history, &options, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.new_versions, 2);
    let versions = home.engine.store().versions(&key).await.unwrap();
    assert_eq!(day(versions[1].observed_at), "2020-06-01T00:00");
    let again = home
        .engine
        .import_history(&history, &options, &mut |_| {})
        .await
        .unwrap();
    assert!(again.recorded_nothing());
}
