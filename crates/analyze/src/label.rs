//! The label types (`Label`, `LabelSource`, `LabelContext`, `DocType`), the
//! fixed list of taxonomy ids, and `label()`, which merges the cue-rule layer
//! with the trained unfair-clause model for one provision.

use crate::model::Model;
use crate::rules::RuleSet;
use crate::text;
use cw_model::{ExtractedDocument, Provision, ProvisionKind};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Every label id of TAXONOMY.md §1, in the order written there, plus the
/// project's extension `tos_indemnification` (issue #21). Ids are stable:
/// never renamed, never reused.
pub const TAXONOMY_IDS: &[&str] = &[
    "tos_limitation_of_liability",
    "tos_unilateral_termination",
    "tos_unilateral_change",
    "tos_content_removal",
    "tos_contract_by_using",
    "tos_choice_of_law",
    "tos_jurisdiction",
    "tos_arbitration",
    // Project extension (issue #21), not in ../shared/TAXONOMY.md: who must
    // indemnify, defend or hold harmless whom (parent: none of the eight).
    "tos_indemnification",
    "pp_first_party_collection_use",
    "pp_third_party_sharing_collection",
    "pp_user_choice_control",
    "pp_user_access_edit_deletion",
    "pp_data_retention",
    "pp_data_security",
    "pp_policy_change",
    "pp_do_not_track",
    "pp_international_specific_audiences",
    "pp_other",
    "pp_cookies_tracking",
    "pp_legal_basis",
    "pp_sensitive_data",
    "pp_children",
    "pp_regional_notice",
    "pp_international_transfer",
    "pp_automated_decision_making",
    "pp_controller_contact",
    "aup_illegal_harmful_fraudulent",
    "aup_infringing_content",
    "aup_offensive_content",
    "aup_child_safety",
    "aup_violent_extremism",
    "aup_harmful_code",
    "aup_security_violation",
    "aup_security_unauthorized_access",
    "aup_security_interception",
    "aup_security_falsification_of_origin",
    "aup_network_monitoring_crawling",
    "aup_network_denial_of_service",
    "aup_network_intentional_interference",
    "aup_network_open_services",
    "aup_network_avoiding_restrictions",
    "aup_message_abuse",
    "aup_jurisdiction_prohibited_content",
    "aup_crypto_mining",
    "aup_cn_mlps_obligation",
    "aup_ai_safety_circumvention",
    "aup_ai_model_extraction",
    "aup_ai_weapons",
    "aup_ai_deception_likeness",
    "aup_ai_high_risk_use",
    "enf_investigation",
    "enf_suspension_termination",
    "enf_content_removal",
    "enf_law_enforcement_reporting",
    "enf_customer_cooperation_duty",
    "enf_violation_reporting_channel",
    "enf_appeal_redress",
    "meta_effective_date",
    "meta_parties_scope",
    "meta_incorporation_by_reference",
    "meta_language_precedence",
];

/// The eight UNFAIR-ToS / CLAUDETTE categories the trained model predicts,
/// in LexGLUE order, with their CLAUDETTE tag.
pub const UNFAIR_CATEGORIES: [(&str, &str); 8] = [
    ("tos_limitation_of_liability", "ltd"),
    ("tos_unilateral_termination", "ter"),
    ("tos_unilateral_change", "ch"),
    ("tos_content_removal", "cr"),
    ("tos_contract_by_using", "use"),
    ("tos_choice_of_law", "law"),
    ("tos_jurisdiction", "j"),
    ("tos_arbitration", "a"),
];

/// The kind of document a provision comes from; scopes some cue rules
/// (`pp_*` only in privacy policies) and some regulatory checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DocType {
    /// Terms of service / conditions of use / customer agreement.
    Tos,
    /// Privacy policy / notice / statement.
    Privacy,
    /// Acceptable use policy, community guidelines, usage policy.
    Aup,
    /// Not known: every rule applies.
    #[default]
    Unknown,
}

