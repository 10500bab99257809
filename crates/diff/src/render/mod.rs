//! Human renderings of a [`ChangeSet`]: terminal text and a standalone HTML page.
//!
//! Both share the layout: a header naming the two versions, the summary
//! paragraph, the counts, then the changes grouped by section (runs of
//! consecutive changes under one heading path), substantive changes in full
//! and cosmetic ones folded. Unchanged provisions are only counted, unless
//! [`RenderOptions::show_unchanged`] asks for them (`diff --all`).
//! Document text is hostile input: the text renderer replaces control and
//! bidirectional-override characters, the HTML renderer escapes everything.

mod html;
mod text;

pub use html::{render_html, render_html_with};
pub use text::{render_text, render_text_with};

/// Options for [`render_text_with`] and [`render_html_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RenderOptions {
    /// Show unchanged provisions in place (marked `[=]` in text) instead of
    /// only counting them per section. Default: false.
    pub show_unchanged: bool,
}

impl RenderOptions {
    /// Options that show unchanged provisions too.
    pub fn all() -> Self {
        RenderOptions {
            show_unchanged: true,
        }
    }
}

use cw_model::{ChangeKind, ChangeSet, DiffSide, ProvisionChange};

/// A run of consecutive changes in one section, unchanged ones counted apart.
pub(crate) struct Group<'a> {
    pub(crate) path: &'a [String],
    pub(crate) changes: Vec<&'a ProvisionChange>,
    pub(crate) unchanged: usize,
}

/// Runs of consecutive changes in one section (see [`crate::summary`]);
/// runs with nothing but unchanged provisions are dropped, unless
/// `show_unchanged` keeps unchanged provisions among the changes.
pub(crate) fn groups(cs: &ChangeSet, show_unchanged: bool) -> Vec<Group<'_>> {
    crate::summary::runs(&cs.changes)
        .into_iter()
        .map(|g| {
            let (unchanged, changes): (Vec<&ProvisionChange>, Vec<&ProvisionChange>) = g
                .changes
                .into_iter()
                .partition(|c| c.kind == ChangeKind::Unchanged && !show_unchanged);
            Group {
                path: g.path,
                changes,
                unchanged: unchanged.len(),
            }
        })
        .filter(|g| !g.changes.is_empty())
        .collect()
}

/// A heading path for display: "A › B", or "(top of document)".
pub(crate) fn path_label(path: &[String]) -> String {
    if path.is_empty() {
        "(top of document)".to_string()
    } else {
        path.join(" › ")
    }
}

/// "Title (2021-06-18)", with fallbacks for missing parts.
pub(crate) fn side_label(side: &DiffSide) -> String {
    let title = side
        .title
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or("(untitled)");
    match side.effective_date {
        Some(d) => format!("{title} ({d})"),
        None => title.to_string(),
    }
}

/// The counts line: "added 1 · removed 2 · …".
pub(crate) fn counts_line(cs: &ChangeSet) -> String {
    let s = &cs.summary;
    format!(
        "added {} · removed {} · modified {} · moved {} · unchanged {} · substantive {}",
        s.added, s.removed, s.modified, s.moved, s.unchanged, s.substantive
    )
}

/// Characters that must never reach a terminal or a page as they are:
/// controls (except tab/newline, handled by callers) and bidi overrides.
pub(crate) fn is_dangerous(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}
