//! Alignment: which old provision became which new one.
//!
//! Passes, each working only on what the previous ones left unmatched:
//!
//! 1. [`exact::in_order`]: a Myers diff over hashes of (raw text, section),
//!    then over (match key, section) for what is left — unchanged provisions
//!    in unchanged sections pair up in reading order, duplicates ("Prohibited
//!    activities include:") included, and text that did not change at all is
//!    never normalised.
//! 2. [`exact::by_text`]: a hash lookup on the match key alone — identical
//!    text that moved to another section or out of order.
//! 3. Date lines ("Last updated …") pair with date lines.
//! 4. [`fuzzy::gaps`]: inside each gap between aligned neighbours, an
//!    order-preserving assignment of near-certain pairs (similarity ≥ 0.8).
//! 5. [`fuzzy::fuzzy`]: weighted token similarity (IDF-weighted Dice over
//!    words and CJK bigrams) between unmatched provisions, candidates pruned
//!    by shared rare tokens, best pairs first, thresholds in [`DiffOptions`]
//!    (lower for two provisions in the same gap).
//! 6. [`fuzzy::splits_and_merges`]: a fragment contained in a provision
//!    either pairs with it (when that one is unmatched) or is recorded as the
//!    other part of a split/merge of an aligned pair.
//! 7. [`moves::detect`]: pairs outside the longest increasing subsequence, or
//!    whose section changed (after following renamed headings), are moves.
//!
//! **Invariant**: every provision index of either side is in at most one pair.

mod exact;
mod fuzzy;
mod moves;

use crate::DiffOptions;
use crate::fasthash::{FxHashMap, FxHashSet};
use crate::normalize::{hash_parts, match_key, section_key};
use crate::significance::is_date_line;
use cw_model::{ExtractedDocument, Provision, ProvisionKind};
use std::cell::OnceCell;
use std::collections::BTreeMap;

/// One document prepared for alignment.
#[derive(Debug)]
pub(crate) struct Side<'a> {
    /// The provisions, in reading order.
    pub(crate) provs: &'a [Provision],
    /// Hashes of the raw texts (exact pass before any normalisation).
    pub(crate) raw_hashes: Vec<u64>,
    /// Match keys (case-folded normalised text), computed on first use: most
    /// provisions of consecutive versions are paired by the raw pass and
    /// never need one.
    keys: Vec<OnceCell<String>>,
    /// Hashes of the match keys, computed on first use.
    hashes: Vec<OnceCell<u64>>,
    /// For each provision, the index of its section path in `paths`.
    section_of: Vec<u32>,
    /// Distinct normalised section paths, a document-wide root heading removed.
    paths: Vec<Vec<String>>,
    /// Hashes of `paths`.
    path_hashes: Vec<u64>,
    /// Match keys of the title and of every heading (text and heading paths).
    heading_keys: FxHashSet<String>,
}

impl<'a> Side<'a> {
    /// Prepares a document: keys, hashes and section paths.
    pub(crate) fn new(doc: &'a ExtractedDocument) -> Self {
        let provs = doc.provisions.as_slice();
        let raw_hashes = provs.iter().map(|p| hash_parts(&[&p.text])).collect();
        let keys: Vec<OnceCell<String>> = provs.iter().map(|_| OnceCell::new()).collect();
        let hashes = provs.iter().map(|_| OnceCell::new()).collect();
        let title = doc.title.as_deref().map(section_key).unwrap_or_default();

        // Each distinct heading path is normalised once.
        let mut ids: FxHashMap<&[String], u32> = FxHashMap::default();
        let mut distinct: Vec<&[String]> = Vec::new();
        let section_of: Vec<u32> = provs
            .iter()
            .map(|p| {
                let path = p.heading_path.as_slice();
                *ids.entry(path).or_insert_with(|| {
                    distinct.push(path);
                    u32::try_from(distinct.len() - 1).unwrap_or(u32::MAX)
                })
            })
            .collect();
        let mut cache: FxHashMap<&str, String> = FxHashMap::default();
        let raw: Vec<Vec<String>> = distinct
            .iter()
            .map(|path| {
                path.iter()
                    .map(|h| {
                        cache
                            .entry(h.as_str())
                            .or_insert_with(|| section_key(h))
                            .clone()
                    })
                    .collect()
            })
            .collect();
        let strip_shared_root = shared_root(&raw, &title);
        let mut heading_keys: FxHashSet<String> = cache.into_values().collect();
        heading_keys.extend(
            provs
                .iter()
                .zip(&keys)
                .filter(|(p, _)| p.kind == ProvisionKind::Heading)
                .map(|(p, k)| k.get_or_init(|| match_key(&p.text)).clone()),
        );
        if !title.is_empty() {
            heading_keys.insert(title.clone());
        }
        let paths: Vec<Vec<String>> = raw
            .into_iter()
            .map(|mut path| {
                let is_title = path
                    .first()
                    .is_some_and(|h| !title.is_empty() && title_like(h, &title));
                if strip_shared_root || is_title {
                    path.drain(..path.len().min(1));
                }
                path
            })
            .collect();
        let path_hashes = paths
            .iter()
            .map(|s| hash_parts(&s.iter().map(String::as_str).collect::<Vec<_>>()))
            .collect();
        Side {
            provs,
            raw_hashes,
            keys,
            hashes,
            section_of,
            paths,
            path_hashes,
            heading_keys,
        }
    }

