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

use crate::corpus::{self, Half, Pair};
use crate::tidy::say;

/// References with fewer words than this are error pages and left out.
const MIN_REFERENCE_WORDS: usize = 50;

/// Command-line options of `eval-extract`.
#[derive(Debug, Default)]
struct Opts {
    roots: Vec<PathBuf>,
    peer: bool,
    worst: usize,
    dump: Option<PathBuf>,
    only: Option<String>,
    half: Option<Half>,
}

const EVAL_USAGE: &str = "usage: cargo run --release -p xtask -- eval-extract CORPUS_DIR... [--no-peer] [--half tune|check] [--worst N] [--dump DIR] [--only TEXT]";

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
            "--half" => {
                o.half = Some(match it.next().map(String::as_str) {
                    Some("tune") => Half::Tune,
                    Some("check") => Half::Check,
                    _ => bail!("--half tune|check"),
                });
            }
            s if s.starts_with("--") => bail!("unknown option {s}"),
            s => o.roots.push(PathBuf::from(s)),
        }
    }
    if o.roots.is_empty() {
        bail!(EVAL_USAGE);
    }
    Ok(o)
}

/// OTA's separator between the sources of a multi-source version.
const SOURCE_SEPARATOR: &str = "\n\n- - -\n\n";

/// One scored page: a raw source file and the part of the reference
/// Markdown extracted from it.
#[derive(Debug)]
struct Page {
    pair: Pair,
    /// The raw file.
    file: PathBuf,
    /// Index of the source in a multi-source version.
    source: usize,
    reference: HashMap<String, u32>,
}

