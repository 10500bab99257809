//! Reading a provision (or a changed span) for the significance rules.
//!
//! [`analyse`] turns text into a stream of [`Atom`]s: lowercase words,
//! numbers with their units ("30 days", "$1,000", "16%"), dates ("June 18,
//! 2021", "2021-06-18", "2021年6月18日", a bare year), cross-references
//! ("Section 5") and punctuation. Contractions are expanded ("can't" → "can
//! not"). It then matches the cue phrases of [`super::lexicon`] longest-first
//! and records which word atoms a cue covers. The result's [`Analysis::cues`]
//! (in reading order) and quantities are what [`super::features`] compares.
//!
//! Atoms borrow from the analysed text where they can (`Cow`): a provision
//! of a few thousand words costs a handful of allocations, not two per word.

use super::lexicon::{
    CUE_INDEX, Cat, is_date_line_cue, is_effective_context, is_month, is_number_word, is_unit,
    is_unit_modifier, is_xref_word,
};
use crate::tokens::{TokKind, tokenize};
use std::borrow::Cow;

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
pub(crate) struct Atom<'a> {
    /// What it is.
    pub(crate) kind: AtomKind,
    /// Lowercase comparison form.
    pub(crate) text: Cow<'a, str>,
    /// Original form, for reasons shown to people.
    pub(crate) surface: Cow<'a, str>,
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
pub(crate) struct Analysis<'a> {
    /// Atoms in reading order.
    pub(crate) atoms: Vec<Atom<'a>>,
    /// Cue phrases found, in reading order.
    pub(crate) cues: Vec<CueHit>,
}

