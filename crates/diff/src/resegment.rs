//! Re-segmentation: paragraph boundaries moved, words unchanged.
//!
//! A re-extraction of an unchanged page often cuts the same text into
//! different provisions: one paragraph becomes two, list items are glued into
//! their lead-in, a table falls apart into paragraphs. Pairwise alignment then
//! reports the pieces as added, removed or heavily modified provisions, each
//! substantive by TAXONOMY §3, although no word changed.
//!
//! This pass looks at each *gap* of the change list (the changes between two
//! unchanged provisions; moved provisions are left out), joins the old texts
//! and the new texts of the gap into two word streams. A change of the gap
//! becomes cosmetic ("re-segmented …") only when every text it has is
//! *intact*: its words stand verbatim — same order, nothing inserted — in the
//! other side's stream, inside a run of at least [`MIN_RUN`] equal words. So
//! a real edit — a new "not", a changed number, a dropped list entry — always
//! leaves the provision that carries it substantive, and a short provision
//! whose words merely occur somewhere in a rewritten gap is not excused by a
//! chance match. Intact text is found through an index of the
//! [`MIN_RUN`]-word windows of each stream: linear, no diff of the gap, so a
//! rewritten document costs little more than a re-split one. Text reordered
//! inside a gap counts as intact (TAXONOMY §3: reordering with identical
//! text is cosmetic). A provision whose section
//! switches between a prohibiting and a permitting heading stays as it was.

use crate::fasthash::{FxHashMap, FxHasher};
use crate::normalize::fold_quotes;
use crate::significance::{RESEGMENTED, polarity};
use cw_model::{ChangeKind, ProvisionChange, Significance};
use std::hash::Hasher;

/// Fewest equal words around an intact text (or the whole text when it is
/// longer), so a chance match of a few common words excuses nothing.
pub(crate) const MIN_RUN: usize = 8;

/// The words of a text as the stream compares them: case folded, quotes and
/// dashes folded, punctuation dropped except between two digits ("1.5",
/// "1,000" stay one word). URLs are kept as words: a link now pointing to a
/// different document is a change (TAXONOMY §3.10).
pub(crate) fn stream_words(text: &str) -> Vec<String> {
    let canon = fold_quotes(text);
    let chars: Vec<char> = canon.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for (k, &c) in chars.iter().enumerate() {
        if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
            continue;
        }
        let inner_digit = !c.is_whitespace()
            && k > 0
            && chars.get(k - 1).is_some_and(char::is_ascii_digit)
            && chars.get(k + 1).is_some_and(char::is_ascii_digit);
        if inner_digit {
            cur.push(c);
        } else if !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// One change of the list and what this pass needs to know about it.
pub(crate) struct Entry {
    /// The change itself.
    pub(crate) change: ProvisionChange,
    /// Whether either side of it is a heading (a changed heading ends a gap).
    pub(crate) heading: bool,
    /// Heading path of the old side (empty for added).
    pub(crate) old_path: Vec<String>,
}

/// Which side of the gap a text is on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Old,
    New,
}

/// A text of one change placed in a gap stream: entry, side, word range.
struct Span {
    entry: usize,
    side: Side,
    start: usize,
    end: usize,
}

/// A stream of hashed words with an index of its [`MIN_RUN`]-word windows.
struct Stream {
    words: Vec<u64>,
    windows: FxHashMap<u64, Vec<usize>>,
}

/// Positions probed per window before giving up (repeated boilerplate).
const MAX_PROBES: usize = 64;

fn window_hash(words: &[u64]) -> u64 {
    let mut h = FxHasher::default();
    for w in words {
        h.write_u64(*w);
    }
    h.finish()
}

impl Stream {
    fn new(words: &[String]) -> Self {
        let words: Vec<u64> = words
            .iter()
            .map(|w| {
                let mut h = FxHasher::default();
                h.write(w.as_bytes());
                h.finish()
            })
            .collect();
        let mut windows: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
        for (p, win) in words.windows(MIN_RUN).enumerate() {
            windows.entry(window_hash(win)).or_default().push(p);
        }
        Stream { words, windows }
    }

