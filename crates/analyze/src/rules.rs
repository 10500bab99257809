//! The cue-rule layer: label cues kept as data in `rules/labels.toml`
//! (phrases and regular expressions with weights, optional context
//! requirements and doc-type scoping), compiled once into one `Regex` per cue.
//!
//! Scoring is a noisy-or of the weights of the distinct cues that matched;
//! the evidence span is the match of the strongest cue (earliest on ties).

use crate::error::AnalyzeError;
use crate::label::{DocType, LabelContext, TAXONOMY_IDS};
use crate::required::required_literals;
use aho_corasick::{AhoCorasick, MatchKind};
use regex_automata::meta::{self, Regex};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::syntax;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

const EMBEDDED_LABELS: &str = include_str!("../rules/labels.toml");

/// The file format of `rules/labels.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default, rename = "label")]
    labels: Vec<LabelSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelSpec {
    id: String,
    #[serde(default)]
    doc_types: Vec<String>,
    #[serde(default = "default_threshold")]
    threshold: f32,
    #[serde(default)]
    excludes: Option<String>,
    #[serde(default)]
    context_requires: Option<String>,
    #[serde(default)]
    context_exempt: Vec<String>,
    #[serde(default)]
    negation: bool,
    #[serde(default)]
    cues: Vec<CueSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CueSpec {
    #[serde(default)]
    phrase: Option<String>,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    pattern: Option<String>,
    #[serde(default = "default_weight")]
    weight: f32,
    #[serde(default)]
    requires: Option<String>,
    #[serde(default)]
    excludes: Option<String>,
    #[serde(default)]
    clause_requires: Option<String>,
    #[serde(default)]
    negation: Option<bool>,
    #[serde(default)]
    doc_types: Vec<String>,
}

fn default_threshold() -> f32 {
    0.5
}

fn default_weight() -> f32 {
    0.6
}

#[derive(Debug)]
struct LabelRule {
    id: String,
    doc_types: Vec<DocType>,
    threshold: f32,
    excludes: Option<Regex>,
    /// A cue only counts when this matches its clause or the heading path
    /// (which carries a list item's lead-in) ...
    context_requires: Option<Regex>,
    /// ... except in these document types, whose nature supplies it.
    context_exempt: Vec<DocType>,
}

#[derive(Debug)]
struct Cue {
    label: usize,
    regex: Regex,
    /// Ids (in [`RuleSet::literals`]) of the literals one of which every
    /// match contains; `None`: the regex always runs.
    needs: Option<Vec<u32>>,
    weight: f32,
    requires: Option<Regex>,
    excludes: Option<Regex>,
    clause_requires: Option<Regex>,
    negation: bool,
    doc_types: Vec<DocType>,
}

/// A compiled set of cue rules. Build one from TOML with
/// [`RuleSet::from_toml`] or use the embedded `rules/labels.toml` via
/// [`RuleSet::embedded`].
#[derive(Debug)]
pub struct RuleSet {
    labels: Vec<LabelRule>,
    cues: Vec<Cue>,
    /// Every cue's required literals, found in one pass (ASCII case
    /// folded): a cue none of whose literals occur cannot match (issue #25).
    literals: Option<AhoCorasick>,
    /// The number of patterns in `literals`.
    literal_count: usize,
}

/// What the rules found for one label in one text.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleHit {
    /// The label id.
    pub label: String,
    /// Noisy-or of the weights of the matched cues.
    pub confidence: f32,
    /// BYTE range of the strongest cue's match.
    pub span: (usize, usize),
    /// BYTE ranges of every cue match, with the cue's weight.
    pub matches: Vec<(usize, usize, f32)>,
    /// True when the confidence reaches the label's threshold and the doc
    /// type allows the label.
    pub fires: bool,
}

