//! The cue phrases of TAXONOMY §3 and the small word lists the rules need.
//!
//! Every cue is a lowercase word sequence with a category and a canonical
//! name (the name shown in reasons: "your end users" counts as `end users`).
//! Phrases are matched longest-first, so "with or without notice" is one
//! qualifier, not a qualifier plus a negation. Chinese cues are written per
//! character because CJK text is tokenised per character.

use crate::fasthash::FxHashMap;
use std::sync::LazyLock;

/// What a cue phrase signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Cat {
    /// Deontic/modal verbs and "reserve the right" (rule 1).
    Modal,
    /// Notice and discretion qualifiers (rule 2), incl. open/closed-list markers (rule 4).
    Qualifier,
    /// Qualifiers TAXONOMY marks "review" ("material", "reasonable", "promptly").
    Review,
    /// Negations (rule 8).
    Negation,
    /// Exceptions and carve-outs (rule 8).
    Exception,
    /// Who is bound or covered (rule 6) and recipients (rule 4).
    Actor,
    /// Governing law, forum, arbitration (rule 5).
    Dispute,
    /// Consent mechanics (rule 9).
    Consent,
    /// Enforcement powers (rule 10).
    Enforcement,
}

/// One cue: its words, category and canonical name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cue {
    pub(crate) words: &'static [&'static str],
    pub(crate) cat: Cat,
    pub(crate) name: &'static str,
}

macro_rules! cues {
    ($($cat:ident $name:literal : [$($w:literal),+ $(,)?]),* $(,)?) => {
        &[$(Cue { words: &[$($w),+], cat: Cat::$cat, name: $name }),*]
    };
}

