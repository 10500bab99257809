//! Training the unfair-clause model on the CLAUDETTE corpus: `train`
//! (reproducible: sorted inputs, fixed seed, single-order arithmetic →
//! byte-identical model files), with each label's threshold and calibration
//! chosen on inner folds split by document. Evaluation is in `eval.rs`.

use crate::corpus::{Corpus, ServiceDoc};
use crate::error::AnalyzeError;
use crate::features::{FeatureConfig, SentenceInput, SparseVec, Vocabulary, raw_features};
use crate::label::{LabelContext, UNFAIR_CATEGORIES};
use crate::model::{LabelModel, Model, ModelHeader, tos_rule_features};
use crate::rules::RuleSet;
use crate::svm::{self, SvmParams};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
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
    /// Each label's threshold maximises inner-fold F1 among the cuts whose
    /// inner-fold precision reaches this floor (0 = plain F1).
    #[serde(default)]
    pub min_precision: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            features: FeatureConfig::default(),
            c: 1.0,
            positive_weight_exponent: 0.5,
            inner_folds: 4,
            seed: 20_240_531,
            max_epochs: 400,
            services: None,
            min_precision: 0.0,
        }
    }
}

/// One corpus sentence with its raw features.
pub(crate) struct Example {
    pub(crate) doc: usize,
    /// The sentence's index in its document.
    pub(crate) sentence: usize,
    pub(crate) tags: u8,
    pub(crate) raw: Vec<(String, f32)>,
    pub(crate) rule_mask: u8,
}

pub(crate) fn prepare(corpus: &Corpus, cfg: &FeatureConfig) -> Vec<Example> {
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
                sentence: k,
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
    let services = corpus.docs.iter().map(|d| d.name.clone()).collect();
    fit_model(&examples, &all, services, options).0
}

/// Builds the vocabulary from the examples `train`, fits every category on
/// them and returns the model with every example vectorised by its vocabulary.
pub(crate) fn fit_model(
    examples: &[Example],
    train: &[usize],
    services: Vec<String>,
    options: &TrainOptions,
) -> (Model, Vec<SparseVec>) {
    let raws: Vec<Vec<(String, f32)>> = train.iter().map(|&i| examples[i].raw.clone()).collect();
    let vocab = Vocabulary::build(&raws, options.features.min_df);
    let xs: Vec<SparseVec> = examples
        .iter()
        .map(|e| vocab.vectorize(&options.features, &e.raw))
        .collect();
    let labels = fit(&xs, examples, train, vocab.len(), options);
    let mut positives = BTreeMap::new();
    for (i, (id, _)) in UNFAIR_CATEGORIES.iter().enumerate() {
        positives.insert(
            id.to_string(),
            train
                .iter()
                .filter(|&&k| examples[k].tags & (1 << i) != 0)
                .count(),
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
        services,
        sentences: train.len(),
        positives,
        features: options.features.clone(),
        c: options.c,
        positive_weight_exponent: options.positive_weight_exponent,
        inner_folds: options.inner_folds,
        seed: options.seed,
    };
    let model = Model {
        header,
        vocab,
        labels,
    };
    (model, xs)
}

/// Fits one scorer per category on `train` (indices into `xs`), tuning
/// threshold and calibration on inner folds by document.
pub(crate) fn fit(
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
            svm::best_threshold(&oof, o.min_precision)
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
