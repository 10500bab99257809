//! The trained unfair-clause model: vocabulary, idf and one linear scorer
//! per UNFAIR-ToS category with its F1-tuned threshold and Platt
//! calibration; its compact file format (JSON header + base64 arrays); the
//! embedded copy (`model/unfair_tos.json`); and sentence/provision prediction.

use crate::error::AnalyzeError;
use crate::features::{FeatureConfig, IDF_SCALE, SentenceInput, SparseVec, Vocabulary};
use crate::label::UNFAIR_CATEGORIES;
use crate::rules::RuleHit;
use crate::svm::{Linear, sigmoid};
use crate::text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const EMBEDDED_MODEL: &[u8] = include_bytes!("../model/unfair_tos.json");
const FORMAT: &str = "cw-analyze/unfair-tos";
const VERSION: u32 = 1;

/// What a model was trained on and how; written into the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelHeader {
    /// The training data.
    pub data: String,
    /// The data licence and attribution.
    pub licence: String,
    /// Services (documents) trained on, sorted.
    pub services: Vec<String>,
    /// Number of training sentences.
    pub sentences: usize,
    /// Positive sentences per label.
    pub positives: BTreeMap<String, usize>,
    /// Feature settings.
    pub features: FeatureConfig,
    /// SVM regularisation C.
    pub c: f32,
    /// Positive-class weight = (negatives/positives)^exponent.
    pub positive_weight_exponent: f32,
    /// Inner folds used to tune thresholds and calibration.
    pub inner_folds: usize,
    /// The random seed (shuffling in coordinate descent).
    pub seed: u64,
}

/// One category's scorer.
#[derive(Debug, Clone)]
pub(crate) struct LabelModel {
    pub(crate) id: &'static str,
    pub(crate) linear: Linear,
    /// Scores at or above this fire.
    pub(crate) threshold: f32,
    pub(crate) platt: (f32, f32),
    /// F1 of the tuned threshold on the inner folds.
    pub(crate) inner_f1: f32,
}

/// The trained model for the eight UNFAIR-ToS categories.
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) header: ModelHeader,
    pub(crate) vocab: Vocabulary,
    pub(crate) labels: Vec<LabelModel>,
}

/// One category's prediction for a provision (its best sentence).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelPrediction {
    /// The label id.
    pub label: &'static str,
    /// The raw linear score of the best sentence.
    pub score: f32,
    /// Calibrated probability.
    pub confidence: f32,
    /// True when the score reaches the tuned threshold.
    pub fires: bool,
    /// BYTE range of the best sentence in the provision.
    pub span: (usize, usize),
}

#[derive(Serialize, Deserialize)]
struct ModelFile {
    format: String,
    version: u32,
    header: ModelHeader,
    /// Terms joined by '\n' (terms never contain a newline).
    vocabulary: String,
    /// idf × 2048 as little-endian u16 (idf is quantised the same way at training time).
    idf_u16le: String,
    labels: Vec<LabelFile>,
}

#[derive(Serialize, Deserialize)]
struct LabelFile {
    id: String,
    bias: f32,
    threshold: f32,
    platt_a: f32,
    platt_b: f32,
    inner_f1: f32,
    /// Weights are stored as i16 × `scale`.
    scale: f32,
    weights_i16le: String,
}

