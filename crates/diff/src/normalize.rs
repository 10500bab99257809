//! Text normalisation used to decide whether two provisions say the same thing.
//!
//! Two keys are derived from a provision's text (TAXONOMY §3, first step of
//! the pipeline):
//!
//! * [`display_key`]: Unicode NFKC, curly quotes and dashes folded to ASCII,
//!   invisible characters dropped, whitespace collapsed, a leading list marker
//!   (`1.`, `(a)`, `iv)`, `•`, `一、`) and trailing list punctuation (`;`, `.`,
//!   `,`, `:`) removed. Two texts with the same display key are *unchanged*.
//! * [`match_key`]: the display key, case-folded. Used only for matching, so a
//!   case-only edit is aligned exactly but still reported (as cosmetic).
//!
//! Nothing here allocates more than one output string per call, and ASCII
//! input skips the NFKC pass entirely.

use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::{IsNormalized, is_nfkc_quick};

/// Folds typographic quotes, dashes and odd spaces to their plain forms.
pub(crate) fn fold_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => '-',
        '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{3000}' => ' ',
        other => other,
    }
}

/// Characters that carry no visible text and are dropped before comparing.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// NFKC, unless the text is already in that form (always true for ASCII).
///
/// The quick check looks at the non-ASCII characters only: ASCII is NFKC-
/// stable with combining class 0, so dropping it can only turn a "yes" into
/// a "maybe" (extra work), never hide a "no".
pub(crate) fn nfkc(text: &str) -> Cow<'_, str> {
    if text.is_ascii() || is_nfkc_quick(text.chars().filter(|c| !c.is_ascii())) == IsNormalized::Yes
    {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfkc().collect())
    }
}

/// NFKC + quote/dash folding + whitespace collapsing (+ case folding when
/// asked). Runs of plain ASCII are copied whole; only whitespace and
/// non-ASCII characters are looked at one by one.
fn canonical(text: &str, fold_case: bool) -> String {
    let text = nfkc(text);
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while bytes
            .get(i)
            .is_some_and(|&b| b < 0x80 && !b.is_ascii_whitespace())
        {
            i += 1;
        }
        if i > start {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push_str(text.get(start..i).unwrap_or_default());
        }
        let Some(&b) = bytes.get(i) else { break };
        if b < 0x80 {
            // ASCII whitespace.
            pending_space = !out.is_empty();
            i += 1;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|r| r.chars().next()) else {
            break;
        };
        i += c.len_utf8();
        let c = fold_char(c);
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        if fold_case && !c.is_ascii() {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    if fold_case {
        out.make_ascii_lowercase();
    }
    out
}

/// Removes `marker` leading bytes (a list marker) and trailing list
/// punctuation from canonical text.
fn strip_layout(mut s: String, marker: usize) -> String {
    if marker > 0 && marker <= s.len() && s.is_char_boundary(marker) {
        s.drain(..marker);
    }
    while s.ends_with([';', ',', '.', ':', '；', '，', '。', '：']) {
        s.pop();
    }
    let trimmed = s.trim_end().len();
    s.truncate(trimmed);
    s
}

/// The case-preserving comparison key: equal keys mean *unchanged* text.
pub(crate) fn display_key(text: &str) -> String {
    let s = canonical(text, false);
    let marker = list_marker_len(&s);
    strip_layout(s, marker)
}

/// The case-folded matching key: equal keys mean an exact alignment.
///
/// The list marker is found on a case-preserved canonical prefix (its rule
/// for `1.2 Title` looks at a capital letter); marker characters are ASCII or
/// CJK, so their length is the same in the case-folded text.
pub(crate) fn match_key(text: &str) -> String {
    let mut end = text.len().min(48);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let marker = text
        .get(..end)
        .map_or(0, |p| list_marker_len(&canonical(p, false)));
    strip_layout(canonical(text, true), marker)
}

/// Whether `a` and `b` have the same canonical form (see [`canonical`]),
/// compared character by character without building either string when
/// both are already NFKC (the common case).
pub(crate) fn same_canonical(a: &str, b: &str, fold_case: bool) -> bool {
    let stable = |s: &str| matches!(nfkc(s), Cow::Borrowed(_));
    if !(stable(a) && stable(b)) {
        return canonical(a, fold_case) == canonical(b, fold_case);
    }
    Canon::new(a, fold_case).eq(Canon::new(b, fold_case))
}

/// The characters of [`canonical`] for NFKC-stable text, lazily.
struct Canon<'a> {
    chars: std::str::Chars<'a>,
    fold_case: bool,
    started: bool,
    pending_space: bool,
    lower: Option<std::char::ToLowercase>,
    next: Option<char>,
}

