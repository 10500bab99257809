//! Page spans → blocks, from geometry and fonts alone (no PDF library
//! types here, so every rule is unit-tested on hand-made spans).
//!
//! 1. Spans (in the reading order the PDF library gives) become lines: a
//!    span whose baseline is within half a font size of the previous one
//!    continues the line.
//! 2. Running headers and footers go: a line among the top or bottom three
//!    of a page whose text (digits ignored), position and size repeat on
//!    most pages, and page numbers ("3", "Page 3 of 7", "第 3 页") in those
//!    places. Position and size are part of the match, so a title on page
//!    one that reads like the running header stays.
//! 3. The body size is the most common font size (by characters). Larger
//!    short lines are headings, one level per distinct size; a short bold
//!    line at body size standing alone is a heading one level below.
//! 4. Lines join into paragraphs until a vertical gap wider than the usual
//!    line pitch, a change of font, a list marker, a short line ending a
//!    sentence, or a page break after a finished sentence. Joining removes
//!    end-of-line hyphenation ("infra-" + "structure") and puts no space
//!    between CJK characters.

use std::collections::HashMap;

use crate::blocks::{Block, BlockKind, clean_text, is_invisible, word_count};
use crate::boilerplate::is_page_number;
use crate::text::list_marker;

/// One run of text as the PDF library reports it. Coordinates are PDF
/// points with `y` growing upwards (bottom of the page is 0).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Span {
    /// The text.
    pub(crate) text: String,
    /// Left edge.
    pub(crate) x: f32,
    /// Bottom edge (close to the baseline).
    pub(crate) y: f32,
    /// Width.
    pub(crate) width: f32,
    /// Height.
    pub(crate) height: f32,
    /// Font size in points.
    pub(crate) size: f32,
    /// Set in a bold face.
    pub(crate) bold: bool,
}

/// One visual line of a page.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    page: usize,
    x0: f32,
    x1: f32,
    y: f32,
    /// Font size carrying most characters, rounded to a half point.
    size: f32,
    /// Every letter of the line is bold.
    bold: bool,
}

/// Lines from the top or bottom of a page that may be running furniture.
const EDGE_LINES: usize = 3;
/// Longest heading, in words.
const MAX_HEADING_WORDS: usize = 20;
/// Longest bold-only line taken as a heading, in words.
const MAX_BOLD_HEADING_WORDS: usize = 12;

/// Turns the spans of every page into blocks.
pub(crate) fn blocks(pages: &[Vec<Span>]) -> Vec<Block> {
    let mut lines: Vec<Line> = Vec::new();
    for (page, spans) in pages.iter().enumerate() {
        lines.extend(page_lines(page, spans));
    }
    drop_furniture(&mut lines, pages.len());
    assemble(&lines)
}

fn round_half(v: f32) -> f32 {
    (v * 2.0).round() / 2.0
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF00}'..='\u{FFEF}'
        | '\u{20000}'..='\u{2FA1F}')
}

