//! Training and evaluating the unfair-clause model on the CLAUDETTE corpus:
//! `train` (reproducible: sorted inputs, fixed seed, single-order
//! arithmetic → byte-identical model files) and `cross_validate` (k folds
//! split by document, per-label precision/recall/F1, macro-F1), plus the
//! rule-only scores of the same folds for comparison.

use crate::corpus::{Corpus, ServiceDoc};
use crate::error::AnalyzeError;
use crate::features::{FeatureConfig, SentenceInput, SparseVec, Vocabulary, raw_features};
use crate::label::{LabelContext, UNFAIR_CATEGORIES};
use crate::model::{LabelModel, Model, ModelHeader, tos_rule_features};
use crate::rules::RuleSet;
use crate::svm::{self, SvmParams};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// How to train. The defaults are the settings of the committed model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    /// Feature settings.
    pub features: FeatureConfig,
    /// SVM regularisation C (larger = less regularisation).
    pub c: f32,
    /// Positive examples get C × (negatives/positives)^exponent (0 = unweighted, 1 = balanced).
    pub positive_weight_exponent: f32,
    /// Inner folds (by document) used to tune each label's threshold and calibration.
    pub inner_folds: usize,
    /// Seed of the coordinate-descent shuffles.
    pub seed: u64,
    /// Upper bound on coordinate-descent epochs.
    pub max_epochs: usize,
    /// Train only on these services (file stems); `None` = all.
    pub services: Option<Vec<String>>,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            features: FeatureConfig::default(),
            c: 1.0,
            positive_weight_exponent: 0.75,
            inner_folds: 4,
            seed: 20_240_531,
            max_epochs: 400,
            services: None,
        }
    }
}

/// Precision, recall and F1 of one label over all folds (counts pooled).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelScore {
    /// The label id.
    pub label: String,
    /// The CLAUDETTE tag.
    pub tag: String,
    /// Positive sentences in the corpus.
    pub support: usize,
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    pub fn_: usize,
    /// tp / (tp + fp).
    pub precision: f32,
    /// tp / (tp + fn).
    pub recall: f32,
    /// Harmonic mean of precision and recall.
    pub f1: f32,
}

/// The result of [`cross_validate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvReport {
    /// Number of folds.
    pub folds: usize,
    /// Each service and its fold (sorted names dealt round-robin).
    pub fold_assignment: Vec<(String, usize)>,
    /// Sentences evaluated.
    pub sentences: usize,
    /// Model scores per label.
    pub per_label: Vec<LabelScore>,
    /// Unweighted mean of the per-label F1 (model).
    pub macro_f1: f32,
    /// F1 over all labels' pooled counts (model).
    pub micro_f1: f32,
    /// The cue rules alone on the same sentences, per label.
    pub rules_only: Vec<LabelScore>,
    /// Macro-F1 of the cue rules alone.
    pub rules_only_macro_f1: f32,
    /// The options used.
    pub options: TrainOptions,
}

impl CvReport {
    /// A plain-text table of the per-label scores.
    pub fn to_table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{}-fold cross-validation by document over {} services, {} sentences",
            self.folds,
            self.fold_assignment.len(),
            self.sentences
        );
        let _ = writeln!(
            s,
            "{:<30} {:>4} {:>7} {:>7} {:>7} | {:>7} {:>7} {:>7}",
            "label", "supp", "P", "R", "F1", "rule P", "rule R", "rule F1"
        );
        for (m, r) in self.per_label.iter().zip(&self.rules_only) {
            let _ = writeln!(
                s,
                "{:<30} {:>4} {:>7.3} {:>7.3} {:>7.3} | {:>7.3} {:>7.3} {:>7.3}",
                m.label, m.support, m.precision, m.recall, m.f1, r.precision, r.recall, r.f1
            );
        }
        let _ = writeln!(
            s,
            "macro-F1 {:.3}   micro-F1 {:.3}   (cue rules alone: macro-F1 {:.3})",
            self.macro_f1, self.micro_f1, self.rules_only_macro_f1
        );
        s
    }
}

