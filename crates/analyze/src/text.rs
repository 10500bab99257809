//! Text plumbing shared by every analysis: byte↔character offsets, sentence
//! splitting, word tokens with their positions, and Chinese numerals.
//!
//! Everything here works on `&str` and never panics on any input: offsets
//! come from the `regex` crate or from `char_indices`, so they always sit on
//! character boundaries.

/// Converts a byte range of `text` into a character range (`[start, end)` in
/// `char` counts). Out-of-range or non-boundary bytes are clamped to the
/// nearest earlier boundary, so the result is always a valid character range.
pub(crate) fn char_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let s = char_offset(text, start);
    let e = char_offset(text, end.max(start));
    (s, e.max(s))
}

/// The number of characters before byte offset `byte` (clamped to the text).
pub(crate) fn char_offset(text: &str, byte: usize) -> usize {
    let mut b = byte.min(text.len());
    while b > 0 && !text.is_char_boundary(b) {
        b -= 1;
    }
    text.get(..b).map_or(0, |p| p.chars().count())
}

/// The substring of `text` between two character offsets (clamped).
pub fn slice_chars(text: &str, span: (usize, usize)) -> &str {
    let (s, e) = span;
    let mut start_b = text.len();
    let mut end_b = text.len();
    for (n, (i, _)) in text.char_indices().enumerate() {
        if n == s {
            start_b = i;
        }
        if n == e {
            end_b = i;
            break;
        }
    }
    if start_b > end_b {
        return "";
    }
    text.get(start_b..end_b).unwrap_or("")
}

/// One word token: lowercased text and its byte range in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) text: String,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Lowercased alphanumeric word tokens (apostrophes inside words are dropped,
/// so "don't" → "dont"). Each CJK character is its own token. Runs of digits
/// stay as they are.
pub(crate) fn word_tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0usize;
    let mut end = 0usize;
    let flush = |cur: &mut String, start: usize, end: usize, out: &mut Vec<Token>| {
        if !cur.is_empty() {
            out.push(Token {
                text: std::mem::take(cur),
                start,
                end,
            });
        }
    };
    for (i, c) in text.char_indices() {
        if is_cjk(c) {
            flush(&mut cur, start, end, &mut out);
            out.push(Token {
                text: c.to_string(),
                start: i,
                end: i + c.len_utf8(),
            });
        } else if c.is_alphanumeric() {
            if cur.is_empty() {
                start = i;
            }
            cur.extend(c.to_lowercase());
            end = i + c.len_utf8();
        } else if (c == '\'' || c == '’') && !cur.is_empty() {
            // keep going: "don't" → "dont"
        } else {
            flush(&mut cur, start, end, &mut out);
        }
    }
    flush(&mut cur, start, end, &mut out);
    out
}

/// True for characters of the CJK scripts (Han, kana, hangul, CJK punctuation excluded).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF
        | 0x20000..=0x2FA1F)
}

/// Share of letters that are CJK (0.0 for text without letters).
pub(crate) fn cjk_ratio(text: &str) -> f32 {
    let mut letters = 0usize;
    let mut cjk = 0usize;
    for c in text.chars() {
        if is_cjk(c) {
            cjk += 1;
            letters += 1;
        } else if c.is_alphabetic() {
            letters += 1;
        }
    }
    if letters == 0 {
        0.0
    } else {
        cjk as f32 / letters as f32
    }
}

const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "inc", "ltd", "co", "corp", "llc", "no", "nos", "art", "arts", "sec", "para",
    "u.s", "u.k", "etc", "vs", "v", "mr", "mrs", "ms", "dr", "st", "jr", "sr", "fig", "cf", "al",
    "approx", "s.a", "s.a.r.l", "b.v", "gmbh", "n.v", "pty", "plc",
];

/// Splits text into sentences and returns their byte ranges (trimmed of
/// surrounding whitespace). Ends a sentence at `.`, `!`, `?`, `;` followed by
/// whitespace and an upper-case letter, digit, quote or bullet, and at the
/// Chinese stops `。！？；`. Common abbreviations ("e.g.", "Inc.") do not end a
/// sentence. A text without a stop is one sentence.
pub(crate) fn sentence_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0usize;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut k = 0usize;
    while k < chars.len() {
        let (i, c) = chars[k];
        let end_here = match c {
            '。' | '！' | '？' | '；' => true,
            '.' | '!' | '?' => {
                let next = chars.get(k + 1).map(|x| x.1);
                let after = chars.get(k + 2).map(|x| x.1);
                match (next, after) {
                    (None, _) => true,
                    (Some(n), Some(a)) if n.is_whitespace() => {
                        (a.is_uppercase() || a.is_ascii_digit() || "\"“‘'(•-–".contains(a))
                            && !(c == '.' && is_abbreviation(text, i))
                    }
                    (Some(n), None) => n.is_whitespace(),
                    _ => false,
                }
            }
            _ => false,
        };
        if end_here {
            let end = i + c.len_utf8();
            push_trimmed(text, start, end, &mut spans);
            start = end;
        }
        k += 1;
    }
    push_trimmed(text, start, text.len(), &mut spans);
    spans
}

