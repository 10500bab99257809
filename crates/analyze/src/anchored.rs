//! Regexes searched only where a match can begin (issue #25). The literals
//! that every match of a pattern starts with — regex-syntax's prefix
//! extractor, with every case variant the pattern accepts — are found in one
//! Aho-Corasick pass, and the regex runs anchored at each of them, in order.
//!
//! Why: a pattern with a Unicode `\b` cannot use the lazy DFA on a text with
//! any non-ASCII byte (one curly quote is enough), and regex-automata then
//! runs its PikeVM or backtracker over the whole text. Anchored at a
//! candidate, the DFA reads only the few bytes a match could take.
//!
//! The matches are exactly those of the ordinary unanchored leftmost-first
//! search: the leftmost match starts at the first position where an anchored
//! match exists (and every match starts at a candidate), and anchored there the
//! regex picks the same alternative by the same priority. Look-around (`\b`)
//! sees the whole text either way. A pattern whose matches can start with an
//! empty or unbounded set of literals is searched the ordinary way; one that
//! can match the empty string is refused (the `regex` crate skips some empty
//! matches while iterating, which this module does not copy).

use aho_corasick::{AhoCorasick, MatchKind};
use regex_automata::meta::{self, Regex};
use regex_automata::util::captures::Captures;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// A case-insensitive regex searched from the places its matches can start.
#[derive(Debug, Clone)]
pub(crate) struct StartAnchored {
    re: Regex,
    /// The literals every match starts with; `None` when they are not a
    /// finite, non-empty set.
    starts: Option<AhoCorasick>,
}

/// One group of a match: byte offsets into the searched text, and the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Group<'t> {
    pub(crate) start: usize,
    pub(crate) end: usize,
    text: &'t str,
}

impl<'t> Group<'t> {
    /// The matched text.
    pub(crate) fn as_str(&self) -> &'t str {
        self.text.get(self.start..self.end).unwrap_or("")
    }
}

/// The groups of one match (group 0 is the whole match).
#[derive(Debug, Clone)]
pub(crate) struct Groups<'t> {
    caps: Captures,
    text: &'t str,
}

impl<'t> Groups<'t> {
    /// Group `i`, when it took part in the match.
    pub(crate) fn get(&self, i: usize) -> Option<Group<'t>> {
        self.caps.get_group(i).map(|s| Group {
            start: s.start,
            end: s.end,
            text: self.text,
        })
    }

    /// Every group after the whole match, `None` for those that did not take part.
    pub(crate) fn groups(&self) -> impl Iterator<Item = Option<Group<'t>>> + '_ {
        (1..self.caps.group_len()).map(|i| self.get(i))
    }
}

/// Literal sets larger than this are searched the ordinary way.
const MAX_START_LITERALS: usize = 20_000;

