//! Document metadata taken from the kept blocks: the effective date (see
//! [`date`]) and the title. Metadata lines are removed from the block stream so
//! that neither the "Last updated" line nor the title becomes a provision.
//!
//! The title is a heading before any body text that outranks every other
//! heading, is an `h1` that is one of at most two, or names a document
//! ("… Terms of Use"); else the HTML `<title>` with the site name trimmed.
//! It is deliberately not the root of heading paths: two versions of a policy
//! with differently worded titles keep identical heading paths.

pub(crate) mod date;

use chrono::NaiveDate;

use crate::blocks::{Block, BlockKind, clean_text};

/// Title and effective date of a document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Meta {
    pub(crate) title: Option<String>,
    pub(crate) effective_date: Option<NaiveDate>,
}

/// Finds the metadata and clears `keep` for the blocks that carried it.
/// `page_titles` are the page's own names for itself, best first (an HTML
/// page's `og:title`, then its `<title>`).
pub(crate) fn take_metadata(blocks: &[Block], keep: &mut [bool], page_titles: &[&str]) -> Meta {
    let effective_date = take_date(blocks, keep);
    let titles: Vec<String> = page_titles.iter().filter_map(|t| page_title(t)).collect();
    // The page title that names a document, else the first one.
    let named = titles
        .iter()
        .find(|t| has_document_keyword(t))
        .or(titles.first());
    let title = take_title(blocks, keep, named.map(String::as_str))
        .or_else(|| named.cloned())
        .or_else(|| first_heading(blocks, keep));
    Meta {
        title,
        effective_date,
    }
}

/// The first kept heading that reads like a name (not numbered, at most
/// 14 words), left in place: the last resort for a title.
fn first_heading(blocks: &[Block], keep: &[bool]) -> Option<String> {
    blocks
        .iter()
        .zip(keep)
        .filter(|(b, k)| **k && b.is_heading())
        .map(|(b, _)| clean_text(&b.text))
        .find(|t| {
            !t.is_empty()
                && crate::blocks::word_count(t) <= 14
                && !t.trim_start().starts_with(|c: char| c.is_ascii_digit())
        })
}

fn take_date(blocks: &[Block], keep: &mut [bool]) -> Option<NaiveDate> {
    let mut found = None;
    for (b, k) in blocks.iter().zip(keep.iter_mut()) {
        if !*k {
            continue;
        }
        // A whole-line date is at most 160 bytes long (see `find_labelled_date`).
        if b.text.len() > 160 {
            continue;
        }
        if let Some(hit) = date::find_labelled_date(&b.text).filter(|h| h.whole_line) {
            found = found.or(Some(hit.date));
            *k = false;
        }
    }
    if found.is_some() {
        return found;
    }
    let labelled_in_text = blocks
        .iter()
        .zip(keep.iter())
        .filter(|(_, k)| **k)
        .find_map(|(b, _)| date::find_labelled_date(&b.text))
        .map(|h| h.date);
    labelled_in_text.or_else(|| {
        blocks
            .iter()
            .zip(keep.iter())
            .filter(|(b, k)| !**k && b.text.len() <= 160)
            .find_map(|(b, _)| date::find_labelled_date(&b.text).filter(|h| h.whole_line))
            .map(|h| h.date)
    })
}

fn take_title(blocks: &[Block], keep: &mut [bool], page: Option<&str>) -> Option<String> {
    let kept: Vec<usize> = (0..blocks.len())
        .filter(|&i| keep.get(i).copied().unwrap_or(false))
        .collect();
    let title = heading_title(blocks, &kept, page).or_else(|| paragraph_title(blocks, &kept));
    let (index, title) = title?;
    // Headings above the title (a site banner, a picker's "Language") are not sections.
    for &i in kept.iter().take_while(|&&i| i <= index) {
        if let Some(k) = keep.get_mut(i) {
            *k = false;
        }
    }
    Some(title)
}

