//! Plain text → blocks, by line shape. Handles text scraped from web pages
//! (one paragraph per line) and from PDFs (hard-wrapped lines, form feeds,
//! running headers and "Page 3 of 7" footers).
//!
//! * List items: bullet glyphs (`•`, `▪`, …), `-`/`*`/`+`, numbered `1.`/`1)`/`(1)`,
//!   lettered `a.`/`(a)`, roman `(ii)`, and the CJK forms `（一）`/`1、`.
//! * Headings: a short line without terminal punctuation, in title case, ALL
//!   CAPS, numbered ("1. Introduction", "Section 2", "第一条", "一、…") or a
//!   short CJK line, followed by more text. The first such line of the
//!   document is the title (level 1); other heading styles get levels in the
//!   order they first appear. Runs of three or more heading-like lines are a
//!   menu or a table of contents, not headings.
//! * Hard-wrapped text (detected from line lengths) is re-joined into paragraphs.

use std::sync::LazyLock;

use regex::Regex;

use crate::blocks::{
    Block, BlockKind, clean_text, decode_entities, ends_clause, has_sentence_punct, is_cjk, re,
    strip_glyph_bullet, word_count,
};
use crate::boilerplate::{Unit, is_page_number, running_lines};
use crate::meta::date::is_date_line;

#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    text: &'a str,
    indent: usize,
    page_break: bool,
}

impl Line<'_> {
    fn blank(&self) -> bool {
        self.text.is_empty()
    }
}

/// The family a list marker belongs to (nesting follows marker families).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MarkerClass {
    Glyph(char),
    Dash(char),
    Num,
    ParenNum,
    Alpha,
    ParenAlpha,
    UpperAlpha,
    Roman,
    ParenRoman,
    UpperRoman,
    CjkParen,
    CjkNum,
}

/// A list marker and the text after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Marker<'a> {
    pub(crate) class: MarkerClass,
    pub(crate) rest: &'a str,
}

static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"^(?:\((?P<pr>[ivx]{2,5})\)\s*|(?P<r>[ivx]{2,5})[.)]\s+|(?P<ur>[IVX]{2,5})[.)]\s+",
        r"|\((?P<pn>\d{1,3})\)\s*|(?P<n>\d{1,3})[.)]\s+|\((?P<pa>[a-z])\)\s*|(?P<a>[a-z])[.)]\s+",
        r"|(?P<ua>[A-Z])[.)]\s+|（(?P<cp>[0-9一二三四五六七八九十]{1,3})）\s*|(?P<cn>\d{1,3})、\s*",
        r"|(?P<d>[-*+–—])\s+)(?P<rest>\S.*)$"
    ))
});
static MULTI_NUM: LazyLock<Regex> = LazyLock::new(|| re(r"^(\d{1,3}(?:\.\d{1,3})+)\.?\s+(\S.*)$"));
static SECTION_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^(?:section|article|part|chapter|clause|schedule|annex|appendix|exhibit)\s+(?:\d{1,3}|[ivxlc]{1,6}|[a-z])\b\.?\s*(?:[:.–—\-]\s*)?(.*)$",
    )
});
static CJK_CHAPTER: LazyLock<Regex> =
    LazyLock::new(|| re(r"^第\s*[一二三四五六七八九十百零〇两\d]+\s*[章节条部篇]"));
static CJK_ENUM: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[一二三四五六七八九十]{1,3}\s*[、．.]\s*(\S.*)$"));
/// A sentence ending inside a line: a word of two or more letters, then
/// `.`, `!` or `?`, a space and more text ("CAREFULLY. IT"; not "U.S. law"
/// or "No. 5").
static INNER_SENTENCE_END: LazyLock<Regex> = LazyLock::new(|| re(r"\p{L}{3,}[.!?]\s+\S"));
static URL_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^(?:https?://|www\.)\S+$"));

/// The list marker at the start of a line, if any.
pub(crate) fn list_marker(line: &str) -> Option<Marker<'_>> {
    let t = line.trim_start();
    if let Some(rest) = strip_glyph_bullet(t) {
        let glyph = t.chars().next().unwrap_or('•');
        return Some(Marker {
            class: MarkerClass::Glyph(glyph),
            rest,
        });
    }
    let c = MARKER.captures(t)?;
    let rest = c.name("rest")?.as_str().trim();
    let class = if c.name("pr").is_some() {
        MarkerClass::ParenRoman
    } else if c.name("r").is_some() {
        MarkerClass::Roman
    } else if c.name("ur").is_some() {
        MarkerClass::UpperRoman
    } else if c.name("pn").is_some() {
        MarkerClass::ParenNum
    } else if c.name("n").is_some() {
        MarkerClass::Num
    } else if c.name("pa").is_some() {
        MarkerClass::ParenAlpha
    } else if c.name("a").is_some() {
        MarkerClass::Alpha
    } else if c.name("ua").is_some() {
        MarkerClass::UpperAlpha
    } else if c.name("cp").is_some() {
        MarkerClass::CjkParen
    } else if c.name("cn").is_some() {
        MarkerClass::CjkNum
    } else {
        MarkerClass::Dash(
            c.name("d")
                .and_then(|m| m.as_str().chars().next())
                .unwrap_or('-'),
        )
    };
    Some(Marker { class, rest })
}