impl StartAnchored {
    /// Compiles `pattern` case-insensitively, with the `regex` crate's
    /// defaults otherwise (Unicode on), and extracts its start literals.
    /// Errors on an invalid pattern or one that can match the empty string.
    pub(crate) fn new(pattern: &str) -> Result<StartAnchored, String> {
        let re = Regex::builder()
            .syntax(syntax::Config::new().case_insensitive(true))
            .configure(meta::Config::new().nfa_size_limit(Some(10 << 20)))
            .build(pattern)
            .map_err(|e| e.to_string())?;
        let hir = regex_syntax::ParserBuilder::new()
            .case_insensitive(true)
            .build()
            .parse(pattern)
            .map_err(|e| e.to_string())?;
        if hir.properties().minimum_len().is_none_or(|n| n == 0) {
            return Err(format!("{pattern:?} can match the empty string"));
        }
        // `\d` is ~700 characters, and a case-insensitive word of n letters
        // has 2^n variants: literals are cut short (first at 16 bytes, then
        // at 4) until the set is finite and at most MAX_START_LITERALS.
        let literals = [16, 4].into_iter().find_map(|len| {
            let seq = Extractor::new()
                .kind(ExtractKind::Prefix)
                .limit_class(1_000)
                .limit_literal_len(len)
                .limit_total(200_000)
                .extract(&hir);
            let lits = seq.literals()?;
            let usable = !lits.is_empty()
                && lits.len() <= MAX_START_LITERALS
                && lits.iter().all(|l| !l.as_bytes().is_empty());
            usable.then(|| {
                lits.iter()
                    .map(|l| l.as_bytes().to_vec())
                    .collect::<Vec<_>>()
            })
        });
        let starts = literals.and_then(|lits| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(lits)
                .ok()
        });
        Ok(StartAnchored { re, starts })
    }

    /// True when searches go from start literals (false: the ordinary way).
    #[cfg(test)]
    pub(crate) fn is_anchored(&self) -> bool {
        self.starts.is_some()
    }

    /// Every byte offset where a match can start, ascending; `None` when
    /// any offset can.
    fn candidates(&self, text: &str) -> Option<Vec<usize>> {
        let ac = self.starts.as_ref()?;
        let mut at: Vec<usize> = ac.find_overlapping_iter(text).map(|m| m.start()).collect();
        at.sort_unstable();
        at.dedup();
        Some(at)
    }

    /// The leftmost-first match at or after `from` with its groups.
    fn search_from(&self, text: &'_ str, from: usize, cands: Option<&[usize]>) -> Option<Captures> {
        let mut caps = self.re.create_captures();
        match cands {
            None => {
                let input = Input::new(text).range(from..);
                self.re.search_captures(&input, &mut caps);
                caps.is_match().then_some(caps)
            }
            Some(cands) => {
                let first = cands.partition_point(|&c| c < from);
                for &c in &cands[first..] {
                    let input = Input::new(text).range(c..).anchored(Anchored::Yes);
                    self.re.search_captures(&input, &mut caps);
                    if caps.is_match() {
                        return Some(caps);
                    }
                }
                None
            }
        }
    }

    /// The first (leftmost-first) match, like `regex::Regex::captures`.
    pub(crate) fn captures<'t>(&self, text: &'t str) -> Option<Groups<'t>> {
        let cands = self.candidates(text);
        self.search_from(text, 0, cands.as_deref())
            .map(|caps| Groups { caps, text })
    }

    /// Every non-overlapping match, like `regex::Regex::captures_iter`.
    pub(crate) fn captures_all<'t>(&self, text: &'t str) -> Vec<Groups<'t>> {
        let cands = self.candidates(text);
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(caps) = self.search_from(text, from, cands.as_deref()) {
            // Matches are never empty (see `new`), so this moves on.
            match caps.get_match() {
                Some(whole) if whole.end() > from => from = whole.end(),
                _ => break,
            }
            out.push(Groups { caps, text });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The same matches and groups as the `regex` crate's ordinary search.
    fn same_as_regex(pattern: &str, text: &str) {
        let ours = StartAnchored::new(pattern).unwrap();
        let theirs = regex::RegexBuilder::new(pattern)
            .case_insensitive(true)
            .build()
            .unwrap();
        let a: Vec<Vec<Option<(usize, usize)>>> = ours
            .captures_all(text)
            .iter()
            .map(|g| {
                (0..g.caps.group_len())
                    .map(|i| g.get(i).map(|m| (m.start, m.end)))
                    .collect()
            })
            .collect();
        let b: Vec<Vec<Option<(usize, usize)>>> = theirs
            .captures_iter(text)
            .map(|c| c.iter().map(|m| m.map(|m| (m.start(), m.end()))).collect())
            .collect();
        assert_eq!(a, b, "{pattern:?} on {text:?}");
        let first = ours
            .captures(text)
            .and_then(|g| g.get(0))
            .map(|m| (m.start, m.end));
        let want = theirs.find(text).map(|m| (m.start(), m.end()));
        assert_eq!(first, want, "{pattern:?} on {text:?}");
    }

    const PATTERNS: [&str; 5] = [
        r"\b(\d{1,4}|one|two|twenty(?:[- ](?:one|two))?)\b\s*days?['’]?\s*(?:\w+\s+){0,2}?notice",
        r"(?:under|at\s+least)\s+(\d{1,4}|ten|twelve)(?:\s+years)?|(不满)\s*([0-9一二十]{1,4})\s*周?岁",
        r"\b(?:the\s+)?(Kansas|US|U\.S\.A?\.?|Texas)\b|(美国)",
        r"\bwe\s+(?:\w+\s+)?(may|can)\b",
        r"(?:\w+\s+)?(may|can)\b",
    ];

    #[test]
    fn matches_are_those_of_the_ordinary_search() {
        for p in PATTERNS {
            for t in [
                "",
                "We may give thirty days’ notice, or 30 days notice; UNDER 13",
                "we’re in the U.S.A. and Texas; 不满十四周岁 and 不满 14 岁",
                "twenty-one days' prior notice… at least twelve years; ſtill KANSAS",
                "Kansas (with a Kelvin sign) and u.s. law, we cAn",
                "éwe may; é30 days notice; 30 daysé notice; 1234567 days notice",
            ] {
                same_as_regex(p, t);
            }
        }
        assert!(StartAnchored::new(PATTERNS[0]).unwrap().is_anchored());
        assert!(!StartAnchored::new(PATTERNS[4]).unwrap().is_anchored());
        assert!(StartAnchored::new("a*|b").is_err());
        assert!(StartAnchored::new("(").is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn any_text_gives_the_ordinary_matches(parts in proptest::collection::vec(prop_oneof![
            Just("we"), Just("We "), Just("may"), Just(" "), Just("\u{a0}"), Just("é"), Just("’"),
            Just("30"), Just("days"), Just("day"), Just(" notice"), Just("twenty"), Just("-one"),
            Just("under "), Just("at least "), Just("12"), Just("不满"), Just("十四"), Just("周岁"),
            Just("US"), Just("U.S."), Just("ſ"), Just("\u{212a}ansas"), Just("美国"), Just("a"),
            Just("."), Just("The "), Just("Texas"), Just("٣"),
        ], 0..24)) {
            let text: String = parts.concat();
            for p in PATTERNS {
                same_as_regex(p, &text);
            }
        }
    }
}
