//! HTML (pages and fragments) → blocks, using scraper/html5ever.
//!
//! The tree is walked iteratively (first child / next sibling / parent), so a
//! page of 10,000 nested `<div>`s cannot overflow the stack. Scripts, styles,
//! forms controls and hidden elements are skipped. Blocks inside page chrome —
//! `<nav>`, `<aside>`, a `<header>`/`<footer>` outside the article, ARIA
//! landmarks such as `role="navigation"`, elements whose class or id names a
//! menu, footer, breadcrumb, cookie banner, sidebar or share bar, and
//! everything outside a `<main>` that holds most of the text — are marked
//! `chrome` for the boilerplate stage rather than dropped here. Link text,
//! bold text and button-styled links are tracked for the same reason.

use scraper::node::Element;
use scraper::{Html, Node};

use crate::blocks::{Block, BlockKind, Inline, Style, strip_markdown_inline};
use crate::declarations::{Declaration, Filter, Visit};

/// What an HTML page yields.
#[derive(Debug, Default)]
pub(crate) struct HtmlPage {
    /// Blocks in reading order.
    pub(crate) blocks: Vec<Block>,
    /// The `<title>` text.
    pub(crate) title: Option<String>,
    /// The `og:title` of a `<meta>` (the page's own name for its content,
    /// without the site name most `<title>`s carry).
    pub(crate) og_title: Option<String>,
    /// The `lang` attribute of `<html>`.
    pub(crate) lang: Option<String>,
    /// A declaration selected the content: keep every block it yields.
    pub(crate) declared: bool,
    /// Why the page looks cut short ([`Scan::cut_short`]); `None` when it
    /// looks whole.
    pub(crate) cut_short: Option<String>,
}

/// A declaration's `select` matched nothing on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NoMatch;

/// Parses a whole page (or a fragment handed in as one), applying a
/// declaration when one is given.
pub(crate) fn parse_document(src: &str, decl: Option<&Declaration>) -> Result<HtmlPage, NoMatch> {
    let scan = limit_tags(src, MAX_ATTRIBUTES, MAX_DEPTH);
    let cut_short = scan.cut_short();
    let src = scan.src;
    let doc = Html::parse_document(&src);
    let filter = match decl.filter(|d| !d.is_empty()) {
        Some(d) => Some(Filter::new(&doc, d).ok_or(NoMatch)?),
        None => None,
    };
    let protected_emails = memchr::memmem::find(src.as_bytes(), b"data-cfemail").is_some();
    let mut page = walk(&doc, false, filter.as_ref(), protected_emails);
    page.cut_short = cut_short;
    Ok(page)
}

/// How long one HTML page may take to parse and walk before it is given
/// up. Parsing is linear (attribute and depth caps); the deadline is the
/// guard for whatever is not, as for PDFs.
const DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);

/// [`parse_document`] on a worker thread, inside `catch_unwind`, given up
/// after [`DEADLINE`] (the worker is left to finish on its own and its
/// result dropped; one that answers is joined, see `crate::worker`). A
/// selector that matches nothing, a timeout or a panic is an
/// [`ExtractError`]. The deadline is a clock read, but it can only turn a
/// pathological page into an error: ordinary pages give the same result
/// every time.
pub(crate) fn parse_guarded(
    src: String,
    decl: Option<Declaration>,
) -> Result<HtmlPage, crate::ExtractError> {
    use crate::ExtractError;
    use crate::worker::{Outcome, run};
    match run("cw-extract-html", None, DEADLINE, move || {
        parse_document(&src, decl.as_ref())
    }) {
        Outcome::Done(Ok(page)) => Ok(page),
        Outcome::Done(Err(NoMatch)) => Err(ExtractError::SelectorMatchedNothing),
        Outcome::Panicked => Err(ExtractError::Html(
            "the HTML parser failed on this page".into(),
        )),
        Outcome::TimedOut => Err(ExtractError::Html(format!(
            "reading the page took longer than {} seconds",
            DEADLINE.as_secs()
        ))),
        Outcome::NoWorker => Err(ExtractError::Html(
            "could not run the HTML reader (out of threads or memory)".into(),
        )),
    }
}

/// Parses raw HTML embedded in Markdown; text nodes may still carry Markdown
/// inline syntax, which is removed.
pub(crate) fn parse_fragment(src: &str) -> Vec<Block> {
    let src = limit_attributes(src, MAX_ATTRIBUTES);
    let protected_emails = memchr::memmem::find(src.as_bytes(), b"data-cfemail").is_some();
    walk(&Html::parse_fragment(&src), true, None, protected_emails).blocks
}

/// Most attributes read per tag. html5ever checks every new attribute
/// against the tag's earlier ones, so a tag with a million attributes would
/// take quadratic time; no real page comes near this.
const MAX_ATTRIBUTES: usize = 1_000;

/// Elements whose content is raw text up to their end tag.
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];

