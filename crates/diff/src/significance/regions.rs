//! Span rules: classify each edited region of a word diff.
//!
//! A region (what was deleted and inserted between two equal runs) is tried
//! against the cosmetic explanations of TAXONOMY §3 first: whitespace,
//! quotes/dashes, case, list renumbering, punctuation, spelling variants
//! (e-mail/email, licence/license), word forms, function-word swaps, and a
//! rebrand (a name replaced by a name, with no legal-form suffix). A region
//! whose words are all cue phrases is left to the whole-text rules. What
//! remains is a party change (legal-form suffix), a governing-law place
//! change, a list entry added/removed, or a plain wording change: all
//! substantive, because an unexplained change of content words may change
//! the meaning (a monitor should over-report, not under-report).

use super::Reasons;
use super::analysis::{Atom, AtomKind, analyse};
use super::lexicon::{
    is_function_word, is_legal_form, is_name_connector, is_role_word, is_unit, is_xref_word,
};
use crate::normalize::{
    collapse_whitespace, fold_quotes, list_marker_len, same_alnum, same_canonical,
};
use crate::words::Region;
use std::collections::BTreeSet;

/// What the provision around the regions is.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RegionContext {
    /// The provision is a heading: wording changes are cosmetic.
    pub(crate) heading: bool,
    /// The provision names a governing law, forum or arbitration.
    pub(crate) dispute: bool,
    /// A split or merge: "and"/"or" joining clauses is layout.
    pub(crate) restructured: bool,
}

/// Shortens a quoted span for a reason string.
pub(crate) fn clip(s: &str) -> String {
    let s = collapse_whitespace(s);
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

/// "'D' → 'I'", "removed 'D'" or "added 'I'".
fn edit(d: &str, i: &str) -> String {
    match (d.trim().is_empty(), i.trim().is_empty()) {
        (false, false) => format!("'{}' → '{}'", clip(d.trim()), clip(i.trim())),
        (true, _) => format!("added '{}'", clip(i.trim())),
        (_, true) => format!("removed '{}'", clip(d.trim())),
    }
}

/// Classifies every region and adds its reason. `explained` holds words that
/// appear in whole-text reasons already given, so they are not repeated.
///
/// Only the first [`MAX_DEEP_REGIONS`] regions that need more than the
/// layout checks are read word by word; further ones are counted and
/// reported together as an extensive rewrite (substantive).
pub(crate) fn classify(
    regions: &[Region],
    ctx: RegionContext,
    explained: &BTreeSet<String>,
    out: &mut Reasons,
) {
    // Examples added to (or removed from) a rule ("This includes, for
    // instance, …"): what the rule covers is now listed differently (rule
    // 4). That is the main reason, before any cue the examples happen to
    // contain ("consent", "without").
    if !ctx.restructured
        && let Some(reason) = regions.iter().find_map(examples_edit)
        && !out.substantive.contains(&reason)
    {
        out.substantive.insert(0, reason);
    }
    let mut deep = 0usize;
    let mut unread = 0usize;
    for r in regions {
        if layout_only(r, out) {
            continue;
        }
        if deep < MAX_DEEP_REGIONS {
            deep += 1;
            classify_words(r, ctx, explained, out);
        } else {
            unread += 1;
        }
    }
    if unread > 0 {
        out.substantive(format!("extensively rewritten ({unread} further edits)"));
    }
}

/// A region that only adds or only removes a run of examples: text that
/// opens with a phrase introducing examples of what a rule covers.
fn examples_edit(r: &Region) -> Option<String> {
    const OPENERS: &[&str] = &[
        "this includes",
        "this may include",
        "including",
        "for example",
        "for instance",
        "such as",
        "e.g.",
        "par exemple",
        "notamment",
        "y compris",
    ];
    let (d, i) = (r.deleted.trim(), r.inserted.trim());
    let (text, verb) = match (d.is_empty(), i.is_empty()) {
        (true, false) => (i, "added"),
        (false, true) => (d, "removed"),
        _ => return None,
    };
    let lower = fold_quotes(text).to_lowercase();
    let opens = |o: &&str| {
        lower
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .starts_with(*o)
    };
    let enough = text.split_whitespace().count() >= 4;
    (enough && OPENERS.iter().any(opens))
        .then(|| format!("list entry {verb}: examples '{}'", clip(text)))
}

/// Classifies regions of a change whose words are known to be the same on
/// both sides (only case, punctuation or spacing differ): layout reasons, or
/// "case or punctuation changed" for a region the diff split oddly.
pub(crate) fn classify_layout(regions: &[Region], out: &mut Reasons) {
    for r in regions {
        if layout_only(r, out) {
            continue;
        }
        let squash = |s: &str| -> String {
            s.chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_lowercase)
                .collect()
        };
        if squash(&r.deleted) == squash(&r.inserted) {
            out.cosmetic("whitespace changed (words joined or split)".into());
        } else {
            out.cosmetic("case or punctuation changed".into());
        }
    }
}

