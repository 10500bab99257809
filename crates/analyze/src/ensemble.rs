//! How the eight unfair-clause categories are decided when the fine-tuned
//! encoder is built in (feature `encoder`, issue #21): the linear model's
//! calibrated probability and the encoder's are combined as
//! `w·p_encoder + (1 − w)·p_linear` and compared with a per-label threshold.
//! The encoder costs ~100× the linear model per sentence, so it runs only on
//! sentences whose highest linear probability over the eight reaches a gate;
//! below the gate the encoder's probability counts as 0. The weight, the
//! thresholds and the gate were chosen on a validation fold the encoder
//! never trained on (`examples/calibrate_encoder.rs`) and are committed at
//! `model/encoder/ensemble.json`.

use crate::encoder::Encoder;
use crate::error::AnalyzeError;
use crate::label::UNFAIR_CATEGORIES;
use crate::model::{Model, ModelPrediction};
use crate::rules::RuleHit;
use crate::svm::sigmoid;
use crate::text;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

const EMBEDDED_ENSEMBLE: &[u8] = include_bytes!("../model/encoder/ensemble.json");
const FORMAT: &str = "cw-analyze/unfair-tos-ensemble";

/// The combination's settings; see the module documentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ensemble {
    /// Always `cw-analyze/unfair-tos-ensemble`.
    pub format: String,
    /// Weight `w` of the encoder's probability (the linear model gets `1 − w`).
    pub encoder_weight: f32,
    /// Threshold on the combined probability, per label in
    /// [`UNFAIR_CATEGORIES`] order.
    pub thresholds: Vec<f32>,
    /// The encoder runs on a sentence only when the linear model's highest
    /// calibrated probability over the eight reaches this.
    pub gate: f32,
    /// The documents the choices were made on (never trained on by the
    /// encoder; the linear model scored them out of fold).
    pub calibrated_on: Vec<String>,
    /// Scores on those documents, for the record.
    #[serde(default)]
    pub validation: serde_json::Value,
}

impl Ensemble {
    /// The committed settings, loaded once; `None` if the file is missing or
    /// malformed (a unit test guards it).
    pub fn embedded() -> Option<&'static Ensemble> {
        static ENSEMBLE: OnceLock<Option<Ensemble>> = OnceLock::new();
        ENSEMBLE
            .get_or_init(|| Ensemble::from_bytes(EMBEDDED_ENSEMBLE).ok())
            .as_ref()
    }

    /// Parses and checks a settings file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Ensemble, AnalyzeError> {
        let bad = |message: String| AnalyzeError::ModelFile(message);
        let e: Ensemble = serde_json::from_slice(bytes)
            .map_err(|err| bad(format!("ensemble settings: {err}")))?;
        if e.format != FORMAT {
            return Err(bad(format!("ensemble settings: format {:?}", e.format)));
        }
        if e.thresholds.len() != UNFAIR_CATEGORIES.len() {
            return Err(bad(format!(
                "ensemble settings: {} thresholds for {} labels",
                e.thresholds.len(),
                UNFAIR_CATEGORIES.len()
            )));
        }
        if !(0.0..=1.0).contains(&e.encoder_weight) || !(0.0..=1.0).contains(&e.gate) {
            return Err(bad(
                "ensemble settings: weight and gate lie in [0, 1]".into()
            ));
        }
        Ok(e)
    }

    /// The combined probability of one label.
    pub fn combine(&self, linear: f32, encoder: f32) -> f32 {
        self.encoder_weight * encoder + (1.0 - self.encoder_weight) * linear
    }
}

/// The linear model's calibrated probabilities of one sentence, in
/// [`UNFAIR_CATEGORIES`] order (`label()`'s view: rule hits as features).
fn linear_probabilities(model: &Model, x: &crate::features::SparseVec) -> Vec<f32> {
    model
        .labels
        .iter()
        .map(|l| sigmoid(l.platt.0 * l.linear.score(x) + l.platt.1))
        .collect()
}

