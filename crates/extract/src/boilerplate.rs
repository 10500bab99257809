//! Boilerplate removal over the block list, with no rules naming any site.
//!
//! 1. **Line rules** mark junk anywhere: copyright notices (not provisions
//!    that start with "Copyright"), relative times ("5 months ago"),
//!    call-to-action buttons ("Sign in", "Back to top"), page numbers, bare URLs,
//!    dot-leader contents lines, ICP licence lines, blocks with no letters
//!    (separators, image-only lines), language pickers, cookie banners, and
//!    — in paged sources only (PDF, text) — running headers/footers repeated
//!    at page breaks ([`running_lines`]).
//! 2. **Link lists** (blocks that are mostly link text) are navigation.
//! 3. **Main content spans**: every block gets a score — sentence-like text
//!    is positive, link lists, chrome and short fragments negative, a "Last
//!    updated" line strongly positive — and the maximum-sum run of blocks is the
//!    main content (plus any other run at least a third as strong). A span is
//!    extended back over the title and date lines just before it, and forward
//!    over the rest of a list it ends in. Everything outside is dropped.
//! 4. **Tables of contents**: runs of short items whose texts repeat later
//!    headings (scored neutral, so they do not split the main content).
//!
//! 5. **Coverage guarantee**: the share of the page's running text the
//!    spans hold is measured ([`Selection::coverage`]); below
//!    [`MIN_COVERAGE`] the choice widens ([`widen`]).
//!
//! Afterwards [`rejoin`] mends paragraphs split by a page break.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use crate::blocks::{
    Block, BlockKind, ends_clause, has_sentence_punct, match_key, re, starts_mid_sentence,
    word_count,
};
use crate::meta::date::is_date_line;
use crate::text::is_all_caps;

/// Measures of one block, computed once per [`select`] call: the rules
/// below ask for them again and again, and each is a pass over the text.
#[derive(Debug, Clone, Copy)]
struct Facts {
    /// [`word_count`] of the text.
    words: usize,
    /// [`Block::visible_chars`].
    visible: usize,
    /// [`has_sentence_punct`] of the text.
    sentence_punct: bool,
}

impl Facts {
    fn of(b: &Block) -> Self {
        if b.text.is_ascii() {
            return Self::of_ascii(b.text.as_bytes());
        }
        Facts {
            words: word_count(&b.text),
            visible: b.visible_chars(),
            sentence_punct: has_sentence_punct(&b.text),
        }
    }

    /// The same measures in one pass over ASCII text.
    fn of_ascii(text: &[u8]) -> Self {
        let (mut words, mut visible, mut sentence_punct) = (0, 0, false);
        let (mut in_word, mut alnum) = (false, false);
        for &c in text {
            // char::is_whitespace on ASCII: \t \n \x0B \x0C \r and space.
            if matches!(c, b' ' | b'\t'..=b'\r') {
                words += usize::from(in_word && alnum);
                (in_word, alnum) = (false, false);
            } else {
                visible += 1;
                in_word = true;
                alnum |= c.is_ascii_alphanumeric();
                sentence_punct |= matches!(c, b'.' | b',' | b';' | b':' | b'!' | b'?');
            }
        }
        words += usize::from(in_word && alnum);
        Facts {
            words,
            visible,
            sentence_punct,
        }
    }

    /// Long enough and punctuated like running text.
    fn sentence_like(&self) -> bool {
        self.words >= 8 && self.sentence_punct
    }
}

/// One line or block as seen by [`running_lines`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unit<'a> {
    /// The text ("" for a page break).
    pub(crate) text: &'a str,
    /// It is a heading.
    pub(crate) heading: bool,
    /// It is a page number or a page break.
    pub(crate) page_mark: bool,
}

static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)^(?:(?:page|p\.|pg\.?|seite|página|pagina)\s*)?\d{1,4}\s*(?:(?:of|/|von|sur|de|di|из)\s*\d{1,4})?$",
        r"|^[-–—]\s*\d{1,4}\s*[-–—]$|^第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$"
    ))
});

/// Whether a line is a page number ("Page 3 of 7", "- 3 -", "3/7", "第 3 页").
pub(crate) fn is_page_number(t: &str) -> bool {
    let t = t.trim();
    // The longest form ("página 1234 de 1234") is far below 40 bytes.
    t.len() <= 40 && PAGE_NUMBER.is_match(t)
}