impl Analysis<'_> {
    /// Surfaces of atoms of one kind, in reading order.
    pub(crate) fn surfaces(&self, kind: AtomKind) -> Vec<&str> {
        self.atoms
            .iter()
            .filter(|a| a.kind == kind)
            .map(|a| a.surface.as_ref())
            .collect()
    }

    /// Surfaces of number atoms, split into absolute quantities and relative
    /// dates ("19 days ago", "il y a 3 jours", "vor 2 Stunden"): a relative
    /// date moves every day by itself, so it never says what the terms are.
    pub(crate) fn numbers(&self, loose_markers: bool) -> (Vec<&str>, Vec<&str>) {
        let (mut absolute, mut relative) = (Vec::new(), Vec::new());
        for (k, a) in self.atoms.iter().enumerate() {
            if a.kind != AtomKind::Number {
                continue;
            }
            let word = |i: Option<usize>| {
                i.and_then(|i| self.atoms.get(i))
                    .filter(|x| x.kind == AtomKind::Word)
                    .map(|x| x.text.as_ref())
            };
            let after = word(Some(k + 1));
            let before = word(k.checked_sub(1));
            let before2 = word(k.checked_sub(2));
            let is_relative = after == Some("ago")
                || matches!(before, Some("vor" | "hace" | "fa"))
                || (before == Some("a") && before2 == Some("y"));
            let time_unit = a.surface.chars().any(char::is_alphabetic)
                || after.is_some_and(|w| {
                    matches!(
                        w,
                        "jour"
                            | "jours"
                            | "heure"
                            | "heures"
                            | "semaine"
                            | "semaines"
                            | "mois"
                            | "an"
                            | "ans"
                            | "tag"
                            | "tagen"
                            | "stunde"
                            | "stunden"
                            | "woche"
                            | "wochen"
                            | "monat"
                            | "monaten"
                            | "día"
                            | "días"
                            | "hora"
                            | "horas"
                            | "minute"
                            | "minutes"
                            | "minuten"
                    )
                });
            if is_relative && time_unit {
                relative.push(a.surface.as_ref());
            } else if !self.is_inline_marker(k, loose_markers) {
                absolute.push(a.surface.as_ref());
            }
        }
        (absolute, relative)
    }

    /// Whether the number atom at `k` is an inline list marker ("… terms.
    /// 2. The user …", "… as follows: 3) …"): one to three digits, no unit,
    /// followed by "." or ")" and standing at the start of the text or after
    /// a sentence or clause end (anywhere, with `loose`). Numbering is
    /// layout, not a quantity.
    fn is_inline_marker(&self, k: usize, loose: bool) -> bool {
        let Some(a) = self.atoms.get(k) else {
            return false;
        };
        let short = a.surface.len() <= 3 && a.surface.bytes().all(|b| b.is_ascii_digit());
        let closes = self
            .atoms
            .get(k + 1)
            .is_some_and(|p| p.kind == AtomKind::Punct && (p.text == "." || p.text == ")"));
        let opens = k == 0
            || loose
            || self.atoms.get(k - 1).is_some_and(|p| {
                p.kind == AtomKind::Punct && matches!(p.text.as_ref(), "." | ":" | ";")
            });
        short && closes && opens
    }

    /// Surfaces of date atoms, split into dates of the text itself (one of
    /// the four words before it says "effective", "updated", "last" …) and
    /// other dates.
    pub(crate) fn dates(&self) -> (Vec<&str>, Vec<&str>) {
        let (mut own, mut other) = (Vec::new(), Vec::new());
        for (k, a) in self.atoms.iter().enumerate() {
            if a.kind != AtomKind::Date {
                continue;
            }
            let dated = self.atoms[..k]
                .iter()
                .rev()
                .filter(|x| x.kind == AtomKind::Word)
                .take(4)
                .any(|x| is_date_line_cue(&x.text) || is_effective_context(&x.text));
            if dated {
                own.push(a.surface.as_ref());
            } else {
                other.push(a.surface.as_ref());
            }
        }
        (own, other)
    }

    /// Word atoms, lowercase.
    pub(crate) fn words(&self) -> impl Iterator<Item = &Atom<'_>> {
        self.atoms.iter().filter(|a| a.kind == AtomKind::Word)
    }

    /// Whether this text is a "Last updated …"/"Effective …" line or a bare date.
    pub(crate) fn is_date_line(&self) -> bool {
        let has_date = self.atoms.iter().any(|a| a.kind == AtomKind::Date);
        if !has_date {
            return false;
        }
        let words: Vec<&str> = self.words().map(|a| a.text.as_ref()).collect();
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

/// Lowercases without allocating when the text has no uppercase letter.
fn lower(s: &str) -> Cow<'_, str> {
    if s.chars().any(char::is_uppercase) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// Raw atoms before date/number grouping.
fn raw_atoms(canon: &str) -> Vec<Atom<'_>> {
    let mut out: Vec<Atom<'_>> = Vec::new();
    let mut space = false;
    for tok in tokenize(canon) {
        let s = tok.text(canon);
        match tok.kind {
            TokKind::Space => space = true,
            TokKind::Word | TokKind::Cjk => {
                let kind = if starts_with_digit(s) {
                    AtomKind::Number
                } else {
                    AtomKind::Word
                };
                out.push(Atom {
                    kind,
                    text: lower(s),
                    surface: Cow::Borrowed(s),
                    space_before: space,
                    covered: false,
                });
                space = false;
            }
            TokKind::Punct => {
                out.push(Atom {
                    kind: AtomKind::Punct,
                    text: Cow::Borrowed(s),
                    surface: Cow::Borrowed(s),
                    space_before: space,
                    covered: false,
                });
                space = false;
            }
        }
    }
    expand_contractions(out)
}

fn word<'a>(text: &'static str, surface: Cow<'a, str>, space_before: bool) -> Atom<'a> {
    Atom {
        kind: AtomKind::Word,
        text: Cow::Borrowed(text),
        surface,
        space_before,
        covered: false,
    }
}

