//! Benchmark: cw-search (tantivy) against SQLite FTS5 on one million
//! provisions synthesised from the Open Terms Archive sample in
//! `../shared/corpus/ota`, printed as a Markdown table for BENCHMARKS.md.
//!
//! Run: `cargo run --release -p cw-search --example bench_fts`
//! (environment: `CW_BENCH_ROWS` rows to build, default 1,000,000;
//! `CW_BENCH_ROUNDS` timed rounds per query, default 5; `CW_CORPUS` corpus folder;
//! `CW_BENCH_DIR` work folder, default a fresh folder under the system temp dir,
//! deleted at the end).
//!
//! Rows: every `versions/*.md` of the corpus is split into paragraphs and list
//! items (Markdown markers stripped); the 796 versions are then replicated
//! with a platform suffix (`github`, `github-r1`, …) and dates shifted by 30
//! days per replica until the row count is reached. Both engines get the same
//! rows and answer the same 50 queries for the top 20 hits: tantivy through
//! [`SearchIndex::search`] (parse, BM25 with deterministic tie-breaks, stored
//! rows and highlighted snippets), FTS5 with `MATCH … ORDER BY rank LIMIT 20`
//! on a `porter unicode61` table, returning ids only (no `snippet()`, which
//! would favour tantivy).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use cw_model::ProvisionKind;
use cw_search::{ProvisionRow, SearchIndex, SearchOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Row, SqliteConnection};

type BoxError = Box<dyn std::error::Error>;

/// One version of one corpus document: its date and provisions.
struct Version {
    date: NaiveDate,
    paragraphs: Vec<(ProvisionKind, String)>,
}

/// One corpus document with all its versions, oldest first.
struct Template {
    platform: String,
    doc_slug: String,
    doc_type: String,
    language: &'static str,
    versions: Vec<Version>,
}

/// One benchmark query in both dialects.
struct BenchQuery {
    /// cw-search query language.
    cw: String,
    /// FTS5 MATCH expression.
    fts: String,
    /// Platform filter (both engines).
    platform: Option<String>,
    /// Lower bound on the version date (both engines).
    since: Option<&'static str>,
    /// Search every version, not only the latest.
    all_versions: bool,
}