/// Drops the attributes past the `max`-th of every tag, and the start and
/// end tags of elements nested deeper than [`MAX_DEPTH`], following the
/// HTML tokenizer closely enough (comments, quoted values, raw-text
/// elements) to find tags where html5ever will. Borrowed when nothing is
/// dropped.
///
/// The depth cap keeps the parse linear: html5ever looks down its stack of
/// open elements for every start tag (is a `<p>` in button scope?), so
/// 100,000 nested `<div>`s would cost 100,000² steps. Elements whose end
/// tag may be omitted (`p`, `li`, `td`, …) and void elements are not
/// counted; an end tag closes the nearest open element of its name among
/// the top [`END_TAG_SEARCH`] (a stray end tag closes nothing).
fn limit_attributes(src: &str, max: usize) -> std::borrow::Cow<'_, str> {
    limit_tags(src, max, MAX_DEPTH).src
}

/// Deepest nesting of counted elements the parser is given.
const MAX_DEPTH: usize = 512;
/// How far down the open elements an end tag looks for its start tag.
const END_TAG_SEARCH: usize = 256;

/// Elements that never hold content or whose end tag may be omitted: not
/// counted for nesting.
#[rustfmt::skip]
const UNCOUNTED: &[&[u8]] = &[
    b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta", b"param",
    b"source", b"track", b"wbr", b"p", b"li", b"dt", b"dd", b"tr", b"td", b"th", b"thead", b"tbody",
    b"tfoot", b"option", b"optgroup", b"rb", b"rt", b"rtc", b"rp", b"colgroup", b"caption", b"html",
    b"head", b"body", b"frame", b"keygen", b"image",
];

/// Whether an element counts for nesting: not void, not raw text, end tag
/// required. One lowercase copy into a stack buffer and a few compares, as
/// this runs for every start tag of every page.
fn counts_for_depth(name: &[u8]) -> bool {
    let mut buf = [0u8; 10];
    let Some(lower) = buf.get_mut(..name.len()) else {
        // Longer than any uncounted name.
        return true;
    };
    for (d, s) in lower.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    let lower: &[u8] = lower;
    !(UNCOUNTED.contains(&lower) || RAW_TEXT.iter().any(|r| r.as_bytes() == lower))
}

/// What [`limit_tags`] learnt in its one pass over a page.
#[derive(Debug)]
struct Scan<'a> {
    /// The page with the dropped attributes and tags taken out (borrowed
    /// when nothing was dropped).
    src: std::borrow::Cow<'a, str>,
    /// Tags dropped for depth (a work counter for tests).
    #[cfg_attr(not(test), allow(dead_code))]
    dropped: usize,
    /// A `<html>` or `<body>` start tag was seen: a whole page, not a
    /// fragment.
    page_start: bool,
    /// A `</body>` or `</html>` end tag was seen.
    page_end: bool,
    /// Where the text ended inside markup: `a tag`, `a comment`, or the
    /// raw-text element named (`<script>`, `<style>`, …).
    eof_in: Option<String>,
    /// Counted elements (end tag required) still open at the end, and the
    /// innermost one's name.
    open_at_end: usize,
    innermost: String,
}

impl Scan<'_> {
    /// Why the page looks cut short, or `None`. Text that ends without
    /// `</body>` or `</html>` and inside markup (a tag, a comment, a
    /// `<script>` or `<style>`), or a page (it opened `<html>` or `<body>`)
    /// that ends without them and with elements open whose end tag is
    /// required, is cut short: a whole page sent by a server or serialised
    /// by a browser closes its structure, and a cut one never does. Not
    /// flagged: a sloppy but whole page (unbalanced `<div>`s before a
    /// `</body>`, or no end tags for `body`/`html`/`p`/`li` at all), and a
    /// fragment that leaves elements open (converters' output often does).
    fn cut_short(&self) -> Option<String> {
        if self.page_end {
            return None;
        }
        if let Some(within) = &self.eof_in {
            return Some(format!(
                "the page ends inside {within}, without </body> or </html>"
            ));
        }
        (self.page_start && self.open_at_end > 0).then(|| {
            format!(
                "the page ends with {} element(s) open (innermost <{}>), without </body> or </html>",
                self.open_at_end, self.innermost
            )
        })
    }
}