/// One corpus sentence with its raw features.
struct Example {
    doc: usize,
    tags: u8,
    raw: Vec<(String, f32)>,
    rule_mask: u8,
}

fn prepare(corpus: &Corpus, cfg: &FeatureConfig) -> Vec<Example> {
    let rules = RuleSet::embedded();
    let ctx = LabelContext::default();
    let mut out = Vec::new();
    for (d, doc) in corpus.docs.iter().enumerate() {
        for (k, sentence) in doc.sentences.iter().enumerate() {
            if sentence.trim().is_empty() {
                continue;
            }
            let hits = rules.map(|r| r.apply(sentence, &ctx)).unwrap_or_default();
            let mut rule_mask = 0u8;
            for h in hits.iter().filter(|h| h.fires) {
                if let Some(i) = UNFAIR_CATEGORIES.iter().position(|(id, _)| *id == h.label) {
                    rule_mask |= 1 << i;
                }
            }
            let input = SentenceInput {
                text: sentence,
                prev: neighbour(doc, k, -1),
                next: neighbour(doc, k, 1),
                rules: if cfg.rule_weight > 0.0 {
                    tos_rule_features(&hits, 0, sentence.len())
                } else {
                    Vec::new()
                },
            };
            out.push(Example {
                doc: d,
                tags: doc.tags[k],
                raw: raw_features(cfg, &input),
                rule_mask,
            });
        }
    }
    out
}

fn neighbour(doc: &ServiceDoc, k: usize, step: isize) -> &str {
    k.checked_add_signed(step)
        .and_then(|j| doc.sentences.get(j))
        .map_or("", |s| s.as_str())
}

/// Trains the model on the CLAUDETTE corpus at `corpus_dir`. Reproducible:
/// the same corpus and options always give byte-identical
/// [`Model::to_bytes`].
pub fn train(corpus_dir: &Path, options: &TrainOptions) -> Result<Model, AnalyzeError> {
    let mut corpus = Corpus::load(corpus_dir)?;
    if let Some(s) = &options.services {
        corpus.retain_services(s);
    }
    if corpus.docs.is_empty() {
        return Err(AnalyzeError::Corpus {
            path: corpus_dir.to_path_buf(),
            message: "no service left to train on".into(),
        });
    }
    Ok(train_corpus(&corpus, options))
}

/// [`train`] on an already loaded corpus.
pub fn train_corpus(corpus: &Corpus, options: &TrainOptions) -> Model {
    let examples = prepare(corpus, &options.features);
    let all: Vec<usize> = (0..examples.len()).collect();
    let raws: Vec<Vec<(String, f32)>> = examples.iter().map(|e| e.raw.clone()).collect();
    let vocab = Vocabulary::build(&raws, options.features.min_df);
    let xs: Vec<SparseVec> = raws
        .iter()
        .map(|r| vocab.vectorize(&options.features, r))
        .collect();
    let labels = fit(&xs, &examples, &all, vocab.len(), options);
    let mut positives = BTreeMap::new();
    for (i, (id, _)) in UNFAIR_CATEGORIES.iter().enumerate() {
        positives.insert(
            id.to_string(),
            examples.iter().filter(|e| e.tags & (1 << i) != 0).count(),
        );
    }
    let header = ModelHeader {
        data:
            "CLAUDETTE English sentences (corpus/sentences/en/original + corpus/tags/en/original); \
               tags 2/3 = label, 1 = not"
                .into(),
        licence: "CC BY 4.0. Data: Lippi et al., CLAUDETTE, AI & Law 27 (2019); Galassi, Lagioia, \
                  Jabłonowska, Lippi, Unfair clause detection in terms of service across multiple \
                  languages, AI & Law (2024)"
            .into(),
        services: corpus.docs.iter().map(|d| d.name.clone()).collect(),
        sentences: examples.len(),
        positives,
        features: options.features.clone(),
        c: options.c,
        positive_weight_exponent: options.positive_weight_exponent,
        inner_folds: options.inner_folds,
        seed: options.seed,
    };
    Model {
        header,
        vocab,
        labels,
    }
}

