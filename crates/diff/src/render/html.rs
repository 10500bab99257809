//! HTML rendering: one self-contained page, inline CSS, no scripts.
//!
//! Every piece of document text (titles, headings, provision text, reasons,
//! the summary) goes through [`escape`]; a Content-Security-Policy meta tag
//! forbids scripts and remote loads as a second line of defence. Word edits
//! are `<del>`/`<ins>`; cosmetic changes of a section sit in a `<details>`.

use super::{RenderOptions, counts_line, groups, is_dangerous, path_label, side_label};
use cw_model::{ChangeKind, ChangeSet, ProvisionChange, Significance, WordOpKind};
use std::fmt::Write;

const STYLE: &str = "\
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}\
h1{font-size:1.3rem}h2{font-size:1.05rem;border-bottom:1px solid #ccc;margin-top:2rem}\
.summary{background:#f4f6f8;padding:.8rem 1rem;border-radius:6px}\
.counts{color:#555;font-size:.9rem}\
.change{border-left:4px solid #999;padding:.3rem .8rem;margin:.8rem 0}\
.change.substantive{border-color:#c0392b}.change.cosmetic{border-color:#95a5a6}\
.kind{font-size:.75rem;text-transform:uppercase;letter-spacing:.05em;color:#555}\
.reasons{margin:.2rem 0 0;color:#444;font-size:.9rem}\
del{background:#fdd;text-decoration:line-through}ins{background:#dfd;text-decoration:none}\
.added .text{background:#efe}.removed .text{background:#fee;text-decoration:line-through}\
details{margin:.6rem 0}summary{cursor:pointer;color:#555}.unchanged{color:#777;font-size:.85rem}\
.change.unchanged{border-color:#ddd;font-size:inherit}";

/// Escapes text for HTML element content and attribute values, and replaces
/// control and bidi-override characters.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_dangerous(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn kind_name(kind: ChangeKind) -> &'static str {
    kind.as_str()
}

fn text_html(c: &ProvisionChange) -> String {
    if !c.words.is_empty() {
        let mut s = String::new();
        for w in &c.words {
            let t = escape(&w.text);
            match w.op {
                WordOpKind::Equal => s.push_str(&t),
                WordOpKind::Delete => {
                    let _ = write!(s, "<del>{t}</del>");
                }
                WordOpKind::Insert => {
                    let _ = write!(s, "<ins>{t}</ins>");
                }
            }
        }
        return s;
    }
    escape(
        c.new_text
            .as_deref()
            .or(c.old_text.as_deref())
            .unwrap_or(""),
    )
}

fn change_html(out: &mut String, c: &ProvisionChange) {
    let kind = kind_name(c.kind);
    let sig = c.significance.as_str();
    let _ = writeln!(out, "<article class=\"change {kind} {sig}\">");
    let _ = writeln!(out, "<div class=\"kind\">{kind} · {sig}</div>");
    let _ = writeln!(out, "<p class=\"text\">{}</p>", text_html(c));
    if !c.reasons.is_empty() {
        let _ = write!(out, "<ul class=\"reasons\">");
        for r in &c.reasons {
            let _ = write!(out, "<li>{}</li>", escape(r));
        }
        let _ = writeln!(out, "</ul>");
    }
    let _ = writeln!(out, "</article>");
}

/// Renders a change set as a standalone HTML page (inline CSS, no scripts).
pub fn render_html(cs: &ChangeSet) -> String {
    render_html_with(cs, &RenderOptions::default())
}

/// [`render_html`] with options; with `show_unchanged`, unchanged
/// provisions appear in place (class `unchanged`).
pub fn render_html_with(cs: &ChangeSet, options: &RenderOptions) -> String {
    let (old, new) = (side_label(&cs.old), side_label(&cs.new));
    let mut out = String::with_capacity(4096 + cs.changes.len() * 256);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>clausewatch diff: {} → {}</title>",
        escape(&old),
        escape(&new)
    );
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>\n<header>");
    let _ = writeln!(out, "<h1>{} → {}</h1>", escape(&old), escape(&new));
    let _ = writeln!(out, "<p class=\"summary\">{}</p>", escape(&cs.summary_text));
    let _ = writeln!(
        out,
        "<p class=\"counts\">{}</p>\n</header>\n<main>",
        escape(&counts_line(cs))
    );
    for g in groups(cs, options.show_unchanged) {
        let _ = writeln!(out, "<section>\n<h2>{}</h2>", escape(&path_label(g.path)));
        let (cosmetic, main): (Vec<&ProvisionChange>, Vec<&ProvisionChange>) = g
            .changes
            .iter()
            .partition(|c| c.significance == Significance::Cosmetic);
        for c in main {
            change_html(&mut out, c);
        }
        if !cosmetic.is_empty() {
            let n = cosmetic.len();
            let label = if n == 1 {
                "1 cosmetic change".to_string()
            } else {
                format!("{n} cosmetic changes")
            };
            let _ = writeln!(out, "<details>\n<summary>{label}</summary>");
            for c in cosmetic {
                change_html(&mut out, c);
            }
            let _ = writeln!(out, "</details>");
        }
        if g.unchanged > 0 {
            let _ = writeln!(
                out,
                "<p class=\"unchanged\">{} unchanged not shown</p>",
                g.unchanged
            );
        }
        let _ = writeln!(out, "</section>");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\" \u{0}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; \u{FFFD}"
        );
    }
}
