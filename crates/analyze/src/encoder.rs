//! The transformer encoder for the eight unfair-clause labels (issue #21,
//! feature `encoder`): a BERT encoder (MiniLM-L6, fine-tuned) with a linear
//! head over its mean-pooled output, run on the CPU with candle. The
//! forward pass is written here (embeddings, self-attention with a padding
//! mask, erf GELU, LayerNorm) rather than taken from candle-transformers,
//! whose hundreds of models would dominate the build. The files are
//! `model/encoder/{encoder.safetensors,tokenizer.json,encoder.json}`.

use crate::error::AnalyzeError;
use crate::label::UNFAIR_CATEGORIES;
use candle_core::safetensors::SliceSafetensors;
use candle_core::{CpuStorage, CustomOp1, DType, Device, Layout, Shape, Tensor};
use serde::Deserialize;
use std::fmt;
use std::sync::OnceLock;
use tokenizers::{Tokenizer, TruncationParams};

/// The `format` of `encoder.json`.
const FORMAT: &str = "cw-analyze/unfair-tos-encoder";
/// Sentences per forward pass (after sorting by length, so padding stays
/// short). On one core 4–16 measured alike and 32 about 10% slower, 128 half
/// as fast: the activations leave the cache.
const BATCH: usize = 16;
/// The tokenizer never sees more of a sentence than this many bytes: 128
/// tokens of ordinary text take well under 2 KiB, and a megabyte of one
/// "sentence" would otherwise cost its whole length in normalisation.
const MAX_INPUT_BYTES: usize = 64 * 1024;
/// Added to the attention scores of padding positions.
const MASKED: f32 = -1.0e9;

/// The fields of `encoder.json` the encoder needs; training metadata is ignored.
#[derive(Debug, Clone, Deserialize)]
struct EncoderConfig {
    format: String,
    version: u32,
    labels: Vec<String>,
    max_tokens: usize,
    hidden_size: usize,
    num_layers: usize,
    num_heads: usize,
    intermediate_size: usize,
    layer_norm_eps: f64,
    /// True for the untrained head of `encoder/export_pretrained.py`.
    #[serde(default)]
    placeholder: bool,
}

/// The fine-tuned encoder: tokenizer, BERT layers and (for the product) the
/// eight-label head. Any text is accepted (empty, control characters, any
/// script, megabytes: truncated); errors come only from the model files.
///
/// Cost: about 6 ms of one core per CLAUDETTE sentence in batches, 9 ms one
/// sentence per call (examples/encoder_throughput.rs). candle's matrix
/// products use `RAYON_NUM_THREADS` threads (default: the physical cores),
/// read from the environment at each product; weights are f32 in memory
/// (~90 MB).
///
/// ```no_run
/// # fn main() -> Result<(), cw_analyze::AnalyzeError> {
/// let read = |f: &str| std::fs::read(format!("model/encoder/{f}")).unwrap();
/// let enc = cw_analyze::Encoder::from_parts(
///     &read("encoder.safetensors"),
///     &read("tokenizer.json"),
///     &read("encoder.json"),
/// )?;
/// let p = enc.probabilities(&["We may terminate your account at any time."])?;
/// assert_eq!(p.len(), 1); // one probability per UNFAIR_CATEGORIES label
/// # Ok(()) }
/// ```
pub struct Encoder {
    config: EncoderConfig,
    tokens: SentenceTokenizer,
    bert: Bert,
    head: Option<Linear>,
}

impl fmt::Debug for Encoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encoder")
            .field("config", &self.config)
            .field("head", &self.head.is_some())
            .finish_non_exhaustive()
    }
}

impl Encoder {
    /// Loads an encoder from the bytes of its three files; the
    /// `classifier.{weight,bias}` head is required. f16 (or f32) tensors
    /// become f32.
    pub fn from_parts(
        safetensors: &[u8],
        tokenizer_json: &[u8],
        config_json: &[u8],
    ) -> Result<Encoder, AnalyzeError> {
        Self::load(safetensors, tokenizer_json, config_json, true)
    }

    /// Loads the encoder layers only, for checking them against a
    /// pretrained model that has no head: [`Encoder::embed`] works,
    /// [`Encoder::probabilities`] is an error. A head, if present, is read.
    pub fn backbone_from_parts(
        safetensors: &[u8],
        tokenizer_json: &[u8],
        config_json: &[u8],
    ) -> Result<Encoder, AnalyzeError> {
        Self::load(safetensors, tokenizer_json, config_json, false)
    }

