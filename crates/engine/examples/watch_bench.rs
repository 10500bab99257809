//! Benchmark of one `clausewatch watch --once` cycle over many sources on a
//! local origin, against wrk sending the same number of requests to the
//! same origin. Run it with `scripts/bench_watch.sh` (which installs wrk
//! and GNU time and builds the release binary first).
//!
//! The origin listens on 127.0.0.1 … 127.0.0.H (H = `--hosts`, default
//! 100) on one port, and source i is `http://127.0.0.(1 + i mod H):PORT/doc/i`,
//! so the watcher's one-request-at-a-time-per-host politeness applies per
//! address as it would per site, with H sites of N/H pages each (per-host
//! delay 0 here: it measures clausewatch, not the pause). wrk cannot spread
//! requests over addresses; it sends all of them to 127.0.0.1 with keep-
//! alive connections, the cheapest possible client for the same origin.
//! Pages carry an ETag and the origin answers `If-None-Match` with 304, as
//! real sites do.
//!
//! Usage: `watch_bench [--sources N] [--hosts H] [--binary PATH] [--concurrency C]`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request};
use axum::http::{Response, StatusCode, header};
use axum::routing::get;
use cw_engine::watch::{self, TrackRequest};
use cw_store::{Schedule, Store};
use std::process::Command;
use std::time::Instant;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

/// The policy page of source `i` (about 4 KB, 17 provisions).
fn page(i: usize) -> String {
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Acceptable Use Policy {i}</title></head>\
         <body><nav><a href=\"/\">Home</a></nav><main><h1>Acceptable Use Policy of service {i}</h1>"
    );
    for s in 1..=8 {
        html.push_str(&format!(
            "<h2>Section {s}</h2><p>You must not use service {i} to violate the law, infringe \
             the rights of others, or distribute malware, spam or other harmful content \
             (rule {s}).</p><p>We may suspend or terminate access to service {i} if you breach \
             rule {s}, with notice where the law requires it.</p>"
        ));
    }
    html.push_str("</main><footer>Example</footer></body></html>");
    html
}

async fn doc(Path(i): Path<usize>, request: Request) -> Response<Body> {
    let etag = format!("\"v1-{i}\"");
    let matches = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str());
    let builder = Response::builder().header(header::ETAG, &etag);
    let response = if matches {
        builder.status(StatusCode::NOT_MODIFIED).body(Body::empty())
    } else {
        builder
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .body(Body::from(page(i)))
    };
    response.unwrap_or_default()
}

/// Starts the origin on 127.0.0.1..=127.0.0.H, one port; returns the port.
fn start_origin(runtime: &tokio::runtime::Runtime, hosts: usize) -> Result<u16, Error> {
    runtime.block_on(async {
        let app = Router::new().route("/doc/{i}", get(doc));
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
        Ok(port)
    })
}