fn main() -> Result<(), BoxError> {
    let corpus = std::env::var_os("CW_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/ota"),
        PathBuf::from,
    );
    if !corpus.is_dir() {
        println!();
        println!("##########################################################################");
        println!(
            "## bench_fts: corpus folder {} is absent.",
            corpus.display()
        );
        println!("## Nothing was measured. Set CW_CORPUS or provide ../shared/corpus/ota.");
        println!("##########################################################################");
        return Ok(());
    }
    let target_rows: usize = env_num("CW_BENCH_ROWS", 1_000_000);
    let rounds: usize = env_num("CW_BENCH_ROUNDS", 5);
    let (work, remove_work) = match std::env::var_os("CW_BENCH_DIR") {
        Some(d) => (PathBuf::from(d), false),
        None => (
            std::env::temp_dir().join(format!("cw-bench-fts-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&work)?;

    let t = Instant::now();
    let templates = load_corpus(&corpus)?;
    let versions: usize = templates.iter().map(|t| t.versions.len()).sum();
    let base: usize = templates
        .iter()
        .flat_map(|t| &t.versions)
        .map(|v| v.paragraphs.len())
        .sum();
    eprintln!(
        "corpus: {} documents, {versions} versions, {base} provisions, read in {:.1}s",
        templates.len(),
        t.elapsed().as_secs_f64()
    );
    if base == 0 {
        println!("bench_fts: the corpus has no provisions; nothing measured.");
        return Ok(());
    }
    let rows = synthesise(&templates, target_rows);
    let text_bytes: usize = rows.iter().map(|r| r.text.len()).sum();
    eprintln!(
        "rows: {} ({} MB of text)",
        rows.len(),
        text_bytes / 1_000_000
    );

    // Build both.
    let tantivy_dir = work.join("tantivy");
    let t = Instant::now();
    let index = SearchIndex::recreate(&tantivy_dir)?;
    let mut batch = index.writer_with_memory(512 * 1024 * 1024)?;
    for (i, row) in rows.iter().enumerate() {
        batch.add(row)?;
        if (i + 1).is_multiple_of(250_000) {
            batch.commit()?;
            eprintln!(
                "  tantivy: {} rows, {:.0}s",
                i + 1,
                t.elapsed().as_secs_f64()
            );
        }
    }
    batch.finish()?;
    let tantivy_build = t.elapsed();
    let tantivy_size = dir_size(&tantivy_dir)?;
    eprintln!(
        "tantivy built in {:.1}s, {} MB",
        tantivy_build.as_secs_f64(),
        tantivy_size / 1_000_000
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let sqlite_path = work.join("fts5.db");
    let _ = std::fs::remove_file(&sqlite_path);
    let t = Instant::now();
    let mut conn = rt.block_on(build_fts5(&sqlite_path, &rows))?;
    let fts_build = t.elapsed();
    let fts_size = std::fs::metadata(&sqlite_path)?.len();
    eprintln!(
        "FTS5 built in {:.1}s, {} MB",
        fts_build.as_secs_f64(),
        fts_size / 1_000_000
    );
    drop(rows);

    // Query both.
    let queries = bench_queries();
    let mut tantivy_lat = Vec::new();
    let mut fts_lat = Vec::new();
    let mut both_found = 0;
    let mut per_query = Vec::new();
    for q in &queries {
        let (cw_query, opts) = cw_form(q);
        // Warm-up, and a sanity check that both engines find something.
        let hits_cw = index.search(&cw_query, &opts)?.total;
        let hits_fts = rt.block_on(fts_query(&mut conn, q))?;
        if hits_cw > 0 && hits_fts > 0 {
            both_found += 1;
        }
        let mut tq = Vec::new();
        let mut fq = Vec::new();
        for _ in 0..rounds {
            let t = Instant::now();
            let r = index.search(&cw_query, &opts)?;
            tq.push(t.elapsed());
            std::hint::black_box(r);
            let t = Instant::now();
            let n = rt.block_on(fts_query(&mut conn, q))?;
            fq.push(t.elapsed());
            std::hint::black_box(n);
        }
        per_query.push((
            cw_query.clone(),
            opts.all_versions,
            hits_cw,
            median(&tq),
            median(&fq),
        ));
        tantivy_lat.extend(tq);
        fts_lat.extend(fq);
    }

    println!();
    println!(
        "### Full-text search: cw-search (tantivy 0.27) vs SQLite FTS5 — {} provisions, {} queries × {rounds} rounds",
        fmt_int(index.num_rows()? as usize),
        queries.len()
    );
    println!();
    println!("| engine | build time | size on disk | p50 latency | p99 latency |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| cw-search (tantivy, top 20 + snippets) | {:.1} s | {} MB | {} | {} |",
        tantivy_build.as_secs_f64(),
        tantivy_size / 1_000_000,
        fmt_ms(percentile(&mut tantivy_lat, 50.0)),
        fmt_ms(percentile(&mut tantivy_lat, 99.0)),
    );
    println!(
        "| SQLite FTS5 (porter unicode61, top 20 ids) | {:.1} s | {} MB | {} | {} |",
        fts_build.as_secs_f64(),
        fts_size / 1_000_000,
        fmt_ms(percentile(&mut fts_lat, 50.0)),
        fmt_ms(percentile(&mut fts_lat, 99.0)),
    );
    let p99_ratio = percentile(&mut fts_lat, 99.0).as_secs_f64()
        / percentile(&mut tantivy_lat, 99.0).as_secs_f64().max(1e-9);
    println!();
    println!(
        "tantivy p99 is {p99_ratio:.1}× faster than FTS5 (target ≥ 2×: {}). Both engines found hits for {both_found}/{} queries.",
        if p99_ratio >= 2.0 { "met" } else { "NOT MET" },
        queries.len()
    );
    println!();
    println!("<details><summary>Per query (median of {rounds} rounds)</summary>");
    println!();
    println!("| query | history | matches (cw) | cw-search | FTS5 |");
    println!("|---|---|---:|---:|---:|");
    for (q, all, hits, tq, fq) in &per_query {
        let q = q.replace('|', "\\|");
        println!(
            "| `{q}` | {} | {hits} | {} | {} |",
            if *all { "yes" } else { "" },
            fmt_ms(*tq),
            fmt_ms(*fq)
        );
    }
    println!();
    println!("</details>");
    println!();
    println!(
        "Machine: {} cores. Command: `cargo run --release -p cw-search --example bench_fts`.",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    drop(conn);
    drop(index);
    if remove_work {
        let _ = std::fs::remove_dir_all(&work);
    }
    Ok(())
}

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn cw_form(q: &BenchQuery) -> (String, SearchOptions) {
    let mut s = q.cw.clone();
    if let Some(p) = &q.platform {
        s.push_str(&format!(" platform:{p}"));
    }
    if let Some(d) = q.since {
        s.push_str(&format!(" since:{d}"));
    }
    (
        s,
        SearchOptions {
            all_versions: q.all_versions,
            limit: 20,
            offset: 0,
        },
    )
}

/// Runs one FTS5 query; returns the number of rows fetched (≤ 20).
async fn fts_query(conn: &mut SqliteConnection, q: &BenchQuery) -> Result<usize, BoxError> {
    let mut sql = String::from(
        "SELECT rowid, document, version_number, provision_id FROM fts WHERE fts MATCH ?",
    );
    if !q.all_versions {
        sql.push_str(" AND is_latest = 1");
    }
    if q.platform.is_some() {
        sql.push_str(" AND platform = ?");
    }
    if q.since.is_some() {
        sql.push_str(" AND version_date >= ?");
    }
    sql.push_str(" ORDER BY rank LIMIT 20");
    // The SQL is assembled from constant fragments only; values are bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&q.fts);
    if let Some(p) = &q.platform {
        query = query.bind(p);
    }
    if let Some(d) = q.since {
        query = query.bind(d);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut n = 0;
    for r in &rows {
        let _: i64 = r.try_get(0)?;
        let _: String = r.try_get(1)?;
        n += 1;
    }
    Ok(n)
}

async fn build_fts5(path: &Path, rows: &[ProvisionRow]) -> Result<SqliteConnection, BoxError> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Off)
        .synchronous(SqliteSynchronous::Off)
        .pragma("cache_size", "-262144")
        .pragma("temp_store", "memory");
    let mut conn = opts.connect().await?;
    sqlx::query(
        "CREATE VIRTUAL TABLE fts USING fts5(text, platform UNINDEXED, document UNINDEXED, \
         version_number UNINDEXED, version_date UNINDEXED, is_latest UNINDEXED, provision_id UNINDEXED, \
         tokenize = 'porter unicode61 remove_diacritics 2')",
    )
    .execute(&mut conn)
    .await?;
    const PER_INSERT: usize = 100;
    let mut tx = conn.begin().await?;
    for chunk in rows.chunks(PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO fts(text, platform, document, version_number, version_date, is_latest, provision_id) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?,?,?,?,?,?,?)");
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            q = q
                .bind(&r.text)
                .bind(&r.platform)
                .bind(&r.document)
                .bind(i64::from(r.version_number))
                .bind(r.version_date.to_string())
                .bind(i64::from(r.is_latest))
                .bind(&r.provision_id);
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    sqlx::query("INSERT INTO fts(fts) VALUES('optimize')")
        .execute(&mut conn)
        .await?;
    Ok(conn)
}

/// Reads every `*/versions/*.md` under the corpus folder.
fn load_corpus(root: &Path) -> Result<Vec<Template>, BoxError> {
    let mut by_doc: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md")
                && path
                    .parent()
                    .and_then(|p| p.file_name())
                    .is_some_and(|n| n == "versions")
                && let Some(doc_dir) = path.parent().and_then(Path::parent)
            {
                by_doc.entry(doc_dir.to_path_buf()).or_default().push(path);
            }
        }
    }
    let mut docs: Vec<_> = by_doc.into_iter().collect();
    docs.sort();
    let mut out = Vec::new();
    for (doc_dir, mut files) in docs {
        files.sort();
        let rel = doc_dir.strip_prefix(root).unwrap_or(&doc_dir);
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let [collection, service, terms_type] = parts.as_slice() else {
            continue;
        };
        let mut versions = Vec::new();
        for f in files {
            let stem = f
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let Some(date) = stem
                .get(..10)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            else {
                continue;
            };
            let text = std::fs::read_to_string(&f)?;
            versions.push(Version {
                date,
                paragraphs: paragraphs(&text),
            });
        }
        let sample: String = versions
            .first()
            .map(|v| v.paragraphs.iter().take(20).map(|p| p.1.as_str()).collect())
            .unwrap_or_default();
        let cjk = sample
            .chars()
            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
            .count();
        let language = if cjk * 3 > sample.chars().count() {
            "zh"
        } else if collection == "france" {
            "fr"
        } else {
            "en"
        };
        out.push(Template {
            platform: cw_model::slugify(&service.replace('_', " ")),
            doc_slug: cw_model::slugify(&terms_type.replace('_', " ")),
            doc_type: terms_type.replace('_', " "),
            language,
            versions,
        });
    }
    Ok(out)
}

/// Splits Markdown into provisions: paragraphs and list items, markers removed.
fn paragraphs(md: &str) -> Vec<(ProvisionKind, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, out: &mut Vec<(ProvisionKind, String)>| {
        let text = clean_inline(current);
        if text.split_whitespace().count() >= 3 {
            out.push((ProvisionKind::Paragraph, text));
        }
        current.clear();
    };
    for line in md.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty()
            || trimmed.starts_with('#')
            || trimmed.starts_with("|-")
            || trimmed == "---"
        {
            flush(&mut current, &mut out);
            continue;
        }
        let item = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
            .or_else(|| trimmed.strip_prefix("+ "))
            .or_else(|| {
                let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
                (digits > 0)
                    .then(|| trimmed[digits..].strip_prefix(". "))
                    .flatten()
            });
        if let Some(item) = item {
            flush(&mut current, &mut out);
            let text = clean_inline(item);
            if text.split_whitespace().count() >= 3 {
                out.push((ProvisionKind::ListItem, text));
            }
            continue;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(trimmed.trim_start_matches('>').trim());
    }
    flush(&mut current, &mut out);
    out
}

/// Drops Markdown emphasis, code ticks and link targets.
fn clean_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' | '_' | '`' | '[' => {}
            ']' => {
                if chars.peek() == Some(&'(') {
                    // Skip "(url)".
                    for c in chars.by_ref() {
                        if c == ')' {
                            break;
                        }
                    }
                }
            }
            c => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Replicates the corpus until `target` rows exist (whole versions only).
fn synthesise(templates: &[Template], target: usize) -> Vec<ProvisionRow> {
    // Plan (replica, document, version) triples first so `is_latest` can be set.
    let mut plan = Vec::new();
    let mut count = 0usize;
    'outer: for replica in 0.. {
        for (d, t) in templates.iter().enumerate() {
            for (v, version) in t.versions.iter().enumerate() {
                if count >= target {
                    break 'outer;
                }
                plan.push((replica, d, v));
                count += version.paragraphs.len();
            }
        }
    }
    let mut last: HashMap<(usize, usize), usize> = HashMap::new();
    for &(r, d, v) in &plan {
        let e = last.entry((r, d)).or_insert(v);
        *e = (*e).max(v);
    }
    let mut rows = Vec::with_capacity(count);
    for &(r, d, v) in &plan {
        let t = &templates[d];
        let version = &t.versions[v];
        let platform = if r == 0 {
            t.platform.clone()
        } else {
            format!("{}-r{r}", t.platform)
        };
        let document = format!("{platform}/{}", t.doc_slug);
        let date = version.date + chrono::Duration::days(30 * r as i64);
        for (i, (kind, text)) in version.paragraphs.iter().enumerate() {
            rows.push(ProvisionRow {
                platform: platform.clone(),
                document: document.clone(),
                doc_type: Some(t.doc_type.clone()),
                region: None,
                language: t.language.to_string(),
                version_number: u32::try_from(v + 1).unwrap_or(u32::MAX),
                version_date: date,
                is_latest: last.get(&(r, d)) == Some(&v),
                position: u32::try_from(i).unwrap_or(u32::MAX),
                heading_path: Vec::new(),
                provision_id: format!("p/{i}"),
                kind: *kind,
                text: text.clone(),
                labels: labels_for(text),
                lineage_key: format!("{document}#p/{i}"),
            });
        }
    }
    rows
}

/// Keyword stand-ins for analysis labels, so the label field is populated.
fn labels_for(text: &str) -> Vec<String> {
    let lc = text.to_lowercase();
    let mut out = Vec::new();
    for (needle, label) in [
        ("arbitration", "tos_arbitration"),
        ("without notice", "tos_unilateral_change"),
        ("terminate", "tos_unilateral_termination"),
        ("governing law", "tos_choice_of_law"),
        ("liability", "tos_limitation_of_liability"),
    ] {
        if lc.contains(needle) {
            out.push(label.to_string());
        }
    }
    out
}

fn bench_queries() -> Vec<BenchQuery> {
    let q = |cw: &str, fts: &str| BenchQuery {
        cw: cw.to_string(),
        fts: fts.to_string(),
        platform: None,
        since: None,
        all_versions: false,
    };
    let mut out = Vec::new();
    // Single words.
    for w in [
        "arbitration",
        "indemnify",
        "terminate",
        "liability",
        "cookies",
        "children",
        "copyright",
        "refund",
        "jurisdiction",
        "suspend",
        "warranty",
        "advertising",
    ] {
        out.push(q(w, w));
    }
    // Several words, all required.
    for w in [
        "personal data",
        "account suspend",
        "third party",
        "content license",
        "law enforcement",
        "data retention",
        "age verify",
        "class action",
        "payment refund",
        "intellectual property",
    ] {
        out.push(q(w, w));
    }
    // Phrases.
    for p in [
        "without notice",
        "acceptable use policy",
        "sole discretion",
        "class action",
        "governing law",
        "at any time",
        "third parties",
        "binding arbitration",
        "personal data",
        "terminate your account",
        "we may change",
        "reverse engineer",
        "to the extent permitted by law",
        "limitation of liability",
    ] {
        out.push(q(&format!("\"{p}\""), &format!("\"{p}\"")));
    }
    // Platform filters (stand-ins for label filters, which FTS5 has no index for).
    for (w, platform) in [
        ("arbitration", "github"),
        ("\"without notice\"", "cloudflare"),
        ("data", "chatgpt"),
        ("abuse", "amazon-web-services"),
        ("harassment", "x"),
        ("terminate", "gitlab"),
        ("\"personal data\"", "deepseek"),
        ("\"personal information\"", "reddit"),
    ] {
        let mut b = q(w, w);
        b.platform = Some(platform.to_string());
        out.push(b);
    }
    // Every version, not only the latest.
    for w in [
        "\"sole discretion\"",
        "arbitration",
        "\"without notice\"",
        "cookies",
    ] {
        let mut b = q(w, w);
        b.all_versions = true;
        out.push(b);
    }
    // Version date range.
    for w in ["\"without notice\"", "privacy"] {
        let mut b = q(w, w);
        b.since = Some("2025-01-01");
        out.push(b);
    }
    out
}

fn dir_size(dir: &Path) -> Result<u64, BoxError> {
    let mut total = 0;
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let m = e.metadata()?;
        total += if m.is_dir() {
            dir_size(&e.path())?
        } else {
            m.len()
        };
    }
    Ok(total)
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    percentile(&mut v, 50.0)
}

/// Nearest-rank percentile.
fn percentile(v: &mut [Duration], p: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.sort();
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

fn fmt_ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

fn fmt_int(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
