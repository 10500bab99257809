//! Sparse TF-IDF features for the unfair-clause model: word 1–n-grams,
//! character n-grams inside word boundaries, unigrams of the neighbouring
//! sentences (context) and cue-rule hits, each group L2-normalised and
//! weighted, over a vocabulary fixed at training time.

use crate::text;
use rustc_hash::FxBuildHasher;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};

/// Which features the model uses. Stored in the model file header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// Word n-grams from 1 to this length (2 = unigrams and bigrams).
    pub word_ngram_max: usize,
    /// Character n-gram lengths `(min, max)` inside word boundaries; `None` = off.
    pub char_ngrams: Option<(usize, usize)>,
    /// Weight of the character n-gram group relative to the word group.
    pub char_weight: f32,
    /// Weight of the neighbouring-sentence unigram group; 0 = off.
    pub context_weight: f32,
    /// Weight of the cue-rule hit group; 0 = off.
    pub rule_weight: f32,
    /// A feature must occur in at least this many training sentences.
    pub min_df: u32,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            word_ngram_max: 3,
            char_ngrams: Some((3, 5)),
            char_weight: 1.0,
            context_weight: 0.35,
            // Off since issue #21: the cue-rule features raised the CV
            // macro-F1 over the 32 development documents (0.660 -> 0.670)
            // but lowered it on the 8 held-back ones (0.636 -> 0.611).
            rule_weight: 0.0,
            min_df: 3,
        }
    }
}

/// One sentence to featurise, with its neighbours and the rule hits on it.
#[derive(Debug, Clone, Default)]
pub(crate) struct SentenceInput<'a> {
    pub(crate) text: &'a str,
    pub(crate) prev: &'a str,
    pub(crate) next: &'a str,
    /// `(label id, rule confidence)` for the tos_ labels whose cues matched.
    pub(crate) rules: Vec<(&'a str, f32)>,
}

/// Feature groups, normalised separately.
const GROUPS: usize = 4;

fn group_of(feature: &str) -> usize {
    match feature.as_bytes().first() {
        Some(b'w') => 0,
        Some(b'c') => 1,
        Some(b'p' | b'n') => 2,
        _ => 3,
    }
}

fn norm_token(t: &str) -> &str {
    if t.bytes().all(|b| b.is_ascii_digit()) {
        "0"
    } else {
        t
    }
}