    /// The encoder embedded from `model/encoder/` at build time, loaded once.
    /// `None` when the checkout had no `encoder.safetensors` at build time,
    /// or the files are corrupt (a unit test guards the committed files).
    pub fn embedded() -> Option<&'static Encoder> {
        static ENCODER: OnceLock<Option<Encoder>> = OnceLock::new();
        ENCODER
            .get_or_init(|| {
                let (st, tokenizer, config) = embedded_files()?;
                Encoder::from_parts(st, tokenizer, config).ok()
            })
            .as_ref()
    }

    /// True when `encoder.json` marks the model as the untrained placeholder
    /// (whose probabilities mean nothing).
    pub fn is_placeholder(&self) -> bool {
        self.config.placeholder
    }

    /// The longest input in tokens, `[CLS]` and `[SEP]` included.
    pub fn max_tokens(&self) -> usize {
        self.config.max_tokens
    }

    /// One probability (sigmoid of the head's logit) per label, in
    /// [`UNFAIR_CATEGORIES`] order, per sentence, in input order. Sentences
    /// longer than [`Encoder::max_tokens`] are truncated; any text is accepted.
    pub fn probabilities(&self, sentences: &[&str]) -> Result<Vec<[f32; 8]>, AnalyzeError> {
        let head = self
            .head
            .as_ref()
            .ok_or_else(|| AnalyzeError::ModelFile("the encoder has no classifier head".into()))?;
        self.run(sentences, |pooled| {
            let logits = head.forward(pooled)?.to_vec2::<f32>()?;
            Ok(logits
                .into_iter()
                .map(|row| {
                    let mut p = [0.0f32; 8];
                    for (p, l) in p.iter_mut().zip(row) {
                        *p = 1.0 / (1.0 + (-l).exp());
                    }
                    p
                })
                .collect())
        })
    }

    /// The mean-pooled (over real tokens, not normalised) last hidden state
    /// per sentence, in input order: the head's input.
    pub fn embed(&self, sentences: &[&str]) -> Result<Vec<Vec<f32>>, AnalyzeError> {
        self.run(sentences, |pooled| pooled.to_vec2::<f32>())
    }

    fn load(
        safetensors: &[u8],
        tokenizer_json: &[u8],
        config_json: &[u8],
        need_head: bool,
    ) -> Result<Encoder, AnalyzeError> {
        let config: EncoderConfig = serde_json::from_slice(config_json)
            .map_err(|e| AnalyzeError::ModelFile(format!("encoder.json: {e}")))?;
        config.validate()?;
        let st = SliceSafetensors::new(safetensors).map_err(model_err)?;
        let weights = Weights { st: &st };
        let bert = Bert::load(&weights, &config)?;
        let vocab = bert.word.dims()[0];
        let tokens = SentenceTokenizer::new(tokenizer_json, config.max_tokens, vocab)?;
        let head = if need_head || st.get("classifier.weight").is_ok() {
            Some(weights.linear("classifier", UNFAIR_CATEGORIES.len(), config.hidden_size)?)
        } else {
            None
        };
        Ok(Encoder {
            config,
            tokens,
            bert,
            head,
        })
    }

    /// Tokenises, batches sentences of similar length, runs the encoder and
    /// hands each batch's pooled `[batch, hidden]` tensor to `read`.
    fn run<T>(
        &self,
        sentences: &[&str],
        read: impl Fn(&Tensor) -> candle_core::Result<Vec<T>>,
    ) -> Result<Vec<T>, AnalyzeError> {
        let ids = sentences
            .iter()
            .map(|s| self.tokens.encode(s))
            .collect::<Result<Vec<_>, _>>()?;
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|&i| ids[i].len());
        let mut out: Vec<Option<T>> = (0..ids.len()).map(|_| None).collect();
        for chunk in order.chunks(BATCH) {
            let batch: Vec<&[u32]> = chunk.iter().map(|&i| ids[i].as_slice()).collect();
            let pooled = self.bert.pooled(&batch).map_err(run_err)?;
            let rows = read(&pooled).map_err(run_err)?;
            if rows.len() != chunk.len() {
                return Err(AnalyzeError::Encoder("batch size changed".into()));
            }
            for (&i, row) in chunk.iter().zip(rows) {
                out[i] = Some(row);
            }
        }
        out.into_iter()
            .map(|r| r.ok_or_else(|| AnalyzeError::Encoder("a sentence was not run".into())))
            .collect()
    }
}

