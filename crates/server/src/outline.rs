//! A version's outline: extraction keeps headings out of the provisions and
//! records each provision's `heading_path` instead, so the headings of a
//! document are where that path changes. The version page renders them as
//! section headings and a table of contents; the API returns the same
//! entries with the version.

use serde::Serialize;
use utoipa::ToSchema;

/// One heading of a version, where it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub(crate) struct OutlineEntry {
    /// 1 for the outermost heading level of the path.
    pub(crate) depth: usize,
    /// The heading text.
    pub(crate) heading: String,
    /// Index (0-based, reading order) of the first provision under it.
    pub(crate) provision: usize,
}

impl OutlineEntry {
    /// The anchor of the heading on the version page.
    pub(crate) fn anchor(&self, index: usize) -> String {
        format!("h-{index}")
    }
}

/// The headings of provisions with these heading paths, in reading order: a
/// heading starts wherever a provision's path differs from the previous
/// provision's at that level or above.
pub(crate) fn outline<'a>(paths: impl IntoIterator<Item = &'a [String]>) -> Vec<OutlineEntry> {
    let mut out = Vec::new();
    let mut prev: &[String] = &[];
    for (i, path) in paths.into_iter().enumerate() {
        let common = prev.iter().zip(path).take_while(|(a, b)| a == b).count();
        for (level, heading) in path.iter().enumerate().skip(common) {
            out.push(OutlineEntry {
                depth: level + 1,
                heading: heading.clone(),
                provision: i,
            });
        }
        prev = path;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headings_start_where_the_path_changes() {
        let paths = [
            p(&[]),
            p(&["1. Use"]),
            p(&["1. Use"]),
            p(&["1. Use", "1.1 Limits"]),
            p(&["2. Fees", "2.1 Taxes"]),
            p(&["2. Fees"]),
        ];
        let o = outline(paths.iter().map(Vec::as_slice));
        let got: Vec<(usize, &str, usize)> = o
            .iter()
            .map(|e| (e.depth, e.heading.as_str(), e.provision))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, "1. Use", 1),
                (2, "1.1 Limits", 3),
                (1, "2. Fees", 4),
                (2, "2.1 Taxes", 4),
            ]
        );
    }

    #[test]
    fn a_repeated_heading_in_a_new_section_starts_again() {
        let paths = [p(&["A", "Scope"]), p(&["B", "Scope"])];
        let o = outline(paths.iter().map(Vec::as_slice));
        assert_eq!(o.len(), 4);
    }
}
