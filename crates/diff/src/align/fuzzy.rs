//! Fuzzy alignment: similar text, splits and merges.
//!
//! Only provisions the exact passes left unmatched (and, for split/merge
//! detection, their aligned neighbours) are tokenised into a [`Pool`]: bags
//! of interned word tokens (CJK: character bigrams). A token's weight is its
//! inverse document frequency within the pool, capped so that every token
//! seen at most twice weighs 1 (a word shared by the two versions of one
//! provision must not weigh less than a word unique to one of them), times
//! 0.25 for function words ("the", "of", "and"). Similarity is the weighted
//! Dice coefficient; containment is the weighted share of one bag found in
//! another.
//!
//! Two provisions standing in the same *gap* (between the same aligned
//! neighbours on both sides, as a replaced block in a line diff) need less
//! similarity (`gap_threshold`) than two anywhere (`fuzzy_threshold`).
//!
//! Candidates for a provision are the unmatched provisions that share one of
//! its rarest tokens (at most `probe_tokens` probes, `max_candidates`
//! scored), so the pass stays near-linear even on a rewritten document.

use super::exact::rel;
use super::{Alignment, Link, Side};
use crate::DiffOptions;
use crate::fasthash::FxHashMap;
use crate::tokens::{TokKind, tokenize};
use cw_model::ProvisionKind;
use std::collections::{BTreeMap, BTreeSet};

/// Probe tokens occurring in more provisions than this are too common to
/// narrow the search and are skipped (unless no rarer probe exists).
const MAX_POSTINGS: usize = 64;
/// Candidates scored per fragment in the split/merge pass.
const MAX_PART_CANDIDATES: usize = 16;
/// How far (in provisions) a split/merge part may stand from its partner.
const PART_WINDOW: usize = 3;
/// Fewest tokens a fragment needs to count as a split/merge part.
const MIN_PART_TOKENS: usize = 3;

/// Token bags and weights for the provisions the fuzzy passes look at.
#[derive(Debug, Default)]
pub(super) struct Pool {
    old_bags: FxHashMap<usize, Vec<u32>>,
    new_bags: FxHashMap<usize, Vec<u32>>,
    df: Vec<u32>,
    weights: Vec<f64>,
    /// Gap of each unmatched old provision: the new index after which its gap starts.
    old_gap: FxHashMap<usize, Option<usize>>,
    /// Gap of each unmatched new provision.
    new_gap: FxHashMap<usize, Option<usize>>,
}

/// Words that say little about which provision a text is.
fn is_stopword(w: &str) -> bool {
    crate::significance::is_function_word(w)
        || matches!(
            w,
            "and"
                | "or"
                | "any"
                | "all"
                | "you"
                | "your"
                | "we"
                | "our"
                | "us"
                | "not"
                | "no"
                | "may"
                | "will"
                | "shall"
                | "must"
                | "can"
                | "if"
                | "other"
                | "its"
        )
}

