//! `eval-extract`: extracts every paired raw page of the shared OTA corpus
//! automatically (no declarations) and scores token-level F1 — a bag of
//! lowercase words — against the Markdown the peer extracted from the same
//! page with its per-site rules. trafilatura (PyPI, default settings) runs
//! over the same pages in the same run (`scripts/trafilatura_pages.py`).

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;

use anyhow::{Context, bail};
use cw_extract::{ExtractOptions, extract, render_text};
use regex::Regex;

use crate::corpus::{self, Pair};
use crate::tidy::say;

/// References with fewer words than this are error pages and left out.
const MIN_REFERENCE_WORDS: usize = 50;

/// Command-line options of `eval-extract`.
#[derive(Debug, Default)]
struct Opts {
    root: PathBuf,
    peer: bool,
    worst: usize,
    dump: Option<PathBuf>,
    only: Option<String>,
}

fn parse(args: &[String]) -> anyhow::Result<Opts> {
    let mut o = Opts {
        peer: true,
        ..Opts::default()
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--no-peer" => o.peer = false,
            "--worst" => o.worst = it.next().context("--worst N")?.parse()?,
            "--dump" => o.dump = Some(PathBuf::from(it.next().context("--dump DIR")?)),
            "--only" => o.only = Some(it.next().context("--only TEXT")?.clone()),
            s if s.starts_with("--") => bail!("unknown option {s}"),
            s => o.root = PathBuf::from(s),
        }
    }
    if o.root.as_os_str().is_empty() {
        bail!(
            "usage: cargo run --release -p xtask -- eval-extract CORPUS_DIR [--no-peer] [--worst N] [--dump DIR] [--only TEXT]"
        );
    }
    Ok(o)
}

static IMAGE: LazyLock<Regex> = LazyLock::new(|| re(r"!\[[^\]]*\]\([^)]*\)"));
static LINK_TARGET: LazyLock<Regex> = LazyLock::new(|| re(r"\]\([^)\s]*(?:\s+[^)]*)?\)"));
static HTML_TAG: LazyLock<Regex> = LazyLock::new(|| re(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>"));
static LIST_NUMBER: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^[ \t>]*\d{1,3}[.)][ \t]"));

#[allow(clippy::expect_used)]
fn re(p: &str) -> Regex {
    Regex::new(p).expect("constant pattern")
}

/// Bag of lowercase words of a text. Markdown syntax is not words a reader
/// sees, so link targets, images, raw HTML tags (`<br>` in table cells) and
/// ordered-list markers (`1. `, renumbered by any Markdown renderer) are
/// removed first.
pub(crate) fn bag(text: &str) -> HashMap<String, u32> {
    let text = IMAGE.replace_all(text, " ");
    let text = LINK_TARGET.replace_all(&text, "]");
    let text = HTML_TAG.replace_all(&text, " ");
    let text = LIST_NUMBER.replace_all(&text, " ");
    let mut out = HashMap::new();
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        if !w.is_empty() {
            *out.entry(w.to_lowercase()).or_insert(0) += 1;
        }
    }
    out
}

/// Precision, recall and F1 of a predicted bag against a reference bag.
pub(crate) fn f1(pred: &HashMap<String, u32>, reference: &HashMap<String, u32>) -> (f64, f64, f64) {
    let overlap: u32 = pred
        .iter()
        .map(|(w, n)| (*n).min(reference.get(w).copied().unwrap_or(0)))
        .sum();
    let np: u32 = pred.values().sum();
    let nr: u32 = reference.values().sum();
    if overlap == 0 {
        return (0.0, 0.0, 0.0);
    }
    let p = f64::from(overlap) / f64::from(np);
    let r = f64::from(overlap) / f64::from(nr);
    (p, r, 2.0 * p * r / (p + r))
}