/// The bytes of `model/encoder/{encoder.safetensors,tokenizer.json,encoder.json}`,
/// committed with the crate.
fn embedded_files() -> Option<(&'static [u8], &'static [u8], &'static [u8])> {
    Some((
        include_bytes!("../model/encoder/encoder.safetensors"),
        include_bytes!("../model/encoder/tokenizer.json"),
        include_bytes!("../model/encoder/encoder.json"),
    ))
}

impl EncoderConfig {
    fn validate(&self) -> Result<(), AnalyzeError> {
        let bad = |m: String| Err(AnalyzeError::ModelFile(format!("encoder.json: {m}")));
        if self.format != FORMAT || self.version != 1 {
            return bad(format!("not a {FORMAT} file of version 1"));
        }
        let ids: Vec<&str> = UNFAIR_CATEGORIES.iter().map(|(id, _)| *id).collect();
        if self.labels != ids {
            return bad(format!("labels must be {ids:?} in that order"));
        }
        if self.num_heads == 0 || !self.hidden_size.is_multiple_of(self.num_heads) {
            return bad("hidden_size must be a multiple of num_heads".into());
        }
        if self.max_tokens < 2 || self.num_layers == 0 || self.intermediate_size == 0 {
            return bad("max_tokens ≥ 2, num_layers and intermediate_size > 0".into());
        }
        if !(self.layer_norm_eps > 0.0 && self.layer_norm_eps < 1.0) {
            return bad("layer_norm_eps must be in (0, 1)".into());
        }
        Ok(())
    }
}

/// The HF tokenizer, truncating to `max_tokens` and never padding.
struct SentenceTokenizer {
    inner: Tokenizer,
}

impl SentenceTokenizer {
    fn new(json: &[u8], max_tokens: usize, vocab: usize) -> Result<Self, AnalyzeError> {
        let bad = |m: String| AnalyzeError::ModelFile(format!("tokenizer.json: {m}"));
        let mut inner = Tokenizer::from_bytes(json).map_err(|e| bad(e.to_string()))?;
        inner
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                ..TruncationParams::default()
            }))
            .map_err(|e| bad(e.to_string()))?;
        inner.with_padding(None);
        if inner.get_vocab_size(true) > vocab {
            return Err(bad(format!("more tokens than the {vocab} word embeddings")));
        }
        let tokens = SentenceTokenizer { inner };
        // The post-processor must add [CLS] … [SEP]; a bare WordPiece gives nothing for "".
        if tokens.encode("")?.is_empty() {
            return Err(bad("no special tokens around a sentence".into()));
        }
        Ok(tokens)
    }

    /// `[CLS] tokens [SEP]` ids, at most `max_tokens` of them.
    fn encode(&self, text: &str) -> Result<Vec<u32>, AnalyzeError> {
        let mut end = text.len().min(MAX_INPUT_BYTES);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let enc = self
            .inner
            .encode_fast(&text[..end], true)
            .map_err(|e| AnalyzeError::Encoder(format!("tokenizer: {e}")))?;
        Ok(enc.get_ids().to_vec())
    }
}

fn model_err(e: candle_core::Error) -> AnalyzeError {
    AnalyzeError::ModelFile(format!("encoder.safetensors: {e}"))
}

fn run_err(e: candle_core::Error) -> AnalyzeError {
    AnalyzeError::Encoder(e.to_string())
}

/// Named, shape-checked f32 tensors out of a safetensors buffer.
struct Weights<'a> {
    st: &'a SliceSafetensors<'a>,
}