impl Model {
    /// The model committed at `model/unfair_tos.json`, loaded once; `None`
    /// only if that file is missing or corrupt (a unit test guards it).
    pub fn embedded() -> Option<&'static Model> {
        static MODEL: OnceLock<Option<Model>> = OnceLock::new();
        MODEL
            .get_or_init(|| Model::from_bytes(EMBEDDED_MODEL).ok())
            .as_ref()
    }

    /// The header: data, licence, services, settings.
    pub fn header(&self) -> &ModelHeader {
        &self.header
    }

    /// Number of vocabulary entries.
    pub fn vocabulary_size(&self) -> usize {
        self.vocab.len()
    }

    /// `(label, threshold, inner-fold F1)` per category.
    pub fn thresholds(&self) -> Vec<(&'static str, f32, f32)> {
        self.labels
            .iter()
            .map(|l| (l.id, l.threshold, l.inner_f1))
            .collect()
    }

    /// Serialises the model. The same model always gives the same bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut idf = Vec::with_capacity(self.vocab.idf.len() * 2);
        for v in &self.vocab.idf {
            let q = (v * IDF_SCALE).round().clamp(0.0, 65535.0) as u16;
            idf.extend_from_slice(&q.to_le_bytes());
        }
        let labels = self
            .labels
            .iter()
            .map(|l| {
                let max = l.linear.w.iter().fold(0.0f32, |m, w| m.max(w.abs()));
                // A power of two, so that quantised weights survive a round trip exactly.
                let scale = if max > 0.0 {
                    (max / 32767.0).log2().ceil().exp2()
                } else {
                    1.0
                };
                let mut bytes = Vec::with_capacity(l.linear.w.len() * 2);
                for w in &l.linear.w {
                    let q = (w / scale).round().clamp(-32767.0, 32767.0) as i16;
                    bytes.extend_from_slice(&q.to_le_bytes());
                }
                LabelFile {
                    id: l.id.to_string(),
                    bias: l.linear.bias,
                    threshold: l.threshold,
                    platt_a: l.platt.0,
                    platt_b: l.platt.1,
                    inner_f1: l.inner_f1,
                    scale,
                    weights_i16le: b64_encode(&bytes),
                }
            })
            .collect();
        let file = ModelFile {
            format: FORMAT.into(),
            version: VERSION,
            header: self.header.clone(),
            vocabulary: self.vocab.terms.join("\n"),
            idf_u16le: b64_encode(&idf),
            labels,
        };
        let mut out = serde_json::to_vec(&file).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// Reads a model written by [`Model::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, AnalyzeError> {
        let bad = |m: &str| AnalyzeError::ModelFile(m.to_string());
        let file: ModelFile =
            serde_json::from_slice(bytes).map_err(|e| AnalyzeError::ModelFile(e.to_string()))?;
        if file.format != FORMAT || file.version != VERSION {
            return Err(bad("not a cw-analyze unfair-tos model of version 1"));
        }
        let idf_bytes = b64_decode(&file.idf_u16le).ok_or_else(|| bad("bad idf encoding"))?;
        let idf: Vec<f32> = idf_bytes
            .chunks_exact(2)
            .map(|c| f32::from(u16::from_le_bytes([c[0], c[1]])) / IDF_SCALE)
            .collect();
        let terms: Vec<String> = if file.vocabulary.is_empty() {
            Vec::new()
        } else {
            file.vocabulary.split('\n').map(String::from).collect()
        };
        if idf.len() != terms.len() {
            return Err(bad("idf and vocabulary lengths differ"));
        }
        let dim = idf.len();
        let mut labels = Vec::new();
        for (id, _) in UNFAIR_CATEGORIES {
            let lf = file
                .labels
                .iter()
                .find(|l| l.id == id)
                .ok_or_else(|| AnalyzeError::ModelFile(format!("label {id} missing")))?;
            let wb = b64_decode(&lf.weights_i16le).ok_or_else(|| bad("bad weight encoding"))?;
            let w: Vec<f32> = wb
                .chunks_exact(2)
                .map(|c| f32::from(i16::from_le_bytes([c[0], c[1]])) * lf.scale)
                .collect();
            if w.len() != dim {
                return Err(bad("weights and vocabulary lengths differ"));
            }
            labels.push(LabelModel {
                id,
                linear: Linear { w, bias: lf.bias },
                threshold: lf.threshold,
                platt: (lf.platt_a, lf.platt_b),
                inner_f1: lf.inner_f1,
            });
        }
        Ok(Model {
            header: file.header,
            vocab: Vocabulary::from_parts(terms, idf),
            labels,
        })
    }

    pub(crate) fn vectorize(&self, s: &SentenceInput<'_>) -> SparseVec {
        self.vocab.vectorize_sentence(&self.header.features, s)
    }

    /// Raw scores of one sentence (with optional neighbours), in
    /// [`UNFAIR_CATEGORIES`] order. Rule features are computed from the embedded rules.
    pub fn score_sentence(
        &self,
        sentence: &str,
        prev: &str,
        next: &str,
    ) -> Vec<(&'static str, f32)> {
        let hits = if self.header.features.rule_weight > 0.0 {
            crate::rules::RuleSet::embedded()
                .map(|r| r.apply(sentence, &crate::label::LabelContext::default()))
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let rules = tos_rule_features(&hits, 0, sentence.len());
        let x = self.vectorize(&SentenceInput {
            text: sentence,
            prev,
            next,
            rules,
        });
        self.labels
            .iter()
            .map(|l| (l.id, l.linear.score(&x)))
            .collect()
    }

    /// The feature vector of sentence `k` of `text` (sentence `spans` as
    /// [`text::sentence_spans`] gives them), with its neighbours as context
    /// and the rule hits inside it.
    pub(crate) fn sentence_vector(
        &self,
        text: &str,
        spans: &[(usize, usize)],
        k: usize,
        rule_hits: &[RuleHit],
    ) -> SparseVec {
        let (s, e) = spans.get(k).copied().unwrap_or((0, 0));
        let at = |i: Option<usize>| {
            i.and_then(|i| spans.get(i))
                .and_then(|&(a, b)| text.get(a..b))
                .unwrap_or("")
        };
        self.vectorize(&SentenceInput {
            text: text.get(s..e).unwrap_or(""),
            prev: at(k.checked_sub(1)),
            next: at(Some(k + 1)),
            rules: tos_rule_features(rule_hits, s, e),
        })
    }

    /// Predicts every category for a provision: each sentence is scored
    /// (with its neighbours as context and the rule hits inside it), and the
    /// best sentence per category is returned.
    pub fn predict_provision(&self, text: &str, rule_hits: &[RuleHit]) -> Vec<ModelPrediction> {
        let spans = text::sentence_spans(text);
        let mut best: Vec<Option<ModelPrediction>> = vec![None; self.labels.len()];
        for (k, &(s, e)) in spans.iter().enumerate() {
            let x = self.sentence_vector(text, &spans, k, rule_hits);
            for (li, l) in self.labels.iter().enumerate() {
                let score = l.linear.score(&x);
                if best[li].as_ref().is_none_or(|b| score > b.score) {
                    best[li] = Some(ModelPrediction {
                        label: l.id,
                        score,
                        confidence: sigmoid(l.platt.0 * score + l.platt.1),
                        fires: score >= l.threshold,
                        span: (s, e),
                    });
                }
            }
        }
        best.into_iter().flatten().collect()
    }
}

