//! The intermediate form every parser produces: a flat list of [`Block`]s
//! (heading with level, paragraph, list item with depth, table row) holding
//! plain text plus the few layout facts boilerplate removal needs — how much of
//! the text was link text, whether it sat in page chrome (nav, footer), whether
//! it was styled as a button, whether it was all bold. Also the shared text
//! helpers: the [`Inline`] accumulator, whitespace and markup cleanup, entity
//! decoding and the small "is this sentence-like" measures.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

/// What a block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum BlockKind {
    /// A heading; 1 is the outermost level.
    Heading(u8),
    /// Running text.
    #[default]
    Paragraph,
    /// One list item; 0 is the outermost list.
    ListItem(u8),
    /// One table row, cells joined with " | ".
    TableRow,
}

/// One block of a parsed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    /// What the block is.
    pub(crate) kind: BlockKind,
    /// Plain text, whitespace collapsed.
    pub(crate) text: String,
    /// Visible characters of `text` that sat inside links.
    pub(crate) link_chars: usize,
    /// Number of links the block contained.
    pub(crate) links: usize,
    /// The whole block was bold (a pseudo-heading candidate).
    pub(crate) strong_only: bool,
    /// The block came from page chrome (nav, header, footer, sidebar, banner).
    pub(crate) chrome: bool,
    /// `chrome` only because a class or id name said so (no chrome tag or
    /// role): a guess the coverage measure does not trust.
    pub(crate) named_chrome: bool,
    /// The block was styled as a button (class names like `btn`, `cta`).
    pub(crate) button: bool,
}

impl Block {
    /// A block with no layout facts.
    pub(crate) fn new(kind: BlockKind, text: impl Into<String>) -> Self {
        Block {
            kind,
            text: text.into(),
            link_chars: 0,
            links: 0,
            strong_only: false,
            chrome: false,
            named_chrome: false,
            button: false,
        }
    }

    /// Whether this is a heading.
    pub(crate) fn is_heading(&self) -> bool {
        matches!(self.kind, BlockKind::Heading(_))
    }

    /// Visible (non-whitespace) characters.
    pub(crate) fn visible_chars(&self) -> usize {
        self.text.chars().filter(|c| !c.is_whitespace()).count()
    }

    /// Share of visible characters that were link text, 0.0–1.0, given the
    /// block's [`Block::visible_chars`] (callers have it already).
    pub(crate) fn link_ratio(&self, visible: usize) -> f32 {
        let v = visible;
        if v == 0 {
            0.0
        } else {
            self.link_chars.min(v) as f32 / v as f32
        }
    }
}

/// Turns "headings" that are really running text (a page styling its intro
/// paragraph as an `h3`) into paragraphs, so they become provisions.
pub(crate) fn demote_long_headings(blocks: &mut [Block]) {
    for b in blocks.iter_mut().filter(|b| b.is_heading()) {
        let words = word_count(&b.text);
        if words > 24 || (words > 12 && ends_sentence(&b.text)) {
            b.kind = BlockKind::Paragraph;
        }
    }
}

/// How a run of inline text is styled.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Style {
    /// Inside a link.
    pub(crate) link: bool,
    /// Inside bold.
    pub(crate) strong: bool,
}

/// Accumulates the inline text of one block while a parser walks its input,
/// collapsing whitespace and tracking link and bold coverage.
#[derive(Debug, Default)]
pub(crate) struct Inline {
    text: String,
    link_spans: Vec<Range<usize>>,
    links: usize,
    strong_chars: usize,
    plain_chars: usize,
    button: bool,
    pending_space: Space,
}

/// A space waiting for the next visible character.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Space {
    #[default]
    None,
    /// Whitespace in the input.
    Hard,
    /// An element boundary (a link's edge): dropped before closing punctuation.
    Soft,
}