/// Groups one page's spans into lines.
fn page_lines(page: usize, spans: &[Span]) -> Vec<Line> {
    struct Acc {
        line: Line,
        /// Characters per font size (size × 2 as key) and bold letters.
        sizes: Vec<(i32, usize)>,
        letters: usize,
        bold_letters: usize,
        last_x1: f32,
        last_size: f32,
    }
    fn finish(acc: Acc, out: &mut Vec<Line>) {
        let mut line = acc.line;
        line.text = line.text.trim().to_string();
        if line.text.is_empty() {
            return;
        }
        let best = acc
            .sizes
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map_or(0, |s| s.0);
        line.size = best as f32 / 2.0;
        line.bold = acc.letters > 0 && acc.bold_letters == acc.letters;
        out.push(line);
    }
    let mut out = Vec::new();
    let mut acc: Option<Acc> = None;
    for s in spans {
        if !s.x.is_finite() || !s.y.is_finite() || !s.size.is_finite() || !s.width.is_finite() {
            continue;
        }
        // A lone undecodable glyph (a control code, a private-use symbol-font
        // code) is almost always a bullet: WinAnsi maps its unused codes to
        // "•", and Symbol/Wingdings bullets decode to private-use characters.
        let mut glyphs = s.text.trim().chars();
        let lone = match (glyphs.next(), glyphs.next()) {
            (Some(c), None) => {
                (c.is_control() && !c.is_whitespace()) || is_invisible(c) || c == '\u{FFFD}'
            }
            _ => false,
        };
        let source = if lone { "•" } else { s.text.as_str() };
        let text: String = source
            .chars()
            .filter(|c| !is_invisible(*c) || *c == '\u{00AD}')
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if text.trim().is_empty() {
            if let Some(a) = acc.as_mut() {
                a.line.text.push(' ');
            }
            continue;
        }
        let size = if s.size > 0.0 { s.size } else { s.height.abs() };
        let size = size.clamp(1.0, 500.0);
        let same_line = acc.as_ref().is_some_and(|a| {
            (a.line.y - s.y).abs() <= 0.5 * size.min(a.last_size)
                && s.x + 0.5 >= a.last_x1 - 2.0 * size
        });
        if !same_line && let Some(a) = acc.take() {
            finish(a, &mut out);
        }
        let a = acc.get_or_insert_with(|| Acc {
            line: Line {
                text: String::new(),
                page,
                x0: s.x,
                x1: s.x,
                y: s.y,
                size: 0.0,
                bold: false,
            },
            sizes: Vec::new(),
            letters: 0,
            bold_letters: 0,
            last_x1: s.x,
            last_size: size,
        });
        if !a.line.text.is_empty() {
            let gap = s.x - a.last_x1;
            let prev = a.line.text.chars().last().unwrap_or(' ');
            let next = text.chars().next().unwrap_or(' ');
            let needs_space = gap > 0.2 * size.min(a.last_size)
                || (gap > 0.05 * size && !(is_cjk(prev) && is_cjk(next)));
            if needs_space && !prev.is_whitespace() && !next.is_whitespace() {
                a.line.text.push(' ');
            }
        }
        a.line.text.push_str(&text);
        a.line.x0 = a.line.x0.min(s.x);
        a.line.x1 = a.line.x1.max(s.x + s.width.max(0.0));
        a.last_x1 = s.x + s.width.max(0.0);
        a.last_size = size;
        let key = (round_half(size) * 2.0) as i32;
        let n = text.chars().filter(|c| !c.is_whitespace()).count();
        match a.sizes.iter_mut().find(|e| e.0 == key) {
            Some(e) => e.1 += n,
            None => a.sizes.push((key, n)),
        }
        let letters = text.chars().filter(|c| c.is_alphanumeric()).count();
        a.letters += letters;
        if s.bold {
            a.bold_letters += letters;
        }
    }
    if let Some(a) = acc {
        finish(a, &mut out);
    }
    out
}

/// The text of a line with digits folded, for spotting "Page 3 of 7" on every page.
fn furniture_key(t: &str) -> String {
    let mut out = String::new();
    let mut digit = false;
    for c in t.chars() {
        if c.is_ascii_digit() {
            if !digit {
                out.push('#');
            }
            digit = true;
            continue;
        }
        digit = false;
        if !c.is_whitespace() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Removes running headers, footers and page numbers.
fn drop_furniture(lines: &mut Vec<Line>, pages: usize) {
    // Indices of the edge lines of each page, top and bottom by position.
    let mut edge: Vec<bool> = vec![false; lines.len()];
    let mut by_page: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, l) in lines.iter().enumerate() {
        by_page.entry(l.page).or_default().push(i);
    }
    for idx in by_page.values_mut() {
        idx.sort_by(|a, b| lines[*b].y.total_cmp(&lines[*a].y));
        for (rank, i) in idx.iter().enumerate() {
            if rank < EDGE_LINES || rank + EDGE_LINES >= idx.len() {
                edge[*i] = true;
            }
        }
    }
    // Repeated edge lines: same folded text, same place (±4 pt), same size.
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, l) in lines.iter().enumerate() {
        if edge[i] {
            groups.entry(furniture_key(&l.text)).or_default().push(i);
        }
    }
    let needed = (pages.div_ceil(2)).max(2);
    let mut drop = vec![false; lines.len()];
    for members in groups.values() {
        for &i in members {
            let li = &lines[i];
            let mut on_pages: Vec<usize> = members
                .iter()
                .map(|&j| &lines[j])
                .filter(|lj| (lj.y - li.y).abs() <= 4.0 && (lj.size - li.size).abs() <= 0.5)
                .map(|lj| lj.page)
                .collect();
            on_pages.dedup();
            if on_pages.len() >= needed {
                drop[i] = true;
            }
        }
    }
    for (i, l) in lines.iter().enumerate() {
        if edge[i] && is_page_number(&l.text) {
            drop[i] = true;
        }
    }
    let mut i = 0;
    lines.retain(|_| {
        let keep = !drop[i];
        i += 1;
        keep
    });
}