impl DocType {
    /// The snake_case name used in rule files and JSON (`tos`, `privacy`, `aup`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Tos => "tos",
            DocType::Privacy => "privacy",
            DocType::Aup => "aup",
            DocType::Unknown => "unknown",
        }
    }

    /// The type of a document from its declared type (`privacy-policy`,
    /// `acceptable-use`, `community-guidelines`, `terms-of-service`, …),
    /// else guessed from its title: the one rule every stage (analysis,
    /// index, reports, exports) scopes labels and checks by.
    pub fn of_declared(declared: Option<&str>, title: Option<&str>) -> DocType {
        let declared = declared.unwrap_or("").to_lowercase();
        if declared.contains("privacy") {
            DocType::Privacy
        } else if declared.contains("acceptable")
            || declared.contains("aup")
            || declared.contains("community")
        {
            DocType::Aup
        } else if declared.contains("terms") || declared.contains("tos") {
            DocType::Tos
        } else {
            DocType::guess(title.unwrap_or(""))
        }
    }

    /// Guesses the type from a title or an OTA terms-type name
    /// ("Privacy Policy", "Acceptable Use Policy", "Terms of Service", "隐私政策").
    pub fn guess(title: &str) -> DocType {
        let t = title.to_lowercase().replace('_', " ");
        if t.contains("privacy") || t.contains("隐私") || t.contains("个人信息") {
            DocType::Privacy
        } else if t.contains("acceptable use")
            || t.contains("usage polic")
            || t.contains("use policy")
            || t.contains("community guidelines")
            || t.contains("可接受使用")
        {
            DocType::Aup
        } else if t.contains("terms")
            || t.contains("conditions")
            || t.contains("agreement")
            || t.contains("条款")
            || t.contains("协议")
        {
            DocType::Tos
        } else {
            DocType::Unknown
        }
    }
}

impl fmt::Display for DocType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DocType {
    type Err = crate::AnalyzeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "tos" | "terms" => DocType::Tos,
            "privacy" | "pp" => DocType::Privacy,
            "aup" | "acceptable_use" => DocType::Aup,
            "unknown" | "" => DocType::Unknown,
            other => return Err(crate::AnalyzeError::UnknownDocType(other.to_string())),
        })
    }
}

/// What is known about the provision being labelled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelContext {
    /// The document type, when known; `Unknown` applies every rule.
    pub doc_type: DocType,
    /// BCP-47 language of the document (`en`, `zh`, …), when known. The
    /// unfair-clause model only runs on English (or undetermined, mostly Latin) text.
    pub language: Option<String>,
    /// Enclosing headings, outermost first; cue rules may require context from them.
    pub heading_path: Vec<String>,
}

impl LabelContext {
    /// A context with a document type and nothing else.
    pub fn with_doc_type(doc_type: DocType) -> Self {
        LabelContext {
            doc_type,
            ..LabelContext::default()
        }
    }
}

/// Where a label's evidence came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LabelSource {
    /// A cue rule of `rules/labels.toml` matched; the span is the cue.
    Rule,
    /// Only the trained model fired; the span is the sentence it fired on.
    Model,
    /// Both fired: confidence from the model and the rule combined, span from the rule.
    Both,
}

/// One label on one provision, with the evidence for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Label {
    /// A TAXONOMY.md id, e.g. `tos_unilateral_change`.
    pub id: String,
    /// 0.0–1.0; for model labels a calibrated probability, for rule labels the
    /// noisy-or of the matched cue weights.
    pub confidence: f32,
    /// CHARACTER offsets `[start, end)` into the provision text (not bytes): the evidence.
    pub span: (usize, usize),
    /// Which layer produced the label.
    pub source: LabelSource,
}

/// Labels one provision: cue rules for every TAXONOMY family plus the trained
/// model for the eight unfair-clause categories. Never panics; returns labels
/// sorted by id, at most one per id.
pub fn label(text: &str, ctx: &LabelContext) -> Vec<Label> {
    let rules = RuleSet::embedded();
    let model = Model::embedded();
    label_with(text, ctx, rules, model)
}