/// Flags running headers and footers: short lines repeated on several pages.
/// Headings are never flagged. A repeated line counts when it sits next to a page number, a page break or
/// another repeated line (a header group such as "LEGAL" + the title), when it
/// repeats a heading's text as a plain line, or when it is a short ALL-CAPS
/// line seen three times or more. Page numbers themselves are flagged too.
pub(crate) fn running_lines(units: &[Unit<'_>]) -> Vec<bool> {
    let keys: Vec<Option<String>> = units
        .iter()
        .map(|u| {
            let words = word_count(u.text);
            let short =
                words <= 12 && u.text.chars().count() <= 100 && !(ends_clause(u.text) && words > 6);
            (!u.page_mark && !u.text.is_empty() && short).then(|| {
                match_key(u.text)
                    .chars()
                    .map(|c| if c.is_ascii_digit() { '#' } else { c })
                    .collect()
            })
        })
        .collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for k in keys.iter().flatten() {
        *counts.entry(k.as_str()).or_default() += 1;
    }
    let heading_keys: HashSet<&str> = units
        .iter()
        .zip(&keys)
        .filter(|(u, _)| u.heading)
        .filter_map(|(_, k)| k.as_deref())
        .collect();
    let repeated = |i: usize| -> Option<&str> {
        let k = keys.get(i)?.as_deref()?;
        (counts.get(k).copied().unwrap_or(0) >= 2).then_some(k)
    };
    let mut out = vec![false; units.len()];
    for (i, u) in units.iter().enumerate() {
        if u.page_mark {
            out[i] = !u.text.is_empty();
            continue;
        }
        if u.heading {
            continue;
        }
        let Some(key) = repeated(i) else { continue };
        let neighbour = |j: Option<usize>| {
            j.and_then(|j| units.get(j).map(|n| (j, n)))
                .is_some_and(|(j, n)| n.page_mark || repeated(j).is_some_and(|other| other != key))
        };
        let grouped = neighbour(i.checked_sub(1)) || neighbour(Some(i + 1));
        let repeats_heading = heading_keys.contains(key);
        let shouted = counts.get(key).copied().unwrap_or(0) >= 3
            && word_count(u.text) <= 4
            && is_all_caps(u.text)
            && !ends_clause(u.text);
        out[i] = grouped || repeats_heading || shouted;
    }
    out
}

static URL_ONLY: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^(?:https?://|www\.)\S+$"));
static TOC_LEADER: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:\.{4,}|…{2,}|·{4,}|_{4,})\s*\d{1,4}$"));
static COPYRIGHT_START: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^(?:©|\(c\)\s*\d{4}|copyright\b|版权所有|著作権)"));
static COPYRIGHT_ANY: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)©|\ball\s+rights\s+reserved\b|版权所有|保留所有权利"));
/// A relative time ("5 months ago", "il y a 3 jours", "vor 2 Tagen",
/// "Updated yesterday"): a line carrying one changes on every fetch.
static RELATIVE_TIME: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)\b(?:\d{1,4}|an?|one|a\s+few|few|several)\s+(?:sec(?:ond)?|min(?:ute)?|hour|hr|day|week|month|year|yr)s?\s+ago\b",
        r"|\bil\s+y\s+a\s+\d{1,4}\s+(?:seconde|minute|heure|jour|semaine|mois|an|année)s?\b",
        r"|\bvor\s+\d{1,4}\s+(?:Sekunde|Minute|Stunde|Tag|Woche|Monat|Jahr)(?:n|en|e)?\b",
        r"|^(?:last\s+)?(?:updated|modified|edited|posted|published|changed)\s*:?\s*(?:today|yesterday|just\s+now)$"
    ))
});
/// A necessary condition for [`RELATIVE_TIME`], far cheaper than the
/// regex: every alternative holds "ago", "y a", "vor", "day" or "now".
fn may_be_relative_time(t: &str) -> bool {
    t.as_bytes().windows(3).any(|w| {
        [b"ago", b"y a", b"vor", b"day", b"now"]
            .iter()
            .any(|k| w.eq_ignore_ascii_case(*k))
    })
}

static YEAR: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?:19|20)\d{2}\b"));
static ICP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)icp\s*(?:备|证|證|許可|license|licence|filing|no\b)|[京沪粤浙苏津渝川鄂湘闽皖鲁豫冀晋辽吉黑赣桂琼贵云藏陕甘青宁新蒙]\s*icp|公网安备|网安备|增值电信业务经营许可证",
    )
});
/// A necessary condition for [`ICP`] to match, far cheaper than the regex:
/// every alternative contains "icp" (any case) or "网安备" / "增值电信".
fn may_be_icp(t: &str) -> bool {
    t.as_bytes()
        .windows(3)
        .any(|w| w.eq_ignore_ascii_case(b"icp"))
        || t.contains("网安备")
        || t.contains("增值电信")
}

static PARENTHETICAL: LazyLock<Regex> = LazyLock::new(|| re(r"\([^)]*\)|（[^）]*）"));

/// A copyright notice ("© 2024 Acme", "Copyright 2024 Acme Inc. All
/// rights reserved."), not a provision about copyright ("Copyright
/// infringement. If you believe …"): after a leading "Copyright" the notice
/// marks (a year, ©, "all rights reserved") must come within the first
/// few words.
fn is_copyright_notice(t: &str) -> bool {
    if !COPYRIGHT_START.is_match(t) {
        return false;
    }
    let lower = t.to_lowercase();
    if !lower.starts_with("copyright") {
        return true;
    }
    let head: String = t.chars().take(48).collect();
    YEAR.is_match(&head) || COPYRIGHT_ANY.is_match(t) || lower.starts_with("copyright (c)")
}

