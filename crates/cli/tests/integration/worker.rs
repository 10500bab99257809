//! `clausewatch worker` end to end: four real worker processes against one
//! PostgreSQL database (the server scripts/test.sh starts, URL in
//! `CLAUSEWATCH_TEST_POSTGRES_URL`; SKIPPED loudly without it, failing
//! under CI), a loopback origin serving 1,000 pages on 16 ports (hosts)
//! that counts requests per path, and a webhook receiver that verifies
//! signatures and counts
//! deliveries per idempotency id. Two full cycles (first versions, then
//! changes) must fetch every source exactly once per cycle and
//! deliver every alert exactly once (cycle 2 changes every fourth page, to
//! keep the test short: an unchanged page costs a fetch, a changed one an
//! import and an alert). Then a worker is `kill -9`ed while it
//! holds a fetch job (the origin stalls that page) and another worker must
//! finish the job once the short test lease has expired.

use crate::migrate::{fresh_database, postgres_url};
use crate::util::Dir;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{Response, header};
use axum::routing::get;
use cw_engine::watch::{self, TrackRequest};
use cw_store::{JobKind, JobState, Schedule, Store, StoreOptions};
use serde_json::Value;
use sqlx::Connection;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SOURCES: usize = 1000;
const WORKERS: usize = 4;
/// The origin listens on this many ports, each a host of its own: workers
/// take turns per host (politeness shared through the store), so one host
/// would serialise every fetch of the test.
const ORIGIN_HOSTS: usize = 16;
const SECRET: &str = "0123456789abcdef-worker";
/// Cycle 2 changes every fourth page (the others are fetched and found unchanged).
const CHANGED_EVERY: usize = 4;
const CHANGED: u64 = (SOURCES / CHANGED_EVERY) as u64;

#[derive(Default)]
struct Origin {
    /// Text generation served: a new one changes every page.
    generation: AtomicUsize,
    hits: Mutex<HashMap<usize, usize>>,
    /// (page, delay): the first request for that page stalls.
    stall: Mutex<Option<(usize, Duration)>>,
    stalled: AtomicUsize,
}

struct Servers {
    origin_urls: Vec<String>,
    hook_url: String,
    origin: Arc<Origin>,
    /// The origin's servers, one per host (stopped when dropped).
    _hosts: Vec<cw_testkit::Origin>,
    receiver: cw_testkit::WebhookReceiver,
    runtime: tokio::runtime::Runtime,
}

/// `i` in letters (page numbers such as 404 would read as error pages).
fn letters(mut i: usize) -> String {
    let mut out = String::new();
    loop {
        out.push(char::from(b'a' + (i % 26) as u8));
        i /= 26;
        if i == 0 {
            return out;
        }
    }
}

fn page(n: usize, generation: usize) -> String {
    let i = letters(n);
    // From generation 2 on, one page in four has a new text.
    let word = if generation == 1 || !n.is_multiple_of(CHANGED_EVERY) {
        "alpha"
    } else {
        "zebracorn"
    };
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Acceptable Use Policy {i}</title></head>\
         <body><main><h1>Acceptable Use Policy {i}</h1>\
         <h2>Use of the service</h2><p>You must not use service {i} to violate the law, to \
         infringe the rights of others, or to distribute malware or spam.</p>\
         <h2>Suspension</h2><p>We may suspend access to service {i} if you breach this \
         policy, and we will give notice where the law requires it ({word}).</p>\
         </main></body></html>"
    )
}

async fn serve(State(origin): State<Arc<Origin>>, Path(i): Path<usize>) -> Response<Body> {
    *origin.hits.lock().unwrap().entry(i).or_default() += 1;
    let stall = origin.stall.lock().unwrap().take_if(|(p, _)| *p == i);
    if let Some((_, delay)) = stall {
        origin.stalled.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(delay).await;
    }
    let generation = origin.generation.load(Ordering::SeqCst);
    Response::builder()
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .body(Body::from(page(i, generation)))
        .unwrap()
}

