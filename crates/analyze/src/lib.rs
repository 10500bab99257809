//! Analysis of policy provisions: labels with evidence spans, attributes,
//! regulatory checks, similarity across platforms and workload checks.
//! Pure: no I/O at run time (rules and the model are embedded at build
//! time), no clock, no randomness; the same text always gives the same result.
//!
//! # Brief overview
//!
//! * [`label`] gives a provision its TAXONOMY.md labels ([`Label`]: id,
//!   confidence, CHARACTER span of the evidence, [`LabelSource`]). Two
//!   layers: cue rules kept as data in `rules/labels.toml` ([`RuleSet`]) for
//!   every family (`tos_`, `pp_`, `aup_`, `enf_`, `meta_`, English and
//!   Chinese; they read clause, negation, heading and list lead-in), and a
//!   trained [`Model`] (TF-IDF word/char n-grams + neighbouring sentences,
//!   linear SVM per category, F1-tuned thresholds, Platt calibration) that
//!   alone decides the eight UNFAIR-ToS categories on English text,
//!   committed at `model/unfair_tos.json`. [`label_document`] labels a whole
//!   document, giving list items their lead-in.
//! * `Encoder` (feature `encoder`): a fine-tuned MiniLM-L6 transformer
//!   with a linear head for the same eight categories, run on the CPU with
//!   candle from `model/encoder/` (`Encoder::probabilities`,
//!   `Encoder::embed`).
//! * [`train`] rebuilds that model on the CLAUDETTE corpus (CC BY 4.0),
//!   reproducibly; [`evaluate`] scores it honestly: cross-validation by
//!   document with every choice inside the training folds, plus 8 documents
//!   held back from all tuning, with the LexGLUE-style score beside the
//!   8-label one.
//! * [`attributes`] reads actor, modality, discretion, notice mode/days,
//!   grounds, age threshold, retention and jurisdictions, with spans.
//! * [`check_document`] runs the regulatory checks of
//!   `rules/regulations.toml` (P2B, DSA, UCTD, GDPR, PIPL, CSL, CCPA …) and
//!   returns [`Finding`]s — risk indicators, never legal determinations.
//! * [`SimilarityIndex`] ranks other platforms' provisions by BM25 among
//!   those sharing a label, and counts adoption.
//! * [`workload_queries`] maps a workload description to AUP labels and
//!   search terms (`rules/workload.toml`).
//!
//! ```
//! use cw_analyze::{DocType, LabelContext, label, slice_chars};
//!
//! let text = "We may modify this Policy at any time by posting a revised version on the AWS Site.";
//! let labels = label(text, &LabelContext::with_doc_type(DocType::Aup));
//! let change = labels.iter().find(|l| l.id == "tos_unilateral_change").unwrap();
//! assert!(slice_chars(text, change.span).contains("modify this Policy"));
//!
//! let a = cw_analyze::attributes(text);
//! assert_eq!(a.notice_mode.unwrap().value, cw_analyze::NoticeMode::Posting);
//! ```
#![deny(missing_docs)]

mod anchored;
mod attributes;
mod checks;
mod corpus;
#[cfg(feature = "encoder")]
mod encoder;
#[cfg(feature = "encoder")]
mod ensemble;
mod error;
mod eval;
mod features;
mod label;
mod model;
mod required;
mod rules;
mod similarity;
mod svm;
mod text;
mod train;
mod version;
mod workload;

pub use attributes::{Actor, Attributes, Evidence, Modality, NoticeMode, Period, attributes};
pub use checks::{CAVEAT, Finding, RegulationSet, check_document};
pub use corpus::{Corpus, ServiceDoc};
#[cfg(feature = "encoder")]
pub use encoder::Encoder;
#[cfg(feature = "encoder")]
pub use ensemble::{CalibrateOptions, Calibration, Ensemble, calibrate};
pub use error::AnalyzeError;
pub use eval::{
    EvalReport, HELD_BACK_COUNT, LabelScore, Scores, evaluate, held_back_services, scores_table,
};
pub use features::FeatureConfig;
#[cfg(feature = "encoder")]
pub use label::label_with_encoder;
pub use label::{
    DocType, Label, LabelContext, LabelSource, TAXONOMY_IDS, UNFAIR_CATEGORIES, label,
    label_document, label_with,
};
pub use model::{Model, ModelHeader, ModelPrediction};
pub use rules::{RuleHit, RuleSet};
pub use similarity::{Adoption, Match, SimilarityIndex, SimilarityRow};
pub use text::slice_chars;
pub use train::{TrainOptions, train, train_corpus};
pub use version::{analyzer_version, model_version};
pub use workload::{WorkloadRules, workload_queries};