    /// Where the words `start..end` of `self` stand verbatim in `other`,
    /// inside a run of at least [`MIN_RUN`] equal words (extended into the
    /// neighbouring words of `self` for a shorter text); the position in
    /// `other` of the text's first word.
    fn intact_in(&self, start: usize, end: usize, other: &Stream) -> Option<usize> {
        let len = self.words.len();
        if start >= end || len < MIN_RUN {
            return None;
        }
        // Windows [ws, we) covering the text, at least MIN_RUN long.
        let span = end - start;
        let (lo, hi) = if span >= MIN_RUN {
            (start, start)
        } else {
            (end.saturating_sub(MIN_RUN), start.min(len - MIN_RUN))
        };
        for ws in lo..=hi {
            let we = ws + span.max(MIN_RUN);
            let (Some(first), Some(whole)) =
                (self.words.get(ws..ws + MIN_RUN), self.words.get(ws..we))
            else {
                continue;
            };
            let Some(hits) = other.windows.get(&window_hash(first)) else {
                continue;
            };
            for &p in hits.iter().take(MAX_PROBES) {
                if other.words.get(p..p + whole.len()) == Some(whole) {
                    return Some(p + (start - ws));
                }
            }
        }
        None
    }
}

/// Marks the changes of every gap whose texts are intact as cosmetic.
pub(crate) fn apply(entries: &mut [Entry]) {
    let mut start = 0;
    while start < entries.len() {
        let mut end = start;
        while entries
            .get(end)
            .is_some_and(|e| e.change.kind != ChangeKind::Unchanged)
        {
            end += 1;
        }
        if let Some(gap) = entries.get_mut(start..end) {
            resegment_gap(gap);
        }
        start = end + 1;
    }
}

fn resegment_gap(gap: &mut [Entry]) {
    let interesting = gap.iter().any(|e| {
        e.change.significance == Significance::Substantive && e.change.kind != ChangeKind::Moved
    });
    if !interesting {
        return;
    }
    let (mut old, mut new) = (Vec::new(), Vec::new());
    let mut spans: Vec<Span> = Vec::new();
    for (k, e) in gap.iter().enumerate() {
        if e.change.kind == ChangeKind::Moved {
            continue;
        }
        for (side, text, stream) in [
            (Side::Old, e.change.old_text.as_deref(), &mut old),
            (Side::New, e.change.new_text.as_deref(), &mut new),
        ] {
            if let Some(t) = text {
                let start = stream.len();
                stream.extend(stream_words(t));
                spans.push(Span {
                    entry: k,
                    side,
                    start,
                    end: stream.len(),
                });
            }
        }
    }
    if old.is_empty() || new.is_empty() {
        return;
    }
    let (so, sn) = (Stream::new(&old), Stream::new(&new));
    let place = |s: &Span| match s.side {
        Side::Old => so.intact_in(s.start, s.end, &sn),
        Side::New => sn.intact_in(s.start, s.end, &so),
    };
    let placed: Vec<Option<usize>> = spans.iter().map(place).collect();
    // A heading that changed (not intact) may change what the gap's
    // provisions are about: leave the gap alone.
    if spans
        .iter()
        .zip(&placed)
        .any(|(s, p)| p.is_none() && gap.get(s.entry).is_some_and(|e| e.heading))
    {
        return;
    }
    // Which entry holds each word of each stream.
    let owner = |side: Side, p: usize| {
        spans
            .iter()
            .find(|s| s.side == side && s.start <= p && p < s.end)
            .map(|s| s.entry)
    };
    let mut ok = vec![true; gap.len()];
    let mut any = vec![false; gap.len()];
    for (s, at) in spans.iter().zip(&placed) {
        let Some(slot) = ok.get_mut(s.entry) else {
            continue;
        };
        if let Some(a) = any.get_mut(s.entry) {
            *a = true;
        }
        let Some(at) = *at else {
            *slot = false;
            continue;
        };
        // Section polarity must not flip between where the words were and
        // where they are now.
        let other_side = if s.side == Side::Old {
            Side::New
        } else {
            Side::Old
        };
        let here = gap
            .get(s.entry)
            .map(|e| path_of(e, s.side))
            .unwrap_or_default();
        let there = owner(other_side, at)
            .and_then(|k| gap.get(k))
            .map(|e| path_of(e, other_side))
            .unwrap_or_default();
        if let (Some(a), Some(b)) = (polarity(&here), polarity(&there))
            && a != b
        {
            *slot = false;
        }
    }
    for (k, e) in gap.iter_mut().enumerate() {
        let c = &mut e.change;
        let eligible = c.kind != ChangeKind::Moved
            && c.significance == Significance::Substantive
            && ok.get(k).copied().unwrap_or(false)
            && any.get(k).copied().unwrap_or(false);
        if !eligible {
            continue;
        }
        make_cosmetic(c, RESEGMENTED);
    }
}