#[rustfmt::skip]
const CTA_EXACT: &[&str] = &[
    "sign in", "sign up", "log in", "login", "log out", "logout", "register", "request an account",
    "create an account", "create account", "create a free account", "open an account",
    "get started", "start now", "start free trial", "free trial", "try it free", "try for free",
    "contact us", "contact sales", "talk to sales", "subscribe", "download", "download now",
    "download pdf", "learn more", "read more", "see more", "show more", "show less", "view more",
    "view all", "back to top", "back to the top", "return to top", "return to the top",
    "scroll to top", "go to top", "jump to top", "to top", "to the top", "top of page", "nach oben",
    "haut de page", "retour en haut", "volver arriba", "top", "skip to content",
    "skip to main content", "skip navigation",
    "menu", "main menu", "close", "search", "accept", "accept all", "accept all cookies",
    "accept cookies", "allow all", "allow all cookies", "reject all", "reject", "decline",
    "manage cookies", "cookie settings", "cookie preferences", "manage preferences", "customize",
    "customise", "ok", "got it", "i agree", "share", "print", "print this page", "rate this page",
    "was this page helpful", "feedback", "give feedback", "more", "my account", "previous", "next",
    "home", "help", "登录", "注册", "立即注册", "免费注册", "联系我们", "返回顶部", "分享", "打印", "接受", "拒绝",
];
#[rustfmt::skip]
const CTA_PREFIX: &[&str] = &[
    "sign in to ", "log in to ", "sign up for ", "sign up to ", "get started with ", "share on ",
    "share this ", "follow us", "subscribe to ", "was this page helpful", "rate this ",
    "click here to return", "download the app", "back to ", "go to ", "skip to ",
    "thanks for your feedback", "thanks for sharing your feedback", "thank you for your feedback",
    "manage your cookie",
];
#[rustfmt::skip]
const COOKIE_CTA: &[&str] = &[
    "accept", "accept all", "accept all cookies", "accept cookies", "allow all",
    "allow all cookies", "reject all", "reject", "decline", "manage cookies", "cookie settings",
    "cookie preferences", "manage preferences", "i agree", "got it", "ok",
];