/// Regions read word by word per change; see [`classify`].
const MAX_DEEP_REGIONS: usize = 32;

/// The layout checks: whitespace, quotes, case, list markers, punctuation.
/// Returns whether one of them explained the region (and recorded it).
fn layout_only(r: &Region, out: &mut Reasons) -> bool {
    let (d, i) = (r.deleted.as_str(), r.inserted.as_str());
    if d.split_whitespace().eq(i.split_whitespace()) {
        out.cosmetic("whitespace changed".into());
        return true;
    }
    if same_canonical(d, i, false) {
        out.cosmetic("quotes or dashes changed".into());
        return true;
    }
    if same_canonical(d, i, true) {
        let caps = |s: &str| {
            let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
            letters.len() >= 3 && letters.iter().all(|c| c.is_uppercase())
        };
        if caps(i) && !caps(d) {
            out.cosmetic("text now in capitals (review: conspicuous disclaimer?)".into());
        } else {
            out.cosmetic("case changed".into());
        }
        return true;
    }
    if r.at_start && is_marker(d) && is_marker(i) {
        out.cosmetic("list renumbered".into());
        return true;
    }
    if same_alnum(d, i) {
        let hyphen_word = |s: &str| s.contains('-') || s.contains(' ');
        let has_letters = d.chars().any(char::is_alphanumeric);
        let joined = has_letters && (hyphen_word(d.trim()) || hyphen_word(i.trim()));
        if joined {
            out.cosmetic(format!(
                "spelling variant '{}' → '{}'",
                clip(d.trim()),
                clip(i.trim())
            ));
        } else {
            out.cosmetic("punctuation changed".into());
        }
        return true;
    }
    false
}

