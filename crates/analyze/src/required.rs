//! The literals one of which every match of a case-insensitive cue pattern
//! contains (issue #25): `RuleSet::apply` finds all of them in a provision
//! with one Aho-Corasick pass (ASCII case folded) and skips the cues none of
//! whose literals occur — most of the ~600 cues on most provisions — instead
//! of running every cue regex over the text.
//!
//! Sound by construction: regex-syntax's extractor gives the literals every
//! match of the pattern *as written* starts (or ends) with; a match of the
//! case-insensitive regex spells each character as a member of its simple
//! case-folding orbit. ASCII case is folded by the search itself, and every
//! other orbit member (`ſ` for `s`, the Kelvin sign for `k`, `É` for `é`)
//! becomes a spelling of its own. A literal with too many spellings is cut
//! short: a part of a required literal is required too.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};

/// Literals shorter than this (in bytes) filter too little to be worth it.
const MIN_LITERAL_BYTES: usize = 3;

/// At most this many spellings of one literal (then it is cut short).
const MAX_SPELLINGS: usize = 16;

/// At most this many literals for one pattern.
const MAX_LITERALS: usize = 256;

/// The literals (ASCII lower case) one of which every match of `pattern`,
/// compiled case-insensitively, contains; `None` when no useful set exists
/// (then the pattern must always be searched).
pub(crate) fn required_literals(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    [ExtractKind::Prefix, ExtractKind::Suffix]
        .into_iter()
        .filter_map(|kind| {
            let seq = Extractor::new()
                .kind(kind.clone())
                // Small classes (`['’‘]`) are spelled out; `\s` ends a literal.
                .limit_class(4)
                .limit_literal_len(24)
                .limit_total(MAX_LITERALS)
                .extract(&hir);
            let suffix = matches!(kind, ExtractKind::Suffix);
            let mut out: Vec<String> = Vec::new();
            for lit in seq.literals()? {
                for spelling in spellings(&valid_utf8(lit.as_bytes(), suffix), suffix)? {
                    if !out.contains(&spelling) {
                        out.push(spelling);
                    }
                }
            }
            let shortest = out.iter().map(String::len).min()?;
            (shortest >= MIN_LITERAL_BYTES && out.len() <= MAX_LITERALS).then_some((shortest, out))
        })
        // The longer shortest literal filters better; on a tie, fewer literals.
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.len().cmp(&a.1.len())))
        .map(|(_, lits)| lits)
}

/// The longest valid UTF-8 start (or end, for suffixes) of `bytes`: the
/// extractor may cut a literal inside a character.
fn valid_utf8(bytes: &[u8], suffix: bool) -> String {
    if suffix {
        (0..=bytes.len())
            .find_map(|i| std::str::from_utf8(&bytes[i..]).ok())
            .unwrap_or("")
            .to_string()
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(e) => String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned(),
        }
    }
}

/// Every spelling of `lit` that a case-insensitive match may use, ASCII
/// lower-cased (the search folds ASCII case). Cut to at most
/// [`MAX_SPELLINGS`]: from the end for a prefix literal, from the start for
/// a suffix literal (a part of a required literal is still required).
/// `None` for an empty literal.
fn spellings(lit: &str, suffix: bool) -> Option<Vec<String>> {
    let chars: Vec<char> = lit.chars().collect();
    let orbits: Vec<Vec<char>> = chars.iter().map(|&c| orbit(c)).collect();
    // Keep as many characters as the spelling budget allows.
    let mut kept = 0;
    let mut count = 1usize;
    let order: Vec<usize> = if suffix {
        (0..chars.len()).rev().collect()
    } else {
        (0..chars.len()).collect()
    };
    for &i in &order {
        let next = count.saturating_mul(orbits[i].len());
        if next > MAX_SPELLINGS {
            break;
        }
        count = next;
        kept += 1;
    }
    if kept == 0 {
        return None;
    }
    let range = if suffix {
        chars.len() - kept..chars.len()
    } else {
        0..kept
    };
    let mut out = vec![String::new()];
    for i in range {
        out = out
            .iter()
            .flat_map(|s| {
                orbits[i].iter().map(move |&c| {
                    let mut t = s.clone();
                    t.push(c);
                    t
                })
            })
            .collect();
    }
    Some(out)
}

/// The spellings of `c` under simple case folding, ASCII letters lower-cased
/// and deduplicated: `s` → `s`, `ſ`; `é` → `é`, `É`; `的` → `的`.
fn orbit(c: char) -> Vec<char> {
    let mut class = ClassUnicode::new([ClassUnicodeRange::new(c, c)]);
    class.case_fold_simple();
    let mut out: Vec<char> = Vec::new();
    for r in class.ranges() {
        for m in r.start()..=r.end() {
            let m = m.to_ascii_lowercase();
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};
    use proptest::prelude::*;

    /// A pattern never matches a text that holds none of its literals.
    fn sound(pattern: &str, text: &str) {
        let Some(lits) = required_literals(pattern) else {
            return;
        };
        let re = regex::RegexBuilder::new(pattern)
            .case_insensitive(true)
            .build()
            .unwrap();
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&lits)
            .unwrap();
        if re.is_match(text) {
            assert!(
                ac.is_match(text),
                "{pattern:?} matches {text:?} without any of {lits:?}"
            );
        }
    }

    #[test]
    fn literals_of_typical_cues() {
        let lits = |p: &str| required_literals(p).unwrap_or_default();
        assert_eq!(lits(r"\bwithout\s+notice\b"), ["without"]);
        // Every spelling a case-insensitive match can use.
        let s = lits(r"terms\b");
        assert!(
            s.contains(&"terms".to_string()) && s.contains(&"termſ".to_string()),
            "{s:?}"
        );
        assert!(
            lits(r"(?:indirect|special)\s+(?:\w+\s+){0,6}?damages")
                .contains(&"damages".to_string())
        );
        assert!(required_literals(r"\w+\s+we").is_none());
        assert!(required_literals(r"(?:a|bc)\s+x").is_none());
        assert_eq!(lits("数据出境"), ["数据出境"]);
    }

    #[test]
    fn other_spellings_of_letters_are_found() {
        for (p, t) in [
            (r"\bterms\b", "the TERMſ apply"),
            (r"\bkeep\b", "we \u{212a}EEP it"),
            (r"\bsécurité\b", "la SÉCURITÉ"),
            (r"\bdays\b", "30 DAYS"),
        ] {
            sound(p, t);
            assert!(
                regex::RegexBuilder::new(p)
                    .case_insensitive(true)
                    .build()
                    .unwrap()
                    .is_match(t)
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn no_match_is_missed(parts in proptest::collection::vec(prop_oneof![
            Just("we"), Just("WE"), Just(" "), Just("may"), Just("MAY"), Just("terminate"), Just("ſ"),
            Just("\u{212a}"), Just("term"), Just("s"), Just("é"), Just("É"), Just("without"), Just("notice"),
            Just("数据"), Just("出境"), Just("damages"), Just("Keep"), Just("."),
        ], 0..16)) {
            let text: String = parts.concat();
            for p in [
                r"\bwe\s+may\s+terminate\b",
                r"without\s+(?:prior\s+)?notice",
                r"\bterms?\b",
                r"\bkeep\b|数据出境",
                r"(?:é|x)+damages",
                r"sécurité|É\w",
            ] {
                sound(p, &text);
            }
        }
    }
}