/// (wall s, user s, sys s, peak RSS KiB) from GNU time's `%e %U %S %M` line.
fn timed(command: Command) -> Result<(f64, f64, f64, u64, String), Error> {
    let tmp = tempfile::NamedTempFile::new()?;
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(ToOwned::to_owned).collect();
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-f")
        .arg("%e %U %S %M")
        .arg("-o")
        .arg(tmp.path())
        .arg(program)
        .args(args);
    for (k, v) in command.get_envs() {
        if let Some(v) = v {
            timed.env(k, v);
        }
    }
    let out = timed.output()?;
    if !out.status.success() {
        return Err(format!("command failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    let line = std::fs::read_to_string(tmp.path())?;
    let f: Vec<&str> = line.split_whitespace().collect();
    let num = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    Ok((
        num(0),
        num(1),
        num(2),
        num(3) as u64,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

fn main() -> Result<(), Error> {
    let sources: usize = arg("--sources", "10000").parse()?;
    let hosts: usize = arg("--hosts", "100").parse::<usize>()?.clamp(1, 250);
    let concurrency = arg("--concurrency", "128");
    let binary = arg("--binary", "target/release/clausewatch");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let port = start_origin(&runtime, hosts)?;
    let home = tempfile::tempdir()?;
    println!(
        "origin on 127.0.0.1..=127.0.0.{hosts}:{port}; {sources} sources; home {}",
        home.path().display()
    );

    let seed = Instant::now();
    runtime.block_on(async {
        let store = Store::open(home.path()).await?;
        for i in 0..sources {
            let host = 1 + i % hosts;
            watch::track(
                &store,
                &TrackRequest {
                    document: format!("bench{}/doc-{i}", i % hosts).parse()?,
                    url: format!("http://127.0.0.{host}:{port}/doc/{i}"),
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
    println!("seeded in {:.1} s", seed.elapsed().as_secs_f64());

    let watch = || {
        let mut c = Command::new(&binary);
        c.args([
            "--home",
            &home.path().display().to_string(),
            "watch",
            "--once",
            "--all",
            "--allow-private",
            "--per-host-delay",
            "0",
            "--concurrency",
            &concurrency,
            "--format",
            "json",
        ]);
        c
    };
    // The states of the cycle, its fetch phase's wall time, and the time
    // of the derived-data pass (analysis, search index) that follows it.
    let summary = |out: &str| -> String {
        serde_json::from_str::<serde_json::Value>(out)
            .map(|v| {
                format!(
                    "{}; fetch phase {:.2} s, analysis + index {:.2} s ({} versions)",
                    v["last_cycle"]["states"],
                    v["last_cycle"]["elapsed_ms"].as_f64().unwrap_or(0.0) / 1000.0,
                    v["derived"]["elapsed_ms"].as_f64().unwrap_or(0.0) / 1000.0,
                    v["derived"]["versions"],
                )
            })
            .unwrap_or_else(|_| out.trim().to_string())
    };
    let (w1, u1, s1, r1, out1) = timed(watch())?;
    println!(
        "clausewatch cycle 1 (first versions): wall {w1:.2} s, cpu {:.2} s, peak RSS {} MiB, states {}",
        u1 + s1,
        r1 / 1024,
        summary(&out1)
    );
    let (w2, u2, s2, r2, out2) = timed(watch())?;
    println!(
        "clausewatch cycle 2 (steady state):   wall {w2:.2} s, cpu {:.2} s, peak RSS {} MiB, states {}",
        u2 + s2,
        r2 / 1024,
        summary(&out2)
    );

    // wrk runs for a fixed time over the same URLs (its per-thread stop
    // after N responses does not end the run), and its time and CPU for
    // the same number of requests are scaled from its throughput.
    let script = tempfile::Builder::new().suffix(".lua").tempfile()?;
    std::fs::write(
        script.path(),
        format!(
            r#"local threads = 0
function setup(thread) thread:set("id", threads); threads = threads + 1 end
function init(args) n = 0 end
function request()
  local i = (id * {half} + n) % {sources}
  n = n + 1
  return wrk.format("GET", "/doc/" .. i)
end
"#,
            half = sources / 2,
        ),
    )?;
    let mut wrk = Command::new("wrk");
    wrk.args(["-t2", "-c64", "-d10s", "-s"])
        .arg(script.path())
        .arg(format!("http://127.0.0.1:{port}/"));
    let (w3, u3, s3, r3, out3) = timed(wrk)?;
    let done: f64 = out3
        .lines()
        .find(|l| l.contains("requests in"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0);
    if done <= 0.0 {
        return Err(format!("cannot read wrk's request count: {out3}").into());
    }
    let scale = sources as f64 / done;
    let (w3, c3) = (w3 * scale, (u3 + s3) * scale);
    println!(
        "wrk (-t2 -c64, {done} requests in a 10 s run; scaled to {sources}): wall {w3:.2} s, cpu {c3:.2} s, peak RSS {} MiB",
        r3 / 1024
    );
    println!(
        "ratio clausewatch/wrk wall time: cycle 1 {:.1}×, cycle 2 {:.1}×",
        w1 / w3.max(0.001),
        w2 / w3.max(0.001)
    );
    Ok(())
}