/// The tos_ rule hits whose matches start inside `[start, end)`, as
/// `(label, noisy-or of those matches' weights)` model features.
pub(crate) fn tos_rule_features(hits: &[RuleHit], start: usize, end: usize) -> Vec<(&str, f32)> {
    let mut out = Vec::new();
    for h in hits {
        if !h.label.starts_with("tos_") {
            continue;
        }
        let mut miss = 1.0f32;
        let mut any = false;
        for &(a, _, w) in &h.matches {
            if a >= start && a < end.max(start + 1) {
                miss *= 1.0 - w;
                any = true;
            }
        }
        if any {
            out.push((h.label.as_str(), 1.0 - miss));
        }
    }
    out
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn b64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(B64[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(crate) fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let bytes: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        let mut pad = 0;
        for &c in chunk {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                b'=' => {
                    pad += 1;
                    0
                }
                _ => return None,
            };
            n = (n << 6) | u32::from(v);
        }
        let b = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&b[..3 - pad.min(2)]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for data in [&b""[..], b"a", b"ab", b"abc", b"abcd", &[0, 255, 7, 128, 1]] {
            let e = b64_encode(data);
            assert_eq!(b64_decode(&e).unwrap(), data);
        }
        assert_eq!(b64_encode(b"Man"), "TWFu");
        assert!(b64_decode("abc").is_none());
        assert!(b64_decode("ab!d").is_none());
    }

    #[test]
    fn committed_model_loads() {
        let m = Model::embedded().expect("model/unfair_tos.json loads");
        assert_eq!(m.labels.len(), 8);
        assert!(m.vocabulary_size() > 1000);
        assert!(m.header().data.contains("CLAUDETTE"));
        // Round trip through bytes is lossless (weights already quantised).
        let again = Model::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(again.to_bytes(), m.to_bytes());
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(Model::from_bytes(b"").is_err());
        assert!(Model::from_bytes(b"{}").is_err());
    }
}