impl Inline {
    /// Whether nothing visible has been pushed.
    pub(crate) fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Appends text in the given style.
    pub(crate) fn push(&mut self, s: &str, style: Style) {
        let bytes = s.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            // ASCII (most text) is handled a byte or a run at a time;
            // anything else one character at a time.
            if b.is_ascii_graphic() {
                let (mut end, mut alnum) = (i, 0);
                while let Some(c) = bytes.get(end).filter(|c| c.is_ascii_graphic()) {
                    alnum += usize::from(c.is_ascii_alphanumeric());
                    end += 1;
                }
                let run = s.get(i..end).unwrap_or_default();
                self.push_visible(run, char::from(b), alnum, style);
                i = end;
                continue;
            }
            let c = if b.is_ascii() {
                // Space, other ASCII whitespace and controls.
                char::from(b)
            } else {
                let Some(c) = s.get(i..).and_then(|r| r.chars().next()) else {
                    break;
                };
                c
            };
            i += c.len_utf8();
            if is_invisible(c) {
                continue;
            }
            if c.is_whitespace() || c.is_control() {
                if !self.text.is_empty() && !self.text.ends_with('\n') {
                    self.pending_space = Space::Hard;
                }
                continue;
            }
            let mut buf = [0u8; 4];
            let alnum = usize::from(c.is_alphanumeric());
            self.push_visible(c.encode_utf8(&mut buf), c, alnum, style);
        }
    }

    /// Appends a run of visible characters starting with `first`, `alnum`
    /// of them letters or digits: the pending space goes before it, link
    /// and bold coverage grow with it.
    fn push_visible(&mut self, run: &str, first: char, alnum: usize, style: Style) {
        let closing = matches!(
            first,
            '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '’' | '”' | '»'
        );
        match self.pending_space {
            Space::Hard => self.text.push(' '),
            Space::Soft if !closing && !self.text.ends_with(['(', '[', '‘', '“', '«', '/']) => {
                self.text.push(' ');
            }
            _ => {}
        }
        self.pending_space = Space::None;
        let start = self.text.len();
        self.text.push_str(run);
        let end = self.text.len();
        if style.link {
            match self.link_spans.last_mut() {
                Some(last) if last.end == start || last.end + 1 == start => last.end = end,
                _ => self.link_spans.push(start..end),
            }
        }
        if style.strong {
            self.strong_chars += alnum;
        } else {
            self.plain_chars += alnum;
        }
    }

    /// Asks for a space before the next visible character (a hard space).
    pub(crate) fn space(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.pending_space = Space::Hard;
        }
    }

    /// Marks an element boundary: a space unless punctuation follows.
    pub(crate) fn soft_space(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') && self.pending_space == Space::None
        {
            self.pending_space = Space::Soft;
        }
    }

    /// Records that a link starts.
    pub(crate) fn link_started(&mut self) {
        self.links += 1;
    }

    /// Records that the block contains something styled as a button.
    pub(crate) fn mark_button(&mut self) {
        self.button = true;
    }

    /// A hard line break (kept until [`Inline::finish`] so bullet lines can be split).
    pub(crate) fn line_break(&mut self) {
        self.pending_space = Space::None;
        while self.text.ends_with(' ') {
            self.text.pop();
        }
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    /// A visible separator such as " | " between table cells.
    pub(crate) fn separator(&mut self, sep: &str) {
        if !self.text.is_empty() {
            self.pending_space = Space::None;
            while self.text.ends_with([' ', '\n']) {
                self.text.pop();
            }
            self.text.push_str(sep);
        }
    }

    /// Turns the accumulated text into blocks of `kind` and resets the buffer.
    /// A paragraph whose lines start with bullet glyphs ("•", "▪", …) becomes a
    /// lead-in paragraph plus one list item per bullet line.
    pub(crate) fn finish(&mut self, kind: BlockKind, chrome: bool) -> Vec<Block> {
        let taken = std::mem::take(self);
        let Inline {
            text,
            link_spans,
            links,
            strong_chars,
            plain_chars,
            button,
            ..
        } = taken;
        let mut out = Vec::new();
        if text.trim().is_empty() {
            return out;
        }
        // Visible link characters in `range`; ranges are asked for in order,
        // so one cursor over the (sorted, disjoint) spans keeps this linear.
        let mut cursor = 0;
        let mut link_count = |range: Range<usize>| -> usize {
            while link_spans.get(cursor).is_some_and(|s| s.end <= range.start) {
                cursor += 1;
            }
            link_spans
                .iter()
                .skip(cursor)
                .take_while(|s| s.start < range.end)
                .filter_map(|s| text.get(s.start.max(range.start)..s.end.min(range.end)))
                .map(|t| t.chars().filter(|c| !c.is_whitespace()).count())
                .sum()
        };
        let splittable = matches!(kind, BlockKind::Paragraph | BlockKind::ListItem(_));
        let has_bullet_line = splittable
            && text
                .split('\n')
                .skip(1)
                .any(|l| strip_glyph_bullet(l).is_some());
        if !has_bullet_line {
            let link_chars = link_count(0..text.len());
            let flat = if text.contains('\n') {
                text.replace('\n', " ").trim().to_string()
            } else if text.trim().len() == text.len() {
                text
            } else {
                text.trim().to_string()
            };
            let mut b = Block::new(kind, flat);
            b.link_chars = link_chars;
            b.links = links;
            b.strong_only = strong_chars > 0 && plain_chars == 0;
            b.chrome = chrome;
            b.button = button;
            out.push(b);
            return out;
        }
        let item_depth = match kind {
            BlockKind::ListItem(d) => d.saturating_add(1),
            _ => 0,
        };
        // Split at bullet lines; keep byte ranges so link coverage follows the text.
        let mut pieces: Vec<(BlockKind, String, usize)> = Vec::new();
        let mut offset = 0;
        for line in text.split('\n') {
            let range = offset..offset + line.len();
            offset += line.len() + 1;
            let lc = link_count(range);
            if let Some(rest) = strip_glyph_bullet(line) {
                pieces.push((BlockKind::ListItem(item_depth), rest.to_string(), lc));
            } else if let Some(last) = pieces.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
                last.2 += lc;
            } else {
                pieces.push((kind, line.trim().to_string(), lc));
            }
        }
        for (k, t, lc) in pieces {
            if t.trim().is_empty() {
                continue;
            }
            let mut b = Block::new(k, t);
            b.link_chars = lc;
            b.links = usize::from(lc > 0);
            b.chrome = chrome;
            b.button = button;
            out.push(b);
        }
        out
    }
}