/// [`Model::predict_provision`] with the encoder: every sentence gets the
/// linear probabilities; those reaching the gate are also read by the
/// encoder (in one batch); the best sentence per label by combined
/// probability is returned, `fires` against the ensemble's thresholds.
/// If the encoder fails (it should not: input is truncated, never rejected)
/// the linear model alone decides, as without the feature.
pub(crate) fn predict_provision(
    model: &Model,
    encoder: &Encoder,
    ensemble: &Ensemble,
    text: &str,
    rule_hits: &[RuleHit],
) -> Vec<ModelPrediction> {
    let spans = text::sentence_spans(text);
    let mut linear: Vec<Vec<f32>> = Vec::with_capacity(spans.len());
    for k in 0..spans.len() {
        let x = model.sentence_vector(text, &spans, k, rule_hits);
        linear.push(linear_probabilities(model, &x));
    }
    let gated: Vec<usize> = (0..spans.len())
        .filter(|&k| linear[k].iter().copied().fold(0.0f32, f32::max) >= ensemble.gate)
        .collect();
    let sentences: Vec<&str> = gated
        .iter()
        .filter_map(|&k| spans.get(k).and_then(|&(a, b)| text.get(a..b)))
        .collect();
    let encoded = if sentences.is_empty() {
        Vec::new()
    } else {
        match encoder.probabilities(&sentences) {
            Ok(p) => p,
            Err(_) => return model.predict_provision(text, rule_hits),
        }
    };
    let mut best: Vec<Option<ModelPrediction>> = vec![None; model.labels.len()];
    for (k, &(s, e)) in spans.iter().enumerate() {
        let enc = gated
            .iter()
            .position(|&g| g == k)
            .and_then(|i| encoded.get(i));
        for (li, l) in model.labels.iter().enumerate() {
            let p_lin = linear[k].get(li).copied().unwrap_or(0.0);
            let p_enc = enc.and_then(|v| v.get(li)).copied().unwrap_or(0.0);
            let p = ensemble.combine(p_lin, p_enc);
            if best[li].as_ref().is_none_or(|b| p > b.confidence) {
                best[li] = Some(ModelPrediction {
                    label: l.id,
                    score: p,
                    confidence: p,
                    fires: p >= ensemble.thresholds.get(li).copied().unwrap_or(1.0),
                    span: (s, e),
                });
            }
        }
    }
    best.into_iter().flatten().collect()
}

/// One development sentence as the calibration sees it: the linear
/// model's probabilities (best sentence span per label) and the encoder's,
/// both from models that did not train on its document.
struct ScoredSentence {
    linear: Vec<f32>,
    encoder: Vec<f32>,
    tags: u8,
}

/// What [`calibrate`] chose and how it scored on the out-of-fold sentences.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    /// The settings to commit.
    pub ensemble: Ensemble,
    /// Macro-F1 over the eight, out of fold: linear model alone (its own thresholds).
    pub macro_f1_linear: f32,
    /// Encoder alone, thresholds tuned out of fold.
    pub macro_f1_encoder: f32,
    /// The chosen ensemble.
    pub macro_f1_ensemble: f32,
    /// Share of sentences the gate lets through to the encoder.
    pub gated_share: f32,
    /// Sentences scored.
    pub sentences: usize,
}

fn f1_of(pred: &[bool], truth: &[bool]) -> f32 {
    let (mut tp, mut fp, mut fneg) = (0u32, 0u32, 0u32);
    for (&p, &t) in pred.iter().zip(truth) {
        match (p, t) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fneg += 1,
            _ => {}
        }
    }
    if tp == 0 {
        return 0.0;
    }
    2.0 * tp as f32 / (2 * tp + fp + fneg) as f32
}

