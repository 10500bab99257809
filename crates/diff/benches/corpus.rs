//! Benchmarks of `cw_diff::diff` on real version histories (divan).
//!
//! Reads every `versions/*.md` of `/work/shared/corpus/ota` (or the folder in
//! `CW_CORPUS`), splits each version into provisions with a tiny Markdown
//! splitter of its own (headings, list items, table rows, paragraphs — cw-extract
//! is not a dependency), and measures:
//!
//! * `corpus_consecutive_pairs`: diffing every consecutive version pair of
//!   every document; throughput counts the bytes of both versions of a pair,
//!   the same bytes `git diff --no-index --word-diff=porcelain` reads;
//! * `pair_100kb_consecutive`: one ~100 KB pair (TikTok Community Guidelines,
//!   2024-03-08 → 2024-04-17);
//! * `pair_100kb_rewrite`: the first and last version of that document
//!   (two years apart, heavily rewritten) — the fuzzy pass's worst case.
//!
//! Without the corpus it prints a loud notice and measures nothing.
//! Run: `cargo bench -p cw-diff --bench corpus`.

use cw_model::{ExtractedDocument, Provision, ProvisionKind, SourceFormat};
use divan::Bencher;
use divan::counter::BytesCount;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

fn corpus_dir() -> PathBuf {
    std::env::var_os("CW_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/corpus/ota"
            ))
        })
}

/// Strips inline Markdown: `**bold**`, `_em_`, `[text](url)` → `text`, `` `code` ``.
fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let link = (c == '[')
            .then(|| {
                rest.find("](")
                    .and_then(|close| Some((close, rest[close..].find(')')?)))
            })
            .flatten();
        if let Some((close, end)) = link {
            out.push_str(&rest[1..close]);
            rest = &rest[close + end + 1..];
            continue;
        }
        if !matches!(c, '*' | '`' | '\\') {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Builds provisions from Markdown blocks.
#[derive(Default)]
struct Splitter {
    provisions: Vec<Provision>,
    path: Vec<(usize, String)>,
    para: Vec<String>,
}

impl Splitter {
    fn push(&mut self, kind: ProvisionKind, text: String) {
        if text.is_empty() {
            return;
        }
        let heading_path = self.path.iter().map(|(_, h)| h.clone()).collect();
        let id = format!("p{}", self.provisions.len());
        self.provisions
            .push(Provision::new(id, heading_path, kind, text));
    }

    fn flush(&mut self) {
        if !self.para.is_empty() {
            let text = inline(&self.para.join(" "));
            self.para.clear();
            self.push(ProvisionKind::Paragraph, text);
        }
    }

    fn heading(&mut self, level: usize, text: String) {
        self.flush();
        self.path.retain(|(l, _)| *l < level);
        self.push(ProvisionKind::Heading, text.clone());
        self.path.push((level, text));
    }
}

/// A list item's text, if the line is one (`- `, `* `, `+ `, `1. `).
fn list_item(line: &str) -> Option<&str> {
    line.strip_prefix("- ")
        .or_else(|| line.strip_prefix("* "))
        .or_else(|| line.strip_prefix("+ "))
        .or_else(|| {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            (digits > 0 && digits < 4)
                .then(|| line[digits..].strip_prefix(". "))
                .flatten()
        })
}

/// Splits one Markdown version into provisions.
fn split(md: &str) -> ExtractedDocument {
    let mut sp = Splitter::default();
    let lines: Vec<&str> = md.lines().map(str::trim).collect();
    let mut k = 0;
    while let Some(&line) = lines.get(k) {
        let next = lines.get(k + 1).copied().unwrap_or("");
        let setext = !line.is_empty()
            && next.len() >= 3
            && (next.chars().all(|c| c == '=') || next.chars().all(|c| c == '-'));
        let atx = line.chars().take_while(|&c| c == '#').count();
        if line.is_empty() {
            sp.flush();
        } else if setext {
            sp.heading(if next.starts_with('=') { 1 } else { 2 }, inline(line));
            k += 1;
        } else if atx > 0 && atx <= 6 && line[atx..].starts_with(' ') {
            sp.heading(atx, inline(&line[atx..]));
        } else if let Some(item) = list_item(line) {
            sp.flush();
            sp.push(ProvisionKind::ListItem, inline(item));
        } else if line.starts_with('|') {
            sp.flush();
            if !line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
                let cells: Vec<String> = line.trim_matches('|').split('|').map(inline).collect();
                sp.push(ProvisionKind::TableRow, cells.join(" | "));
            }
        } else {
            sp.para.push(line.to_string());
        }
        k += 1;
    }
    sp.flush();
    ExtractedDocument {
        title: None,
        effective_date: None,
        language: "und".into(),
        format: SourceFormat::Markdown,
        provisions: sp.provisions,
        warnings: vec![],
        coverage: None,
    }
}

/// Version files of every document, each document's versions in time order.
fn histories(root: &Path) -> Vec<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        if dir.file_name().is_some_and(|n| n == "versions") {
            let md: Vec<PathBuf> = entries
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "md"))
                .collect();
            if md.len() >= 2 {
                out.push(md);
            }
        } else {
            stack.extend(entries.into_iter().filter(|p| p.is_dir()));
        }
    }
    out.sort();
    out
}

