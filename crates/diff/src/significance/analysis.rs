//! Reading a provision (or a changed span) for the significance rules.
//!
//! [`analyse`] turns text into a stream of [`Atom`]s: lowercase words,
//! numbers with their units ("30 days", "$1,000", "16%"), dates ("June 18,
//! 2021", "2021-06-18", "2021年6月18日", a bare year), cross-references
//! ("Section 5") and punctuation. Contractions are expanded ("can't" → "can
//! not"). It then matches the cue phrases of [`super::lexicon`] longest-first
//! and records which word atoms a cue covers. The result's [`Analysis::cues`]
//! (in reading order) and quantities are what [`super::features`] compares.

use super::lexicon::{
    CUE_INDEX, Cat, is_date_line_cue, is_month, is_number_word, is_unit, is_unit_modifier,
    is_xref_word,
};
use crate::normalize::fold_quotes;
use crate::tokens::{TokKind, tokenize};

/// What an atom is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AtomKind {
    /// A word (lowercased in `text`).
    Word,
    /// A number, with its unit when one follows.
    Number,
    /// A calendar date or a bare year.
    Date,
    /// A cross-reference such as "Section 5".
    XRef,
    /// One punctuation character.
    Punct,
}

/// One unit of analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Atom {
    /// What it is.
    pub(crate) kind: AtomKind,
    /// Lowercase comparison form.
    pub(crate) text: String,
    /// Original form, for reasons shown to people.
    pub(crate) surface: String,
    /// Whether whitespace preceded it.
    pub(crate) space_before: bool,
    /// Whether a cue phrase covers it.
    pub(crate) covered: bool,
}

/// One matched cue phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CueHit {
    /// Category.
    pub(crate) cat: Cat,
    /// Canonical name.
    pub(crate) name: &'static str,
}

/// A provision's text as the rules see it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Analysis {
    /// Atoms in reading order.
    pub(crate) atoms: Vec<Atom>,
    /// Cue phrases found, in reading order.
    pub(crate) cues: Vec<CueHit>,
}

impl Analysis {
    /// Surfaces of atoms of one kind, in reading order.
    pub(crate) fn surfaces(&self, kind: AtomKind) -> Vec<&str> {
        self.atoms.iter().filter(|a| a.kind == kind).map(|a| a.surface.as_str()).collect()
    }

    /// Word atoms, lowercase.
    pub(crate) fn words(&self) -> impl Iterator<Item = &Atom> {
        self.atoms.iter().filter(|a| a.kind == AtomKind::Word)
    }