/// Lowercase, trimmed of surrounding punctuation and arrows, single-spaced.
fn cta_key(t: &str) -> String {
    t.trim_matches(|c: char| !c.is_alphanumeric())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn is_cta(t: &str) -> bool {
    let k = cta_key(t);
    CTA_EXACT.contains(&k.as_str()) || CTA_PREFIX.iter().any(|p| k.starts_with(p))
}

/// Junk judged from one block alone.
fn is_junk_line(b: &Block, f: &Facts) -> bool {
    let t = b.text.trim();
    if !t.chars().any(char::is_alphanumeric) {
        return true;
    }
    // Cheap guards first: most blocks are running text, and the patterns
    // below can only match short text, text without spaces or text ending
    // in a digit.
    if is_page_number(t)
        || (!t.contains(char::is_whitespace) && URL_ONLY.is_match(t))
        || (t.ends_with(|c: char| c.is_ascii_digit()) && TOC_LEADER.is_match(t))
    {
        return true;
    }
    let words = f.words;
    if words <= 40 && (is_copyright_notice(t) || (may_be_icp(t) && ICP.is_match(t))) {
        return true;
    }
    if words <= 12 && may_be_relative_time(t) && RELATIVE_TIME.is_match(t) {
        return true;
    }
    if words <= 15 && COPYRIGHT_ANY.is_match(t) && YEAR.is_match(t) {
        return true;
    }
    !b.is_heading() && words <= 6 && (is_cta(t) || b.button)
}

#[rustfmt::skip]
const LANGUAGE_NAMES: &[&str] = &[
    "english", "deutsch", "español", "espanol", "français", "francais", "italiano", "português",
    "portugues", "nederlands", "polski", "русский", "українська", "türkçe", "turkce", "svenska",
    "dansk", "norsk", "suomi", "čeština", "cestina", "magyar", "română", "romana", "ελληνικά",
    "עברית", "العربية", "عربي", "हिन्दी", "ไทย", "中文", "简体中文", "繁體中文", "繁体中文", "日本語", "한국어",
    "català", "hrvatski", "slovenčina", "slovenščina", "български", "lietuvių", "latviešu", "eesti",
    "srpski", "српски", "tagalog", "filipino", "bahasa indonesia", "bahasa melayu", "tiếng việt",
    "norsk bokmål", "简体", "繁體", "繁体",
];
#[rustfmt::skip]
const LANGUAGE_FILLER: &[&str] = &[
    "language", "languages", "select", "choose", "your", "a", "语言", "語言", "言語", "langue", "sprache",
    "idioma",
];

/// Counts language names and other words in a block ("Deutsch | English | 中文 (简体)").
/// Stops at the first word that is neither a language name nor filler
/// (`other` is then 1): callers only ask whether a block is all languages.
fn language_tokens(text: &str) -> (usize, usize) {
    // Even a picker listing every language fits in this; running text is
    // longer and never a picker.
    if text.len() > 2_000 {
        return (0, 1);
    }
    // Most blocks have no brackets: no regex pass.
    let bracketed = memchr::memchr(b'(', text.as_bytes()).is_some() || text.contains('（');
    let t = if bracketed {
        PARENTHETICAL.replace_all(text, " ")
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    // Words are lowercased one at a time, and only as far as the loop reads:
    // a paragraph is settled by its first word.
    let mut words = t
        .split(|c: char| c.is_whitespace() || "|/·•,;:".contains(c))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .peekable();
    let (mut langs, mut other) = (0, 0);
    while let Some(w) = words.next() {
        let pair = words.peek().is_some_and(|n| {
            LANGUAGE_NAMES
                .iter()
                .any(|name| name.split_once(' ') == Some((w.as_str(), n.as_str())))
        });
        if pair {
            langs += 1;
            words.next();
            continue;
        }
        if LANGUAGE_NAMES.contains(&w.as_str()) {
            langs += 1;
        } else if !LANGUAGE_FILLER.contains(&w.as_str()) {
            other += 1;
            break;
        }
    }
    (langs, other)
}

fn mark_language_pickers(blocks: &[Block], junk: &mut [bool]) {
    let mut run: Vec<usize> = Vec::new();
    let close = |run: &mut Vec<usize>, junk: &mut [bool]| {
        if run.len() >= 2 {
            for &j in run.iter() {
                junk[j] = true;
            }
        }
        run.clear();
    };
    for (i, b) in blocks.iter().enumerate() {
        let (langs, other) = language_tokens(&b.text);
        if other == 0 && langs >= 2 {
            junk[i] = true;
        }
        if other == 0 && langs >= 1 && !b.is_heading() {
            run.push(i);
        } else {
            close(&mut run, junk);
        }
    }
    close(&mut run, junk);
}

/// A cookie-consent button drags the cookie notice just before it along.
fn mark_cookie_banners(blocks: &[Block], facts: &[Facts], junk: &mut [bool]) {
    for (i, b) in blocks.iter().enumerate() {
        // Consent buttons are a few words; skip building keys for paragraphs.
        if b.text.len() > 64 || !COOKIE_CTA.contains(&cta_key(&b.text).as_str()) {
            continue;
        }
        junk[i] = true;
        let from = i.saturating_sub(3);
        for ((p, f), j) in blocks
            .iter()
            .zip(facts)
            .zip(junk.iter_mut())
            .take(i)
            .skip(from)
        {
            let l = p.text.to_lowercase();
            if !p.is_heading()
                && l.contains("cookie")
                && ["accept", "consent", "agree", "continu", "allow"]
                    .iter()
                    .any(|w| l.contains(w))
                && f.words <= 60
            {
                *j = true;
            }
        }
    }
}

/// Mostly link text with hardly any other words: a menu, a footer column, breadcrumbs.
fn is_link_list(b: &Block, f: &Facts) -> bool {
    if b.is_heading() || b.links == 0 {
        return false;
    }
    let visible = f.visible;
    let non_link = visible.saturating_sub(b.link_chars);
    b.link_ratio(visible) >= 0.6 && non_link <= 25
}

/// Chrome flags, ignored when they would cover most of the document's running
/// text (a page whose `<body>` carries a class like `menu-open`).
fn chrome_flags(blocks: &[Block], facts: &[Facts]) -> Vec<bool> {
    let sentence_chars = |f: &Facts| if f.sentence_like() { f.visible } else { 0 };
    let total: usize = facts.iter().map(sentence_chars).sum();
    let chrome: usize = blocks
        .iter()
        .zip(facts)
        .filter(|(b, _)| b.chrome)
        .map(|(_, f)| sentence_chars(f))
        .sum();
    let trust = total == 0 || chrome * 10 <= total * 7;
    blocks.iter().map(|b| b.chrome && trust).collect()
}

/// How much a block looks like main content.
fn score(b: &Block, f: &Facts, junk: bool, linky: bool, chrome: bool) -> f32 {
    if chrome {
        return -3.0;
    }
    if junk {
        return -1.0;
    }
    if b.is_heading() {
        return 0.0;
    }
    if is_date_line(&b.text) {
        return 3.0;
    }
    if linky {
        return -2.0;
    }
    if b.kind == BlockKind::TableRow {
        // Data tables inside a policy (cookie lists, retention periods) are content.
        return 0.0;
    }
    let words = f.words;
    if f.sentence_like() {
        1.0 + (words as f32 / 10.0).min(8.0)
    } else if words >= 3 && ends_clause(&b.text) {
        0.5
    } else if words >= 2
        && matches!(b.kind, BlockKind::ListItem(_))
        && b.text.trim_end().ends_with(['.', ';', '。', '；'])
    {
        // Short rules ("No spam.") read as sentences; menu entries do not end with a full stop.
        0.5
    } else if words >= 2 && matches!(b.kind, BlockKind::ListItem(_)) && b.links == 0 {
        // A long list of short items without links (prohibited uses, data
        // categories) is content; it must not split the main span.
        0.0
    } else {
        -0.3
    }
}

/// The maximum-sum run of `scores[lo..hi]` as (start, end, sum), if positive.
fn best_span(scores: &[f32], lo: usize, hi: usize) -> Option<(usize, usize, f32)> {
    let mut best: Option<(usize, usize, f32)> = None;
    let (mut sum, mut start) = (0.0f32, lo);
    for (i, score) in scores.iter().enumerate().take(hi).skip(lo) {
        if sum <= 0.0 {
            sum = 0.0;
            start = i;
        }
        sum += score;
        if sum > 0.0 && best.is_none_or(|(_, _, b)| sum > b) {
            best = Some((start, i + 1, sum));
        }
    }
    best
}

/// Most separate content regions kept from one page.
const MAX_SPANS: usize = 64;

/// Decides which blocks are content. Returns one flag per block.
///
/// `paged` says the source has pages (PDF, plain text): only there are short
/// repeated lines running headers and footers. A web page has no pages, and
/// its repeated short blocks are content — table labels repeated row after
/// row ("Account Data"), or a policy published twice on one page (a US and
/// an EU version whose identical lines would otherwise cancel out).
pub(crate) fn select(blocks: &[Block], paged: bool) -> Selection {
    let n = blocks.len();
    let facts: Vec<Facts> = blocks.iter().map(Facts::of).collect();
    let mut junk: Vec<bool> = blocks
        .iter()
        .zip(&facts)
        .map(|(b, f)| is_junk_line(b, f))
        .collect();
    mark_language_pickers(blocks, &mut junk);
    mark_cookie_banners(blocks, &facts, &mut junk);
    if paged {
        let units: Vec<Unit<'_>> = blocks
            .iter()
            .map(|b| {
                let item = matches!(b.kind, BlockKind::ListItem(_));
                Unit {
                    text: if item { "" } else { &b.text },
                    heading: b.is_heading(),
                    page_mark: !item && is_page_number(&b.text),
                }
            })
            .collect();
        for (j, r) in junk.iter_mut().zip(running_lines(&units)) {
            *j |= r;
        }
    }
    let linky: Vec<bool> = blocks
        .iter()
        .zip(&facts)
        .map(|(b, f)| is_link_list(b, f))
        .collect();
    let chrome = chrome_flags(blocks, &facts);
    let toc = toc_flags(blocks, &facts, &chrome);
    let blocked: Vec<bool> = (0..n)
        .map(|i| junk[i] || linky[i] || chrome[i] || toc[i])
        .collect();
    // A table of contents belongs to the main content: neutral, then dropped.
    let scores: Vec<f32> = (0..n)
        .map(|i| {
            if toc[i] {
                0.0
            } else {
                score(&blocks[i], &facts[i], junk[i], linky[i], chrome[i])
            }
        })
        .collect();

    let mut keep = vec![false; n];
    // The page's running text, for the coverage guarantee: sentence-like
    // blocks that are not link lists, contents lists, junk lines or chrome
    // by tag or role. Chrome guessed from a class or id name counts: a
    // layout wrapper named like a sidebar must not hide the document.
    let weak: Vec<bool> = (0..n)
        .map(|i| !chrome[i] || blocks[i].named_chrome)
        .collect();
    let running: Vec<usize> = (0..n)
        .map(|i| {
            let f = &facts[i];
            if f.sentence_like() && weak[i] && !(junk[i] || linky[i] || toc[i]) {
                f.visible
            } else {
                0
            }
        })
        .collect();
    match best_span(&scores, 0, n) {
        None => keep.iter_mut().zip(&blocked).for_each(|(k, b)| *k = !b),
        Some((s, e, best)) => {
            let threshold = (best * 0.3).max(10.0);
            let mut spans = vec![(s, e)];
            let mut todo = vec![(0, s), (e, n)];
            // Bounded, so a pathological page cannot make this quadratic.
            while let Some((lo, hi)) = todo.pop().filter(|_| spans.len() < MAX_SPANS) {
                if let Some((s2, e2, _)) = best_span(&scores, lo, hi).filter(|x| x.2 >= threshold) {
                    spans.push((s2, e2));
                    todo.push((lo, s2));
                    todo.push((e2, hi));
                }
            }
            spans.sort_unstable_by_key(|x| x.0);
            let mut floor = 0;
            for (k, &(s, e)) in spans.iter().enumerate() {
                let ceiling = spans.get(k + 1).map_or(n, |x| x.0);
                let s = extend_back(blocks, &facts, &blocked, &chrome, s, floor);
                let e = extend_forward(blocks, &blocked, e, ceiling);
                for i in s..e {
                    keep[i] = !blocked[i];
                }
                floor = e;
            }
        }
    }
    let boiler: Vec<bool> = (0..n).map(|i| junk[i] || linky[i] || toc[i]).collect();
    widen(keep, &running, &boiler, &chrome, &weak)
}

/// What [`select`] decided.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Selection {
    /// One flag per block: content.
    pub(crate) keep: Vec<bool>,
    /// Share of the page's running text (sentence-like blocks outside link
    /// lists, contents lists, junk lines and chrome by tag, role or consent
    /// banner) that the kept blocks hold; 1.0 for a page with no running
    /// text.
    pub(crate) coverage: f64,
}

/// Below this coverage the choice is widened.
const MIN_COVERAGE: f64 = 0.6;

/// Share of `running` text held by the blocks `keep` flags.
fn coverage(keep: &[bool], running: &[usize]) -> f64 {
    let total: usize = running.iter().sum();
    if total == 0 {
        return 1.0;
    }
    let kept: usize = running
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(r, _)| r)
        .sum();
    kept as f64 / total as f64
}