/// A heading before any body text that outranks the others, is one of at
/// most two `h1`s, or names a document. A heading that only names a
/// document must agree with the page's own title (`page`) when there is one
/// naming a document: a consent banner's "We value your privacy" above the
/// sections of a page titled "Privacy Policy" is not the title.
fn heading_title(blocks: &[Block], kept: &[usize], page: Option<&str>) -> Option<(usize, String)> {
    let level = |i: usize| match blocks.get(i).map(|b| b.kind) {
        Some(BlockKind::Heading(l)) => Some(l),
        _ => None,
    };
    let leading = kept.iter().copied().take_while(|&i| level(i).is_some());
    let candidate = leading.min_by_key(|&i| (level(i), i))?;
    let cand_level = level(candidate)?;
    let others: Vec<u8> = kept
        .iter()
        .filter(|&&i| i != candidate)
        .filter_map(|&i| level(i))
        .collect();
    let h1s = others.iter().filter(|l| **l == 1).count() + usize::from(cand_level == 1);
    let outranks = !others.is_empty() && others.iter().all(|l| *l > cand_level);
    let title = clean_text(&blocks.get(candidate)?.text);
    let agrees = || {
        page.filter(|p| has_document_keyword(p)).is_none_or(|p| {
            let (t, p) = (title.to_lowercase(), p.to_lowercase());
            t.contains(&p) || p.contains(&t)
        })
    };
    let ok = outranks || (cand_level == 1 && h1s <= 2) || (names_a_document(&title) && agrees());
    (ok && !title.is_empty()).then_some((candidate, title))
}

/// A short first paragraph that names a document or sits right above the
/// date line: "Terms of Service" / "Last updated: May 19, 2026" in text
/// that lost its heading markup.
fn paragraph_title(blocks: &[Block], kept: &[usize]) -> Option<(usize, String)> {
    let &first = kept.first()?;
    let b = blocks.get(first)?;
    let text = clean_text(&b.text);
    let short = b.kind == BlockKind::Paragraph
        && (1..=12).contains(&crate::blocks::word_count(&text))
        && !crate::blocks::ends_clause(&text)
        && !text.ends_with(',');
    let above_date = blocks
        .get(first + 1)
        .is_some_and(|n| date::is_date_line(&n.text));
    (short && (above_date || names_a_document(&text))).then_some((first, text))
}

/// Words that name a kind of policy document.
#[rustfmt::skip]
const DOCUMENT_WORDS: &[&str] = &[
    "terms", "policy", "policies", "privacy", "agreement", "conditions", "guidelines", "notice",
    "rules", "standards", "statement", "code of conduct", "licence", "license", "eula", "charter",
    "politique", "conditions générales", "datenschutz", "bedingungen", "richtlinie", "términos",
    "política", "aviso", "条款", "政策", "协议", "规则", "声明", "指引", "准则", "规范", "規約", "ポリシー",
];

fn has_document_keyword(text: &str) -> bool {
    let l = text.to_lowercase();
    DOCUMENT_WORDS.iter().any(|k| l.contains(k))
}

/// A heading that reads like a document's name ("Bumble Terms and Conditions
/// of Use", "Nutzungsbedingungen", "隐私政策") rather than a numbered section
/// or a bare "Privacy".
fn names_a_document(text: &str) -> bool {
    let words = crate::blocks::word_count(text);
    let numbered = text.trim_start().starts_with(|c: char| c.is_ascii_digit());
    let lower = text.to_lowercase();
    let keyword = DOCUMENT_WORDS.iter().find(|k| lower.contains(*k));
    // One word only when the keyword is part of a compound or a CJK phrase.
    let enough =
        words >= 2 || keyword.is_some_and(|k| lower.chars().count() > k.chars().count() + 2);
    keyword.is_some() && enough && words <= 14 && !numbered
}

