//! Tuning knobs for [`crate::diff_with`].

/// Options for [`crate::diff_with`]. Every field has a documented default
/// ([`DiffOptions::default`]); change single fields on a default value:
///
/// ```
/// let mut options = cw_diff::DiffOptions::default();
/// options.fuzzy_threshold = 0.6;
/// assert!(options.detect_moves);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DiffOptions {
    /// Lowest similarity (0–1, IDF-weighted Dice over words and CJK bigrams)
    /// at which two provisions with different text are aligned as one
    /// provision edited. Lower aligns more aggressively. Default: 0.5.
    pub fuzzy_threshold: f64,
    /// Lowest similarity at which two provisions are aligned when they stand
    /// in the same gap (between the same aligned neighbours on both sides,
    /// like a replaced block in a line diff). Default: 0.3.
    pub gap_threshold: f64,
    /// Lowest share (0–1, IDF-weighted) of a fragment's words that must occur
    /// in a larger provision for the fragment to count as split from / merged
    /// into it. Default: 0.8.
    pub containment_threshold: f64,
    /// How many of a provision's rarest tokens are used to find fuzzy
    /// candidates. Default: 8.
    pub probe_tokens: usize,
    /// How many candidates are scored per provision in the fuzzy pass.
    /// Default: 64.
    pub max_candidates: usize,
    /// Report aligned provisions that changed section or reading order as
    /// `moved`. Default: true.
    pub detect_moves: bool,
    /// Recognise splits and merges. Default: true.
    pub detect_splits: bool,
}

fn default_fuzzy_threshold() -> f64 {
    0.5
}

fn default_gap_threshold() -> f64 {
    0.3
}

fn default_containment_threshold() -> f64 {
    0.8
}

fn default_probe_tokens() -> usize {
    8
}

fn default_max_candidates() -> usize {
    64
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            fuzzy_threshold: default_fuzzy_threshold(),
            gap_threshold: default_gap_threshold(),
            containment_threshold: default_containment_threshold(),
            probe_tokens: default_probe_tokens(),
            max_candidates: default_max_candidates(),
            detect_moves: true,
            detect_splits: true,
        }
    }
}