/// The coverage guarantee: when the chosen spans hold less than
/// [`MIN_COVERAGE`] of the page's running text, the choice widens — first to
/// every block that is not boilerplate (junk, link list, contents list) or
/// chrome, then also to chrome guessed only from class or id names (a
/// layout wrapper named like a sidebar must not lose the document). One
/// pass over the blocks per step; no second parse.
fn widen(
    keep: Vec<bool>,
    running: &[usize],
    boiler: &[bool],
    chrome: &[bool],
    weak: &[bool],
) -> Selection {
    let first = coverage(&keep, running);
    if first >= MIN_COVERAGE {
        return Selection {
            keep,
            coverage: first,
        };
    }
    let body: Vec<bool> = boiler.iter().zip(chrome).map(|(b, c)| !b && !c).collect();
    let c = coverage(&body, running);
    if c >= MIN_COVERAGE {
        return Selection {
            keep: body,
            coverage: c,
        };
    }
    let named: Vec<bool> = boiler.iter().zip(weak).map(|(b, w)| !b && *w).collect();
    let c_named = coverage(&named, running);
    let (keep, coverage) = [(keep, first), (body, c), (named, c_named)]
        .into_iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or_default();
    Selection { keep, coverage }
}

/// Moves a span's start back over the title and date lines just before it,
/// crossing at most three short, junk or chrome blocks (a share bar,
/// breadcrumbs) on the way.
fn extend_back(
    blocks: &[Block],
    facts: &[Facts],
    blocked: &[bool],
    chrome: &[bool],
    start: usize,
    floor: usize,
) -> usize {
    let (mut s, mut j, mut pending) = (start, start, 0);
    while j > floor && pending <= 3 {
        let i = j - 1;
        let Some(b) = blocks.get(i) else { break };
        let in_chrome = chrome.get(i).copied().unwrap_or(true);
        if !in_chrome && (b.is_heading() || is_date_line(&b.text)) {
            s = i;
            pending = 0;
        } else if blocked.get(i).copied().unwrap_or(true)
            || (facts.get(i).is_some_and(|f| f.words <= 12) && b.kind == BlockKind::Paragraph)
        {
            pending += 1;
        } else {
            break;
        }
        j = i;
    }
    s
}

