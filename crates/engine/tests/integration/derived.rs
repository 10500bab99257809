//! Analysis and search indexing off the fetch path (issue #7): a watch
//! cycle stores new versions at once and makes their derived data (stored
//! analysis, search index entries) in a batch after its fetches, so both are
//! current when `run_once` returns; a version stored without its analysis
//! (a process killed in between) is caught up by the next run; `worker`'s
//! `index` jobs make both with one labelling; alerts, pages and index rows
//! read a fresh stored analysis instead of labelling again; plain imports
//! still analyse and index inline.
//! Real parts: a loopback HTTP origin, a SQLite home, the tantivy index.

use super::origin::{Origin, Reply, policy};
use super::watchkit::{config, cycle, home, track, watcher};
use cw_engine::watch::WorkerOptions;
use cw_engine::{Engine, ImportRequest};
use cw_search::SearchOptions;
use cw_store::{JobKind, JobState, Store};
use std::time::Duration;

fn all_versions() -> SearchOptions {
    SearchOptions {
        all_versions: true,
        ..Default::default()
    }
}

/// Whether version `number` of `document` has a stored analysis of its
/// current provisions with at least one label.
async fn analysed(store: &Store, document: &str, number: u32) -> bool {
    store
        .analysis(&document.parse().unwrap(), number)
        .await
        .unwrap()
        .is_some_and(|a| a.current_content && a.provisions.iter().any(|p| !p.labels.is_empty()))
}

