//! Whole-provision rules: compare the cues and quantities of old and new.
//!
//! Each rule of TAXONOMY §3 that can be read off a whole text lives here:
//! modal shifts with direction, notice/discretion qualifiers, negations and
//! exceptions, actors and recipients, dispute terms, consent mechanics,
//! enforcement powers, numbers, dates and cross-references. Counting (not
//! positions) makes the rules immune to reordering and rewrapping: "we may
//! suspend" → "we may, at any time, suspend" adds exactly one qualifier.

use super::Reasons;
use super::analysis::{Analysis, AtomKind, CueHit};
use super::lexicon::{Cat, is_effective_context};
use std::collections::BTreeSet;

/// Multiset difference preserving reading order: items of `a` not matched in `b`.
fn minus<T: PartialEq + Copy>(a: &[T], b: &[T]) -> Vec<T> {
    let mut used = vec![false; b.len()];
    let mut out = Vec::new();
    for x in a {
        let found = b
            .iter()
            .enumerate()
            .position(|(k, y)| !used.get(k).copied().unwrap_or(true) && y == x);
        match found {
            Some(k) => {
                if let Some(u) = used.get_mut(k) {
                    *u = true;
                }
            }
            None => out.push(*x),
        }
    }
    out
}

fn names(cues: &[CueHit], cat: Cat) -> Vec<&'static str> {
    cues.iter()
        .filter(|c| c.cat == cat)
        .map(|c| c.name)
        .collect()
}

/// Adds the reasons from comparing the cues and quantities of two texts.
/// `date_line` says whether both sides are "Last updated" lines.
/// With `as_sets`, repeated cues count once (for splits and merges, where
/// sentences are cut or joined and a repeated "must" is not a new duty).
pub(crate) fn compare(
    old: &Analysis<'_>,
    new: &Analysis<'_>,
    date_line: bool,
    as_sets: bool,
    out: &mut Reasons,
) {
    let names = |cues: &[CueHit], cat: Cat| -> Vec<&'static str> {
        let mut v = names(cues, cat);
        if as_sets {
            let mut seen = BTreeSet::new();
            v.retain(|x| seen.insert(*x));
        }
        v
    };
    modal(
        &names(&old.cues, Cat::Modal),
        &names(&new.cues, Cat::Modal),
        out,
    );
    for (cat, what) in [
        (Cat::Qualifier, "qualifier"),
        (Cat::Review, "qualifier"),
        (Cat::Dispute, "dispute term"),
        (Cat::Consent, "consent term"),
        (Cat::Enforcement, "enforcement power"),
    ] {
        let (o, n) = (names(&old.cues, cat), names(&new.cues, cat));
        let review = if cat == Cat::Review { " (review)" } else { "" };
        for x in minus(&n, &o) {
            out.substantive(format!("added {what} '{x}'{review}"));
        }
        for x in minus(&o, &n) {
            out.substantive(format!("removed {what} '{x}'{review}"));
        }
    }
    for (cat, what) in [(Cat::Negation, "negation"), (Cat::Exception, "exception")] {
        let (o, n) = (names(&old.cues, cat), names(&new.cues, cat));
        for x in minus(&n, &o) {
            out.substantive(format!("{what} added '{x}'"));
        }
        for x in minus(&o, &n) {
            out.substantive(format!("{what} removed '{x}'"));
        }
    }
    actors(old, new, out);
    quantities(old, new, date_line, as_sets, out);
}

/// Rule 1: modal shifts, paired in reading order: "modal shift 'may' → 'will'".
fn modal(o: &[&'static str], n: &[&'static str], out: &mut Reasons) {
    let removed = minus(o, n);
    let added = minus(n, o);
    let pairs = removed.len().min(added.len());
    for (r, a) in removed.iter().zip(&added) {
        out.substantive(format!("modal shift '{r}' → '{a}'"));
    }
    for a in added.iter().skip(pairs) {
        out.substantive(if *a == "reserve the right" {
            format!("added '{a}'")
        } else {
            format!("modal added '{a}'")
        });
    }
    for r in removed.iter().skip(pairs) {
        out.substantive(if *r == "reserve the right" {
            format!("removed '{r}'")
        } else {
            format!("modal removed '{r}'")
        });
    }
}