/// The cue table. Order does not matter: matching is longest-first.
const CUES: &[Cue] = cues![
    // Rule 1: modal shifts.
    Modal "may": ["may"],
    Modal "might": ["might"],
    Modal "can": ["can"],
    Modal "could": ["could"],
    Modal "will": ["will"],
    Modal "shall": ["shall"],
    Modal "must": ["must"],
    Modal "should": ["should"],
    Modal "required to": ["required", "to"],
    Modal "obliged to": ["obliged", "to"],
    Modal "obligated to": ["obligated", "to"],
    Modal "will try to": ["will", "try", "to"],
    Modal "will attempt to": ["will", "attempt", "to"],
    Modal "will endeavour to": ["will", "endeavour", "to"],
    Modal "will endeavor to": ["will", "endeavor", "to"],
    Modal "reasonable efforts": ["reasonable", "efforts"],
    Modal "commercially reasonable efforts": ["commercially", "reasonable", "efforts"],
    Modal "best efforts": ["best", "efforts"],
    Modal "reserve the right": ["reserve", "the", "right"],
    Modal "reserve the right": ["reserves", "the", "right"],
    Modal "reserve the right": ["reserved", "the", "right"],
    Modal "entitled to": ["entitled", "to"],
    Modal "可以": ["可", "以"],
    Modal "应当": ["应", "当"],
    Modal "必须": ["必", "须"],
    Modal "有权": ["有", "权"],
    Modal "将": ["将"],
    // Rule 2: notice and discretion qualifiers; rule 4: open lists.
    Qualifier "without notice": ["without", "notice"],
    Qualifier "without prior notice": ["without", "prior", "notice"],
    Qualifier "without further notice": ["without", "further", "notice"],
    Qualifier "without advance notice": ["without", "advance", "notice"],
    Qualifier "with or without notice": ["with", "or", "without", "notice"],
    Qualifier "with or without prior notice": ["with", "or", "without", "prior", "notice"],
    Qualifier "with or without cause": ["with", "or", "without", "cause"],
    Qualifier "without cause": ["without", "cause"],
    Qualifier "prior notice": ["prior", "notice"],
    Qualifier "advance notice": ["advance", "notice"],
    Qualifier "prior written notice": ["prior", "written", "notice"],
    Qualifier "at any time": ["at", "any", "time"],
    Qualifier "at all times": ["at", "all", "times"],
    Qualifier "from time to time": ["from", "time", "to", "time"],
    Qualifier "immediately": ["immediately"],
    Qualifier "effective immediately": ["effective", "immediately"],
    Qualifier "effective upon posting": ["effective", "upon", "posting"],
    Qualifier "effective upon posting": ["effective", "when", "posted"],
    Qualifier "by posting": ["by", "posting"],
    Qualifier "sole discretion": ["sole", "discretion"],
    Qualifier "sole discretion": ["absolute", "discretion"],
    Qualifier "sole discretion": ["sole", "and", "absolute", "discretion"],
    Qualifier "discretion": ["discretion"],
    Qualifier "for any reason": ["for", "any", "reason"],
    Qualifier "for any or no reason": ["for", "any", "or", "no", "reason"],
    Qualifier "for no reason": ["for", "no", "reason"],
    Qualifier "without liability": ["without", "liability"],
    Qualifier "without explanation": ["without", "explanation"],
    Qualifier "at our option": ["at", "our", "option"],
    Qualifier "including but not limited to": ["including", "but", "not", "limited", "to"],
    Qualifier "including without limitation": ["including", "without", "limitation"],
    Qualifier "without limitation": ["without", "limitation"],
    Qualifier "随时": ["随", "时"],
    Qualifier "无需通知": ["无", "需", "通", "知"],
    Qualifier "不另行通知": ["不", "另", "行", "通", "知"],
    Qualifier "自行决定": ["自", "行", "决", "定"],
    Qualifier "立即": ["立", "即"],
    Qualifier "包括但不限于": ["包", "括", "但", "不", "限", "于"],
    // "Review, not auto-decide" qualifiers.
    Review "material": ["material"],
    Review "materially": ["materially"],
    Review "reasonable": ["reasonable"],
    Review "reasonably": ["reasonably"],
    Review "promptly": ["promptly"],
    // Rule 8: negation and exceptions.
    Negation "not": ["not"],
    Negation "no": ["no"],
    Negation "never": ["never"],
    Negation "none": ["none"],
    Negation "neither": ["neither"],
    Negation "nor": ["nor"],
    Negation "without": ["without"],
    Negation "不": ["不"],
    Negation "不得": ["不", "得"],
    Negation "禁止": ["禁", "止"],
    Negation "未经": ["未", "经"],
    Exception "except": ["except"],
    Exception "except": ["except", "as"],
    Exception "except": ["except", "that"],
    Exception "unless": ["unless"],
    Exception "subject to": ["subject", "to"],
    Exception "notwithstanding": ["notwithstanding"],
    Exception "other than": ["other", "than"],
    Exception "provided that": ["provided", "that"],
    Exception "only": ["only"],
    Exception "to the extent permitted by law": ["to", "the", "extent", "permitted", "by", "law"],
    Exception "to the extent permitted by law": ["to", "the", "extent", "permitted", "by", "applicable", "law"],
    Exception "to the extent permitted by law": ["to", "the", "maximum", "extent", "permitted", "by", "law"],
    Exception "to the extent permitted by law": ["to", "the", "fullest", "extent", "permitted", "by", "law"],
    Exception "to the extent permitted by law": ["to", "the", "maximum", "extent", "permitted", "by", "applicable", "law"],
    Exception "to the extent permitted by law": ["to", "the", "fullest", "extent", "permitted", "by", "applicable", "law"],
    Exception "除非": ["除", "非"],
    Exception "除外": ["除", "外"],
    // Rule 6 / rule 4: actors and recipients (canonical name = actor type).
    Actor "you": ["you"],
    Actor "you": ["your"],
    Actor "you": ["yours"],
    Actor "you": ["yourself"],
    Actor "we": ["we"],
    Actor "we": ["us"],
    Actor "we": ["our"],
    Actor "we": ["ours"],
    Actor "end users": ["end", "users"],
    Actor "end users": ["end", "user"],
    Actor "end users": ["your", "end", "users"],
    Actor "end users": ["your", "end", "user"],
    Actor "users": ["users"],
    Actor "users": ["user"],
    Actor "customers": ["customer"],
    Actor "customers": ["customers"],
    Actor "third parties": ["third", "party"],
    Actor "third parties": ["third", "parties"],
    Actor "affiliates": ["affiliate"],
    Actor "affiliates": ["affiliates"],
    Actor "others": ["others"],
    Actor "others": ["anyone"],
    Actor "others": ["any", "person"],
    Actor "others": ["any", "other", "person"],
    Actor "children": ["child"],
    Actor "children": ["children"],
    Actor "children": ["minor"],
    Actor "children": ["minors"],
    Actor "parents": ["parent"],
    Actor "parents": ["parents"],
    Actor "parents": ["guardian"],
    Actor "parents": ["guardians"],
    Actor "service providers": ["service", "provider"],
    Actor "service providers": ["service", "providers"],
    Actor "service providers": ["subprocessors"],
    Actor "service providers": ["sub", "processors"],
    Actor "partners": ["partner"],
    Actor "partners": ["partners"],
    Actor "advertisers": ["advertiser"],
    Actor "advertisers": ["advertisers"],
    Actor "law enforcement": ["law", "enforcement"],
    Actor "authorities": ["authority"],
    Actor "authorities": ["authorities"],
    Actor "authorities": ["regulator"],
    Actor "authorities": ["regulators"],
    Actor "authorities": ["government"],
    Actor "employees": ["employee"],
    Actor "employees": ["employees"],
    Actor "agents": ["agent"],
    Actor "agents": ["agents"],
    Actor "contractors": ["contractor"],
    Actor "contractors": ["contractors"],
    Actor "用户": ["用", "户"],
    Actor "第三方": ["第", "三", "方"],
    // Rule 5: dispute terms.
    Dispute "governing law": ["governed", "by"],
    Dispute "governing law": ["governing", "law"],
    Dispute "laws of": ["laws", "of"],
    Dispute "laws of": ["law", "of"],
    Dispute "jurisdiction": ["jurisdiction"],
    Dispute "exclusive jurisdiction": ["exclusive", "jurisdiction"],
    Dispute "venue": ["venue"],
    Dispute "courts": ["court"],
    Dispute "courts": ["courts"],
    Dispute "arbitration": ["arbitration"],
    Dispute "arbitration": ["arbitrate"],
    Dispute "arbitration": ["arbitrator"],
    Dispute "arbitration": ["arbitral"],
    Dispute "binding arbitration": ["binding", "arbitration"],
    Dispute "class action": ["class", "action"],
    Dispute "class action": ["class", "actions"],
    Dispute "class action": ["class", "arbitration"],
    Dispute "jury trial": ["jury", "trial"],
    Dispute "jury trial": ["trial", "by", "jury"],
    Dispute "small claims": ["small", "claims"],
    Dispute "mediation": ["mediation"],
    Dispute "conflict of laws": ["conflict", "of", "laws"],
    Dispute "conflict of laws": ["conflicts", "of", "laws"],
    Dispute "conflict of laws": ["conflict", "of", "law"],
    Dispute "仲裁": ["仲", "裁"],
    Dispute "法院": ["法", "院"],
    // Rule 9: consent mechanics.
    Consent "opt in": ["opt", "in"],
    Consent "opt out": ["opt", "out"],
    Consent "consent": ["consent"],
    Consent "separate consent": ["separate", "consent"],
    Consent "explicit consent": ["explicit", "consent"],
    Consent "express consent": ["express", "consent"],
    Consent "parental consent": ["parental", "consent"],
    Consent "withdraw consent": ["withdraw", "your", "consent"],
    Consent "withdraw consent": ["withdraw", "consent"],
    Consent "sell": ["sell"],
    Consent "sell": ["sale"],
    Consent "sell": ["sold"],
    Consent "share": ["share"],
    Consent "share": ["shared"],
    Consent "share": ["sharing"],
    Consent "do not track": ["do", "not", "track"],
    Consent "global privacy control": ["global", "privacy", "control"],
    Consent "同意": ["同", "意"],
    // Rule 10: enforcement powers.
    Enforcement "suspend": ["suspend"],
    Enforcement "suspend": ["suspension"],
    Enforcement "terminate": ["terminate"],
    Enforcement "terminate": ["termination"],
    Enforcement "remove": ["remove"],
    Enforcement "remove": ["removal"],
    Enforcement "disable": ["disable"],
    Enforcement "delete": ["delete"],
    Enforcement "delete": ["deletion"],
    Enforcement "block": ["block"],
    Enforcement "ban": ["ban"],
    Enforcement "report": ["report"],
    Enforcement "disclose": ["disclose"],
    Enforcement "disclose": ["disclosing"],
    Enforcement "disclose": ["disclosure"],
    Enforcement "investigate": ["investigate"],
    Enforcement "investigate": ["investigation"],
    Enforcement "cooperate": ["cooperate"],
    Enforcement "monitor": ["monitor"],
    Enforcement "monitor": ["monitoring"],
    Enforcement "refuse": ["refuse"],
    Enforcement "restrict": ["restrict"],
    Enforcement "limit access": ["limit", "access"],
    Enforcement "appeal": ["appeal"],
    Enforcement "appeal": ["appeals"],
];