/// The visual style of a heading line; levels are assigned per style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeadingStyle {
    AllCaps,
    TitleCase,
    Cjk,
    CjkChapter,
    CjkEnum,
    CjkParen,
    /// Numbered ("1.", "2.3", "Section 4"), with the numbering depth.
    Numbered(u8),
}

impl HeadingStyle {
    fn family(self) -> HeadingStyle {
        match self {
            HeadingStyle::Numbered(_) => HeadingStyle::Numbered(1),
            s => s,
        }
    }
}

#[rustfmt::skip]
const SMALL_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "nor", "but", "of", "in", "on", "at", "to", "for", "by", "with",
    "from", "as", "per", "via", "vs", "into", "onto", "over", "under", "upon", "than", "this",
    "that", "these", "those", "our", "your", "its", "their", "is", "are", "be", "we", "you", "not",
    "do", "if", "about", "&", "de", "la", "le", "les", "des", "du", "et", "und", "der", "die",
    "das", "y", "en", "el",
];

/// Title Case: the first word and at least three quarters of the other
/// significant words start with a capital (small words may stay lowercase).
pub(crate) fn is_title_case(s: &str) -> bool {
    let words: Vec<&str> = s
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
        .collect();
    let Some(first) = words.first() else {
        return false;
    };
    if !first.chars().next().is_some_and(char::is_uppercase) {
        return false;
    }
    let significant: Vec<&&str> = words
        .iter()
        .skip(1)
        .filter(|w| !SMALL_WORDS.contains(&w.to_lowercase().as_str()))
        .collect();
    let upper = significant
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    upper * 4 >= significant.len() * 3
}

/// ALL CAPS: at least three letters and no lowercase letter.
pub(crate) fn is_all_caps(s: &str) -> bool {
    let letters = s
        .chars()
        .filter(|c| c.is_alphabetic() && !is_cjk(*c))
        .count();
    letters >= 3 && !s.chars().any(char::is_lowercase)
}

fn cjk_count(s: &str) -> usize {
    s.chars().filter(|c| is_cjk(*c)).count()
}

fn heading_words(rest: &str) -> bool {
    let rest = rest.trim();
    !rest.is_empty()
        && word_count(rest) <= 14
        && (is_title_case(rest)
            || is_all_caps(rest)
            || (cjk_count(rest) >= 2 && rest.chars().count() <= 30))
}

/// The heading style of a line, judged from the line alone.
pub(crate) fn heading_style(text: &str) -> Option<HeadingStyle> {
    let t = text.trim();
    let n = t.chars().count();
    if n == 0 || n > 120 {
        return None;
    }
    if t.chars()
        .next_back()
        .is_some_and(|c| ".,;:!。，；：！、".contains(c))
    {
        return None;
    }
    if !t.chars().any(char::is_alphabetic)
        || is_date_line(t)
        || is_page_number(t)
        || URL_LINE.is_match(t)
    {
        return None;
    }
    if let Some(c) = MULTI_NUM.captures(t) {
        let depth = c.get(1).map_or(1, |m| m.as_str().split('.').count());
        let rest = c.get(2).map_or("", |m| m.as_str());
        return heading_words(rest)
            .then_some(HeadingStyle::Numbered(u8::try_from(depth).unwrap_or(6)));
    }
    if let Some(c) = SECTION_WORD.captures(t) {
        let rest = c.get(1).map_or("", |m| m.as_str());
        return (rest.is_empty() || heading_words(rest)).then_some(HeadingStyle::Numbered(1));
    }
    if CJK_CHAPTER.is_match(t) {
        return (n <= 40).then_some(HeadingStyle::CjkChapter);
    }
    if let Some(c) = CJK_ENUM.captures(t) {
        let rest = c.get(1).map_or("", |m| m.as_str());
        return (rest.chars().count() <= 40).then_some(HeadingStyle::CjkEnum);
    }
    if let Some(m) = list_marker(t) {
        return match m.class {
            MarkerClass::Num
            | MarkerClass::UpperAlpha
            | MarkerClass::UpperRoman
            | MarkerClass::CjkNum => heading_words(m.rest).then_some(HeadingStyle::Numbered(1)),
            MarkerClass::CjkParen => heading_words(m.rest).then_some(HeadingStyle::CjkParen),
            _ => None,
        };
    }
    if cjk_count(t) > 0 {
        return (cjk_count(t) >= 2 && n <= 30).then_some(HeadingStyle::Cjk);
    }
    if INNER_SENTENCE_END.is_match(t) {
        // "PLEASE READ THIS CAREFULLY. IT AFFECTS YOUR RIGHTS": a sentence
        // ends inside the line, so it is running text, however it is cased.
        return None;
    }
    if word_count(t) <= 12 && is_all_caps(t) {
        return Some(HeadingStyle::AllCaps);
    }
    if word_count(t) <= 14 && is_title_case(t) {
        return Some(HeadingStyle::TitleCase);
    }
    None
}

