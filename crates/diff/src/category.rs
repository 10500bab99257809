//! Reason categories: which TAXONOMY §3 rule a reason string stands for.
//!
//! Reasons are sentences for people ("modal shift 'may' → 'will'"); the
//! [`Category`] of a reason is what a lawyer would file it under: one of the
//! ten "usually substantive" rules of TAXONOMY §3 (plus `Wording` for a
//! change of content words no rule names), or one of the "usually cosmetic"
//! kinds. [`reason_category`] reads the opening of a reason, the same
//! openings the significance rules write, so the category always agrees with
//! the reason shown. The gold-set test (`tests/integration/gold.rs`) scores
//! the category of a change's first reason against a hand-judged one.

/// What a reason is about (TAXONOMY §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Category {
    /// Rule 1: deontic/modal shift, "reserve the right".
    Modal,
    /// Rule 2: notice and discretion qualifiers.
    Notice,
    /// Rule 3: numbers, periods, amounts, dates that bind.
    Number,
    /// Rule 4: enumerations: list entries, data categories, open/closed lists.
    Enumeration,
    /// Rule 5: governing law, forum, arbitration.
    Dispute,
    /// Rule 6: scope and actors; scope qualifiers (any, all, only, customer…).
    Scope,
    /// Rule 7: party, representative or contact channel (addresses,
    /// e-mail addresses, person names).
    Party,
    /// Rule 8: negations and exceptions.
    Negation,
    /// Rule 9: consent mechanics.
    Consent,
    /// Rule 10: provisions or sections added/removed, incorporated documents
    /// and their links, enforcement powers.
    Provision,
    /// A change of content words that no rule above names.
    Wording,
    /// Cosmetic: whitespace, markup, punctuation, quotes, case.
    Layout,
    /// Cosmetic: list or clause numbering, cross-reference numbers.
    Renumber,
    /// Cosmetic: spelling fixes and variants, word forms.
    Spelling,
    /// Cosmetic: rename or rebrand of the same entity, product or document.
    Rename,
    /// Cosmetic: a link moved to another address of the same document.
    Link,
    /// Cosmetic: "last updated"/effective date, relative dates.
    Date,
    /// Cosmetic: moved or reordered text.
    Move,
    /// Cosmetic: paragraphs split or merged, same words.
    Resegment,
    /// Cosmetic: function words, headings, stray short text.
    Minor,
}

impl Category {
    /// The short lowercase name used in the gold set ("party", "renumber").
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Modal => "modal",
            Category::Notice => "notice",
            Category::Number => "number",
            Category::Enumeration => "enumeration",
            Category::Dispute => "dispute",
            Category::Scope => "scope",
            Category::Party => "party",
            Category::Negation => "negation",
            Category::Consent => "consent",
            Category::Provision => "provision",
            Category::Wording => "wording",
            Category::Layout => "layout",
            Category::Renumber => "renumber",
            Category::Spelling => "spelling",
            Category::Rename => "rename",
            Category::Link => "link",
            Category::Date => "date",
            Category::Move => "move",
            Category::Resegment => "resegment",
            Category::Minor => "minor",
        }
    }
}