/// Cues indexed by their first word, longest phrase first.
pub(crate) static CUE_INDEX: LazyLock<FxHashMap<&'static str, Vec<Cue>>> = LazyLock::new(|| {
    let mut map: FxHashMap<&'static str, Vec<Cue>> = FxHashMap::default();
    for cue in CUES {
        if let Some(first) = cue.words.first() {
            map.entry(first).or_default().push(*cue);
        }
    }
    for list in map.values_mut() {
        list.sort_by(|a, b| b.words.len().cmp(&a.words.len()).then(a.name.cmp(b.name)));
    }
    map
});

/// Function words whose replacement alone does not change meaning.
pub(crate) fn is_function_word(w: &str) -> bool {
    matches!(
        w,
        "a" | "an"
            | "the"
            | "this"
            | "that"
            | "these"
            | "those"
            | "which"
            | "who"
            | "whom"
            | "whose"
            | "of"
            | "to"
            | "in"
            | "into"
            | "on"
            | "onto"
            | "at"
            | "by"
            | "for"
            | "from"
            | "with"
            | "as"
            | "is"
            | "are"
            | "be"
            | "been"
            | "being"
            | "was"
            | "were"
            | "am"
            | "it"
            | "its"
            | "their"
            | "them"
            | "they"
            | "there"
            | "here"
            | "such"
            | "so"
            | "then"
            | "thereof"
            | "therein"
            | "hereof"
            | "herein"
            | "hereby"
            | "hereunder"
            | "thereunder"
            | "do"
            | "does"
            | "did"
            | "has"
            | "have"
            | "had"
            | "also"
            | "etc"
            | "e"
            | "g"
            | "i"
            | "via"
            | "through"
            | "per"
            | "upon"
            | "about"
            | "following"
            | "s"
            | "like"
            | "whether"
            | "own"
            | "please"
            | "applicable"
            | "的"
            | "了"
            | "和"
            | "与"
            | "及"
            | "在"
            | "是"
    )
}