/// Spells out the Latin typographic ligatures (ﬁ, ﬂ, ﬀ, …) that PDF
/// conversions leave behind, so "Eﬀective" matches "Effective".
pub(crate) fn expand_ligatures(s: &str) -> Cow<'_, str> {
    // U+FB00–FB06 start with the byte 0xEF in UTF-8: a memchr scan rules
    // out nearly every text before any decoding.
    if !s.as_bytes().contains(&0xEF) || !s.chars().any(|c| ('\u{FB00}'..='\u{FB06}').contains(&c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\u{FB00}' => out.push_str("ff"),
            '\u{FB01}' => out.push_str("fi"),
            '\u{FB02}' => out.push_str("fl"),
            '\u{FB03}' => out.push_str("ffi"),
            '\u{FB04}' => out.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => out.push_str("st"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Characters that carry no text: private-use icon glyphs, zero-width marks, soft hyphens.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{E000}'..='\u{F8FF}'
        | '\u{F0000}'..='\u{10FFFF}'
        | '\u{200B}'..='\u{200D}'
        | '\u{2060}'
        | '\u{FEFF}'
        | '\u{00AD}'
        | '\u{FFFC}')
}

/// Bullet glyphs that mark a list item in plain text (never ASCII `-`/`*`,
/// which Markdown already handles and which are ambiguous in running text).
pub(crate) const BULLET_GLYPHS: &[char] = &[
    '•', '●', '○', '◦', '▪', '▫', '■', '□', '‣', '⁃', '∙', '◆', '◇', '►', '▶', '➢', '➤', '✓', '✔',
    '·', '\u{F0B7}', '\u{F0A7}',
];

/// The text after a leading bullet glyph, if the line starts with one.
pub(crate) fn strip_glyph_bullet(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let first = t.chars().next()?;
    if !BULLET_GLYPHS.contains(&first) {
        return None;
    }
    let rest = t.get(first.len_utf8()..)?.trim();
    (!rest.is_empty()).then_some(rest)
}

/// Compiles one of this crate's constant patterns. Every pattern is exercised
/// by the unit tests, so a typo fails the test suite rather than a user.
#[allow(clippy::expect_used)]
pub(crate) fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("constant regex pattern compiles")
}