impl RuleSet {
    /// The rules compiled from the `rules/labels.toml` embedded at build
    /// time; `None` only if that file is broken (a unit test guards it).
    pub fn embedded() -> Option<&'static RuleSet> {
        static RULES: OnceLock<Option<RuleSet>> = OnceLock::new();
        RULES
            .get_or_init(|| RuleSet::from_toml(EMBEDDED_LABELS).ok())
            .as_ref()
    }

    /// The source text of the embedded rule file, for display or editing.
    pub fn embedded_source() -> &'static str {
        EMBEDDED_LABELS
    }

    /// Compiles a rule file. Rejects unknown label ids, unknown doc types,
    /// cues without a phrase or pattern, weights outside 0–1 and invalid regexes.
    pub fn from_toml(src: &str) -> Result<RuleSet, AnalyzeError> {
        let file: RuleFile =
            toml::from_str(src).map_err(|e| AnalyzeError::RuleFile(e.to_string()))?;
        let mut labels = Vec::new();
        let mut cues = Vec::new();
        let mut literal_ids: HashMap<String, u32> = HashMap::new();
        let mut literals: Vec<String> = Vec::new();
        for spec in file.labels {
            if !TAXONOMY_IDS.contains(&spec.id.as_str()) {
                return Err(AnalyzeError::UnknownLabel(spec.id));
            }
            let label_idx = labels.len();
            for cue in spec.cues {
                let weight = cue.weight;
                if !(0.0..=1.0).contains(&weight) {
                    return Err(AnalyzeError::RuleFile(format!(
                        "{}: cue weight {weight} outside 0..1",
                        spec.id
                    )));
                }
                let mut sources: Vec<String> =
                    cue.phrases.iter().map(|p| phrase_regex(p)).collect();
                if let Some(p) = &cue.phrase {
                    sources.push(phrase_regex(p));
                }
                if let Some(p) = &cue.pattern {
                    sources.push(p.clone());
                }
                if sources.is_empty() {
                    return Err(AnalyzeError::RuleFile(format!(
                        "{}: a cue needs `phrase`, `phrases` or `pattern`",
                        spec.id
                    )));
                }
                let requires = cue.requires.as_deref().map(compile).transpose()?;
                let excludes = cue.excludes.as_deref().map(compile).transpose()?;
                let clause_requires = cue.clause_requires.as_deref().map(compile).transpose()?;
                let negation = cue.negation.unwrap_or(spec.negation);
                let doc_types = parse_doc_types(&cue.doc_types)?;
                for source in sources {
                    let needs = required_literals(&latin_word_classes(&source)).map(|lits| {
                        lits.into_iter()
                            .map(|l| {
                                *literal_ids.entry(l.clone()).or_insert_with(|| {
                                    literals.push(l);
                                    u32::try_from(literals.len() - 1).unwrap_or(u32::MAX)
                                })
                            })
                            .collect()
                    });
                    cues.push(Cue {
                        label: label_idx,
                        regex: compile(&source)?,
                        needs,
                        weight,
                        requires: requires.clone(),
                        excludes: excludes.clone(),
                        clause_requires: clause_requires.clone(),
                        negation,
                        doc_types: doc_types.clone(),
                    });
                }
            }
            labels.push(LabelRule {
                id: spec.id,
                doc_types: parse_doc_types(&spec.doc_types)?,
                threshold: spec.threshold,
                excludes: spec.excludes.as_deref().map(compile).transpose()?,
                context_requires: spec.context_requires.as_deref().map(compile).transpose()?,
                context_exempt: parse_doc_types(&spec.context_exempt)?,
            });
        }
        let literal_count = literals.len();
        let literals = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&literals)
            .ok();
        if literals.is_none() {
            // Without the pass every cue runs: slower, same labels.
            for cue in &mut cues {
                cue.needs = None;
            }
        }
        Ok(RuleSet {
            labels,
            cues,
            literals,
            literal_count,
        })
    }

    /// Which required literals occur in `text` (index = literal id).
    fn present_literals(&self, text: &str) -> Vec<bool> {
        let mut present = vec![false; self.literal_count];
        if let Some(ac) = &self.literals {
            for m in ac.find_overlapping_iter(text) {
                if let Some(p) = present.get_mut(m.pattern().as_usize()) {
                    *p = true;
                }
            }
        }
        present
    }

    /// The label ids this rule set can produce, in file order.
    pub fn label_ids(&self) -> impl Iterator<Item = &str> {
        self.labels.iter().map(|l| l.id.as_str())
    }

    /// The number of compiled cues.
    pub fn cue_count(&self) -> usize {
        self.cues.len()
    }

    /// Applies every cue to `text` and returns one hit per label with at
    /// least one matching cue (fired or not), in file order.
    pub fn apply(&self, text: &str, ctx: &LabelContext) -> Vec<RuleHit> {
        let context = if ctx.heading_path.is_empty() {
            None
        } else {
            Some(format!("{}\n{}", text, ctx.heading_path.join("\n")))
        };
        let context_text = context.as_deref().unwrap_or(text);
        let headings = ctx.heading_path.join("\n");
        // Cues read the text with defined-term parentheses blanked out
        // (same byte offsets): `("Services")` is a definition, not evidence.
        let masked = mask_defined_terms(text);
        let text = masked.as_str();
        let mut hits: Vec<Option<RuleHit>> = vec![None; self.labels.len()];
        let present = self.present_literals(text);
        // One regex per cue: a RegexSet over ~600 Unicode patterns thrashes
        // its lazy-DFA cache and was 50x slower than the individual regexes.
        for cue in &self.cues {
            if !doc_type_allows(&cue.doc_types, ctx.doc_type) {
                continue;
            }
            // None of the literals every match contains occurs: no match.
            if cue
                .needs
                .as_ref()
                .is_some_and(|ids| !ids.iter().any(|&i| present.get(i as usize) == Some(&true)))
            {
                continue;
            }
            if cue
                .requires
                .as_ref()
                .is_some_and(|r| !r.is_match(context_text))
            {
                continue;
            }
            if cue.excludes.as_ref().is_some_and(|r| r.is_match(text)) {
                continue;
            }
            let Some(m) = cue.regex.find(text) else {
                continue;
            };
            if m.start() == m.end() {
                continue;
            }
            let rule = &self.labels[cue.label];
            let clause = clause_around(text, m.start(), m.end());
            if cue
                .clause_requires
                .as_ref()
                .is_some_and(|r| !r.is_match(&text[clause.0..clause.1]))
            {
                continue;
            }
            if let Some(r) = &rule.context_requires
                && !rule.context_exempt.contains(&ctx.doc_type)
                && !r.is_match(&text[clause.0..clause.1])
                && !r.is_match(&headings)
            {
                continue;
            }
            if cue.negation && negated(&text[clause.0..m.start()]) {
                continue;
            }
            let entry = hits[cue.label].get_or_insert_with(|| RuleHit {
                label: rule.id.clone(),
                confidence: 0.0,
                span: (m.start(), m.end()),
                matches: Vec::new(),
                fires: false,
            });
            entry.matches.push((m.start(), m.end(), cue.weight));
        }
        let mut out = Vec::new();
        for (li, hit) in hits.into_iter().enumerate() {
            let Some(mut hit) = hit else { continue };
            let rule = &self.labels[li];
            let mut miss = 1.0f32;
            for &(_, _, w) in &hit.matches {
                miss *= 1.0 - w;
            }
            hit.confidence = 1.0 - miss;
            // Strongest cue, earliest on ties.
            if let Some(best) = hit
                .matches
                .iter()
                .copied()
                .max_by(|a, b| a.2.total_cmp(&b.2).then_with(|| b.0.cmp(&a.0)))
            {
                hit.span = (best.0, best.1);
            }
            hit.matches
                .sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
            hit.fires = hit.confidence >= rule.threshold
                && doc_type_allows(&rule.doc_types, ctx.doc_type)
                && !rule.excludes.as_ref().is_some_and(|r| r.is_match(text));
            out.push(hit);
        }
        out
    }
}

