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
    matches!(c, '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// NFKC, unless the text is already in that form (always true for ASCII).
pub(crate) fn nfkc(text: &str) -> Cow<'_, str> {
    if text.is_ascii() || is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfkc().collect())
    }
}

/// NFKC + quote/dash folding + whitespace collapsing (+ case folding when asked).
fn canonical(text: &str, fold_case: bool) -> String {
    let text = nfkc(text);
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
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
        if !fold_case {
            out.push(c);
        } else if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Removes a leading list marker and trailing list punctuation from canonical
/// (case-preserved) text.
fn trim_list_layout(mut s: String) -> String {
    let start = list_marker_len(&s);
    if start > 0 {
        s.drain(..start);
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
    trim_list_layout(canonical(text, false))
}

/// The case-folded matching key: equal keys mean an exact alignment.
pub(crate) fn match_key(text: &str) -> String {
    let mut s = trim_list_layout(canonical(text, false));
    if s.is_ascii() {
        s.make_ascii_lowercase();
        s
    } else {
        s.chars().flat_map(char::to_lowercase).collect()
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

/// Canonical text, case folded, no list-layout trimming (for cosmetic classification).
pub(crate) fn fold_case(text: &str) -> String {
    canonical(text, true)
}

/// Only letters and digits, case folded: equal results differ in punctuation only.
pub(crate) fn alnum_only(text: &str) -> String {
    nfkc(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A normalised section name: the match key of a heading, trailing colons removed.
pub(crate) fn section_key(heading: &str) -> String {
    match_key(heading)
}

const BULLETS: &[char] = &[
    '•', '·', '▪', '‣', '◦', '●', '○', '■', '□', '-', '*', '+', '➢', '►', '▶', '◆', '♦', '✓',
    '✔', '→',
];

const CJK_NUMERALS: &[char] = &['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '百'];

/// Byte length of a leading list marker (including the space after it), or 0.
///
/// Recognised: bullets (`•`, `-`, `*` …), `1.`, `1)`, `(1)`, `1.2.3`, `a.`,
/// `(b)`, `iv.`, `(iv)`, and Chinese `一、`, `(一)`, `1、`. A marker must be
/// followed by a space (or `、`), so `e.g. this` and `3.5 million` are kept.
pub(crate) fn list_marker_len(s: &str) -> usize {
    let mut chars = s.char_indices().peekable();
    let Some(&(_, first)) = chars.peek() else {
        return 0;
    };
    if BULLETS.contains(&first) {
        let after = first.len_utf8();
        return if s[after..].starts_with(' ') { after + 1 } else { 0 };
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
    !lower.is_empty() && lower.chars().all(|c| matches!(c, 'i' | 'v' | 'x' | 'l' | 'c' | 'd' | 'm'))
}

/// A fast, deterministic 64-bit FNV-1a hash of a string (stable across runs and platforms).
pub(crate) fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            h ^= 0x1f;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
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
        assert_eq!(display_key("The \u{2018}AWS Site\u{2019};"), "The 'AWS Site'");
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
    fn drops_invisible_characters() {
        assert_eq!(match_key("e\u{00AD}mail\u{200B} us"), "email us");
    }

    #[test]
    fn marker_scan_never_panics_on_odd_input() {
        for s in ["(", "(1", "1", "a", "(一", "1.", "1.2.", "(é) x", "ⅳ. x", "", " "] {
            let n = list_marker_len(s);
            assert!(n <= s.len());
        }
    }

    #[test]
    fn hash_is_stable() {
        assert_eq!(fnv1a(&["a"]), fnv1a(&["a"]));
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
    }
}