static MD_LINK: LazyLock<Regex> = LazyLock::new(|| re(r"!?\[([^\]\n]*)\]\([^)\n]*\)"));
static MD_EMPHASIS_RUN: LazyLock<Regex> = LazyLock::new(|| re(r"\*{2,}|_{2,}"));

/// Removes Markdown inline syntax that survived parsing (raw HTML embedded in
/// Markdown, plain text with stray markup): `[text](url)` → `text`, `**`, `__`.
pub(crate) fn strip_markdown_inline(s: &str) -> Cow<'_, str> {
    if !s.contains("](") && !s.contains("**") && !s.contains("__") {
        return Cow::Borrowed(s);
    }
    let s = MD_LINK.replace_all(s, |c: &regex::Captures<'_>| {
        if c.get(0).is_some_and(|m| m.as_str().starts_with('!')) {
            String::new()
        } else {
            c.get(1)
                .map_or_else(String::new, |m| m.as_str().to_string())
        }
    });
    Cow::Owned(MD_EMPHASIS_RUN.replace_all(&s, "").into_owned())
}

/// The final form of any text that leaves the crate: Markdown remnants removed,
/// invisible characters dropped, whitespace collapsed, NFC-normalised.
pub(crate) fn clean_text(s: &str) -> String {
    let s = strip_markdown_inline(s);
    // Block texts are collapsed already: such text in NFC is its own clean form.
    if is_collapsed(&s)
        && (s.is_ascii()
            || unicode_normalization::is_nfc_quick(s.chars())
                == unicode_normalization::IsNormalized::Yes)
    {
        return s.into_owned();
    }
    // Text that is already NFC (all ASCII, and nearly all real text) skips
    // the normaliser; the quick check passes over ASCII without lookups.
    if unicode_normalization::is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes {
        collapse_visible(s.chars(), s.len())
    } else {
        collapse_visible(s.nfc(), s.len())
    }
}

/// Text with single inner spaces, none at either end, and no other
/// whitespace, control or invisible character: text that
/// [`collapse_visible`] would return unchanged.
fn is_collapsed(s: &str) -> bool {
    let b = s.as_bytes();
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return false;
    }
    if s.is_ascii() {
        // The same test a byte at a time.
        return b.iter().all(|&c| c == b' ' || c.is_ascii_graphic())
            && memchr::memmem::find(b, b"  ").is_none();
    }
    let mut prev_space = false;
    for c in s.chars() {
        if c == ' ' {
            if prev_space {
                return false;
            }
            prev_space = true;
        } else if c.is_ascii_graphic()
            || !(c.is_ascii() || c.is_whitespace() || c.is_control() || is_invisible(c))
        {
            prev_space = false;
        } else {
            return false;
        }
    }
    true
}

/// Drops invisible characters and collapses whitespace and controls to
/// single spaces, trimmed at both ends.
fn collapse_visible(chars: impl Iterator<Item = char>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    let mut space = false;
    for c in chars {
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// Decodes HTML character references left in plain text (`&amp;`, `&#8217;`, `&nbsp;`, …).
pub(crate) fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(rest.get(..pos).unwrap_or_default());
        let tail = rest.get(pos..).unwrap_or_default();
        let end = tail
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';')
            .map(|(i, _)| i);
        let decoded = end.and_then(|e| tail.get(1..e)).and_then(entity);
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = tail.get(e + 1..).unwrap_or_default();
            }
            _ => {
                out.push('&');
                rest = tail.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "hellip" => '…',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "bull" => '•',
        "middot" => '·',
        "sect" => '§',
        "laquo" => '«',
        "raquo" => '»',
        _ => return None,
    })
}

/// Whether a character is a CJK ideograph, kana or hangul syllable.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}')
}