/// Rule 6: an actor type present on one side only ("you" → "you or your end users").
fn actors(old: &Analysis<'_>, new: &Analysis<'_>, out: &mut Reasons) {
    let o: BTreeSet<&str> = names(&old.cues, Cat::Actor).into_iter().collect();
    let n: BTreeSet<&str> = names(&new.cues, Cat::Actor).into_iter().collect();
    // A pronoun that only comes or goes ("contacting GitHub Support" →
    // "contacting us through GitHub Support") names no new actor; a swap of
    // pronouns ("we may share" → "you may share") still counts.
    let (added, removed): (Vec<&str>, Vec<&str>) = (
        n.difference(&o).copied().collect(),
        o.difference(&n).copied().collect(),
    );
    let pronoun = |v: &[&str]| matches!(v, ["we"] | ["you"]);
    if (pronoun(&added) && removed.is_empty()) || (pronoun(&removed) && added.is_empty()) {
        return;
    }
    for x in n.difference(&o) {
        out.substantive(format!("scope/actor added '{x}'"));
    }
    for x in o.difference(&n) {
        out.substantive(format!("scope/actor removed '{x}'"));
    }
}

/// Whether the text dates itself ("effective", "last updated", "©").
fn effective_context(a: &Analysis<'_>) -> bool {
    a.atoms.iter().any(|x| is_effective_context(&x.text))
}

/// Rule 3: numbers and periods; dates; cross-references.
/// With `restructured` (a split or merge), any short number closing with
/// "." or ")" is taken for a list marker the split turned into a list.
fn quantities(
    old: &Analysis<'_>,
    new: &Analysis<'_>,
    date_line: bool,
    restructured: bool,
    out: &mut Reasons,
) {
    let pair = |kind: AtomKind| {
        let o = old.surfaces(kind);
        let n = new.surfaces(kind);
        let lower = |v: &[&str]| v.iter().map(|s| s.to_lowercase()).collect::<Vec<_>>();
        let (ol, nl) = (lower(&o), lower(&n));
        let removed: Vec<&str> = minus_idx(&ol, &nl)
            .into_iter()
            .filter_map(|k| o.get(k).copied())
            .collect();
        let added: Vec<&str> = minus_idx(&nl, &ol)
            .into_iter()
            .filter_map(|k| n.get(k).copied())
            .collect();
        (removed, added)
    };

    let ((oa, orel), (na, nrel)) = (old.numbers(restructured), new.numbers(restructured));
    let ((oa, orel), (na, nrel)) = ((lowered(oa), lowered(orel)), (lowered(na), lowered(nrel)));
    let (removed, added) = (minus_owned(&oa, &na), minus_owned(&na, &oa));
    describe(&removed, &added, "number", out, true);
    let (removed, added) = (minus_owned(&orel, &nrel), minus_owned(&nrel, &orel));
    describe(&removed, &added, "relative date", out, false);

    // A date right after "Effective", "Last updated" … dates the text
    // itself, wherever the extractor glued that line.
    let ((oe, od), (ne, nd)) = (old.dates(), new.dates());
    let ((oe, od), (ne, nd)) = ((lowered(oe), lowered(od)), (lowered(ne), lowered(nd)));
    describe(
        &minus_owned(&oe, &ne),
        &minus_owned(&ne, &oe),
        "effective date",
        out,
        false,
    );
    let (removed, added) = (minus_owned(&od, &nd), minus_owned(&nd, &od));
    let cosmetic_date = date_line || (effective_context(old) && effective_context(new));
    describe(
        &removed,
        &added,
        if cosmetic_date {
            "effective date"
        } else {
            "date"
        },
        out,
        !cosmetic_date,
    );

    let (removed, added) = pair(AtomKind::XRef);
    if !removed.is_empty() || !added.is_empty() {
        let r = removed.join(", ");
        let a = added.join(", ");
        out.cosmetic(match (r.is_empty(), a.is_empty()) {
            (false, false) => format!("cross-reference renumbered '{r}' → '{a}'"),
            (true, _) => format!("cross-reference added '{a}'"),
            (_, true) => format!("cross-reference removed '{r}'"),
        });
    }
}