/// [`limit_attributes`] with an explicit depth cap; also returns what the
/// pass saw of the page's structure ([`Scan`]).
fn limit_tags(src: &str, max: usize, max_depth: usize) -> Scan<'_> {
    let b = src.as_bytes();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    // Open counted elements: (name start, name length, dropped).
    let mut open: Vec<(usize, usize, bool)> = Vec::new();
    let mut dropped = 0usize;
    let (mut page_start, mut page_end) = (false, false);
    let mut eof_in: Option<String> = None;
    let is_page_tag =
        |name: &[u8]| name.eq_ignore_ascii_case(b"html") || name.eq_ignore_ascii_case(b"body");
    let mut i = 0;
    while let Some(off) = b.get(i..).and_then(|r| memchr::memchr(b'<', r)) {
        let tag_start = i + off;
        i += off + 1;
        if b.get(i..i + 3) == Some(b"!--") {
            i = match find(b, i + 3, b"-->") {
                Some(e) => e + 3,
                None => {
                    eof_in = Some("a comment".into());
                    b.len()
                }
            };
            continue;
        }
        if b.get(i) == Some(&b'/') && b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            let name_start = i + 1;
            let mut e = name_start;
            while b
                .get(e)
                .is_some_and(|c| !c.is_ascii_whitespace() && !matches!(c, b'>' | b'/'))
            {
                e += 1;
            }
            let name = b.get(name_start..e).unwrap_or_default();
            let Some(close) = memchr::memchr(b'>', b.get(e..).unwrap_or_default()) else {
                eof_in = Some("a tag".into());
                break;
            };
            i = e + close + 1;
            page_end |= is_page_tag(name);
            let lowest = open.len().saturating_sub(END_TAG_SEARCH);
            let found = (lowest..open.len()).rev().find(|&k| {
                let (s, l, _) = open[k];
                b.get(s..s + l)
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            });
            if let Some(k) = found {
                if open[k].2 {
                    cuts.push((tag_start, i));
                }
                open.truncate(k);
            }
            continue;
        }
        if !b.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let name_start = i;
        while b
            .get(i)
            .is_some_and(|c| !c.is_ascii_whitespace() && !matches!(c, b'>' | b'/'))
        {
            i += 1;
        }
        let name = b.get(name_start..i).unwrap_or_default();
        let mut attrs = 0usize;
        let mut cut_from: Option<usize> = None;
        // Attributes until `>`.
        loop {
            while b
                .get(i)
                .is_some_and(|c| c.is_ascii_whitespace() || *c == b'/')
            {
                i += 1;
            }
            match b.get(i) {
                None => {
                    eof_in = Some("a tag".into());
                    break;
                }
                Some(b'>') => {
                    // `<path/>` in SVG closes itself; in HTML a `/>` on a
                    // non-void element does not, but counting it low is safe.
                    let self_closing = i > 0 && b.get(i - 1) == Some(&b'/');
                    let counted = !self_closing && counts_for_depth(name);
                    let too_deep = counted && open.len() >= max_depth;
                    if too_deep {
                        dropped += 1;
                        cuts.push((tag_start, i + 1));
                    } else if let Some(from) = cut_from {
                        cuts.push((from, i));
                    }
                    if counted {
                        open.push((name_start, name.len(), too_deep));
                    }
                    page_start |= is_page_tag(name);
                    i += 1;
                    break;
                }
                Some(_) => {}
            }
            let attr_start = i;
            i += 1;
            while b
                .get(i)
                .is_some_and(|c| !c.is_ascii_whitespace() && !matches!(c, b'>' | b'/' | b'='))
            {
                i += 1;
            }
            while b.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            if b.get(i) == Some(&b'=') {
                i += 1;
                while b.get(i).is_some_and(u8::is_ascii_whitespace) {
                    i += 1;
                }
                match b.get(i) {
                    Some(&q @ (b'"' | b'\'')) => {
                        i = b
                            .get(i + 1..)
                            .and_then(|r| memchr::memchr(q, r))
                            .map_or(b.len(), |p| i + 1 + p + 1);
                    }
                    _ => {
                        while b
                            .get(i)
                            .is_some_and(|c| !c.is_ascii_whitespace() && *c != b'>')
                        {
                            i += 1;
                        }
                    }
                }
            }
            attrs += 1;
            if attrs == max + 1 {
                cut_from = Some(attr_start);
            }
        }
        if let Some(raw) = RAW_TEXT
            .iter()
            .find(|r| r.as_bytes().eq_ignore_ascii_case(name))
            && eof_in.is_none()
        {
            i = match find_end_tag(b, i, raw.as_bytes()) {
                Some(end) => end,
                // `<plaintext>` has no end tag: the rest of the page is its text.
                None if *raw == "plaintext" => b.len(),
                None => {
                    eof_in = Some(format!("<{raw}>"));
                    b.len()
                }
            };
        }
    }
    let (innermost, open_at_end) = match open.last() {
        Some(&(s, l, _)) => (
            String::from_utf8_lossy(b.get(s..s + l).unwrap_or_default()).to_ascii_lowercase(),
            open.len(),
        ),
        None => (String::new(), 0),
    };
    let scan = |src| Scan {
        src,
        dropped,
        page_start,
        page_end,
        eof_in,
        open_at_end,
        innermost,
    };
    if cuts.is_empty() {
        return scan(std::borrow::Cow::Borrowed(src));
    }
    let mut out = String::with_capacity(src.len());
    let mut at = 0;
    for (from, to) in cuts {
        out.push_str(src.get(at..from).unwrap_or_default());
        at = to;
    }
    out.push_str(src.get(at..).unwrap_or_default());
    scan(std::borrow::Cow::Owned(out))
}

/// First position of `needle` in `hay` at or after `from`.
fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay.get(from..)?, needle).map(|p| p + from)
}