/// Moves a span's end forward over the rest of the list or table it ends in.
fn extend_forward(blocks: &[Block], blocked: &[bool], end: usize, ceiling: usize) -> usize {
    let listy = |b: &Block| matches!(b.kind, BlockKind::ListItem(_) | BlockKind::TableRow);
    let Some(last) = end.checked_sub(1).and_then(|i| blocks.get(i)) else {
        return end;
    };
    // After a list, a table or a lead-in ("We collect:") the run continues
    // over list items and table rows; after anything else only over the rows
    // of a data table (they score neutral, so the best span stops before them).
    let continues: &dyn Fn(&Block) -> bool =
        if listy(last) || last.text.trim_end().ends_with([':', '：']) {
            &listy
        } else {
            &|b: &Block| b.kind == BlockKind::TableRow
        };
    let mut e = end;
    while e < ceiling
        && blocks.get(e).is_some_and(continues)
        && !blocked.get(e).copied().unwrap_or(true)
    {
        e += 1;
    }
    e
}

static LEADING_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^(?:(?:section|article|part|chapter)\s+)?(?:\d{1,3}(?:\.\d{1,3})*\.?|[ivxlc]{1,6}\.|[a-z][.)]|\(\w{1,4}\))\s+",
    )
});

fn toc_key(t: &str) -> String {
    match_key(&LEADING_NUMBER.replace(t.trim(), ""))
}