/// Units that qualify a number (shown with it: "30 days").
pub(crate) fn is_unit(w: &str) -> bool {
    matches!(
        w,
        "day"
            | "days"
            | "week"
            | "weeks"
            | "month"
            | "months"
            | "year"
            | "years"
            | "hour"
            | "hours"
            | "minute"
            | "minutes"
            | "second"
            | "seconds"
            | "percent"
            | "usd"
            | "eur"
            | "gbp"
            | "cny"
            | "rmb"
            | "dollar"
            | "dollars"
            | "euro"
            | "euros"
            | "cents"
            | "gb"
            | "mb"
            | "tb"
            | "kb"
            | "times"
            | "日"
            | "天"
            | "月"
            | "年"
            | "小"
            | "时"
            | "岁"
            | "元"
            | "周"
    )
}

/// Words that may stand between a number and its unit ("30 business days").
pub(crate) fn is_unit_modifier(w: &str) -> bool {
    matches!(
        w,
        "business" | "calendar" | "working" | "consecutive" | "full"
    )
}

/// Spelled-out numbers (counted as numbers only when a unit follows).
pub(crate) fn is_number_word(w: &str) -> bool {
    matches!(
        w,
        "one"
            | "two"
            | "three"
            | "four"
            | "five"
            | "six"
            | "seven"
            | "eight"
            | "nine"
            | "ten"
            | "eleven"
            | "twelve"
            | "thirteen"
            | "fourteen"
            | "fifteen"
            | "sixteen"
            | "seventeen"
            | "eighteen"
            | "nineteen"
            | "twenty"
            | "thirty"
            | "forty"
            | "fifty"
            | "sixty"
            | "seventy"
            | "eighty"
            | "ninety"
            | "hundred"
            | "thousand"
            | "million"
    )
}

/// English month names and abbreviations.
pub(crate) fn is_month(w: &str) -> bool {
    matches!(
        w,
        "january"
            | "february"
            | "march"
            | "april"
            | "may"
            | "june"
            | "july"
            | "august"
            | "september"
            | "october"
            | "november"
            | "december"
            | "jan"
            | "feb"
            | "mar"
            | "apr"
            | "jun"
            | "jul"
            | "aug"
            | "sep"
            | "sept"
            | "oct"
            | "nov"
            | "dec"
            | "janvier"
            | "février"
            | "mars"
            | "avril"
            | "mai"
            | "juin"
            | "juillet"
            | "août"
            | "septembre"
            | "octobre"
            | "novembre"
            | "décembre"
    )
}

