//! Markdown → blocks, with pulldown-cmark (tables, strikethrough, task lists).
//!
//! Raw HTML is common in Markdown made from web pages and PDFs: HTML blocks
//! are parsed with the HTML walker, and a paragraph whose inline HTML contains
//! block-level tags (`LEGAL\t<p>…</p><h2>…</h2>`, left by PDF-to-text tools)
//! is re-read from its source span as HTML. Inline `<a>`, `<b>`/`<strong>` and
//! `<br>` tags keep counting as links, bold and line breaks. Bold run-in
//! titles ("**Unauthorized Access.** Accessing …") stay as plain leading words.

use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use regex::Regex;

use crate::blocks::{Block, BlockKind, Inline, Style, re};
use crate::html;

static TAG: LazyLock<Regex> = LazyLock::new(|| re(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>"));

#[rustfmt::skip]
const BLOCK_TAGS: &[&str] = &[
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "tr", "td", "th",
    "section", "article", "header", "footer", "nav", "aside", "main", "blockquote", "dl", "dt",
    "dd", "pre", "hr",
];

/// Parses Markdown into blocks.
pub(crate) fn parse(src: &str) -> Vec<Block> {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut md = Md {
        src,
        kind: BlockKind::Paragraph,
        ..Md::default()
    };
    for (event, range) in Parser::new_ext(src, options).into_offset_iter() {
        md.event(event, range);
    }
    md.flush();
    md.blocks
}

#[derive(Default)]
struct Md<'a> {
    src: &'a str,
    blocks: Vec<Block>,
    inline: Inline,
    kind: BlockKind,
    lists: usize,
    /// One entry per open list item: whether its own text was already emitted.
    items: Vec<bool>,
    link: usize,
    html_link: usize,
    strong: usize,
    html_strong: usize,
    image: usize,
    cells: usize,
    para: Option<(Range<usize>, bool)>,
    html: Option<String>,
    code: Option<String>,
}

impl Md<'_> {
    fn item_kind(&self) -> BlockKind {
        BlockKind::ListItem(u8::try_from(self.lists.saturating_sub(1)).unwrap_or(u8::MAX))
    }

    fn flush(&mut self) {
        let kind = match self.kind {
            BlockKind::TableRow if self.cells < 2 => BlockKind::Paragraph,
            k => k,
        };
        let blocks = self.inline.finish(kind, false);
        self.blocks.extend(blocks);
        self.html_link = 0;
        self.html_strong = 0;
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.text(&t)
            }
            Event::Html(t) => match self.html.as_mut() {
                Some(h) => h.push_str(&t),
                None => self.inline_html(&t),
            },
            Event::InlineHtml(t) => self.inline_html(&t),
            Event::SoftBreak | Event::HardBreak => self.inline.line_break(),
            Event::Rule => self.flush(),
            Event::FootnoteReference(_) | Event::TaskListMarker(_) => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        match tag {
            Tag::Paragraph => {
                match self.items.last() {
                    Some(false) => self.inline.space(),
                    Some(true) => {
                        self.flush();
                        self.kind = self.item_kind();
                    }
                    None => {
                        self.flush();
                        self.kind = BlockKind::Paragraph;
                    }
                }
                self.para = Some((range, false));
            }
            Tag::Heading { level, .. } => {
                self.flush();
                self.kind = BlockKind::Heading(level as u8);
            }
            Tag::BlockQuote(_) | Tag::Table(_) | Tag::FootnoteDefinition(_) => self.flush(),
            Tag::CodeBlock(_) => {
                self.flush();
                self.code = Some(String::new());
            }
            Tag::HtmlBlock => {
                self.flush();
                self.html = Some(String::new());
            }
            Tag::List(_) => {
                if let Some(emitted) = self.items.last_mut()
                    && !*emitted
                {
                    *emitted = true;
                    self.flush();
                }
                self.lists += 1;
            }
            Tag::Item => {
                self.flush();
                self.items.push(false);
                self.kind = self.item_kind();
            }
            Tag::TableHead | Tag::TableRow => {
                self.flush();
                self.kind = BlockKind::TableRow;
                self.cells = 0;
            }
            Tag::TableCell => {
                if self.cells > 0 {
                    self.inline.separator(" | ");
                }
                self.cells += 1;
            }
            Tag::Strong => self.strong += 1,
            Tag::Link { .. } => {
                self.link += 1;
                self.inline.link_started();
            }
            Tag::Image { .. } => self.image += 1,
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => match self.para.take() {
                Some((range, true)) => {
                    // Raw block-level HTML inside: read the paragraph's source as HTML.
                    self.inline = Inline::default();
                    self.html_link = 0;
                    self.html_strong = 0;
                    let src = self.src.get(range).unwrap_or_default();
                    self.blocks.extend(html::parse_fragment(src));
                }
                _ => {
                    if self.items.is_empty() {
                        self.flush();
                    }
                }
            },
            TagEnd::Heading(_) | TagEnd::BlockQuote(_) | TagEnd::FootnoteDefinition => {
                self.flush();
                self.kind = if self.items.is_empty() {
                    BlockKind::Paragraph
                } else {
                    self.item_kind()
                };
            }
            TagEnd::CodeBlock => {
                if let Some(code) = self.code.take() {
                    self.code_block(&code);
                }
            }
            TagEnd::HtmlBlock => {
                if let Some(h) = self.html.take() {
                    self.blocks.extend(html::parse_fragment(&h));
                }
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists = self.lists.saturating_sub(1);
                if !self.items.is_empty() {
                    self.kind = self.item_kind();
                }
            }
            TagEnd::Item => {
                self.flush();
                self.items.pop();
                self.kind = if self.items.is_empty() {
                    BlockKind::Paragraph
                } else {
                    self.item_kind()
                };
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                self.flush();
                self.kind = BlockKind::Paragraph;
            }
            TagEnd::Strong => self.strong = self.strong.saturating_sub(1),
            TagEnd::Link => self.link = self.link.saturating_sub(1),
            TagEnd::Image => self.image = self.image.saturating_sub(1),
            _ => {}
        }
    }

    fn text(&mut self, t: &str) {
        if let Some(code) = self.code.as_mut() {
            code.push_str(t);
            return;
        }
        if self.image > 0 {
            return;
        }
        let style = Style {
            link: self.link + self.html_link > 0,
            strong: self.strong + self.html_strong > 0,
        };
        self.inline.push(t, style);
    }

    /// Inline HTML tags: links, bold and breaks keep their meaning; a
    /// block-level tag marks the paragraph for re-reading as HTML.
    fn inline_html(&mut self, raw: &str) {
        for cap in TAG.captures_iter(raw) {
            let closing = cap.get(1).is_some_and(|m| !m.as_str().is_empty());
            let name = cap
                .get(2)
                .map_or(String::new(), |m| m.as_str().to_ascii_lowercase());
            let attrs = cap.get(3).map_or("", |m| m.as_str()).to_ascii_lowercase();
            match (name.as_str(), closing) {
                ("a", false) => {
                    self.html_link += 1;
                    self.inline.link_started();
                    let button = attrs
                        .split(|c: char| !c.is_ascii_alphanumeric())
                        .any(|t| matches!(t, "btn" | "button" | "cta"));
                    if button {
                        self.inline.mark_button();
                    }
                }
                ("a", true) => self.html_link = self.html_link.saturating_sub(1),
                ("b" | "strong", false) => self.html_strong += 1,
                ("b" | "strong", true) => self.html_strong = self.html_strong.saturating_sub(1),
                ("br", _) => self.inline.line_break(),
                (n, _) if BLOCK_TAGS.contains(&n) => {
                    if let Some(p) = self.para.as_mut() {
                        p.1 = true;
                    }
                }
                _ => {}
            }
        }
    }

    /// An indented or fenced code block in a policy is nearly always text that
    /// happened to be indented: read it as paragraphs.
    fn code_block(&mut self, code: &str) {
        for chunk in code.split("\n\n") {
            let mut inline = Inline::default();
            for line in chunk.lines() {
                inline.push(line, Style::default());
                inline.line_break();
            }
            let blocks = inline.finish(BlockKind::Paragraph, false);
            self.blocks.extend(blocks);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn got(src: &str) -> Vec<(BlockKind, String)> {
        parse(src).into_iter().map(|b| (b.kind, b.text)).collect()
    }

    #[test]
    fn headings_paragraphs_and_run_in_titles() {
        let g = got(
            "# Policy\n\nIntro text.\n\n## No Abuse\n\n- **Unauthorized Access.** Accessing systems.\n- **Interception.** Monitoring.\n",
        );
        assert_eq!(
            g,
            vec![
                (BlockKind::Heading(1), "Policy".into()),
                (BlockKind::Paragraph, "Intro text.".into()),
                (BlockKind::Heading(2), "No Abuse".into()),
                (
                    BlockKind::ListItem(0),
                    "Unauthorized Access. Accessing systems.".into()
                ),
                (BlockKind::ListItem(0), "Interception. Monitoring.".into()),
            ]
        );
    }

    #[test]
    fn nested_and_loose_lists() {
        let g = got(
            "1. First:\n   - sub a\n   - sub b\n\n2. Second para one.\n\n   Second para two.\n",
        );
        assert_eq!(
            g,
            vec![
                (BlockKind::ListItem(0), "First:".into()),
                (BlockKind::ListItem(1), "sub a".into()),
                (BlockKind::ListItem(1), "sub b".into()),
                (
                    BlockKind::ListItem(0),
                    "Second para one. Second para two.".into()
                ),
            ]
        );
    }

    #[test]
    fn embedded_block_html_is_reparsed() {
        let g = got(
            "## Abuse\n\nLEGAL\t<p>\"spam\"), including ads.</p>\nACME Policy\t<h2>Enforcement</h2> <p>We may act.</p> <ul><li>warn; or</li><li>suspend.</li></ul>\n",
        );
        assert_eq!(
            g,
            vec![
                (BlockKind::Heading(2), "Abuse".into()),
                (BlockKind::Paragraph, "LEGAL".into()),
                (BlockKind::Paragraph, "\"spam\"), including ads.".into()),
                (BlockKind::Paragraph, "ACME Policy".into()),
                (BlockKind::Heading(2), "Enforcement".into()),
                (BlockKind::Paragraph, "We may act.".into()),
                (BlockKind::ListItem(0), "warn; or".into()),
                (BlockKind::ListItem(0), "suspend.".into()),
            ]
        );
    }

    #[test]
    fn inline_html_links_count_as_links() {
        let b = parse(
            "<a href=\"/x\" class=\"nav-cta-button\">Request an account</a>\n\n[Home](/) [About](/a)\n",
        );
        assert!(b[0].button && b[0].link_ratio(b[0].visible_chars()) > 0.9);
        assert!(b[1].link_ratio(b[1].visible_chars()) > 0.9 && b[1].links == 2);
    }

    #[test]
    fn tables_and_setext_headings() {
        let g = got("[Privacy Policy]()\n===\n\n| Data | Use |\n|---|---|\n| Email | Login |\n");
        assert_eq!(
            g,
            vec![
                (BlockKind::Heading(1), "Privacy Policy".into()),
                (BlockKind::TableRow, "Data | Use".into()),
                (BlockKind::TableRow, "Email | Login".into()),
            ]
        );
    }
}
