//! Escaping document text, which is hostile input, for HTML and Markdown.

/// Escapes text for HTML element content and double-quoted attribute
/// values: `& < > " '` become entities. Control characters other than tab
/// and newline are dropped (they have no business in a report).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for Markdown inline content: every ASCII punctuation
/// character that Markdown or embedded HTML could interpret is
/// backslash-escaped (CommonMark allows this for all ASCII punctuation),
/// and line breaks become spaces so text cannot start a block (a heading, a
/// list, a fence) of its own.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '<' | '>' | '~' | '&' | '"' | '\'' | '=' | ':' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_neutralises_markup() {
        assert_eq!(
            escape_html(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(escape_html("a\u{0}b\u{1b}c"), "abc");
    }

    #[test]
    fn markdown_escaping_neutralises_markup_and_blocks() {
        let text = "# Title\n<img src=x onerror=alert(1)> [link](javascript:x) *bold*";
        let escaped = escape_markdown(text);
        assert!(!escaped.contains('\n'));
        assert!(escaped.starts_with("\\# Title "));
        assert!(escaped.contains("\\<img src\\=x"));
        assert!(escaped.contains("\\[link\\]\\(javascript\\:x\\)"));
        assert!(escaped.contains("\\*bold\\*"));
    }
}