/// Interned, sorted, de-duplicated tokens of a match key.
fn bag<'k>(key: &'k str, interner: &mut FxHashMap<&'k str, u32>) -> Vec<u32> {
    let toks = tokenize(key);
    let mut out = Vec::with_capacity(toks.len() / 2 + 1);
    let mut intern = |s: &'k str, out: &mut Vec<u32>| {
        let next = u32::try_from(interner.len()).unwrap_or(u32::MAX);
        let id = *interner.entry(s).or_insert(next);
        out.push(id);
    };
    let mut k = 0;
    while let Some(t) = toks.get(k) {
        match t.kind {
            TokKind::Word => intern(t.text(key), &mut out),
            TokKind::Cjk => match toks.get(k + 1).filter(|n| n.kind == TokKind::Cjk) {
                Some(next) => intern(key.get(t.start..next.end).unwrap_or(""), &mut out),
                None if k == 0 || toks.get(k - 1).is_none_or(|p| p.kind != TokKind::Cjk) => {
                    intern(t.text(key), &mut out)
                }
                None => {}
            },
            TokKind::Space | TokKind::Punct => {}
        }
        k += 1;
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn window(k: usize, len: usize) -> std::ops::RangeInclusive<usize> {
    k.saturating_sub(PART_WINDOW)..=(k + PART_WINDOW).min(len.saturating_sub(1))
}

impl Pool {
    /// Tokenises the unmatched provisions and the aligned neighbours of each.
    pub(super) fn new(old: &Side<'_>, new: &Side<'_>, a: &Alignment) -> Self {
        let mut olds: BTreeSet<usize> = BTreeSet::new();
        let mut news: BTreeSet<usize> = BTreeSet::new();
        for j in (0..new.len()).filter(|&j| a.new_free(j)) {
            news.insert(j);
            for n in window(j, new.len()) {
                if let Some(Some(i)) = a.old_of_new.get(n) {
                    news.insert(n);
                    olds.insert(*i);
                }
            }
        }
        for i in (0..old.len()).filter(|&i| a.old_free(i)) {
            olds.insert(i);
            for o in window(i, old.len()) {
                if let Some(Some(j)) = a.new_of_old.get(o) {
                    olds.insert(o);
                    news.insert(*j);
                }
            }
        }
        let mut interner: FxHashMap<&str, u32> = FxHashMap::default();
        let mut pool = Pool::default();
        // Gaps: the new partner of the nearest aligned provision before.
        let mut last: Option<usize> = None;
        for i in 0..old.len() {
            match a.new_of_old.get(i).copied().flatten() {
                Some(j) => last = Some(j),
                None => {
                    pool.old_gap.insert(i, last);
                }
            }
        }
        let mut last: Option<usize> = None;
        for j in 0..new.len() {
            match a.old_of_new.get(j).copied().flatten() {
                Some(_) => last = Some(j),
                None => {
                    pool.new_gap.insert(j, last);
                }
            }
        }
        for i in olds {
            if let Some(k) = old.key(i) {
                pool.old_bags.insert(i, bag(k, &mut interner));
            }
        }
        for j in news {
            if let Some(k) = new.key(j) {
                pool.new_bags.insert(j, bag(k, &mut interner));
            }
        }
        pool.df = vec![0; interner.len()];
        for b in pool.old_bags.values().chain(pool.new_bags.values()) {
            for &t in b {
                if let Some(d) = pool.df.get_mut(t as usize) {
                    *d += 1;
                }
            }
        }
        let n = (pool.old_bags.len() + pool.new_bags.len()).max(2) as f64;
        let full = (1.0 + n / 2.0).ln();
        let mut stop = vec![false; interner.len()];
        for (word, &id) in &interner {
            if let Some(s) = stop.get_mut(id as usize) {
                *s = is_stopword(word);
            }
        }
        pool.weights = pool
            .df
            .iter()
            .zip(&stop)
            .map(|(&d, &is_stop)| {
                let idf = ((1.0 + n / f64::from(d.max(1))).ln() / full).min(1.0);
                if is_stop { 0.25 * idf } else { idf }
            })
            .collect();
        pool
    }

    /// Whether unmatched old `i` and new `j` stand between the same aligned neighbours.
    fn same_gap(&self, i: usize, j: usize) -> bool {
        matches!((self.old_gap.get(&i), self.new_gap.get(&j)), (Some(a), Some(b)) if a == b)
    }

    fn w(&self, t: u32) -> f64 {
        self.weights.get(t as usize).copied().unwrap_or(0.0)
    }

    fn df(&self, t: u32) -> u32 {
        self.df.get(t as usize).copied().unwrap_or(0)
    }

    fn total(&self, b: &[u32]) -> f64 {
        b.iter().map(|&t| self.w(t)).sum()
    }

    /// Weighted size of the intersection of two sorted bags.
    fn shared(&self, a: &[u32], b: &[u32]) -> f64 {
        let (mut x, mut y, mut sum) = (0, 0, 0.0);
        while let (Some(&p), Some(&q)) = (a.get(x), b.get(y)) {
            match p.cmp(&q) {
                std::cmp::Ordering::Less => x += 1,
                std::cmp::Ordering::Greater => y += 1,
                std::cmp::Ordering::Equal => {
                    sum += self.w(p);
                    x += 1;
                    y += 1;
                }
            }
        }
        sum
    }

    /// Weighted Dice similarity in [0, 1].
    fn similarity(&self, a: &[u32], b: &[u32]) -> f64 {
        self.similarity_with(a, self.total(a), b, self.total(b))
    }

    /// [`Pool::similarity`] with the bags' total weights already known.
    fn similarity_with(&self, a: &[u32], ta: f64, b: &[u32], tb: f64) -> f64 {
        let denom = ta + tb;
        if denom <= 0.0 {
            0.0
        } else {
            2.0 * self.shared(a, b) / denom
        }
    }

    /// Weighted share of `part` found in `whole`, in [0, 1].
    fn containment(&self, part: &[u32], whole: &[u32]) -> f64 {
        let t = self.total(part);
        if t <= 0.0 {
            0.0
        } else {
            self.shared(part, whole) / t
        }
    }

    /// The rarest tokens of a bag that occur in `idx`, rarest first.
    fn probes(&self, b: &[u32], idx: &FxHashMap<u32, Vec<usize>>, k: usize) -> Vec<u32> {
        let mut v: Vec<u32> = b.iter().copied().filter(|t| idx.contains_key(t)).collect();
        v.sort_by_key(|&t| (self.df(t), t));
        v.truncate(k);
        v
    }
}

fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut v: Vec<u32> = a.iter().chain(b).copied().collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn compatible(a: ProvisionKind, b: ProvisionKind) -> bool {
    (a == ProvisionKind::Heading) == (b == ProvisionKind::Heading)
}

/// Inverted index token → provisions (in index order) over the given bags.
fn index(
    bags: &FxHashMap<usize, Vec<u32>>,
    free: impl Fn(usize) -> bool,
) -> FxHashMap<u32, Vec<usize>> {
    let mut keys: Vec<usize> = bags.keys().copied().filter(|&k| free(k)).collect();
    keys.sort_unstable();
    let mut idx: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
    for k in keys {
        for &t in bags.get(&k).map(Vec::as_slice).unwrap_or_default() {
            idx.entry(t).or_default().push(k);
        }
    }
    idx
}

/// Scratch space for [`candidates`]: a hit counter per provision, reused.
struct Hits {
    count: Vec<u32>,
    touched: Vec<usize>,
}

impl Hits {
    fn new(len: usize) -> Self {
        Hits {
            count: vec![0; len],
            touched: Vec::new(),
        }
    }
}

/// Provisions sharing the rarest tokens of `b`, most shared probes first.
fn candidates(
    pool: &Pool,
    idx: &FxHashMap<u32, Vec<usize>>,
    b: &[u32],
    o: &DiffOptions,
    limit: usize,
    hits: &mut Hits,
) -> Vec<usize> {
    for (n, t) in pool.probes(b, idx, o.probe_tokens).into_iter().enumerate() {
        let postings = idx.get(&t).map(Vec::as_slice).unwrap_or_default();
        if n > 0 && postings.len() > MAX_POSTINGS {
            break; // probes come rarest first: the rest are at least as common
        }
        for &k in postings.iter().take(MAX_POSTINGS) {
            if let Some(c) = hits.count.get_mut(k) {
                if *c == 0 {
                    hits.touched.push(k);
                }
                *c += 1;
            }
        }
    }
    let mut v: Vec<(usize, u32)> = hits
        .touched
        .drain(..)
        .map(|k| (k, std::mem::take(hits.count.get_mut(k).unwrap_or(&mut 0))))
        .collect();
    let order = |x: &(usize, u32), y: &(usize, u32)| y.1.cmp(&x.1).then(x.0.cmp(&y.0));
    if v.len() > limit && limit > 0 {
        v.select_nth_unstable_by(limit - 1, order);
        v.truncate(limit);
    }
    v.sort_unstable_by(order);
    v.truncate(limit);
    v.into_iter().map(|(k, _)| k).collect()
}

/// One scored candidate pair.
struct Scored {
    sim: f64,
    same_gap: bool,
    same_section: bool,
    same_kind: bool,
    dist: f64,
    i: usize,
    j: usize,
}

/// Largest gap (old × new unmatched provisions) aligned by dynamic programming.
const MAX_GAP_CELLS: usize = 4096;
/// Similarity at which the gap pass pairs provisions on its own.
const GAP_PASS_SIMILARITY: f64 = 0.8;

/// The gap pass: within each gap (unmatched provisions between the same
/// aligned neighbours on both sides, like a replaced block of a line diff),
/// an order-preserving assignment maximising total similarity, keeping only
/// near-certain pairs (similarity ≥ 0.8 and ≥ `fuzzy_threshold`). Typical
/// for re-extracted or lightly edited documents, where it pairs almost
/// everything before the candidate search runs.
pub(super) fn gaps(
    old: &Side<'_>,
    new: &Side<'_>,
    pool: &Pool,
    a: &mut Alignment,
    o: &DiffOptions,
) {
    let floor = o.fuzzy_threshold.max(GAP_PASS_SIMILARITY);
    let mut by_gap: BTreeMap<Option<usize>, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for i in (0..old.len()).filter(|&i| a.old_free(i)) {
        if let Some(g) = pool.old_gap.get(&i) {
            by_gap.entry(*g).or_default().0.push(i);
        }
    }
    for j in (0..new.len()).filter(|&j| a.new_free(j)) {
        if let Some(g) = pool.new_gap.get(&j) {
            by_gap.entry(*g).or_default().1.push(j);
        }
    }
    for (olds, news) in by_gap.values() {
        let (n, m) = (olds.len(), news.len());
        if n == 0 || m == 0 || n.saturating_mul(m) > MAX_GAP_CELLS {
            continue;
        }
        // sim[x][y] for old olds[x], new news[y]; None when below the floor.
        let sim: Vec<Vec<Option<f64>>> = olds
            .iter()
            .map(|&i| {
                news.iter()
                    .map(|&j| {
                        let (ob, nb) = (pool.old_bags.get(&i)?, pool.new_bags.get(&j)?);
                        let (op, np) = (old.provs.get(i)?, new.provs.get(j)?);
                        if !compatible(op.kind, np.kind) {
                            return None;
                        }
                        let s = pool.similarity(ob, nb);
                        (s >= floor).then_some(s)
                    })
                    .collect()
            })
            .collect();
        // best[x][y]: best total over olds[x..] × news[y..].
        let mut best = vec![vec![0.0f64; m + 1]; n + 1];
        for x in (0..n).rev() {
            for y in (0..m).rev() {
                let skip_old = best[x + 1][y];
                let skip_new = best[x][y + 1];
                let take = sim[x][y].map_or(f64::NEG_INFINITY, |s| s + best[x + 1][y + 1]);
                best[x][y] = skip_old.max(skip_new).max(take);
            }
        }
        let (mut x, mut y) = (0, 0);
        while x < n && y < m {
            if let Some(s) = sim[x][y]
                && best[x][y] == s + best[x + 1][y + 1]
            {
                a.pair(olds[x], news[y], Link::Fuzzy);
                x += 1;
                y += 1;
            } else if best[x][y] == best[x + 1][y] {
                x += 1;
            } else {
                y += 1;
            }
        }
    }
}

/// In-place rewrites: a gap between aligned neighbours that holds exactly
/// one unmatched provision on each side, of the same kind and section, is
/// one provision rewritten where it stood when the two share vocabulary:
/// an IDF-weighted word similarity of at least [`IN_PLACE_SIMILARITY`], or,
/// for short texts whose few words may all be rewritten ("Photographies" →
/// "Photos", "Our addresses are:" → "Our address is:"), a character-trigram
/// overlap of at least [`IN_PLACE_TRIGRAMS`]. It is then one modified change
/// with a word-level redline instead of a removal and an addition.
pub(super) fn in_place(old: &Side<'_>, new: &Side<'_>, pool: &Pool, a: &mut Alignment) {
    // Gap of a free provision: the partner (new index) of the nearest
    // aligned provision before it on its own side.
    let mut gaps: BTreeMap<Option<usize>, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    let mut anchor = None;
    for i in 0..old.len() {
        match a.new_of_old.get(i).copied().flatten() {
            Some(j) => anchor = Some(j),
            None => gaps.entry(anchor).or_default().0.push(i),
        }
    }
    anchor = None;
    for j in 0..new.len() {
        match a.old_of_new.get(j).copied().flatten() {
            Some(_) => anchor = Some(j),
            None => gaps.entry(anchor).or_default().1.push(j),
        }
    }
    for (olds, news) in gaps.values() {
        let (&[i], &[j]) = (olds.as_slice(), news.as_slice()) else {
            continue;
        };
        let (Some(op), Some(np)) = (old.provs.get(i), new.provs.get(j)) else {
            continue;
        };
        if op.kind != np.kind || old.section_hash(i) != new.section_hash(j) {
            continue;
        }
        let words = match (pool.old_bags.get(&i), pool.new_bags.get(&j)) {
            (Some(ob), Some(nb)) => pool.similarity(ob, nb),
            _ => 0.0,
        };
        let short = op.text.split_whitespace().count() <= IN_PLACE_SHORT
            && np.text.split_whitespace().count() <= IN_PLACE_SHORT;
        let close = words >= IN_PLACE_SIMILARITY
            || (short
                && rewritten_words_overlap(
                    old.key(i).unwrap_or_default(),
                    new.key(j).unwrap_or_default(),
                ) >= IN_PLACE_TRIGRAMS);
        if close {
            a.pair(i, j, Link::Fuzzy);
        }
    }
}

/// Least word similarity for an in-place rewrite (see [`in_place`]).
const IN_PLACE_SIMILARITY: f64 = 0.35;
/// Least character-trigram overlap (Dice) for a short in-place rewrite.
const IN_PLACE_TRIGRAMS: f64 = 0.3;
/// Most words of a "short" text for the trigram test.
const IN_PLACE_SHORT: usize = 12;

/// Character-trigram overlap of the words only one side has: the words both
/// share (boilerplate such as "rule about") say nothing about whether the
/// rest was rewritten or replaced.
fn rewritten_words_overlap(a: &str, b: &str) -> f64 {
    let (wa, wb): (Vec<&str>, Vec<&str>) = (
        a.split_whitespace().collect(),
        b.split_whitespace().collect(),
    );
    let only = |x: &[&str], y: &[&str]| -> String {
        x.iter()
            .filter(|w| !y.contains(w))
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    };
    trigram_overlap(&only(&wa, &wb), &only(&wb, &wa))
}

/// Dice overlap of the character trigrams of two texts (letters and digits).
fn trigram_overlap(a: &str, b: &str) -> f64 {
    let grams = |s: &str| -> Vec<[char; 3]> {
        let c: Vec<char> = s.chars().filter(|c| c.is_alphanumeric()).collect();
        let mut g: Vec<[char; 3]> = c.windows(3).map(|w| [w[0], w[1], w[2]]).collect();
        g.sort_unstable();
        g
    };
    let (ga, gb) = (grams(a), grams(b));
    if ga.is_empty() || gb.is_empty() {
        return 0.0;
    }
    let (mut x, mut y, mut shared) = (0, 0, 0usize);
    while x < ga.len() && y < gb.len() {
        match ga[x].cmp(&gb[y]) {
            std::cmp::Ordering::Less => x += 1,
            std::cmp::Ordering::Greater => y += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                x += 1;
                y += 1;
            }
        }
    }
    2.0 * shared as f64 / (ga.len() + gb.len()) as f64
}