    /// Whether this text is a "Last updated …"/"Effective …" line or a bare date.
    pub(crate) fn is_date_line(&self) -> bool {
        let has_date = self.atoms.iter().any(|a| a.kind == AtomKind::Date);
        if !has_date {
            return false;
        }
        let words: Vec<&str> = self.words().map(|a| a.text.as_str()).collect();
        if words.is_empty() {
            return true;
        }
        let opens_with_cue = words.iter().take(3).any(|w| is_date_line_cue(w));
        opens_with_cue && words.len() <= 12
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn starts_with_digit(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

/// Raw atoms before date/number grouping.
fn raw_atoms(text: &str) -> Vec<Atom> {
    let canon = fold_quotes(text);
    let mut out: Vec<Atom> = Vec::new();
    let mut space = false;
    for tok in tokenize(&canon) {
        let s = tok.text(&canon);
        match tok.kind {
            TokKind::Space => space = true,
            TokKind::Word | TokKind::Cjk => {
                let lower = s.to_lowercase();
                let kind =
                    if starts_with_digit(&lower) { AtomKind::Number } else { AtomKind::Word };
                out.push(Atom {
                    kind,
                    text: lower,
                    surface: s.to_string(),
                    space_before: space,
                    covered: false,
                });
                space = false;
            }
            TokKind::Punct => {
                out.push(Atom {
                    kind: AtomKind::Punct,
                    text: s.to_string(),
                    surface: s.to_string(),
                    space_before: space,
                    covered: false,
                });
                space = false;
            }
        }
    }
    expand_contractions(out)
}

fn word(text: &str, surface: &str, space_before: bool) -> Atom {
    Atom {
        kind: AtomKind::Word,
        text: text.to_string(),
        surface: surface.to_string(),
        space_before,
        covered: false,
    }
}

/// "can't" → "can not", "won't" → "will not", "don't" → "do not", "cannot" → "can not".
fn expand_contractions(atoms: Vec<Atom>) -> Vec<Atom> {
    let mut out: Vec<Atom> = Vec::with_capacity(atoms.len());
    let mut i = 0;
    while let Some(a) = atoms.get(i) {
        let apostrophe_t = atoms.get(i + 1).is_some_and(|p| p.text == "'" && !p.space_before)
            && atoms.get(i + 2).is_some_and(|t| t.text == "t" && !t.space_before);
        if a.kind == AtomKind::Word && apostrophe_t && a.text.ends_with('n') {
            let stem = match a.text.as_str() {
                "won" => "will",
                "can" => "can",
                "shan" => "shall",
                other => other.strip_suffix('n').unwrap_or(other),
            };
            out.push(word(stem, &a.surface, a.space_before));
            out.push(word("not", "not", true));
            i += 3;
            continue;
        }
        if a.kind == AtomKind::Word && a.text == "cannot" {
            out.push(word("can", &a.surface, a.space_before));
            out.push(word("not", "not", true));
            i += 1;
            continue;
        }
        out.push(a.clone());
        i += 1;
    }
    out
}

/// Joins "1" "," "000" → "1,000", "2" "." "5" → "2.5", "$" "5" → "$5", "16" "%" → "16%".
fn merge_numbers(atoms: Vec<Atom>) -> Vec<Atom> {
    let mut out: Vec<Atom> = Vec::with_capacity(atoms.len());
    let mut iter = atoms.into_iter().peekable();
    while let Some(mut a) = iter.next() {
        if a.kind == AtomKind::Punct
            && matches!(a.text.as_str(), "," | ".")
            && !a.space_before
            && out.last().is_some_and(|l| l.kind == AtomKind::Number && is_digit_group(&l.text))
            && iter.peek().is_some_and(|n| {
                n.kind == AtomKind::Number && !n.space_before && is_digits(&n.text)
            })
        {
            if let (Some(prev), Some(next)) = (out.last_mut(), iter.next()) {
                prev.text.push_str(&a.text);
                prev.text.push_str(&next.text);
                prev.surface.push_str(&a.surface);
                prev.surface.push_str(&next.surface);
            }
            continue;
        }
        if a.kind == AtomKind::Number
            && !a.space_before
            && out.last().is_some_and(|l| matches!(l.text.as_str(), "$" | "€" | "£" | "¥"))
            && let Some(prev) = out.pop()
        {
            a.text = format!("{}{}", prev.text, a.text);
            a.surface = format!("{}{}", prev.surface, a.surface);
            a.space_before = prev.space_before;
        }
        if a.kind == AtomKind::Punct
            && a.text == "%"
            && !a.space_before
            && let Some(prev) = out.last_mut()
            && prev.kind == AtomKind::Number
        {
            prev.text.push('%');
            prev.surface.push('%');
            continue;
        }
        out.push(a);
    }
    out
}

fn is_digit_group(s: &str) -> bool {
    let s = s.trim_start_matches(['$', '€', '£', '¥']);
    s.bytes().all(|b| b.is_ascii_digit() || b == b',' || b == b'.') && starts_with_digit(s)
}

fn day_number(s: &str) -> bool {
    let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix_ok = matches!(&s[digits.len()..], "" | "st" | "nd" | "rd" | "th");
    suffix_ok && is_digits(digits) && digits.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d))
}

fn year_number(s: &str) -> bool {
    is_digits(s) && s.len() == 4 && s.parse::<u32>().is_ok_and(|y| (1900..=2100).contains(&y))
}

/// Groups calendar dates and bare years into single `Date` atoms.
fn group_dates(atoms: Vec<Atom>) -> Vec<Atom> {
    let mut out: Vec<Atom> = Vec::with_capacity(atoms.len());
    let mut i = 0;
    let get = |j: usize| atoms.get(j);
    while let Some(a) = get(i) {
        let len = date_len(&atoms, i);
        if len > 0 {
            let parts = atoms.get(i..i + len).unwrap_or_default();
            let mut surface = String::new();
            for (n, p) in parts.iter().enumerate() {
                if n > 0 && p.space_before {
                    surface.push(' ');
                }
                surface.push_str(&p.surface);
            }
            let text = surface.to_lowercase();
            out.push(Atom {
                kind: AtomKind::Date,
                text,
                surface,
                space_before: a.space_before,
                covered: false,
            });
            i += len;
        } else {
            out.push(a.clone());
            i += 1;
        }
    }
    out
}

/// Length in atoms of a date starting at `i`, or 0.
fn date_len(atoms: &[Atom], i: usize) -> usize {
    let text = |j: usize| atoms.get(j).map_or("", |a| a.text.as_str());
    let kind = |j: usize| atoms.get(j).map(|a| a.kind);
    let tight = |j: usize| atoms.get(j).is_some_and(|a| !a.space_before);
    let t0 = text(i);
    // Month [day][,] [year]   ("may" and "march" only when capitalised)
    let ambiguous = matches!(t0, "may" | "march" | "mars" | "mai");
    let capitalised = atoms.get(i).is_some_and(|a| a.surface.starts_with(char::is_uppercase));
    if kind(i) == Some(AtomKind::Word) && is_month(t0) && (!ambiguous || capitalised) {
        let mut j = i + 1;
        let mut len = 0;
        if text(j) == "." && tight(j) {
            j += 1;
        }
        if day_number(text(j)) {
            j += 1;
            len = j - i;
            if text(j) == "," {
                j += 1;
            }
        }
        if year_number(text(j)) {
            len = j + 1 - i;
        }
        return len;
    }
    // Day Month Year ("16 September 2016", "1er mai 2024")
    if day_number(t0) || t0 == "1er" {
        let mut j = i + 1;
        if text(j) == "." {
            j += 1;
        }
        if kind(j) == Some(AtomKind::Word) && is_month(text(j)) && year_number(text(j + 1)) {
            return j + 2 - i;
        }
    }
    // 2021-06-18, 18/06/2021, 06.18.2021
    if kind(i) == Some(AtomKind::Number) && is_digits(t0) {
        let sep = text(i + 1);
        if matches!(sep, "-" | "/" | ".")
            && tight(i + 1)
            && tight(i + 2)
            && is_digits(text(i + 2))
            && text(i + 3) == sep
            && tight(i + 3)
            && tight(i + 4)
            && is_digits(text(i + 4))
        {
            let any_year = year_number(t0) || year_number(text(i + 4));
            let short = [t0, text(i + 2), text(i + 4)].iter().all(|p| p.len() <= 2);
            if any_year || (short && sep == "/") {
                return 5;
            }
        }
        // 2021年6月18日
        if year_number(t0) && text(i + 1) == "年" {
            if is_digits(text(i + 2)) && text(i + 3) == "月" {
                if is_digits(text(i + 4)) && text(i + 5) == "日" {
                    return 6;
                }
                return 4;
            }
            return 2;
        }
        if year_number(t0) {
            return 1;
        }
    }
    0
}

/// Marks "Section 5", "Article 13(2)" as cross-references.
fn mark_xrefs(atoms: &mut [Atom]) {
    for i in 1..atoms.len() {
        let prev_is_xref =
            atoms.get(i - 1).is_some_and(|p| p.kind == AtomKind::Word && is_xref_word(&p.text))
                || atoms.get(i - 1).is_some_and(|p| p.text == "§");
        if prev_is_xref
            && let Some(a) = atoms.get_mut(i)
            && a.kind == AtomKind::Number
        {
            a.kind = AtomKind::XRef;
            let word = atoms.get(i - 1).map(|p| p.surface.clone()).unwrap_or_default();
            if let Some(a) = atoms.get_mut(i) {
                a.surface = format!("{word} {}", a.surface);
                a.text = a.surface.to_lowercase();
            }
        }
    }
}

/// Attaches units to numbers ("30" "business" "days" → "30 business days") and
/// turns spelled-out numbers followed by a unit into numbers.
fn attach_units(atoms: Vec<Atom>) -> Vec<Atom> {
    let mut out: Vec<Atom> = Vec::with_capacity(atoms.len());
    let mut i = 0;
    while let Some(a) = atoms.get(i) {
        let mut a = a.clone();
        let spelled = a.kind == AtomKind::Word && is_number_word(&a.text);
        if a.kind == AtomKind::Number || spelled {
            let mut j = i + 1;
            // "thirty (30) days": step over the closing parenthesis.
            let in_parens = i > 0 && atoms.get(i - 1).is_some_and(|p| p.text == "(");
            if in_parens && atoms.get(j).is_some_and(|p| p.text == ")") {
                j += 1;
            }
            let mut unit: Vec<&Atom> = Vec::new();
            while let Some(m) = atoms.get(j).filter(|m| m.kind == AtomKind::Word) {
                if is_unit_modifier(&m.text) {
                    unit.push(m);
                    j += 1;
                } else {
                    break;
                }
            }
            if let Some(u) = atoms.get(j).filter(|u| u.kind == AtomKind::Word && is_unit(&u.text))
            {
                unit.push(u);
                j += 1;
                // "years old", "years of age"
                if atoms.get(j).is_some_and(|w| w.text == "old") {
                    if let Some(w) = atoms.get(j) {
                        unit.push(w);
                    }
                    j += 1;
                }
                for u in &unit {
                    if u.space_before {
                        a.surface.push(' ');
                        a.text.push(' ');
                    }
                    a.surface.push_str(&u.surface);
                    a.text.push_str(&u.text);
                }
                a.kind = AtomKind::Number;
                out.push(a);
                i = j;
                continue;
            }
        }
        out.push(a);
        i += 1;
    }
    out
}

/// Matches cue phrases longest-first over word atoms; hyphens and slashes do
/// not break a phrase, other punctuation and numbers do.
fn match_cues(atoms: &mut [Atom]) -> Vec<CueHit> {
    let mut hits = Vec::new();
    let mut i = 0;
    while i < atoms.len() {
        let Some(first) = atoms.get(i).filter(|a| a.kind == AtomKind::Word) else {
            i += 1;
            continue;
        };
        let mut matched: Option<(Vec<usize>, CueHit)> = None;
        if let Some(cues) = CUE_INDEX.get(first.text.as_str()) {
            for cue in cues {
                if let Some(positions) = phrase_at(atoms, i, cue.words) {
                    matched = Some((positions, CueHit { cat: cue.cat, name: cue.name }));
                    break;
                }
            }
        }
        match matched {
            Some((positions, hit)) => {
                let last = positions.last().copied().unwrap_or(i);
                for p in positions {
                    if let Some(a) = atoms.get_mut(p) {
                        a.covered = true;
                    }
                }
                hits.push(hit);
                i = last + 1;
            }
            None => i += 1,
        }
    }
    hits
}

/// Positions of the atoms matching `words` starting at `i`, if they match.
fn phrase_at(atoms: &[Atom], i: usize, words: &[&str]) -> Option<Vec<usize>> {
    let mut positions = Vec::with_capacity(words.len());
    let mut j = i;
    for w in words {
        // Skip joining punctuation between words of a phrase.
        while !positions.is_empty()
            && atoms.get(j).is_some_and(|a| a.kind == AtomKind::Punct && matches!(a.text.as_str(), "-" | "/"))
        {
            j += 1;
        }
        let a = atoms.get(j)?;
        if a.kind != AtomKind::Word || a.text != *w {
            return None;
        }
        positions.push(j);
        j += 1;
    }
    Some(positions)
}

/// Analyses a text: atoms, dates, numbers, cross-references and cue phrases.
pub(crate) fn analyse(text: &str) -> Analysis {
    let atoms = merge_numbers(raw_atoms(text));
    let mut atoms = attach_units(group_dates(atoms));
    mark_xrefs(&mut atoms);
    let cues = match_cues(&mut atoms);
    Analysis { atoms, cues }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str, kind: AtomKind) -> Vec<String> {
        analyse(text).surfaces(kind).into_iter().map(str::to_string).collect()
    }

