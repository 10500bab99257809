//! Readable renderings of an [`ExtractedDocument`]: plain text and clean
//! Markdown. Headings are rebuilt from the provisions' heading paths (they are
//! not provisions themselves), so a rendering shows exactly what was extracted.

use std::fmt::Write as _;

use cw_model::{ExtractedDocument, Provision, ProvisionKind};

/// Calls `heading(depth, text)` for every heading entered between two provisions.
fn new_headings<'a>(prev: &[String], path: &'a [String], mut heading: impl FnMut(usize, &'a str)) {
    let common = prev.iter().zip(path).take_while(|(a, b)| a == b).count();
    for (depth, h) in path.iter().enumerate().skip(common) {
        heading(depth, h);
    }
}

/// Renders the document as readable plain text: the title, the effective
/// date, headings on their own lines, paragraphs, and list items as "- item".
pub fn render_text(doc: &ExtractedDocument) -> String {
    let mut out = String::new();
    if let Some(t) = &doc.title {
        let _ = writeln!(out, "{t}\n{}\n", "=".repeat(t.chars().count().clamp(3, 80)));
    }
    if let Some(d) = doc.effective_date {
        let _ = writeln!(out, "Effective date: {d}\n");
    }
    let mut prev: &[String] = &[];
    let mut last_kind: Option<ProvisionKind> = None;
    for p in &doc.provisions {
        new_headings(prev, &p.heading_path, |depth, h| {
            if last_kind == Some(ProvisionKind::ListItem)
                || last_kind == Some(ProvisionKind::TableRow)
            {
                out.push('\n');
            }
            let underline = if depth == 0 {
                "-".repeat(h.chars().count().clamp(3, 80))
            } else {
                String::new()
            };
            let _ = writeln!(out, "{h}");
            if !underline.is_empty() {
                let _ = writeln!(out, "{underline}");
            }
            out.push('\n');
            last_kind = None;
        });
        prev = &p.heading_path;
        // Items of one list (rows of one table) stay together; anything else gets a blank line.
        let grouped = matches!(
            last_kind,
            Some(ProvisionKind::ListItem | ProvisionKind::TableRow)
        );
        if grouped && last_kind != Some(p.kind) {
            out.push('\n');
        }
        match p.kind {
            ProvisionKind::ListItem => {
                let _ = writeln!(out, "- {}", p.text);
            }
            ProvisionKind::TableRow => {
                let _ = writeln!(out, "{}", p.text);
            }
            _ => {
                let _ = writeln!(out, "{}\n", p.text);
            }
        }
        last_kind = Some(p.kind);
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

/// Renders the provisions as clean Markdown: `#` title, an italic effective
/// date, `##`… headings from the heading paths, paragraphs, `- ` list items
/// and table rows as Markdown tables. Provision text is escaped so that it
/// reads back as the same plain text.
pub fn render_markdown(doc: &ExtractedDocument) -> String {
    let mut out = String::new();
    if let Some(t) = &doc.title {
        let _ = writeln!(out, "# {}\n", escape_inline(t));
    }
    if let Some(d) = doc.effective_date {
        let _ = writeln!(out, "*Effective date: {d}*\n");
    }
    let mut prev: &[String] = &[];
    let mut last: Option<&Provision> = None;
    for p in &doc.provisions {
        let mut entered = false;
        new_headings(prev, &p.heading_path, |depth, h| {
            if !entered && last.is_some_and(|l| l.kind != ProvisionKind::Paragraph) {
                out.push('\n');
            }
            entered = true;
            let _ = writeln!(
                out,
                "{} {}\n",
                "#".repeat((depth + 2).min(6)),
                escape_inline(h)
            );
        });
        prev = &p.heading_path;
        let continues = !entered
            && last.is_some_and(|l| l.kind == p.kind && p.kind != ProvisionKind::Paragraph);
        if !continues && !entered && last.is_some_and(|l| l.kind != ProvisionKind::Paragraph) {
            out.push('\n');
        }
        match p.kind {
            ProvisionKind::ListItem => {
                let _ = writeln!(out, "- {}", escape(&p.text));
            }
            ProvisionKind::TableRow => {
                let cells: Vec<String> = p.text.split(" | ").map(escape_inline).collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
                if !continues {
                    let _ = writeln!(out, "|{}", " --- |".repeat(cells.len().max(1)));
                }
            }
            _ => {
                let _ = writeln!(out, "{}\n", escape(&p.text));
            }
        }
        last = Some(p);
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

/// Escapes Markdown inline syntax in plain text.
fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes plain text that starts a Markdown block: inline syntax, and a
/// leading `#`, `-`, `+`, `=` or `1.` that would turn it into a heading or list.
fn escape(text: &str) -> String {
    let mut out = escape_inline(text);
    if out.starts_with(['#', '+', '-', '=']) {
        out.insert(0, '\\');
    }
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && matches!(out.get(digits..digits + 1), Some("." | ")")) {
        out.insert(digits, '\\');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cw_model::SourceFormat;

    fn doc() -> ExtractedDocument {
        let p = |id: &str, path: &[&str], kind, text: &str| {
            Provision::new(id, path.iter().map(|s| s.to_string()).collect(), kind, text)
        };
        ExtractedDocument {
            title: Some("Acceptable Use Policy".into()),
            effective_date: chrono::NaiveDate::from_ymd_opt(2021, 6, 18),
            language: "en".into(),
            format: SourceFormat::Text,
            provisions: vec![
                p(
                    "preamble/1",
                    &[],
                    ProvisionKind::Paragraph,
                    "This policy applies.",
                ),
                p(
                    "abuse/1",
                    &["Abuse"],
                    ProvisionKind::Paragraph,
                    "Prohibited:",
                ),
                p(
                    "abuse/2",
                    &["Abuse"],
                    ProvisionKind::ListItem,
                    "spam *bulk*;",
                ),
                p("abuse/3", &["Abuse"], ProvisionKind::ListItem, "1. fraud."),
                p(
                    "data/1",
                    &["Abuse", "Data"],
                    ProvisionKind::TableRow,
                    "Email | Login",
                ),
                p(
                    "data/2",
                    &["Abuse", "Data"],
                    ProvisionKind::TableRow,
                    "Phone | Support",
                ),
            ],
            warnings: vec![],
            coverage: None,
        }
    }

    #[test]
    fn renders_text() {
        let want = "Acceptable Use Policy\n=====================\n\nEffective date: 2021-06-18\n\n\
                    This policy applies.\n\nAbuse\n-----\n\nProhibited:\n\n- spam *bulk*;\n- 1. fraud.\n\n\
                    Data\n\nEmail | Login\nPhone | Support\n";
        assert_eq!(render_text(&doc()), want);
    }

    #[test]
    fn renders_markdown() {
        let want = "# Acceptable Use Policy\n\n*Effective date: 2021-06-18*\n\nThis policy applies.\n\n## Abuse\n\n\
                    Prohibited:\n\n- spam \\*bulk\\*;\n- 1\\. fraud.\n\n### Data\n\n| Email | Login |\n| --- | --- |\n| Phone | Support |\n";
        assert_eq!(render_markdown(&doc()), want);
    }
}
