//! "How do other platforms handle this?": a BM25 index over provisions of
//! many platforms (Snowball-stemmed lowercase English tokens, character
//! bigrams for Chinese), queried for the closest provisions that share a
//! label, and adoption counts ("N of M platforms have a comparable clause").

use crate::text;
use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

const K1: f32 = 1.2;
const B: f32 = 0.75;

/// One provision to index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimilarityRow {
    /// A key the caller can resolve, e.g. `aws/aup@2021-06-18#no-network-abuse/3`.
    pub key: String,
    /// The platform slug, e.g. `aws`.
    pub platform: String,
    /// The provision text.
    pub text: String,
    /// The provision's label ids.
    pub labels: Vec<String>,
}

/// One result of [`SimilarityIndex::closest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Match {
    /// The row's key.
    pub key: String,
    /// The row's platform.
    pub platform: String,
    /// BM25 score (higher is closer).
    pub score: f32,
}

/// How many platforms have a comparable clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adoption {
    /// Platforms with at least one provision sharing a label.
    pub platforms_with: usize,
    /// Platforms in the index (after exclusion).
    pub platforms_total: usize,
    /// The platforms with such a provision, sorted.
    pub platforms: Vec<String>,
}

impl Adoption {
    /// "N of M platforms have a comparable clause".
    pub fn sentence(&self) -> String {
        format!(
            "{} of {} platforms have a comparable clause",
            self.platforms_with, self.platforms_total
        )
    }
}

/// A BM25 index of provisions from many platforms.
pub struct SimilarityIndex {
    rows: Vec<SimilarityRow>,
    /// term → postings (row, term frequency)
    postings: HashMap<String, Vec<(usize, u32)>>,
    lengths: Vec<u32>,
    avg_len: f32,
    stemmer: Stemmer,
}

impl std::fmt::Debug for SimilarityIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimilarityIndex")
            .field("rows", &self.rows.len())
            .field("terms", &self.postings.len())
            .finish()
    }
}

const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on",
    "or", "that", "the", "this", "to", "with", "any", "its", "such", "other", "which",
];

impl SimilarityIndex {
    /// Builds the index.
    pub fn new(rows: Vec<SimilarityRow>) -> SimilarityIndex {
        let stemmer = Stemmer::create(Algorithm::English);
        let mut postings: HashMap<String, Vec<(usize, u32)>> = HashMap::new();
        let mut lengths = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let toks = analyze(&stemmer, &row.text);
            lengths.push(u32::try_from(toks.len()).unwrap_or(u32::MAX));
            let mut tf: HashMap<String, u32> = HashMap::new();
            for t in toks {
                *tf.entry(t).or_insert(0) += 1;
            }
            let mut tf: Vec<(String, u32)> = tf.into_iter().collect();
            tf.sort();
            for (t, c) in tf {
                postings.entry(t).or_default().push((i, c));
            }
        }
        let avg_len = if lengths.is_empty() {
            1.0
        } else {
            (lengths.iter().map(|&l| f64::from(l)).sum::<f64>() / lengths.len() as f64).max(1.0)
                as f32
        };
        SimilarityIndex {
            rows,
            postings,
            lengths,
            avg_len,
            stemmer,
        }
    }

    /// Number of indexed provisions.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The `k` provisions closest to `text` by BM25, skipping
    /// `exclude_platform`. Only provisions sharing at least one of `labels`
    /// are considered; when none does (or `labels` is empty) all are.
    /// Ties are broken by key, so results are deterministic.
    pub fn closest(
        &self,
        text: &str,
        labels: &[String],
        exclude_platform: Option<&str>,
        k: usize,
    ) -> Vec<Match> {
        let allowed = |i: usize| exclude_platform.is_none_or(|p| self.rows[i].platform != p);
        let shares = |i: usize| self.rows[i].labels.iter().any(|l| labels.contains(l));
        let restricted =
            !labels.is_empty() && (0..self.rows.len()).any(|i| allowed(i) && shares(i));
        let keep = |i: usize| allowed(i) && (!restricted || shares(i));
        let n = self.rows.len() as f32;
        let mut scores: HashMap<usize, f32> = HashMap::new();
        let mut q: Vec<String> = analyze(&self.stemmer, text);
        q.sort();
        q.dedup();
        for term in &q {
            let Some(post) = self.postings.get(term) else {
                continue;
            };
            let df = post.len() as f32;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &(i, tf) in post {
                if !keep(i) {
                    continue;
                }
                let tf = tf as f32;
                let len = self.lengths[i] as f32;
                let s = idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / self.avg_len));
                *scores.entry(i).or_insert(0.0) += s;
            }
        }
        let mut out: Vec<(usize, f32)> = scores.into_iter().filter(|(_, s)| *s > 0.0).collect();
        out.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| self.rows[a.0].key.cmp(&self.rows[b.0].key))
        });
        out.truncate(k);
        out.into_iter()
            .map(|(i, score)| Match {
                key: self.rows[i].key.clone(),
                platform: self.rows[i].platform.clone(),
                score,
            })
            .collect()
    }

    /// How many platforms (other than `exclude_platform`) have at least one
    /// provision sharing one of `labels`.
    pub fn adoption(&self, labels: &[String], exclude_platform: Option<&str>) -> Adoption {
        let mut all = BTreeSet::new();
        let mut with = BTreeSet::new();
        for r in &self.rows {
            if exclude_platform.is_some_and(|p| r.platform == p) {
                continue;
            }
            all.insert(r.platform.as_str());
            if r.labels.iter().any(|l| labels.contains(l)) {
                with.insert(r.platform.as_str());
            }
        }
        Adoption {
            platforms_with: with.len(),
            platforms_total: all.len(),
            platforms: with.into_iter().map(String::from).collect(),
        }
    }
}