/// [`label`] with an explicit rule set and model (for edited rule files or
/// a freshly trained model). With the `encoder` feature, the embedded
/// encoder and its ensemble settings join the model, as in [`label`].
pub fn label_with(
    text: &str,
    ctx: &LabelContext,
    rules: Option<&RuleSet>,
    model: Option<&Model>,
) -> Vec<Label> {
    #[cfg(feature = "encoder")]
    {
        label_with_encoder(
            text,
            ctx,
            rules,
            model,
            crate::Encoder::embedded().zip(crate::Ensemble::embedded()),
        )
    }
    #[cfg(not(feature = "encoder"))]
    {
        label_inner(text, ctx, rules, model, |m, hits| {
            m.predict_provision(text, hits)
        })
    }
}

/// [`label_with`] with an explicit encoder and ensemble (`None`: the linear
/// model alone decides the eight categories, as without the feature).
#[cfg(feature = "encoder")]
pub fn label_with_encoder(
    text: &str,
    ctx: &LabelContext,
    rules: Option<&RuleSet>,
    model: Option<&Model>,
    encoder: Option<(&crate::Encoder, &crate::Ensemble)>,
) -> Vec<Label> {
    label_inner(text, ctx, rules, model, |m, hits| match encoder {
        Some((enc, ens)) => crate::ensemble::predict_provision(m, enc, ens, text, hits, None),
        None => m.predict_provision(text, hits),
    })
}

fn label_inner(
    text: &str,
    ctx: &LabelContext,
    rules: Option<&RuleSet>,
    model: Option<&Model>,
    predict: impl Fn(&Model, &[crate::rules::RuleHit]) -> Vec<crate::model::ModelPrediction>,
) -> Vec<Label> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    let rule_hits = rules.map(|r| r.apply(text, ctx)).unwrap_or_default();
    let mut out: Vec<Label> = rule_hits
        .iter()
        .filter(|h| h.fires)
        .map(|h| Label {
            id: h.label.clone(),
            confidence: h.confidence,
            span: text::char_span(text, h.span.0, h.span.1),
            source: LabelSource::Rule,
        })
        .collect();

    if let (Some(model), true) = (model, model_applies(text, ctx)) {
        // The model decides the eight categories on English text (issue
        // #21): its inputs include the cue rules, its thresholds were tuned
        // on held-out folds, and cue rules alone for these labels measured
        // far less precise (arbitration 0.09). A rule match only adds its
        // evidence span to a label the model gives.
        let rule_only = |l: &Label| {
            l.source == LabelSource::Rule && UNFAIR_CATEGORIES.iter().any(|(id, _)| *id == l.id)
        };
        let mut rule_spans: Vec<Label> = Vec::new();
        out.retain(|l| {
            if rule_only(l) {
                rule_spans.push(l.clone());
                false
            } else {
                true
            }
        });
        for pred in predict(model, &rule_hits) {
            if !pred.fires {
                continue;
            }
            match rule_spans.iter().find(|l| l.id == pred.label) {
                Some(rule) => out.push(Label {
                    id: rule.id.clone(),
                    confidence: 1.0 - (1.0 - rule.confidence) * (1.0 - pred.confidence),
                    span: rule.span,
                    source: LabelSource::Both,
                }),
                None => out.push(Label {
                    id: pred.label.to_string(),
                    confidence: pred.confidence,
                    span: text::char_span(text, pred.span.0, pred.span.1),
                    source: LabelSource::Model,
                }),
            }
        }
    }
    for l in &mut out {
        l.confidence = l.confidence.clamp(0.0, 1.0);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Labels every provision of a document (index = position) with the
/// context a reader has: the heading path and, for a list item, the lead-in
/// of its list (the nearest earlier paragraph under the same headings that
/// ends in ":" or "—"), read as one more heading so that cue requirements
/// ("a prohibition", "our right to act") see it.
pub fn label_document(doc: &ExtractedDocument, doc_type: DocType) -> Vec<Vec<Label>> {
    let mut lead_in: Option<&Provision> = None;
    let contexts: Vec<LabelContext> = doc
        .provisions
        .iter()
        .map(|p| {
            let mut ctx = LabelContext {
                doc_type,
                language: Some(doc.language.clone()),
                heading_path: p.heading_path.clone(),
            };
            match p.kind {
                ProvisionKind::ListItem => {
                    if let Some(l) = lead_in.filter(|l| l.heading_path == p.heading_path) {
                        ctx.heading_path.push(l.text.clone());
                    }
                }
                ProvisionKind::Paragraph => {
                    let t = p.text.trim_end();
                    lead_in =
                        (t.ends_with(':') || t.ends_with('：') || t.ends_with('—')).then_some(p);
                }
                ProvisionKind::Heading | ProvisionKind::TableRow => lead_in = None,
            }
            ctx
        })
        .collect();
    let work: Vec<(&Provision, LabelContext)> = doc.provisions.iter().zip(contexts).collect();
    let label_all = |part: &[(&Provision, LabelContext)]| -> Vec<Vec<Label>> { label_part(part) };
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if work.len() < PARALLEL_FROM || threads < 2 {
        return label_all(&work);
    }
    // A very long document (a 50 MB text is ~100,000 provisions): one
    // chunk per core, in order. Labels do not depend on each other.
    let per = work.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = work
            .chunks(per)
            .map(|part| scope.spawn(move || label_all(part)))
            .collect();
        let mut out = Vec::with_capacity(work.len());
        for (handle, part) in handles.into_iter().zip(work.chunks(per)) {
            // A panicking chunk is labelled again on this thread (and
            // panics here, as the serial path would).
            out.extend(handle.join().unwrap_or_else(|_| label_all(part)));
        }
        out
    })
}