/// The BYTE range of the clause holding `[start, end)`: from after the
/// previous `;`, `:`, `!`, `?`, newline or sentence-ending `.` to the next
/// one (list bullets and semicolons separate clauses in policies).
pub(crate) fn clause_around(text: &str, start: usize, end: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let is_stop = |i: usize| match bytes[i] {
        b';' | b':' | b'!' | b'?' | b'\n' => true,
        b'.' => bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace()),
        _ => false,
    };
    let from = (0..start.min(bytes.len()))
        .rev()
        .find(|&i| is_stop(i))
        .map_or(0, |i| i + 1);
    let to = (end.min(bytes.len())..bytes.len())
        .find(|&i| is_stop(i))
        .unwrap_or(bytes.len());
    (from, to)
}

/// True when the words just before a match (same clause) negate it or put
/// it in an exception: "does not restrict", "will never sell", "except to
/// remove", "unless we terminate".
pub(crate) fn negated(before: &str) -> bool {
    static NEG: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(re) = NEG
        .get_or_init(|| {
            compile(
                r"(?:\b(?:not|never|cannot|neither|nor|no\s+longer|except|unless|other\s+than)\b|n['’]t\b)(?:\s+\w+){0,6}\s*$",
            )
            .ok()
        })
        .as_ref()
    else {
        return false;
    };
    re.is_match(before)
}

