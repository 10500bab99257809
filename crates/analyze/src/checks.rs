//! Regulatory checks as data (`rules/regulations.toml`, from TAXONOMY §2):
//! provision checks (a labelled clause whose attributes or wording raise a
//! risk), document checks (a required kind of clause is absent) and
//! coverage checks (a list of items, e.g. the PRC prohibited-content list,
//! that the document must cover). Every finding is a risk indicator, not a
//! legal determination.

use crate::attributes::{Attributes, NoticeMode, attributes};
use crate::error::AnalyzeError;
use crate::label::{DocType, Label, TAXONOMY_IDS};
use crate::text::slice_chars;
use cw_model::ExtractedDocument;
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const EMBEDDED_REGULATIONS: &str = include_str!("../rules/regulations.toml");

/// The caveat every finding carries.
pub const CAVEAT: &str = "risk indicator, not a legal determination";

/// One regulatory finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The id of the check in `rules/regulations.toml`.
    pub check: String,
    /// The regulation, e.g. `DSA Regulation (EU) 2022/2065`.
    pub regulation: String,
    /// The article, e.g. `14(2)`.
    pub article: String,
    /// The provision concerned; `None` for document-level findings (absence, coverage).
    pub provision_id: Option<String>,
    /// What the check found.
    pub message: String,
    /// The quoted evidence (the label's evidence span or the attribute that triggered).
    pub evidence: Option<String>,
    /// Always [`CAVEAT`].
    pub caveat: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegFile {
    #[serde(default)]
    check: Vec<CheckSpec>,
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
    document_lacks_labels: Vec<String>,
    #[serde(default)]
    document_lacks_text: Option<String>,
    #[serde(default)]
    satisfied_by_attribute: Option<String>,
    #[serde(default)]
    satisfied_by_text: Option<String>,
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

#[derive(Debug)]
struct Check {
    id: String,
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
    document_lacks_labels: Vec<String>,
    document_lacks_text: Option<Regex>,
    satisfied_by_attribute: Option<String>,
    satisfied_by_text: Option<Regex>,
    items: Vec<(String, Regex)>,
}

/// The compiled regulatory checks.
#[derive(Debug)]
pub struct RegulationSet {
    checks: Vec<Check>,
}

fn compile(s: &str) -> Result<Regex, AnalyzeError> {
    RegexBuilder::new(s)
        .case_insensitive(true)
        .build()
        .map_err(|e| AnalyzeError::RuleFile(format!("bad pattern {s:?}: {e}")))
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
        let mut checks = Vec::new();
        for c in file.check {
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
                doc_types: c
                    .doc_types
                    .iter()
                    .map(|d| d.parse())
                    .collect::<Result<_, _>>()?,
                applies_if_text: opt(&c.applies_if_text)?,
                text_has: opt(&c.text_has)?,
                text_lacks: opt(&c.text_lacks)?,
                document_lacks_text: opt(&c.document_lacks_text)?,
                satisfied_by_text: opt(&c.satisfied_by_text)?,
                items: c
                    .items
                    .iter()
                    .map(|i| Ok((i.name.clone(), compile(&i.pattern)?)))
                    .collect::<Result<_, AnalyzeError>>()?,
                id: c.id,
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
        Ok(RegulationSet { checks })
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
        let attrs: Vec<Attributes> = texts.iter().map(|t| attributes(t)).collect();
        let labels_of = |i: usize| labels.get(i).map(Vec::as_slice).unwrap_or(&[]);
        let has_label = |i: usize, ids: &[String]| labels_of(i).iter().any(|l| ids.contains(&l.id));
        let doc_has_label = |ids: &[String]| (0..texts.len()).any(|i| has_label(i, ids));
        let mut whole = doc.title.clone().unwrap_or_default();
        for t in &texts {
            whole.push('\n');
            whole.push_str(t);
        }
        let mut out: Vec<Finding> = Vec::new();
        for c in &self.checks {
            if !(c.doc_types.is_empty()
                || doc_type == DocType::Unknown
                || c.doc_types.contains(&doc_type))
            {
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
                        let Some(label) = labels_of(i).iter().find(|l| c.labels.contains(&l.id))
                        else {
                            continue;
                        };
                        if let Some(evidence) = provision_matches(c, t, &attrs[i]) {
                            let quote =
                                evidence.unwrap_or_else(|| slice_chars(t, label.span).to_string());
                            out.push(finding(
                                Some(doc.provisions[i].id.clone()),
                                c.message.clone(),
                                Some(quote),
                            ));
                        }
                    }
                }
                Scope::Document => {
                    let satisfied = (0..texts.len()).any(|i| {
                        if !has_label(i, &c.labels) {
                            return false;
                        }
                        let by_attr = c.satisfied_by_attribute.as_deref().map(|a| match a {
                            "retention" => attrs[i].retention.is_some(),
                            "notice_days" => attrs[i].notice_days.is_some(),
                            _ => attrs[i].age_threshold.is_some(),
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

/// `Some(evidence)` when every condition of a provision check holds; the
/// evidence is the attribute quote that triggered, when there is one.
fn provision_matches(c: &Check, t: &str, a: &Attributes) -> Option<Option<String>> {
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
        if a.discretion.is_some() != want {
            return None;
        }
        if let Some(d) = &a.discretion {
            evidence.get_or_insert_with(|| slice_chars(t, d.span).to_string());
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
    use crate::label::{LabelContext, label};
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

    fn run(texts: &[&str], dt: DocType) -> Vec<Finding> {
        let d = doc(texts);
        let ctx = LabelContext::with_doc_type(dt);
        let labels: Vec<Vec<Label>> = d.provisions.iter().map(|p| label(&p.text, &ctx)).collect();
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
        assert!(has(&f, "pipl-17-retention"));
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
        assert!(has(&criteria, "pipl-17-retention"));
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
}
