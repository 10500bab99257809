//! `bench-extract`: extraction throughput on the paired pages of the shared
//! OTA corpus, in one run and in-process for every engine (no start-up per
//! page): clausewatch's `extract`, a bare html5ever parse of the same bytes
//! into scraper's DOM (the floor any DOM-based extractor pays), trafilatura
//! (one Python process, `scripts/trafilatura_pages.py`) and the extraction of
//! the `@opentermsarchive/engine` npm package with a `body` declaration (one
//! Node process, `scripts/ota_engine_pages.mjs`; installed under
//! `target/ota-bench/`, never in the tracked tree).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use cw_extract::{ExtractOptions, extract};

use crate::corpus;
use crate::eval::run_python;

/// Minimum measured time per Rust engine; rounds repeat until it is reached.
const MIN_TIME: Duration = Duration::from_secs(3);

/// Seconds of CPU time this thread spends in `f` (wall time when the kernel
/// does not report thread CPU time).
fn timed(f: impl FnOnce()) -> f64 {
    let (start, cpu_start) = (Instant::now(), thread_cpu_ns());
    f();
    match (cpu_start, thread_cpu_ns()) {
        (Some(a), Some(b)) if b > a => (b - a) as f64 / 1e9,
        _ => start.elapsed().as_secs_f64(),
    }
}

/// Runs `a` over `pages_a` and `b` over `pages_b` in alternating rounds
/// until each has run for [`MIN_TIME`]; returns the MB/s of each. Rounds
/// alternate so that both engines see the same machine load (other
/// processes on the shared cores slow both alike), which keeps the ratio
/// steady from run to run.
fn measure_pair(
    pages_a: &[Vec<u8>],
    mut a: impl FnMut(&[u8]) -> usize,
    pages_b: &[Vec<u8>],
    mut b: impl FnMut(&[u8]) -> usize,
) -> (f64, f64, usize) {
    let bytes_a: usize = pages_a.iter().map(Vec::len).sum();
    let bytes_b: usize = pages_b.iter().map(Vec::len).sum();
    // One warm-up round each.
    let mut sink = 0usize;
    for p in pages_a {
        sink = sink.wrapping_add(a(p));
    }
    for p in pages_b {
        sink = sink.wrapping_add(b(p));
    }
    let (mut secs_a, mut secs_b, mut rounds) = (0.0, 0.0, 0usize);
    while secs_a < MIN_TIME.as_secs_f64() || secs_b < MIN_TIME.as_secs_f64() {
        secs_a += timed(|| {
            for p in pages_a {
                sink = sink.wrapping_add(a(p));
            }
        });
        secs_b += timed(|| {
            for p in pages_b {
                sink = sink.wrapping_add(b(p));
            }
        });
        rounds += 1;
    }
    let mbps = |bytes: usize, secs: f64| (bytes * rounds) as f64 / 1e6 / secs;
    (mbps(bytes_a, secs_a), mbps(bytes_b, secs_b), sink)
}

/// Nanoseconds this thread has run on a CPU (`/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn ota_engine_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/ota-bench")
}

/// Installs `@opentermsarchive/engine` under target/ota-bench when missing.
fn ensure_ota_engine(dir: &Path) -> anyhow::Result<()> {
    if dir.join("node_modules/@opentermsarchive/engine").exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("package.json"),
        r#"{"name":"ota-bench","private":true}"#,
    )?;
    let status = Command::new("npm")
        .args(["install", "--ignore-scripts", "--no-audit", "--no-fund"])
        .arg("@opentermsarchive/engine")
        .env("PUPPETEER_SKIP_DOWNLOAD", "1")
        .current_dir(dir)
        .stdout(Stdio::null())
        .status()
        .context("cannot run npm")?;
    if !status.success() {
        bail!("npm install @opentermsarchive/engine failed");
    }
    Ok(())
}

fn run_node(dir: &Path, request: &serde_json::Value) -> anyhow::Result<serde_json::Value> {
    use std::io::Write as _;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/ota_engine_pages.mjs");
    let mut child = Command::new("node")
        .arg(&script)
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start node")?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(request.to_string().as_bytes())?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("OTA engine script failed");
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// Runs the benchmark and prints a table on stdout.
pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let mut roots = Vec::new();
    let mut peers = true;
    for a in args {
        match a.as_str() {
            "--no-peer" => peers = false,
            s if s.starts_with("--") => bail!("unknown option {s}"),
            s => roots.push(PathBuf::from(s)),
        }
    }
    if roots.is_empty() {
        bail!("usage: cargo run --release -p xtask -- bench-extract CORPUS_DIR... [--no-peer]");
    }
    let mut pairs = Vec::new();
    for root in &roots {
        pairs.extend(corpus::pairs(root)?);
    }
    let files: Vec<PathBuf> = pairs.iter().flat_map(|p| p.parts.clone()).collect();
    let pages = files
        .iter()
        .map(|f| corpus::read(f))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let total: usize = pages.iter().map(Vec::len).sum();
    let mut rows: Vec<(String, f64)> = Vec::new();

    let opts = ExtractOptions::default();
    let texts: Vec<Vec<u8>> = pages
        .iter()
        .map(|b| String::from_utf8_lossy(b).into_owned().into_bytes())
        .collect();
    let (ours, bare, _) = measure_pair(
        &pages,
        |b| extract(b, &opts).map_or(0, |d| d.provisions.len()),
        &texts,
        |b| {
            let s = std::str::from_utf8(b).unwrap_or_default();
            scraper::Html::parse_document(s).tree.nodes().count()
        },
    );
    rows.push(("clausewatch extract (cw-extract)".into(), ours));
    rows.push(("bare html5ever parse (scraper DOM)".into(), bare));

    if peers {
        let req_pages: Vec<Vec<String>> = files
            .iter()
            .map(|f| vec![f.to_string_lossy().into_owned()])
            .collect();
        let t = run_python(&serde_json::json!({"mode": "bench", "pages": req_pages, "rounds": 1}))?;
        let mbps = |v: &serde_json::Value| {
            v["bytes"].as_f64().unwrap_or(0.0)
                / 1e6
                / v["seconds"].as_f64().unwrap_or(f64::INFINITY)
        };
        rows.push((
            "trafilatura 2.x (Python, default settings)".into(),
            mbps(&t),
        ));
        let dir = ota_engine_dir();
        ensure_ota_engine(&dir)?;
        let o = run_node(&dir, &serde_json::json!({"pages": req_pages, "rounds": 1}))?;
        rows.push((
            format!(
                "@opentermsarchive/engine extract, select body (Node; {} failures)",
                o["failures"].as_u64().unwrap_or(0)
            ),
            mbps(&o),
        ));
    }
    let mut out = format!(
        "{} pages, {} files, {:.1} MB of HTML; single thread, in-process loops (Rust engines: alternating rounds, MB per CPU-second of the thread)\n\n",
        pairs.len(),
        files.len(),
        total as f64 / 1e6
    );
    for (name, mbps) in &rows {
        out.push_str(&format!(
            "{name:<62} {mbps:>9.2} MB/s   ({:.2}× clausewatch time)\n",
            ours / mbps
        ));
    }
    out.push_str(&format!(
        "\nclausewatch / bare parse speed: {:.2} (target: at least 140 MB/s and 0.50, i.e. within 2× of the bare parse)\n",
        ours / bare
    ));
    use std::io::Write as _;
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}