/// First position at or after `from` of `</name` (name in any case).
fn find_end_tag(hay: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let rest = hay.get(from..)?;
    memchr::memmem::find_iter(rest, b"</")
        .find(|&p| {
            rest.get(p + 2..p + 2 + name.len())
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .map(|p| p + from)
}

#[rustfmt::skip]
const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
    "select", "option", "button", "input", "textarea", "audio", "video", "picture", "map", "meta",
    "link", "base",
];
#[rustfmt::skip]
const BLOCK: &[&str] = &[
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup",
    "hr", "html", "legend", "main", "nav", "p", "pre", "section", "summary", "table", "tbody",
    "thead", "tfoot", "caption", "li", "ul", "ol", "menu", "tr", "td", "th", "h1", "h2", "h3", "h4",
    "h5", "h6",
];
/// Class or id words that name page chrome. "cookie" alone is not one (a
/// cookie policy's sections are called that); see [`cookie_banner`].
#[rustfmt::skip]
const CHROME_TOKENS: &[&str] = &[
    "nav", "navbar", "navigation", "menu", "menubar", "megamenu", "submenu", "footer", "breadcrumb",
    "breadcrumbs", "consent", "gdpr", "banner", "sidebar", "social", "share", "sharing", "skiplink",
    "toolbar", "masthead", "topbar", "subnav", "langswitcher", "onetrust", "newsletter", "popup",
    "modal",
];
/// Class or id words that name a consent banner: chrome as surely as a tag.
const CONSENT_TOKENS: &[&str] = &["consent", "gdpr", "onetrust"];
/// Elements whose class or id can mark chrome: containers, not headings,
/// paragraphs or inline text.
#[rustfmt::skip]
const CHROME_CONTAINERS: &[&str] = &[
    "div", "section", "ul", "ol", "li", "form", "dialog", "header", "footer", "span", "table",
];
#[rustfmt::skip]
const CHROME_ROLES: &[&str] = &[
    "navigation", "banner", "contentinfo", "complementary", "search", "menubar", "menu", "dialog",
    "alertdialog",
];

/// Block elements that never belong to a heading's text: met inside a
/// heading they are body content (an unclosed `<h2>` swallows the page in
/// the HTML parsing algorithm).
const BODY_IN_HEADING: &[&str] = &[
    "p",
    "table",
    "pre",
    "blockquote",
    "dl",
    "form",
    "section",
    "article",
    "main",
    "fieldset",
    "figure",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Block,
    Heading(u8),
    Item(u8),
    Cell,
}

#[derive(Debug, Default, Clone, Copy)]
struct Frame {
    skipped: bool,
    ctx: bool,
    list: bool,
    row: bool,
    link: bool,
    strong: bool,
    chrome: bool,
    /// `chrome` only because of a class or id name.
    named: bool,
    main: bool,
    article: bool,
    title: bool,
}

#[derive(Debug, Default)]
struct Row {
    cells: usize,
    layout: bool,
}

#[derive(Debug, Default)]
struct Walker {
    blocks: Vec<Block>,
    inline: Inline,
    ctx: Vec<Ctx>,
    frames: Vec<Frame>,
    rows: Vec<Row>,
    lists: usize,
    link: usize,
    strong: usize,
    chrome: usize,
    /// Open chrome elements marked by a class or id name only.
    named_chrome: usize,
    article: usize,
    has_main: bool,
    in_main: usize,
    in_title: bool,
    title: Option<String>,
    og_title: Option<String>,
    title_buf: String,
    lang: Option<String>,
    markdown_text: bool,
    /// Content chosen by a declaration: no element is page chrome.
    declared: bool,
    /// The page has `data-cfemail` attributes to decode.
    protected_emails: bool,
}

/// `protected_emails`: the source has obfuscated addresses to decode (a
/// page-level test, so that other pages pay no attribute look-up for them).
fn walk(
    doc: &Html,
    markdown_text: bool,
    filter: Option<&Filter>,
    protected_emails: bool,
) -> HtmlPage {
    let declared = filter.is_some_and(Filter::selects);
    let main = if declared { None } else { find_main(doc) };
    let mut w = Walker {
        markdown_text,
        has_main: main.is_some(),
        protected_emails,
        declared,
        ..Walker::default()
    };
    let root = doc.tree.root();
    let mut node = root;
    'walk: loop {
        let is_main = main.is_some_and(|m| std::ptr::eq(m, node.value()));
        let visit = filter.map_or(Visit::Read, |f| f.visit(node.id()));
        if w.open(node.value(), is_main, visit)
            && let Some(child) = node.first_child()
        {
            node = child;
            continue;
        }
        loop {
            w.close(node.value());
            if node == root {
                break 'walk;
            }
            if let Some(sibling) = node.next_sibling() {
                node = sibling;
                break;
            }
            match node.parent() {
                Some(parent) => node = parent,
                None => break 'walk,
            }
        }
    }
    w.flush();
    HtmlPage {
        blocks: w.blocks,
        title: w.title,
        og_title: w.og_title,
        lang: w.lang,
        declared,
        cut_short: None,
    }
}

/// The `<main>` (or `role="main"`, or the only `<article>`) if it holds at
/// least a quarter of the page's text.
fn find_main(doc: &Html) -> Option<&Node> {
    use ego_tree::iter::Edge;
    // One pass: the page's text length so far at each candidate's start and
    // end gives the candidate's text length.
    struct Candidate<'a> {
        node: &'a Node,
        main: bool,
        start: usize,
        end: usize,
    }
    let mut total = 0usize;
    let mut found: Vec<Candidate<'_>> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for edge in doc.root_element().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Text(t) => total += t.trim().len(),
                Node::Element(e) => {
                    let main = e.name() == "main" || attr(e, "role") == Some("main");
                    if main || e.name() == "article" {
                        open.push(found.len());
                        found.push(Candidate {
                            node: node.value(),
                            main,
                            start: total,
                            end: total,
                        });
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                let closes = open
                    .last()
                    .and_then(|&i| found.get(i))
                    .is_some_and(|c| std::ptr::eq(c.node, node.value()));
                if closes && let Some(c) = open.pop().and_then(|i| found.get_mut(i)) {
                    c.end = total;
                }
            }
        }
    }
    let articles = found.iter().filter(|c| !c.main).count();
    let candidate = found.iter().find(|c| c.main).or_else(|| {
        (articles == 1)
            .then(|| found.iter().find(|c| !c.main))
            .flatten()
    })?;
    let len = candidate.end.saturating_sub(candidate.start);
    (len >= 200 && len * 4 >= total).then_some(candidate.node)
}