/// The document title inside an HTML `<title>`: "Privacy Notice | Fairhaven Bank"
/// → "Privacy Notice" (the part naming a policy, else the first part).
fn page_title(raw: &str) -> Option<String> {
    let t = clean_text(raw);
    if t.is_empty() {
        return None;
    }
    let mut parts: Vec<&str> = vec![t.as_str()];
    for sep in [" | ", " – ", " — ", " - ", " · ", " :: "] {
        parts = parts.iter().flat_map(|p| p.split(sep)).collect();
    }
    let parts: Vec<&str> = parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let keyword = |p: &&&str| has_document_keyword(p);
    let best = parts
        .iter()
        .find(keyword)
        .or_else(|| parts.first())
        .copied()?;
    Some(best.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(spec: &[(BlockKind, &str)]) -> Vec<Block> {
        spec.iter().map(|(k, t)| Block::new(*k, *t)).collect()
    }

    #[test]
    fn takes_title_and_date_lines_out() {
        let b = blocks(&[
            (BlockKind::Heading(1), "Acceptable Use Policy"),
            (BlockKind::Paragraph, "Last Updated: June 18, 2021"),
            (BlockKind::Paragraph, "This policy applies to you."),
            (BlockKind::Heading(2), "No Network Abuse"),
        ]);
        let mut keep = vec![true; b.len()];
        let m = take_metadata(&b, &mut keep, &[]);
        assert_eq!(m.title.as_deref(), Some("Acceptable Use Policy"));
        assert_eq!(
            m.effective_date.map(|d| d.to_string()).as_deref(),
            Some("2021-06-18")
        );
        assert_eq!(keep, vec![false, false, true, true]);
    }

    #[test]
    fn many_top_level_headings_are_sections_not_a_title() {
        let b = blocks(&[
            (BlockKind::Heading(1), "Introduction"),
            (BlockKind::Paragraph, "Text."),
            (BlockKind::Heading(1), "Data"),
            (BlockKind::Heading(1), "Rights"),
        ]);
        let mut keep = vec![true; b.len()];
        let m = take_metadata(&b, &mut keep, &["Privacy Notice | Fairhaven Bank"]);
        assert_eq!(m.title.as_deref(), Some("Privacy Notice"));
        assert!(keep.iter().all(|k| *k));
    }

    #[test]
    fn a_heading_naming_a_document_is_a_title() {
        let b = blocks(&[
            (BlockKind::Heading(2), "Bumble Terms and Conditions of Use"),
            (BlockKind::Paragraph, "Welcome."),
            (BlockKind::Heading(2), "1. Who Can Use Bumble"),
        ]);
        let mut keep = vec![true; b.len()];
        let title = take_metadata(&b, &mut keep, &[]).title;
        assert_eq!(title.as_deref(), Some("Bumble Terms and Conditions of Use"));
        let b = blocks(&[
            (BlockKind::Heading(2), "1. Privacy"),
            (BlockKind::Paragraph, "x."),
            (BlockKind::Heading(2), "2. Data"),
        ]);
        let mut keep = vec![true; b.len()];
        assert_eq!(take_metadata(&b, &mut keep, &[]).title, None);
    }

    #[test]
    fn a_short_paragraph_above_the_date_is_a_title() {
        let b = blocks(&[
            (BlockKind::Paragraph, "Cookies Notice"),
            (BlockKind::Paragraph, "Last updated: April 9, 2026"),
            (
                BlockKind::Paragraph,
                "This notice explains how we use cookies.",
            ),
        ]);
        let mut keep = vec![true; b.len()];
        let m = take_metadata(&b, &mut keep, &[]);
        assert_eq!(m.title.as_deref(), Some("Cookies Notice"));
        assert_eq!(keep, vec![false, false, true]);
        let b = blocks(&[
            (BlockKind::Paragraph, "Welcome to our service."),
            (BlockKind::Paragraph, "Terms"),
        ]);
        let mut keep = vec![true; b.len()];
        assert_eq!(take_metadata(&b, &mut keep, &[]).title, None);
        assert!(names_a_document("Nutzungsbedingungen") && !names_a_document("Privacy"));
    }

    #[test]
    fn trims_site_names_from_page_titles() {
        assert_eq!(
            page_title("Fairhaven Bank - Privacy Notice").as_deref(),
            Some("Privacy Notice")
        );
        assert_eq!(page_title("Help Center").as_deref(), Some("Help Center"));
        assert_eq!(page_title("  "), None);
    }
}