/// Flags tables of contents: runs of short items (outside chrome) whose texts
/// repeat headings — or run-in titles — that come later, plus a short lead-in
/// such as "On this page:".
fn toc_flags(blocks: &[Block], facts: &[Facts], chrome: &[bool]) -> Vec<bool> {
    // Where each section title last appears: as a heading, or as the run-in
    // title of a paragraph or item ("Payment and Renewal. You will pay …").
    let mut last_heading: HashMap<String, usize> = HashMap::new();
    for (i, b) in blocks.iter().enumerate() {
        if chrome[i] {
            continue;
        }
        if b.is_heading() {
            last_heading.insert(toc_key(&b.text), i);
        } else if let Some(title) = run_in_title(&b.text) {
            last_heading.insert(toc_key(title), i);
        }
    }
    let mut out = vec![false; blocks.len()];
    let mut run: Vec<usize> = Vec::new();
    let mut close = |run: &mut Vec<usize>| {
        let matches = run
            .iter()
            .filter(|&&i| {
                let key = toc_key(&blocks[i].text);
                !key.is_empty() && last_heading.get(&key).is_some_and(|&h| h > i)
            })
            .count();
        if matches >= 2 && matches * 2 >= run.len() {
            for &i in run.iter() {
                out[i] = true;
            }
            let lead_in = run.first().and_then(|&i| i.checked_sub(1));
            if let Some(l) = lead_in
                && blocks[l].kind == BlockKind::Paragraph
                && facts[l].words <= 6
                && blocks[l].text.trim_end().ends_with([':', '：'])
            {
                out[l] = true;
            }
        }
        run.clear();
    };
    for (i, b) in blocks.iter().enumerate() {
        let short = !b.is_heading() && facts[i].words <= 15 && !ends_sentence_strict(&b.text);
        if short && !chrome[i] {
            run.push(i);
        } else {
            close(&mut run);
        }
    }
    close(&mut run);
    out
}

/// The run-in title of a block: its first few words up to a full stop or
/// colon, when the text goes on after them ("Delivery Policy. Upon receipt …").
fn run_in_title(t: &str) -> Option<&str> {
    let end = t
        .char_indices()
        .take(100)
        .find(|(_, c)| matches!(c, '.' | ':' | '：' | '。'))
        .map(|(i, _)| i)?;
    let title = t.get(..end)?;
    let rest = t.get(end + 1..)?.trim();
    (word_count(title) <= 10 && has_words(rest, 3)).then_some(title)
}

/// `word_count(t) >= n`, stopping early on ASCII text (the common case:
/// the rest of a paragraph after its run-in title).
fn has_words(t: &str, n: usize) -> bool {
    if !t.is_ascii() {
        return word_count(t) >= n;
    }
    // Same counting as `word_count`'s ASCII path; counts only grow.
    let (mut words, mut in_word, mut alnum) = (0, false, false);
    for &c in t.as_bytes() {
        if matches!(c, b' ' | b'\t'..=b'\r') {
            words += usize::from(in_word && alnum);
            if words >= n {
                return true;
            }
            (in_word, alnum) = (false, false);
        } else {
            in_word = true;
            alnum |= c.is_ascii_alphanumeric();
        }
    }
    words + usize::from(in_word && alnum) >= n
}

fn ends_sentence_strict(t: &str) -> bool {
    t.trim_end().ends_with(['.', '。'])
}