/// A parsed pair and the bytes of its two source files.
struct Pair {
    old: ExtractedDocument,
    new: ExtractedDocument,
    bytes: usize,
}

fn load(path: &Path) -> (ExtractedDocument, usize) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    (split(&text), text.len())
}

static PAIRS: LazyLock<Vec<Pair>> = LazyLock::new(|| {
    let mut pairs = Vec::new();
    for versions in histories(&corpus_dir()) {
        let docs: Vec<(ExtractedDocument, usize)> = versions.iter().map(|p| load(p)).collect();
        for w in docs.windows(2) {
            pairs.push(Pair {
                old: w[0].0.clone(),
                new: w[1].0.clone(),
                bytes: w[0].1 + w[1].1,
            });
        }
    }
    pairs
});

const TIKTOK: &str = "pga/TikTok/Community_Guidelines/versions";

fn tiktok(old: &str, new: &str) -> Pair {
    let dir = corpus_dir().join(TIKTOK);
    let (o, ob) = load(&dir.join(old));
    let (n, nb) = load(&dir.join(new));
    Pair {
        old: o,
        new: n,
        bytes: ob + nb,
    }
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn corpus_consecutive_pairs(bencher: Bencher<'_, '_>) {
    let bytes: usize = PAIRS.iter().map(|p| p.bytes).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        for p in PAIRS.iter() {
            divan::black_box(cw_diff::diff(&p.old, &p.new));
        }
    });
}

#[divan::bench]
fn pair_100kb_consecutive(bencher: Bencher<'_, '_>) {
    let p = tiktok("2024-03-08T12-35-39Z.md", "2024-04-17T12-34-40Z.md");
    bencher
        .counter(BytesCount::new(p.bytes))
        .bench(|| cw_diff::diff(&p.old, &p.new));
}

#[divan::bench]
fn pair_100kb_rewrite(bencher: Bencher<'_, '_>) {
    let p = tiktok("2023-10-13T18-34-44Z.md", "2025-10-03T00-42-28Z.md");
    bencher
        .counter(BytesCount::new(p.bytes))
        .bench(|| cw_diff::diff(&p.old, &p.new));
}

#[allow(clippy::print_stderr)] // the loud skip notice is the point
fn main() {
    let dir = corpus_dir();
    if !dir.join(TIKTOK).is_dir() {
        eprintln!();
        eprintln!("##########################################################################");
        eprintln!(
            "## cw-diff bench SKIPPED: corpus not found at {}",
            dir.display()
        );
        eprintln!("## (set CW_CORPUS to the shared/corpus/ota folder to run it)");
        eprintln!("##########################################################################");
        eprintln!();
        return;
    }
    let bytes: usize = PAIRS.iter().map(|p| p.bytes).sum();
    let provisions: usize = PAIRS.iter().map(|p| p.new.provisions.len()).sum();
    eprintln!(
        "cw-diff bench: {} pairs, {bytes} bytes, {provisions} new-side provisions",
        PAIRS.len()
    );
    let rewrite = tiktok("2023-10-13T18-34-44Z.md", "2025-10-03T00-42-28Z.md");
    let cs = cw_diff::diff(&rewrite.old, &rewrite.new);
    eprintln!(
        "rewrite pair: {} → {} provisions; {:?}",
        rewrite.old.provisions.len(),
        rewrite.new.provisions.len(),
        cs.summary
    );
    divan::main();
    git_peer(&dir);
}

/// The peer, in the same run: `git diff --no-index --word-diff=porcelain`
/// over the same consecutive pairs (one process per pair, as a tool driving
/// git would), timed as a whole, then the ratio to cw-diff's median.
#[allow(clippy::print_stderr)] // the bench reports on stderr like divan
fn git_peer(dir: &Path) {
    use std::process::{Command, Stdio};
    let pairs: Vec<(PathBuf, PathBuf)> = histories(dir)
        .into_iter()
        .flat_map(|v| {
            v.windows(2)
                .map(|w| (w[0].clone(), w[1].clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    let bytes: u64 = pairs.iter().map(|(a, b)| file_len(a) + file_len(b)).sum();
    let start = std::time::Instant::now();
    for (a, b) in &pairs {
        let status = Command::new("git")
            .args(["diff", "--no-index", "--word-diff=porcelain", "--no-color"])
            .arg(a)
            .arg(b)
            .stdout(Stdio::null())
            .status();
        if status.is_err() {
            eprintln!("git peer SKIPPED: cannot run git");
            return;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let start = std::time::Instant::now();
    for p in PAIRS.iter() {
        divan::black_box(cw_diff::diff(&p.old, &p.new));
    }
    let ours = start.elapsed().as_secs_f64();
    eprintln!(
        "git diff --no-index --word-diff=porcelain, same {} pairs: {secs:.2} s, {:.1} MB/s; \
         cw-diff straight after: {ours:.2} s, {:.1} MB/s; cw-diff is {:.1}× faster",
        pairs.len(),
        bytes as f64 / 1e6 / secs,
        bytes as f64 / 1e6 / ours,
        secs / ours
    );
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map_or(0, |m| m.len())
}