/// The most common value (by weight) among `(value, weight)` pairs.
fn mode(values: impl Iterator<Item = (f32, usize)>) -> Option<f32> {
    let mut counts: Vec<(f32, usize)> = Vec::new();
    for (v, w) in values {
        match counts.iter_mut().find(|c| (c.0 - v).abs() < 0.01) {
            Some(c) => c.1 += w,
            None => counts.push((v, w)),
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.total_cmp(&a.0)))
        .map(|c| c.0)
}

/// Ends a sentence or clause: the next line probably starts a new paragraph
/// if this one is also short.
fn ends_sentence(t: &str) -> bool {
    t.trim_end()
        .trim_end_matches(['"', '\'', '’', '”', ')', '）', '」', '』'])
        .ends_with(['.', '!', '?', ':', ';', '。', '！', '？', '：', '；'])
}

/// The block being built.
#[derive(Debug)]
struct Current {
    kind: BlockKind,
    text: String,
    first: Line,
    last: Line,
    /// Left edge of the block's first line (a bullet's position for items).
    x0: f32,
}

/// Appends one line to a block's text: end-of-line hyphens joined, no space
/// between CJK characters.
fn join_line(text: &mut String, next: &str) {
    let next = next.trim();
    if text.is_empty() {
        text.push_str(next);
        return;
    }
    let first = next.chars().next().unwrap_or(' ');
    if text.ends_with('\u{00AD}') {
        text.pop();
        text.push_str(next);
        return;
    }
    if text.ends_with('-') && first.is_lowercase() {
        // "infra-" + "structure": a hyphen the line break made. A single
        // letter before it ("e-" + "mail") is a real compound: keep it.
        let stem: String = text
            .trim_end_matches('-')
            .chars()
            .rev()
            .take_while(|c| c.is_alphabetic())
            .collect();
        let before = text.chars().rev().nth(1).unwrap_or(' ');
        if before.is_alphabetic() {
            if stem.chars().count() > 1 {
                text.pop();
            }
            text.push_str(next);
            return;
        }
    }
    let last = text.chars().last().unwrap_or(' ');
    let glued = (is_cjk(last) && is_cjk(first)) || text.ends_with(['/', '–', '—']);
    if !glued {
        text.push(' ');
    }
    text.push_str(next);
}