/// Surfaces with their lowercase comparison form.
fn lowered(v: Vec<&str>) -> Vec<(String, &str)> {
    v.into_iter().map(|s| (s.to_lowercase(), s)).collect()
}

/// Items of `a` whose comparison form is not matched in `b` (multiset).
fn minus_owned<'a>(a: &[(String, &'a str)], b: &[(String, &'a str)]) -> Vec<&'a str> {
    let (ak, bk): (Vec<String>, Vec<String>) = (
        a.iter().map(|x| x.0.clone()).collect(),
        b.iter().map(|x| x.0.clone()).collect(),
    );
    minus_idx(&ak, &bk)
        .into_iter()
        .filter_map(|k| a.get(k).map(|x| x.1))
        .collect()
}

/// Indices of items of `a` not matched in `b` (multiset, reading order).
fn minus_idx(a: &[String], b: &[String]) -> Vec<usize> {
    let mut used = vec![false; b.len()];
    let mut out = Vec::new();
    for (i, x) in a.iter().enumerate() {
        match b
            .iter()
            .enumerate()
            .position(|(k, y)| !used.get(k).copied().unwrap_or(true) && y == x)
        {
            Some(k) => {
                if let Some(u) = used.get_mut(k) {
                    *u = true;
                }
            }
            None => out.push(i),
        }
    }
    out
}

fn describe(removed: &[&str], added: &[&str], what: &str, out: &mut Reasons, substantive: bool) {
    let pairs = removed.len().min(added.len());
    let mut reasons = Vec::new();
    for (r, a) in removed.iter().zip(added) {
        reasons.push(format!("{what} changed '{r}' → '{a}'"));
    }
    for a in added.iter().skip(pairs) {
        reasons.push(format!("{what} added '{a}'"));
    }
    for r in removed.iter().skip(pairs) {
        reasons.push(format!("{what} removed '{r}'"));
    }
    for reason in reasons {
        if substantive {
            out.substantive(reason);
        } else {
            out.cosmetic(reason);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::analysis::analyse;
    use super::*;

    fn check(old: &str, new: &str) -> (Vec<String>, Vec<String>) {
        let mut r = Reasons::default();
        let (a, b) = (analyse(old), analyse(new));
        compare(&a, &b, a.is_date_line() && b.is_date_line(), false, &mut r);
        (r.substantive, r.cosmetic)
    }

    #[test]
    fn modal_shift_with_direction() {
        assert_eq!(
            check("We may notify you.", "We will notify you.").0,
            ["modal shift 'may' → 'will'"]
        );
        assert_eq!(
            check("We will notify you.", "We may notify you.").0,
            ["modal shift 'will' → 'may'"]
        );
        assert_eq!(
            check(
                "We may remove content.",
                "We reserve the right to remove content."
            )
            .0,
            ["modal shift 'may' → 'reserve the right'"]
        );
        assert_eq!(
            check("We will try to respond.", "We will respond.").0,
            ["modal shift 'will try to' → 'will'"]
        );
    }

    #[test]
    fn qualifiers_added_and_removed() {
        assert_eq!(
            check(
                "We may suspend your account.",
                "We may suspend your account without notice."
            )
            .0,
            ["added qualifier 'without notice'"]
        );
        assert_eq!(
            check("We may, at any time, change it.", "We may change it.").0,
            ["removed qualifier 'at any time'"]
        );
        assert_eq!(
            check("in our discretion", "in our sole discretion").0,
            [
                "added qualifier 'sole discretion'",
                "removed qualifier 'discretion'"
            ]
        );
        assert_eq!(
            check("We will act.", "We will act promptly.").0,
            ["added qualifier 'promptly' (review)"]
        );
    }

    #[test]
    fn negation_and_exception() {
        assert_eq!(
            check("You may share it.", "You may not share it.").0,
            ["negation added 'not'"]
        );
        assert_eq!(
            check("You can't share it.", "You can share it.").0,
            ["negation removed 'not'"]
        );
        assert_eq!(
            check(
                "You may share data.",
                "You may share data unless you object."
            )
            .0,
            ["exception added 'unless'"]
        );
    }

    #[test]
    fn numbers_and_periods() {
        assert_eq!(
            check("within 30 days", "within 15 days").0,
            ["number changed '30 days' → '15 days'"]
        );
        assert_eq!(
            check("users aged 13", "users aged 16").0,
            ["number changed '13' → '16'"]
        );
        assert_eq!(
            check("for 6 months", "for 6 months").0,
            Vec::<String>::new()
        );
    }

    #[test]
    fn date_lines_are_cosmetic_other_dates_are_not() {
        let (s, c) = check(
            "Last Updated: June 18, 2021",
            "Last Updated: December 28, 2021",
        );
        assert!(s.is_empty());
        assert_eq!(
            c,
            ["effective date changed 'June 18, 2021' → 'December 28, 2021'"]
        );
        let (s, _) = check(
            "You may opt out until May 1, 2024.",
            "You may opt out until May 1, 2025.",
        );
        assert_eq!(s, ["date changed 'May 1, 2024' → 'May 1, 2025'"]);
    }

    #[test]
    fn relative_dates_are_cosmetic() {
        let (s, c) = check("Updated: 19 days ago", "Updated: 2 hours ago");
        assert!(s.is_empty(), "{s:?}");
        assert_eq!(c, ["relative date changed '19 days' → '2 hours'"]);
        let (s, _) = check("Mis à jour il y a 3 jours", "Mis à jour il y a 4 jours");
        assert!(s.is_empty(), "{s:?}");
        // A period that is not relative to today stays a number.
        assert!(!check("within 19 days", "within 20 days").0.is_empty());
    }

    #[test]
    fn inline_list_numbers_are_not_quantities() {
        let (s, _) = check(
            "1. Any clause may be void. 2. This is the whole agreement.",
            "Any clause may be void. This is the whole agreement.",
        );
        assert!(s.is_empty(), "{s:?}");
        // A quantity after a full stop is still one.
        assert!(
            !check("Pay within 30 days.", "Pay within 15 days.")
                .0
                .is_empty()
        );
    }

    #[test]
    fn cross_references_are_cosmetic() {
        let (s, c) = check("as described in Section 5", "as described in Section 6");
        assert!(s.is_empty());
        assert_eq!(c, ["cross-reference renumbered 'Section 5' → 'Section 6'"]);
    }

    #[test]
    fn actor_scope() {
        assert_eq!(
            check("You must comply.", "You or your end users must comply.").0,
            ["scope/actor added 'end users'"]
        );
    }

    #[test]
    fn dispute_and_consent_and_enforcement() {
        assert_eq!(
            check(
                "Disputes go to the courts.",
                "Disputes go to binding arbitration."
            )
            .0,
            [
                "added dispute term 'binding arbitration'",
                "removed dispute term 'courts'"
            ]
        );
        assert_eq!(
            check("You may opt in.", "You may opt out.").0,
            [
                "added consent term 'opt out'",
                "removed consent term 'opt in'"
            ]
        );
        assert_eq!(
            check("We may suspend you.", "We may terminate you.").0,
            [
                "added enforcement power 'terminate'",
                "removed enforcement power 'suspend'"
            ]
        );
    }
}