impl Weights<'_> {
    fn get(&self, name: &str, shape: &[usize]) -> Result<Tensor, AnalyzeError> {
        let view = self
            .st
            .get(name)
            .map_err(|_| AnalyzeError::ModelFile(format!("encoder.safetensors: no {name}")))?;
        if view.shape() != shape {
            return Err(AnalyzeError::ModelFile(format!(
                "encoder.safetensors: {name} has shape {:?}, expected {shape:?}",
                view.shape()
            )));
        }
        self.st
            .load(name, &Device::Cpu)
            .and_then(|t| t.to_dtype(DType::F32))
            .map_err(model_err)
    }

    /// An embedding table `[rows, hidden]` with any number of rows (≥ 1).
    fn get_rows(&self, name: &str, hidden: usize) -> Result<Tensor, AnalyzeError> {
        let rows = self
            .st
            .get(name)
            .ok()
            .and_then(|v| match v.shape() {
                [r, h] if *h == hidden && *r > 0 => Some(*r),
                _ => None,
            })
            .ok_or_else(|| {
                AnalyzeError::ModelFile(format!(
                    "encoder.safetensors: {name} missing or not [rows, {hidden}]"
                ))
            })?;
        self.get(name, &[rows, hidden])
    }

    fn linear(&self, prefix: &str, out: usize, inp: usize) -> Result<Linear, AnalyzeError> {
        let w = self.get(&format!("{prefix}.weight"), &[out, inp])?;
        Ok(Linear {
            w_t: w.t().and_then(|w| w.contiguous()).map_err(model_err)?,
            b: self.get(&format!("{prefix}.bias"), &[out])?,
        })
    }

    fn layer_norm(&self, prefix: &str, dim: usize, eps: f64) -> Result<LayerNorm, AnalyzeError> {
        Ok(LayerNorm {
            w: self.get(&format!("{prefix}.weight"), &[dim])?,
            b: self.get(&format!("{prefix}.bias"), &[dim])?,
            eps: eps as f32,
        })
    }
}

/// `x Wᵀ + b` on `[rows, in]`. W comes `[out, in]` as in torch and is kept
/// transposed: gemm packs a contiguous `[in, out]` operand far faster
/// (its packing code fell from 22% of the time to 3%).
struct Linear {
    w_t: Tensor,
    b: Tensor,
}

impl Linear {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.matmul(&self.w_t)?.broadcast_add(&self.b)
    }
}

/// HF `gelu`, x·Φ(x) = x/2·(1 + erf(x/√2)), with erf by Abramowitz & Stegun
/// 7.1.28 (error ≤ 3·10⁻⁷; in f32 the GELU is within 6·10⁻⁷ of the exact
/// one): a polynomial and no `exp`, so the loop vectorises. candle's
/// `gelu_erf` (libm's `erff`) took 15% of the encoder's time.
struct Gelu;

impl CustomOp1 for Gelu {
    fn name(&self) -> &'static str {
        "gelu-erf-as-7.1.28"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let Some((start, end)) = l.contiguous_offsets() else {
            candle_core::bail!("gelu: the input is not contiguous")
        };
        let out = s.as_slice::<f32>()?[start..end]
            .iter()
            .map(|&x| gelu(x))
            .collect();
        Ok((CpuStorage::F32(out), l.shape().clone()))
    }
}

fn gelu(x: f32) -> f32 {
    const A: [f32; 6] = [
        0.070_523_08,
        0.042_282_01,
        0.009_270_527,
        0.000_152_014_3,
        0.000_276_567_2,
        0.000_043_063_8,
    ];
    let z = (x * std::f32::consts::FRAC_1_SQRT_2).abs();
    let p = 1.0 + z * (A[0] + z * (A[1] + z * (A[2] + z * (A[3] + z * (A[4] + z * A[5])))));
    let p2 = p * p;
    let p4 = p2 * p2;
    let p8 = p4 * p4;
    // p¹⁶ overflows to infinity for large |x|: erf is then exactly ±1.
    let erf = (1.0 - 1.0 / (p8 * p8)).copysign(x);
    0.5 * x * (1.0 + erf)
}

struct LayerNorm {
    w: Tensor,
    b: Tensor,
    eps: f32,
}

impl LayerNorm {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        candle_nn::ops::layer_norm(x, &self.w, &self.b, self.eps)
    }
}

/// One BERT layer (post-LayerNorm, as in HF `BertLayer`).
struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