/// The word checks: cue coverage, party, rebrand, spelling, list entries.
fn classify_words(r: &Region, ctx: RegionContext, explained: &BTreeSet<String>, out: &mut Reasons) {
    let (d, i) = (r.deleted.as_str(), r.inserted.as_str());

    let (dc, ic) = (fold_quotes(d), fold_quotes(i));
    let (da, ia) = (analyse(&dc), analyse(&ic));
    // An "Effective Date: …" line glued into a paragraph by an extractor.
    let (d_date, i_date) = (da.is_date_line(), ia.is_date_line());
    let d_ok = d_date || d.trim().is_empty();
    let i_ok = i_date || i.trim().is_empty();
    if (d_date || i_date) && d_ok && i_ok {
        return out.cosmetic(format!("effective-date line changed {}", edit(d, i)));
    }
    let residual_d = residual(&da.atoms, explained, ctx.restructured);
    let residual_i = residual(&ia.atoms, explained, ctx.restructured);
    let any_covered =
        da.atoms.iter().chain(&ia.atoms).any(|a| {
            a.covered || matches!(a.kind, AtomKind::Number | AtomKind::Date | AtomKind::XRef)
        });
    let (mut residual_d, mut residual_i) = (residual_d, residual_i);
    if !ctx.restructured && scope_change(&da.atoms, &ia.atoms, explained, out) {
        residual_d.retain(|w| !is_scope_word(w));
        residual_i.retain(|w| !is_scope_word(w));
        if residual_d.is_empty() && residual_i.is_empty() {
            return;
        }
    }
    if residual_d.is_empty() && residual_i.is_empty() {
        if !any_covered {
            out.cosmetic(format!("minor wording {}", edit(d, i)));
        }
        return;
    }

    let words_of = |atoms: &[Atom<'_>]| -> Vec<String> {
        atoms
            .iter()
            .filter(|a| a.kind == AtomKind::Word)
            .map(|a| a.text.to_string())
            .collect()
    };
    let (wd, wi) = (words_of(&da.atoms), words_of(&ia.atoms));
    if wd.iter().chain(&wi).any(|w| is_legal_form(w)) {
        return out.substantive(format!(
            "party changed '{}' → '{}'",
            clip(d.trim()),
            clip(i.trim())
        ));
    }
    if is_name(&da.atoms) && is_name(&ia.atoms) {
        if let Some(reason) = person_or_party(r, &wd, &wi) {
            return out.substantive(reason);
        }
        if let Some(reason) = defined_term_number(r, &wd, &wi) {
            return out.substantive(reason);
        }
        return if ctx.dispute {
            out.substantive(format!(
                "governing law/forum changed '{}' → '{}'",
                clip(d.trim()),
                clip(i.trim())
            ))
        } else {
            out.cosmetic(format!(
                "entity renamed '{}' → '{}'",
                clip(d.trim()),
                clip(i.trim())
            ))
        };
    }
    if residual_d.len() == residual_i.len()
        && residual_d
            .iter()
            .zip(&residual_i)
            .all(|(a, b)| variant(a, b).is_some())
    {
        let kind = residual_d
            .iter()
            .zip(&residual_i)
            .filter_map(|(a, b)| variant(a, b))
            .max()
            .unwrap_or(Variant::Spelling);
        let label = match kind {
            Variant::Spelling => "spelling variant",
            Variant::WordForm => "word form changed",
        };
        return out.cosmetic(format!(
            "{label} '{}' → '{}'",
            clip(d.trim()),
            clip(i.trim())
        ));
    }
    if ctx.heading {
        return out.cosmetic(format!("heading reworded {}", edit(d, i)));
    }
    let list_edge = |s: &str| {
        let t = s.trim();
        t.starts_with(',')
            || t.ends_with(',')
            || t.starts_with(';')
            || t.ends_with(';')
            || t.starts_with("or ")
            || t.starts_with("and ")
            || t.ends_with(" or")
            || t.ends_with(" and")
    };
    let channel = |ws: &[String]| ws.iter().any(|w| is_channel_word(w));
    if !d.trim().is_empty() && !i.trim().is_empty() && channel(&wd) && channel(&wi) {
        // "via our contact form" → "through the Support portal".
        return out.substantive(format!(
            "contact details changed '{}' → '{}'",
            clip(d.trim()),
            clip(i.trim())
        ));
    }
    let reason = match (d.trim().is_empty(), i.trim().is_empty()) {
        (true, _) if list_edge(i) => format!("list entry added '{}'", clip(trim_list_edges(i))),
        (_, true) if list_edge(d) => format!("list entry removed '{}'", clip(trim_list_edges(d))),
        (true, _) => format!("text added '{}'", clip(i.trim())),
        (_, true) => format!("text removed '{}'", clip(d.trim())),
        _ => format!(
            "wording changed '{}' → '{}'",
            clip(d.trim()),
            clip(i.trim())
        ),
    };
    out.substantive(reason);
}

/// Nouns that name a way to reach someone (rule 7: contact channel).
fn is_channel_word(w: &str) -> bool {
    matches!(
        w,
        "form"
            | "webform"
            | "portal"
            | "email"
            | "mail"
            | "address"
            | "phone"
            | "telephone"
            | "helpdesk"
            | "hotline"
            | "chat"
            | "formulaire"
            | "courriel"
            | "adresse"
            | "téléphone"
            | "formular"
            | "telefon"
    )
}