/// Turns a change cosmetic: `reason` first, then its cosmetic reasons.
fn make_cosmetic(c: &mut cw_model::ProvisionChange, reason: &str) {
    c.significance = Significance::Cosmetic;
    let mut reasons = vec![reason.to_string()];
    reasons.extend(
        std::mem::take(&mut c.reasons)
            .into_iter()
            .filter(|r| crate::significance::is_cosmetic_reason(r)),
    );
    c.reasons = reasons;
}

/// Lowercase letters and digits of a document's provisions in reading
/// order, every run of anything else read as one space: the words a reader
/// sees, without layout, markup, punctuation or provision boundaries.
/// Allocation-free.
fn word_stream(provs: &[cw_model::Provision]) -> impl Iterator<Item = char> + '_ {
    let mut texts = provs.iter().map(|p| p.text.as_str());
    let mut chars = "".chars();
    let mut lower: Option<std::char::ToLowercase> = None;
    let (mut gap, mut started) = (false, false);
    std::iter::from_fn(move || {
        loop {
            if let Some(c) = lower.as_mut().and_then(Iterator::next) {
                return Some(c);
            }
            lower = None;
            let Some(c) = chars.next() else {
                chars = texts.next()?.chars();
                gap = true;
                continue;
            };
            if !c.is_alphanumeric() {
                gap = true;
                continue;
            }
            lower = Some(c.to_lowercase());
            let space = gap && started;
            gap = false;
            started = true;
            if space {
                return Some(' ');
            }
        }
    })
}

/// A re-extraction of the same text: when both documents have the same
/// word stream (see [`word_stream`]), nothing a reader sees changed, so no
/// change can be substantive; each one becomes "re-segmented" (cosmetic),
/// keeping its cosmetic reasons. Only called when a substantive change is
/// left, and stops at the first differing character.
pub(crate) fn same_words_everywhere(
    old: &[cw_model::Provision],
    new: &[cw_model::Provision],
    changes: &mut [cw_model::ProvisionChange],
) {
    if !changes
        .iter()
        .any(|c| c.significance == Significance::Substantive)
        || !word_stream(old).eq(word_stream(new))
    {
        return;
    }
    for c in changes
        .iter_mut()
        .filter(|c| c.significance == Significance::Substantive)
    {
        make_cosmetic(c, SAME_WORDS);
    }
}

/// The reason [`same_words_everywhere`] gives.
const SAME_WORDS: &str =
    "re-segmented: the document's words are unchanged (only boundaries, markup or layout)";