impl Layer {
    fn load(w: &Weights<'_>, i: usize, c: &EncoderConfig) -> Result<Layer, AnalyzeError> {
        let (h, m, eps) = (c.hidden_size, c.intermediate_size, c.layer_norm_eps);
        let p = format!("encoder.layer.{i}");
        Ok(Layer {
            query: w.linear(&format!("{p}.attention.self.query"), h, h)?,
            key: w.linear(&format!("{p}.attention.self.key"), h, h)?,
            value: w.linear(&format!("{p}.attention.self.value"), h, h)?,
            attention_out: w.linear(&format!("{p}.attention.output.dense"), h, h)?,
            attention_norm: w.layer_norm(&format!("{p}.attention.output.LayerNorm"), h, eps)?,
            intermediate: w.linear(&format!("{p}.intermediate.dense"), m, h)?,
            output: w.linear(&format!("{p}.output.dense"), h, m)?,
            output_norm: w.layer_norm(&format!("{p}.output.LayerNorm"), h, eps)?,
        })
    }

    /// `x`: `[batch·len, hidden]`; `mask`: `[batch, 1, 1, len]` (0 or [`MASKED`]).
    fn forward(
        &self,
        x: &Tensor,
        mask: &Tensor,
        (b, t, heads): (usize, usize, usize),
    ) -> candle_core::Result<Tensor> {
        let h = x.dim(1)?;
        let d = h / heads;
        let split = |l: &Linear| -> candle_core::Result<Tensor> {
            l.forward(x)?
                .reshape((b, t, heads, d))?
                .transpose(1, 2)?
                .contiguous()
        };
        let q = (split(&self.query)? * (1.0 / (d as f64).sqrt()))?;
        let (k, v) = (split(&self.key)?, split(&self.value)?);
        let scores = q.matmul(&k.t()?)?.broadcast_add(mask)?;
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let context = probs.matmul(&v)?.transpose(1, 2)?.reshape((b * t, h))?;
        let x = self
            .attention_norm
            .forward(&(self.attention_out.forward(&context)? + x)?)?;
        let inner = self.intermediate.forward(&x)?.apply_op1_no_bwd(&Gelu)?;
        self.output_norm
            .forward(&(self.output.forward(&inner)? + x)?)
    }
}

/// Embeddings and layers of a BERT encoder.
struct Bert {
    word: Tensor,
    position: Tensor,
    /// Row 0 of the token-type embeddings (every input is one segment).
    token_type: Tensor,
    norm: LayerNorm,
    layers: Vec<Layer>,
    heads: usize,
}

impl Bert {
    fn load(w: &Weights<'_>, c: &EncoderConfig) -> Result<Bert, AnalyzeError> {
        let h = c.hidden_size;
        let word = w.get_rows("embeddings.word_embeddings.weight", h)?;
        let position = w.get_rows("embeddings.position_embeddings.weight", h)?;
        if position.dims()[0] < c.max_tokens {
            return Err(AnalyzeError::ModelFile(format!(
                "encoder.safetensors: {} positions for max_tokens {}",
                position.dims()[0],
                c.max_tokens
            )));
        }
        let token_type = w
            .get_rows("embeddings.token_type_embeddings.weight", h)?
            .get(0)
            .map_err(model_err)?;
        Ok(Bert {
            word,
            position,
            token_type,
            norm: w.layer_norm("embeddings.LayerNorm", h, c.layer_norm_eps)?,
            layers: (0..c.num_layers)
                .map(|i| Layer::load(w, i, c))
                .collect::<Result<_, _>>()?,
            heads: c.num_heads,
        })
    }

