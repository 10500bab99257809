//! Blocks → provisions (DESIGN §4). Headings are not provisions: they build
//! the heading path of the provisions under them. Every paragraph, list item
//! and table row is one provision. A bold-only short paragraph
//! ("**Information You Give Us**") acts as a sub-heading of the current
//! section. Ids are `<slug of innermost heading>/<n>` (n counts from 1 within
//! that heading; `preamble` before the first heading), made unique when two
//! headings share a slug. A paragraph that starts mid-sentence gets a warning:
//! text before it was probably lost.

use std::collections::HashSet;

use cw_model::{Provision, ProvisionKind, Warning, slugify};

use crate::blocks::{Block, BlockKind, clean_text, starts_mid_sentence, word_count};

/// Root slug for provisions before the first heading.
const PREAMBLE: &str = "preamble";
/// Level given to bold-only pseudo-headings: below every real heading.
const PSEUDO_LEVEL: u8 = 7;
/// Longest slug kept in an id, in characters.
const MAX_SLUG: usize = 60;

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
        if kind == ProvisionKind::Paragraph && starts_mid_sentence(&text) {
            warnings.push(Warning::new(format!(
                "possible lost text before provision {id} (starts mid-sentence)"
            )));
        }
        let path = stack.iter().map(|s| s.text.clone()).collect();
        out.push(Provision::new(id, path, kind, text));
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