/// "can't" → "can not", "won't" → "will not", "don't" → "do not", "cannot" → "can not".
fn expand_contractions(atoms: Vec<Atom<'_>>) -> Vec<Atom<'_>> {
    let mut out: Vec<Atom<'_>> = Vec::with_capacity(atoms.len());
    let mut iter = atoms.into_iter().peekable();
    while let Some(a) = iter.next() {
        if a.kind == AtomKind::Word && a.text == "cannot" {
            out.push(word("can", a.surface, a.space_before));
            out.push(word("not", Cow::Borrowed("not"), true));
            continue;
        }
        let is_apostrophe = iter
            .peek()
            .is_some_and(|p| p.text == "'" && !p.space_before);
        if a.kind == AtomKind::Word && a.text.ends_with('n') && is_apostrophe {
            let apostrophe = iter.next();
            if iter
                .peek()
                .is_some_and(|t| t.text == "t" && !t.space_before)
            {
                iter.next();
                let stem: Cow<'_, str> = match a.text.as_ref() {
                    "won" => Cow::Borrowed("will"),
                    "can" => Cow::Borrowed("can"),
                    "shan" => Cow::Borrowed("shall"),
                    other => Cow::Owned(other.strip_suffix('n').unwrap_or(other).to_string()),
                };
                out.push(Atom {
                    kind: AtomKind::Word,
                    text: stem,
                    surface: a.surface,
                    space_before: a.space_before,
                    covered: false,
                });
                out.push(word("not", Cow::Borrowed("not"), true));
                continue;
            }
            out.push(a);
            out.extend(apostrophe);
            continue;
        }
        out.push(a);
    }
    out
}