impl<'a> Canon<'a> {
    fn new(s: &'a str, fold_case: bool) -> Self {
        Canon {
            chars: s.chars(),
            fold_case,
            started: false,
            pending_space: false,
            lower: None,
            next: None,
        }
    }
}

impl Iterator for Canon<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        if let Some(l) = self.lower.as_mut() {
            if let Some(c) = l.next() {
                return Some(c);
            }
            self.lower = None;
        }
        if let Some(c) = self.next.take() {
            return Some(self.emit(c));
        }
        loop {
            let c = fold_char(self.chars.next()?);
            if is_invisible(c) {
                continue;
            }
            if c.is_whitespace() {
                self.pending_space = self.started;
                continue;
            }
            self.started = true;
            if self.pending_space {
                self.pending_space = false;
                self.next = Some(c);
                return Some(' ');
            }
            return Some(self.emit(c));
        }
    }
}

impl Canon<'_> {
    fn emit(&mut self, c: char) -> char {
        if !self.fold_case {
            return c;
        }
        if c.is_ascii() {
            return c.to_ascii_lowercase();
        }
        let mut l = c.to_lowercase();
        let first = l.next().unwrap_or(c);
        self.lower = Some(l);
        first
    }
}

/// Canonical text with whitespace collapsed only (for cosmetic classification).
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for w in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Canonical text, case kept, no list-layout trimming (for cosmetic classification).
pub(crate) fn fold_quotes(text: &str) -> String {
    canonical(text, false)
}

/// Whether two texts have the same letters and digits (case folded, NFKC).
pub(crate) fn same_alnum(a: &str, b: &str) -> bool {
    let letters = |s: &str| -> Vec<char> {
        nfkc(s)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    if a.is_ascii() && b.is_ascii() {
        let it = |s: &'_ str| {
            s.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect::<Vec<u8>>()
        };
        return it(a) == it(b);
    }
    letters(a) == letters(b)
}

/// A normalised section name: the match key of a heading, trailing colons removed.
pub(crate) fn section_key(heading: &str) -> String {
    match_key(heading)
}

const BULLETS: &[char] = &[
    '•', '·', '▪', '‣', '◦', '●', '○', '■', '□', '-', '*', '+', '➢', '►', '▶', '◆', '♦', '✓', '✔',
    '→',
];

const CJK_NUMERALS: &[char] = &[
    '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '百',
];

/// Byte length of a leading list marker (including the space after it), or 0.
///
/// Besides the simple markers below, compound numbering of any shape is a
/// marker: letter- or roman-prefixed and nested (`A.1.`, `I.2.b.`, `B.3)`),
/// and labelled (`§ 3`, `§3.`, `Article 4:`, `Art. 4 -`, `Section 2.1`)
/// when a terminator or a capitalised word follows (so `Section 4 of the
/// Act` keeps its reference).
pub(crate) fn list_marker_len(s: &str) -> usize {
    match simple_marker_len(s) {
        0 => compound_marker_len(s),
        n => n.max(compound_marker_len(s)),
    }
}

/// Labels that open a numbered clause or heading.
const MARKER_LABELS: &[&str] = &[
    "§§",
    "§",
    "article",
    "art.",
    "artikel",
    "articolo",
    "artículo",
    "section",
    "sec.",
    "clause",
    "chapter",
    "chapitre",
    "kapitel",
    "part",
    "partie",
    "titre",
    "title",
];

/// Length of a dotted sequence of segments (`A.1.2`, `I.2.b`) at the start
/// of `s` and how many segments it has and whether one is a number.
fn segments(s: &str) -> (usize, usize, bool) {
    let b = s.as_bytes();
    let (mut i, mut count, mut digit) = (0usize, 0usize, false);
    loop {
        let start = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let seg = &s[start..i];
        let ok = (!seg.is_empty() && seg.len() <= 3 && seg.bytes().all(|c| c.is_ascii_digit()))
            || seg.len() == 1
            || (seg.len() <= 6 && is_roman(seg) && seg.bytes().all(|c| c.is_ascii_uppercase()));
        if !ok {
            return (start.saturating_sub(1), count, digit);
        }
        count += 1;
        digit |= seg.bytes().all(|c| c.is_ascii_digit());
        if i < b.len() && b[i] == b'.' && i + 1 < b.len() && b[i + 1].is_ascii_alphanumeric() {
            i += 1;
        } else {
            return (i, count, digit);
        }
    }
}

