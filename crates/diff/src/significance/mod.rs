//! Significance: is a change cosmetic or substantive, and why (TAXONOMY §3).
//!
//! Three layers, each adding human-readable reasons to a [`Reasons`]:
//!
//! 1. [`features`]: whole-text rules that compare cue phrases and quantities
//!    of old and new (modal shifts, qualifiers, negations, numbers, …).
//! 2. [`regions`]: span rules that explain each edited region of the word
//!    diff as cosmetic (quotes, case, renumbering, spelling, rebrand …) or
//!    substantive (party change, list entry, wording change).
//! 3. Provision-level rules in this file: added/removed provisions by kind,
//!    date lines, moves (a list item moved between a prohibited and a
//!    permitted section is substantive; other moves are cosmetic with a
//!    "review" note), splits and merges.
//!
//! A change is substantive if any substantive reason fired, cosmetic if
//! anything else changed, none otherwise.

mod analysis;
mod contacts;
mod features;
mod lexicon;
mod regions;

use crate::normalize::{display_key, fold_quotes, match_key};
use crate::words::{Region, regions as word_regions, word_diff};
use analysis::analyse;
use cw_model::{ProvisionKind, Significance, WordOp};
use lexicon::Cat;
use std::collections::BTreeSet;

pub(crate) use analysis::Analysis;
pub(crate) use lexicon::is_function_word;
pub(crate) use regions::clip;

/// Openings of every cosmetic reason this module writes (see [`is_cosmetic_reason`]).
const COSMETIC_OPENINGS: &[&str] = &[
    "whitespace changed",
    "quotes or dashes changed",
    "case changed",
    "case or punctuation changed",
    "text now in capitals",
    "list renumbered",
    "punctuation changed",
    "spelling variant",
    "word form changed",
    "minor wording",
    "minor rewording",
    "entity renamed",
    "heading reworded",
    "effective date",
    "effective-date line",
    "cross-reference",
    "moved within",
    "moved from '",
    "split from",
    "split into",
    "merged from",
    "merged into",
    "repeated title",
    "new heading",
    "heading removed",
    "empty provision",
    "short text",
    "re-segmented",
    "markup debris",
    "link moved",
    "relative date",
    "numbering changed",
];

/// The reason given to a change whose words stand unchanged in its
/// neighbours on the other side (see `crate::resegment`).
pub(crate) const RESEGMENTED: &str =
    "re-segmented: same words, only paragraph or list boundaries changed";

/// Openings of every cosmetic reason (for the category table's test).
#[cfg(test)]
pub(crate) fn cosmetic_openings() -> &'static [&'static str] {
    COSMETIC_OPENINGS
}

/// Whether a reason string is one of the cosmetic reasons (substantive
/// reasons come first in a change's list, so this finds the boundary).
pub(crate) fn is_cosmetic_reason(reason: &str) -> bool {
    COSMETIC_OPENINGS.iter().any(|o| reason.starts_with(o))
        && !reason.contains("changes which rules apply")
}

/// The most reasons one change carries; the rest are summarised.
const MAX_REASONS: usize = 10;

/// Reasons collected for one change, substantive and cosmetic apart.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reasons {
    pub(crate) substantive: Vec<String>,
    pub(crate) cosmetic: Vec<String>,
}

impl Reasons {
    /// Records a substantive reason (once).
    pub(crate) fn substantive(&mut self, reason: String) {
        if !self.substantive.contains(&reason) {
            self.substantive.push(reason);
        }
    }

    /// Records a cosmetic reason (once).
    pub(crate) fn cosmetic(&mut self, reason: String) {
        if !self.cosmetic.contains(&reason) {
            self.cosmetic.push(reason);
        }
    }

    fn is_empty(&self) -> bool {
        self.substantive.is_empty() && self.cosmetic.is_empty()
    }

    /// The verdict and the reasons, substantive ones first.
    pub(crate) fn finish(self) -> (Significance, Vec<String>) {
        let significance = if !self.substantive.is_empty() {
            Significance::Substantive
        } else if !self.cosmetic.is_empty() {
            Significance::Cosmetic
        } else {
            Significance::None
        };
        let mut all: Vec<String> = self.substantive.into_iter().chain(self.cosmetic).collect();
        if all.len() > MAX_REASONS {
            let rest = all.len() - (MAX_REASONS - 1);
            all.truncate(MAX_REASONS - 1);
            all.push(format!("… and {rest} more"));
        }
        (significance, all)
    }
}

