//! "Did you mean …?" for names a user typed: the closest known names by
//! Jaro–Winkler similarity (what clap uses for subcommands), or by a shared
//! part when the typed name is a piece of a longer one
//! (`no-network-abuse/2` → `3-no-network-abuse/2`).

/// Similarity above which a name is offered.
const THRESHOLD: f64 = 0.8;

/// Up to three known names close to `typed`, best first.
pub(crate) fn closest<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> = known
        .into_iter()
        .map(|k| {
            let contains = !typed.is_empty() && (k.ends_with(typed) || k.contains(typed));
            let score = if contains {
                1.0
            } else {
                strsim::jaro_winkler(typed, k)
            };
            (score, k)
        })
        .filter(|(s, _)| *s >= THRESHOLD)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(3)
        .map(|(_, k)| k.to_string())
        .collect()
}

/// " (did you mean a, b?)" or nothing.
pub(crate) fn hint<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    let found = closest(typed, known);
    if found.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", found.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_close_and_containing_names() {
        let known = ["3-no-network-abuse/2", "3-no-network-abuse/3", "preamble/1"];
        assert_eq!(
            closest("no-network-abuse/2", known)[0],
            "3-no-network-abuse/2"
        );
        assert_eq!(
            closest("example-cloud/aupp", ["example-cloud/aup", "x/y"]),
            vec!["example-cloud/aup"]
        );
        assert!(hint("zzz", known).is_empty());
    }
}