/// Labels provisions with their contexts, as [`label`] would one by one.
#[cfg(not(feature = "encoder"))]
fn label_part(part: &[(&Provision, LabelContext)]) -> Vec<Vec<Label>> {
    part.iter().map(|(p, ctx)| label(&p.text, ctx)).collect()
}

/// Labels provisions with their contexts, as [`label`] would one by one,
/// but with one encoder run for all their gated sentences (sorted by
/// length into batches) instead of one run per provision: ~6 instead of
/// ~9 ms of CPU a sentence (`examples/encoder_throughput.rs`), and a
/// sentence repeated across provisions is read once.
#[cfg(feature = "encoder")]
fn label_part(part: &[(&Provision, LabelContext)]) -> Vec<Vec<Label>> {
    let rules = RuleSet::embedded();
    let model = Model::embedded();
    let (Some(m), Some((enc, ens))) = (
        model,
        crate::Encoder::embedded().zip(crate::Ensemble::embedded()),
    ) else {
        return part.iter().map(|(p, ctx)| label(&p.text, ctx)).collect();
    };
    // A first pass finds the gated sentences (rule hits and the linear
    // model, both cheap next to the encoder, are computed again by the
    // labelling pass below).
    let mut wanted: Vec<&str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (p, ctx) in part {
        if p.text.trim().is_empty() || !model_applies(&p.text, ctx) {
            continue;
        }
        let hits = rules.map(|r| r.apply(&p.text, ctx)).unwrap_or_default();
        for sentence in crate::ensemble::gated_sentences(m, ens, &p.text, &hits) {
            if seen.insert(sentence) {
                wanted.push(sentence);
            }
        }
    }
    // On an encoder error nothing is known ahead, and each provision's own
    // run falls back to the linear model as `label` does.
    let known: crate::ensemble::Encoded = enc
        .probabilities(&wanted)
        .map(|p| wanted.iter().map(|s| (*s).to_string()).zip(p).collect())
        .unwrap_or_default();
    part.iter()
        .map(|(p, ctx)| {
            label_inner(&p.text, ctx, rules, model, |m, hits| {
                crate::ensemble::predict_provision(m, enc, ens, &p.text, hits, Some(&known))
            })
        })
        .collect()
}