/// Where an aligned provision moved.
#[derive(Debug, Clone)]
pub(crate) struct Move {
    /// Old heading path.
    pub(crate) from: Vec<String>,
    /// New heading path.
    pub(crate) to: Vec<String>,
    /// Same section, only out of reading order.
    pub(crate) reordered_only: bool,
    /// The provision is a list item (moves between lists need review).
    pub(crate) list_item: bool,
}

/// What the rules need to know about an aligned pair.
#[derive(Debug, Clone)]
pub(crate) struct Pair<'a> {
    /// Old text as the rules read it (with merged parts for a merge).
    pub(crate) old_text: &'a str,
    /// New text as the rules read it (with split parts for a split).
    pub(crate) new_text: &'a str,
    /// Both sides are headings.
    pub(crate) heading: bool,
    /// Word ops of `old_text` → `new_text`, when already computed.
    pub(crate) ops: Option<&'a [WordOp]>,
    /// Where it moved, if it did.
    pub(crate) moved: Option<Move>,
    /// Split/merge notes, shown as cosmetic reasons.
    pub(crate) notes: Vec<String>,
    /// The pair is a split or merge: sentences were cut or joined, so cue
    /// counts are compared as sets and "and"/"or" joining clauses is layout.
    pub(crate) restructured: bool,
}

/// Whether a text is a "Last updated …"/"Effective …" line or a bare date.
pub(crate) fn is_date_line(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit()) && analyse(&fold_quotes(text)).is_date_line()
}