/// The heading path of one side of an entry.
fn path_of(e: &Entry, side: Side) -> Vec<String> {
    match side {
        Side::Old => e.old_path.clone(),
        Side::New => e.change.heading_path.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cw_model::{ExtractedDocument, Provision, ProvisionKind, SourceFormat};

    fn doc(provs: &[(&str, ProvisionKind, &str)]) -> ExtractedDocument {
        ExtractedDocument {
            title: None,
            effective_date: None,
            language: "en".into(),
            format: SourceFormat::Markdown,
            provisions: provs
                .iter()
                .enumerate()
                .map(|(k, (h, kind, t))| {
                    Provision::new(format!("p{k}"), vec![(*h).to_string()], *kind, *t)
                })
                .collect(),
            warnings: vec![],
            coverage: None,
        }
    }

    use ProvisionKind::{ListItem as L, Paragraph as P};

    const INTRO: &str = "These terms govern your use of the service offered by the company.";
    const OUTRO: &str = "Questions about these terms can be sent to the address shown below.";
    const A: &str =
        "You may not use the service to send unsolicited messages to other users of the service.";
    const B: &str =
        "We may suspend your account if we reasonably believe that you have broken these rules.";

    fn substantive(old: &ExtractedDocument, new: &ExtractedDocument) -> usize {
        crate::diff(old, new).summary.substantive
    }

    #[test]
    fn stream_words_fold_case_punctuation_and_urls() {
        assert_eq!(
            stream_words("Fees of $1,000.50 (see [here](https://x.com/a)), “Terms”."),
            [
                "fees", "of", "1,000.50", "see", "here", "https", "x", "com", "a", "terms"
            ]
        );
    }

    #[test]
    fn paragraph_split_in_two_is_cosmetic() {
        let joined = format!("{A} {B}");
        let old = doc(&[("T", P, INTRO), ("T", P, &joined), ("T", P, OUTRO)]);
        let new = doc(&[("T", P, INTRO), ("T", P, A), ("T", P, B), ("T", P, OUTRO)]);
        assert_eq!(substantive(&old, &new), 0);
        assert_eq!(substantive(&new, &old), 0);
    }

    #[test]
    fn list_glued_into_its_lead_in_is_cosmetic() {
        let lead = "You agree that you will not use the service in any of the following ways:";
        let items = [
            "sending spam or other unsolicited bulk messages to users;",
            "mining cryptocurrency on shared infrastructure without permission;",
            "probing or scanning networks that you do not own or control.",
        ];
        let glued = format!("{lead} {} {} {}", items[0], items[1], items[2]);
        let old = doc(&[
            ("T", P, INTRO),
            ("T", P, lead),
            ("T", L, items[0]),
            ("T", L, items[1]),
            ("T", L, items[2]),
            ("T", P, OUTRO),
        ]);
        let new = doc(&[("T", P, INTRO), ("T", P, &glued), ("T", P, OUTRO)]);
        let cs = crate::diff(&old, &new);
        assert_eq!(cs.summary.substantive, 0, "{:#?}", cs.changes);
        // The same gluing with one item dropped is still reported.
        let glued = format!("{lead} {} {}", items[0], items[2]);
        let new = doc(&[("T", P, INTRO), ("T", P, &glued), ("T", P, OUTRO)]);
        assert!(substantive(&old, &new) >= 1);
    }

    #[test]
    fn shifted_paragraph_boundaries_are_cosmetic() {
        // Old: [A + first half of B] [second half of B + C]; new: [A] [B] [C].
        // Neither side is a split or merge of a single provision.
        let (b1, b2) = B.split_at(B.find("if we").unwrap_or(0));
        let c =
            "Repeated violations lead to the permanent closure of the account and all its data.";
        let old = doc(&[
            ("T", P, INTRO),
            ("T", P, &format!("{A} {b1}")),
            ("T", P, &format!("{b2} {c}")),
            ("T", P, OUTRO),
        ]);
        let new = doc(&[
            ("T", P, INTRO),
            ("T", P, A),
            ("T", P, B),
            ("T", P, c),
            ("T", P, OUTRO),
        ]);
        let cs = crate::diff(&old, &new);
        assert_eq!(cs.summary.substantive, 0, "{:#?}", cs.changes);
        assert!(
            cs.changes
                .iter()
                .any(|c| c.reasons.first().is_some_and(|r| r == RESEGMENTED)),
            "{:#?}",
            cs.changes
        );
        // Same shape with "not" inserted into the moved half: substantive.
        let c_not = c.replace("lead to", "do not lead to");
        let new = doc(&[
            ("T", P, INTRO),
            ("T", P, A),
            ("T", P, B),
            ("T", P, &c_not),
            ("T", P, OUTRO),
        ]);
        let cs = crate::diff(&old, &new);
        assert!(
            cs.changes
                .iter()
                .any(|x| x.significance == Significance::Substantive
                    && x.new_text.as_deref() == Some(c_not.as_str())),
            "{:#?}",
            cs.changes
        );
    }

    #[test]
    fn real_edit_inside_a_resplit_paragraph_stays_substantive() {
        let joined = format!("{A} {B}");
        let b_edited = B.replace("We may suspend", "We may suspend without notice");
        let old = doc(&[("T", P, INTRO), ("T", P, &joined), ("T", P, OUTRO)]);
        let new = doc(&[
            ("T", P, INTRO),
            ("T", P, A),
            ("T", P, &b_edited),
            ("T", P, OUTRO),
        ]);
        let cs = crate::diff(&old, &new);
        assert!(cs.summary.substantive >= 1, "{:#?}", cs.changes);
        // The edited part carries the substantive verdict.
        assert!(cs.changes.iter().any(|c| {
            c.significance == Significance::Substantive
                && c.new_text
                    .as_deref()
                    .is_some_and(|t| t.contains("without notice"))
        }));
        // A number changed in the split part, too.
        let old = doc(&[("T", P, INTRO), ("T", P, &joined), ("T", P, OUTRO)]);
        let a30 = format!("{A} Notice is given 30 days ahead.");
        let a15 = format!("{A} Notice is given 15 days ahead.");
        let old2 = doc(&[
            ("T", P, INTRO),
            ("T", P, &format!("{a30} {B}")),
            ("T", P, OUTRO),
        ]);
        let new2 = doc(&[
            ("T", P, INTRO),
            ("T", P, &a15),
            ("T", P, B),
            ("T", P, OUTRO),
        ]);
        assert!(substantive(&old2, &new2) >= 1);
        assert_eq!(substantive(&old, &old), 0);
    }

    #[test]
    fn removed_short_item_is_not_excused_by_a_chance_match() {
        // "spam" occurs in the new gap, but the removed item is gone.
        let old = doc(&[
            ("T", P, INTRO),
            ("T", L, "Spam."),
            (
                "T",
                P,
                "Our team reviews reports of abuse every day and acts on them quickly.",
            ),
            ("T", P, OUTRO),
        ]);
        let new = doc(&[
            ("T", P, INTRO),
            (
                "T",
                P,
                "Our team reviews spam reports every week and may act on them later.",
            ),
            ("T", P, OUTRO),
        ]);
        let cs = crate::diff(&old, &new);
        assert!(
            cs.changes
                .iter()
                .any(|c| c.kind == ChangeKind::Removed
                    && c.significance == Significance::Substantive),
            "{:#?}",
            cs.changes
        );
    }

    #[test]
    fn a_changed_heading_in_the_gap_blocks_the_rule() {
        let item = "Running automated security scans against systems you are authorised to test by the owner.";
        let old = doc(&[
            ("Rules", P, INTRO),
            ("Rules", ProvisionKind::Heading, "Prohibited Activities"),
            ("Prohibited Activities", P, &format!("{item} {B}")),
            ("Prohibited Activities", P, OUTRO),
        ]);
        let new = doc(&[
            ("Rules", P, INTRO),
            ("Rules", ProvisionKind::Heading, "Permitted Activities"),
            ("Permitted Activities", L, item),
            ("Permitted Activities", P, B),
            ("Permitted Activities", P, OUTRO),
        ]);
        let cs = crate::diff(&old, &new);
        assert!(cs.summary.substantive >= 1, "{:#?}", cs.changes);
    }

    #[test]
    fn word_stream_ignores_boundaries_markup_and_case() {
        let p = |t: &str| Provision::new("x", vec![], ProvisionKind::Paragraph, t);
        let a = [p("1. We MAY suspend"), p("your account.")];
        let b = [p("We may suspend your"), p("**account**")];
        let s: String = word_stream(&a).collect();
        assert_eq!(s, "1 we may suspend your account");
        assert!(!word_stream(&a).eq(word_stream(&b)));
        let c = [p("1 . We may suspend your account")];
        assert!(word_stream(&a).eq(word_stream(&c)));
    }
}
