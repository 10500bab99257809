//! Regulatory checks as data (`rules/regulations.toml`, from TAXONOMY §2):
//! provision checks (a labelled clause whose attributes or wording raise a
//! risk), document checks (a required kind of clause is absent) and
//! coverage checks (a list of items, e.g. the PRC prohibited-content list,
//! that the document must cover). Every finding is a risk indicator, not a
//! legal determination.

use crate::attributes::{Actor, Attributes, NoticeMode, attributes};
use crate::error::AnalyzeError;
use crate::label::{DocType, Label, LabelSource, TAXONOMY_IDS};
use crate::text::slice_chars;
use cw_model::{ExtractedDocument, Provision};
use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use std::cell::OnceCell;
use std::sync::OnceLock;

const EMBEDDED_REGULATIONS: &str = include_str!("../rules/regulations.toml");

pub use cw_model::{CAVEAT, Finding};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegFile {
    #[serde(default)]
    applicability: Vec<ApplicabilitySpec>,
    #[serde(default)]
    check: Vec<CheckSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplicabilitySpec {
    id: String,
    /// Who and what the regulation protects, in words (documentation).
    #[allow(dead_code)]
    scope: String,
    #[serde(default)]
    doc_types: Vec<String>,
    #[serde(default)]
    text_all: Vec<String>,
    #[serde(default)]
    text_none: Vec<String>,
    #[serde(default)]
    headings_none: Vec<String>,
    #[serde(default)]
    headings_in: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckSpec {
    id: String,
    regulation: String,
    article: String,
    scope: String,
    message: String,
    #[serde(default)]
    doc_types: Vec<String>,
    applies: Vec<String>,
    #[serde(default)]
    applies_if_text: Option<String>,
    #[serde(default)]
    applies_if_labels: Vec<String>,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    notice_mode_in: Vec<String>,
    #[serde(default)]
    notice_days_below: Option<u32>,
    #[serde(default)]
    discretion: Option<bool>,
    #[serde(default)]
    grounds: Option<bool>,
    #[serde(default)]
    age_below: Option<u32>,
    #[serde(default)]
    text_has: Option<String>,
    #[serde(default)]
    text_lacks: Option<String>,
    #[serde(default)]
    sentence_lacks: Option<String>,
    #[serde(default)]
    document_lacks_labels: Vec<String>,
    #[serde(default)]
    document_lacks_text: Option<String>,
    #[serde(default)]
    satisfied_by_attribute: Option<String>,
    #[serde(default)]
    satisfied_by_text: Option<String>,
    #[serde(default)]
    satisfied_by_effective_date: bool,
    #[serde(default)]
    items: Vec<ItemSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemSpec {
    name: String,
    pattern: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Provision,
    Document,
    Coverage,
}

/// When a regulation applies to a document: its type is one of
/// `doc_types` (any when empty or unknown), every `text_all` pattern matches
/// somewhere in it and no `text_none` pattern does.
#[derive(Debug)]
struct Applicability {
    id: String,
    doc_types: Vec<DocType>,
    text_all: Vec<Regex>,
    text_none: Vec<Regex>,
    /// A provision under a heading matching one of these is outside the
    /// scope ("If you live outside the European Union ...").
    headings_none: Vec<Regex>,
    /// A short provision matching one of these starts a part in scope again
    /// ("If you live in the European Union ...").
    headings_in: Vec<Regex>,
}

impl Applicability {
    fn holds(&self, whole: &str, doc_type: DocType) -> bool {
        doc_type_in(&self.doc_types, doc_type)
            && self.text_all.iter().all(|r| r.is_match(whole))
            && !self.text_none.iter().any(|r| r.is_match(whole))
    }

    /// Per provision, whether it lies in a part of the document this
    /// regulation covers: not under a heading matching `headings_none`, and
    /// not after a provision opening with a region line matching it ("If
    /// you live outside the European Union, ...") unless a later one opens
    /// with a `headings_in` line.
    fn covered_parts(&self, provisions: &[Provision]) -> Vec<bool> {
        let excluded = |t: &str| self.headings_none.iter().any(|r| r.is_match(t));
        // A region line opens its provision: matched near the start.
        // A new heading matching anywhere, a paragraph only near its start.
        let opens = |rs: &[Regex], p: &Provision, new_heading: Option<&String>| {
            let head: String = p.text.chars().take(160).collect();
            rs.iter().any(|r| {
                new_heading.is_some_and(|h| r.is_match(h))
                    || r.find(&head).is_some_and(|m| m.start() <= 12)
            })
        };
        let mut outside = false;
        let mut last_heading: Option<&String> = None;
        provisions
            .iter()
            .map(|p| {
                let heading = p.heading_path.last();
                let new_heading = heading.filter(|h| Some(*h) != last_heading);
                last_heading = heading;
                if opens(&self.headings_none, p, new_heading) {
                    outside = true;
                } else if opens(&self.headings_in, p, new_heading) {
                    outside = false;
                }
                !outside && !p.heading_path.iter().any(|h| excluded(h))
            })
            .collect()
    }
}

#[derive(Debug)]
struct Check {
    id: String,
    applies: Vec<usize>,
    regulation: String,
    article: String,
    scope: Scope,
    message: String,
    doc_types: Vec<DocType>,
    applies_if_text: Option<Regex>,
    applies_if_labels: Vec<String>,
    labels: Vec<String>,
    notice_mode_in: Vec<Option<NoticeMode>>,
    notice_days_below: Option<u32>,
    discretion: Option<bool>,
    grounds: Option<bool>,
    age_below: Option<u32>,
    text_has: Option<Regex>,
    text_lacks: Option<Regex>,
    /// The sentence carrying the label's evidence must not match (read there only).
    sentence_lacks: Option<Regex>,
    document_lacks_labels: Vec<String>,
    document_lacks_text: Option<Regex>,
    satisfied_by_attribute: Option<String>,
    satisfied_by_text: Option<Regex>,
    satisfied_by_effective_date: bool,
    items: Vec<(String, Regex)>,
}

/// The compiled regulatory checks.
#[derive(Debug)]
pub struct RegulationSet {
    applicability: Vec<Applicability>,
    checks: Vec<Check>,
}

fn compile(s: &str) -> Result<Regex, AnalyzeError> {
    RegexBuilder::new(s)
        .case_insensitive(true)
        .build()
        .map_err(|e| AnalyzeError::RuleFile(format!("bad pattern {s:?}: {e}")))
}

/// A check or applicability scoped to document types holds only for those
/// types: an unknown type (an imprint, a cookie policy) is not a privacy
/// policy, and a finding that assumes it is would be wrong.
fn doc_type_in(allowed: &[DocType], doc_type: DocType) -> bool {
    allowed.is_empty() || allowed.contains(&doc_type)
}

fn parse_doc_types(names: &[String]) -> Result<Vec<DocType>, AnalyzeError> {
    names.iter().map(|n| n.parse()).collect()
}

fn check_labels(ids: &[String]) -> Result<(), AnalyzeError> {
    for id in ids {
        if !TAXONOMY_IDS.contains(&id.as_str()) {
            return Err(AnalyzeError::UnknownLabel(id.clone()));
        }
    }
    Ok(())
}

impl RegulationSet {
    /// Compiles a regulations file; rejects unknown ids, scopes, notice modes and bad regexes.
    pub fn from_toml(src: &str) -> Result<RegulationSet, AnalyzeError> {
        let file: RegFile =
            toml::from_str(src).map_err(|e| AnalyzeError::RuleFile(e.to_string()))?;
        let regexes = |v: &[String]| v.iter().map(|s| compile(s)).collect::<Result<Vec<_>, _>>();
        let mut applicability = Vec::new();
        for a in file.applicability {
            applicability.push(Applicability {
                doc_types: parse_doc_types(&a.doc_types)?,
                text_all: regexes(&a.text_all)?,
                text_none: regexes(&a.text_none)?,
                headings_none: regexes(&a.headings_none)?,
                headings_in: regexes(&a.headings_in)?,
                id: a.id,
            });
        }
        let mut checks = Vec::new();
        for c in file.check {
            // Every check says which regulation's scope it needs (issue #21):
            // no finding for a regulation the document is not subject to.
            let bad = |m: String| AnalyzeError::RuleFile(format!("{}: {m}", c.id));
            if c.applies.is_empty() {
                return Err(bad("a check needs `applies`".into()));
            }
            let applies = c
                .applies
                .iter()
                .map(|id| {
                    let found = applicability.iter().position(|a| &a.id == id);
                    found.ok_or_else(|| bad(format!("unknown applicability {id:?}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            check_labels(&c.labels)?;
            check_labels(&c.applies_if_labels)?;
            check_labels(&c.document_lacks_labels)?;
            let scope = match c.scope.as_str() {
                "provision" => Scope::Provision,
                "document" => Scope::Document,
                "coverage" => Scope::Coverage,
                other => {
                    return Err(AnalyzeError::RuleFile(format!(
                        "{}: unknown scope {other:?}",
                        c.id
                    )));
                }
            };
            let notice_mode_in = c
                .notice_mode_in
                .iter()
                .map(|m| {
                    Ok(match m.as_str() {
                        "none" => Some(NoticeMode::None),
                        "posting" => Some(NoticeMode::Posting),
                        "email" => Some(NoticeMode::Email),
                        "durable" => Some(NoticeMode::Durable),
                        "absent" => None,
                        other => {
                            return Err(AnalyzeError::RuleFile(format!(
                                "{}: unknown notice mode {other:?}",
                                c.id
                            )));
                        }
                    })
                })
                .collect::<Result<Vec<_>, AnalyzeError>>()?;
            if let Some(a) = &c.satisfied_by_attribute
                && !matches!(a.as_str(), "retention" | "notice_days" | "age_threshold")
            {
                return Err(AnalyzeError::RuleFile(format!(
                    "{}: unknown attribute {a:?}",
                    c.id
                )));
            }
            let opt = |s: &Option<String>| s.as_deref().map(compile).transpose();
            checks.push(Check {
                doc_types: parse_doc_types(&c.doc_types)?,
                applies_if_text: opt(&c.applies_if_text)?,
                text_has: opt(&c.text_has)?,
                text_lacks: opt(&c.text_lacks)?,
                sentence_lacks: opt(&c.sentence_lacks)?,
                document_lacks_text: opt(&c.document_lacks_text)?,
                satisfied_by_text: opt(&c.satisfied_by_text)?,
                items: c
                    .items
                    .iter()
                    .map(|i| Ok((i.name.clone(), compile(&i.pattern)?)))
                    .collect::<Result<_, AnalyzeError>>()?,
                id: c.id,
                applies,
                satisfied_by_effective_date: c.satisfied_by_effective_date,
                regulation: c.regulation,
                article: c.article,
                scope,
                message: c.message,
                applies_if_labels: c.applies_if_labels,
                labels: c.labels,
                notice_mode_in,
                notice_days_below: c.notice_days_below,
                discretion: c.discretion,
                grounds: c.grounds,
                age_below: c.age_below,
                document_lacks_labels: c.document_lacks_labels,
                satisfied_by_attribute: c.satisfied_by_attribute,
            });
        }
        Ok(RegulationSet {
            applicability,
            checks,
        })
    }

    /// The embedded `rules/regulations.toml`; `None` only if it is broken (a test guards it).
    pub fn embedded() -> Option<&'static RegulationSet> {
        static SET: OnceLock<Option<RegulationSet>> = OnceLock::new();
        SET.get_or_init(|| RegulationSet::from_toml(EMBEDDED_REGULATIONS).ok())
            .as_ref()
    }

    /// The number of checks.
    pub fn len(&self) -> usize {
        self.checks.len()
    }

    /// True when there are no checks.
    pub fn is_empty(&self) -> bool {
        self.checks.is_empty()
    }

    /// Runs every check; see [`check_document`].
    pub fn check(
        &self,
        doc: &ExtractedDocument,
        labels: &[Vec<Label>],
        doc_type: DocType,
    ) -> Vec<Finding> {
        let texts: Vec<&str> = doc.provisions.iter().map(|p| p.text.as_str()).collect();
        // Read on first use: most provisions never need their attributes
        // here, and reading them is the costliest part of a check (issue #25).
        let attr_cells: Vec<OnceCell<Attributes>> = texts.iter().map(|_| OnceCell::new()).collect();
        let attrs = |i: usize| attr_cells[i].get_or_init(|| attributes(texts[i]));
        let labels_of = |i: usize| labels.get(i).map(Vec::as_slice).unwrap_or(&[]);
        let has_label = |i: usize, ids: &[String]| labels_of(i).iter().any(|l| ids.contains(&l.id));
        let doc_has_label = |ids: &[String]| (0..texts.len()).any(|i| has_label(i, ids));
        let mut whole = doc.title.clone().unwrap_or_default();
        for t in &texts {
            whole.push('\n');
            whole.push_str(t);
        }
        let applies: Vec<bool> = self
            .applicability
            .iter()
            .map(|a| a.holds(&whole, doc_type))
            .collect();
        let lang = doc.language.split('-').next().unwrap_or("");
        let reads_language = matches!(lang, "en" | "zh" | "und" | "");
        let covered: Vec<Vec<bool>> = self
            .applicability
            .iter()
            .map(|a| a.covered_parts(&doc.provisions))
            .collect();
        let mut out: Vec<Finding> = Vec::new();
        for c in &self.checks {
            if !c.applies.iter().all(|&a| applies[a]) {
                continue;
            }
            if !doc_type_in(&c.doc_types, doc_type) {
                continue;
            }
            if c.applies_if_text
                .as_ref()
                .is_some_and(|r| !r.is_match(&whole))
            {
                continue;
            }
            if !c.applies_if_labels.is_empty() && !doc_has_label(&c.applies_if_labels) {
                continue;
            }
            let finding =
                |provision_id: Option<String>, message: String, evidence: Option<String>| Finding {
                    check: c.id.clone(),
                    regulation: c.regulation.clone(),
                    article: c.article.clone(),
                    provision_id,
                    message,
                    evidence,
                    caveat: CAVEAT.to_string(),
                };
            match c.scope {
                Scope::Provision => {
                    if !c.document_lacks_labels.is_empty()
                        && doc_has_label(&c.document_lacks_labels)
                    {
                        continue;
                    }
                    if c.document_lacks_text
                        .as_ref()
                        .is_some_and(|r| texts.iter().any(|t| r.is_match(t)))
                    {
                        continue;
                    }
                    for (i, t) in texts.iter().enumerate() {
                        if !c.applies.iter().all(|&a| covered[a][i]) {
                            continue;
                        }
                        // A finding needs wording a reader can point to: a
                        // label the model alone gives is not enough.
                        let Some(label) = labels_of(i)
                            .iter()
                            .find(|l| c.labels.contains(&l.id) && l.source != LabelSource::Model)
                        else {
                            continue;
                        };
                        let sentence = evidence_sentence(t, label.span);
                        let here = attributes(sentence);
                        let Some(evidence) = provision_matches(c, t, attrs(i), sentence, &here)
                        else {
                            continue;
                        };
                        // Read like a lawyer: what the provision lacks may be
                        // in a related one (same labels anywhere, same
                        // section, or the neighbours): "30 days' notice" in
                        // the next paragraph answers a "no notice" check.
                        let related = (0..texts.len()).filter(|&j| {
                            j != i
                                && (has_label(j, &c.labels)
                                    || j.abs_diff(i) <= 2
                                    || (!doc.provisions[j].heading_path.is_empty()
                                        && doc.provisions[j].heading_path
                                            == doc.provisions[i].heading_path))
                        });
                        if related
                            .into_iter()
                            .any(|j| supplies_what_is_missing(c, texts[j], attrs(j)))
                        {
                            continue;
                        }
                        let quote =
                            evidence.unwrap_or_else(|| slice_chars(t, label.span).to_string());
                        out.push(finding(
                            Some(doc.provisions[i].id.clone()),
                            c.message.clone(),
                            Some(quote),
                        ));
                    }
                }
                // Absence is only claimed in a language the cues read.
                Scope::Document | Scope::Coverage if !reads_language => continue,
                Scope::Document => {
                    if c.satisfied_by_effective_date && doc.effective_date.is_some() {
                        continue;
                    }
                    let satisfied = (0..texts.len()).any(|i| {
                        if !has_label(i, &c.labels) {
                            return false;
                        }
                        let by_attr = c.satisfied_by_attribute.as_deref().map(|a| match a {
                            "retention" => attrs(i).retention.is_some(),
                            "notice_days" => attrs(i).notice_days.is_some(),
                            _ => attrs(i).age_threshold.is_some(),
                        });
                        let by_text = c.satisfied_by_text.as_ref().map(|r| r.is_match(texts[i]));
                        match (by_attr, by_text) {
                            (None, None) => true,
                            (a, b) => a.unwrap_or(false) || b.unwrap_or(false),
                        }
                    });
                    if !satisfied {
                        out.push(finding(None, c.message.clone(), None));
                    }
                }
                Scope::Coverage => {
                    let mut missing = Vec::new();
                    for (name, r) in &c.items {
                        if !r.is_match(&whole) {
                            missing.push(name.as_str());
                        }
                    }
                    if !missing.is_empty() {
                        let total = c.items.len();
                        let message = c
                            .message
                            .replace("{covered}", &(total - missing.len()).to_string())
                            .replace("{total}", &total.to_string())
                            .replace("{missing}", &missing.join("; "));
                        out.push(finding(None, message, None));
                    }
                }
            }
        }
        out
    }
}

/// True when provision `t` supplies something whose absence a provision
/// check flags: a notice period long enough, a notice mode outside the
/// flagged ones, stated grounds, or the wording `text_lacks` looks for.
fn supplies_what_is_missing(c: &Check, t: &str, a: &Attributes) -> bool {
    let notice_ok = |a: &Attributes| {
        c.notice_days_below
            .is_some_and(|min| a.notice_days.as_ref().is_some_and(|d| d.value >= min))
            || (!c.notice_mode_in.is_empty()
                && a.notice_mode
                    .as_ref()
                    .is_some_and(|n| !c.notice_mode_in.contains(&Some(n.value))))
    };
    notice_ok(a)
        || (c.grounds == Some(false) && a.grounds.is_some())
        || c.text_lacks.as_ref().is_some_and(|r| r.is_match(t))
}

/// `Some(evidence)` when every condition of a provision check holds; the
/// evidence is the attribute quote that triggered, when there is one.
/// The sentence of `t` holding the start of the CHARACTER span `span`.
fn evidence_sentence(t: &str, span: (usize, usize)) -> &str {
    let byte = t.char_indices().nth(span.0).map_or(t.len(), |(b, _)| b);
    crate::text::sentence_spans(t)
        .into_iter()
        .find(|&(s, e)| s <= byte && byte < e)
        .and_then(|(s, e)| t.get(s..e))
        .unwrap_or(t)
}

/// `Some(evidence)` when every condition of a provision check holds; the
/// evidence is the attribute quote that triggered, when there is one.
/// What a provision lacks is read in the whole provision `a`; what it
/// asserts about the labelled act (discretion, an age) in the sentence
/// carrying the label's evidence (`here`), and a discretion that is the
/// user's ("you may close your account for any reason") is not the provider's.
fn provision_matches(
    c: &Check,
    t: &str,
    a: &Attributes,
    sentence: &str,
    here: &Attributes,
) -> Option<Option<String>> {
    let mut evidence: Option<String> = None;
    if !c.notice_mode_in.is_empty() {
        let mode = a.notice_mode.as_ref().map(|n| n.value);
        if !c.notice_mode_in.contains(&mode) {
            return None;
        }
        if let Some(n) = &a.notice_mode {
            evidence = Some(slice_chars(t, n.span).to_string());
        }
    }
    if let Some(min) = c.notice_days_below
        && a.notice_days.as_ref().is_some_and(|d| d.value >= min)
    {
        return None;
    }
    if let Some(want) = c.discretion {
        let users = here.actor.as_ref().is_some_and(|x| x.value == Actor::User);
        let discretion = here.discretion.as_ref().filter(|_| !users);
        if discretion.is_some() != want {
            return None;
        }
        if let Some(d) = discretion {
            evidence.get_or_insert_with(|| slice_chars(sentence, d.span).to_string());
        }
    }
    if let Some(want) = c.grounds
        && a.grounds.is_some() != want
    {
        return None;
    }
    if let Some(min) = c.age_below {
        let age = a.age_threshold.as_ref()?;
        if age.value >= min {
            return None;
        }
        evidence.get_or_insert_with(|| slice_chars(t, age.span).to_string());
    }
    if c.text_has.as_ref().is_some_and(|r| !r.is_match(t)) {
        return None;
    }
    if c.text_lacks.as_ref().is_some_and(|r| r.is_match(t)) {
        return None;
    }
    if c.sentence_lacks
        .as_ref()
        .is_some_and(|r| r.is_match(sentence))
    {
        return None;
    }
    Some(evidence)
}

/// Runs the regulatory checks of `rules/regulations.toml` on a document.
/// `labels[i]` are the labels of `doc.provisions[i]` (as returned by
/// [`crate::label`]). Findings come in check order; each carries the
/// caveat "risk indicator, not a legal determination".
pub fn check_document(
    doc: &ExtractedDocument,
    labels: &[Vec<Label>],
    doc_type: DocType,
) -> Vec<Finding> {
    RegulationSet::embedded()
        .map(|s| s.check(doc, labels, doc_type))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cw_model::{Provision, ProvisionKind, SourceFormat};

    fn doc(texts: &[&str]) -> ExtractedDocument {
        ExtractedDocument {
            title: None,
            effective_date: None,
            language: "en".into(),
            format: SourceFormat::Text,
            provisions: texts
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    Provision::new(format!("p/{i}"), vec![], ProvisionKind::Paragraph, *t)
                })
                .collect(),
            warnings: vec![],
            coverage: None,
        }
    }

    /// A title that puts a document in the scope of every EU regulation:
    /// EU-facing, business users (P2B), user content (DSA), consumers.
    const EU_PLATFORM: &str = "Terms for EU business users; content you upload is hosted by us";

    fn run(texts: &[&str], dt: DocType) -> Vec<Finding> {
        run_titled(EU_PLATFORM, texts, dt)
    }

    fn run_titled(title: &str, texts: &[&str], dt: DocType) -> Vec<Finding> {
        let mut d = doc(texts);
        d.title = Some(title.to_string());
        let labels = crate::label::label_document(&d, dt);
        check_document(&d, &labels, dt)
    }

    fn has(f: &[Finding], check: &str) -> bool {
        f.iter().any(|x| x.check == check)
    }

    #[test]
    fn embedded_regulations_compile() {
        let s = RegulationSet::from_toml(EMBEDDED_REGULATIONS).unwrap();
        assert!(s.len() >= 20);
        assert!(
            RegulationSet::from_toml(
                "[[check]]\nid='x'\nregulation='r'\narticle='1'\nscope='nope'\nmessage='m'"
            )
            .is_err()
        );
        assert!(RegulationSet::from_toml("[[check]]\nid='x'\nregulation='r'\narticle='1'\nscope='document'\nmessage='m'\nlabels=['bad']").is_err());
    }

    #[test]
    fn posting_only_change_flags_p2b_and_dsa() {
        let f = run(
            &[
                "We may modify this Policy at any time by posting a revised version on the AWS Site.",
            ],
            DocType::Aup,
        );
        let p2b = f
            .iter()
            .find(|x| x.check == "p2b-3-2-change-notice")
            .expect("P2B 3(2)");
        assert_eq!(p2b.article, "3(2)");
        assert_eq!(p2b.provision_id.as_deref(), Some("p/0"));
        assert_eq!(p2b.evidence.as_deref(), Some("by posting a revised"));
        assert_eq!(p2b.caveat, CAVEAT);
        let dsa = f
            .iter()
            .find(|x| x.check == "dsa-14-2-posting-only")
            .expect("DSA 14(2)");
        assert_eq!(dsa.article, "14(2)");
        // With 30 days' e-mail notice neither fires.
        let ok = run(
            &["We may modify these Terms by notifying you by email at least 30 days in advance."],
            DocType::Tos,
        );
        assert!(
            !has(&ok, "p2b-3-2-change-notice") && !has(&ok, "dsa-14-2-posting-only"),
            "{ok:?}"
        );
    }

    #[test]
    fn privacy_policy_without_retention_period() {
        let f = run(
            &[
                "We collect your name and email address to provide the services.",
                "Contact us at privacy@example.com.",
            ],
            DocType::Privacy,
        );
        let g = f
            .iter()
            .find(|x| x.check == "gdpr-13-2-a-retention")
            .expect("GDPR 13(2)(a)");
        assert_eq!(g.provision_id, None);
        assert_eq!(g.article, "13(2)(a)");
        // PIPL is for services in the PRC: not this EU document.
        assert!(!has(&f, "pipl-17-retention"));
        let ok = run(
            &[
                "We collect your name.",
                "We retain your account data for 3 years after you close your account.",
            ],
            DocType::Privacy,
        );
        assert!(
            !has(&ok, "gdpr-13-2-a-retention") && !has(&ok, "pipl-17-retention"),
            "{ok:?}"
        );
        let criteria = run(
            &["We retain your information for as long as necessary to provide the services."],
            DocType::Privacy,
        );
        assert!(!has(&criteria, "gdpr-13-2-a-retention"));
    }

    #[test]
    fn enforcement_without_notice_or_redress() {
        let t = "If you violate this Policy, we may suspend or terminate your account immediately and without notice.";
        let f = run(&[t], DocType::Aup);
        assert!(has(&f, "dsa-17-statement-of-reasons"), "{f:?}");
        assert!(has(&f, "p2b-4-without-notice"));
        let dsa = f
            .iter()
            .find(|x| x.check == "dsa-17-statement-of-reasons")
            .unwrap();
        assert_eq!(dsa.evidence.as_deref(), Some("without notice"));
        // A redress provision elsewhere silences DSA 17.
        let f2 = run(
            &[
                t,
                "You may appeal our decision through the internal complaint-handling system.",
            ],
            DocType::Aup,
        );
        assert!(!has(&f2, "dsa-17-statement-of-reasons"));
    }

    #[test]
    fn prc_list_coverage() {
        let full = [
            "Content or activity prohibited by PRC laws and regulations is also prohibited, including anything that:",
            "opposes the basic principles established by the Constitution;",
            "endangers national security, divulges state secrets or purports to subvert the national regime or undermine the unity of the nation;",
            "jeopardizes the honor and interests of the nation;",
            "incites ethnic hatred or discrimination, or undermines ethnic unity;",
            "undermines national religious policy or advocates heresies or superstition;",
            "disseminates rumors, disrupts the social order or undermines social stability;",
            "disseminates obscenity, eroticism, gambling, violence, homicide or terrorism, or instigates others to commit crimes;",
            "insults or slanders other persons or infringes upon other persons’ reputation, privacy or lawful rights and interests;",
            "contains any other content prohibited by laws, administrative regulations, departmental regulations, administrative orders or policies promulgated from time to time.",
        ];
        assert!(!has(
            &run(&full, DocType::Aup),
            "csl-13-prohibited-content-coverage"
        ));
        let partial: Vec<&str> = full
            .iter()
            .copied()
            .filter(|t| !t.contains("rumors") && !t.contains("religious"))
            .collect();
        let f = run(&partial, DocType::Aup);
        let c = f
            .iter()
            .find(|x| x.check == "csl-13-prohibited-content-coverage")
            .expect("coverage");
        assert!(
            c.message
                .starts_with("PRC prohibited-content list: 7 of 9 items covered"),
            "{}",
            c.message
        );
        assert!(c.message.contains("rumors") && c.message.contains("religious"));
        assert_eq!(c.provision_id, None);
    }

    #[test]
    fn no_labels_no_provision_findings() {
        let d = doc(&["We may modify this Policy at any time by posting a revised version."]);
        let f = check_document(&d, &[], DocType::Aup);
        assert!(f.iter().all(|x| x.provision_id.is_none()));
    }

    #[test]
    fn regulations_apply_only_to_documents_in_their_scope() {
        let change =
            "We may modify these Terms at any time by posting a revised version on the Site.";
        // Consumer dating terms in the EU: DSA and UCTD yes, P2B (business users) no.
        let dating = run_titled(
            "Terms of Use for members in the European Union; photos you post appear on your profile",
            &[change],
            DocType::Tos,
        );
        assert!(!has(&dating, "p2b-3-2-change-notice"), "{dating:?}");
        assert!(has(&dating, "dsa-14-2-posting-only"), "{dating:?}");
        // A US privacy policy: no PIPL, no GDPR; CCPA only when California is addressed.
        let us = "We collect your name. We retain it as long as necessary. This policy applies in the United States.";
        let f = run_titled("Privacy Policy", &[us], DocType::Privacy);
        assert!(
            f.iter()
                .all(|x| !x.check.starts_with("pipl") && !x.check.starts_with("gdpr")),
            "{f:?}"
        );
        assert!(!has(&f, "ccpa-1798-130-last-updated"));
        let ca = run_titled(
            "Privacy Policy",
            &[us, "California residents have rights."],
            DocType::Privacy,
        );
        assert!(has(&ca, "ccpa-1798-130-last-updated"), "{ca:?}");
        // A PRC policy is in scope of PIPL.
        let cn = run_titled(
            "Privacy Policy",
            &[
                "We collect your name in mainland China.",
                "We keep it as long as necessary.",
            ],
            DocType::Privacy,
        );
        assert!(has(&cn, "pipl-17-retention"), "{cn:?}");
    }

    #[test]
    fn the_stored_effective_date_satisfies_the_last_updated_check() {
        let texts = ["California residents may request deletion of their data."];
        let mut d = doc(&texts);
        d.title = Some("Privacy Policy".into());
        let labels = crate::label::label_document(&d, DocType::Privacy);
        assert!(has(
            &check_document(&d, &labels, DocType::Privacy),
            "ccpa-1798-130-last-updated"
        ));
        d.effective_date = chrono::NaiveDate::from_ymd_opt(2024, 3, 1);
        assert!(!has(
            &check_document(&d, &labels, DocType::Privacy),
            "ccpa-1798-130-last-updated"
        ));
    }

    #[test]
    fn notice_anywhere_in_the_document_satisfies_a_notice_check() {
        let f = run(
            &[
                "We may modify these Terms at any time by posting a revised version on the Site.",
                "We will notify you by email at least 30 days before any change takes effect.",
            ],
            DocType::Tos,
        );
        assert!(!has(&f, "p2b-3-2-change-notice"), "{f:?}");
        assert!(!has(&f, "dsa-14-2-posting-only"), "{f:?}");
    }

    #[test]
    fn negated_without_notice_is_notice() {
        let t = "If you violate this Policy, we will not suspend or terminate your account without notice.";
        let f = run(&[t], DocType::Aup);
        assert!(!has(&f, "p2b-4-without-notice"), "{f:?}");
        assert!(!has(&f, "dsa-17-statement-of-reasons"), "{f:?}");
    }
}
