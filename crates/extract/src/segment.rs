//! Blocks → provisions (DESIGN §4). Headings are not provisions: they build
//! the heading path of the provisions under them. Every paragraph, list item
//! and table row is one provision. A bold-only short paragraph
//! ("**Information You Give Us**") acts as a sub-heading of the current
//! section. Ids are `<slug of innermost heading>/<n>` (n counts from 1 within
//! that heading; `preamble` before the first heading), made unique when two
//! headings share a slug. A paragraph that starts mid-sentence gets a warning:
//! text before it was probably lost. A block longer than
//! [`MAX_PROVISION_BYTES`] (a whole document on one line) is split at
//! sentence ends into several provisions, with a warning: every later stage
//! (diff, labels, index) works per provision, and one unbounded provision
//! made their cost grow with the square of the document.

use std::collections::HashSet;

use cw_model::{Provision, ProvisionKind, Warning, slugify};

use crate::blocks::{Block, BlockKind, clean_text, starts_mid_sentence, word_count};

/// Root slug for provisions before the first heading.
const PREAMBLE: &str = "preamble";
/// Level given to bold-only pseudo-headings: below every real heading.
const PSEUDO_LEVEL: u8 = 7;
/// Longest slug kept in an id, in characters.
const MAX_SLUG: usize = 60;
/// Longest provision, in bytes of text: 16 KiB, several times the longest
/// paragraph of a real policy. Longer blocks are split (see the module
/// doc); no text is dropped.
pub(crate) const MAX_PROVISION_BYTES: usize = 16 * 1024;

struct Section {
    level: u8,
    text: String,
    slug: String,
    count: usize,
    pseudo: bool,
}

/// Turns content blocks into provisions, pushing warnings about probable text loss.
pub(crate) fn segment(blocks: &[Block], warnings: &mut Vec<Warning>) -> Vec<Provision> {
    let mut stack: Vec<Section> = Vec::new();
    let mut used: HashSet<String> = HashSet::from([PREAMBLE.to_string()]);
    let mut preamble_count = 0;
    let mut out = Vec::new();
    for b in blocks {
        let text = clean_text(&b.text);
        if !text.chars().any(char::is_alphanumeric) {
            continue;
        }
        let heading = match b.kind {
            BlockKind::Heading(level) => Some((level, false)),
            BlockKind::Paragraph if is_pseudo_heading(b, &text) => Some((PSEUDO_LEVEL, true)),
            _ => None,
        };
        if let Some((level, pseudo)) = heading {
            while stack
                .last()
                .is_some_and(|s| if pseudo { s.pseudo } else { s.level >= level })
            {
                stack.pop();
            }
            let slug = unique_slug(&text, &mut used);
            stack.push(Section {
                level,
                text,
                slug,
                count: 0,
                pseudo,
            });
            continue;
        }
        let kind = match b.kind {
            BlockKind::ListItem(_) => ProvisionKind::ListItem,
            BlockKind::TableRow => ProvisionKind::TableRow,
            _ => ProvisionKind::Paragraph,
        };
        let pieces = split_long(&text, MAX_PROVISION_BYTES);
        let path: Vec<String> = stack.iter().map(|s| s.text.clone()).collect();
        for (n, piece) in pieces.iter().enumerate() {
            let id = match stack.last_mut() {
                Some(s) => {
                    s.count += 1;
                    format!("{}/{}", s.slug, s.count)
                }
                None => {
                    preamble_count += 1;
                    format!("{PREAMBLE}/{preamble_count}")
                }
            };
            if n == 0 && kind == ProvisionKind::Paragraph && starts_mid_sentence(piece) {
                warnings.push(Warning::new(format!(
                    "possible lost text before provision {id} (starts mid-sentence)"
                )));
            }
            if n == 0 && pieces.len() > 1 {
                warnings.push(Warning::new(format!(
                    "a block of {} bytes was split into {} provisions from {id} on, at sentence ends \
                     (at most {MAX_PROVISION_BYTES} bytes each); no text was dropped",
                    text.len(),
                    pieces.len()
                )));
            }
            out.push(Provision::new(id, path.clone(), kind, *piece));
        }
    }
    out
}

/// Splits `text` into pieces of at most `max` bytes: after the last
/// sentence end (`.`, `!`, `?`, `;` before a space, or `。！？；`) in the
/// second half of each window, else after its last space, else at a
/// character boundary. Linear in the text; pieces are trimmed, and
/// together hold every non-space character of `text` in order.
fn split_long(text: &str, max: usize) -> Vec<&str> {
    let max = max.max(8);
    let mut out = Vec::new();
    let mut rest = text.trim();
    while rest.len() > max {
        let mut end = max;
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let window = rest.get(..end).unwrap_or(rest);
        let floor = end / 2;
        let sentence = window
            .char_indices()
            .rev()
            .take_while(|&(i, _)| i >= floor)
            .find(|&(i, c)| {
                matches!(c, '。' | '！' | '？' | '；')
                    || (matches!(c, '.' | '!' | '?' | ';')
                        && rest.get(i + 1..).is_some_and(|r| r.starts_with(' ')))
            })
            .map(|(i, c)| i + c.len_utf8());
        let cut = sentence
            .or_else(|| window.rfind(' ').filter(|&i| i >= floor))
            .unwrap_or(end)
            .max(1);
        let (piece, tail) = rest.split_at(cut.min(rest.len()));
        let piece = piece.trim();
        if !piece.is_empty() {
            out.push(piece);
        }
        rest = tail.trim_start();
    }
    if !rest.is_empty() || out.is_empty() {
        out.push(rest);
    }
    out
}