impl Servers {
    fn start() -> Servers {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let origin = Arc::new(Origin {
            generation: AtomicUsize::new(1),
            ..Origin::default()
        });
        let (hosts, receiver) = runtime.block_on(async {
            let app = Router::new()
                .route("/doc/{i}", get(serve))
                .with_state(Arc::clone(&origin));
            let mut hosts = Vec::new();
            for _ in 0..ORIGIN_HOSTS {
                hosts.push(cw_testkit::Origin::serve(app.clone()).await);
            }
            (hosts, cw_testkit::WebhookReceiver::start().await)
        });
        Servers {
            origin_urls: hosts.iter().map(|h| h.url("")).collect(),
            hook_url: receiver.url().to_owned(),
            origin,
            _hosts: hosts,
            receiver,
            runtime,
        }
    }

    /// Deliveries per `X-Clausewatch-Delivery` id, and how many failed the
    /// signature check.
    fn deliveries_by_id(&self) -> (HashMap<String, usize>, usize) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let mut by_id: HashMap<String, usize> = HashMap::new();
        let mut unverified = 0;
        for d in self.receiver.deliveries() {
            *by_id.entry(d.id).or_default() += 1;
            let verified = cw_notify::verify(
                SECRET.as_bytes(),
                &d.signature,
                &d.body,
                now,
                cw_notify::DEFAULT_TOLERANCE,
            )
            .is_ok();
            unverified += usize::from(!verified);
        }
        (by_id, unverified)
    }

    /// Requests per page since the last call, and resets the counts.
    fn take_hits(&self) -> HashMap<usize, usize> {
        std::mem::take(&mut *self.origin.hits.lock().unwrap())
    }
}

/// A running worker process; its stderr goes to a file shown on failure.
struct Worker {
    child: Child,
    log: PathBuf,
}

impl Worker {
    fn start(dir: &Dir, db: &str, id: &str, lease: &str) -> Worker {
        let log = dir.path().join(format!("{id}.log"));
        let child = Command::new(assert_cmd::cargo::cargo_bin("clausewatch"))
            .current_dir(dir.path())
            .env("CLAUSEWATCH_HOME", dir.home())
            .env("CLAUSEWATCH_LOG", "warn")
            .args([
                "--database",
                db,
                "worker",
                "--until-idle",
                "--id",
                id,
                "--lease",
                lease,
                "--poll",
                "100ms",
                "--concurrency",
                "4",
                "--allow-private",
                "--per-host-delay",
                "0",
                "--format",
                "json",
            ])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Worker { child, log }
    }

