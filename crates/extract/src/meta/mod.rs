//! Document metadata taken from the kept blocks: the effective date (see
//! [`date`]) and the title. Metadata lines are removed from the block stream so
//! that neither the "Last updated" line nor the title becomes a provision.
//!
//! The title is a heading before any body text that outranks every other
//! heading (or an `h1` that is one of at most two), else the HTML `<title>` with the site name
//! trimmed. It is deliberately not the root of heading paths: two versions of
//! a policy with differently worded titles keep identical heading paths.

pub(crate) mod date;

use chrono::NaiveDate;

use crate::blocks::{Block, clean_text};

/// Title and effective date of a document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Meta {
    pub(crate) title: Option<String>,
    pub(crate) effective_date: Option<NaiveDate>,
}

/// Finds the metadata and clears `keep` for the blocks that carried it.
pub(crate) fn take_metadata(blocks: &[Block], keep: &mut [bool], html_title: Option<&str>) -> Meta {
    let effective_date = take_date(blocks, keep);
    let title = take_title(blocks, keep).or_else(|| html_title.and_then(page_title));
    Meta {
        title,
        effective_date,
    }
}

fn take_date(blocks: &[Block], keep: &mut [bool]) -> Option<NaiveDate> {
    let mut found = None;
    for (b, k) in blocks.iter().zip(keep.iter_mut()) {
        if !*k {
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
            .filter(|(_, k)| !**k)
            .find_map(|(b, _)| date::find_labelled_date(&b.text).filter(|h| h.whole_line))
            .map(|h| h.date)
    })
}

fn take_title(blocks: &[Block], keep: &mut [bool]) -> Option<String> {
    let kept: Vec<usize> = (0..blocks.len())
        .filter(|&i| keep.get(i).copied().unwrap_or(false))
        .collect();
    let level = |i: usize| match blocks.get(i).map(|b| b.kind) {
        Some(crate::blocks::BlockKind::Heading(l)) => Some(l),
        _ => None,
    };
    let leading: Vec<usize> = kept
        .iter()
        .copied()
        .take_while(|&i| level(i).is_some())
        .collect();
    let candidate = leading.iter().copied().min_by_key(|&i| (level(i), i))?;
    let cand_level = level(candidate)?;
    let others: Vec<u8> = kept
        .iter()
        .filter(|&&i| i != candidate)
        .filter_map(|&i| level(i))
        .collect();
    let h1s = others.iter().filter(|l| **l == 1).count() + usize::from(cand_level == 1);
    let outranks = !others.is_empty() && others.iter().all(|l| *l > cand_level);
    if !(outranks || (cand_level == 1 && h1s <= 2)) {
        return None;
    }
    let title = clean_text(&blocks.get(candidate)?.text);
    if title.is_empty() {
        return None;
    }
    // Headings above the title (a site banner, a picker's "Language") are not sections.
    for &i in leading.iter().filter(|&&i| i <= candidate) {
        if let Some(k) = keep.get_mut(i) {
            *k = false;
        }
    }
    Some(title)
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
    let keyword = |p: &&&str| {
        let l = p.to_lowercase();
        [
            "terms",
            "policy",
            "privacy",
            "agreement",
            "conditions",
            "guidelines",
            "notice",
            "rules",
            "standards",
            "条款",
            "政策",
            "协议",
            "规则",
            "声明",
            "指引",
        ]
        .iter()
        .any(|k| l.contains(k))
    };
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
    use crate::blocks::BlockKind;

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
        let m = take_metadata(&b, &mut keep, None);
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
        let m = take_metadata(&b, &mut keep, Some("Privacy Notice | Fairhaven Bank"));
        assert_eq!(m.title.as_deref(), Some("Privacy Notice"));
        assert!(keep.iter().all(|k| *k));
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