/// A short, all-bold paragraph that does not end like a sentence.
fn is_pseudo_heading(b: &Block, text: &str) -> bool {
    b.strong_only
        && word_count(text) <= 12
        && !text
            .trim_end()
            .ends_with(['.', ';', ':', ',', '!', '。', '；', '：', '，'])
}

/// The slug of a heading, shortened at a word boundary, unique in the document.
fn unique_slug(text: &str, used: &mut HashSet<String>) -> String {
    let mut base = slugify(text);
    if base.chars().count() > MAX_SLUG {
        let cut: String = base.chars().take(MAX_SLUG).collect();
        base = match cut.rfind('-') {
            Some(pos) if pos >= 20 => cut.get(..pos).unwrap_or(&cut).to_string(),
            _ => cut,
        };
    }
    let base = base.trim_matches('-').to_string();
    let base = if base.is_empty() {
        "section".to_string()
    } else {
        base
    };
    let mut slug = base.clone();
    let mut n = 2;
    while used.contains(&slug) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    used.insert(slug.clone());
    slug
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn long_blocks_are_split_at_sentence_ends_without_losing_text() {
        let sentence = "You may not use the service to send spam. ";
        let text = sentence.repeat(1_000);
        let pieces = split_long(text.trim(), 1_000);
        assert!(pieces.len() > 40, "{}", pieces.len());
        assert!(
            pieces
                .iter()
                .all(|p| p.len() <= 1_000 && p.ends_with("spam."))
        );
        let squeeze = |s: &str| s.split_whitespace().collect::<String>();
        assert_eq!(squeeze(&pieces.concat()), squeeze(&text));
        // No sentence end: at spaces; no space: at character boundaries.
        let words = "word ".repeat(1_000);
        assert!(
            split_long(&words, 100)
                .iter()
                .all(|p| p.len() <= 100 && !p.ends_with(' '))
        );
        let cjk = "条".repeat(1_000);
        let pieces = split_long(&cjk, 100);
        assert!(pieces.iter().all(|p| p.len() <= 100));
        assert_eq!(pieces.concat(), cjk);
        assert_eq!(split_long("short", 100), ["short"]);
    }

    #[test]
    fn a_split_block_is_named_in_a_warning() {
        let text = "Each user must follow these rules at all times. ".repeat(2_000);
        let blocks = [Block::new(BlockKind::Paragraph, text.clone())];
        let mut warnings = Vec::new();
        let provisions = segment(&blocks, &mut warnings);
        assert!(provisions.len() >= 6, "{}", provisions.len());
        assert!(
            provisions
                .iter()
                .all(|p| p.text.len() <= MAX_PROVISION_BYTES)
        );
        assert_eq!(provisions[1].id, "preamble/2");
        assert!(
            warnings.iter().any(|w| w.0.contains("was split into")),
            "{warnings:?}"
        );
    }

    fn h(level: u8, t: &str) -> Block {
        Block::new(BlockKind::Heading(level), t)
    }
    fn p(t: &str) -> Block {
        Block::new(BlockKind::Paragraph, t)
    }
    fn bold(t: &str) -> Block {
        let mut b = p(t);
        b.strong_only = true;
        b
    }

    fn run(blocks: &[Block]) -> (Vec<(String, Vec<String>)>, Vec<Warning>) {
        let mut w = Vec::new();
        let provs = segment(blocks, &mut w);
        (
            provs.into_iter().map(|p| (p.id, p.heading_path)).collect(),
            w,
        )
    }

    #[test]
    fn builds_ids_and_heading_paths() {
        let (got, w) = run(&[
            p("Intro."),
            h(2, "No Network Abuse"),
            p("Lead-in:"),
            Block::new(BlockKind::ListItem(0), "Item."),
            h(3, "Details"),
            p("More."),
            h(2, "No Network Abuse"),
            p("Again."),
        ]);
        let ids: Vec<_> = got.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "preamble/1",
                "no-network-abuse/1",
                "no-network-abuse/2",
                "details/1",
                "no-network-abuse-2/1"
            ]
        );
        assert_eq!(
            got[3].1,
            vec!["No Network Abuse".to_string(), "Details".to_string()]
        );
        assert!(w.is_empty());
    }

    #[test]
    fn bold_paragraphs_are_sub_headings() {
        let (got, _) = run(&[
            h(3, "Examples"),
            bold("Information You Give Us"),
            p("You give us data."),
            bold("Automatic Information"),
            p("We log."),
            h(3, "Next"),
            p("x."),
        ]);
        assert_eq!(
            got[0].1,
            vec![
                "Examples".to_string(),
                "Information You Give Us".to_string()
            ]
        );
        assert_eq!(
            got[1].1,
            vec!["Examples".to_string(), "Automatic Information".to_string()]
        );
        assert_eq!(got[2].1, vec!["Next".to_string()]);
    }

    #[test]
    fn warns_about_mid_sentence_starts() {
        let (got, w) = run(&[h(2, "Content"), p("pornography, relates to things.")]);
        assert_eq!(got[0].0, "content/1");
        assert_eq!(
            w,
            vec![Warning::new(
                "possible lost text before provision content/1 (starts mid-sentence)"
            )]
        );
    }

    #[test]
    fn slugs_are_short_and_never_empty() {
        let mut used = HashSet::new();
        let long = unique_slug(
            "What About Third-Party Advertisers and Links to Other Websites and Everything Else?",
            &mut used,
        );
        assert!(
            long.chars().count() <= MAX_SLUG && !long.ends_with('-'),
            "{long}"
        );
        assert_eq!(unique_slug("???", &mut used), "section");
        assert_eq!(unique_slug("!!!", &mut used), "section-2");
        assert_eq!(
            unique_slug("一、我们如何收集信息", &mut used),
            "一-我们如何收集信息"
        );
    }
}