/// The value of an attribute with no namespace. `Element::attr` would
/// intern the name first (a hash lookup per call); elements have few
/// attributes, so a scan is cheaper.
fn attr<'a>(e: &'a Element, name: &str) -> Option<&'a str> {
    e.attrs
        .iter()
        .find(|(q, _)| q.prefix.is_none() && q.ns.is_empty() && &*q.local == name)
        .map(|(_, v)| &**v)
}

/// ASCII letter and digit runs of an attribute value, in their original case.
fn words(v: &str) -> impl Iterator<Item = &str> + '_ {
    v.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
}

/// Class words, plus the id's words when the id is short: a long id such as
/// `how-we-share-your-information` is a section slug, not a role. Compare
/// them with `eq_ignore_ascii_case`.
fn tokens(e: &Element) -> impl Iterator<Item = &str> + '_ {
    let id = attr(e, "id").filter(|id| words(id).count() <= 3);
    attr(e, "class").into_iter().chain(id).flat_map(words)
}

/// Whether `hay` contains `needle` (lowercase ASCII), ignoring ASCII case.
fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// `cookie-banner`, `cookieConsent`, `cookie_notice_bar`, …
fn cookie_banner(e: &Element) -> bool {
    let class = attr(e, "class").unwrap_or("");
    let id = attr(e, "id").unwrap_or("");
    // No word below contains a space, so class and id are searched apart.
    let has = |w: &str| contains_ci(class, w) || contains_ci(id, w);
    has("cookie")
        && [
            "banner", "consent", "notice", "bar", "popup", "modal", "dialog", "law", "accept",
        ]
        .iter()
        .any(|w| has(w))
}

/// Decodes an e-mail address obfuscated into an attribute as hex bytes:
/// the first byte is a key XORed into every other byte. `None` unless the
/// result is a plausible address (UTF-8, an `@`, no spaces or controls).
fn decode_protected_email(hex: &str) -> Option<String> {
    let h = hex.trim().as_bytes();
    if h.len() < 4 || !h.len().is_multiple_of(2) || h.len() > 1_000 {
        return None;
    }
    let byte = |i: usize| -> Option<u8> {
        let pair = std::str::from_utf8(h.get(i..i + 2)?).ok()?;
        u8::from_str_radix(pair, 16).ok()
    };
    let key = byte(0)?;
    let bytes = (2..h.len())
        .step_by(2)
        .map(|i| byte(i).map(|b| b ^ key))
        .collect::<Option<Vec<u8>>>()?;
    let email = String::from_utf8(bytes).ok()?;
    let plausible = email.contains('@')
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    plausible.then_some(email)
}

/// Hidden elements, and text meant only for screen readers ("(opens in a
/// new window)" in a `visually-hidden` span).
fn is_hidden(e: &Element) -> bool {
    if attr(e, "hidden").is_some()
        || attr(e, "aria-hidden") == Some("true")
        || attr(e, "type") == Some("hidden")
    {
        return true;
    }
    let screen_reader_only = attr(e, "class").is_some_and(|c| {
        c.split_whitespace().any(|t| {
            matches!(
                t.to_ascii_lowercase().as_str(),
                "sr-only"
                    | "visually-hidden"
                    | "visuallyhidden"
                    | "screen-reader-text"
                    | "screen-reader-only"
                    | "a11y-hidden"
            )
        })
    });
    if screen_reader_only {
        return true;
    }
    attr(e, "style").is_some_and(|s| {
        contains_squeezed(s, "display:none") || contains_squeezed(s, "visibility:hidden")
    })
}

/// Whether `hay`, with its whitespace removed and ASCII lowercased, contains
/// `pat` (lowercase ASCII, no whitespace): `display : None` has
/// `display:none`. No copy of `hay` is made (pages with a style on every
/// element are common).
fn contains_squeezed(hay: &str, pat: &str) -> bool {
    let Some(&first) = pat.as_bytes().first() else {
        return true;
    };
    hay.char_indices()
        .filter(|&(_, c)| c.to_ascii_lowercase() == char::from(first))
        .any(|(i, _)| {
            let mut rest = hay
                .get(i..)
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_whitespace());
            pat.bytes().all(|p| {
                rest.next()
                    .is_some_and(|c| c.to_ascii_lowercase() == char::from(p))
            })
        })
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

impl Walker {
    fn chrome_now(&self) -> bool {
        self.chrome > 0 || (self.has_main && self.in_main == 0)
    }

    /// Chrome only by class or id names (no chrome tag, role or position
    /// outside `<main>`): the weakest guess, which the coverage measure
    /// does not trust.
    fn named_chrome_now(&self) -> bool {
        self.named_chrome > 0
            && self.chrome == self.named_chrome
            && !(self.has_main && self.in_main == 0)
    }