/// Joins "1" "," "000" → "1,000", "2" "." "5" → "2.5", "$" "5" → "$5", "16" "%" → "16%".
fn merge_numbers(atoms: Vec<Atom<'_>>) -> Vec<Atom<'_>> {
    let mut out: Vec<Atom<'_>> = Vec::with_capacity(atoms.len());
    let mut iter = atoms.into_iter().peekable();
    while let Some(mut a) = iter.next() {
        if a.kind == AtomKind::Punct
            && matches!(a.text.as_ref(), "," | ".")
            && !a.space_before
            && out
                .last()
                .is_some_and(|l| l.kind == AtomKind::Number && is_digit_group(&l.text))
            && iter.peek().is_some_and(|n| {
                n.kind == AtomKind::Number && !n.space_before && is_digits(&n.text)
            })
        {
            if let (Some(prev), Some(next)) = (out.last_mut(), iter.next()) {
                prev.text = Cow::Owned(format!("{}{}{}", prev.text, a.text, next.text));
                prev.surface = Cow::Owned(format!("{}{}{}", prev.surface, a.surface, next.surface));
            }
            continue;
        }
        if a.kind == AtomKind::Number
            && !a.space_before
            && out
                .last()
                .is_some_and(|l| matches!(l.text.as_ref(), "$" | "€" | "£" | "¥"))
            && let Some(prev) = out.pop()
        {
            a.text = Cow::Owned(format!("{}{}", prev.text, a.text));
            a.surface = Cow::Owned(format!("{}{}", prev.surface, a.surface));
            a.space_before = prev.space_before;
        }
        if a.kind == AtomKind::Punct
            && a.text == "%"
            && !a.space_before
            && let Some(prev) = out.last_mut()
            && prev.kind == AtomKind::Number
        {
            prev.text.to_mut().push('%');
            prev.surface.to_mut().push('%');
            continue;
        }
        out.push(a);
    }
    out
}

fn is_digit_group(s: &str) -> bool {
    let s = s.trim_start_matches(['$', '€', '£', '¥']);
    s.bytes()
        .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
        && starts_with_digit(s)
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
fn group_dates(atoms: Vec<Atom<'_>>) -> Vec<Atom<'_>> {
    let mut out: Vec<Atom<'_>> = Vec::with_capacity(atoms.len());
    let mut i = 0;
    let mut lens = Vec::with_capacity(atoms.len());
    while i < atoms.len() {
        let len = date_len(&atoms, i);
        lens.push((i, len));
        i += len.max(1);
    }
    let mut iter = atoms.into_iter();
    for (_, len) in lens {
        if len == 0 {
            out.extend(iter.next());
            continue;
        }
        let parts: Vec<Atom<'_>> = iter.by_ref().take(len).collect();
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
            text: Cow::Owned(text),
            surface: Cow::Owned(surface),
            space_before: parts.first().is_some_and(|p| p.space_before),
            covered: false,
        });
    }
    out
}

/// Length in atoms of a date starting at `i`, or 0.
fn date_len(atoms: &[Atom<'_>], i: usize) -> usize {
    let text = |j: usize| atoms.get(j).map_or("", |a| a.text.as_ref());
    let kind = |j: usize| atoms.get(j).map(|a| a.kind);
    let tight = |j: usize| atoms.get(j).is_some_and(|a| !a.space_before);
    let t0 = text(i);
    // Month [day][,] [year]   ("may" and "march" only when capitalised)
    let ambiguous = matches!(t0, "may" | "march" | "mars" | "mai");
    let capitalised = atoms
        .get(i)
        .is_some_and(|a| a.surface.starts_with(char::is_uppercase));
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
fn mark_xrefs(atoms: &mut [Atom<'_>]) {
    for i in 1..atoms.len() {
        let is_label =
            |p: &Atom<'_>| (p.kind == AtomKind::Word && is_xref_word(&p.text)) || p.text == "§";
        // "Section 5", "§ 12", and the abbreviated "Nr. 3", "Abs. 2".
        let prev_is_xref = atoms.get(i - 1).is_some_and(is_label)
            || (i >= 2
                && atoms.get(i - 1).is_some_and(|p| p.text == ".")
                && atoms.get(i - 2).is_some_and(is_label));
        if prev_is_xref
            && let Some(a) = atoms.get_mut(i)
            && a.kind == AtomKind::Number
        {
            a.kind = AtomKind::XRef;
            let word = match atoms.get(i - 1) {
                Some(p) if p.text == "." => atoms
                    .get(i - 2)
                    .map(|l| format!("{}.", l.surface))
                    .unwrap_or_default(),
                Some(p) => p.surface.to_string(),
                None => String::new(),
            };
            if let Some(a) = atoms.get_mut(i) {
                let surface = format!("{word} {}", a.surface);
                a.text = Cow::Owned(surface.to_lowercase());
                a.surface = Cow::Owned(surface);
            }
        }
    }
}

/// Attaches units to numbers ("30" "business" "days" → "30 business days") and
/// turns spelled-out numbers followed by a unit into numbers.
fn attach_units(atoms: Vec<Atom<'_>>) -> Vec<Atom<'_>> {
    // First find, for each number, how many following atoms are its unit.
    let mut spans: Vec<(usize, usize, usize)> = Vec::new(); // (number, first unit atom, end)
    let mut i = 0;
    while let Some(a) = atoms.get(i) {
        let spelled = a.kind == AtomKind::Word && is_number_word(&a.text);
        if a.kind == AtomKind::Number || spelled {
            let mut j = i + 1;
            // "thirty (30) days": step over the closing parenthesis.
            let in_parens = i > 0 && atoms.get(i - 1).is_some_and(|p| p.text == "(");
            if in_parens && atoms.get(j).is_some_and(|p| p.text == ")") {
                j += 1;
            }
            let unit_start = j;
            while atoms
                .get(j)
                .is_some_and(|m| m.kind == AtomKind::Word && is_unit_modifier(&m.text))
            {
                j += 1;
            }
            if atoms
                .get(j)
                .is_some_and(|u| u.kind == AtomKind::Word && is_unit(&u.text))
            {
                j += 1;
                if atoms.get(j).is_some_and(|w| w.text == "old") {
                    j += 1;
                }
                spans.push((i, unit_start, j));
                i = j;
                continue;
            }
        }
        i += 1;
    }
    if spans.is_empty() {
        return atoms;
    }
    let mut out: Vec<Atom<'_>> = Vec::with_capacity(atoms.len());
    let mut spans = spans.into_iter().peekable();
    let mut skip_until = 0;
    let mut pending: Option<(Atom<'_>, usize, usize)> = None; // number atom, unit start, end
    for (k, a) in atoms.into_iter().enumerate() {
        if let Some((mut num, unit_start, end)) = pending.take() {
            if k < end {
                if k >= unit_start {
                    if a.space_before {
                        num.surface.to_mut().push(' ');
                        num.text.to_mut().push(' ');
                    }
                    num.surface.to_mut().push_str(&a.surface);
                    num.text.to_mut().push_str(&a.text);
                }
                if k + 1 < end {
                    pending = Some((num, unit_start, end));
                } else {
                    out.push(num);
                }
                continue;
            }
            out.push(num);
        }
        if k < skip_until {
            continue;
        }
        match spans.peek() {
            Some(&(n, unit_start, end)) if n == k => {
                spans.next();
                skip_until = end;
                let mut num = a;
                num.kind = AtomKind::Number;
                pending = Some((num, unit_start, end));
            }
            _ => out.push(a),
        }
    }
    if let Some((num, _, _)) = pending {
        out.push(num);
    }
    out
}

/// Matches cue phrases longest-first over word atoms; hyphens and slashes do
/// not break a phrase, other punctuation and numbers do.
fn match_cues(atoms: &mut [Atom<'_>]) -> Vec<CueHit> {
    let mut hits = Vec::new();
    let mut i = 0;
    while i < atoms.len() {
        let Some(first) = atoms.get(i).filter(|a| a.kind == AtomKind::Word) else {
            i += 1;
            continue;
        };
        let mut matched: Option<(Vec<usize>, CueHit)> = None;
        if let Some(cues) = CUE_INDEX.get(first.text.as_ref()) {
            for cue in cues {
                if let Some(positions) = phrase_at(atoms, i, cue.words) {
                    matched = Some((
                        positions,
                        CueHit {
                            cat: cue.cat,
                            name: cue.name,
                        },
                    ));
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
fn phrase_at(atoms: &[Atom<'_>], i: usize, words: &[&str]) -> Option<Vec<usize>> {
    let mut positions = Vec::with_capacity(words.len());
    let mut j = i;
    for w in words {
        // Skip joining punctuation between words of a phrase.
        while !positions.is_empty()
            && atoms
                .get(j)
                .is_some_and(|a| a.kind == AtomKind::Punct && matches!(a.text.as_ref(), "-" | "/"))
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

/// Analyses a canonical text (quotes and dashes folded, see
/// [`crate::normalize::fold_quotes`]): atoms, dates, numbers,
/// cross-references and cue phrases.
pub(crate) fn analyse(canon: &str) -> Analysis<'_> {
    let atoms = merge_numbers(raw_atoms(canon));
    let mut atoms = attach_units(group_dates(atoms));
    mark_xrefs(&mut atoms);
    let cues = match_cues(&mut atoms);
    Analysis { atoms, cues }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str, kind: AtomKind) -> Vec<String> {
        let c = crate::normalize::fold_quotes(text);
        analyse(&c)
            .surfaces(kind)
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn finds_numbers_with_units() {
        assert_eq!(
            kinds(
                "within 30 days, or thirty (30) business days; fees of $1,000 or 2.5%",
                AtomKind::Number
            ),
            ["30 days", "30 business days", "$1,000", "2.5%"]
        );
        assert_eq!(
            kinds("users under 13 years old", AtomKind::Number),
            ["13 years old"]
        );
        assert_eq!(kinds("thirty days", AtomKind::Number), ["thirty days"]);
    }

    #[test]
    fn finds_dates() {
        assert_eq!(
            kinds(
                "Last Updated: June 18, 2021 and 16th September 2016",
                AtomKind::Date
            ),
            ["June 18, 2021", "16th September 2016"]
        );
        assert_eq!(
            kinds("on 2021-06-18 or 12/31/21", AtomKind::Date),
            ["2021-06-18", "12/31/21"]
        );
        assert_eq!(
            kinds("更新日期：2021年6月18日", AtomKind::Date),
            ["2021年6月18日"]
        );
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
        assert_eq!(
            kinds("as set out in Section 5 and § 12", AtomKind::XRef),
            ["Section 5", "§ 12"]
        );
    }

    #[test]
    fn matches_cues_longest_first() {
        let a = analyse("We may, with or without notice, suspend you. You can't opt-out.");
        let names: Vec<&str> = a.cues.iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            [
                "we",
                "may",
                "with or without notice",
                "suspend",
                "you",
                "you",
                "can",
                "not",
                "opt out"
            ]
        );
    }

    #[test]
    fn detects_date_lines() {
        assert!(analyse("Last Updated: June 18, 2021").is_date_line());
        assert!(analyse("Updated September 16th, 2016").is_date_line());
        assert!(analyse("June 18, 2021").is_date_line());
        assert!(
            !analyse("We may change this Policy on June 18, 2021 by posting it here for you.")
                .is_date_line()
        );
        assert!(!analyse("Last updated recently").is_date_line());
    }
}
