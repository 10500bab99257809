//! Renderings: text snapshots, HTML structure and escaping of hostile text.

use crate::{Expect, check};
use cw_diff::{render_html, render_text, section_summary};

const OLD: &str = "\
Last updated: June 18, 2021
# Enforcement
We may suspend your account if you violate this Policy.
We reserve the right to investigate misuse of the AWS Site.
# Prohibited Content
- Spam.
- Phishing.
- Malware distribution.
";

const NEW: &str = "\
Last updated: December 28, 2021
# Enforcement
We may suspend your account at any time without notice if you violate this Policy.
We reserve the right to investigate misuse of the Amazon Web Services China Site.
# Prohibited Content
- Spam.
- Malware distribution.
- Crypto currency mining.
";

#[test]
fn text_rendering() {
    let cs = check(OLD, NEW, Expect::default());
    insta::assert_snapshot!("text_rendering", render_text(&cs));
}

#[test]
fn html_rendering() {
    let cs = check(OLD, NEW, Expect::default());
    insta::assert_snapshot!("html_rendering", render_html(&cs));
}

#[test]
fn section_summary_as_json() {
    let cs = check(OLD, NEW, Expect::default());
    insta::assert_json_snapshot!("section_summary", section_summary(&cs));
}

#[test]
fn html_escapes_hostile_document_text() {
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)> & \"quotes\" 'single'";
    let cs = check(
        "# <b>Head</b>\nHarmless text about accounts here.\n",
        &format!("# <b>Head</b>\nHarmless text about accounts here {evil}.\n- {evil}\n"),
        Expect::default(),
    );
    let html = render_html(&cs);
    assert!(!html.contains("<script>"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&amp; &quot;quotes&quot; &#39;single&#39;"));
    assert!(html.contains("Content-Security-Policy"));
    // Only our own tags remain.
    for tag in html
        .split('<')
        .skip(1)
        .map(|t| t.split([' ', '>', '\n']).next().unwrap_or(""))
    {
        let known = [
            "!DOCTYPE", "html", "/html", "head", "/head", "meta", "title", "/title", "style",
            "/style", "body", "/body", "header", "/header", "h1", "/h1", "h2", "/h2", "p", "/p",
            "main", "/main", "section", "/section", "article", "/article", "div", "/div", "ul",
            "/ul", "li", "/li", "del", "/del", "ins", "/ins", "details", "/details", "summary",
            "/summary",
        ];
        assert!(known.contains(&tag), "unexpected tag <{tag}");
    }
}

#[test]
fn text_neutralises_terminal_escapes() {
    let cs = check(
        "# A\nPlain words here ok.",
        "# A\nPlain words here ok \u{1b}[2J\u{202E}.",
        Expect::default(),
    );
    let text = render_text(&cs);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202E}'),
        "{text}"
    );
}

#[test]
fn cosmetic_changes_fold_to_one_line() {
    let cs = check(
        "# A\nWe reserve the right to investigate misuse of the AWS Site and other things.",
        "# A\nWe reserve the right to investigate misuse of the Amazon Web Services China Site and other things.",
        Expect::default(),
    );
    let text = render_text(&cs);
    let line = text
        .lines()
        .find(|l| l.starts_with("[~]"))
        .unwrap_or_default();
    assert!(
        line.starts_with("[~] cosmetic (entity renamed 'AWS' → 'Amazon Web Services China'): "),
        "{text}"
    );
    assert!(render_html(&cs).contains("<details>"));
}