/// Fits one scorer per category on `train` (indices into `xs`), tuning
/// threshold and calibration on inner folds by document.
fn fit(
    xs: &[SparseVec],
    ex: &[Example],
    train: &[usize],
    dim: usize,
    o: &TrainOptions,
) -> Vec<LabelModel> {
    let mut docs: Vec<usize> = train.iter().map(|&i| ex[i].doc).collect();
    docs.sort_unstable();
    docs.dedup();
    let inner = o.inner_folds.min(docs.len());
    let inner_of = |doc: usize| docs.iter().position(|&d| d == doc).unwrap_or(0) % inner.max(1);
    let one_label = |li: usize| -> LabelModel {
        let ys: Vec<bool> = ex.iter().map(|e| e.tags & (1 << li) != 0).collect();
        let params = |idx: &[usize]| {
            let pos = idx.iter().filter(|&&i| ys[i]).count().max(1) as f64;
            let neg = (idx.len() as f64 - pos).max(1.0);
            SvmParams {
                c_pos: f64::from(o.c) * (neg / pos).powf(f64::from(o.positive_weight_exponent)),
                c_neg: f64::from(o.c),
                max_epochs: o.max_epochs,
                eps: 0.1,
                seed: o.seed.wrapping_add(li as u64),
            }
        };
        let mut oof: Vec<(f32, bool)> = Vec::new();
        if inner >= 2 {
            for f in 0..inner {
                let tr: Vec<usize> = train
                    .iter()
                    .copied()
                    .filter(|&i| inner_of(ex[i].doc) != f)
                    .collect();
                let te: Vec<usize> = train
                    .iter()
                    .copied()
                    .filter(|&i| inner_of(ex[i].doc) == f)
                    .collect();
                let m = svm::train(xs, &ys, &tr, dim, params(&tr));
                oof.extend(te.iter().map(|&i| (m.score(&xs[i]), ys[i])));
            }
        }
        let (threshold, inner_f1) = if oof.iter().any(|p| p.1) {
            svm::best_threshold(&oof)
        } else {
            (0.0, 0.0)
        };
        let platt = if oof.is_empty() {
            (1.0, 0.0)
        } else {
            svm::platt(&oof)
        };
        let linear = svm::train(xs, &ys, train, dim, params(train));
        LabelModel {
            id: UNFAIR_CATEGORIES[li].0,
            linear,
            threshold,
            platt,
            inner_f1,
        }
    };
    // Two workers, labels dealt by index: deterministic whatever the timing.
    let mut slots: Vec<Option<LabelModel>> = vec![None; UNFAIR_CATEGORIES.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|t| {
                let one_label = &one_label;
                scope.spawn(move || {
                    (0..UNFAIR_CATEGORIES.len())
                        .filter(|li| li % 2 == t)
                        .map(|li| (li, one_label(li)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            if let Ok(done) = h.join() {
                for (li, m) in done {
                    slots[li] = Some(m);
                }
            }
        }
    });
    slots
        .into_iter()
        .enumerate()
        .map(|(li, m)| m.unwrap_or_else(|| one_label(li)))
        .collect()
}

/// Cross-validates with the default options: `folds` folds split by
/// document (sorted service names dealt round-robin).
pub fn cross_validate(corpus_dir: &Path, folds: usize) -> Result<CvReport, AnalyzeError> {
    cross_validate_with(corpus_dir, folds, &TrainOptions::default())
}

/// [`cross_validate`] with explicit options.
pub fn cross_validate_with(
    corpus_dir: &Path,
    folds: usize,
    options: &TrainOptions,
) -> Result<CvReport, AnalyzeError> {
    let mut corpus = Corpus::load(corpus_dir)?;
    if let Some(s) = &options.services {
        corpus.retain_services(s);
    }
    let folds = folds.clamp(2, corpus.docs.len().max(2));
    let assignment = corpus.folds(folds);
    let examples = prepare(&corpus, &options.features);
    let n_labels = UNFAIR_CATEGORIES.len();
    let mut model_counts = vec![[0usize; 3]; n_labels];
    for f in 0..folds {
        let in_fold = |e: &Example| assignment.get(e.doc).is_some_and(|a| a.1 == f);
        let train: Vec<usize> = (0..examples.len())
            .filter(|&i| !in_fold(&examples[i]))
            .collect();
        let test: Vec<usize> = (0..examples.len())
            .filter(|&i| in_fold(&examples[i]))
            .collect();
        let train_raw: Vec<Vec<(String, f32)>> =
            train.iter().map(|&i| examples[i].raw.clone()).collect();
        let vocab = Vocabulary::build(&train_raw, options.features.min_df);
        let xs: Vec<SparseVec> = examples
            .iter()
            .map(|e| vocab.vectorize(&options.features, &e.raw))
            .collect();
        let models = fit(&xs, &examples, &train, vocab.len(), options);
        for &i in &test {
            for (li, m) in models.iter().enumerate() {
                let predicted = m.linear.score(&xs[i]) >= m.threshold;
                count(
                    &mut model_counts[li],
                    predicted,
                    examples[i].tags & (1 << li) != 0,
                );
            }
        }
    }
    let mut rule_counts = vec![[0usize; 3]; n_labels];
    for e in &examples {
        for (li, c) in rule_counts.iter_mut().enumerate() {
            count(c, e.rule_mask & (1 << li) != 0, e.tags & (1 << li) != 0);
        }
    }
    let support: Vec<usize> = (0..n_labels)
        .map(|li| examples.iter().filter(|e| e.tags & (1 << li) != 0).count())
        .collect();
    let per_label = scores(&model_counts, &support);
    let rules_only = scores(&rule_counts, &support);
    let (tp, fp, fn_) = model_counts
        .iter()
        .fold((0, 0, 0), |(a, b, c), x| (a + x[0], b + x[1], c + x[2]));
    Ok(CvReport {
        folds,
        fold_assignment: assignment,
        sentences: examples.len(),
        macro_f1: macro_f1(&per_label),
        micro_f1: f1(tp, fp, fn_).2,
        rules_only_macro_f1: macro_f1(&rules_only),
        per_label,
        rules_only,
        options: options.clone(),
    })
}

fn count(c: &mut [usize; 3], predicted: bool, actual: bool) {
    match (predicted, actual) {
        (true, true) => c[0] += 1,
        (true, false) => c[1] += 1,
        (false, true) => c[2] += 1,
        (false, false) => {}
    }
}

fn f1(tp: usize, fp: usize, fn_: usize) -> (f32, f32, f32) {
    let p = if tp + fp == 0 {
        0.0
    } else {
        tp as f32 / (tp + fp) as f32
    };
    let r = if tp + fn_ == 0 {
        0.0
    } else {
        tp as f32 / (tp + fn_) as f32
    };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

fn scores(counts: &[[usize; 3]], support: &[usize]) -> Vec<LabelScore> {
    UNFAIR_CATEGORIES
        .iter()
        .zip(counts)
        .zip(support)
        .map(|(((id, tag), c), &support)| {
            let (precision, recall, f) = f1(c[0], c[1], c[2]);
            LabelScore {
                label: id.to_string(),
                tag: tag.to_string(),
                support,
                tp: c[0],
                fp: c[1],
                fn_: c[2],
                precision,
                recall,
                f1: f,
            }
        })
        .collect()
}

fn macro_f1(s: &[LabelScore]) -> f32 {
    if s.is_empty() {
        0.0
    } else {
        s.iter().map(|x| x.f1).sum::<f32>() / s.len() as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f1_edge_cases() {
        assert_eq!(f1(0, 0, 0), (0.0, 0.0, 0.0));
        assert_eq!(f1(1, 0, 0), (1.0, 1.0, 1.0));
        let (p, r, f) = f1(1, 1, 2);
        assert!((p - 0.5).abs() < 1e-6 && (r - 1.0 / 3.0).abs() < 1e-6 && (f - 0.4).abs() < 1e-6);
    }
}