    /// Waits for the worker to exit by itself; returns its JSON report.
    fn finish(mut self, deadline: Instant) -> Value {
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut out = String::new();
                std::io::Read::read_to_string(self.child.stdout.as_mut().unwrap(), &mut out)
                    .unwrap();
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                assert!(status.success(), "worker failed: {status}\n{log}");
                return serde_json::from_str(&out)
                    .unwrap_or_else(|e| panic!("report {out:?}: {e}\n{log}"));
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                panic!("worker did not become idle in time\n{log}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Runs `n` workers until the queue is idle; returns their reports.
fn run_workers(dir: &Dir, db: &str, n: usize, tag: &str) -> Vec<Value> {
    let workers: Vec<Worker> = (0..n)
        .map(|w| Worker::start(dir, db, &format!("{tag}-w{w}"), "30s"))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    workers.into_iter().map(|w| w.finish(deadline)).collect()
}

fn sum_in(reports: &[Value], field: &str, key: &str) -> u64 {
    reports
        .iter()
        .map(|r| r[field][key].as_u64().unwrap_or(0))
        .sum()
}

/// Runs SQL on the test database (to make sources due again at once; the
/// new due time must differ from earlier ones, which name earlier cycles'
/// jobs: the time of the last fetch does).
fn execute(runtime: &tokio::runtime::Runtime, db: &str, sql: &str) {
    runtime.block_on(async {
        let mut conn = sqlx::PgConnection::connect(db).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await
            .unwrap();
    });
}

/// `state → count` of the fetch attempts logged since `after_id`.
fn attempt_states(
    runtime: &tokio::runtime::Runtime,
    db: &str,
    after_id: i64,
) -> HashMap<String, i64> {
    runtime.block_on(async {
        let mut conn = sqlx::PgConnection::connect(db).await.unwrap();
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT state, COUNT(*) FROM watch_fetch_attempts WHERE id > $1 GROUP BY state",
        )
        .bind(after_id)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        rows.into_iter().collect()
    })
}

/// The id of the latest fetch attempt.
fn last_attempt_id(runtime: &tokio::runtime::Runtime, db: &str) -> i64 {
    runtime.block_on(async {
        let mut conn = sqlx::PgConnection::connect(db).await.unwrap();
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM watch_fetch_attempts")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    })
}

fn assert_each_fetched_once(hits: &HashMap<usize, usize>, cycle: &str) {
    assert_eq!(hits.len(), SOURCES, "{cycle}: pages fetched");
    let twice: Vec<_> = hits.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        twice.is_empty(),
        "{cycle}: fetched more than once: {twice:?}"
    );
}

#[test]
fn four_workers_fetch_every_source_once_deliver_every_alert_once_and_survive_a_kill() {
    let Some(admin) = postgres_url("four_workers_fetch_every_source_once") else {
        return;
    };
    let started = Instant::now();
    let servers = Servers::start();
    let dir = Dir::new();
    let db = fresh_database(&admin);
    let options = StoreOptions {
        database: Some(db.clone()),
        ..StoreOptions::default()
    };
    let store = servers.runtime.block_on(async {
        let store = Store::open_with(&dir.home(), &options).await.unwrap();
        for i in 0..SOURCES {
            watch::track(
                &store,
                &TrackRequest {
                    document: format!("site{}/aup-{i}", i % 10).parse().unwrap(),
                    url: format!("{}/doc/{i}", servers.origin_urls[i % ORIGIN_HOSTS]),
                    schedule: Schedule::Every(6 * 3600),
                    select_css: vec![],
                    remove_css: vec![],
                    browser: false,
                    no_browser: false,
                    language: None,
                    allow_private: true,
                    confirmations: 1,
                },
            )
            .await
            .unwrap();
        }
        store
    });
    dir.ok(&[
        "--database",
        &db,
        "subscribe",
        "--webhook",
        &servers.hook_url,
        "--secret",
        SECRET,
        "--allow-private",
    ]);
    eprintln!("seeded in {:.1} s", started.elapsed().as_secs_f64());

    // Cycle 1: every page becomes version 1 of its document (no alert).
    let reports = run_workers(&dir, &db, WORKERS, "c1");
    assert_each_fetched_once(&servers.take_hits(), "cycle 1");
    let states = attempt_states(&servers.runtime, &db, 0);
    assert_eq!(
        states,
        HashMap::from([("first_version".to_string(), 1000)]),
        "{reports:?}"
    );
    assert_eq!(sum_in(&reports, "completed", "fetch"), 1000, "{reports:?}");
    let busy = reports
        .iter()
        .filter(|r| r["completed"]["fetch"].as_u64().unwrap_or(0) > 0)
        .count();
    assert!(busy >= 2, "fetches were spread over workers: {reports:?}");
    eprintln!("cycle 1 done at {:.1} s", started.elapsed().as_secs_f64());

    // Cycle 2: every fourth page changed; each change is confirmed at once
    // (confirmations 1) and alerts the webhook subscription.
    let cycle_1_last = last_attempt_id(&servers.runtime, &db);
    servers.origin.generation.store(2, Ordering::SeqCst);
    execute(
        &servers.runtime,
        &db,
        "UPDATE watch_sources SET next_due_at = last_attempt_at",
    );
    let reports = run_workers(&dir, &db, WORKERS, "c2");
    assert_each_fetched_once(&servers.take_hits(), "cycle 2");
    let states = attempt_states(&servers.runtime, &db, cycle_1_last);
    assert_eq!(
        states.get("confirmed"),
        Some(&(CHANGED as i64)),
        "{states:?}"
    );
    assert_eq!(
        states.get("unchanged"),
        Some(&(1000 - CHANGED as i64)),
        "{states:?}"
    );
    {
        let (by_id, unverified) = servers.deliveries_by_id();
        assert_eq!(by_id.len() as u64, CHANGED, "one delivery id per alert");
        let twice: Vec<_> = by_id.iter().filter(|(_, n)| **n != 1).collect();
        assert!(twice.is_empty(), "alerts delivered twice: {twice:?}");
        assert_eq!(unverified, 0, "every signature verifies");
    }
    assert_eq!(
        sum_in(&reports, "deliveries", "delivered"),
        CHANGED,
        "{reports:?}"
    );
    let outbox = servers.runtime.block_on(store.outbox(None)).unwrap();
    assert_eq!(outbox.len() as u64, CHANGED);
    assert!(outbox.iter().all(|r| r.state == "delivered"));
    // Every new version was indexed by the batched index jobs.
    let index_jobs = servers
        .runtime
        .block_on(store.jobs(None, Some(JobKind::Index), 5000))
        .unwrap();
    assert_eq!(index_jobs.len() as u64, 1000 + CHANGED);
    assert!(index_jobs.iter().all(|j| j.state == JobState::Done));
    let found = dir.json(&["--database", &db, "search", "zebracorn", "--format", "json"]);
    assert_eq!(found["total"], CHANGED, "the index has every new version");
    eprintln!("cycle 2 done at {:.1} s", started.elapsed().as_secs_f64());

    // A worker killed while it holds a job: page 7 stalls, worker A takes
    // its fetch job and is killed; worker B finishes the job after A's
    // 2-second lease has expired.
    *servers.origin.stall.lock().unwrap() = Some((7, Duration::from_secs(60)));
    execute(
        &servers.runtime,
        &db,
        "UPDATE watch_sources SET next_due_at = last_attempt_at WHERE url LIKE '%/doc/7'",
    );
    let mut a = Worker::start(&dir, &db, "killed", "2s");
    let deadline = Instant::now() + Duration::from_secs(20);
    while servers.origin.stalled.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "worker A never fetched page 7");
        std::thread::sleep(Duration::from_millis(20));
    }
    let held = servers
        .runtime
        .block_on(store.jobs(Some(JobState::Running), Some(JobKind::Fetch), 10))
        .unwrap();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0].lease_owner.as_deref(), Some("killed"));
    let job = held[0].id;
    let first_expiry = held[0].lease_expires_at;
    let b = Worker::start(&dir, &db, "survivor", "2s");
    // The heartbeat keeps A's lease: wait (polling, no fixed sleep) until A
    // has extended it while B is running.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = servers.runtime.block_on(store.job(job)).unwrap().unwrap();
        assert_eq!(now.lease_owner.as_deref(), Some("killed"), "{now:?}");
        if now.lease_expires_at > first_expiry {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "A's heartbeat never extended its lease"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    a.child.kill().unwrap(); // SIGKILL
    a.child.wait().unwrap();
    // Dead, A still holds the lease: B cannot take the job before it ends.
    let orphan = servers.runtime.block_on(store.job(job)).unwrap().unwrap();
    assert_eq!(orphan.lease_owner.as_deref(), Some("killed"), "{orphan:?}");
    // Step time instead of waiting the lease out: the lease ends now.
    execute(
        &servers.runtime,
        &db,
        &format!(
            "UPDATE jobs SET lease_expires_at = '2000-01-01T00:00:00.000000Z' WHERE id = {job}"
        ),
    );
    let report = b.finish(Instant::now() + Duration::from_secs(30));
    assert_eq!(report["completed"]["fetch"], 1, "{report}");
    let done = servers.runtime.block_on(store.job(job)).unwrap().unwrap();
    assert_eq!(done.state, JobState::Done, "{done:?}");
    assert_eq!(done.attempts, 2, "claimed by A, then by B");
    assert_eq!(servers.take_hits().get(&7), Some(&2));
    servers.runtime.block_on(store.close());
    eprintln!("all done in {:.1} s", started.elapsed().as_secs_f64());
}