/// Words that introduce a cross-reference number ("Section 5").
pub(crate) fn is_xref_word(w: &str) -> bool {
    matches!(
        w,
        "section"
            | "sections"
            | "sec"
            | "clause"
            | "clauses"
            | "article"
            | "articles"
            | "art"
            | "paragraph"
            | "paragraphs"
            | "para"
            | "schedule"
            | "annex"
            | "appendix"
            | "exhibit"
            | "part"
            | "§"
            | "item"
            | "chapter"
            | "nr"
            | "abs"
            | "ziff"
            | "lit"
            | "alinéa"
    )
}

/// Legal-form suffixes that mark a legal entity name (rule 7: party change).
pub(crate) fn is_legal_form(w: &str) -> bool {
    matches!(
        w,
        "inc"
            | "incorporated"
            | "llc"
            | "ltd"
            | "limited"
            | "gmbh"
            | "corp"
            | "corporation"
            | "co"
            | "plc"
            | "ag"
            | "sa"
            | "sas"
            | "sarl"
            | "bv"
            | "nv"
            | "pte"
            | "pty"
            | "srl"
            | "spa"
            | "kk"
            | "llp"
            | "lp"
            | "ab"
            | "oy"
            | "公"
            | "司"
    )
}

/// Words that may join capitalised words inside a name ("Bank of America").
pub(crate) fn is_name_connector(w: &str) -> bool {
    matches!(
        w,
        "of" | "and" | "&" | "the" | "for" | "de" | "du" | "des" | "la" | "le" | "von" | "van"
    )
}

/// Titles and roles that stand next to a person's name ("Jane Doe, CEO",
/// "Monsieur …", "Président du Directoire"): a name changed beside one is a
/// changed representative or officer (rule 7), not a rebrand.
pub(crate) fn is_role_word(w: &str) -> bool {
    matches!(
        w,
        "ceo"
            | "cfo"
            | "cto"
            | "coo"
            | "dpo"
            | "chief"
            | "officer"
            | "director"
            | "directeur"
            | "directrice"
            | "président"
            | "présidente"
            | "president"
            | "chairman"
            | "chair"
            | "manager"
            | "gérant"
            | "gérante"
            | "representative"
            | "représentant"
            | "représentante"
            | "agent"
            | "geschäftsführer"
            | "vorstand"
            | "mr"
            | "mrs"
            | "ms"
            | "dr"
            | "me"
            | "mme"
            | "mlle"
            | "monsieur"
            | "madame"
            | "herr"
            | "frau"
            | "attn"
            | "c/o"
    )
}

/// Words that make a date line ("Last updated: …") when they open a short provision.
pub(crate) fn is_date_line_cue(w: &str) -> bool {
    matches!(
        w,
        "updated"
            | "update"
            | "effective"
            | "revised"
            | "modified"
            | "dated"
            | "date"
            | "last"
            | "version"
            | "published"
            | "amended"
            | "mis"
            | "mise"
            | "dernière"
            | "vigueur"
            | "更"
            | "新"
            | "生"
            | "效"
            | "日"
            | "期"
            | "最"
            | "近"
    )
}

/// Words that, in a sentence, make a changed date an effective/updated date (cosmetic).
pub(crate) fn is_effective_context(w: &str) -> bool {
    matches!(
        w,
        "updated"
            | "effective"
            | "revised"
            | "modified"
            | "amended"
            | "copyright"
            | "dated"
            | "©"
            | "version"
            | "published"
            | "last"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_longest_first() {
        let with = CUE_INDEX.get("with").map(Vec::as_slice).unwrap_or_default();
        assert!(
            with.windows(2)
                .all(|w| w[0].words.len() >= w[1].words.len())
        );
        assert!(with.iter().any(|c| c.name == "with or without notice"));
    }

    #[test]
    fn cue_words_are_lowercase() {
        for cue in CUES {
            for w in cue.words {
                assert_eq!(w.to_lowercase(), *w, "{}", cue.name);
            }
        }
    }
}