/// Whether the first line of a document can be its title: heading-like, or a
/// short sentence-case line without terminal punctuation.
fn title_shape(t: &str) -> bool {
    if heading_style(t).is_some() {
        return true;
    }
    let first_upper = t
        .chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(|c| c.is_uppercase() || is_cjk(c));
    first_upper
        && t.chars().count() <= 120
        && word_count(t) <= 14
        && !t
            .chars()
            .next_back()
            .is_some_and(|c| ".,;:!。，；：！、".contains(c))
        && !is_date_line(t)
        && !is_page_number(t)
        && !URL_LINE.is_match(t)
        && list_marker(t).is_none()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class<'a> {
    Blank,
    Title,
    Heading(HeadingStyle),
    Item(Marker<'a>),
    Text,
}

/// Parses plain text into blocks.
pub(crate) fn parse(src: &str) -> Vec<Block> {
    let mut lines = split_lines(src);
    drop_furniture(&mut lines);
    let wrap = wrap_width(&lines);
    let classes = classify(&lines, wrap);
    assemble(&lines, &classes, wrap)
}

fn split_lines(src: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    for raw in src.split('\n') {
        for (k, part) in raw.split('\u{c}').enumerate() {
            if k > 0 {
                out.push(Line {
                    text: "",
                    indent: 0,
                    page_break: true,
                });
            }
            let indent = part
                .chars()
                .take_while(|c| c.is_whitespace())
                .map(|c| if c == '\t' { 4 } else { 1 })
                .sum();
            out.push(Line {
                text: part.trim(),
                indent,
                page_break: false,
            });
        }
    }
    out
}

/// Blanks out page numbers and running headers/footers.
fn drop_furniture(lines: &mut [Line<'_>]) {
    let mut units = Vec::new();
    let mut index = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.page_break {
            units.push(Unit {
                text: "",
                heading: false,
                page_mark: true,
            });
            index.push(i);
        } else if !l.blank() {
            units.push(Unit {
                text: l.text,
                heading: false,
                page_mark: is_page_number(l.text),
            });
            index.push(i);
        }
    }
    for (u, drop) in running_lines(&units).into_iter().enumerate() {
        if drop && let Some(line) = index.get(u).and_then(|&i| lines.get_mut(i)) {
            line.text = "";
        }
    }
}

/// The wrap width if the text is hard-wrapped (most lines end near one width
/// and many stop mid-sentence), else `None` (one paragraph per line).
fn wrap_width(lines: &[Line<'_>]) -> Option<usize> {
    let mut lens: Vec<usize> = lines
        .iter()
        .filter(|l| !l.blank())
        .map(|l| l.text.chars().count())
        .collect();
    if lens.len() < 6 {
        return None;
    }
    lens.sort_unstable();
    let p90 = *lens.get(lens.len() * 9 / 10).or(lens.last())?;
    if !(40..=130).contains(&p90) {
        return None;
    }
    let long_min = p90 * 7 / 10;
    let long = lens.iter().filter(|&&l| l >= long_min).count();
    let mut continued = 0;
    for pair in lines.windows(2) {
        if let [a, b] = pair
            && !a.blank()
            && !b.blank()
            && a.text.chars().count() >= long_min
            && !ends_clause(a.text)
            && list_marker(b.text).is_none()
        {
            continued += 1;
        }
    }
    (long * 10 >= lens.len() * 4 && continued * 100 >= lens.len() * 15).then_some(p90)
}

fn classify<'a>(lines: &[Line<'a>], wrap: Option<usize>) -> Vec<Class<'a>> {
    let n = lines.len();
    let next_text = |i: usize| (i + 1..n).find(|&j| lines.get(j).is_some_and(|l| !l.blank()));
    let prev_text = |i: usize| {
        (0..i)
            .rev()
            .find(|&j| lines.get(j).is_some_and(|l| !l.blank()))
    };
    let first = (0..n).find(|&j| lines.get(j).is_some_and(|l| !l.blank()));
    let marker_class = |j: Option<usize>| {
        j.and_then(|j| lines.get(j))
            .and_then(|l| list_marker(l.text))
            .map(|m| m.class)
    };
    let mut classes: Vec<Class<'a>> = Vec::with_capacity(n);
    for (i, line) in lines.iter().enumerate() {
        if line.blank() {
            classes.push(Class::Blank);
            continue;
        }
        let t = line.text;
        let next = next_text(i);
        let prev = prev_text(i);
        let marker = list_marker(t);
        if Some(i) == first && marker.is_none() && next.is_some() && title_shape(t) {
            classes.push(Class::Title);
            continue;
        }
        let style = heading_style(t).filter(|_| next.is_some());
        let style = style.filter(|s| {
            let Some(m) = marker else { return true };
            // "1. Email Address" between "…" and "2. Phone Number" is a list item.
            !matches!(s, HeadingStyle::Numbered(_) | HeadingStyle::CjkParen)
                || (marker_class(prev) != Some(m.class) && marker_class(next) != Some(m.class))
        });
        // In hard-wrapped text a long line that runs straight on into the
        // next one (no blank line, no list item, no clause end) is the first
        // line of a paragraph, not a heading.
        let runs_on = |w: usize| {
            t.chars().count() >= w * 7 / 10
                && !ends_clause(t)
                && lines.get(i + 1).is_some_and(|l| {
                    !l.blank() && list_marker(l.text).is_none() && heading_style(l.text).is_none()
                })
        };
        let style = style.filter(|_| !wrap.is_some_and(runs_on));
        let style = style.filter(|_| match wrap {
            None => true,
            Some(_) => match prev {
                None => true,
                Some(p) => {
                    p + 1 < i
                        || lines.get(p).is_some_and(|l| ends_clause(l.text))
                        || matches!(classes.get(p), Some(Class::Heading(_) | Class::Title))
                }
            },
        });
        classes.push(match (style, marker) {
            (Some(s), _) => Class::Heading(s),
            (None, Some(m)) if m.class != MarkerClass::Dash('—') || has_sentence_punct(m.rest) => {
                Class::Item(m)
            }
            _ => Class::Text,
        });
    }
    demote_heading_runs(&mut classes);
    classes
}