/// Per label, the threshold (0.05–0.95 in steps of 0.01) that maximises F1;
/// returns `(thresholds, macro-F1)`.
fn tune_thresholds(combined: &[Vec<f32>], truth: &[Vec<bool>]) -> (Vec<f32>, f32) {
    let mut thresholds = Vec::new();
    let mut f1_sum = 0.0;
    for (li, truth) in truth.iter().enumerate() {
        let mut chosen = (0.0f32, 0.5f32);
        for step in 5..=95 {
            let t = step as f32 / 100.0;
            let pred: Vec<bool> = combined
                .iter()
                .map(|p| p.get(li).is_some_and(|&x| x >= t))
                .collect();
            let f1 = f1_of(&pred, truth);
            if f1 > chosen.0 {
                chosen = (f1, t);
            }
        }
        thresholds.push(chosen.1);
        f1_sum += chosen.0;
    }
    (thresholds, f1_sum / UNFAIR_CATEGORIES.len() as f32)
}

/// Reads the training script's out-of-fold encoder probabilities:
/// `service<TAB>line<TAB>p1 … p8`, `#` comments and one header line.
fn read_oof(path: &Path) -> Result<HashMap<(String, usize), Vec<f32>>, AnalyzeError> {
    let text = std::fs::read_to_string(path).map_err(|source| AnalyzeError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |n: usize, what: &str| AnalyzeError::Corpus {
        path: path.to_path_buf(),
        message: format!("line {n}: {what}"),
    };
    let mut out = HashMap::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#'))
        .skip(1)
    {
        let mut cols = line.split('\t');
        let service = cols.next().ok_or_else(|| bad(n + 1, "no service"))?;
        let index: usize = cols
            .next()
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| bad(n + 1, "no line number"))?;
        let probs: Vec<f32> = cols.filter_map(|c| c.parse().ok()).collect();
        if probs.len() != UNFAIR_CATEGORIES.len() {
            return Err(bad(n + 1, "expected 8 probabilities"));
        }
        out.insert((service.to_string(), index), probs);
    }
    Ok(out)
}