fn push_trimmed(text: &str, start: usize, end: usize, spans: &mut Vec<(usize, usize)>) {
    let Some(s) = text.get(start..end) else {
        return;
    };
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if s.trim().is_empty() {
        return;
    }
    spans.push((start + lead, end - trail));
}

fn is_abbreviation(text: &str, dot: usize) -> bool {
    let before = text.get(..dot).unwrap_or("");
    let word: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '.')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let lower = word.to_lowercase();
    // A single letter ("A.", "J.") or a list number ("1.") is an initial, not a stop.
    if lower.chars().count() == 1 {
        return true;
    }
    ABBREVIATIONS.contains(&lower.as_str())
}

/// Parses a number written in Arabic digits, English words (one … ninety-nine)
/// or Chinese numerals (十四, 二十, 三十); `None` when it is none of those.
pub(crate) fn parse_number(s: &str) -> Option<u32> {
    let t = s.trim();
    if let Ok(n) = t.parse::<u32>() {
        return Some(n);
    }
    if let Some(n) = parse_chinese_number(t) {
        return Some(n);
    }
    parse_english_number(&t.to_lowercase())
}

fn parse_english_number(t: &str) -> Option<u32> {
    const UNITS: &[&str] = &[
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: &[&str] = &[
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    if let Some(i) = UNITS.iter().position(|u| *u == t) {
        return u32::try_from(i).ok();
    }
    let parts: Vec<&str> = t.split(['-', ' ']).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [tens] => TENS
            .iter()
            .position(|x| x == tens && !x.is_empty())
            .map(|i| i as u32 * 10),
        [tens, unit] => {
            let t10 = TENS.iter().position(|x| x == tens && !x.is_empty())?;
            let u = UNITS
                .iter()
                .position(|x| x == unit)
                .filter(|u| (1..10).contains(u))?;
            Some(t10 as u32 * 10 + u as u32)
        }
        _ => None,
    }
}

fn chinese_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn parse_chinese_number(t: &str) -> Option<u32> {
    if t.is_empty() {
        return None;
    }
    let mut total = 0u32;
    let mut digit: Option<u32> = None;
    for c in t.chars() {
        if let Some(d) = chinese_digit(c) {
            digit = Some(d);
        } else if c == '十' {
            total += digit.unwrap_or(1) * 10;
            digit = None;
        } else if c == '百' {
            total += digit.unwrap_or(1) * 100;
            digit = None;
        } else {
            return None;
        }
    }
    Some(total + digit.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_spans_count_characters_not_bytes() {
        let t = "我们有权随时修改 terms";
        let b = t.find("terms").unwrap();
        assert_eq!(char_span(t, b, b + 5), (9, 14));
        assert_eq!(slice_chars(t, (9, 14)), "terms");
        assert_eq!(slice_chars(t, (0, 2)), "我们");
        assert_eq!(slice_chars(t, (20, 30)), "");
        assert_eq!(char_span(t, 1, 2), (0, 0));
    }

    #[test]
    fn sentences_respect_abbreviations() {
        let t = "We may, e.g. by email, notify you. Amazon EU S.a.r.l. is liable! Then 1. a list";
        let s: Vec<&str> = sentence_spans(t).iter().map(|&(a, b)| &t[a..b]).collect();
        assert_eq!(
            s,
            [
                "We may, e.g. by email, notify you.",
                "Amazon EU S.a.r.l. is liable!",
                "Then 1. a list"
            ]
        );
        let z = "我们有权随时修改。您应当遵守；";
        assert_eq!(sentence_spans(z).len(), 2);
    }

    #[test]
    fn numbers_in_three_scripts() {
        assert_eq!(parse_number("30"), Some(30));
        assert_eq!(parse_number("thirty"), Some(30));
        assert_eq!(parse_number("twenty-one"), Some(21));
        assert_eq!(parse_number("十四"), Some(14));
        assert_eq!(parse_number("十八"), Some(18));
        assert_eq!(parse_number("二十"), Some(20));
        assert_eq!(parse_number("三十五"), Some(35));
        assert_eq!(parse_number("many"), None);
    }

    #[test]
    fn tokens_keep_byte_ranges() {
        let t = "Don't use 我们 now";
        let toks = word_tokens(t);
        let texts: Vec<&str> = toks.iter().map(|x| x.text.as_str()).collect();
        assert_eq!(texts, ["dont", "use", "我", "们", "now"]);
        assert_eq!(&t[toks[0].start..toks[0].end], "Don't");
    }
}