    /// The match key of provision `k`.
    pub(crate) fn key(&self, k: usize) -> Option<&str> {
        let (cell, p) = (self.keys.get(k)?, self.provs.get(k)?);
        Some(cell.get_or_init(|| match_key(&p.text)).as_str())
    }

    /// A hash of [`Side::key`].
    pub(crate) fn key_hash(&self, k: usize) -> u64 {
        match (self.hashes.get(k), self.key(k)) {
            (Some(cell), Some(key)) => *cell.get_or_init(|| hash_parts(&[key])),
            _ => 0,
        }
    }

    /// The normalised section path of provision `k` (root heading removed).
    pub(crate) fn section(&self, k: usize) -> &[String] {
        self.section_of
            .get(k)
            .and_then(|&id| self.paths.get(id as usize))
            .map_or(&[], Vec::as_slice)
    }

    /// A hash of [`Side::section`].
    pub(crate) fn section_hash(&self, k: usize) -> u64 {
        self.section_of
            .get(k)
            .and_then(|&id| self.path_hashes.get(id as usize))
            .copied()
            .unwrap_or(0)
    }

    /// Whether provision `k` (not itself a heading) repeats the title or a heading.
    pub(crate) fn repeats_heading(&self, k: usize) -> bool {
        let not_heading = self
            .provs
            .get(k)
            .is_some_and(|p| p.kind != ProvisionKind::Heading);
        not_heading
            && self
                .key(k)
                .is_some_and(|key| self.heading_keys.contains(key))
    }

    /// Number of provisions.
    pub(crate) fn len(&self) -> usize {
        self.provs.len()
    }
}

/// Whether a heading is (a variant of) the document title.
fn title_like(heading: &str, title: &str) -> bool {
    let (short, long) = if heading.len() <= title.len() {
        (heading, title)
    } else {
        (title, heading)
    };
    heading == title || (long.contains(short) && short.len() * 2 >= long.len())
}

/// Whether every headed provision sits under one root heading that is the
/// title or has sections under it (a Markdown `# Title` above `## Sections`).
fn shared_root(paths: &[Vec<String>], title: &str) -> bool {
    let mut root: Option<&str> = None;
    let mut deeper = false;
    for p in paths {
        let Some(first) = p.first() else { continue };
        match root {
            None => root = Some(first),
            Some(r) if r != first => return false,
            Some(_) => {}
        }
        deeper |= p.len() >= 2;
    }
    root.is_some_and(|r| deeper || (!title.is_empty() && title_like(r, title)))
}

/// How an aligned pair was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Link {
    /// Same normalised text.
    Exact,
    /// Both are "Last updated" lines.
    DateLine,
    /// Similar text.
    Fuzzy,
    /// One is (almost) contained in the other.
    Contained,
}

/// Why an aligned pair counts as moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MoveKind {
    /// Same section, out of reading order.
    Reordered,
    /// Now under another heading.
    Section,
}

/// The result of alignment.
#[derive(Debug, Clone, Default)]
pub(crate) struct Alignment {
    /// For each new provision, its old partner.
    pub(crate) old_of_new: Vec<Option<usize>>,
    /// For each old provision, its new partner.
    pub(crate) new_of_old: Vec<Option<usize>>,
    /// For each new provision, how it was paired.
    pub(crate) link: Vec<Option<Link>>,
    /// For each new provision, whether and why it moved.
    pub(crate) moved: Vec<Option<MoveKind>>,
    /// New primary → further new parts the old provision was split into.
    pub(crate) split_parts: BTreeMap<usize, Vec<usize>>,
    /// New primary → further old parts merged into it.
    pub(crate) merge_parts: BTreeMap<usize, Vec<usize>>,
    /// Unpaired new provision → (old provision it was split from, contained?).
    pub(crate) split_from: BTreeMap<usize, (usize, bool)>,
    /// Unpaired old provision → (new provision it was merged into, contained?).
    pub(crate) merged_into: BTreeMap<usize, (usize, bool)>,
}

impl Alignment {
    fn new(n_old: usize, n_new: usize) -> Self {
        Alignment {
            old_of_new: vec![None; n_new],
            new_of_old: vec![None; n_old],
            link: vec![None; n_new],
            moved: vec![None; n_new],
            ..Default::default()
        }
    }