/// Lowercase words that appear in reasons already given.
fn words_in(reasons: &Reasons) -> BTreeSet<String> {
    reasons
        .substantive
        .iter()
        .chain(&reasons.cosmetic)
        .flat_map(|r| {
            r.split(|c: char| !c.is_alphanumeric())
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn has_cat(a: &Analysis<'_>, cat: Cat) -> bool {
    a.cues.iter().any(|c| c.cat == cat)
}

/// Judges an aligned pair (modified or moved).
pub(crate) fn assess_pair(pair: &Pair<'_>) -> (Significance, Vec<String>) {
    let mut r = Reasons::default();
    let (od, nd) = (display_key(pair.old_text), display_key(pair.new_text));
    if od != nd {
        // Links and e-mail addresses are judged apart; the word rules read
        // the texts without them (only when they differ: the common case
        // keeps the word diff it was given).
        let (orefs, nrefs) = (contacts::refs(pair.old_text), contacts::refs(pair.new_text));
        let (stripped, stripped_keys);
        let mut links = Reasons::default();
        let (old_text, new_text, given_ops, okey, nkey) = if orefs == nrefs {
            (pair.old_text, pair.new_text, pair.ops, &od, &nd)
        } else {
            stripped = (
                contacts::strip(pair.old_text),
                contacts::strip(pair.new_text),
            );
            stripped_keys = (display_key(&stripped.0), display_key(&stripped.1));
            let same_words = word_key(&stripped_keys.0) == word_key(&stripped_keys.1);
            contacts::compare(&orefs, &nrefs, same_words, &mut r, &mut links);
            let (o, n) = (&stripped_keys.0, &stripped_keys.1);
            (stripped.0.as_str(), stripped.1.as_str(), None, o, n)
        };
        if okey != nkey {
            assess_words(pair, old_text, new_text, given_ops, okey, nkey, &mut r);
        }
        links.substantive.into_iter().for_each(|x| r.substantive(x));
        links.cosmetic.into_iter().for_each(|x| r.cosmetic(x));
        if r.is_empty() {
            r.cosmetic("minor rewording".into());
        }
    }
    if pair.heading {
        let (from, to) = (
            polarity(&[pair.old_text.to_string()]),
            polarity(&[pair.new_text.to_string()]),
        );
        if let (Some(a), Some(b)) = (from, to)
            && a != b
        {
            let now = if b { "prohibits" } else { "permits" };
            r.substantive(format!(
                "heading now {now}: '{}' (changes which rules apply)",
                clip(pair.new_text)
            ));
        }
    }
    if let Some(m) = &pair.moved {
        move_reasons(m, &mut r);
    }
    for note in &pair.notes {
        r.cosmetic(note.clone());
    }
    r.finish()
}

/// The word rules of [`assess_pair`] on texts that differ (`od`/`nd` are
/// their display keys): layout, whole-text cues, then edited regions.
fn assess_words(
    pair: &Pair<'_>,
    old_text: &str,
    new_text: &str,
    given_ops: Option<&[WordOp]>,
    od: &str,
    nd: &str,
    r: &mut Reasons,
) {
    let owned;
    let ops = match given_ops {
        Some(ops) => ops,
        None => {
            owned = word_diff(old_text, new_text);
            &owned
        }
    };
    let regs: Vec<Region> = word_regions(ops);
    if word_key(od) != word_key(nd) && number_groups_key(od) == number_groups_key(nd) {
        // "€36,982.92" → "€36 982,92": the same digits in the same groups,
        // only the separators of another locale.
        r.cosmetic("punctuation changed (number format)".into());
        return;
    }
    if word_key(od) == word_key(nd) || joined_only(&fold_quotes(old_text), &fold_quotes(new_text)) {
        // Same words and numbers: only case, punctuation, quotes, spacing or
        // list markers differ, so no cue can have changed.
        regions::classify_layout(&regs, r);
        return;
    }
    let (oa, na) = (analyse(od), analyse(nd));
    let date_line = oa.is_date_line() && na.is_date_line();
    features::compare(&oa, &na, date_line, pair.restructured, r);
    if date_line {
        if r.is_empty() {
            r.cosmetic("effective-date line changed".into());
        }
    } else {
        let explained = words_in(r);
        let ctx = regions::RegionContext {
            heading: pair.heading,
            restructured: pair.restructured,
            dispute: has_cat(&oa, Cat::Dispute) || has_cat(&na, Cat::Dispute),
        };
        regions::classify(&regs, ctx, &explained, r);
    }
}

/// The words and numbers of a text, lowercased, without punctuation — except
/// punctuation between two digits ("30.5", "1,000"), which is part of a number.
fn word_key(text: &str) -> String {
    digits_key(text, false)
}

/// [`word_key`] with every separator between two digits (comma, point,
/// apostrophe, space, thin space) written as one `|`: numbers keep their digit
/// groups but not their locale's separators.
fn number_groups_key(text: &str) -> String {
    digits_key(text, true)
}

/// Lowercase letters and digits; a character between two digits is kept
/// (`groups == false`, whitespace dropped) or, when it is a separator,
/// written as `|` (`groups == true`).
fn digits_key(text: &str, groups: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (k, &c) in chars.iter().enumerate() {
        let between_digits = k > 0
            && chars.get(k - 1).is_some_and(char::is_ascii_digit)
            && chars.get(k + 1).is_some_and(char::is_ascii_digit);
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !between_digits {
        } else if !groups && !c.is_whitespace() {
            out.push(c);
        } else if groups && matches!(c, ',' | '.' | '\'' | '’' | ' ' | '\u{A0}' | '\u{202F}') {
            out.push('|');
        }
    }
    out
}

/// Whether two texts differ only where whitespace splits or joins words
/// ("Clien t" → "Client", "5. 1" → "5.1", "20 20" → "2020": text-layer
/// breaks of a PDF or HTML re-extraction) and case, and still have the same
/// cue phrases in the same order, so no "no t" → "not" can slip through.
fn joined_only(old: &str, new: &str) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    if squash(old) != squash(new) {
        return false;
    }
    let names = |s: &str| -> Vec<&'static str> { analyse(s).cues.iter().map(|c| c.name).collect() };
    names(old) == names(new)
}

/// Whether a heading path's nearest heading with a polarity prohibits (true)
/// or permits (false); `None` when no heading says either.
pub(crate) fn polarity(path: &[String]) -> Option<bool> {
    path.iter().rev().find_map(|h| {
        let k = match_key(h);
        let words: Vec<&str> = k.split(|c: char| !c.is_alphanumeric()).collect();
        let has = |w: &str| words.contains(&w);
        let prohibits = words.first() == Some(&"no")
            || [
                "prohibited",
                "prohibit",
                "prohibits",
                "forbidden",
                "restricted",
                "banned",
            ]
            .iter()
            .any(|w| has(w))
            || k.contains("may not")
            || k.contains("must not")
            || k.contains("do not")
            || k.contains("禁止");
        let permits = [
            "permitted",
            "allowed",
            "acceptable",
            "exceptions",
            "exception",
            "exempt",
            "exemptions",
        ]
        .iter()
        .any(|w| has(w))
            && !has("not");
        match (prohibits, permits) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        }
    })
}

/// A heading path as a short label: its innermost heading.
pub(crate) fn section_label(path: &[String]) -> String {
    match path.last() {
        Some(h) if !h.trim().is_empty() => clip(h),
        _ => "top of document".to_string(),
    }
}

fn move_reasons(m: &Move, r: &mut Reasons) {
    let (from, to) = (section_label(&m.from), section_label(&m.to));
    if m.reordered_only {
        r.cosmetic(format!("moved within '{to}' (reordered)"));
        return;
    }
    match (polarity(&m.from), polarity(&m.to)) {
        (Some(true), Some(false)) => r.substantive(format!(
            "moved from prohibited '{from}' to permitted '{to}' (changes which rules apply)"
        )),
        (Some(false), Some(true)) => r.substantive(format!(
            "moved from permitted '{from}' to prohibited '{to}' (changes which rules apply)"
        )),
        _ if m.list_item => r.cosmetic(format!(
            "moved from '{from}' to '{to}' (review: may change which rules apply)"
        )),
        _ => r.cosmetic(format!("moved from '{from}' to '{to}'")),
    }
}

/// How an unpaired provision relates to a split or merge.
#[derive(Debug, Clone)]
pub(crate) struct PartOf {
    /// The other side's provision id it was split from / merged into.
    pub(crate) other_id: String,
    /// Whether its text is (almost) contained in that provision.
    pub(crate) contained: bool,
}

/// Judges an added (`added == true`) or removed provision. `repeats_heading`
/// says its text repeats the document title or a heading (a page header
/// left by extraction, not a provision).
pub(crate) fn assess_unpaired(
    kind: ProvisionKind,
    text: &str,
    added: bool,
    part_of: Option<&PartOf>,
    repeats_heading: bool,
) -> (Significance, Vec<String>) {
    let mut r = Reasons::default();
    let (verb_split, verb_gone) = if added {
        ("split from", "added")
    } else {
        ("merged into", "removed")
    };
    if let Some(p) = part_of {
        r.cosmetic(format!("{verb_split} '{}'", p.other_id));
        if p.contained {
            return r.finish();
        }
    }
    // Link targets are not words: "](https://example.com/)" left over by a
    // Markdown conversion is markup debris, not a provision.
    let words = contacts::strip(&without_urls(text))
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count();
    if !text.chars().any(char::is_alphanumeric) {
        r.cosmetic(format!("empty provision {verb_gone}"));
    } else if text.len() < 200 && (is_date_line(text) || is_relative_date_line(text)) {
        r.cosmetic(format!("effective-date line {verb_gone}"));
    } else if is_link_card(text, words) {
        r.cosmetic(format!(
            "markup debris {verb_gone}: the text of a link card (a link around a block), not a provision"
        ));
    } else if (repeats_heading && kind != ProvisionKind::Heading) || is_markdown_heading(text) {
        r.cosmetic(format!("repeated title or heading line {verb_gone}"));
    } else if let Some(what) = contacts::details(text).filter(|_| kind != ProvisionKind::Heading) {
        // An address block, a named contact: a contact channel (rule 7).
        r.substantive(format!("contact details {verb_gone} ({what})"));
    } else if kind == ProvisionKind::Paragraph && is_title_line(text) {
        // A heading the extractor kept as a paragraph (a title in a list
        // of links, a section name): names a text, says nothing itself.
        if added {
            r.cosmetic(format!("new heading '{}' (a title line)", clip(text)));
        } else {
            r.cosmetic(format!("heading removed '{}' (a title line)", clip(text)));
        }
    } else {
        match kind {
            ProvisionKind::Heading => {
                if added {
                    r.cosmetic(format!("new heading '{}'", clip(text)));
                } else {
                    r.cosmetic(format!("heading removed '{}'", clip(text)));
                }
            }
            ProvisionKind::ListItem => r.substantive(if added {
                "new list item".into()
            } else {
                "list item removed".into()
            }),
            ProvisionKind::TableRow => r.substantive(if added {
                "new table row".into()
            } else {
                "table row removed".into()
            }),
            ProvisionKind::Paragraph if words >= 3 => r.substantive(if added {
                "new provision".into()
            } else {
                "provision removed".into()
            }),
            ProvisionKind::Paragraph => r.cosmetic(format!("short text {verb_gone}")),
        }
    }
    r.finish()
}

/// A short line in title case without sentence punctuation ("LogMeIn
/// International Privacy Policy", "Supplemental Consumer Disclosures"):
/// every word of four letters or more is capitalised, at most eight words,
/// no digit, and it does not end like a sentence or a lead-in.
fn is_title_line(text: &str) -> bool {
    let t = text.trim();
    let words: Vec<&str> = t.split_whitespace().collect();
    if !(2..=8).contains(&words.len())
        || t.ends_with(['.', ':', ';', ',', '!', '?'])
        || t.chars().any(|c| c.is_ascii_digit())
    {
        return false;
    }
    let long: Vec<&&str> = words
        .iter()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .collect();
    !long.is_empty()
        && long.iter().all(|w| {
            w.chars()
                .find(|c| c.is_alphabetic())
                .is_some_and(char::is_uppercase)
        })
}

/// A short text cut out of a link that wrapped a whole block (a news or
/// navigation card): the converter left the link's own syntax in it
/// ("Renew your ID here.](https://example.com/news/renew)"). The terms
/// are never written inside a link, so this is page furniture.
fn is_link_card(text: &str, words: usize) -> bool {
    // The closing half of a link whose opening bracket is not in the text.
    let broken_link = text
        .find("](")
        .is_some_and(|at| !text.get(..at).unwrap_or_default().contains('['));
    broken_link && words <= 40
}

/// A paragraph that is a Markdown heading line left as text ("### Fees:"):
/// a heading the extractor did not read as one, not a provision.
fn is_markdown_heading(text: &str) -> bool {
    let hashes = text.chars().take_while(|&c| c == '#').count();
    (1..=6).contains(&hashes)
        && text[hashes..].starts_with(' ')
        && text.split_whitespace().count() <= 13
}

/// "Updated over a week ago", "Written by … Updated 3 days ago": a short
/// line that dates the page relative to today.
fn is_relative_date_line(text: &str) -> bool {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.len() <= 12
        && words.iter().any(|w| w == "ago")
        && words.iter().any(|w| lexicon::is_date_line_cue(w))
}

/// `text` with every URL (from `http://`, `https://` or `www.` to the next
/// whitespace) removed.
fn without_urls(text: &str) -> String {
    text.split_whitespace()
        .map(|t| {
            let cut = ["http://", "https://", "www."]
                .iter()
                .filter_map(|m| t.find(m))
                .min()
                .unwrap_or(t.len());
            t.get(..cut).unwrap_or(t)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_title_line_is_a_heading_a_sentence_is_not() {
        let title = "Supplemental California Consumer Privacy Act Disclosures";
        let (sig, reasons) = assess_unpaired(ProvisionKind::Paragraph, title, false, None, false);
        assert_eq!(sig, Significance::Cosmetic, "{reasons:?}");
        for text in [
            "We Sell No Data.",
            "You may not resell the service",
            "Refunds Within 30 Days",
        ] {
            let (sig, _) = assess_unpaired(ProvisionKind::Paragraph, text, true, None, false);
            assert_eq!(sig, Significance::Substantive, "{text}");
        }
    }

    #[test]
    fn a_link_card_is_markup_debris_a_provision_is_not() {
        let card = "We now make it easier to renew your ID.](https://example.com/news/renew-id)[";
        let (sig, reasons) = assess_unpaired(ProvisionKind::Paragraph, card, true, None, false);
        assert_eq!(sig, Significance::Cosmetic, "{reasons:?}");
        assert!(reasons[0].starts_with("markup debris added"), "{reasons:?}");
        let rule =
            "You must not use the service to send spam, see [our policy](https://example.com/p).";
        let (sig, _) = assess_unpaired(ProvisionKind::Paragraph, rule, true, None, false);
        assert_eq!(sig, Significance::Substantive);
    }

    use super::*;

    fn pair(old: &str, new: &str) -> (Significance, Vec<String>) {
        assess_pair(&Pair {
            old_text: old,
            new_text: new,
            heading: false,
            ops: None,
            moved: None,
            notes: vec![],
            restructured: false,
        })
    }

    #[test]
    fn link_debris_is_not_a_provision() {
        let (s, _) = assess_unpaired(
            ProvisionKind::Paragraph,
            "](https://mistral.ai/terms/very/long/path)",
            false,
            None,
            false,
        );
        assert_eq!(s, Significance::Cosmetic);
        let (s, _) = assess_unpaired(
            ProvisionKind::Paragraph,
            "See https://example.com/a for the full rules of conduct.",
            true,
            None,
            false,
        );
        assert_eq!(s, Significance::Substantive);
        assert_eq!(without_urls("a www.x.org b (https://y)"), "a  b (");
    }

    #[test]
    fn words_joined_or_split_by_whitespace_are_cosmetic() {
        let (s, r) = pair(
            "L atest version dated 1 1 June 20 20 for the Clien t Account.",
            "Latest version dated 11 June 2020 for the Client Account.",
        );
        assert_eq!(s, Significance::Cosmetic, "{r:?}");
        assert_eq!(
            pair("5. 1 Right to Use Services.", "5.1 Right to Use Services.").0,
            Significance::Cosmetic
        );
        // Same shape, real change: a different number.
        assert_eq!(
            pair("within 1 5 days", "within 16 days").0,
            Significance::Substantive
        );
        // Joining letters into a different cue word is not waved through.
        let (s, r) = pair("We will no tify you.", "We will notify you.");
        assert_ne!(r, ["whitespace changed (words joined or split)"], "{s:?}");
    }

    #[test]
    fn heading_that_flips_prohibited_and_permitted_is_substantive() {
        let heading = |old: &str, new: &str| {
            assess_pair(&Pair {
                old_text: old,
                new_text: new,
                heading: true,
                ops: None,
                moved: None,
                notes: vec![],
                restructured: false,
            })
        };
        let (s, r) = heading("Prohibited Activities", "Permitted Activities");
        assert_eq!(s, Significance::Substantive);
        assert_eq!(
            r[0],
            "heading now permits: 'Permitted Activities' (changes which rules apply)"
        );
        // A reworded heading that keeps its polarity stays cosmetic.
        assert_eq!(
            heading("Prohibited Activities", "Prohibited Uses").0,
            Significance::Cosmetic
        );
    }

    #[test]
    fn identical_text_is_none() {
        assert_eq!(
            pair("We may act.", "We  may act."),
            (Significance::None, vec![])
        );
    }

    #[test]
    fn modal_shift_is_substantive() {
        let (s, r) = pair(
            "We may notify you of changes.",
            "We will notify you of changes.",
        );
        assert_eq!(s, Significance::Substantive);
        assert_eq!(r, ["modal shift 'may' → 'will'"]);
    }

    #[test]
    fn reserve_the_right_added() {
        let (s, r) = pair(
            "We remove content.",
            "We reserve the right to remove content.",
        );
        assert_eq!(s, Significance::Substantive);
        assert_eq!(r, ["added 'reserve the right'"]);
    }

    #[test]
    fn qualifier_added_is_substantive() {
        let (s, r) = pair(
            "We may suspend your account.",
            "We may suspend your account without notice.",
        );
        assert_eq!(s, Significance::Substantive);
        assert_eq!(r, ["added qualifier 'without notice'"]);
    }

    #[test]
    fn negation_inserted_is_substantive() {
        let (s, r) = pair(
            "You may share your password.",
            "You may not share your password.",
        );
        assert_eq!(s, Significance::Substantive);
        assert_eq!(r, ["negation added 'not'"]);
    }

    #[test]
    fn number_change_is_substantive() {
        let (s, r) = pair(
            "We will give you 30 days notice.",
            "We will give you 15 days notice.",
        );
        assert_eq!(s, Significance::Substantive);
        assert_eq!(r, ["number changed '30 days' → '15 days'"]);
    }

    #[test]
    fn date_line_is_cosmetic() {
        let (s, r) = pair(
            "Last Updated: June 18, 2021",
            "Last Updated: December 28, 2021",
        );
        assert_eq!(s, Significance::Cosmetic);
        assert_eq!(
            r,
            ["effective date changed 'June 18, 2021' → 'December 28, 2021'"]
        );
        let (s, _) = pair(
            "Updated September 16th, 2016",
            "Last Updated: June 18, 2021",
        );
        assert_eq!(s, Significance::Cosmetic);
    }

    #[test]
    fn rebrand_is_cosmetic() {
        let (s, r) = pair(
            "We reserve the right, but do not assume the obligation, to investigate any violation of this Policy or misuse of the Services or AWS Site. We may:",
            "We reserve the right, but do not assume the obligation, to investigate any violation of this Policy or misuse of the Services or Amazon Web Services China Site. We may:",
        );
        assert_eq!(s, Significance::Cosmetic);
        assert_eq!(r, ["entity renamed 'AWS' → 'Amazon Web Services China'"]);
    }

    #[test]
    fn party_change_is_substantive() {
        let (s, r) = pair(
            "Services offered by Amazon Web Services, Inc. and its affiliates.",
            "Services provided by Sinnet Technology Co., Ltd.",
        );
        assert_eq!(s, Significance::Substantive);
        assert!(r.iter().any(|x| x.starts_with("party changed")), "{r:?}");
    }

    #[test]
    fn scope_change_is_substantive() {
        let (s, r) = pair(
            "You are responsible for content.",
            "You and your end users are responsible for content.",
        );
        assert_eq!(s, Significance::Substantive);
        assert_eq!(r[0], "scope/actor added 'end users'");
    }

    #[test]
    fn governing_law_change_is_substantive() {
        let (s, r) = pair(
            "This Agreement is governed by the laws of the State of Washington.",
            "This Agreement is governed by the laws of the State of Delaware.",
        );
        assert_eq!(s, Significance::Substantive);
        assert_eq!(r, ["governing law/forum changed 'Washington' → 'Delaware'"]);
    }

    #[test]
    fn quote_case_and_spelling_changes_are_cosmetic() {
        assert_eq!(
            pair("Send e-mail to us.", "Send email to us.").0,
            Significance::Cosmetic
        );
        assert_eq!(
            pair("Read The Policy.", "Read the policy.").0,
            Significance::Cosmetic
        );
    }

    #[test]
    fn added_and_removed_by_kind() {
        let sub = Significance::Substantive;
        let cos = Significance::Cosmetic;
        assert_eq!(
            assess_unpaired(ProvisionKind::ListItem, "crypto mining;", true, None, false),
            (sub, vec!["new list item".to_string()])
        );
        assert_eq!(
            assess_unpaired(
                ProvisionKind::Paragraph,
                "We may audit your use of the Services.",
                false,
                None,
                false
            ),
            (sub, vec!["provision removed".to_string()])
        );
        assert_eq!(
            assess_unpaired(ProvisionKind::Heading, "MLPS", true, None, false).0,
            cos
        );
        assert_eq!(
            assess_unpaired(
                ProvisionKind::Paragraph,
                "Last Updated: June 18, 2021",
                true,
                None,
                false
            ),
            (cos, vec!["effective-date line added".to_string()])
        );
        let part = PartOf {
            other_id: "a/1".into(),
            contained: true,
        };
        assert_eq!(
            assess_unpaired(
                ProvisionKind::Paragraph,
                "We may audit you.",
                true,
                Some(&part),
                false
            ),
            (cos, vec!["split from 'a/1'".to_string()])
        );
    }

    #[test]
    fn moves_between_prohibited_and_permitted_are_substantive() {
        let m = |from: &str, to: &str| Move {
            from: vec![from.into()],
            to: vec![to.into()],
            reordered_only: false,
            list_item: true,
        };
        let judge = |mv: Move| {
            assess_pair(&Pair {
                old_text: "Security research.",
                new_text: "Security research.",
                heading: false,
                ops: None,
                moved: Some(mv),
                notes: vec![],
                restructured: false,
            })
        };
        assert_eq!(
            judge(m("Prohibited Activities", "Permitted Activities")).0,
            Significance::Substantive
        );
        assert_eq!(
            judge(m("No Network Abuse", "Exceptions")).0,
            Significance::Substantive
        );
        let (s, r) = judge(m("No Network Abuse", "No Security Violations"));
        assert_eq!(s, Significance::Cosmetic);
        assert_eq!(
            r,
            [
                "moved from 'No Network Abuse' to 'No Security Violations' (review: may change which rules apply)"
            ]
        );
    }
}