/// `text` with every defined-term parenthesis — `("Services")`, `(the
/// “Agreement”)`, `(each, a "System")`, `(“Spam”, or ‘UBE’)` — replaced by
/// spaces of the same byte length.
pub(crate) fn mask_defined_terms(text: &str) -> String {
    static DEF: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let Some(re) = DEF
        .get_or_init(|| {
            regex::Regex::new(
                r#"\((?:\s*(?:the|a|an|each|each,\s*an?|collectively|together|individually|hereinafter|hereafter|jointly|referred\s+to\s+as|also)\b,?)*\s*["“”'‘’][^()"“”]{1,60}["“”'‘’](?:\s*(?:,|or|and|,\s*or)\s*(?:the\s+)?["“”'‘’][^()"“”]{1,60}["“”'‘’])*\s*\)"#,
            )
            .ok()
        })
        .as_ref()
    else {
        return text.to_string();
    };
    if !text.contains('(') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for m in re.find_iter(text) {
        out.push_str(&text[last..m.start()]);
        out.extend(std::iter::repeat_n(' ', m.end() - m.start()));
        last = m.end();
    }
    out.push_str(&text[last..]);
    out
}

fn doc_type_allows(allowed: &[DocType], actual: DocType) -> bool {
    allowed.is_empty() || actual == DocType::Unknown || allowed.contains(&actual)
}

fn parse_doc_types(names: &[String]) -> Result<Vec<DocType>, AnalyzeError> {
    names.iter().map(|n| n.parse()).collect()
}

/// The lazy DFA's transition cache per cue regex and searching thread. The
/// default (2 MiB) let the ~600 cue regexes hold 40–60 MiB per labelling
/// thread; a quarter MiB measured no slower on the OTA corpus.
const CUE_DFA_CACHE: usize = 256 << 10;

/// Compiles a cue pattern: case-insensitive, match bounds only (no capture
/// groups, so no one-pass DFA), `\w` read as [`LATIN_WORD`].
fn compile(source: &str) -> Result<Regex, AnalyzeError> {
    Regex::builder()
        .syntax(syntax::Config::new().case_insensitive(true))
        .configure(
            meta::Config::new()
                .nfa_size_limit(Some(32 << 20))
                .which_captures(WhichCaptures::Implicit)
                .onepass(false)
                .hybrid_cache_capacity(CUE_DFA_CACHE),
        )
        .build(&latin_word_classes(source))
        .map_err(|e| AnalyzeError::RuleFile(format!("bad pattern {source:?}: {e}")))
}