/// The raw features of a sentence with their counts (before weighting).
pub(crate) fn raw_features(cfg: &FeatureConfig, s: &SentenceInput<'_>) -> Vec<(String, f32)> {
    let mut counts: HashMap<String, f32> = HashMap::new();
    let toks = text::word_tokens(s.text);
    let words: Vec<&str> = toks.iter().map(|t| norm_token(&t.text)).collect();
    for n in 1..=cfg.word_ngram_max.max(1) {
        for w in words.windows(n) {
            *counts.entry(format!("w:{}", w.join(" "))).or_insert(0.0) += 1.0;
        }
    }
    if let Some((lo, hi)) = cfg.char_ngrams {
        for w in &words {
            let padded: Vec<char> = std::iter::once(' ')
                .chain(w.chars())
                .chain(std::iter::once(' '))
                .collect();
            for n in lo.max(1)..=hi {
                if padded.len() < n {
                    break;
                }
                for g in padded.windows(n) {
                    let mut f = String::with_capacity(2 + n * 2);
                    f.push_str("c:");
                    f.extend(g.iter());
                    *counts.entry(f).or_insert(0.0) += 1.0;
                }
            }
        }
    }
    if cfg.context_weight > 0.0 {
        for (prefix, ctx) in [("p:", s.prev), ("n:", s.next)] {
            for t in text::word_tokens(ctx) {
                *counts
                    .entry(format!("{prefix}{}", norm_token(&t.text)))
                    .or_insert(0.0) += 1.0;
            }
        }
    }
    if cfg.rule_weight > 0.0 {
        for (label, conf) in &s.rules {
            let e = counts.entry(format!("r:{label}")).or_insert(0.0);
            *e = e.max(*conf);
        }
    }
    let mut v: Vec<(String, f32)> = counts.into_iter().collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// idf values are multiples of 1/IDF_SCALE, so that the u16 form in the model file is exact.
pub(crate) const IDF_SCALE: f32 = 2048.0;

/// A sparse vector: feature indices ascending, with values.
pub(crate) type SparseVec = Vec<(u32, f32)>;

/// The fixed vocabulary with inverse document frequencies.
#[derive(Debug, Clone)]
pub(crate) struct Vocabulary {
    pub(crate) terms: Vec<String>,
    pub(crate) idf: Vec<f32>,
    /// Fx-hashed (rustc-hash): a sentence looks up ~10 feature strings per
    /// word, and SipHash was a tenth of labelling (issue #25). The table is
    /// fixed at training time, so colliding input strings cannot grow it.
    index: HashMap<String, u32, FxBuildHasher>,
    /// True when `terms` are in strictly ascending byte order (every model
    /// [`Vocabulary::build`] makes): feature order is then index order, which
    /// [`Vocabulary::vectorize_sentence`] relies on.
    sorted: bool,
    /// Tells vocabularies apart in the per-thread n-gram cache.
    id: u64,
}

/// Gives each [`Vocabulary`] its cache identity.
static NEXT_VOCABULARY_ID: AtomicU64 = AtomicU64::new(1);

/// Words whose character n-grams one thread keeps (then it starts afresh).
const GRAM_CACHE_WORDS: usize = 1 << 16;

/// One thread's known character n-grams per word, for one vocabulary and
/// n-gram range (`key`).
#[derive(Debug, Default)]
struct GramCache {
    key: (u64, usize, usize),
    words: HashMap<String, Vec<u32>, FxBuildHasher>,
}

thread_local! {
    static GRAMS: RefCell<GramCache> = RefCell::new(GramCache::default());
}

impl Vocabulary {
    /// Builds the vocabulary from the raw features of the training
    /// sentences: terms with document frequency ≥ `min_df`, sorted, with
    /// smoothed idf `ln((1+N)/(1+df)) + 1`.
    pub(crate) fn build(raw: &[Vec<(String, f32)>], min_df: u32) -> Vocabulary {
        let mut df: BTreeMap<&str, u32> = BTreeMap::new();
        for feats in raw {
            for (f, _) in feats {
                *df.entry(f.as_str()).or_insert(0) += 1;
            }
        }
        let n = raw.len() as f64;
        let mut terms = Vec::new();
        let mut idf = Vec::new();
        for (t, d) in df {
            // Rule features are always kept: they are few and meaningful.
            if d >= min_df || t.starts_with("r:") {
                terms.push(t.to_string());
                let v = (((1.0 + n) / (1.0 + f64::from(d))).ln() + 1.0) as f32;
                idf.push((v * IDF_SCALE).round() / IDF_SCALE);
            }
        }
        Vocabulary::from_parts(terms, idf)
    }

    pub(crate) fn from_parts(terms: Vec<String>, idf: Vec<f32>) -> Vocabulary {
        let index = terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        let sorted = terms.windows(2).all(|w| w[0] < w[1]);
        Vocabulary {
            terms,
            idf,
            index,
            sorted,
            id: NEXT_VOCABULARY_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.terms.len()
    }

    /// Weighted TF-IDF vector: sublinear tf, per-group L2 normalisation, group weights.
    pub(crate) fn vectorize(&self, cfg: &FeatureConfig, raw: &[(String, f32)]) -> SparseVec {
        let weights = [1.0, cfg.char_weight, cfg.context_weight, cfg.rule_weight];
        let mut groups: [Vec<(u32, f32)>; GROUPS] = Default::default();
        for (f, count) in raw {
            let Some(&i) = self.index.get(f) else {
                continue;
            };
            let Some(&idf) = self.idf.get(i as usize) else {
                continue;
            };
            let g = group_of(f);
            let tf = if g == 3 { *count } else { 1.0 + count.ln() };
            groups[g].push((i, tf * idf));
        }
        let mut out: SparseVec = Vec::new();
        for (g, items) in groups.iter().enumerate() {
            let norm: f32 = items.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
            if norm <= 0.0 || weights[g] <= 0.0 {
                continue;
            }
            let scale = if g == 3 {
                weights[g]
            } else {
                weights[g] / norm
            };
            out.extend(items.iter().map(|&(i, v)| (i, v * scale)));
        }
        out.sort_by_key(|&(i, _)| i);
        out
    }

    /// `vectorize(cfg, &raw_features(cfg, s))`, bit for bit, without building
    /// a string per feature (issue #25: the model's featurisation was a third
    /// of labelling). Each feature is spelled into one reused buffer and
    /// looked up; only features in the vocabulary are counted, by index.
    /// With sorted terms, ascending index is the ascending feature order in
    /// which `vectorize` sums each group's norm, so the floats are the same.
    /// Other vocabularies, and the rule group, take the general path.
    pub(crate) fn vectorize_sentence(
        &self,
        cfg: &FeatureConfig,
        s: &SentenceInput<'_>,
    ) -> SparseVec {
        if !self.sorted || cfg.rule_weight > 0.0 {
            return self.vectorize(cfg, &raw_features(cfg, s));
        }
        // (index, group) of every occurrence of a known feature.
        let mut found: Vec<(u32, u8)> = Vec::new();
        let mut buf = String::new();
        let look = |buf: &str, group: u8, found: &mut Vec<(u32, u8)>| {
            if let Some(&i) = self.index.get(buf) {
                found.push((i, group));
            }
        };
        let toks = text::word_tokens(s.text);
        let words: Vec<&str> = toks.iter().map(|t| norm_token(&t.text)).collect();
        for n in 1..=cfg.word_ngram_max.max(1) {
            for w in words.windows(n) {
                buf.clear();
                buf.push_str("w:");
                for (k, word) in w.iter().enumerate() {
                    if k > 0 {
                        buf.push(' ');
                    }
                    buf.push_str(word);
                }
                look(&buf, 0, &mut found);
            }
        }
        if let Some((lo, hi)) = cfg.char_ngrams {
            // A word's character n-grams depend on the word alone, and words
            // repeat: each thread keeps the known ones of recent words.
            let mut known = |w: &str, out: &mut Vec<u32>| {
                let mut padded: Vec<char> = Vec::with_capacity(w.len() + 2);
                padded.push(' ');
                padded.extend(w.chars());
                padded.push(' ');
                for n in lo.max(1)..=hi {
                    if padded.len() < n {
                        break;
                    }
                    for g in padded.windows(n) {
                        buf.clear();
                        buf.push_str("c:");
                        buf.extend(g.iter());
                        if let Some(&i) = self.index.get(buf.as_str()) {
                            out.push(i);
                        }
                    }
                }
            };
            let key = (self.id, lo, hi);
            GRAMS.with(|cell| match cell.try_borrow_mut() {
                Ok(mut cache) => {
                    if cache.key != key || cache.words.len() >= GRAM_CACHE_WORDS {
                        cache.key = key;
                        cache.words.clear();
                    }
                    for w in &words {
                        if let Some(ids) = cache.words.get(*w) {
                            found.extend(ids.iter().map(|&i| (i, 1)));
                            continue;
                        }
                        let mut ids = Vec::new();
                        known(w, &mut ids);
                        found.extend(ids.iter().map(|&i| (i, 1)));
                        cache.words.insert((*w).to_string(), ids);
                    }
                }
                Err(_) => {
                    let mut ids = Vec::new();
                    for w in &words {
                        ids.clear();
                        known(w, &mut ids);
                        found.extend(ids.iter().map(|&i| (i, 1)));
                    }
                }
            });
        }
        if cfg.context_weight > 0.0 {
            for (prefix, ctx) in [("p:", s.prev), ("n:", s.next)] {
                for t in text::word_tokens(ctx) {
                    buf.clear();
                    buf.push_str(prefix);
                    buf.push_str(norm_token(&t.text));
                    look(&buf, 2, &mut found);
                }
            }
        }
        found.sort_unstable();
        let weights = [1.0, cfg.char_weight, cfg.context_weight, cfg.rule_weight];
        let mut groups: [Vec<(u32, f32)>; GROUPS] = Default::default();
        let mut k = 0;
        while k < found.len() {
            let (i, g) = found[k];
            let run = found[k..].iter().take_while(|&&(j, _)| j == i).count();
            k += run;
            let Some(&idf) = self.idf.get(i as usize) else {
                continue;
            };
            // The same sum of ones the general path counts.
            let count = (0..run).fold(0.0f32, |c, _| c + 1.0);
            groups[usize::from(g)].push((i, (1.0 + count.ln()) * idf));
        }
        let mut out: SparseVec = Vec::new();
        for (g, items) in groups.iter().enumerate() {
            let norm: f32 = items.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
            if norm <= 0.0 || weights[g] <= 0.0 {
                continue;
            }
            let scale = weights[g] / norm;
            out.extend(items.iter().map(|&(i, v)| (i, v * scale)));
        }
        out.sort_by_key(|&(i, _)| i);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_deterministic_and_grouped() {
        // The rule group is off by default (issue #21) but still supported.
        let cfg = FeatureConfig {
            rule_weight: 0.5,
            ..FeatureConfig::default()
        };
        assert!(
            !raw_features(
                &FeatureConfig::default(),
                &SentenceInput {
                    text: "x",
                    rules: vec![("tos_arbitration", 0.9)],
                    ..SentenceInput::default()
                }
            )
            .iter()
            .any(|(f, _)| f.starts_with("r:"))
        );
        let s = SentenceInput {
            text: "We may terminate your account at any time.",
            prev: "Termination",
            next: "",
            rules: vec![("tos_unilateral_termination", 0.85)],
        };
        let a = raw_features(&cfg, &s);
        let b = raw_features(&cfg, &s);
        assert_eq!(a, b);
        assert!(a.iter().any(|(f, _)| f == "w:may terminate"));
        assert!(a.iter().any(|(f, _)| f == "w:may terminate your"));
        assert!(a.iter().any(|(f, _)| f == "c: ma"));
        assert!(a.iter().any(|(f, _)| f == "p:termination"));
        assert!(a.iter().any(|(f, _)| f == "r:tos_unilateral_termination"));
        let vocab = Vocabulary::build(&[a.clone(), a.clone(), a.clone()], 3);
        let v = vocab.vectorize(&cfg, &a);
        assert!(v.windows(2).all(|w| w[0].0 < w[1].0));
        let word_norm: f32 = v
            .iter()
            .filter(|(i, _)| vocab.terms[*i as usize].starts_with("w:"))
            .map(|(_, x)| x * x)
            .sum();
        assert!((word_norm - 1.0).abs() < 1e-4);
    }

    /// The committed model's vocabulary and settings.
    fn embedded() -> (&'static Vocabulary, &'static FeatureConfig) {
        let m = crate::model::Model::embedded().unwrap();
        (&m.vocab, &m.header.features)
    }

    fn same_vectors(vocab: &Vocabulary, cfg: &FeatureConfig, s: &SentenceInput<'_>) {
        let general = vocab.vectorize(cfg, &raw_features(cfg, s));
        let fast = vocab.vectorize_sentence(cfg, s);
        let bits = |v: &SparseVec| v.iter().map(|&(i, x)| (i, x.to_bits())).collect::<Vec<_>>();
        assert_eq!(bits(&fast), bits(&general), "{s:?}");
    }

    #[test]
    fn the_fast_vectoriser_gives_the_same_bits_issue_25() {
        let (vocab, cfg) = embedded();
        assert!(vocab.sorted);
        for (text, prev, next) in [
            (
                "We may terminate your account at any time, without notice.",
                "Termination",
                "",
            ),
            (
                "In no event shall Acme be liable for 30 days' damages",
                "",
                "Any dispute ... arbitration",
            ),
            ("我们有权随时修改本协议 terms 2024", "", ""),
            ("", "", ""),
            ("a a a a a a the the the of of", "a", "a"),
            ("Don't use É-mail; ﬁne print: 1234567 ſtill", "x", "y"),
        ] {
            let s = SentenceInput {
                text,
                prev,
                next,
                rules: Vec::new(),
            };
            // Twice: the second time every word's n-grams come from the cache.
            same_vectors(vocab, cfg, &s);
            same_vectors(vocab, cfg, &s);
        }
        // An unsorted vocabulary takes the general path, with the same result.
        let mut terms = vocab.terms.clone();
        let mut idf = vocab.idf.clone();
        terms.swap(0, 1);
        idf.swap(0, 1);
        let shuffled = Vocabulary::from_parts(terms, idf);
        assert!(!shuffled.sorted);
        same_vectors(
            &shuffled,
            cfg,
            &SentenceInput {
                text: "we may terminate",
                ..SentenceInput::default()
            },
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

        #[test]
        fn any_sentence_gives_the_same_vector(text in "\\PC{0,120}", prev in "[a-z ]{0,30}") {
            let (vocab, cfg) = embedded();
            same_vectors(vocab, cfg, &SentenceInput { text: &text, prev: &prev, next: "", rules: Vec::new() });
        }
    }
}