/// Chooses the ensemble's weight, gate and thresholds on out-of-fold
/// predictions of the 32 development documents (the held-back documents are
/// never read): the development documents, sorted by name, are dealt into
/// two halves as `encoder/train_encoder.py` deals them; a linear model
/// trained on each half scores the other half's sentences through
/// `label()`'s own path (calibrated probabilities, best sentence span), and
/// the encoder's probabilities come from `oof_path` (written by the
/// training script, same halves). Weights 0–1 in steps of 0.1 are searched,
/// each with F1-tuned thresholds per label; then the highest gate in 0–0.3
/// that stays within 0.005 macro-F1 of the best (the gate decides the cost).
pub fn calibrate(
    corpus_dir: &Path,
    oof_path: &Path,
    options: &crate::TrainOptions,
) -> Result<Calibration, AnalyzeError> {
    let corpus = crate::Corpus::load(corpus_dir)?;
    let oof = read_oof(oof_path)?;
    let names: Vec<String> = corpus.docs.iter().map(|d| d.name.clone()).collect();
    let held = crate::held_back_services(&names);
    let dev: Vec<String> = names
        .iter()
        .filter(|n| !held.contains(n))
        .cloned()
        .collect();
    let rules = crate::RuleSet::embedded();
    let ctx = crate::LabelContext::with_doc_type(crate::DocType::Tos);
    let mut scored = Vec::new();
    let mut linear_alone = Vec::new();
    for half in 0..2 {
        let (scored_names, train_names): (Vec<String>, Vec<String>) = dev
            .iter()
            .cloned()
            .enumerate()
            .fold((Vec::new(), Vec::new()), |mut acc, (i, n)| {
                if i % 2 == half {
                    acc.0.push(n)
                } else {
                    acc.1.push(n)
                }
                acc
            });
        let mut training = corpus.clone();
        training.retain_services(&train_names);
        let model = crate::train_corpus(&training, options);
        for doc in corpus
            .docs
            .iter()
            .filter(|d| scored_names.contains(&d.name))
        {
            for (line, (sentence, &tags)) in doc.sentences.iter().zip(&doc.tags).enumerate() {
                let encoder = oof.get(&(doc.name.clone(), line)).cloned().ok_or_else(|| {
                    AnalyzeError::Corpus {
                        path: oof_path.to_path_buf(),
                        message: format!("no probabilities for {} line {line}", doc.name),
                    }
                })?;
                let hits = rules.map(|r| r.apply(sentence, &ctx)).unwrap_or_default();
                let spans = text::sentence_spans(sentence);
                let mut linear = vec![0.0f32; UNFAIR_CATEGORIES.len()];
                for k in 0..spans.len() {
                    let x = model.sentence_vector(sentence, &spans, k, &hits);
                    for (best, p) in linear.iter_mut().zip(linear_probabilities(&model, &x)) {
                        *best = best.max(p);
                    }
                }
                linear_alone.push(
                    model
                        .predict_provision(sentence, &hits)
                        .iter()
                        .filter(|p| p.fires)
                        .filter_map(|p| UNFAIR_CATEGORIES.iter().position(|(id, _)| *id == p.label))
                        .fold(0u8, |m, i| m | (1 << i)),
                );
                scored.push(ScoredSentence {
                    linear,
                    encoder,
                    tags,
                });
            }
        }
    }
    let truth: Vec<Vec<bool>> = (0..UNFAIR_CATEGORIES.len())
        .map(|li| scored.iter().map(|s| s.tags >> li & 1 == 1).collect())
        .collect();
    let macro_f1_linear = truth
        .iter()
        .enumerate()
        .map(|(li, t)| {
            f1_of(
                &linear_alone
                    .iter()
                    .map(|m| m >> li & 1 == 1)
                    .collect::<Vec<_>>(),
                t,
            )
        })
        .sum::<f32>()
        / UNFAIR_CATEGORIES.len() as f32;
    let combined = |w: f32, gate: f32| -> Vec<Vec<f32>> {
        scored
            .iter()
            .map(|s| {
                let open = s.linear.iter().copied().fold(0.0f32, f32::max) >= gate;
                s.linear
                    .iter()
                    .zip(&s.encoder)
                    .map(|(&l, &e)| w * if open { e } else { 0.0 } + (1.0 - w) * l)
                    .collect()
            })
            .collect()
    };
    let (_, macro_f1_encoder) = tune_thresholds(&combined(1.0, 0.0), &truth);
    let mut best = (f32::MIN, 0.0f32);
    for wi in 0..=10 {
        let w = wi as f32 / 10.0;
        let (_, m) = tune_thresholds(&combined(w, 0.0), &truth);
        if m > best.0 {
            best = (m, w);
        }
    }
    let (top, w) = best;
    let mut gate = 0.0f32;
    for g in [0.02f32, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3] {
        if tune_thresholds(&combined(w, g), &truth).1 >= top - 0.005 {
            gate = g;
        }
    }
    let (thresholds, macro_f1_ensemble) = tune_thresholds(&combined(w, gate), &truth);
    let open = scored
        .iter()
        .filter(|s| s.linear.iter().copied().fold(0.0f32, f32::max) >= gate)
        .count();
    let gated_share = open as f32 / scored.len().max(1) as f32;
    Ok(Calibration {
        ensemble: Ensemble {
            format: FORMAT.to_string(),
            encoder_weight: w,
            thresholds,
            gate,
            calibrated_on: dev,
            validation: serde_json::json!({
                "how": "out of fold: two halves of the 32 development documents, each scored by models trained on the other",
                "sentences": scored.len(),
                "macro_f1_linear_alone": macro_f1_linear,
                "macro_f1_encoder_alone": macro_f1_encoder,
                "macro_f1_ensemble": macro_f1_ensemble,
                "gated_share_of_sentences": gated_share,
            }),
        },
        macro_f1_linear,
        macro_f1_encoder,
        macro_f1_ensemble,
        gated_share,
        sentences: scored.len(),
    })
}