/// Lowercased, stop-worded, Snowball-stemmed English tokens; Chinese text
/// as overlapping character bigrams (single characters when isolated).
fn analyze(stemmer: &Stemmer, t: &str) -> Vec<String> {
    let toks = text::word_tokens(t);
    let mut out = Vec::with_capacity(toks.len());
    let mut k = 0;
    while k < toks.len() {
        let tok = &toks[k].text;
        if tok.chars().next().is_some_and(text::is_cjk) {
            // Bigram with the next token when it is an adjacent CJK char.
            match toks.get(k + 1) {
                Some(nx)
                    if nx.start == toks[k].end
                        && nx.text.chars().next().is_some_and(text::is_cjk) =>
                {
                    out.push(format!("{tok}{}", nx.text));
                }
                _ => {
                    if k == 0 || toks[k - 1].end != toks[k].start {
                        out.push(tok.clone());
                    }
                }
            }
        } else if !STOPWORDS.contains(&tok.as_str()) {
            out.push(stemmer.stem(tok).into_owned());
        }
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, platform: &str, text: &str, labels: &[&str]) -> SimilarityRow {
        SimilarityRow {
            key: key.into(),
            platform: platform.into(),
            text: text.into(),
            labels: labels.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn index() -> SimilarityIndex {
        SimilarityIndex::new(vec![
            row(
                "aws#dos",
                "aws",
                "Denial of Service (DoS). Inundating a target with communications requests.",
                &["aup_network_denial_of_service"],
            ),
            row(
                "gcp#dos",
                "gcp",
                "Launching denial-of-service attacks against any website or server.",
                &["aup_network_denial_of_service"],
            ),
            row(
                "ovh#flood",
                "ovh",
                "Flooding a network with requests so that it stops responding.",
                &["aup_network_denial_of_service"],
            ),
            row(
                "ovh#spam",
                "ovh",
                "Sending unsolicited mass email (spam) to recipients.",
                &["aup_message_abuse"],
            ),
            row(
                "cf#service",
                "cloudflare",
                "We provide a service to protect against denial of service attacks.",
                &["meta_parties_scope"],
            ),
            row(
                "zh#dos",
                "aliyun",
                "禁止发起拒绝服务攻击。",
                &["aup_network_denial_of_service"],
            ),
        ])
    }

    #[test]
    fn ranking_prefers_shared_labels_and_term_overlap() {
        let idx = index();
        let labels = vec!["aup_network_denial_of_service".to_string()];
        let m = idx.closest(
            "denial of service attacks on servers",
            &labels,
            Some("aws"),
            3,
        );
        let keys: Vec<&str> = m.iter().map(|x| x.key.as_str()).collect();
        // cloudflare's text matches well but does not share the label: excluded.
        assert_eq!(keys[0], "gcp#dos");
        assert!(!keys.contains(&"cf#service"));
        assert!(!keys.contains(&"aws#dos"));
        assert!(m.windows(2).all(|w| w[0].score >= w[1].score));
    }

    #[test]
    fn falls_back_to_all_rows_without_shared_labels() {
        let idx = index();
        let m = idx.closest("denial of service", &["pp_children".into()], None, 2);
        assert!(!m.is_empty());
        let m2 = idx.closest("denial of service", &[], None, 10);
        assert!(m2.iter().any(|x| x.key == "cf#service"));
    }

    #[test]
    fn chinese_bigrams_match() {
        let idx = index();
        let m = idx.closest("拒绝服务攻击", &[], None, 1);
        assert_eq!(m[0].key, "zh#dos");
    }

    #[test]
    fn adoption_counts_platforms() {
        let idx = index();
        let a = idx.adoption(&["aup_network_denial_of_service".into()], Some("aws"));
        assert_eq!(a.platforms, ["aliyun", "gcp", "ovh"]);
        assert_eq!(a.platforms_total, 4);
        assert_eq!(a.sentence(), "3 of 4 platforms have a comparable clause");
        assert!(
            SimilarityIndex::new(vec![])
                .closest("x", &[], None, 3)
                .is_empty()
        );
    }
}