/// What `\w` means in a cue: a letter or digit of the Latin script (ASCII,
/// Latin-1 and Latin Extended-A/B, without × and ÷) or `_`. The cues'
/// word gaps (`(?:\w+\s+){0,4}`) span European-language words; Unicode's
/// `\w`, repeated like that, compiled to ~0.4 MiB per cue and doubled the
/// pattern cues' search time (3,000 OTA paragraphs). Chinese cues spell
/// their gaps as `.{0,n}`.
const LATIN_WORD: &str = r"[0-9A-Za-z_\u{C0}-\u{D6}\u{D8}-\u{F6}\u{F8}-\u{24F}]";

/// Rewrites `\w` and `\W` (also inside brackets, where a nested class is
/// valid) to [`LATIN_WORD`] and its negation; other escapes are copied.
fn latin_word_classes(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('w') => out.push_str(LATIN_WORD),
            Some('W') => {
                out.push_str("[^");
                out.push_str(&LATIN_WORD[1..]);
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Turns a plain phrase into a regex: words matched case-insensitively with
/// any whitespace between them, straight and curly quotes interchangeable,
/// "e-mail"/"email" both matching, word boundaries at ASCII word edges, and
/// "…" or "..." standing for up to 80 characters of anything.
pub(crate) fn phrase_regex(phrase: &str) -> String {
    let phrase = phrase.trim();
    let mut out = String::new();
    let parts: Vec<&str> = phrase.split("…").flat_map(|p| p.split("...")).collect();
    for (pi, part) in parts.iter().enumerate() {
        if pi > 0 {
            out.push_str(r".{0,80}?");
        }
        let words: Vec<&str> = part.split_whitespace().collect();
        for (wi, w) in words.iter().enumerate() {
            if wi > 0 {
                out.push_str(r"\s+");
            }
            for c in w.chars() {
                match c {
                    '\'' | '’' | '‘' => out.push_str("['’‘]"),
                    '"' | '“' | '”' => out.push_str("[\"“”]"),
                    '-' => out.push_str(r"[-‐–]?\s*"),
                    c => out.push_str(&regex::escape(&c.to_string())),
                }
            }
        }
    }
    let first = phrase.chars().next();
    let last = phrase.chars().last();
    let mut r = String::new();
    if first.is_some_and(|c| c.is_ascii_alphanumeric()) {
        r.push_str(r"\b");
    }
    r.push_str(&out);
    if last.is_some_and(|c| c.is_ascii_alphanumeric()) {
        r.push_str(r"\b");
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_class_escapes_become_the_latin_class_and_others_are_kept() {
        assert_eq!(latin_word_classes(r"a\w+b"), format!("a{LATIN_WORD}+b"));
        assert_eq!(
            latin_word_classes(r"[\w.]\W"),
            format!("[{LATIN_WORD}.][^{}", &LATIN_WORD[1..])
        );
        // An escaped backslash before `w` is a literal backslash and a `w`.
        assert_eq!(latin_word_classes(r"\\w\s\b\p{Han}"), r"\\w\s\b\p{Han}");
        assert_eq!(latin_word_classes("\\"), "\\");
    }

    #[test]
    fn cue_word_gaps_span_accented_latin_words_but_not_other_scripts() {
        let gap = compile(r"\bwe\s+(?:\w+\s+){0,2}?r\w+\b").unwrap();
        for text in [
            "We may résilier",
            "we pourrons bientôt réviser",
            "WE ÉVENTUELLEMENT RÉVISONS",
        ] {
            assert!(gap.is_match(text), "{text}");
        }
        assert!(!gap.is_match("we Привет remove"));
        assert!(!compile(r"\W").unwrap().is_match("é_x9"));
        assert!(compile(r"\W").unwrap().is_match("é ×"));
    }

    #[test]
    fn embedded_rules_compile_and_cover_every_family() {
        let rules = RuleSet::from_toml(EMBEDDED_LABELS).unwrap();
        let ids: Vec<&str> = rules.label_ids().collect();
        for family in ["tos_", "pp_", "aup_", "enf_", "meta_"] {
            assert!(
                ids.iter().filter(|i| i.starts_with(family)).count() >= 3,
                "{family}"
            );
        }
        // Every taxonomy id has cues.
        for id in TAXONOMY_IDS {
            assert!(ids.contains(id), "no cues for {id}");
        }
        assert!(RuleSet::embedded().is_some());
    }

    #[test]
    fn cues_are_skipped_only_when_they_cannot_match_issue_25() {
        let rules = RuleSet::embedded().unwrap();
        let without: Vec<String> = rules
            .cues
            .iter()
            .filter(|c| c.needs.is_none())
            .map(|c| format!("{:?}", c.regex))
            .collect();
        // A cue without required literals runs on every provision.
        assert!(without.len() <= 10, "{} cues always run", without.len());
        // On real paragraphs, every cue that matches passes the filter.
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpus/ota/contrib/Amazon_Web_Services/Acceptable_Use_Policy/versions"
        );
        let mut texts: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        texts.push("我们有权随时修改本协议。数据出境。不承担任何责任".into());
        texts.push("WE MAY TERMINATE YOUR ACCOUNT WITHOUT NOTICE; SUSPENſION, \u{212a}EEP".into());
        let mut matched = 0;
        for text in &texts {
            for para in text.split("\n\n") {
                let present = rules.present_literals(para);
                for cue in &rules.cues {
                    if cue.regex.find(para).is_some() {
                        matched += 1;
                        let ids = cue.needs.as_deref().unwrap_or(&[]);
                        assert!(
                            cue.needs.is_none() || ids.iter().any(|&i| present[i as usize]),
                            "{:?} matches {para:?} but was filtered out",
                            cue.regex
                        );
                    }
                }
            }
        }
        assert!(matched > 20, "{matched}");
    }

    #[test]
    fn phrases_are_flexible() {
        let re = regex::Regex::new(&format!("(?i){}", phrase_regex("e-mail  headers"))).unwrap();
        assert!(re.is_match("forging TCP-IP packet headers, E-mail\nheaders"));
        assert!(re.is_match("email headers"));
        let re =
            regex::Regex::new(&format!("(?i){}", phrase_regex("in no event … liable"))).unwrap();
        assert!(re.is_match("IN NO EVENT SHALL AMAZON BE LIABLE"));
        let re = regex::Regex::new(&phrase_regex("数据出境")).unwrap();
        assert!(re.is_match("关于数据出境的规定"));
    }

    #[test]
    fn bad_files_are_errors_not_panics() {
        assert!(RuleSet::from_toml("[[label]]\nid = \"nope\"").is_err());
        assert!(RuleSet::from_toml("[[label]]\nid = \"pp_other\"\ncues=[{weight=0.5}]").is_err());
        assert!(
            RuleSet::from_toml("[[label]]\nid = \"pp_other\"\ncues=[{pattern='(', weight=0.5}]")
                .is_err()
        );
        assert!(
            RuleSet::from_toml("[[label]]\nid = \"pp_other\"\ncues=[{phrase='x', weight=2.0}]")
                .is_err()
        );
        assert!(RuleSet::from_toml("not toml [").is_err());
    }

    #[test]
    fn requires_excludes_and_doc_types() {
        let src = r#"
[[label]]
id = "pp_children"
doc_types = ["privacy"]
cues = [
  { phrase = "under 18", weight = 0.7, requires = "parent|guardian" },
  { phrase = "children", weight = 0.3, excludes = "child pornography" },
]
"#;
        let rules = RuleSet::from_toml(src).unwrap();
        let pp = LabelContext::with_doc_type(DocType::Privacy);
        let hit = &rules.apply("If you are under 18, ask a parent.", &pp)[0];
        assert!(hit.fires);
        assert_eq!(hit.span, (11, 19));
        assert!(rules.apply("If you are under 18.", &pp).is_empty());
        let aup = LabelContext::with_doc_type(DocType::Aup);
        assert!(!rules.apply("If you are under 18, ask a parent.", &aup)[0].fires);
        let weak = &rules.apply("children", &pp)[0];
        assert!(!weak.fires);
    }
}