/// Openings of reason strings and their category, longest match first
/// (checked in order, so more specific openings come before shorter ones).
const OPENINGS: &[(&str, Category)] = &[
    // Substantive.
    ("modal ", Category::Modal),
    ("added 'reserve the right'", Category::Modal),
    ("removed 'reserve the right'", Category::Modal),
    ("added qualifier 'including", Category::Enumeration),
    ("removed qualifier 'including", Category::Enumeration),
    ("added qualifier 'without limitation", Category::Enumeration),
    (
        "removed qualifier 'without limitation",
        Category::Enumeration,
    ),
    ("added qualifier", Category::Notice),
    ("removed qualifier", Category::Notice),
    ("added scope qualifier", Category::Scope),
    ("removed scope qualifier", Category::Scope),
    ("added dispute term", Category::Dispute),
    ("removed dispute term", Category::Dispute),
    ("governing law/forum", Category::Dispute),
    ("added consent term", Category::Consent),
    ("removed consent term", Category::Consent),
    ("added enforcement power", Category::Provision),
    ("removed enforcement power", Category::Provision),
    ("negation ", Category::Negation),
    ("exception ", Category::Negation),
    ("scope/actor", Category::Scope),
    ("heading now", Category::Scope),
    ("moved from prohibited", Category::Scope),
    ("moved from permitted", Category::Scope),
    ("number ", Category::Number),
    ("amount ", Category::Number),
    ("date changed", Category::Number),
    ("date added", Category::Number),
    ("date removed", Category::Number),
    ("party changed", Category::Party),
    ("e-mail address", Category::Party),
    ("postal address", Category::Party),
    ("phone number", Category::Party),
    ("person named", Category::Party),
    ("person name", Category::Party),
    ("contact details", Category::Party),
    ("document link", Category::Provision),
    ("list entry", Category::Enumeration),
    ("new list item", Category::Provision),
    ("list item removed", Category::Provision),
    ("new table row", Category::Provision),
    ("table row removed", Category::Provision),
    ("new provision", Category::Provision),
    ("provision removed", Category::Provision),
    ("text added", Category::Wording),
    ("text removed", Category::Wording),
    ("wording changed", Category::Wording),
    ("extensively rewritten", Category::Wording),
    ("rewritten", Category::Wording),
    // Cosmetic.
    ("whitespace changed", Category::Layout),
    ("quotes or dashes", Category::Layout),
    ("case changed", Category::Layout),
    ("case or punctuation", Category::Layout),
    ("text now in capitals", Category::Layout),
    ("punctuation changed", Category::Layout),
    ("empty provision", Category::Layout),
    ("markup debris", Category::Layout),
    ("list renumbered", Category::Renumber),
    ("numbering changed", Category::Renumber),
    ("cross-reference", Category::Renumber),
    ("spelling", Category::Spelling),
    ("word form", Category::Spelling),
    ("entity renamed", Category::Rename),
    ("link moved", Category::Link),
    ("effective date", Category::Date),
    ("effective-date line", Category::Date),
    ("relative date", Category::Date),
    ("moved ", Category::Move),
    ("split ", Category::Resegment),
    ("merged ", Category::Resegment),
    ("re-segmented", Category::Resegment),
];

/// The category of one reason string, or `None` for a reason no rule
/// writes (e.g. the "… and N more" tail).
pub fn reason_category(reason: &str) -> Option<Category> {
    OPENINGS
        .iter()
        .find(|(opening, _)| reason.starts_with(opening))
        .map(|&(_, c)| c)
        .or_else(|| {
            let minor = [
                "minor wording",
                "minor rewording",
                "heading reworded",
                "repeated title",
                "new heading",
                "heading removed",
                "short text",
            ];
            minor
                .iter()
                .any(|m| reason.starts_with(m))
                .then_some(Category::Minor)
        })
}

/// The category of a change: that of its first reason with one (substantive
/// reasons come first, so this is the main reason a change matters).
pub fn change_category(reasons: &[String]) -> Option<Category> {
    reasons.iter().find_map(|r| reason_category(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cosmetic_opening_has_a_category() {
        for opening in crate::significance::cosmetic_openings() {
            let probe = format!("{opening} 'x'");
            assert!(reason_category(&probe).is_some(), "{opening}");
        }
    }

    #[test]
    fn categories_of_typical_reasons() {
        let c = |r: &str| reason_category(r).map(Category::as_str);
        assert_eq!(c("modal shift 'may' → 'will'"), Some("modal"));
        assert_eq!(c("added qualifier 'without notice'"), Some("notice"));
        assert_eq!(
            c("removed qualifier 'including but not limited to'"),
            Some("enumeration")
        );
        assert_eq!(c("number changed '30 days' → '15 days'"), Some("number"));
        assert_eq!(c("list entry added 'ransomware'"), Some("enumeration"));
        assert_eq!(c("party changed 'A Inc' → 'B Ltd'"), Some("party"));
        assert_eq!(c("exception added 'unless'"), Some("negation"));
        assert_eq!(c("new provision"), Some("provision"));
        assert_eq!(c("wording changed 'store' → 'display'"), Some("wording"));
        assert_eq!(c("list renumbered"), Some("renumber"));
        assert_eq!(c("moved within 'X' (reordered)"), Some("move"));
        assert_eq!(c("… and 3 more"), None);
    }
}