    /// Mean-pooled last hidden states `[batch, hidden]` of token-id rows
    /// (each non-empty, ids below the vocabulary size, at most the positions).
    fn pooled(&self, batch: &[&[u32]]) -> candle_core::Result<Tensor> {
        let b = batch.len();
        let t = batch.iter().map(|r| r.len()).max().unwrap_or(0).max(1);
        let mut ids = vec![0u32; b * t];
        let mut keep = vec![0f32; b * t];
        for (i, row) in batch.iter().enumerate() {
            ids[i * t..i * t + row.len()].copy_from_slice(row);
            keep[i * t..i * t + row.len()].fill(1.0);
        }
        let dev = Device::Cpu;
        let keep = Tensor::from_vec(keep, (b, t), &dev)?;
        let mask = keep.affine(-f64::from(MASKED), f64::from(MASKED))?;
        let mask = mask.reshape((b, 1, 1, t))?;
        let h = self.word.dim(1)?;
        let x = self
            .word
            .index_select(&Tensor::from_vec(ids, b * t, &dev)?, 0)?
            .reshape((b, t, h))?
            .broadcast_add(&self.position.narrow(0, 0, t)?)?
            .broadcast_add(&self.token_type)?
            .reshape((b * t, h))?;
        let mut x = self.norm.forward(&x)?;
        for layer in &self.layers {
            x = layer.forward(&x, &mask, (b, t, self.heads))?;
        }
        let keep = keep.unsqueeze(2)?;
        let sums = x.reshape((b, t, h))?.broadcast_mul(&keep)?.sum(1)?;
        sums.broadcast_div(&keep.sum(1)?.clamp(1.0, f64::INFINITY)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKENIZER: &[u8] = include_bytes!("../model/encoder/tokenizer.json");

    fn tokenizer(max_tokens: usize) -> SentenceTokenizer {
        SentenceTokenizer::new(TOKENIZER, max_tokens, 30522).unwrap()
    }

    #[test]
    fn embedded_files_load() {
        let (st, tokenizer, config) =
            embedded_files().expect("model/encoder/ is committed with the crate");
        // The files are there: a load error fails here with its message.
        let enc = Encoder::from_parts(st, tokenizer, config).unwrap();
        assert_eq!(enc.max_tokens(), 128);
        assert!(
            !enc.is_placeholder(),
            "the shipped encoder is the trained one"
        );
        assert!(Encoder::embedded().is_some());
    }

    #[test]
    fn gelu_is_the_erf_form() {
        // x/2·(1 + erf(x/√2)), exact values.
        for (x, want) in [
            (0.0f32, 0.0f32),
            (1.0, 0.841_344_8),
            (-1.0, -0.158_655_25),
            (2.5, 2.484_475_8),
            (-3.0, -0.004_049_694),
            (30.0, 30.0),
            (-30.0, 0.0),
        ] {
            assert!((gelu(x) - want).abs() < 1e-6, "gelu({x}) = {}", gelu(x));
        }
        assert!(gelu(f32::NAN).is_nan());
    }

    #[test]
    fn empty_input_is_cls_sep() {
        assert_eq!(tokenizer(128).encode("").unwrap(), [101, 102]);
        assert_eq!(tokenizer(128).encode(" \u{0}\u{7}\t ").unwrap(), [101, 102]);
    }

    #[test]
    fn long_input_is_truncated_to_max_tokens() {
        let long = "arbitration ".repeat(500);
        for max in [2, 5, 128] {
            let ids = tokenizer(max).encode(&long).unwrap();
            assert_eq!(ids.len(), max);
            assert_eq!((ids[0], ids[max - 1]), (101, 102));
        }
        // Far past MAX_INPUT_BYTES, cut inside a multi-byte character.
        let huge = format!("{}a{}", "word ".repeat(100), "é".repeat(MAX_INPUT_BYTES));
        assert!(!huge.is_char_boundary(MAX_INPUT_BYTES));
        assert_eq!(tokenizer(16).encode(&huge).unwrap().len(), 16);
    }

    #[test]
    fn ordinary_sentence_tokens() {
        let ids = tokenizer(128)
            .encode("We may terminate your account.")
            .unwrap();
        assert_eq!(ids, [101, 2057, 2089, 20320, 2115, 4070, 1012, 102]);
    }

    #[test]
    fn token_ids_match_transformers() {
        // The ids transformers gave the parity sentences (accents, CJK,
        // emoji, control characters, empty, truncated at 128).
        let reference: serde_json::Value =
            serde_json::from_str(include_str!("../tests/data/encoder_reference.json")).unwrap();
        let cases = reference["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 5);
        for case in cases {
            let text = case["text"].as_str().unwrap();
            let want: Vec<u32> = serde_json::from_value(case["ids"].clone()).unwrap();
            assert_eq!(tokenizer(128).encode(text).unwrap(), want, "{text:?}");
        }
    }

    #[test]
    fn tokenizer_without_post_processor_is_rejected() {
        let mut json: serde_json::Value = serde_json::from_slice(TOKENIZER).unwrap();
        json["post_processor"] = serde_json::Value::Null;
        let bytes = serde_json::to_vec(&json).unwrap();
        assert!(SentenceTokenizer::new(&bytes, 128, 30522).is_err());
        // A vocabulary larger than the embedding table is rejected too.
        assert!(SentenceTokenizer::new(TOKENIZER, 128, 1000).is_err());
        assert!(SentenceTokenizer::new(b"{", 128, 30522).is_err());
    }
}