/// Hits for `word` in the home's search index.
fn hits(store: &Store, word: &str) -> usize {
    Engine::from_store(store.clone())
        .search(word, &all_versions())
        .unwrap()
        .total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_cycle_new_versions_are_analysed_and_searchable() {
    let origin = Origin::start().await;
    origin.push(
        "/aup",
        [Reply::Page(
            policy("Acceptable Use Policy", 4, " Quokkas welcome."),
            None,
        )],
    );
    origin.push(
        "/terms",
        [Reply::Page(
            policy("Terms of Service", 3, " Wombats welcome."),
            None,
        )],
    );
    let (_dir, store) = home().await;
    track(&store, "acme/aup", origin.url("/aup"), None).await;
    track(&store, "acme/terms", origin.url("/terms"), None).await;
    let w = watcher(&store, config());

    let report = cycle(&w).await;
    assert_eq!(report.last_cycle.new_versions, 2, "{report:?}");
    assert_eq!(report.derived.versions, 2, "{report:?}");
    assert_eq!(report.derived.batches, 1, "one batch: {report:?}");
    assert!(analysed(&store, "acme/aup", 1).await);
    assert!(analysed(&store, "acme/terms", 1).await);
    assert_eq!(hits(&store, "quokkas"), 1);
    assert_eq!(hits(&store, "wombats"), 1);
    // The index carries the labels of the stored analysis.
    let labelled = Engine::from_store(store.clone())
        .search("label:tos_unilateral_termination", &all_versions())
        .unwrap();
    assert!(labelled.total > 0, "{labelled:?}");

    // Nothing left to derive: the next cycle's pass does nothing.
    let report = cycle(&w).await;
    assert_eq!(report.derived.versions, 0, "{report:?}");
    assert_eq!(hits(&store, "quokkas"), 1, "indexed once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_stored_without_its_analysis_is_caught_up_by_the_next_run() {
    let origin = Origin::start().await;
    let page = policy("Acceptable Use Policy", 4, " Numbats welcome.");
    origin.push("/aup", [Reply::Page(page.clone(), None)]);
    let (_dir, store) = home().await;
    track(&store, "acme/aup", origin.url("/aup"), None).await;
    // A run that died after storing the version and before its derived
    // data: the version is stored by an engine that defers both.
    let deferring = Engine::from_store(store.clone()).without_derived_on_import();
    let key = "acme/aup".parse().unwrap();
    deferring
        .import(ImportRequest::new(
            key,
            page.into_bytes(),
            origin.url("/aup"),
        ))
        .await
        .unwrap();
    assert!(!analysed(&store, "acme/aup", 1).await);
    assert_eq!(
        store.versions_lacking_analysis(0, 10).await.unwrap().len(),
        1
    );

    // The next run fetches the same page (no new version) and catches up.
    let w = watcher(&store, config());
    let report = cycle(&w).await;
    assert_eq!(report.last_cycle.new_versions, 0, "{report:?}");
    assert_eq!(report.derived.versions, 1, "{report:?}");
    assert!(analysed(&store, "acme/aup", 1).await);
    assert_eq!(hits(&store, "numbats"), 1);
    assert!(
        store
            .versions_lacking_analysis(0, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// A confirmed change is labelled once: its alert labels the new version,
/// and the cycle's derived-data pass records those labels as its analysis
/// (`reused`) instead of labelling it again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alerted_version_is_not_labelled_again_for_its_analysis() {
    let origin = Origin::start().await;
    let v1 = policy("Terms of Service", 3, " Quokkas welcome.");
    let v2 = policy(
        "Terms of Service",
        3,
        " We may terminate your account at any time without notice.",
    );
    origin.push(
        "/tos",
        [
            Reply::Page(v1, None),
            Reply::Page(v2.clone(), None),
            Reply::Page(v2, None),
        ],
    );
    let (_dir, store) = home().await;
    track(&store, "acme/tos", origin.url("/tos"), None).await;
    let w = watcher(&store, config());
    let first = cycle(&w).await;
    assert_eq!(
        (first.derived.versions, first.derived.reused),
        (1, 0),
        "{first:?}"
    );
    let seen = cycle(&w).await;
    assert_eq!(seen.last_cycle.new_versions, 0, "{seen:?}");
    let confirmed = cycle(&w).await;
    assert_eq!(confirmed.last_cycle.new_versions, 1, "{confirmed:?}");
    assert_eq!(
        (confirmed.derived.versions, confirmed.derived.reused),
        (1, 1),
        "{confirmed:?}"
    );
    assert!(analysed(&store, "acme/tos", 2).await);
    // What was recorded is what labelling gives.
    let key: cw_model::DocumentKey = "acme/tos".parse().unwrap();
    let doc = store.document(&key).await.unwrap().unwrap();
    let v = store
        .version(&cw_model::VersionRef {
            document: key.clone(),
            selector: cw_model::VersionSelector::Number(2),
        })
        .await
        .unwrap();
    let stored = store.analysis(&key, 2).await.unwrap().unwrap();
    let read = cw_engine::VersionLabels::from_stored(&v, &stored).expect("fresh");
    assert_eq!(read.labels, cw_engine::VersionLabels::of(&doc, &v).labels);
    assert_eq!(hits(&store, "quokkas"), 1, "version 1's rows are indexed");
    let found = Engine::from_store(store.clone())
        .search("terminate", &all_versions())
        .unwrap();
    assert!(
        found.hits.iter().any(|h| h.version_number == 2),
        "version 2's rows are indexed: {found:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_imports_still_analyse_and_index_inline() {
    let (_dir, store) = home().await;
    let engine = Engine::from_store(store.clone());
    let page = policy("Acceptable Use Policy", 3, " Bilbies welcome.");
    engine
        .import(ImportRequest::new(
            "acme/aup".parse().unwrap(),
            page.into_bytes(),
            "aup.html",
        ))
        .await
        .unwrap();
    assert!(analysed(&store, "acme/aup", 1).await);
    assert_eq!(hits(&store, "bilbies"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_makes_analysis_and_index_entries_with_one_index_job_per_version() {
    let origin = Origin::start().await;
    for (path, word) in [("/a", " Potoroos welcome."), ("/b", " Potoroos too.")] {
        origin.push(
            path,
            [Reply::Page(policy("Terms of Service", 3, word), None)],
        );
    }
    let (_dir, store) = home().await;
    track(&store, "acme/a", origin.url("/a"), None).await;
    track(&store, "acme/b", origin.url("/b"), None).await;
    let mut c = config();
    c.index_on_import = false;
    let w = watcher(&store, c);
    let mut options = WorkerOptions::new("w1");
    options.poll = Duration::from_millis(50);
    options.until_idle = true;
    let report = w.run_worker(options, std::future::pending()).await.unwrap();
    assert_eq!(report.new_versions, 2, "{report:?}");
    assert_eq!(report.completed.get("index"), Some(&2), "{report:?}");
    assert_eq!(report.completed.get("analyse"), None, "{report:?}");
    let analyse_jobs = store.jobs(None, Some(JobKind::Analyse), 10).await.unwrap();
    assert!(analyse_jobs.is_empty(), "{analyse_jobs:?}");
    let done = store
        .jobs(Some(JobState::Done), Some(JobKind::Index), 10)
        .await
        .unwrap();
    assert_eq!(done.len(), 2);
    assert!(analysed(&store, "acme/a", 1).await);
    assert!(analysed(&store, "acme/b", 1).await);
    assert_eq!(hits(&store, "potoroos"), 2);
    // The index rows carry the stored analysis's labels.
    let labelled = Engine::from_store(store.clone())
        .search("label:tos_unilateral_termination", &all_versions())
        .unwrap();
    assert!(labelled.total >= 2, "{labelled:?}");
    for hit in &labelled.hits {
        let stored = store
            .analysis(&hit.document.parse().unwrap(), hit.version_number)
            .await
            .unwrap()
            .unwrap();
        let provision = stored
            .provisions
            .iter()
            .find(|p| p.provision_id == hit.provision_id)
            .unwrap();
        let ids: Vec<&str> = provision.labels.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, hit.labels, "{}", hit.provision_id);
    }
}

/// A stored analysis made by this analyzer and model from the version's
/// provisions is read back as the very labels and findings labelling
/// would give (`VersionLabels::load` = `VersionLabels::of`); an analysis
/// by another model is not used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_stored_analysis_stands_in_for_labelling() {
    let (_dir, store) = home().await;
    let engine = Engine::from_store(store.clone());
    let key: cw_model::DocumentKey = "acme/terms".parse().unwrap();
    engine
        .import(ImportRequest::new(
            key.clone(),
            policy("Terms of Service", 4, " Quolls welcome.").into_bytes(),
            "terms.html",
        ))
        .await
        .unwrap();
    let doc = store.document(&key).await.unwrap().unwrap();
    let v = store
        .version(&cw_model::VersionRef {
            document: key.clone(),
            selector: cw_model::VersionSelector::Number(1),
        })
        .await
        .unwrap();
    let computed = cw_engine::VersionLabels::of(&doc, &v);
    assert!(computed.labels.iter().any(|l| !l.is_empty()));
    let stored = store.analysis(&key, 1).await.unwrap().unwrap();
    let read = cw_engine::VersionLabels::from_stored(&v, &stored).expect("fresh");
    assert_eq!(read.labels, computed.labels);
    assert_eq!(read.findings, computed.findings);
    let loaded = cw_engine::VersionLabels::load(&store, &doc, &v)
        .await
        .unwrap();
    assert_eq!(loaded.labels, computed.labels);

    let mut other_model = stored.clone();
    other_model.model_version = "unfair_tos 0000000000000000".into();
    assert!(cw_engine::VersionLabels::from_stored(&v, &other_model).is_none());
    let mut replaced = stored;
    replaced.current_content = false;
    assert!(cw_engine::VersionLabels::from_stored(&v, &replaced).is_none());
}

/// Issue #25 (item 5): an imported version whose derived data was never
/// made (the import was killed after its commit) and one whose index
/// entries were lost (a concurrent import held the index) are both reported
/// by `missing_derived` and both caught up by `heal_derived` — unwatched
/// documents included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_25_heal_derived_catches_up_imports() {
    let (_dir, store) = home().await;
    let deferring = Engine::from_store(store.clone()).without_derived_on_import();
    deferring
        .import(ImportRequest::new(
            "acme/aup".parse().unwrap(),
            policy("Acceptable Use Policy", 3, " Potoroos welcome.").into_bytes(),
            "aup.html",
        ))
        .await
        .unwrap();
    let engine = Engine::from_store(store.clone());
    engine
        .import(ImportRequest::new(
            "acme/terms".parse().unwrap(),
            policy("Terms of Service", 3, " Quolls welcome.").into_bytes(),
            "terms.html",
        ))
        .await
        .unwrap();
    // The index loses acme/terms (as a dropped update would).
    let index = cw_search::SearchIndex::open_or_create(&store.home().join("index")).unwrap();
    let mut batch = index.writer().unwrap();
    batch.delete_version("acme/terms", 1);
    batch.finish().unwrap();
    assert_eq!(hits(&store, "quolls"), 0);

    let missing = engine.missing_derived().await.unwrap();
    let aup = ("acme/aup".parse().unwrap(), 1);
    let terms = ("acme/terms".parse().unwrap(), 1);
    assert_eq!(missing.lacking_analysis, std::slice::from_ref(&aup));
    assert_eq!(missing.lacking_index, [aup, terms]);

    let healed = engine.heal_derived(Duration::from_secs(10)).await.unwrap();
    assert_eq!(healed.versions(), 2, "{healed:?}");
    assert!(analysed(&store, "acme/aup", 1).await);
    assert_eq!(hits(&store, "potoroos"), 1);
    assert_eq!(hits(&store, "quolls"), 1);
    assert!(engine.missing_derived().await.unwrap().is_empty());
    let again = engine.heal_derived(Duration::from_secs(10)).await.unwrap();
    assert_eq!(again.versions(), 0, "{again:?}");
}

/// Issue #25 (item 6): an import waits for another writer of the index
/// (here held by this test) instead of dropping its update.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_25_an_import_waits_for_a_busy_index() {
    let (_dir, store) = home().await;
    let engine = Engine::from_store(store.clone());
    engine
        .import(ImportRequest::new(
            "acme/aup".parse().unwrap(),
            policy("Acceptable Use Policy", 3, "").into_bytes(),
            "aup.html",
        ))
        .await
        .unwrap();
    let index = cw_search::SearchIndex::open_or_create(&store.home().join("index")).unwrap();
    let held = index.writer().unwrap();
    let import = tokio::spawn({
        let store = store.clone();
        async move {
            Engine::from_store(store)
                .import(ImportRequest::new(
                    "acme/terms".parse().unwrap(),
                    policy("Terms of Service", 3, " Dunnarts welcome.").into_bytes(),
                    "terms.html",
                ))
                .await
        }
    });
    // The import is stored, then waits on the index (polled, bounded).
    let key = "acme/terms".parse().unwrap();
    let mut stored = false;
    for _ in 0..400 {
        if store
            .document(&key)
            .await
            .unwrap()
            .is_some_and(|d| d.latest_version.is_some())
        {
            stored = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(stored, "the import never stored its version");
    assert!(
        !import.is_finished(),
        "the import did not wait for the index"
    );
    held.finish().unwrap();
    import.await.unwrap().unwrap();
    assert_eq!(hits(&store, "dunnarts"), 1);
    assert!(analysed(&store, "acme/terms", 1).await);
}