/// Pairs similar unmatched provisions, best pairs first.
pub(super) fn fuzzy(
    old: &Side<'_>,
    new: &Side<'_>,
    pool: &Pool,
    a: &mut Alignment,
    o: &DiffOptions,
) {
    let idx = index(&pool.old_bags, |i| a.old_free(i));
    if idx.is_empty() {
        return;
    }
    let mut scored: Vec<Scored> = Vec::new();
    let mut hits = Hits::new(old.len());
    let mut old_totals: FxHashMap<usize, f64> = FxHashMap::default();
    for j in (0..new.len()).filter(|&j| a.new_free(j)) {
        let (Some(nb), Some(np)) = (pool.new_bags.get(&j), new.provs.get(j)) else {
            continue;
        };
        if nb.is_empty() {
            continue;
        }
        let nt = pool.total(nb);
        for i in candidates(pool, &idx, nb, o, o.max_candidates, &mut hits) {
            let (Some(ob), Some(op)) = (pool.old_bags.get(&i), old.provs.get(i)) else {
                continue;
            };
            if !compatible(op.kind, np.kind) {
                continue;
            }
            let ot = *old_totals.entry(i).or_insert_with(|| pool.total(ob));
            let sim = pool.similarity_with(ob, ot, nb, nt);
            let same_gap = pool.same_gap(i, j);
            if sim >= o.fuzzy_threshold || (same_gap && sim >= o.gap_threshold) {
                scored.push(Scored {
                    sim,
                    same_gap,
                    same_section: old.section_hash(i) == new.section_hash(j),
                    same_kind: op.kind == np.kind,
                    dist: (rel(i, old.len()) - rel(j, new.len())).abs(),
                    i,
                    j,
                });
            }
        }
    }
    scored.sort_by(|x, y| {
        y.sim
            .total_cmp(&x.sim)
            .then(y.same_gap.cmp(&x.same_gap))
            .then(y.same_section.cmp(&x.same_section))
            .then(y.same_kind.cmp(&x.same_kind))
            .then(x.dist.total_cmp(&y.dist))
            .then(x.i.cmp(&y.i))
            .then(x.j.cmp(&y.j))
    });
    for s in scored {
        a.pair(s.i, s.j, Link::Fuzzy);
    }
}

