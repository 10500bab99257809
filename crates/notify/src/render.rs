//! Turning an [`Alert`] into words a person reads: the plain-text and HTML
//! bodies shared by email and Atom. Every piece of document text that goes
//! into HTML passes through [`escape_html`]; links are only made of http(s)
//! URLs. Pure: no I/O, no clock.

use cw_model::{ChangeKind, ProvisionChange, Significance, WordOpKind};
use std::fmt::Write as _;

use crate::Alert;
use crate::alert::plural;

/// At most this many changes are shown in an email or a feed entry; the
/// rest are counted and left to the linked diff.
pub const MAX_RENDERED_CHANGES: usize = 30;

/// Longest provision text shown, in characters; longer text is cut with `…`.
const MAX_TEXT_CHARS: usize = 1_500;

/// Longest unchanged run kept whole inside a word diff, in characters.
const MAX_EQUAL_RUN_CHARS: usize = 240;

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values, and
/// drops control characters that are not allowed in XML (so the same HTML is
/// safe inside an Atom feed).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if !xml_allowed(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether `c` may appear in an XML 1.0 document.
fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` without characters XML forbids (for plain-text Atom fields).
pub(crate) fn xml_clean(text: &str) -> String {
    text.chars().filter(|&c| xml_allowed(c)).collect()
}

/// `text` on one line: control characters and line breaks become spaces.
pub(crate) fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

/// At most `max` characters of `text`, with `…` when cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// An unchanged run shortened to its start and end when long.
fn elide(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let keep = max / 2;
    let head: String = text.chars().take(keep).collect();
    let tail: String = text.chars().skip(count - keep).collect();
    format!("{head} … {tail}")
}

/// Whether `url` may become a link (http or https only).
fn linkable(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

fn kind_label(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added => "Added",
        ChangeKind::Removed => "Removed",
        ChangeKind::Modified => "Modified",
        ChangeKind::Moved => "Moved",
        ChangeKind::Unchanged => "Unchanged",
    }
}

fn versions(alert: &Alert) -> String {
    match alert.old_version_number {
        Some(old) => format!("version {old} → {}", alert.version_number),
        None => format!("version {}", alert.version_number),
    }
}

fn counts(alert: &Alert) -> String {
    let s = &alert.change.summary;
    format!(
        "Added {} · Removed {} · Modified {} · Moved {} · Substantive {}",
        s.added,
        s.removed,
        s.modified,
        s.moved,
        alert.substantive_count()
    )
}

/// The plain-text body.
pub(crate) fn text_body(alert: &Alert) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}) changed: {}, observed {}.",
        one_line(&alert.document_title),
        alert.document,
        versions(alert),
        alert.observed_at.format("%Y-%m-%d %H:%M UTC")
    );
    out.push('\n');
    if !alert.change.summary_text.trim().is_empty() {
        let _ = writeln!(out, "{}\n", alert.change.summary_text.trim());
    }
    let _ = writeln!(out, "{}", counts(alert));
    if let Some(url) = &alert.url {
        let _ = writeln!(out, "Full diff: {}", one_line(url));
    }
    let why = why_lines(alert);
    if !why.is_empty() {
        let _ = writeln!(out, "\nWhy it matters\n==============");
        for line in &why {
            let _ = writeln!(out, "- {}", one_line(line));
        }
    }
    let reported = alert.reported_changes();
    let mut heading = None;
    for (i, change) in reported.iter().take(MAX_RENDERED_CHANGES).enumerate() {
        let group = group_title(change.significance);
        if heading != Some(group) {
            let _ = writeln!(out, "\n{group}\n{}", "=".repeat(group.chars().count()));
            heading = Some(group);
        }
        let _ = write!(out, "\n{}. {}", i + 1, kind_label(change.kind));
        if !change.heading_path.is_empty() {
            let _ = write!(out, " — {}", one_line(&change.heading_path.join(" › ")));
        }
        out.push('\n');
        for reason in &change.reasons {
            let _ = writeln!(out, "   Why: {}", one_line(reason));
        }
        if let Some(old) = &change.old_text {
            let _ = writeln!(out, "   - {}", one_line(&truncate(old, MAX_TEXT_CHARS)));
        }
        if let Some(new) = &change.new_text {
            let _ = writeln!(out, "   + {}", one_line(&truncate(new, MAX_TEXT_CHARS)));
        }
    }
    if reported.len() > MAX_RENDERED_CHANGES {
        let more = reported.len() - MAX_RENDERED_CHANGES;
        let _ = writeln!(
            out,
            "\n…and {} more; see the full diff.",
            plural(more, "change")
        );
    }
    out.push_str("\n-- \nSent by clausewatch.\n");
    out
}

/// The alert's why-it-matters lines (label changes with readable names,
/// findings introduced or resolved), at most [`MAX_RENDERED_CHANGES`].
fn why_lines(alert: &Alert) -> Vec<String> {
    let mut lines = alert.why.as_ref().map(|w| w.lines()).unwrap_or_default();
    if lines.len() > MAX_RENDERED_CHANGES {
        let more = lines.len() - MAX_RENDERED_CHANGES;
        lines.truncate(MAX_RENDERED_CHANGES);
        lines.push(format!("…and {more} more; see the full diff."));
    }
    lines
}

fn group_title(significance: Significance) -> &'static str {
    match significance {
        Significance::Substantive => "Substantive changes",
        Significance::Cosmetic | Significance::None => "Other changes",
    }
}

/// The HTML fragment (no `<html>` wrapper) describing the alert: used as the
/// Atom entry content and inside the email's HTML part.
pub(crate) fn html_fragment(alert: &Alert) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<p><strong>{}</strong> ({}) changed: {}, observed {}.</p>",
        escape_html(&alert.document_title),
        escape_html(&alert.document),
        escape_html(&versions(alert)),
        alert.observed_at.format("%Y-%m-%d %H:%M UTC")
    );
    if !alert.change.summary_text.trim().is_empty() {
        let _ = writeln!(
            out,
            "<p>{}</p>",
            escape_html(alert.change.summary_text.trim())
        );
    }
    let _ = writeln!(out, "<p>{}</p>", escape_html(&counts(alert)));
    if let Some(url) = alert.url.as_deref().filter(|u| linkable(u)) {
        let _ = writeln!(
            out,
            "<p><a href=\"{}\">View the full diff</a></p>",
            escape_html(url.trim())
        );
    }
    let why = why_lines(alert);
    if !why.is_empty() {
        out.push_str("<h3>Why it matters</h3>\n<ul>\n");
        for line in &why {
            let _ = writeln!(out, "<li>{}</li>", escape_html(line));
        }
        out.push_str("</ul>\n");
    }
    let reported = alert.reported_changes();
    let mut heading = None;
    for change in reported.iter().take(MAX_RENDERED_CHANGES) {
        let group = group_title(change.significance);
        if heading != Some(group) {
            let _ = writeln!(out, "<h3>{group}</h3>");
            heading = Some(group);
        }
        change_html(&mut out, change);
    }
    if reported.len() > MAX_RENDERED_CHANGES {
        let more = reported.len() - MAX_RENDERED_CHANGES;
        let _ = writeln!(
            out,
            "<p>…and {} more; see the full diff.</p>",
            escape_html(&plural(more, "change"))
        );
    }
    out
}

const DEL_STYLE: &str = "background:#fdd;text-decoration:line-through";
const INS_STYLE: &str = "background:#dfd;text-decoration:none";

fn change_html(out: &mut String, change: &ProvisionChange) {
    let _ = write!(
        out,
        "<div style=\"margin:0 0 1em 0\"><p><strong>{}</strong>",
        kind_label(change.kind)
    );
    if !change.heading_path.is_empty() {
        let _ = write!(
            out,
            " — <em>{}</em>",
            escape_html(&change.heading_path.join(" › "))
        );
    }
    out.push_str("</p>\n");
    if !change.reasons.is_empty() {
        out.push_str("<ul>");
        for reason in &change.reasons {
            let _ = write!(out, "<li>{}</li>", escape_html(reason));
        }
        out.push_str("</ul>\n");
    }
    if !change.words.is_empty() {
        out.push_str("<p>");
        let mut budget = MAX_TEXT_CHARS * 2;
        for op in &change.words {
            if budget == 0 {
                out.push('…');
                break;
            }
            let text = match op.op {
                WordOpKind::Equal => elide(&op.text, MAX_EQUAL_RUN_CHARS),
                _ => truncate(&op.text, budget),
            };
            budget = budget.saturating_sub(text.chars().count());
            let escaped = escape_html(&text);
            let _ = match op.op {
                WordOpKind::Equal => write!(out, "{escaped}"),
                WordOpKind::Delete => write!(out, "<del style=\"{DEL_STYLE}\">{escaped}</del>"),
                WordOpKind::Insert => write!(out, "<ins style=\"{INS_STYLE}\">{escaped}</ins>"),
            };
        }
        out.push_str("</p>\n");
    } else {
        if let Some(old) = &change.old_text {
            let _ = writeln!(
                out,
                "<p><del style=\"{DEL_STYLE}\">{}</del></p>",
                escape_html(&truncate(old, MAX_TEXT_CHARS))
            );
        }
        if let Some(new) = &change.new_text {
            let _ = writeln!(
                out,
                "<p><ins style=\"{INS_STYLE}\">{}</ins></p>",
                escape_html(&truncate(new, MAX_TEXT_CHARS))
            );
        }
    }
    out.push_str("</div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue #22: e-mail bodies and feed entries say why the change
    /// matters, with readable label names, escaped in HTML.
    #[test]
    fn why_it_matters_is_rendered_in_text_and_html() {
        use cw_model::{
            ChangeSet, DiffSide, DiffSummary, DocumentKey, Finding, LabelChange, LabelName,
            WhyItMatters,
        };
        let key: DocumentKey = "acme/tos".parse().unwrap_or_else(|_| DocumentKey {
            platform: "acme".into(),
            document: "tos".into(),
        });
        let empty = ChangeSet {
            old: DiffSide::default(),
            new: DiffSide::default(),
            summary: DiffSummary::default(),
            summary_text: String::new(),
            changes: vec![],
        };
        let mut alert = Alert::new(&key, Some(1), 2, chrono::Utc::now(), empty);
        let finding = Finding {
            check: "notice".into(),
            regulation: "P2B <Regulation>".into(),
            article: "3(2)".into(),
            provision_id: Some("t/1".into()),
            message: "changes without notice".into(),
            evidence: None,
            caveat: cw_model::CAVEAT.into(),
        };
        alert.why = Some(WhyItMatters {
            label_changes: vec![LabelChange {
                change: 0,
                kind: ChangeKind::Modified,
                provision_id: Some("t/1".into()),
                added: vec![LabelName::new("tos_unilateral_termination")],
                removed: vec![],
            }],
            findings_introduced: vec![finding],
            findings_resolved: vec![],
            caveat: cw_model::CAVEAT.into(),
        });
        let text = text_body(&alert);
        assert!(text.contains("Why it matters"), "{text}");
        assert!(
            text.contains("- t/1 (modified): now Unilateral termination (terms)"),
            "{text}"
        );
        assert!(
            text.contains("finding introduced: P2B <Regulation> art. 3(2)"),
            "{text}"
        );
        let html = html_fragment(&alert);
        assert!(html.contains("<h3>Why it matters</h3>"), "{html}");
        assert!(html.contains("P2B &lt;Regulation&gt;"), "{html}");
        alert.why = None;
        assert!(!text_body(&alert).contains("Why it matters"));
    }

    #[test]
    fn escaping() {
        assert_eq!(
            escape_html("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(escape_html("a\u{0}b\u{b}c\u{fffe}d\té"), "abcd\té");
        assert_eq!(xml_clean("a\u{1}b"), "ab");
        assert_eq!(one_line("a\r\nb"), "a  b");
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate("条款变更通知", 2), "条款…");
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(elide("abcdefghij", 4), "ab … ij");
        assert!(linkable("https://x.example/a"));
        assert!(!linkable("javascript:alert(1)"));
    }
}