/// Words that set the reach of a promise or a duty: removing "customer" from
/// "any applicable customer settings", or adding "only" or "prior written",
/// changes what is covered (TAXONOMY §3 rules 2 and 6).
fn is_scope_word(w: &str) -> bool {
    matches!(
        w,
        "any"
            | "all"
            | "every"
            | "each"
            | "only"
            | "solely"
            | "exclusively"
            | "customer"
            | "customers"
            | "prior"
            | "written"
            | "reasonable"
            | "reasonably"
            | "sole"
            | "certain"
            | "some"
            | "express"
            | "explicit"
            | "explicitly"
            | "expressly"
    )
}

/// Scope words added or removed by one region (multiset difference of the
/// two sides), minus those a whole-text reason already names. Records
/// "added/removed scope qualifier 'x'" and returns whether any was found.
fn scope_change(
    deleted: &[Atom<'_>],
    inserted: &[Atom<'_>],
    explained: &BTreeSet<String>,
    out: &mut Reasons,
) -> bool {
    let scope = |atoms: &[Atom<'_>]| -> Vec<String> {
        atoms
            .iter()
            .filter(|a| a.kind == AtomKind::Word && is_scope_word(&a.text))
            .map(|a| a.text.to_string())
            .collect()
    };
    let (mut d, mut i) = (scope(deleted), scope(inserted));
    let common: Vec<String> = d.iter().filter(|w| i.contains(w)).cloned().collect();
    for w in common {
        if let (Some(a), Some(b)) = (
            d.iter().position(|x| *x == w),
            i.iter().position(|x| *x == w),
        ) {
            d.remove(a);
            i.remove(b);
        }
    }
    let mut found = false;
    for (list, verb) in [(d, "removed"), (i, "added")] {
        for w in list.into_iter().filter(|w| !explained.contains(w)) {
            out.substantive(format!("{verb} scope qualifier '{w}'"));
            found = true;
        }
    }
    found
}

fn trim_list_edges(s: &str) -> &str {
    let mut t = s.trim().trim_matches([',', ';']).trim();
    for w in ["or ", "and "] {
        t = t.strip_prefix(w).unwrap_or(t);
    }
    for w in [" or", " and"] {
        t = t.strip_suffix(w).unwrap_or(t);
    }
    t.trim().trim_matches([',', ';']).trim()
}

/// Whether a span is only a list marker or its number ("3.", "(b)", "iv", "•").
fn is_marker(s: &str) -> bool {
    let t = s.trim();
    if t.is_empty() {
        return true;
    }
    let probe = format!("{t} x");
    let bare = t.trim_matches(['(', ')', '.']);
    list_marker_len(&probe) == t.len() + 1
        || list_marker_len(&format!("{bare}. x")) == bare.len() + 2
}

/// Content words of a span: not covered by a cue, not a function word, not a
/// unit, not already explained by a whole-text reason.
fn residual(atoms: &[Atom<'_>], explained: &BTreeSet<String>, restructured: bool) -> Vec<String> {
    atoms
        .iter()
        .filter(|a| a.kind == AtomKind::Word && !a.covered)
        .map(|a| a.text.to_string())
        .filter(|w| {
            !is_function_word(w) && !is_unit(w) && !is_xref_word(w) && !explained.contains(w)
        })
        .filter(|w| !(restructured && matches!(w.as_str(), "and" | "or")))
        .collect()
}

/// A name replaced by a name that is not a rebrand: a person's name (two or
/// three words on each side, none shared: "Tal Hayek" → "Simon Cairns"), a
/// name beside a title or role ("…, CEO", "Monsieur …"), or a name standing
/// where a party stands ("between you and X", "X will …").
fn person_or_party(r: &Region, old_words: &[String], new_words: &[String]) -> Option<String> {
    let (d, i) = (r.deleted.trim(), r.inserted.trim());
    let lower_words = |s: &str| -> Vec<String> {
        s.split(|c: char| !(c.is_alphanumeric() || c == '/'))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let before = lower_words(&r.before);
    let after = lower_words(&r.after);
    let role_near = before.last().is_some_and(|w| is_role_word(w))
        || after.first().is_some_and(|w| is_role_word(w))
        || old_words.iter().chain(new_words).any(|w| is_role_word(w));
    let shared = old_words.iter().any(|w| new_words.contains(w));
    let person_shape = |ws: &[String]| (2..=3).contains(&ws.len());
    if role_near || (!shared && person_shape(old_words) && person_shape(new_words)) {
        return Some(format!(
            "person named changed '{}' → '{}'",
            clip(d),
            clip(i)
        ));
    }
    let party_before = before.ends_with(&["you".to_string(), "and".to_string()])
        || before.last().is_some_and(|w| w == "between");
    let party_after = after
        .first()
        .is_some_and(|w| matches!(w.as_str(), "will" | "shall" | "may" | "must" | "agrees"));
    (party_before || party_after).then(|| format!("party changed '{}' → '{}'", clip(d), clip(i)))
}

/// A defined term that changed number after a determiner ("the Site" →
/// "the Sites", "the Services" → "the Service"): the terms now reach more
/// (or fewer) things, so it is a scope change, not a rename. Only one word
/// on each side, the same word but for a plural ending, and a determiner
/// right before it, so a product name ("Skroutz Merchant" → "Skroutz
/// Merchants") stays a rename.
fn defined_term_number(r: &Region, old_words: &[String], new_words: &[String]) -> Option<String> {
    let ([old], [new]) = (old_words, new_words) else {
        return None;
    };
    let plural_of = |one: &str, many: &str| {
        let ies = many
            .strip_suffix("ies")
            .zip(one.strip_suffix('y'))
            .is_some_and(|(a, b)| a == b);
        ies || many
            .strip_suffix('s')
            .is_some_and(|stem| stem == one || stem.strip_suffix('e') == Some(one))
    };
    if !(plural_of(old, new) || plural_of(new, old)) {
        return None;
    }
    let last_before = r
        .before
        .split(|c: char| !c.is_alphanumeric())
        .rfind(|w| !w.is_empty())
        .map(str::to_lowercase)?;
    is_determiner(&last_before).then(|| {
        format!(
            "scope/actor changed: defined term '{}' → '{}'",
            clip(r.deleted.trim()),
            clip(r.inserted.trim())
        )
    })
}

/// English determiners that introduce a defined term.
fn is_determiner(word: &str) -> bool {
    matches!(
        word,
        "the" | "this" | "these" | "that" | "those" | "our" | "your" | "such" | "any" | "all"
    )
}

/// A name: every word capitalised (or a digit, or a name connector), at least
/// one capitalised word, and no cue word ("We", "May").
fn is_name(atoms: &[Atom<'_>]) -> bool {
    let mut capitalised = 0;
    for a in atoms {
        match a.kind {
            AtomKind::Word => {
                if a.covered {
                    return false;
                }
                let first = a.surface.chars().next();
                if first.is_some_and(char::is_uppercase) {
                    capitalised += 1;
                } else if !is_name_connector(&a.text) {
                    return false;
                }
            }
            AtomKind::Number | AtomKind::Punct => {}
            AtomKind::Date | AtomKind::XRef => return false,
        }
    }
    capitalised > 0
}

/// How two words are variants of each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Variant {
    Spelling,
    WordForm,
}

fn variant(a: &str, b: &str) -> Option<Variant> {
    if a == b {
        return Some(Variant::Spelling);
    }
    if uk_us(a) == uk_us(b) {
        return Some(Variant::Spelling);
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la.min(lb) >= 6 && edit_distance_is_one(a, b) && !negating_prefix(a, b) {
        return Some(Variant::Spelling);
    }
    let (sa, sb) = (stem(a), stem(b));
    if sa.chars().count() >= 4 && sa == sb {
        return Some(Variant::WordForm);
    }
    if inflected(a, b) {
        return Some(Variant::WordForm);
    }
    // A spelling fix: a word the corpus does not know replaced by a close
    // one it knows ("recieve" → "receive", "accomodate" → "accommodate").
    if la.min(lb) >= 5
        && !negating_prefix(a, b)
        && !is_known_word(a)
        && is_known_word(b)
        && typo_distance(a, b)
    {
        return Some(Variant::Spelling);
    }
    None
}

/// Inflection endings (English, French, Spanish, Portuguese, Italian,
/// German) that change agreement or number, not meaning.
const INFLECTIONS: &[&str] = &[
    "", "s", "es", "e", "nt", "ent", "d", "ed", "x", "a", "o", "as", "os", "en", "er", "n",
];

/// Same word with another inflection ending: "justifie" → "justifient",
/// "placée" → "placées", "publicado" → "publicados". The common part must be
/// at least five letters and cover all but three letters of the longer word.
fn inflected(a: &str, b: &str) -> bool {
    let (ac, bc): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let common = ac.iter().zip(&bc).take_while(|(x, y)| x == y).count();
    let longer = ac.len().max(bc.len());
    if common < 5 || longer - common > 3 || ac == bc {
        return false;
    }
    let tail = |v: &[char]| {
        v.get(common..)
            .unwrap_or_default()
            .iter()
            .collect::<String>()
    };
    let (ta, tb) = (tail(&ac), tail(&bc));
    INFLECTIONS.contains(&ta.as_str()) && INFLECTIONS.contains(&tb.as_str())
}

/// The corpus word list (`dictionary.txt`, built by
/// `crates/diff/scripts/build_dictionary.py`): words of 5+ letters that
/// several unrelated services use.
static DICTIONARY: std::sync::LazyLock<crate::fasthash::FxHashSet<&'static str>> =
    std::sync::LazyLock::new(|| include_str!("dictionary.txt").lines().collect());

fn is_known_word(w: &str) -> bool {
    DICTIONARY.contains(w)
}

/// Whether two words are a typo apart: optimal-string-alignment distance 1,
/// or 2 inside a word of seven letters or more that keeps its last two
/// letters (a changed ending is another word: "licensee" → "licensor").
fn typo_distance(a: &str, b: &str) -> bool {
    match osa_distance(a, b) {
        Some(1) => true,
        Some(2) => {
            let suffix = a
                .chars()
                .rev()
                .zip(b.chars().rev())
                .take_while(|(x, y)| x == y)
                .count();
            a.chars().count().min(b.chars().count()) >= 7 && suffix >= 2
        }
        _ => false,
    }
}

/// Optimal-string-alignment distance (insertions, deletions, substitutions,
/// transpositions of neighbours) when it is at most 2.
fn osa_distance(a: &str, b: &str) -> Option<usize> {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 2 {
        return None;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    Some(d[a.len() * w + b.len()]).filter(|&x| x <= 2)
}

/// "unlawful" vs "lawful" is not a spelling variant.
fn negating_prefix(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    ["un", "in", "im", "il", "ir", "non", "dis"]
        .iter()
        .any(|p| long.strip_prefix(p) == Some(short))
}

/// Folds common British/American spelling differences.
fn uk_us(w: &str) -> String {
    let mut s = w.to_string();
    for (from, to) in [
        ("isation", "ization"),
        ("ise", "ize"),
        ("ising", "izing"),
        ("ised", "ized"),
        ("yse", "yze"),
        ("our", "or"),
        ("ence", "ense"),
        ("tre", "ter"),
        ("lled", "led"),
        ("lling", "ling"),
        ("gement", "gment"),
        ("ogue", "og"),
    ] {
        if let Some(stripped) = s.strip_suffix(from) {
            s = format!("{stripped}{to}");
            break;
        }
    }
    s
}

fn stem(w: &str) -> &str {
    for suffix in [
        "ings", "ing", "ions", "ion", "ments", "ment", "ed", "es", "s", "ly", "e",
    ] {
        if let Some(s) = w.strip_suffix(suffix)
            && s.chars().count() >= 3
        {
            return s;
        }
    }
    w
}

fn edit_distance_is_one(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    // One substitution, insertion or deletion leaves prefix + suffix covering the shorter word.
    prefix + suffix >= la.max(lb) - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::{regions, word_diff};

    fn check(old: &str, new: &str) -> (Vec<String>, Vec<String>) {
        check_ctx(old, new, RegionContext::default())
    }

    fn check_ctx(old: &str, new: &str, ctx: RegionContext) -> (Vec<String>, Vec<String>) {
        let mut out = Reasons::default();
        classify(
            &regions(&word_diff(old, new)),
            ctx,
            &BTreeSet::new(),
            &mut out,
        );
        (out.substantive, out.cosmetic)
    }

    #[test]
    fn cosmetic_layout_changes() {
        assert_eq!(check("a  b", "a b").1, ["whitespace changed"]);
        assert_eq!(
            check("the \"System\"", "the \u{201C}System\u{201D}").1,
            ["quotes or dashes changed"]
        );
        assert_eq!(check("Your Account", "your account").1, ["case changed"]);
        assert_eq!(check("3. Do it", "4. Do it").1, ["list renumbered"]);
        assert_eq!(
            check("data, and more", "data and more").1,
            ["punctuation changed"]
        );
        assert_eq!(
            check("send e-mail now", "send email now").1,
            ["spelling variant 'e-mail' → 'email'"]
        );
    }

    #[test]
    fn spelling_and_word_forms() {
        assert_eq!(
            check("the licence", "the license").1,
            ["spelling variant 'licence' → 'license'"]
        );
        assert_eq!(
            check("our behaviour", "our behavior").1,
            ["spelling variant 'behaviour' → 'behavior'"]
        );
        assert_eq!(
            check(
                "promoting or facilitating abuse",
                "promoting or facilitation abuse"
            )
            .1,
            ["word form changed 'facilitating' → 'facilitation'"]
        );
        // Typos fixed towards a word the corpus knows; agreement endings.
        for (old, new, reason) in [
            (
                "you will recieve it",
                "you will receive it",
                "spelling variant 'recieve' → 'receive'",
            ),
            (
                "to accomodate you",
                "to accommodate you",
                "spelling variant 'accomodate' → 'accommodate'",
            ),
            (
                "raisons justifie les",
                "raisons justifient les",
                "word form changed 'justifie' → 'justifient'",
            ),
        ] {
            assert_eq!(check(old, new).1, [reason], "{old}");
        }
        // Two different words the corpus knows are not a spelling fix.
        assert!(!check("a minor change", "a major change").0.is_empty());
        assert!(!check("the licensee may", "the licensor may").0.is_empty());
        // Not a spelling variant: a negating prefix.
        assert!(!check("lawful use", "unlawful use").0.is_empty());
    }

    #[test]
    fn added_examples_are_an_enumeration_change_first() {
        let (sub, _) = check(
            "Generating content that violates privacy is prohibited.",
            "Generating content that violates privacy is prohibited. This includes, for instance, \
             using someone else's voice without their consent.",
        );
        assert!(sub[0].starts_with("list entry added: examples"), "{sub:?}");
    }

    #[test]
    fn a_defined_term_that_changes_number_is_a_scope_change() {
        assert_eq!(
            check(
                "govern the use of the Site and",
                "govern the use of the Sites and"
            )
            .0,
            ["scope/actor changed: defined term 'Site' → 'Sites'"]
        );
        assert_eq!(
            check(
                "you accept these Policies now",
                "you accept these Policy now"
            )
            .0,
            ["scope/actor changed: defined term 'Policies' → 'Policy'"]
        );
        // A product name's number is a rename, not a scope change.
        let (sub, cos) = check(
            "via the Skroutz Merchant system",
            "via the Skroutz Merchants system",
        );
        assert!(sub.is_empty(), "{sub:?} {cos:?}");
    }

    #[test]
    fn rebrand_is_cosmetic_party_change_is_not() {
        assert_eq!(
            check(
                "misuse of the AWS Site.",
                "misuse of the Amazon Web Services China Site."
            )
            .1,
            ["entity renamed 'AWS' → 'Amazon Web Services China'"]
        );
        assert_eq!(
            check(
                "offered by Amazon Web Services, Inc.",
                "offered by Ningxia Western Cloud Data Technology Co., Ltd."
            )
            .0,
            [
                "party changed 'Amazon Web Services, Inc' → 'Ningxia Western Cloud Data Technology Co., Ltd'"
            ]
        );
        let dispute = RegionContext {
            dispute: true,
            ..Default::default()
        };
        assert_eq!(
            check_ctx("the laws of California", "the laws of Delaware", dispute).0,
            ["governing law/forum changed 'California' → 'Delaware'"]
        );
    }

    #[test]
    fn person_and_party_names_are_not_rebrands() {
        assert_eq!(
            check(
                "Tal Hayek, CEO of the company",
                "Simon Cairns, CEO of the company"
            )
            .0,
            ["person named changed 'Tal Hayek' → 'Simon Cairns'"]
        );
        // A single name beside a title.
        assert_eq!(
            check("Contact Monsieur Dupont for", "Contact Monsieur Martin for").0,
            ["person named changed 'Dupont' → 'Martin'"]
        );
        // A name where the contracting party stands.
        assert_eq!(
            check(
                "agreement between you and Alibaba relating to",
                "agreement between you and Qwen relating to"
            )
            .0,
            ["party changed 'Alibaba' → 'Qwen'"]
        );
        assert_eq!(
            check(
                "2. Alibaba will only process notices",
                "2. Qwen will only process notices"
            )
            .0,
            ["party changed 'Alibaba' → 'Qwen'"]
        );
        // A product renamed stays cosmetic.
        assert!(
            check("including Le Chat and Studio", "including Vibe and Studio")
                .0
                .is_empty()
        );
    }

    #[test]
    fn scope_qualifiers_are_substantive() {
        assert_eq!(
            check(
                "honour any applicable customer settings",
                "honour any applicable settings"
            )
            .0,
            ["removed scope qualifier 'customer'"]
        );
        assert_eq!(
            check("with notice to you", "with prior written notice to you").0,
            [
                "added scope qualifier 'prior'",
                "added scope qualifier 'written'"
            ]
        );
    }

    #[test]
    fn another_contact_channel_is_a_party_change() {
        assert_eq!(
            check(
                "contact us via our contact form.",
                "contact us through the Support portal."
            )
            .0,
            ["contact details changed 'via our contact form' → 'through the Support portal'"]
        );
    }

    #[test]
    fn function_words_are_minor() {
        assert_eq!(
            check("content that is unlawful", "content which is unlawful").1,
            ["minor wording 'that' → 'which'"]
        );
    }

    #[test]
    fn content_changes_are_substantive() {
        assert_eq!(
            check(
                "viruses, worms, or cancelbots",
                "viruses, worms, ransomware, or cancelbots"
            )
            .0,
            ["list entry added 'ransomware'"]
        );
        assert_eq!(
            check("any illegal use", "any illegal or harmful use").0,
            ["list entry added 'harmful'"]
        );
        assert_eq!(
            check("all users", "all visitors").0,
            ["wording changed 'users' → 'visitors'"]
        );
        assert_eq!(
            check("store content", "display content").0,
            ["wording changed 'store' → 'display'"]
        );
    }

    #[test]
    fn headings_reworded_are_cosmetic() {
        let heading = RegionContext {
            heading: true,
            ..Default::default()
        };
        assert_eq!(
            check_ctx(
                "Reporting of Violations of this Policy",
                "Reporting of Violations",
                heading
            ),
            (
                vec![],
                vec!["heading reworded removed 'of this Policy'".to_string()]
            )
        );
    }
}