/// Approximate word count: whitespace-separated words with a letter or digit,
/// plus one word per two CJK characters (CJK text has no spaces).
pub(crate) fn word_count(s: &str) -> usize {
    if s.is_ascii() {
        return ascii_word_count(s.as_bytes());
    }
    // One pass over the characters: a word counts when it has a letter or
    // digit; a word with CJK characters counts them instead (one word per
    // two) and itself only when it also has an ASCII letter or digit.
    let (mut words, mut cjk) = (0usize, 0usize);
    let (mut in_word, mut alnum, mut ascii_alnum, mut word_cjk) = (false, false, false, false);
    for c in s.chars() {
        if c.is_whitespace() {
            if in_word {
                words += usize::from(if word_cjk { ascii_alnum } else { alnum });
            }
            (in_word, alnum, ascii_alnum, word_cjk) = (false, false, false, false);
            continue;
        }
        in_word = true;
        if c.is_ascii() {
            let a = c.is_ascii_alphanumeric();
            alnum |= a;
            ascii_alnum |= a;
        } else if is_cjk(c) {
            cjk += 1;
            word_cjk = true;
            alnum = true;
        } else {
            alnum |= c.is_alphanumeric();
        }
    }
    if in_word {
        words += usize::from(if word_cjk { ascii_alnum } else { alnum });
    }
    words + cjk.div_ceil(2)
}

/// [`word_count`] of ASCII text in one pass over the bytes (the common case;
/// `split_whitespace` and `chars` cost several times more).
fn ascii_word_count(b: &[u8]) -> usize {
    let (mut words, mut in_word, mut alnum) = (0, false, false);
    for &c in b {
        // char::is_whitespace on ASCII: \t \n \x0B \x0C \r and space.
        if matches!(c, b' ' | b'\t'..=b'\r') {
            words += usize::from(in_word && alnum);
            (in_word, alnum) = (false, false);
        } else {
            in_word = true;
            alnum |= c.is_ascii_alphanumeric();
        }
    }
    words + usize::from(in_word && alnum)
}

/// The last character that is not a closing quote, bracket or emphasis mark.
fn last_significant(s: &str) -> Option<char> {
    s.trim_end().chars().rev().find(|c| {
        !matches!(
            c,
            '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '）' | '」' | '』' | '*' | '_'
        )
    })
}

/// Ends like a finished sentence: `.`, `!`, `?` or their CJK forms.
pub(crate) fn ends_sentence(s: &str) -> bool {
    last_significant(s).is_some_and(|c| matches!(c, '.' | '!' | '?' | '。' | '！' | '？' | '…'))
}

/// Ends a sentence or a clause: also `;` and `:` (list lead-ins, list items).
pub(crate) fn ends_clause(s: &str) -> bool {
    ends_sentence(s) || last_significant(s).is_some_and(|c| matches!(c, ';' | ':' | '；' | '：'))
}

/// Contains punctuation that running text has (commas, full stops, CJK marks).
pub(crate) fn has_sentence_punct(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(
            c,
            '.' | ',' | ';' | ':' | '!' | '?' | '。' | '，' | '；' | '：' | '、'
        )
    })
}

/// A leading enumeration label such as "(a)", "b)", "(iv)" or "1.".
static ENUMERATION: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*(?:\([a-z0-9]{1,4}\)|[a-z0-9]{1,4}[.)])\s"));

/// Whether the text starts in the middle of a sentence: its first letter is a
/// lowercase Latin letter (skipping opening quotes and brackets), and the word
/// is not a camel-case name like "iPhone" or "eBay".
pub(crate) fn starts_mid_sentence(s: &str) -> bool {
    if ENUMERATION.is_match(s) {
        return false;
    }
    let mut chars = s.chars().skip_while(|c| !c.is_alphanumeric());
    match (chars.next(), chars.next()) {
        (Some(a), b) => a.is_lowercase() && a.is_alphabetic() && !b.is_some_and(char::is_uppercase),
        _ => false,
    }
}