/// Joins a paragraph that starts mid-sentence to the block before it when that
/// block stops mid-sentence (text split by a page break or a dropped header).
pub(crate) fn rejoin(blocks: Vec<Block>) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
    for b in blocks {
        if b.kind == BlockKind::Paragraph
            && starts_mid_sentence(&b.text)
            && let Some(prev) = out.last_mut()
            && matches!(prev.kind, BlockKind::Paragraph | BlockKind::ListItem(_))
            && !ends_clause(&prev.text)
            && !prev.strong_only
        {
            prev.text.push(' ');
            prev.text.push_str(&b.text);
            prev.link_chars += b.link_chars;
            prev.links += b.links;
            continue;
        }
        out.push(b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: &str) -> Block {
        Block::new(BlockKind::Paragraph, t)
    }

    fn link(t: &str) -> Block {
        let mut b = p(t);
        b.link_chars = b.visible_chars();
        b.links = 1;
        b
    }

    fn kept(blocks: &[Block]) -> Vec<&str> {
        let keep = select(blocks, true).keep;
        blocks
            .iter()
            .zip(keep)
            .filter(|(_, k)| *k)
            .map(|(b, _)| b.text.as_str())
            .collect()
    }

    const BODY: &str =
        "You may not use the services to violate the security of any network, computer or system.";

    #[test]
    fn line_rules() {
        for junk in [
            "© 2020, Example Web Services, Inc. or its affiliates. All rights reserved.",
            "Copyright 2023 Pixel Forge",
            "Sign In to the Console",
            "Request an account",
            "Rate this Page »",
            "Thanks for sharing your feedback!",
            "Page 3 of 7",
            "http://www.example.cn/en/privacy/",
            "1. Introduction ........ 3",
            "京ICP备06062228号-7",
            "—",
        ] {
            let b = p(junk);
            assert!(is_junk_line(&b, &Facts::of(&b)), "{junk}");
        }
        for fine in [
            BODY,
            "Contact",
            "The content is owned by us and all rights reserved to us by law are kept.",
        ] {
            let b = p(fine);
            assert!(!is_junk_line(&b, &Facts::of(&b)), "{fine}");
        }
        let b = Block::new(BlockKind::Heading(2), "Contact Us");
        assert!(!is_junk_line(&b, &Facts::of(&b)));
    }

    #[test]
    fn ascii_facts_agree_with_the_general_measures() {
        for t in [
            "",
            " a  b\tc.\x0b",
            "No spam; ever",
            "-- 3 --",
            "Hello, world!",
        ] {
            let b = p(t);
            let f = Facts::of_ascii(t.as_bytes());
            assert_eq!(f.words, word_count(t), "{t:?}");
            assert_eq!(f.visible, b.visible_chars(), "{t:?}");
            assert_eq!(f.sentence_punct, has_sentence_punct(t), "{t:?}");
        }
    }

    #[test]
    fn language_pickers() {
        assert_eq!(
            language_tokens("عربي | Bahasa Indonesia | Deutsch | English | Español | Tiếng Việt"),
            (6, 0)
        );
        assert_eq!(language_tokens("中文 (简体) 中文 (繁體)"), (2, 0));
        assert_eq!(language_tokens("English is the governing law."), (1, 1)); // stops at "is"
    }

    #[test]
    fn keeps_the_main_span_and_its_title() {
        let blocks = vec![
            link("Products"),
            link("Pricing"),
            p("Menu"),
            Block::new(BlockKind::Heading(1), "Privacy Notice"),
            p("Effective Date: 28 February 2024"),
            p(BODY),
            Block::new(BlockKind::Heading(2), "Your Rights"),
            p("You may ask us for a copy of the information we hold about you, at any time."),
            p("Learn About Us"),
            link("About"),
            link("Careers"),
            p("We are an equal opportunity employer: all / any / every / one."),
            p("© 2024 Fairhaven Bank. All rights reserved."),
        ];
        assert_eq!(
            kept(&blocks),
            vec![
                "Privacy Notice",
                "Effective Date: 28 February 2024",
                BODY,
                "Your Rights",
                "You may ask us for a copy of the information we hold about you, at any time."
            ]
        );
    }

    #[test]
    fn drops_running_headers() {
        let blocks = vec![
            p("LEGAL"),
            p("Example Policy"),
            Block::new(BlockKind::Heading(1), "Example Policy"),
            p(BODY),
            p("LEGAL"),
            p("Example Policy"),
            p("pornography, or depicts violence, and other things that we do not allow."),
            p("LEGAL"),
            p(BODY),
        ];
        let got = kept(&blocks);
        assert!(
            !got.contains(&"LEGAL") && got.iter().filter(|t| **t == "Example Policy").count() == 1,
            "{got:?}"
        );
    }

    #[test]
    fn repeated_short_blocks_are_content_on_unpaged_sources() {
        // Table labels repeated row after row (an HTML data table read as
        // blocks): running headers in a PDF, content on a web page.
        let mut blocks = vec![p(BODY)];
        for _ in 0..3 {
            blocks.push(p("Categories"));
            blocks.push(p("Account Data"));
            blocks.push(p(BODY));
        }
        let keep = |paged| {
            let keep = select(&blocks, paged).keep;
            blocks
                .iter()
                .zip(keep)
                .filter(|(b, k)| *k && b.text == "Account Data")
                .count()
        };
        assert_eq!(keep(false), 3);
        assert_eq!(keep(true), 0);
    }

    #[test]
    fn drops_tables_of_contents() {
        let blocks = vec![
            p(BODY),
            p("1. Introduction"),
            p("2. Your Data"),
            p("3. Contact"),
            Block::new(BlockKind::Heading(2), "1. Introduction"),
            p(BODY),
            Block::new(BlockKind::Heading(2), "2. Your Data"),
            p(BODY),
            Block::new(BlockKind::Heading(2), "3. Contact"),
            p(BODY),
        ];
        let got = kept(&blocks);
        assert_eq!(
            got.iter().filter(|t| t.contains("Introduction")).count(),
            1,
            "{got:?}"
        );
    }

    #[test]
    fn rejoins_split_sentences() {
        let got = rejoin(vec![
            p("You must not use the Services to"),
            p("send spam."),
            p("pornography is banned."),
        ]);
        let texts: Vec<_> = got.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "You must not use the Services to send spam.",
                "pornography is banned."
            ]
        );
    }
}
