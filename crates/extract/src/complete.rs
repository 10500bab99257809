//! Completeness of one delivery against the last good one: a page that
//! holds only the beginning of the latest version's provisions (the last
//! one possibly cut inside its text) and nothing new lost its tail in
//! transit, whatever its markup says.

use cw_model::Provision;

/// `Some(why)` when `new` is `old` with its tail lost: the first provisions
/// of `old` in order, the last of them possibly cut short inside its text,
/// and nothing else (no provision added or changed). `None` for any other
/// relation, identical lists included.
///
/// This is the shape of a cut delivery of any format (HTML, Markdown, plain
/// text, PDF): a cut never removes text in the middle and never adds any.
/// A real edit that only deletes the last provisions has the same shape;
/// the watcher holds such a page as `truncated` (archived, visible in the
/// fetch states) rather than risk a false version, and `import` records it
/// when a person says so.
pub fn lost_tail(old: &[Provision], new: &[Provision]) -> Option<String> {
    let (last, head) = new.split_last()?;
    if new.len() > old.len() {
        return None;
    }
    if head.iter().zip(old).any(|(n, o)| n.text != o.text) {
        return None;
    }
    let counterpart = old.get(head.len())?;
    let cut_inside = last.text != counterpart.text
        && counterpart.text.starts_with(last.text.trim_end())
        && !last.text.trim_end().is_empty();
    if last.text != counterpart.text && !cut_inside {
        return None;
    }
    let lost = old.len() - new.len();
    match (lost, cut_inside) {
        (0, false) => None,
        (0, true) => Some(format!(
            "the page holds the latest version's {} provisions, the last one cut short, and nothing new",
            old.len()
        )),
        (_, cut) => Some(format!(
            "the page holds only the first {} of the latest version's {} provisions{}, and nothing new",
            new.len(),
            old.len(),
            if cut { " (the last one cut short)" } else { "" }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cw_model::ProvisionKind;

    fn provisions(texts: &[&str]) -> Vec<Provision> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                Provision::new(format!("p/{i}"), Vec::new(), ProvisionKind::Paragraph, *t)
            })
            .collect()
    }

    #[test]
    fn a_lost_tail_is_named() {
        let old = provisions(&["One.", "Two words here.", "Three.", "Four."]);
        let got = lost_tail(&old, &provisions(&["One.", "Two words here."]));
        assert_eq!(
            got.as_deref(),
            Some(
                "the page holds only the first 2 of the latest version's 4 provisions, and nothing new"
            )
        );
        let got = lost_tail(&old, &provisions(&["One.", "Two wo"]));
        assert!(got.is_some_and(|w| w.contains("first 2 of") && w.contains("cut short")));
        let all_but_cut = provisions(&["One.", "Two words here.", "Three.", "Fo"]);
        assert_eq!(
            lost_tail(&old, &all_but_cut).as_deref(),
            Some(
                "the page holds the latest version's 4 provisions, the last one cut short, and nothing new"
            )
        );
    }

    #[test]
    fn other_relations_are_not_a_lost_tail() {
        let old = provisions(&["One.", "Two.", "Three."]);
        // Identical, longer, a change, a deletion inside, a gain, nothing.
        for new in [
            vec!["One.", "Two.", "Three."],
            vec!["One.", "Two.", "Three.", "Four."],
            vec!["One.", "Two, changed.", "Three."],
            vec!["One.", "Three."],
            vec!["One.", "Something new."],
            vec!["Zero.", "One."],
            vec![],
        ] {
            assert_eq!(lost_tail(&old, &provisions(&new)), None, "{new:?}");
        }
        assert_eq!(lost_tail(&[], &provisions(&["One."])), None);
    }
}