    /// Blocks of the inline text so far, with the chrome flags of now.
    fn finish_inline(&mut self, kind: BlockKind) {
        let chrome = self.chrome_now();
        let named = self.named_chrome_now();
        let mut blocks = self.inline.finish(kind, chrome);
        if named {
            for b in &mut blocks {
                b.named_chrome = true;
            }
        }
        self.blocks.extend(blocks);
    }

    fn flush(&mut self) {
        if self.inline.is_empty() {
            return;
        }
        let kind = match self.ctx.last() {
            Some(Ctx::Heading(l)) => BlockKind::Heading(*l),
            Some(Ctx::Item(d)) => BlockKind::ListItem(*d),
            _ => BlockKind::Paragraph,
        };
        self.finish_inline(kind);
    }

    fn in_cell_row(&self) -> bool {
        self.ctx.last() == Some(&Ctx::Cell) && self.rows.last().is_some_and(|r| !r.layout)
    }

    /// Whether an element is page chrome: `Some(true)` when only its class
    /// or id names say so, `Some(false)` for a tag or role.
    fn is_chrome(&self, e: &Element, name: &str) -> Option<bool> {
        if self.declared || matches!(name, "html" | "body" | "main" | "article") {
            return None;
        }
        if matches!(name, "nav" | "aside") {
            return Some(false);
        }
        if matches!(name, "header" | "footer") && self.article == 0 && self.in_main == 0 {
            return Some(false);
        }
        if attr(e, "role").is_some_and(|r| CHROME_ROLES.contains(&r.to_ascii_lowercase().as_str()))
        {
            return Some(false);
        }
        if !CHROME_CONTAINERS.contains(&name) {
            return None;
        }
        // A consent banner is never the document, whatever else it is named.
        if cookie_banner(e)
            || tokens(e).any(|t| CONSENT_TOKENS.iter().any(|c| c.eq_ignore_ascii_case(t)))
        {
            return Some(false);
        }
        tokens(e)
            .any(|t| CHROME_TOKENS.iter().any(|c| c.eq_ignore_ascii_case(t)))
            .then_some(true)
    }