/// Extracts one page (all its parts) with clausewatch, as the text a reader
/// sees: the product's plain-text rendering (title, effective date, headings,
/// provisions), so a "Last updated" line taken out as metadata still counts.
pub(crate) fn ours(parts: &[Vec<u8>]) -> String {
    let opts = ExtractOptions::default();
    parts
        .iter()
        .map(|b| {
            extract(b, &opts)
                .map(|d| render_text(&d))
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Runs the trafilatura script in one Python process; `request` is its JSON input.
pub(crate) fn run_python(request: &serde_json::Value) -> anyhow::Result<serde_json::Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/trafilatura_pages.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start python3")?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(request.to_string().as_bytes())?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("trafilatura script failed (is it installed? `pip install trafilatura`)");
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// Summary statistics of one set of scores.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stats {
    pub(crate) n: usize,
    pub(crate) median: f64,
    pub(crate) p10: f64,
    pub(crate) mean: f64,
    pub(crate) doc_mean: f64,
}

/// Percentile with linear interpolation between ranks (numpy's default).
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let (a, b) = (sorted[lo], sorted[hi.min(sorted.len() - 1)]);
    a + (b - a) * (pos - lo as f64)
}

/// Stats of (doc id, score) rows.
pub(crate) fn stats(rows: &[(&str, f64)]) -> Stats {
    let mut s: Vec<f64> = rows.iter().map(|r| r.1).collect();
    s.sort_by(f64::total_cmp);
    let mut per_doc: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
    for (d, v) in rows {
        let e = per_doc.entry(d).or_default();
        e.0 += v;
        e.1 += 1;
    }
    let doc_means: Vec<f64> = per_doc.values().map(|(s, n)| s / *n as f64).collect();
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    Stats {
        n: s.len(),
        median: percentile(&s, 0.5),
        p10: percentile(&s, 0.1),
        mean: mean(&s),
        doc_mean: mean(&doc_means),
    }
}

/// Runs the evaluation and prints the report on stdout.
pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let o = parse(args)?;
    let mut pairs: Vec<Pair> = corpus::pairs(&o.root)?;
    if let Some(only) = &o.only {
        pairs.retain(|p| p.reference.to_string_lossy().contains(only.as_str()));
    }
    let mut kept = Vec::new();
    let mut skipped = 0;
    for p in pairs {
        let reference = std::fs::read_to_string(&p.reference)
            .with_context(|| format!("cannot read {}", p.reference.display()))?;
        let rbag = bag(&reference);
        if rbag.values().sum::<u32>() < MIN_REFERENCE_WORDS as u32 {
            skipped += 1;
            continue;
        }
        kept.push((p, rbag));
    }
    let mut ours_rows = Vec::new();
    for (p, rbag) in &kept {
        let parts = p
            .parts
            .iter()
            .map(|f| corpus::read(f))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let text = ours(&parts);
        if let Some(dir) = &o.dump {
            std::fs::create_dir_all(dir)?;
            let name = p
                .reference
                .strip_prefix(&o.root)
                .unwrap_or(&p.reference)
                .to_string_lossy()
                .replace('/', "__");
            std::fs::write(dir.join(name.replace(".md", ".txt")), &text)?;
        }
        ours_rows.push(f1(&bag(&text), rbag));
    }
    let peer_rows = if o.peer {
        let pages: Vec<Vec<String>> = kept
            .iter()
            .map(|(p, _)| {
                p.parts
                    .iter()
                    .map(|f| f.to_string_lossy().into_owned())
                    .collect()
            })
            .collect();
        let texts = run_python(&serde_json::json!({"mode": "eval", "pages": pages}))?;
        let texts = texts
            .as_array()
            .context("trafilatura output is not a list")?;
        Some(
            kept.iter()
                .zip(texts)
                .map(|((_, rbag), t)| f1(&bag(t.as_str().unwrap_or_default()), rbag))
                .collect::<Vec<_>>(),
        )
    } else {
        None
    };
    let mut report = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(
        report,
        "{} paired pages scored ({} references under {MIN_REFERENCE_WORDS} words left out)\n",
        kept.len(),
        skipped
    );
    let _ = writeln!(
        report,
        "{:<14} {:>5} | {:>7} {:>7} {:>7} {:>8} | {:>7} {:>7} {:>7} {:>8}",
        "collection",
        "pages",
        "median",
        "p10",
        "mean",
        "doc-mean",
        "t.med",
        "t.p10",
        "t.mean",
        "t.doc"
    );
    let mut collections: Vec<&str> = kept.iter().map(|(p, _)| p.collection.as_str()).collect();
    collections.sort_unstable();
    collections.dedup();
    let groups = collections
        .iter()
        .map(|c| (*c, Some(*c)))
        .chain([("ALL", None)]);
    for (label, filter) in groups {
        let pick = |rows: &[(f64, f64, f64)]| -> Vec<(&str, f64)> {
            kept.iter()
                .zip(rows)
                .filter(|((p, _), _)| filter.is_none_or(|c| p.collection == c))
                .map(|((p, _), r)| (p.doc_id.as_str(), r.2))
                .collect()
        };
        let s = stats(&pick(&ours_rows));
        let _ = write!(
            report,
            "{:<14} {:>5} | {:>7.4} {:>7.4} {:>7.4} {:>8.4}",
            label, s.n, s.median, s.p10, s.mean, s.doc_mean
        );
        if let Some(peer) = &peer_rows {
            let t = stats(&pick(peer));
            let _ = write!(
                report,
                " | {:>7.4} {:>7.4} {:>7.4} {:>8.4}",
                t.median, t.p10, t.mean, t.doc_mean
            );
        }
        report.push('\n');
    }
    if o.worst > 0 {
        let mut idx: Vec<usize> = (0..kept.len()).collect();
        idx.sort_by(|a, b| ours_rows[*a].2.total_cmp(&ours_rows[*b].2));
        let _ = writeln!(
            report,
            "\nworst pages (F1 precision recall [trafilatura F1]):"
        );
        for i in idx.into_iter().take(o.worst) {
            let (p, r, f) = ours_rows[i];
            let t = peer_rows
                .as_ref()
                .map(|v| format!(" [{:.4}]", v[i].2))
                .unwrap_or_default();
            let _ = writeln!(
                report,
                "  {f:.4} {p:.4} {r:.4}{t}  {}",
                kept[i].0.reference.display()
            );
        }
    }
    std::io::stdout().write_all(report.as_bytes())?;
    let _ = say("");
    Ok(())
}