    #[test]
    fn finds_numbers_with_units() {
        assert_eq!(
            kinds("within 30 days, or thirty (30) business days; fees of $1,000 or 2.5%", AtomKind::Number),
            ["30 days", "30 business days", "$1,000", "2.5%"]
        );
        assert_eq!(kinds("users under 13 years old", AtomKind::Number), ["13 years old"]);
        assert_eq!(kinds("thirty days", AtomKind::Number), ["thirty days"]);
    }

    #[test]
    fn finds_dates() {
        assert_eq!(
            kinds("Last Updated: June 18, 2021 and 16th September 2016", AtomKind::Date),
            ["June 18, 2021", "16th September 2016"]
        );
        assert_eq!(kinds("on 2021-06-18 or 12/31/21", AtomKind::Date), ["2021-06-18", "12/31/21"]);
        assert_eq!(kinds("更新日期：2021年6月18日", AtomKind::Date), ["2021年6月18日"]);
        assert_eq!(kinds("© 2020 Amazon", AtomKind::Date), ["2020"]);
        // "may" is a modal unless a day or year follows.
        assert!(kinds("we may 5 times", AtomKind::Date).is_empty());
        assert_eq!(kinds("since May 5", AtomKind::Date), ["May 5"]);
    }

    #[test]
    fn dates_are_not_modals() {
        let a = analyse("Effective May 1, 2024");
        assert!(a.cues.iter().all(|c| c.cat != Cat::Modal));
    }

    #[test]
    fn finds_cross_references() {
        assert_eq!(kinds("as set out in Section 5 and § 12", AtomKind::XRef), ["Section 5", "§ 12"]);
    }

    #[test]
    fn matches_cues_longest_first() {
        let a = analyse("We may, with or without notice, suspend you. You can't opt-out.");
        let names: Vec<&str> = a.cues.iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            ["we", "may", "with or without notice", "suspend", "you", "you", "can", "not", "opt out"]
        );
    }

    #[test]
    fn detects_date_lines() {
        assert!(analyse("Last Updated: June 18, 2021").is_date_line());
        assert!(analyse("Updated September 16th, 2016").is_date_line());
        assert!(analyse("June 18, 2021").is_date_line());
        assert!(!analyse("We may change this Policy on June 18, 2021 by posting it here for you.").is_date_line());
        assert!(!analyse("Last updated recently").is_date_line());
    }
}