/// Compound and labelled numbering; see [`list_marker_len`].
fn compound_marker_len(s: &str) -> usize {
    let lower_head: String = s.chars().take(12).collect::<String>().to_lowercase();
    let mut start = 0usize;
    let mut labelled = false;
    for label in MARKER_LABELS {
        if lower_head.starts_with(label) {
            let after = label.len();
            // Labels are ASCII or '§' (same length in both cases).
            let rest = s.get(after..).unwrap_or_default();
            let gap = rest.len() - rest.trim_start_matches(' ').len();
            if rest
                .get(gap..)
                .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_alphanumeric()))
                && (gap > 0 || label.starts_with('§'))
            {
                start = after + gap;
                labelled = true;
                break;
            }
        }
    }
    let Some(body) = s.get(start..) else {
        return 0;
    };
    let (len, count, digit) = segments(body);
    if len == 0 || !(digit && (count >= 2 || labelled)) {
        return 0;
    }
    let end = start + len;
    let rest = s.get(end..).unwrap_or_default();
    let mut close = 0usize;
    for t in ['.', ')', ':'] {
        if rest.starts_with(t) {
            close = 1;
            break;
        }
    }
    let rest = &rest[close..];
    let dash = ["- ", "– ", "— "]
        .iter()
        .find(|d| rest.trim_start_matches(' ').starts_with(**d))
        .map(|d| rest.len() - rest.trim_start_matches(' ').len() + d.len());
    if let Some(d) = dash {
        return end + close + d;
    }
    if !rest.starts_with(' ') {
        return 0;
    }
    let next = rest.trim_start_matches(' ');
    if close > 0 || next.starts_with(char::is_uppercase) {
        end + close + (rest.len() - next.len())
    } else {
        0
    }
}

/// The markers the original rules know: bullets, `1.`, `(b)`, `iv.` …
///
/// Recognised: bullets (`•`, `-`, `*` …), `1.`, `1)`, `(1)`, `1.2.3`, `a.`,
/// `(b)`, `iv.`, `(iv)`, and Chinese `一、`, `(一)`, `1、`. A marker must be
/// followed by a space (or `、`), so `e.g. this` and `3.5 million` are kept.
fn simple_marker_len(s: &str) -> usize {
    let mut chars = s.char_indices().peekable();
    let Some(&(_, first)) = chars.peek() else {
        return 0;
    };
    if BULLETS.contains(&first) {
        let after = first.len_utf8();
        return if s[after..].starts_with(' ') {
            after + 1
        } else {
            0
        };
    }
    let paren = first == '(';
    if paren {
        chars.next();
    }
    let body_start = chars.peek().map_or(s.len(), |&(i, _)| i);
    let mut body_end = body_start;
    let mut digits = 0usize;
    let mut letters = 0usize;
    let mut cjk = 0usize;
    let mut dotted_groups = 0usize;
    while let Some(&(i, c)) = chars.peek() {
        if c.is_ascii_digit() && letters == 0 && cjk == 0 {
            digits += 1;
        } else if c.is_ascii_alphabetic() && digits == 0 && cjk == 0 {
            letters += 1;
        } else if CJK_NUMERALS.contains(&c) && digits == 0 && letters == 0 {
            cjk += 1;
        } else if c == '.' && digits > 0 && s[i + 1..].starts_with(|d: char| d.is_ascii_digit()) {
            dotted_groups += 1;
        } else {
            break;
        }
        body_end = i + c.len_utf8();
        chars.next();
    }
    let body = &s[body_start..body_end];
    let body_ok = (digits > 0 && digits <= 3 + dotted_groups * 4)
        || letters == 1
        || (letters > 1 && letters <= 6 && is_roman(body))
        || (cjk > 0 && cjk <= 4);
    if !body_ok {
        return 0;
    }
    let rest = &s[body_end..];
    let close_len = if paren {
        if rest.starts_with(')') { 1 } else { return 0 }
    } else if rest.starts_with(['.', ')']) {
        1
    } else if rest.starts_with('、') {
        '、'.len_utf8()
    } else if dotted_groups > 0 && s[body_end..].trim_start().starts_with(char::is_uppercase) {
        // `1.2 Use of the Services`, but not `3.5 million users`.
        0
    } else {
        return 0;
    };
    let after = body_end + close_len;
    let tail = &s[after..];
    if tail.starts_with(' ') {
        after + 1
    } else if close_len > 1 || (paren && (cjk > 0)) {
        // `一、第一条` and `(一)第一条` need no space.
        after
    } else {
        0
    }
}

