//! Benchmark of one full watch cycle run by 1, 2 and 4 `clausewatch worker`
//! processes (issue #10): N sources (default 1,000) on a local origin, each
//! worker started with `--until-idle`, wall time from the start of the
//! first worker to the exit of the last. Every run gets a fresh home (and,
//! with `--postgres ADMIN_URL`, a fresh PostgreSQL database); the origin
//! counts requests per page and the run fails unless every page was
//! fetched exactly once.
//!
//! The origin listens on 127.0.0.1 … 127.0.0.H (`--hosts`, default 10) and
//! answers after `--latency-ms` (default 50 ms), standing in for remote
//! sites: a worker fetches one page at a time per host, so more workers
//! overlap more network waits. The cycle is the first one (every page
//! becomes version 1: fetch, extract, import, analyse, index).
//!
//! Usage: `cargo run --release -p clausewatch --example worker_bench --
//! [--sources N] [--workers 1,2,4] [--hosts H] [--latency-ms MS]
//! [--concurrency C] [--postgres URL] [--binary PATH]`.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used
)]

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{Response, header};
use axum::routing::get;
use cw_engine::watch::{self, TrackRequest};
use cw_store::{Schedule, Store, StoreOptions};
use sqlx::Connection;
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error + Send + Sync>;

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

struct Origin {
    latency: Duration,
    hits: Mutex<HashMap<usize, usize>>,
}

/// A policy page of about 2 KB, 8 provisions.
fn page(i: usize) -> String {
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Acceptable Use Policy {i}</title></head>\
         <body><main><h1>Acceptable Use Policy of service {i}</h1>"
    );
    for s in 1..=4 {
        html.push_str(&format!(
            "<h2>Section {s}</h2><p>You must not use service {i} to violate the law, infringe \
             the rights of others, or distribute malware or spam (rule {s}).</p>"
        ));
    }
    html.push_str("</main></body></html>");
    html
}

async fn doc(State(origin): State<Arc<Origin>>, Path(i): Path<usize>) -> Response<Body> {
    *origin.hits.lock().unwrap().entry(i).or_default() += 1;
    tokio::time::sleep(origin.latency).await;
    Response::builder()
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .body(Body::from(page(i)))
        .unwrap_or_default()
}

/// A fresh database on the PostgreSQL server of `admin`.
async fn fresh_database(admin: &str, name: &str) -> Result<String, Error> {
    let mut conn = sqlx::PgConnection::connect(admin).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut conn)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    let (server, _) = admin.rsplit_once('/').ok_or("bad --postgres URL")?;
    Ok(format!("{server}/{name}"))
}

fn main() -> Result<(), Error> {
    let sources: usize = arg("--sources", "1000").parse()?;
    let hosts: usize = arg("--hosts", "10").parse::<usize>()?.clamp(1, 250);
    let latency = Duration::from_millis(arg("--latency-ms", "50").parse()?);
    let concurrency = arg("--concurrency", "4");
    let binary = arg("--binary", "target/release/clausewatch");
    let postgres = arg("--postgres", "");
    let counts: Vec<usize> = arg("--workers", "1,2,4")
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let origin = Arc::new(Origin {
        latency,
        hits: Mutex::default(),
    });
    let port = runtime.block_on(async {
        let app = Router::new()
            .route("/doc/{i}", get(doc))
            .with_state(Arc::clone(&origin));
        let first = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = first.local_addr()?.port();
        let mut listeners = vec![first];
        for h in 2..=hosts {
            listeners.push(tokio::net::TcpListener::bind(format!("127.0.0.{h}:{port}")).await?);
        }
        for l in listeners {
            let app = app.clone();
            tokio::spawn(async move {
                if let Err(e) = axum::serve(l, app).await {
                    eprintln!("origin: {e}");
                }
            });
        }
        Ok::<u16, Error>(port)
    })?;
    let backend = if postgres.is_empty() {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    println!(
        "{sources} sources on 127.0.0.1..=127.0.0.{hosts}:{port}, {} ms latency, {backend}, \
         --concurrency {concurrency} per worker",
        latency.as_millis()
    );
    for workers in counts {
        let home = tempfile::tempdir()?;
        let database = if postgres.is_empty() {
            None
        } else {
            Some(runtime.block_on(fresh_database(
                &postgres,
                &format!("cw_worker_bench_{workers}_{}", std::process::id()),
            ))?)
        };
        let options = StoreOptions {
            database: database.clone(),
            ..StoreOptions::default()
        };
        runtime.block_on(async {
            let store = Store::open_with(home.path(), &options).await?;
            for i in 0..sources {
                watch::track(
                    &store,
                    &TrackRequest {
                        document: format!("bench{}/doc-{i}", i % hosts).parse()?,
                        url: format!("http://127.0.0.{}:{port}/doc/{i}", 1 + i % hosts),
                        schedule: Schedule::Every(6 * 3600),
                        select_css: vec![],
                        remove_css: vec![],
                        browser: false,
                        no_browser: false,
                        language: None,
                        allow_private: true,
                        confirmations: 2,
                    },
                )
                .await?;
            }
            store.close().await;
            Ok::<(), Error>(())
        })?;
        origin.hits.lock().unwrap().clear();
        let started = Instant::now();
        let children = (0..workers)
            .map(|w| {
                let mut c = Command::new(&binary);
                c.env("CLAUSEWATCH_HOME", home.path())
                    .env(
                        "CLAUSEWATCH_LOG",
                        std::env::var("WORKER_BENCH_LOG").unwrap_or_else(|_| "error".into()),
                    )
                    .stdout(Stdio::null());
                if let Some(db) = &database {
                    c.args(["--database", db]);
                }
                c.args([
                    "worker",
                    "--until-idle",
                    "--id",
                    &format!("bench-{w}"),
                    "--allow-private",
                    "--per-host-delay",
                    "0",
                    "--poll",
                    "100ms",
                    "--concurrency",
                    &concurrency,
                ])
                .spawn()
            })
            .collect::<Result<Vec<_>, _>>()?;
        for mut child in children {
            let status = child.wait()?;
            if !status.success() {
                return Err(format!("a worker failed: {status}").into());
            }
        }
        let wall = started.elapsed().as_secs_f64();
        let hits = origin.hits.lock().unwrap();
        let once = hits.len() == sources && hits.values().all(|&n| n == 1);
        println!(
            "{workers} worker(s): wall {wall:.2} s, {:.0} sources/s, every page fetched exactly once: {once}",
            sources as f64 / wall
        );
        if !once {
            return Err("a page was not fetched exactly once".into());
        }
    }
    Ok(())
}