    /// Pairs old `i` with new `j` if both are free; returns whether it did.
    fn pair(&mut self, i: usize, j: usize, link: Link) -> bool {
        let free_old = matches!(self.new_of_old.get(i), Some(None));
        let free_new = matches!(self.old_of_new.get(j), Some(None));
        if !(free_old && free_new) {
            return false;
        }
        if let (Some(o), Some(n), Some(l)) = (
            self.new_of_old.get_mut(i),
            self.old_of_new.get_mut(j),
            self.link.get_mut(j),
        ) {
            *o = Some(j);
            *n = Some(i);
            *l = Some(link);
        }
        true
    }

    fn old_free(&self, i: usize) -> bool {
        matches!(self.new_of_old.get(i), Some(None))
    }

    fn new_free(&self, j: usize) -> bool {
        matches!(self.old_of_new.get(j), Some(None))
    }

    /// Aligned pairs (old, new), in new order.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.old_of_new
            .iter()
            .enumerate()
            .filter_map(|(j, i)| i.map(|i| (i, j)))
    }
}

/// Pairs date lines left unmatched, in reading order.
fn date_lines(old: &Side<'_>, new: &Side<'_>, a: &mut Alignment) {
    let candidates = |side: &Side<'_>, free: &dyn Fn(usize) -> bool| -> Vec<usize> {
        (0..side.len())
            .filter(|&k| free(k))
            .filter(|&k| {
                side.provs
                    .get(k)
                    .is_some_and(|p| p.text.len() < 200 && is_date_line(&p.text))
            })
            .collect()
    };
    let olds = candidates(old, &|i| a.old_free(i));
    let news = candidates(new, &|j| a.new_free(j));
    for (i, j) in olds.into_iter().zip(news) {
        a.pair(i, j, Link::DateLine);
    }
}

/// Aligns two prepared documents.
pub(crate) fn align(old: &Side<'_>, new: &Side<'_>, options: &DiffOptions) -> Alignment {
    let mut a = Alignment::new(old.len(), new.len());
    exact::in_order(old, new, &mut a);
    exact::by_text(old, new, &mut a);
    let any_free = |a: &Alignment| {
        a.new_of_old.iter().any(Option::is_none) && a.old_of_new.iter().any(Option::is_none)
    };
    if any_free(&a) {
        date_lines(old, new, &mut a);
    }
    if a.new_of_old.iter().any(Option::is_none) || a.old_of_new.iter().any(Option::is_none) {
        let pool = fuzzy::Pool::new(old, new, &a);
        if any_free(&a) {
            fuzzy::gaps(old, new, &pool, &mut a, options);
        }
        if any_free(&a) {
            fuzzy::fuzzy(old, new, &pool, &mut a, options);
        }
        if options.detect_splits {
            fuzzy::splits_and_merges(old, new, &pool, &mut a, options);
        }
        if any_free(&a) {
            fuzzy::in_place(old, new, &pool, &mut a);
        }
    }
    if options.detect_moves {
        moves::detect(old, new, &mut a);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use cw_model::SourceFormat;

    pub(super) fn doc(
        title: &str,
        items: &[(&str, &[&str], ProvisionKind, &str)],
    ) -> ExtractedDocument {
        ExtractedDocument {
            title: Some(title.into()),
            effective_date: None,
            language: "en".into(),
            format: SourceFormat::Text,
            provisions: items
                .iter()
                .map(|(id, path, kind, text)| {
                    Provision::new(
                        *id,
                        path.iter().map(|s| s.to_string()).collect(),
                        *kind,
                        *text,
                    )
                })
                .collect(),
            warnings: vec![],
            coverage: None,
        }
    }

    #[test]
    fn strips_a_shared_root_heading() {
        use ProvisionKind::*;
        let d = doc(
            "AWS Acceptable Use Policy",
            &[
                ("a", &[], Paragraph, "LEGAL"),
                ("b", &["AWS Acceptable Use Policy"], Paragraph, "Intro"),
                (
                    "c",
                    &["AWS Acceptable Use Policy", "No Network Abuse"],
                    ListItem,
                    "x",
                ),
            ],
        );
        let s = Side::new(&d);
        assert_eq!(s.section(1), Vec::<String>::new());
        assert_eq!(s.section(2), vec!["no network abuse".to_string()]);
    }

    #[test]
    fn keeps_distinct_top_sections() {
        use ProvisionKind::*;
        let d = doc(
            "Policy",
            &[
                ("a", &["One"], Paragraph, "x"),
                ("b", &["Two"], Paragraph, "y"),
            ],
        );
        let s = Side::new(&d);
        assert_eq!(s.section(0), vec!["one".to_string()]);
    }
}