fn is_roman(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    !lower.is_empty()
        && lower
            .chars()
            .all(|c| matches!(c, 'i' | 'v' | 'x' | 'l' | 'c' | 'd' | 'm'))
}

/// A fast, deterministic 64-bit hash of a sequence of strings (FxHash over
/// the bytes, each part followed by its length, so `["ab", "c"]` and
/// `["a", "bc"]` differ). Stable across runs and platforms.
pub(crate) fn hash_parts(parts: &[&str]) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::fasthash::FxHasher::default();
    for part in parts {
        h.write(part.as_bytes());
        h.write_usize(part.len());
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_quotes_dashes_whitespace_and_case() {
        assert_eq!(
            match_key("  You may\u{00A0}not use  the \u{201C}Services\u{201D} \u{2014} ever.  "),
            "you may not use the \"services\" - ever"
        );
        assert_eq!(
            display_key("The \u{2018}AWS Site\u{2019};"),
            "The 'AWS Site'"
        );
    }

    #[test]
    fn nfkc_folds_compatibility_forms() {
        assert_eq!(match_key("ＡＷＳ ﬁle"), "aws file");
    }

    #[test]
    fn strips_list_markers() {
        for (input, want) in [
            ("1. Scope", "scope"),
            ("(a) Scope", "scope"),
            ("iv) Scope", "scope"),
            ("• Scope", "scope"),
            ("- Scope", "scope"),
            ("1.2.3 Scope", "scope"),
            ("一、范围", "范围"),
            ("(三)范围", "范围"),
            ("e.g. this", "e.g. this"),
            ("3.5 million users", "3.5 million users"),
            ("2021. A year", "2021. a year"),
            ("I am here", "i am here"),
            ("•Scope", "•scope"),
        ] {
            assert_eq!(match_key(input), want, "{input}");
        }
    }

    #[test]
    fn renumbering_keeps_keys_equal() {
        assert_eq!(match_key("3. Foo bar;"), match_key("4. Foo bar."));
        assert_eq!(display_key("(b) Foo"), display_key("(c) Foo"));
    }

    #[test]
    fn compound_and_labelled_numbering_is_a_marker() {
        for (input, want) in [
            ("A.1. Scope of use", "scope of use"),
            ("I.2.b. Scope of use", "scope of use"),
            ("B.3) Scope of use", "scope of use"),
            ("§ 3 Scope of use", "scope of use"),
            ("§3. Scope of use", "scope of use"),
            ("Article 4: Scope of use", "scope of use"),
            ("Art. 4 - Scope of use", "scope of use"),
            ("Section 2.1 Scope of use", "scope of use"),
            // Not markers: abbreviations, quantities, references in a sentence.
            ("e.g. this", "e.g. this"),
            ("U.S. law applies", "u.s. law applies"),
            ("3.5 million users", "3.5 million users"),
            (
                "Section 4 of the Act applies",
                "section 4 of the act applies",
            ),
        ] {
            assert_eq!(match_key(input), want, "{input}");
        }
        assert_eq!(display_key("1. Foo"), display_key("A.1. Foo"));
        assert_eq!(display_key("2. Foo"), display_key("I.2.b. Foo"));
    }

    #[test]
    fn drops_invisible_characters() {
        assert_eq!(match_key("e\u{00AD}mail\u{200B} us"), "email us");
    }

    #[test]
    fn marker_scan_never_panics_on_odd_input() {
        for s in [
            "(", "(1", "1", "a", "(一", "1.", "1.2.", "(é) x", "ⅳ. x", "", " ",
        ] {
            let n = list_marker_len(s);
            assert!(n <= s.len());
        }
    }

    #[test]
    fn lazy_canonical_comparison_matches_the_strings() {
        let cases = [
            "",
            " a  b ",
            "A\u{201C}b\u{201D}",
            "İstanbul",
            "e\u{00AD}mail",
            "ＡＢ",
            "x\ty",
        ];
        for a in cases {
            for b in cases {
                for fold in [false, true] {
                    assert_eq!(
                        same_canonical(a, b, fold),
                        canonical(a, fold) == canonical(b, fold),
                        "{a:?} {b:?} {fold}"
                    );
                }
            }
        }
        assert!(same_canonical(
            "The  \u{2018}Site\u{2019}",
            "the 'site'",
            true
        ));
    }

    #[test]
    fn hash_is_stable() {
        assert_eq!(hash_parts(&["a"]), hash_parts(&["a"]));
        assert_ne!(hash_parts(&["ab", "c"]), hash_parts(&["a", "bc"]));
    }
}