/// Lines → blocks: headings by size and weight, paragraphs and list items.
fn assemble(lines: &[Line]) -> Vec<Block> {
    let body = mode(lines.iter().map(|l| (l.size, l.text.chars().count()))).unwrap_or(10.0);
    let heading_min = body + (body * 0.12).max(1.0);
    let is_big = |l: &Line| l.size >= heading_min && word_count(&l.text) <= MAX_HEADING_WORDS;
    // One heading level per distinct larger size, largest first.
    let mut sizes: Vec<f32> = lines.iter().filter(|l| is_big(l)).map(|l| l.size).collect();
    sizes.sort_by(|a, b| b.total_cmp(a));
    sizes.dedup_by(|a, b| (*a - *b).abs() < 0.01);
    sizes.truncate(5);
    let level_of = |size: f32| -> u8 {
        let pos = sizes
            .iter()
            .position(|s| size >= *s - 0.01)
            .unwrap_or(sizes.len());
        u8::try_from(pos + 1).unwrap_or(6).min(6)
    };
    let bold_level = u8::try_from(sizes.len() + 1).unwrap_or(6).min(6);
    // Usual distance between consecutive body lines of a paragraph.
    let pitch = mode(
        lines
            .windows(2)
            .filter(|w| {
                w[0].page == w[1].page
                    && (w[0].size - body).abs() < 0.6
                    && (w[1].size - body).abs() < 0.6
            })
            .map(|w| w[0].y - w[1].y)
            .filter(|d| *d > 0.0)
            .map(|d| (round_half(d), 1)),
    )
    .unwrap_or(body * 1.2);
    let right_edge = |line: &Line| -> f32 {
        lines
            .iter()
            .filter(|l| l.page == line.page && (l.x0 - line.x0).abs() < 30.0)
            .map(|l| l.x1)
            .fold(line.x1, f32::max)
    };

    let mut out: Vec<Block> = Vec::new();
    let mut cur: Option<Current> = None;
    let mut item_x: Vec<f32> = Vec::new();
    let flush = |cur: &mut Option<Current>, out: &mut Vec<Block>| {
        if let Some(c) = cur.take() {
            let text = clean_text(&c.text);
            if !text.is_empty() {
                let mut b = Block::new(c.kind, text);
                b.strong_only = c.first.bold && c.last.bold;
                // A lone short bold line at body size is a heading.
                if c.kind == BlockKind::Paragraph
                    && b.strong_only
                    && c.first.text == c.last.text
                    && word_count(&b.text) <= MAX_BOLD_HEADING_WORDS
                    && !b.text.ends_with(['.', '。'])
                {
                    b.kind = BlockKind::Heading(bold_level);
                }
                out.push(b);
            }
        }
    };
    for line in lines {
        if is_big(line) {
            let level = level_of(line.size);
            // A heading wrapped over two lines continues the same heading.
            if let Some(c) = cur.as_mut()
                && c.kind == BlockKind::Heading(level)
                && c.last.page == line.page
                && (c.last.size - line.size).abs() < 0.01
                && c.last.y - line.y <= line.size * 1.6
            {
                join_line(&mut c.text, &line.text);
                c.last = line.clone();
                continue;
            }
            flush(&mut cur, &mut out);
            item_x.clear();
            cur = Some(Current {
                kind: BlockKind::Heading(level),
                text: line.text.clone(),
                first: line.clone(),
                last: line.clone(),
                x0: line.x0,
            });
            continue;
        }
        let marker = list_marker(&line.text);
        let continues = cur.as_ref().is_some_and(|c| {
            if matches!(c.kind, BlockKind::Heading(_)) || marker.is_some() {
                return false;
            }
            let same_style = (c.last.size - line.size).abs() < 0.6 && c.last.bold == line.bold;
            if !same_style {
                return false;
            }
            // A list item continues only on lines indented past its marker.
            if matches!(c.kind, BlockKind::ListItem(_)) && line.x0 <= c.x0 + 1.0 {
                return false;
            }
            if c.last.page != line.page || line.y >= c.last.y {
                // A page or column break: a sentence left open continues.
                return !ends_sentence(&c.last.text);
            }
            let gap = c.last.y - line.y;
            if gap > pitch * 1.25 + 0.5 {
                return false;
            }
            // A short line that ends a sentence ends the paragraph.
            !(ends_sentence(&c.last.text)
                && c.last.x1 - c.last.x0 < 0.75 * (right_edge(&c.last) - c.last.x0))
        });
        if continues {
            if let Some(c) = cur.as_mut() {
                join_line(&mut c.text, &line.text);
                c.last = line.clone();
            }
            continue;
        }
        flush(&mut cur, &mut out);
        let (kind, text) = match marker {
            Some(m) => {
                while item_x.last().is_some_and(|x| *x > line.x0 + 1.0) {
                    item_x.pop();
                }
                if item_x.last().is_none_or(|x| *x < line.x0 - 1.0) {
                    item_x.push(line.x0);
                }
                let depth = u8::try_from(item_x.len().saturating_sub(1)).unwrap_or(u8::MAX);
                (BlockKind::ListItem(depth), m.rest.to_string())
            }
            None => {
                item_x.clear();
                (BlockKind::Paragraph, line.text.clone())
            }
        };
        cur = Some(Current {
            kind,
            text,
            first: line.clone(),
            last: line.clone(),
            x0: line.x0,
        });
    }
    flush(&mut cur, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(text: &str, x: f32, y: f32, size: f32, bold: bool) -> Span {
        Span {
            text: text.into(),
            x,
            y,
            width: text.chars().count() as f32 * size * 0.5,
            height: size,
            size,
            bold,
        }
    }

    fn kinds(blocks: &[Block]) -> Vec<(BlockKind, &str)> {
        blocks.iter().map(|b| (b.kind, b.text.as_str())).collect()
    }

    /// A page: running header, then `body` lines at 14 pt pitch, then a footer.
    fn page(n: usize, body: &[(&str, f32, bool, f32)]) -> Vec<Span> {
        let mut spans = vec![span("Larkspur Cloud · Policy", 72.0, 800.0, 8.0, false)];
        let mut y = 770.0;
        for (text, size, bold, before) in body {
            y -= before;
            spans.push(span(text, 72.0, y, *size, *bold));
            y -= 14.0;
        }
        spans.push(span(&format!("Page {n} of 3"), 280.0, 40.0, 8.0, false));
        spans
    }

    #[test]
    fn headers_footers_headings_hyphens_and_page_breaks() {
        let long = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
        let pages = vec![
            page(
                1,
                &[
                    ("Larkspur Cloud · Policy", 20.0, true, 0.0),
                    ("1. Scope", 14.0, true, 10.0),
                    ("You may not attack any infra-", 10.0, false, 8.0),
                    ("structure of ours or of others.", 10.0, false, 0.0),
                    ("Account security", 10.0, true, 8.0),
                    (long, 10.0, false, 8.0),
                    ("and this sentence runs over the", 10.0, false, 0.0),
                ],
            ),
            page(
                2,
                &[
                    ("page break without a stop.", 10.0, false, 0.0),
                    ("• First item of a list", 10.0, false, 8.0),
                    ("• Second item", 10.0, false, 4.0),
                ],
            ),
            page(3, &[("Closing words.", 10.0, false, 0.0)]),
        ];
        let blocks = blocks(&pages);
        assert_eq!(
            kinds(&blocks),
            [
                (BlockKind::Heading(1), "Larkspur Cloud · Policy"),
                (BlockKind::Heading(2), "1. Scope"),
                (
                    BlockKind::Paragraph,
                    "You may not attack any infrastructure of ours or of others."
                ),
                (BlockKind::Heading(3), "Account security"),
                (
                    BlockKind::Paragraph,
                    &*format!("{long} and this sentence runs over the page break without a stop.")
                ),
                (BlockKind::ListItem(0), "First item of a list"),
                (BlockKind::ListItem(0), "Second item"),
                (BlockKind::Paragraph, "Closing words."),
            ]
        );
    }

    #[test]
    fn joins_spans_and_lines() {
        let mut t = String::from("see our e-");
        join_line(&mut t, "mail policy");
        assert_eq!(t, "see our e-mail policy");
        let mut t = String::from("我们会收集您的手机号码，");
        join_line(&mut t, "用于验证");
        assert_eq!(t, "我们会收集您的手机号码，用于验证");
        let mut t = String::from("pages 3-");
        join_line(&mut t, "and more");
        assert_eq!(t, "pages 3- and more");
        let lines = page_lines(
            0,
            &[
                span("Hello", 72.0, 700.0, 10.0, false),
                span("world", 72.0 + 25.0 + 3.0, 700.2, 10.0, false),
                span("条款", 72.0, 680.0, 10.0, false),
                span("内容", 82.0, 680.0, 10.0, false),
            ],
        );
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["Hello world", "条款内容"]);
    }

    #[test]
    fn a_title_like_the_running_header_is_kept() {
        let mut p1 = vec![span("Acceptable Use Policy", 72.0, 770.0, 20.0, true)];
        p1.push(span("Some text here.", 72.0, 740.0, 10.0, false));
        let mut p2 = vec![span("Acceptable Use Policy", 72.0, 800.0, 8.0, false)];
        p2.push(span("More text.", 72.0, 770.0, 10.0, false));
        let mut p3 = p2.clone();
        p3[1].text = "Even more text.".into();
        let blocks = blocks(&[p1, p2, p3]);
        assert_eq!(blocks[0].text, "Acceptable Use Policy");
        assert_eq!(
            blocks
                .iter()
                .filter(|b| b.text == "Acceptable Use Policy")
                .count(),
            1
        );
    }

    #[test]
    fn nonsense_geometry_does_not_panic() {
        let spans = vec![
            span("a", f32::NAN, 1.0, 10.0, false),
            span("b", 1.0, f32::INFINITY, 10.0, false),
            span("c", 1.0, 1.0, 0.0, false),
            span("d", -1e30, 1e30, 1e30, true),
        ];
        let _ = blocks(&[spans.clone(), spans, Vec::new()]);
    }
}