/// Three or more heading-like lines in a row (the title included) are a menu
/// or a contents list. A run with a single numbered heading is not: that
/// heading (and the title) stay, the other lines are text — "13. CONTACT
/// US" above an address block, a title block above "1. SCOPE".
fn demote_heading_runs(classes: &mut [Class<'_>]) {
    let mut run: Vec<usize> = Vec::new();
    let numbered =
        |c: Option<&Class<'_>>| matches!(c, Some(Class::Heading(HeadingStyle::Numbered(_))));
    let flush = |run: &mut Vec<usize>, classes: &mut [Class<'_>]| {
        if run.len() >= 3 {
            let lone = run.iter().filter(|&&j| numbered(classes.get(j))).count() == 1;
            for &j in run.iter() {
                let c = classes.get(j);
                if lone && (numbered(c) || matches!(c, Some(Class::Title))) {
                    continue;
                }
                if let Some(c) = classes.get_mut(j) {
                    *c = Class::Text;
                }
            }
        }
        run.clear();
    };
    for i in 0..classes.len() {
        match classes.get(i) {
            Some(Class::Heading(_) | Class::Title) => run.push(i),
            Some(Class::Blank) => {}
            _ => flush(&mut run, classes),
        }
    }
    flush(&mut run, classes);
}

struct Current {
    kind: BlockKind,
    text: String,
    indent: usize,
    last_len: usize,
    last_ends: bool,
}

fn assemble(lines: &[Line<'_>], classes: &[Class<'_>], wrap: Option<usize>) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut styles: Vec<HeadingStyle> = Vec::new();
    let mut stack: Vec<(MarkerClass, usize)> = Vec::new();
    let mut cur: Option<Current> = None;
    let flush = |cur: &mut Option<Current>, blocks: &mut Vec<Block>| {
        if let Some(c) = cur.take() {
            let text = clean_text(&c.text);
            if !text.is_empty() {
                blocks.push(Block::new(c.kind, text));
            }
        }
    };
    for (line, class) in lines.iter().zip(classes) {
        let text = decode_entities(line.text);
        match class {
            Class::Blank => flush(&mut cur, &mut blocks),
            Class::Title => {
                flush(&mut cur, &mut blocks);
                blocks.push(Block::new(BlockKind::Heading(1), clean_text(&text)));
            }
            Class::Heading(style) => {
                flush(&mut cur, &mut blocks);
                stack.clear();
                let family = style.family();
                let pos = styles.iter().position(|s| *s == family).unwrap_or_else(|| {
                    styles.push(family);
                    styles.len() - 1
                });
                let extra = match style {
                    HeadingStyle::Numbered(d) => usize::from(*d).saturating_sub(1),
                    _ => 0,
                };
                let level = u8::try_from((2 + pos + extra).min(6)).unwrap_or(6);
                blocks.push(Block::new(BlockKind::Heading(level), clean_text(&text)));
            }
            Class::Item(m) => {
                flush(&mut cur, &mut blocks);
                let depth = item_depth(&mut stack, m.class, line.indent);
                let rest = decode_entities(m.rest);
                cur = Some(Current {
                    kind: BlockKind::ListItem(depth),
                    last_len: line.text.chars().count(),
                    last_ends: ends_clause(&rest),
                    text: rest.into_owned(),
                    indent: line.indent,
                });
            }
            Class::Text => {
                let len = line.text.chars().count();
                let join = match (&cur, wrap) {
                    (Some(c), Some(width)) => !(c.last_ends && c.last_len * 10 < width * 8),
                    (Some(c), None) => {
                        matches!(c.kind, BlockKind::ListItem(_)) && line.indent > c.indent
                    }
                    (None, _) => false,
                };
                match cur.as_mut() {
                    Some(c) if join => {
                        c.text.push(' ');
                        c.text.push_str(&text);
                        c.last_len = len;
                        c.last_ends = ends_clause(&text);
                    }
                    _ => {
                        flush(&mut cur, &mut blocks);
                        stack.clear();
                        cur = Some(Current {
                            kind: BlockKind::Paragraph,
                            last_len: len,
                            last_ends: ends_clause(&text),
                            text: text.into_owned(),
                            indent: line.indent,
                        });
                    }
                }
            }
        }
    }
    flush(&mut cur, &mut blocks);
    blocks
}