/// Which side a fragment is on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    /// An unmatched new fragment of an old provision (split).
    Split,
    /// An unmatched old fragment of a new provision (merge).
    Merge,
}

/// Finds fragments contained in another provision: pairs them with it when
/// it is unmatched, or records them as split/merge parts of its pair.
pub(super) fn splits_and_merges(
    old: &Side<'_>,
    new: &Side<'_>,
    pool: &Pool,
    a: &mut Alignment,
    o: &DiffOptions,
) {
    parts(Dir::Split, old, new, pool, a, o);
    parts(Dir::Merge, old, new, pool, a, o);
}

fn parts(
    dir: Dir,
    old: &Side<'_>,
    new: &Side<'_>,
    pool: &Pool,
    a: &mut Alignment,
    o: &DiffOptions,
) {
    // "Here" is the side of the fragment, "there" the side of the whole.
    let (here, there) = match dir {
        Dir::Split => (new, old),
        Dir::Merge => (old, new),
    };
    let (here_bags, there_bags) = match dir {
        Dir::Split => (&pool.new_bags, &pool.old_bags),
        Dir::Merge => (&pool.old_bags, &pool.new_bags),
    };
    let free_here = |a: &Alignment, k: usize| match dir {
        Dir::Split => a.new_free(k),
        Dir::Merge => a.old_free(k),
    };
    let free_there = |a: &Alignment, k: usize| match dir {
        Dir::Split => a.old_free(k),
        Dir::Merge => a.new_free(k),
    };
    let partner_here = |a: &Alignment, k: usize| match dir {
        Dir::Split => a.old_of_new.get(k).copied().flatten(),
        Dir::Merge => a.new_of_old.get(k).copied().flatten(),
    };
    let idx = index(there_bags, |k| free_there(a, k));
    let mut hits = Hits::new(there.len());
    for u in 0..here.len() {
        if !free_here(a, u) {
            continue;
        }
        let (Some(ub), Some(up)) = (here_bags.get(&u), here.provs.get(u)) else {
            continue;
        };
        if ub.len() < MIN_PART_TOKENS {
            continue;
        }
        // Wholes: partners of aligned neighbours, and free provisions sharing rare tokens.
        let mut wholes: Vec<usize> = window(u, here.len())
            .filter_map(|n| partner_here(a, n))
            .collect();
        wholes.extend(
            candidates(pool, &idx, ub, o, MAX_PART_CANDIDATES, &mut hits)
                .into_iter()
                .filter(|&k| free_there(a, k)),
        );
        wholes.sort_unstable();
        wholes.dedup();
        let best = wholes
            .into_iter()
            .filter_map(|w| {
                let wb = there_bags.get(&w)?;
                let wp = there.provs.get(w)?;
                if !compatible(wp.kind, up.kind) {
                    return None;
                }
                let c = pool.containment(ub, wb);
                (c >= o.containment_threshold).then(|| (c, pool.similarity(ub, wb), w))
            })
            .max_by(|x, y| {
                x.0.total_cmp(&y.0)
                    .then(x.1.total_cmp(&y.1))
                    .then(y.2.cmp(&x.2))
            });
        let Some((_, _, w)) = best else { continue };
        if free_there(a, w) {
            let (i, j) = match dir {
                Dir::Split => (w, u),
                Dir::Merge => (u, w),
            };
            a.pair(i, j, Link::Contained);
            continue;
        }
        // `w` is aligned with `p` on the fragment's side: does adding the fragment help?
        let p = match dir {
            Dir::Split => a.new_of_old.get(w).copied().flatten(),
            Dir::Merge => a.old_of_new.get(w).copied().flatten(),
        };
        let (Some(p), Some(wb)) = (p, there_bags.get(&w)) else {
            continue;
        };
        let primary_new = match dir {
            Dir::Split => p,
            Dir::Merge => w,
        };
        let existing: Vec<usize> = match dir {
            Dir::Split => a.split_parts.get(&primary_new).cloned().unwrap_or_default(),
            Dir::Merge => a.merge_parts.get(&primary_new).cloned().unwrap_or_default(),
        };
        let mut current: Vec<u32> = here_bags.get(&p).cloned().unwrap_or_default();
        for e in &existing {
            current = union(
                &current,
                here_bags.get(e).map(Vec::as_slice).unwrap_or_default(),
            );
        }
        let with = union(&current, ub);
        if pool.similarity(wb, &with) > pool.similarity(wb, &current) {
            match dir {
                Dir::Split => {
                    a.split_parts.entry(primary_new).or_default().push(u);
                    a.split_from.insert(u, (w, true));
                }
                Dir::Merge => {
                    a.merge_parts.entry(primary_new).or_default().push(u);
                    a.merged_into.insert(u, (w, true));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::doc;
    use super::*;
    use cw_model::ProvisionKind::*;

    fn run(
        old: &[(&str, &[&str], ProvisionKind, &str)],
        new: &[(&str, &[&str], ProvisionKind, &str)],
    ) -> Alignment {
        let (od, nd) = (doc("P", old), doc("P", new));
        let (o, n) = (Side::new(&od), Side::new(&nd));
        super::super::align(&o, &n, &DiffOptions::default())
    }

    #[test]
    fn bags_use_words_and_cjk_bigrams() {
        let mut interner: FxHashMap<&str, u32> = FxHashMap::default();
        let b = bag("we may 修改本政策", &mut interner);
        assert_eq!(b.len(), 2 + 4);
        let b = bag("中", &mut interner);
        assert_eq!(b.len(), 1);
    }

    #[test]
    fn fuzzy_pairs_similar_text() {
        let a = run(
            &[
                (
                    "a",
                    &[],
                    Paragraph,
                    "We reserve the right to investigate any violation of this Policy or misuse of the AWS Site.",
                ),
                (
                    "b",
                    &[],
                    Paragraph,
                    "Something else entirely about cookies.",
                ),
            ],
            &[(
                "x",
                &[],
                Paragraph,
                "We reserve the right to investigate any violation of this Policy or misuse of the Amazon Web Services China Site.",
            )],
        );
        assert_eq!(a.old_of_new, [Some(0)]);
        assert_eq!(a.link, [Some(Link::Fuzzy)]);
    }

    #[test]
    fn dissimilar_text_is_not_paired() {
        let a = run(
            &[(
                "a",
                &[],
                ListItem,
                "pornography, relates to bestiality, or depicts non-consensual sex acts.",
            )],
            &[(
                "x",
                &[],
                ListItem,
                "opposes the basic principles established by the Constitution;",
            )],
        );
        assert_eq!(a.old_of_new, [None]);
    }

    #[test]
    fn headings_do_not_pair_with_paragraphs() {
        let a = run(
            &[("a", &[], Heading, "Data retention rules")],
            &[("x", &[], Paragraph, "Data retention rules apply.")],
        );
        assert_eq!(a.old_of_new, [None]);
    }

    #[test]
    fn detects_a_split() {
        let a = run(
            &[(
                "a",
                &[],
                Paragraph,
                "You must keep your password secret. You must tell us at once about any unauthorised use of your account.",
            )],
            &[
                ("x", &[], Paragraph, "You must keep your password secret."),
                (
                    "y",
                    &[],
                    Paragraph,
                    "You must tell us at once about any unauthorised use of your account.",
                ),
            ],
        );
        let paired: Vec<usize> = a.old_of_new.iter().flatten().copied().collect();
        assert_eq!(paired, [0]);
        let free = if a.old_of_new[0].is_some() { 1 } else { 0 };
        assert_eq!(a.split_from.get(&free), Some(&(0, true)));
    }

    #[test]
    fn detects_a_merge() {
        let a = run(
            &[
                ("a", &[], Paragraph, "You must keep your password secret."),
                (
                    "b",
                    &[],
                    Paragraph,
                    "You must tell us at once about any unauthorised use of your account.",
                ),
            ],
            &[(
                "x",
                &[],
                Paragraph,
                "You must keep your password secret and tell us at once about any unauthorised use of your account.",
            )],
        );
        assert!(a.old_of_new[0].is_some());
        assert_eq!(a.merged_into.len(), 1);
    }
}