/// A key for comparing short texts: lowercase, letters and digits only, single spaces.
pub(crate) fn match_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finish(parts: &[(&str, Style)], kind: BlockKind) -> Vec<Block> {
        let mut i = Inline::default();
        for (t, s) in parts {
            i.push(t, *s);
        }
        i.finish(kind, false)
    }

    #[test]
    fn inline_collapses_whitespace_and_counts_links() {
        let link = Style {
            link: true,
            strong: false,
        };
        let b = finish(
            &[
                ("  See   our ", Style::default()),
                ("Privacy Policy", link),
                (" .", Style::default()),
            ],
            BlockKind::Paragraph,
        );
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].text, "See our Privacy Policy .");
        assert_eq!(b[0].link_chars, 13);
    }

    #[test]
    fn inline_detects_bold_only_blocks() {
        let strong = Style {
            link: false,
            strong: true,
        };
        let b = finish(
            &[("Information You Give Us", strong), (":", Style::default())],
            BlockKind::Paragraph,
        );
        assert!(b[0].strong_only);
        let b = finish(
            &[("Amazon", strong), (": We work closely", Style::default())],
            BlockKind::Paragraph,
        );
        assert!(!b[0].strong_only);
    }

    #[test]
    fn inline_splits_bullet_lines() {
        let mut i = Inline::default();
        i.push("Prohibited uses include:", Style::default());
        i.line_break();
        i.push("• spam;", Style::default());
        i.line_break();
        i.push("• fraud, including", Style::default());
        i.line_break();
        i.push("phishing.", Style::default());
        let b = i.finish(BlockKind::Paragraph, false);
        let got: Vec<_> = b.iter().map(|b| (b.kind, b.text.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (BlockKind::Paragraph, "Prohibited uses include:"),
                (BlockKind::ListItem(0), "spam;"),
                (BlockKind::ListItem(0), "fraud, including phishing."),
            ]
        );
    }

    #[test]
    fn cleans_markup_remnants() {
        assert_eq!(
            clean_text("**Unauthorized Access.** Accessing  [a System](#x)\u{200b}"),
            "Unauthorized Access. Accessing a System"
        );
        assert_eq!(clean_text("![logo](x.png) Terms"), "Terms");
        assert_eq!(expand_ligatures("Eﬀective ﬁnal"), "Effective final");
    }

    #[test]
    fn long_headings_are_paragraphs() {
        let long = "Midjourney is an open community. To keep it welcoming to everyone, content must be safe for work and respectful.";
        let mut b = vec![
            Block::new(BlockKind::Heading(3), long),
            Block::new(BlockKind::Heading(2), "Terms of service."),
        ];
        demote_long_headings(&mut b);
        assert_eq!(b[0].kind, BlockKind::Paragraph);
        assert_eq!(b[1].kind, BlockKind::Heading(2));
    }

    #[test]
    fn decodes_entities() {
        assert_eq!(
            decode_entities("AWS &amp; Cloud &#8217;s &#x41; &bogus; a & b"),
            "AWS & Cloud ’s A &bogus; a & b"
        );
    }

    #[test]
    fn sentence_measures() {
        assert!(ends_sentence("the end.”"));
        assert!(ends_clause("include:"));
        assert!(!ends_clause("No Network Abuse"));
        assert!(starts_mid_sentence("\"spam\"), including"));
        assert!(starts_mid_sentence("pornography, relates"));
        assert!(!starts_mid_sentence("iPhone users"));
        assert!(!starts_mid_sentence("We may"));
        assert!(!starts_mid_sentence("(a) use the products"));
        assert!(!starts_mid_sentence("ii) any other use"));
        assert_eq!(word_count("我们收集信息 and more"), 5);
        // The ASCII fast path agrees with the general one.
        for t in [
            "",
            "  ",
            "a b\tc\nd",
            "-- x --",
            "1. (a) foo,bar \x0b baz\x0c",
            "¶ a",
            "“quoted” — text’s «fine» ¶ é",
        ] {
            let general = t
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count();
            assert_eq!(word_count(t), general, "{t:?}");
        }
        assert_eq!(match_key("What About Cookies?"), "what about cookies");
    }
}
