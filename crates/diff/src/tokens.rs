//! Splitting text into word, space, punctuation and CJK tokens.
//!
//! The tokens cover the input exactly (concatenating them gives the text
//! back), which is what lets the word diff reconstruct both sides. Words are
//! runs of letters and digits (with combining marks); every punctuation or
//! symbol character is its own token; each CJK ideograph or kana is its own
//! token (a later issue brings dictionary segmentation for Chinese).

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokKind {
    /// Letters and digits (any script except CJK ideographs and kana).
    Word,
    /// A run of whitespace.
    Space,
    /// One punctuation or symbol character.
    Punct,
    /// One CJK ideograph or kana character.
    Cjk,
}

/// One token: its kind and its byte range in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    /// What the token is made of.
    pub(crate) kind: TokKind,
    /// Byte offset of the first character.
    pub(crate) start: usize,
    /// Byte offset one past the last character.
    pub(crate) end: usize,
}

impl Token {
    /// The token's text within `source`, or "" if the range does not fit.
    pub(crate) fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.start..self.end).unwrap_or("")
    }
}

/// Whether `c` is a CJK ideograph, kana or CJK symbol written without spaces.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // hiragana, katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x2FA1F) // CJK extensions B–F, compatibility supplement
}

/// Combining marks that continue a word (accents, Indic and Thai vowel signs).
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F
        | 0x0483..=0x0489
        | 0x0591..=0x05C7
        | 0x0610..=0x061A
        | 0x064B..=0x065F
        | 0x0670
        | 0x06D6..=0x06ED
        | 0x0900..=0x0DFF
        | 0x0E31..=0x0E4E
        | 0x1AB0..=0x1AFF
        | 0x1DC0..=0x1DFF
        | 0x20D0..=0x20FF
        | 0xFE20..=0xFE2F)
}

fn kind_of(c: char, in_word: bool) -> TokKind {
    if c.is_whitespace() {
        TokKind::Space
    } else if is_cjk(c) {
        TokKind::Cjk
    } else if c.is_alphanumeric() || (in_word && is_mark(c)) {
        TokKind::Word
    } else {
        TokKind::Punct
    }
}

/// The kind of an ASCII byte (a letter or digit continues or starts a word).
fn ascii_kind(b: u8) -> TokKind {
    if b.is_ascii_alphanumeric() {
        TokKind::Word
    } else if b.is_ascii_whitespace() {
        TokKind::Space
    } else {
        TokKind::Punct
    }
}

/// Splits `text` into tokens that cover it exactly, in order.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(text.len() / 4 + 1);
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let (kind, end) = if b < 0x80 {
            (ascii_kind(b), i + 1)
        } else {
            let Some(c) = text.get(i..).and_then(|r| r.chars().next()) else {
                break;
            };
            let in_word = out
                .last()
                .is_some_and(|t| t.kind == TokKind::Word && t.end == i);
            (kind_of(c, in_word), i + c.len_utf8())
        };
        match out.last_mut() {
            Some(last)
                if last.end == i
                    && last.kind == kind
                    && matches!(kind, TokKind::Word | TokKind::Space) =>
            {
                last.end = end;
            }
            _ => out.push(Token {
                kind,
                start: i,
                end,
            }),
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        tokenize(s).iter().map(|t| t.text(s)).collect()
    }

    #[test]
    fn splits_words_spaces_and_punctuation() {
        assert_eq!(
            texts("We may, at any time—"),
            [
                "We", " ", "may", ",", " ", "at", " ", "any", " ", "time", "—"
            ]
        );
        assert_eq!(texts("e-mail  30%"), ["e", "-", "mail", "  ", "30", "%"]);
    }

    #[test]
    fn splits_cjk_per_character() {
        assert_eq!(texts("我们可以 AWS"), ["我", "们", "可", "以", " ", "AWS"]);
    }

    #[test]
    fn keeps_combining_marks_in_words() {
        assert_eq!(texts("cafe\u{301} ok"), ["cafe\u{301}", " ", "ok"]);
    }

    #[test]
    fn tokens_cover_the_text() {
        for s in [
            "",
            " ",
            "a",
            "“Policy”; (iv) 1,000 días — 第一条",
            "\u{301}x",
        ] {
            assert_eq!(texts(s).concat(), s);
        }
    }
}