    /// Handles entering a node; returns whether to visit its children.
    /// `visit` is a declaration's verdict (text outside the selection is not
    /// read; the `<title>` is read regardless).
    fn open(&mut self, node: &Node, is_main: bool, visit: Visit) -> bool {
        let e = match node {
            Node::Text(t) => {
                if visit == Visit::Read || self.in_title {
                    self.text(t);
                }
                return false;
            }
            Node::Element(e) => e,
            Node::Document | Node::Fragment => return true,
            _ => return false,
        };
        let name = e.name();
        if name == "meta"
            && self.og_title.is_none()
            && (attr(e, "property") == Some("og:title") || attr(e, "name") == Some("og:title"))
        {
            self.og_title = attr(e, "content")
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string);
        }
        let mut f = Frame::default();
        let declared_out = visit == Visit::Skip && !matches!(name, "html" | "head" | "title");
        if declared_out || SKIP.contains(&name) || is_hidden(e) {
            f.skipped = true;
            self.frames.push(f);
            return false;
        }
        let email = self
            .protected_emails
            .then(|| attr(e, "data-cfemail").and_then(decode_protected_email))
            .flatten();
        if let Some(email) = email {
            // An obfuscated address: its children are a placeholder
            // ("[email protected]") that would change nothing but look
            // like text; the address itself is in the attribute.
            if visit == Visit::Read {
                self.text(&email);
            }
            f.skipped = true;
            self.frames.push(f);
            return false;
        }
        if name == "title" {
            f.title = true;
            self.in_title = true;
            self.frames.push(f);
            return true;
        }
        if name == "html" && self.lang.is_none() {
            self.lang = e
                .attr("lang")
                .or_else(|| attr(e, "xml:lang"))
                .map(str::to_string);
        }
        let block = BLOCK.contains(&name);
        if block && self.in_cell_row() && !matches!(name, "td" | "th") {
            // A block inside a table cell: a layout table, read it as blocks.
            self.flush();
            if let Some(r) = self.rows.last_mut() {
                r.layout = true;
            }
        }
        if is_main {
            self.flush();
            f.main = true;
            self.in_main += 1;
        }
        if let Some(named) = self.is_chrome(e, name) {
            self.flush();
            f.chrome = true;
            self.chrome += 1;
            f.named = named;
            self.named_chrome += usize::from(named);
        }
        if matches!(name, "article" | "main" | "section") {
            f.article = true;
            self.article += 1;
        }
        match name {
            "a" => {
                f.link = true;
                self.link += 1;
                self.inline.soft_space();
                self.inline.link_started();
                if tokens(e).any(|t| {
                    ["btn", "button", "cta"]
                        .iter()
                        .any(|c| c.eq_ignore_ascii_case(t))
                }) {
                    self.inline.mark_button();
                }
            }
            "b" | "strong" => {
                f.strong = true;
                self.strong += 1;
            }
            "br" => self.inline.line_break(),
            "tr" => {
                self.flush();
                self.rows.push(Row::default());
                f.row = true;
            }
            "td" | "th" => {
                if let Some(r) = self.rows.last_mut().filter(|r| !r.layout) {
                    if r.cells > 0 {
                        self.inline.separator(" | ");
                    }
                    r.cells += 1;
                } else {
                    self.flush();
                }
                self.ctx.push(Ctx::Cell);
                f.ctx = true;
            }
            "ul" | "ol" | "menu" => {
                self.flush();
                self.lists += 1;
                f.list = true;
            }
            "li" => {
                self.flush();
                self.ctx.push(Ctx::Item(
                    u8::try_from(self.lists.saturating_sub(1)).unwrap_or(u8::MAX),
                ));
                f.ctx = true;
            }
            _ => {
                if let Some(level) = heading_level(name) {
                    self.flush();
                    self.ctx.push(Ctx::Heading(level));
                    f.ctx = true;
                } else if block {
                    self.flush();
                    let inherited = match self.ctx.last() {
                        Some(c @ Ctx::Item(_)) => *c,
                        // A wrapper inside a heading (`<h2><div>…</div></h2>`)
                        // is still the heading; a paragraph, table or the like
                        // is body text that an unclosed heading swallowed.
                        Some(c @ Ctx::Heading(_)) if !BODY_IN_HEADING.contains(&name) => *c,
                        _ => Ctx::Block,
                    };
                    self.ctx.push(inherited);
                    f.ctx = true;
                }
            }
        }
        self.frames.push(f);
        true
    }

    /// Handles leaving a node.
    fn close(&mut self, node: &Node) {
        if !matches!(node, Node::Element(_)) {
            return;
        }
        let Some(f) = self.frames.pop() else { return };
        if f.skipped {
            return;
        }
        if f.title {
            let t = std::mem::take(&mut self.title_buf);
            if self.title.is_none() && !t.trim().is_empty() {
                self.title = Some(t.trim().to_string());
            }
            self.in_title = false;
        }
        if f.row {
            let row = self.rows.pop().unwrap_or_default();
            if !row.layout && row.cells >= 2 && !self.inline.is_empty() {
                self.finish_inline(BlockKind::TableRow);
            } else {
                self.flush();
            }
        }
        if f.ctx {
            if !self.in_cell_row() {
                self.flush();
            }
            self.ctx.pop();
        }
        if f.list || f.chrome || f.main {
            self.flush();
        }
        if f.list {
            self.lists = self.lists.saturating_sub(1);
        }
        if f.link {
            self.link = self.link.saturating_sub(1);
            self.inline.soft_space();
        }
        if f.strong {
            self.strong = self.strong.saturating_sub(1);
        }
        if f.chrome {
            self.chrome = self.chrome.saturating_sub(1);
        }
        if f.named {
            self.named_chrome = self.named_chrome.saturating_sub(1);
        }
        if f.main {
            self.in_main = self.in_main.saturating_sub(1);
        }
        if f.article {
            self.article = self.article.saturating_sub(1);
        }
    }

    fn text(&mut self, t: &str) {
        if self.in_title {
            self.title_buf.push_str(t);
            return;
        }
        let style = Style {
            link: self.link > 0,
            strong: self.strong > 0,
        };
        if self.markdown_text {
            let t = strip_markdown_inline(t);
            self.inline.push(&t, style);
        } else {
            self.inline.push(t, style);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_document(src: &str) -> HtmlPage {
        super::parse_document(src, None).unwrap_or_default()
    }

    fn blocks(src: &str) -> Vec<(BlockKind, String, bool)> {
        parse_document(src)
            .blocks
            .into_iter()
            .map(|b| (b.kind, b.text, b.chrome))
            .collect()
    }

    #[test]
    fn reads_blocks_lists_and_tables() {
        let got = blocks(
            "<h2>Use &amp; Abuse</h2><p>Prohibited:</p><ul><li>spam<ul><li>bulk mail</li></ul></li><li><p>fraud</p></li></ul>\
             <table><tr><th>Data</th><th>Purpose</th></tr><tr><td>Email</td><td>Login</td></tr></table>",
        );
        let want = [
            (BlockKind::Heading(2), "Use & Abuse"),
            (BlockKind::Paragraph, "Prohibited:"),
            (BlockKind::ListItem(0), "spam"),
            (BlockKind::ListItem(1), "bulk mail"),
            (BlockKind::ListItem(0), "fraud"),
            (BlockKind::TableRow, "Data | Purpose"),
            (BlockKind::TableRow, "Email | Login"),
        ];
        let got: Vec<_> = got.iter().map(|(k, t, _)| (*k, t.as_str())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn marks_chrome_and_skips_scripts() {
        let page = parse_document(
            "<html lang=\"en-GB\"><head><title>Terms | Acme</title><script>var x = 1;</script></head><body>\
             <nav><a href=\"/\">Home</a></nav><p>Body text<span class=\"sr-only\"> (opens in a new window)</span>.</p><p style=\"display: none\">hidden</p>\
             <div class=\"cookie-banner\"><p>We use cookies.</p></div></body></html>",
        );
        assert_eq!(page.title.as_deref(), Some("Terms | Acme"));
        assert_eq!(page.lang.as_deref(), Some("en-GB"));
        let got: Vec<_> = page
            .blocks
            .iter()
            .map(|b| (b.text.as_str(), b.chrome))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Home", true),
                ("Body text.", false),
                ("We use cookies.", true)
            ]
        );
    }

    #[test]
    fn blocks_outside_a_dominant_main_are_chrome() {
        let body = "Long policy text here. ".repeat(20);
        let page = parse_document(&format!(
            "<body><div>Site header</div><main><h1>Policy</h1><p>{body}</p></main><div>Footer</div></body>"
        ));
        let chrome: Vec<_> = page.blocks.iter().map(|b| b.chrome).collect();
        assert_eq!(chrome, vec![true, false, false, true]);
    }

    #[test]
    fn layout_tables_are_read_as_blocks() {
        let got = blocks(
            "<table><tr><td><h2>Terms</h2><p>First.</p></td><td><p>Second.</p></td></tr></table>",
        );
        let got: Vec<_> = got.iter().map(|(k, t, _)| (*k, t.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (BlockKind::Heading(2), "Terms"),
                (BlockKind::Paragraph, "First."),
                (BlockKind::Paragraph, "Second.")
            ]
        );
    }

    #[test]
    fn attributes_past_the_limit_are_dropped() {
        let many: String = (0..5).map(|i| format!(" a{i}=\"x > y\"")).collect();
        let src =
            format!("<!-- <p {many}> --><script>if (a<b) x = '<p';</script><p{many}>Text</p>");
        let got = limit_attributes(&src, 2);
        assert_eq!(
            got,
            "<!-- <p  a0=\"x > y\" a1=\"x > y\" a2=\"x > y\" a3=\"x > y\" a4=\"x > y\"> --><script>if (a<b) x = '<p';</script><p a0=\"x > y\" a1=\"x > y\" >Text</p>"
        );
        assert!(matches!(
            limit_attributes(&src, 5),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn nesting_is_capped_before_the_parse() {
        let n = 100_000;
        let src = format!(
            "{}<p>Deep text.</p>{}<p>After.</p>",
            "<div class=\"x\">".repeat(n),
            "</div>".repeat(n)
        );
        let scan = limit_tags(&src, MAX_ATTRIBUTES, MAX_DEPTH);
        let (out, dropped) = (scan.src, scan.dropped);
        assert_eq!(dropped, n - MAX_DEPTH);
        assert_eq!(out.matches("<div").count(), MAX_DEPTH);
        assert_eq!(out.matches("</div>").count(), MAX_DEPTH);
        let texts: Vec<String> = parse_document(&src)
            .blocks
            .into_iter()
            .map(|b| b.text)
            .collect();
        assert_eq!(texts, ["Deep text.", "After."]);
        // Void, self-closing and optional-end elements are not counted;
        // a stray end tag closes nothing.
        let src = format!(
            "{}<div>kept</div></span>",
            "<br><img src=x><path d=\"M0\"/><p>p".repeat(MAX_DEPTH * 2)
        );
        assert_eq!(limit_tags(&src, MAX_ATTRIBUTES, MAX_DEPTH).dropped, 0);
    }

    #[test]
    fn pages_that_end_open_are_cut_short() {
        let cut = |src: &str| limit_tags(src, MAX_ATTRIBUTES, MAX_DEPTH).cut_short();
        let page = "<!DOCTYPE html><html><head><title>T</title></head><body><main><div>\
                    <h1>Terms</h1><p>One.</p><p>Two.</p></div></main></body></html>";
        assert_eq!(cut(page), None);
        // Cut anywhere inside the body: elements open or inside markup.
        for at in [80, 95, 100, page.len() - 20] {
            let head = page.get(..at).unwrap_or(page);
            assert!(cut(head).is_some(), "{head}");
        }
        assert!(
            cut("<html><body><div><p>Text <a href=\"/x")
                .is_some_and(|w| w.contains("inside a tag"))
        );
        assert!(cut("<html><body><p>Text</p><!-- note").is_some_and(|w| w.contains("comment")));
        assert!(
            cut("<html><body><p>Text</p><script>var a = 1;")
                .is_some_and(|w| w.contains("<script>"))
        );
        assert!(cut("<html><body><section><p>Text").is_some_and(|w| w.contains("<section>")));
        // Whole but sloppy: no end tags for optional elements, unbalanced
        // divs closed by </body>, a fragment leaving a div open.
        assert_eq!(cut("<html><body><p>One<p>Two<ul><li>a<li>b</ul>"), None);
        assert_eq!(cut("<html><body><div><div><p>One</div></body>"), None);
        assert_eq!(cut("<div class=\"content\"><p>One</p><p>Two</p>"), None);
        assert_eq!(cut("<html><body><plaintext>rest of the page"), None);
        // A fragment cut inside a tag is cut short too.
        assert!(cut("<div><p>One</p><p style=\"top:1").is_some());
    }

    #[test]
    fn squeezed_style_matching() {
        assert!(contains_squeezed(
            "color: red; DISPLAY :\tNone",
            "display:none"
        ));
        assert!(contains_squeezed("d isplay:none", "display:none"));
        assert!(!contains_squeezed("display: block; none", "display:none"));
        assert!(!contains_squeezed("display:non", "display:none"));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let src = format!(
            "{}<p>deep text</p>{}",
            "<div>".repeat(10_000),
            "</div>".repeat(10_000)
        );
        let got = blocks(&src);
        assert_eq!(got.last().map(|b| b.1.as_str()), Some("deep text"));
    }
}