/// Whether the trained model decides the eight unfair-clause categories
/// for a provision: English text outside privacy policies.
fn model_applies(text: &str, ctx: &LabelContext) -> bool {
    ctx.doc_type != DocType::Privacy && is_englishish(text, ctx)
}

/// Provisions from which [`label_document`] labels on every core.
const PARALLEL_FROM: usize = 2_048;

fn is_englishish(text: &str, ctx: &LabelContext) -> bool {
    match ctx
        .language
        .as_deref()
        .map(|l| l.split('-').next().unwrap_or(l))
    {
        Some("en") => true,
        Some("und") | None => {
            text::cjk_ratio(text) < 0.2
                && text.chars().filter(|c| c.is_ascii_alphabetic()).count() >= 3
        }
        Some(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_documents_are_labelled_in_parallel_like_short_ones() {
        let pattern = [
            (ProvisionKind::Paragraph, "You must not:"),
            (
                ProvisionKind::ListItem,
                "send spam or other unsolicited messages",
            ),
            (ProvisionKind::ListItem, "sell our data to third parties"),
            (
                ProvisionKind::Paragraph,
                "We may terminate your account at any time without notice.",
            ),
            (
                ProvisionKind::Paragraph,
                "Disputes go to binding arbitration in Delaware.",
            ),
            (ProvisionKind::TableRow, "Cookies | 13 months"),
        ];
        let doc = |n: usize| ExtractedDocument {
            title: Some("Terms of Service".into()),
            effective_date: None,
            language: "en".into(),
            format: cw_model::SourceFormat::Text,
            provisions: pattern
                .iter()
                .cycle()
                .take(n)
                .enumerate()
                .map(|(i, (kind, text))| Provision::new(format!("p/{i}"), Vec::new(), *kind, *text))
                .collect(),
            warnings: Vec::new(),
            coverage: None,
        };
        let short = label_document(&doc(pattern.len()), DocType::Tos);
        assert!(short.iter().any(|l| !l.is_empty()), "{short:?}");
        let n = PARALLEL_FROM * 3 / 2 / pattern.len() * pattern.len();
        let long = label_document(&doc(n), DocType::Tos);
        assert_eq!(long.len(), n);
        for (i, labels) in long.iter().enumerate() {
            assert_eq!(labels, &short[i % pattern.len()], "provision {i}");
        }
    }

    #[test]
    fn doc_type_guess() {
        assert_eq!(DocType::guess("AWS Acceptable Use Policy"), DocType::Aup);
        assert_eq!(DocType::guess("Privacy_Policy"), DocType::Privacy);
        assert_eq!(DocType::guess("Terms of Service"), DocType::Tos);
        assert_eq!(DocType::guess("隐私政策"), DocType::Privacy);
        assert_eq!(DocType::guess("Cookie banner"), DocType::Unknown);
        assert_eq!("aup".parse::<DocType>().unwrap(), DocType::Aup);
        assert!("nope".parse::<DocType>().is_err());
    }

    #[test]
    fn taxonomy_ids_are_unique_and_snake_case() {
        let mut ids = TAXONOMY_IDS.to_vec();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), TAXONOMY_IDS.len());
        for id in TAXONOMY_IDS {
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{id}"
            );
        }
        for (id, _) in UNFAIR_CATEGORIES {
            assert!(TAXONOMY_IDS.contains(&id));
        }
    }

    #[test]
    fn empty_text_has_no_labels() {
        assert!(label("", &LabelContext::default()).is_empty());
        assert!(label("   \n", &LabelContext::default()).is_empty());
    }
}