/// Splits the pairs into scored pages. A multi-source version is scored
/// source by source when its Markdown splits into one part per source on
/// OTA's separator, and skipped when it does not (the corpus README: "per-source
/// scoring has to skip them"). References under [`MIN_REFERENCE_WORDS`]
/// words are error pages and left out. Returns the pages and the counts of
/// unsplittable versions and short references left out.
fn pages(pairs: Vec<Pair>) -> anyhow::Result<(Vec<Page>, usize, usize)> {
    let (mut out, mut unsplit, mut short) = (Vec::new(), 0, 0);
    for p in pairs {
        let reference = std::fs::read_to_string(&p.reference)
            .with_context(|| format!("cannot read {}", p.reference.display()))?;
        let texts: Vec<&str> = if p.parts.len() == 1 {
            vec![reference.as_str()]
        } else {
            let split: Vec<&str> = reference.split(SOURCE_SEPARATOR).collect();
            if split.len() != p.parts.len() {
                unsplit += 1;
                continue;
            }
            split
        };
        for (source, (text, file)) in texts.into_iter().zip(&p.parts).enumerate() {
            let rbag = bag(text);
            if rbag.values().sum::<u32>() < MIN_REFERENCE_WORDS as u32 {
                short += 1;
                continue;
            }
            out.push(Page {
                pair: p.clone(),
                file: file.clone(),
                source,
                reference: rbag,
            });
        }
    }
    Ok((out, unsplit, short))
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
/// Also returns the lowest coverage the extractor reported for a part.
pub(crate) fn ours(parts: &[Vec<u8>]) -> (String, f64) {
    let opts = ExtractOptions::default();
    let mut coverage = 1.0f64;
    let text = parts
        .iter()
        .map(|b| {
            extract(b, &opts)
                .map(|d| {
                    if let Some(c) = d.coverage {
                        coverage = coverage.min(c.share());
                    }
                    render_text(&d)
                })
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    (text, coverage)
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
    /// Share of pages whose recall is under [`LOW_RECALL`].
    pub(crate) low_recall: f64,
}

/// Pages with recall under this lost a good part of the document.
const LOW_RECALL: f64 = 0.8;

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

/// One page's score: (doc id, F1, recall).
type Row<'a> = (&'a str, f64, f64);

/// Stats of (doc id, F1, recall) rows; every statistic but the low-recall
/// share is of F1.
fn stats(rows: &[Row<'_>]) -> Stats {
    let mut s: Vec<f64> = rows.iter().map(|r| r.1).collect();
    s.sort_by(f64::total_cmp);
    let mut per_doc: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
    for (d, v, _) in rows {
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
    let low = rows.iter().filter(|r| r.2 < LOW_RECALL).count();
    Stats {
        n: s.len(),
        median: percentile(&s, 0.5),
        p10: percentile(&s, 0.1),
        mean: mean(&s),
        doc_mean: mean(&doc_means),
        low_recall: if rows.is_empty() {
            0.0
        } else {
            low as f64 / rows.len() as f64
        },
    }
}

/// The file name `--dump` writes a page's text to.
fn dump_name(p: &Page) -> String {
    let stem = p
        .pair
        .reference
        .to_string_lossy()
        .replace('/', "__")
        .replace(".md", "");
    format!(
        "{}__{}__{}.txt",
        p.pair.corpus,
        stem.trim_start_matches('_'),
        p.source
    )
}

/// Runs the evaluation and prints the report on stdout.
pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let o = parse(args)?;
    let mut pairs: Vec<Pair> = Vec::new();
    for root in &o.roots {
        pairs.extend(corpus::pairs(root)?);
    }
    if let Some(only) = &o.only {
        pairs.retain(|p| p.reference.to_string_lossy().contains(only.as_str()));
    }
    if let Some(h) = o.half {
        pairs.retain(|p| p.half() == h);
    }
    let versions = pairs.len();
    let (kept, unsplit, short) = pages(pairs)?;
    let mut ours_rows = Vec::new();
    let mut coverages = Vec::new();
    for p in &kept {
        let (text, coverage) = ours(&[corpus::read(&p.file)?]);
        coverages.push(coverage);
        if let Some(dir) = &o.dump {
            std::fs::create_dir_all(dir)?;
            std::fs::write(dir.join(dump_name(p)), &text)?;
        }
        ours_rows.push(f1(&bag(&text), &p.reference));
    }
    let peer_rows = if o.peer {
        let files: Vec<Vec<String>> = kept
            .iter()
            .map(|p| vec![p.file.to_string_lossy().into_owned()])
            .collect();
        let texts = run_python(&serde_json::json!({"mode": "eval", "pages": files}))?;
        let texts = texts
            .as_array()
            .context("trafilatura output is not a list")?;
        Some(
            kept.iter()
                .zip(texts)
                .map(|(p, t)| f1(&bag(t.as_str().unwrap_or_default()), &p.reference))
                .collect::<Vec<_>>(),
        )
    } else {
        None
    };
    let mut report = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(
        report,
        "{} pages scored from {versions} paired versions ({unsplit} multi-source versions whose Markdown does not split per source and {short} references under {MIN_REFERENCE_WORDS} words left out)",
        kept.len(),
    );
    let _ = writeln!(
        report,
        "token F1 against the peer's Markdown; low = share of pages with recall < {LOW_RECALL}; t. = trafilatura on the same pages\n"
    );
    let _ = writeln!(
        report,
        "{:<22} {:<5} {:>5} | {:>6} {:>6} {:>6} {:>6} {:>6} | {:>6} {:>6} {:>6} {:>6} {:>6}",
        "collection",
        "half",
        "pages",
        "median",
        "p10",
        "mean",
        "docs",
        "low",
        "t.med",
        "t.p10",
        "t.mean",
        "t.docs",
        "t.low"
    );
    let mut groups: Vec<String> = kept
        .iter()
        .flat_map(|p| {
            [
                p.pair.corpus.clone(),
                format!("{}/{}", p.pair.corpus, p.pair.collection),
            ]
        })
        .collect();
    groups.sort_unstable();
    groups.dedup();
    groups.extend(["PDF pages".into(), "ALL".into()]);
    let is_pdf = |p: &Page| p.file.to_string_lossy().contains(".pdf");
    for group in &groups {
        for half in [Some(Half::Tune), Some(Half::Check), None] {
            let in_group = |p: &Page| {
                (group == "ALL"
                    || (group == "PDF pages" && is_pdf(p))
                    || *group == p.pair.corpus
                    || *group == format!("{}/{}", p.pair.corpus, p.pair.collection))
                    && half.is_none_or(|h| p.pair.half() == h)
            };
            let pick = |rows: &[(f64, f64, f64)]| -> Vec<Row<'_>> {
                kept.iter()
                    .zip(rows)
                    .filter(|(p, _)| in_group(p))
                    .map(|(p, r)| (p.pair.doc_id.as_str(), r.2, r.1))
                    .collect()
            };
            let s = stats(&pick(&ours_rows));
            if s.n == 0 {
                continue;
            }
            let _ = write!(
                report,
                "{:<22} {:<5} {:>5} | {:>6.4} {:>6.4} {:>6.4} {:>6.4} {:>6.4}",
                group,
                half.map_or("all", Half::name),
                s.n,
                s.median,
                s.p10,
                s.mean,
                s.doc_mean,
                s.low_recall
            );
            if let Some(peer) = &peer_rows {
                let t = stats(&pick(peer));
                let _ = write!(
                    report,
                    " | {:>6.4} {:>6.4} {:>6.4} {:>6.4} {:>6.4}",
                    t.median, t.p10, t.mean, t.doc_mean, t.low_recall
                );
            }
            report.push('\n');
        }
    }
    if o.worst > 0 {
        let mut idx: Vec<usize> = (0..kept.len()).collect();
        idx.sort_by(|a, b| ours_rows[*a].2.total_cmp(&ours_rows[*b].2));
        let _ = writeln!(
            report,
            "\nworst pages (F1 precision recall [trafilatura F1] coverage half):"
        );
        for i in idx.into_iter().take(o.worst) {
            let (p, r, f) = ours_rows[i];
            let t = peer_rows
                .as_ref()
                .map(|v| format!(" [{:.4}]", v[i].2))
                .unwrap_or_default();
            let _ = writeln!(
                report,
                "  {f:.4} {p:.4} {r:.4}{t} {:.3} {}  {}",
                coverages[i],
                kept[i].pair.half().name(),
                kept[i].file.display()
            );
        }
    }
    std::io::stdout().write_all(report.as_bytes())?;
    let _ = say("");
    Ok(())
}
