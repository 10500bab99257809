//! Terminal rendering: plain text, one change per block, word edits inline.
//!
//! Markers: `[+]` added, `[-]` removed, `[~]` modified, `[>]` moved. Word
//! edits read `[-old-]{+new+}` (git's `--word-diff=plain` notation).
//! Substantive changes show their full text and reasons; cosmetic changes
//! are folded to one line each. No ANSI colour: output is safe to pipe.

use super::{RenderOptions, counts_line, groups, is_dangerous, path_label, side_label};
use cw_model::{ChangeKind, ChangeSet, ProvisionChange, Significance, WordOpKind};
use std::fmt::Write;

/// How many characters of text a folded (cosmetic) line shows.
const FOLDED_CHARS: usize = 80;

/// Makes document text safe for a terminal: no control or bidi-override
/// characters (they become U+FFFD), line breaks become spaces.
fn safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if is_dangerous(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

fn marker(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added => "[+]",
        ChangeKind::Removed => "[-]",
        ChangeKind::Modified => "[~]",
        ChangeKind::Moved => "[>]",
        ChangeKind::Unchanged => "[=]",
    }
}

/// The change's text with inline word edits.
fn body(c: &ProvisionChange) -> String {
    if !c.words.is_empty() {
        let mut s = String::new();
        for w in &c.words {
            let t = safe(&w.text);
            match w.op {
                WordOpKind::Equal => s.push_str(&t),
                WordOpKind::Delete => {
                    let _ = write!(s, "[-{t}-]");
                }
                WordOpKind::Insert => {
                    let _ = write!(s, "{{+{t}+}}");
                }
            }
        }
        return s;
    }
    safe(
        c.new_text
            .as_deref()
            .or(c.old_text.as_deref())
            .unwrap_or(""),
    )
}

fn excerpt(c: &ProvisionChange) -> String {
    let text = safe(
        c.new_text
            .as_deref()
            .or(c.old_text.as_deref())
            .unwrap_or(""),
    );
    let text = text.trim();
    if text.chars().count() <= FOLDED_CHARS {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(FOLDED_CHARS).collect();
        s.push('…');
        s
    }
}

/// Renders a change set for a terminal: header, summary paragraph, counts,
/// then the changes grouped by section (unchanged provisions counted only).
pub fn render_text(cs: &ChangeSet) -> String {
    render_text_with(cs, &RenderOptions::default())
}

/// [`render_text`] with options; with `show_unchanged`, unchanged
/// provisions appear in place as `[=] text`.
pub fn render_text_with(cs: &ChangeSet, options: &RenderOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "old: {}", safe(&side_label(&cs.old)));
    let _ = writeln!(out, "new: {}", safe(&side_label(&cs.new)));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", safe(&cs.summary_text));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", counts_line(cs));
    for g in groups(cs, options.show_unchanged) {
        let _ = writeln!(out);
        let unchanged = match g.unchanged {
            0 => String::new(),
            1 => "  (1 unchanged)".to_string(),
            n => format!("  ({n} unchanged)"),
        };
        let _ = writeln!(out, "== {} =={unchanged}", safe(&path_label(g.path)));
        for c in g.changes {
            let m = marker(c.kind);
            if c.kind == ChangeKind::Unchanged {
                let _ = writeln!(out, "{m} {}", body(c));
            } else if c.significance == Significance::Substantive {
                let _ = writeln!(out, "{m} {}", body(c));
                let _ = writeln!(out, "    substantive: {}", safe(&c.reasons.join("; ")));
            } else {
                let why = c.reasons.first().map(|r| safe(r)).unwrap_or_default();
                let _ = writeln!(out, "{m} cosmetic ({why}): {}", excerpt(c));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_terminal_escapes() {
        assert_eq!(
            safe("a\u{1b}[31mb\u{202E}c\nd"),
            "a\u{FFFD}[31mb\u{FFFD}c d"
        );
    }
}