/// Nesting depth of a list item: deeper indentation or a new marker family
/// nests; returning to an open family closes the lists inside it.
fn item_depth(stack: &mut Vec<(MarkerClass, usize)>, class: MarkerClass, indent: usize) -> u8 {
    while stack.last().is_some_and(|(_, ind)| *ind > indent) {
        stack.pop();
    }
    if let Some(pos) = stack.iter().position(|(c, _)| *c == class) {
        stack.truncate(pos + 1);
        return u8::try_from(pos).unwrap_or(u8::MAX);
    }
    stack.push((class, indent));
    u8::try_from(stack.len() - 1).unwrap_or(u8::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(BlockKind, String)> {
        parse(src).into_iter().map(|b| (b.kind, b.text)).collect()
    }

    #[test]
    fn recognises_list_markers() {
        fn class(s: &str) -> Option<(MarkerClass, &str)> {
            list_marker(s).map(|m| (m.class, m.rest))
        }
        assert_eq!(
            class("• for any illegal activity;"),
            Some((MarkerClass::Glyph('•'), "for any illegal activity;"))
        );
        assert_eq!(class("  - item"), Some((MarkerClass::Dash('-'), "item")));
        assert_eq!(class("1. First"), Some((MarkerClass::Num, "First")));
        assert_eq!(class("2) Second"), Some((MarkerClass::Num, "Second")));
        assert_eq!(
            class("(a) lettered"),
            Some((MarkerClass::ParenAlpha, "lettered"))
        );
        assert_eq!(class("b. lettered"), Some((MarkerClass::Alpha, "lettered")));
        assert_eq!(
            class("(iv) roman"),
            Some((MarkerClass::ParenRoman, "roman"))
        );
        assert_eq!(
            class("（一）收集信息"),
            Some((MarkerClass::CjkParen, "收集信息"))
        );
        assert_eq!(class("e.g. not a list"), None);
        assert_eq!(class("2016 was a year"), None);
    }

    #[test]
    fn judges_heading_shapes() {
        assert_eq!(
            heading_style("No Illegal, Harmful, or Offensive Use or Content"),
            Some(HeadingStyle::TitleCase)
        );
        assert_eq!(
            heading_style("Reporting of Violations of this Policy"),
            Some(HeadingStyle::TitleCase)
        );
        assert_eq!(heading_style("GENERAL TERMS"), Some(HeadingStyle::AllCaps));
        assert_eq!(
            heading_style("2.1 Scope of Service"),
            Some(HeadingStyle::Numbered(2))
        );
        assert_eq!(
            heading_style("Section 4 – Termination"),
            Some(HeadingStyle::Numbered(1))
        );
        assert_eq!(
            heading_style("一、我们如何收集信息"),
            Some(HeadingStyle::CjkEnum)
        );
        assert_eq!(
            heading_style("第三条 用户义务"),
            Some(HeadingStyle::CjkChapter)
        );
        assert_eq!(heading_style("How other platforms handle this"), None);
        assert_eq!(heading_style("Prohibited activities include:"), None);
        assert_eq!(heading_style("Last Updated: June 18, 2021"), None);
        assert_eq!(heading_style("Page 3 of 7"), None);
        assert_eq!(heading_style("我们会收集您的信息。"), None);
    }

    #[test]
    fn one_paragraph_per_line_with_title_headings_and_items() {
        let got = kinds(
            "Acceptable Use Policy\nLast Updated: June 18, 2021\nYou may not:\n• spam people;\n• attack networks.\nNo Network Abuse\nDo not flood hosts, ever.\n",
        );
        assert_eq!(
            got,
            vec![
                (BlockKind::Heading(1), "Acceptable Use Policy".into()),
                (BlockKind::Paragraph, "Last Updated: June 18, 2021".into()),
                (BlockKind::Paragraph, "You may not:".into()),
                (BlockKind::ListItem(0), "spam people;".into()),
                (BlockKind::ListItem(0), "attack networks.".into()),
                (BlockKind::Heading(2), "No Network Abuse".into()),
                (BlockKind::Paragraph, "Do not flood hosts, ever.".into()),
            ]
        );
    }

    #[test]
    fn nests_lists_by_indent_and_family() {
        let got =
            kinds("Intro text here:\n1. first:\n   (a) sub one;\n   (b) sub two;\n2. second.\n");
        let depths: Vec<_> = got.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            depths,
            vec![
                BlockKind::Paragraph,
                BlockKind::ListItem(0),
                BlockKind::ListItem(1),
                BlockKind::ListItem(1),
                BlockKind::ListItem(0)
            ]
        );
    }

    #[test]
    fn numbered_siblings_are_items_not_headings() {
        let got = kinds(
            "We collect:\n1. Email Address\n2. Phone Number\n3. Postal Address\nThat is all.",
        );
        assert!(
            got.iter().all(|(k, _)| !matches!(k, BlockKind::Heading(_))),
            "{got:?}"
        );
    }

    #[test]
    fn rejoins_hard_wrapped_paragraphs() {
        let src = "Terms of Service\n\n\
            1. Introduction\n\n\
            These terms govern your use of the services that we provide to you and\n\
            to everyone else who uses them.\n\
            We may change these terms from time to time by posting a new version of\n\
            them on our website, and the new version applies from the date posted.\n\n\
            2. Your Account\n\n\
            You are responsible for everything that happens under your account and\n\
            for keeping your password secret from other people at all times, too.\n";
        let got = kinds(src);
        let texts: Vec<_> = got.iter().map(|(k, t)| (*k, t.len())).collect();
        assert_eq!(got.len(), 6, "{got:?}");
        assert_eq!(got[1], (BlockKind::Heading(2), "1. Introduction".into()));
        assert!(
            got[2].1.starts_with("These terms") && got[2].1.ends_with("who uses them."),
            "{texts:?}"
        );
        assert!(got[3].1.starts_with("We may change"));
    }

    #[test]
    fn runs_of_heading_lines_are_menus() {
        let got =
            kinds("Home\nProducts\nPricing\nContact\nWe sell widgets to people, and we like it.");
        assert!(
            got.iter().all(|(k, _)| !matches!(k, BlockKind::Heading(_))),
            "{got:?}"
        );
    }
}
