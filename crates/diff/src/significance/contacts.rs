//! Links and e-mail addresses: found, compared and taken out of the text
//! before the word rules read it.
//!
//! A changed e-mail address is a changed contact channel (TAXONOMY §3 rule
//! 7): substantive, "e-mail address changed 'a' → 'b'". A link is judged by
//! where it points: the same address with another scheme or `www.` is
//! nothing; the same path on another domain, or a path whose last segment
//! (or `#fragment`) names the same document in other words ("terms#acceptable-
//! use-policy" → "acceptable-use-policy"), is a link moved (cosmetic); any
//! other target is another document (rule 10, substantive). An e-mail
//! address replaced by a web address (or back) is a contact channel change.
//! Links that come or go while every other word stays are Markdown debris.
//!
//! The word rules then see both texts with links and addresses blanked, so
//! "kappastore" → "kappa" inside a moved link is not also a wording change.

use super::Reasons;
use super::regions::clip;

/// A reference found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ref {
    /// A web address, normalised (no scheme, no `www.`, lowercase host, no
    /// trailing slash or punctuation).
    Url(String),
    /// An e-mail address, lowercase.
    Email(String),
    /// An obfuscated e-mail placeholder ("[email protected]" and the debris
    /// glued to it, kept raw): no address visible, so only markup changes.
    Placeholder(String),
}

/// Generic top-level domains and the country codes common in the corpus's
/// languages: a bare "example.fr" is a web address only with one of these.
const TLDS: &[&str] = &[
    "com", "org", "net", "info", "biz", "io", "ai", "app", "dev", "co", "eu", "gov", "edu", "int",
    "fr", "de", "uk", "us", "ca", "it", "es", "nl", "be", "ch", "at", "pl", "gr", "hu", "si", "hr",
    "pt", "ro", "cz", "sk", "se", "no", "dk", "fi", "ie", "lu", "jp", "cn", "kr", "in", "au", "nz",
    "br", "mx", "ru", "tv", "me", "xyz", "lgbt", "online", "site", "tech", "cloud", "shop",
];

fn is_bare_domain(t: &str) -> bool {
    let t = t.trim_end_matches('/');
    if t.contains('/') || t.contains('@') || !t.contains('.') {
        return false;
    }
    let labels: Vec<&str> = t.split('.').collect();
    let ok_label =
        |l: &&str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    labels.len() >= 2
        && labels.iter().all(ok_label)
        && labels
            .first()
            .is_some_and(|l| l.len() >= 2 && !l.chars().all(|c| c.is_ascii_digit()))
        && labels
            .last()
            .is_some_and(|l| TLDS.contains(&l.to_ascii_lowercase().as_str()))
}

const TRAIL: &[char] = &[
    '.', ',', ';', ':', '!', '?', ')', ']', '>', '"', '\'', '»', '”', '’', '*',
];
const LEAD: &[char] = &['(', '[', '<', '"', '\'', '«', '“', '‘', '*'];

/// Byte spans and values of the references in a text, in reading order.
fn scan(text: &str) -> Vec<(usize, usize, Ref)> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < text.len() {
        // Next whitespace-delimited token.
        let start = match text[pos..].find(|c: char| !c.is_whitespace()) {
            Some(s) => pos + s,
            None => break,
        };
        let end = text[start..]
            .find(char::is_whitespace)
            .map_or(text.len(), |e| start + e);
        let token = &text[start..end];
        pos = end;
        if token == "[email" {
            // "[email protected]…": the placeholder and what is glued to it.
            let rest = &text[end..];
            let gap = rest.len() - rest.trim_start().len();
            if rest.trim_start().starts_with("protected]") {
                let next = rest[gap..]
                    .find(char::is_whitespace)
                    .map_or(text.len(), |e| end + gap + e);
                let raw = text.get(start..next).unwrap_or_default().to_string();
                out.push((start, next, Ref::Placeholder(raw)));
                pos = next;
            }
            continue;
        }
        // Markdown links glue text and target: "information.](https://…)".
        let mut inner_start = start;
        for (i, _) in token.match_indices("](") {
            inner_start = start + i + 2;
        }
        let mut piece = &text[inner_start..end];
        let lead = piece.len() - piece.trim_start_matches(LEAD).len();
        let s = inner_start + lead;
        piece = piece.trim_start_matches(LEAD);
        let trimmed = piece.trim_end_matches(TRAIL);
        let e = s + trimmed.len();
        if trimmed.is_empty() {
            continue;
        }
        // Most tokens are plain words: skip them before any allocation.
        if !trimmed.contains(['.', '@']) {
            continue;
        }
        let lower = trimmed.to_lowercase();
        let is_url = lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www.");
        if is_url || is_bare_domain(trimmed) {
            out.push((s, e, Ref::Url(normalise_url(&lower))));
        } else if let Some(at) = trimmed.find('@') {
            let (user, domain) = (&trimmed[..at], &trimmed[at + 1..]);
            if !user.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && user
                    .chars()
                    .all(|c| c.is_alphanumeric() || "._%+-".contains(c))
            {
                out.push((s, e, Ref::Email(lower)));
            }
        }
    }
    out
}

fn normalise_url(lower: &str) -> String {
    let mut u = lower;
    for scheme in ["https://", "http://"] {
        u = u.strip_prefix(scheme).unwrap_or(u);
    }
    u = u.strip_prefix("www.").unwrap_or(u);
    u.trim_end_matches(TRAIL).trim_end_matches('/').to_string()
}

/// The references of a text, in reading order.
pub(crate) fn refs(text: &str) -> Vec<Ref> {
    scan(text).into_iter().map(|(_, _, r)| r).collect()
}

/// The text with every reference replaced by a space.
pub(crate) fn strip(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0usize;
    for (s, e, _) in scan(text) {
        out.push_str(text.get(last..s).unwrap_or_default());
        out.push(' ');
        last = e;
    }
    out.push_str(text.get(last..).unwrap_or_default());
    out
}

/// What contact details a short text is made of ("e-mail address, phone
/// number"), or `None` when it is not a contact block: at most
/// [`CONTACT_WORDS`] words with an e-mail address, a phone number (eight or
/// more digits in one run of digits, spaces, dots, dashes and brackets) or a
/// postal address (a four- or five-digit number and two commas or more).
pub(crate) fn details(text: &str) -> Option<String> {
    let words = text.split_whitespace().count();
    if words > CONTACT_WORDS {
        return None;
    }
    let mut found = Vec::new();
    if refs(text).iter().any(|r| matches!(r, Ref::Email(_))) {
        found.push("e-mail address");
    }
    let mut run = 0usize;
    let mut phone = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            run += 1;
            phone |= run >= 8;
        } else if !(c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' || c == '+') {
            run = 0;
        }
    }
    if phone {
        found.push("phone number");
    }
    // A four- or five-digit number that is not a year ("© 2020, …").
    let postcode = text.split(|c: char| !c.is_alphanumeric()).any(|t| {
        let year = t.len() == 4 && (t.starts_with("19") || t.starts_with("20"));
        (4..=5).contains(&t.len()) && t.chars().all(|c| c.is_ascii_digit()) && !year
    });
    if postcode && text.matches(',').count() >= 2 && !phone {
        found.push("postal address");
    }
    (!found.is_empty()).then(|| found.join(", "))
}

/// The most words a contact block has (a longer text is a provision that
/// happens to give an address).
const CONTACT_WORDS: usize = 60;

/// Host and path of a normalised URL.
fn split_url(u: &str) -> (&str, &str) {
    match u.find(['/', '#', '?']) {
        Some(i) => (&u[..i], &u[i..]),
        None => (u, ""),
    }
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1 && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

/// The words naming the document a path points to: its last non-empty
/// segment, or its fragment when it has one.
fn slug(path: &str) -> Vec<String> {
    let (before_fragment, fragment) = match path.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (path, None),
    };
    if let Some(f) = fragment.filter(|f| !words(f).is_empty()) {
        return words(f);
    }
    let no_query = before_fragment.split('?').next().unwrap_or_default();
    no_query
        .rsplit('/')
        .map(words)
        .find(|w| !w.is_empty())
        .unwrap_or_default()
}

/// How a link changed.
enum LinkChange {
    /// Same document at another address (cosmetic).
    Moved,
    /// Another document (substantive).
    Other,
}

fn link_change(old: &str, new: &str) -> LinkChange {
    let ((oh, op), (nh, np)) = (split_url(old), split_url(new));
    if op == np && oh != nh {
        return LinkChange::Moved;
    }
    let (os, ns) = (slug(op), slug(np));
    let (ow, nw) = (words(op), words(np));
    let within = |s: &[String], all: &[String]| !s.is_empty() && s.iter().all(|w| all.contains(w));
    // A slug reworded in part ("bankid-enew-bankid-with-eu-passports" →
    // "renew-bankid-with-eu-passports") still names the same page.
    let shared = os.iter().filter(|w| ns.contains(w)).count();
    let union = os.len() + ns.iter().filter(|w| !os.contains(w)).count();
    let similar_slug = union > 0 && shared * 5 >= union * 3 && shared >= 2;
    if within(&ns, &ow) || within(&os, &nw) || similar_slug {
        LinkChange::Moved
    } else {
        LinkChange::Other
    }
}

/// Multiset difference in reading order.
fn minus<'a>(a: &'a [Ref], b: &[Ref]) -> Vec<&'a Ref> {
    let mut used = vec![false; b.len()];
    let mut out = Vec::new();
    for x in a {
        match (0..b.len()).find(|&k| !used[k] && b.get(k) == Some(x)) {
            Some(k) => used[k] = true,
            None => out.push(x),
        }
    }
    out
}

fn show(r: &Ref) -> String {
    match r {
        Ref::Url(u) | Ref::Email(u) => clip(u),
        Ref::Placeholder(raw) => clip(raw),
    }
}

/// Compares the references of two texts and records their reasons:
/// contact channels (e-mail addresses) in `out`, links in `links` (the
/// caller puts them after the word rules' reasons, so a party change in the
/// same text stays the main reason). `same_words` says whether the texts are
/// word-equal without references (links that come or go are then Markdown
/// debris).
pub(crate) fn compare(
    old: &[Ref],
    new: &[Ref],
    same_words: bool,
    out: &mut Reasons,
    links: &mut Reasons,
) {
    let (removed, added) = (minus(old, new), minus(new, old));
    let of = |v: &[&Ref], f: fn(&Ref) -> bool| -> Vec<Ref> {
        v.iter().copied().filter(|r| f(r)).cloned().collect()
    };
    let is_mail = |r: &Ref| matches!(r, Ref::Email(_));
    let is_url = |r: &Ref| matches!(r, Ref::Url(_));
    let is_placeholder = |r: &Ref| matches!(r, Ref::Placeholder(_));
    let (mut rm, mut am) = (of(&removed, is_mail), of(&added, is_mail));
    let (mut ru, mut au) = (of(&removed, is_url), of(&added, is_url));
    if !of(&removed, is_placeholder).is_empty() || !of(&added, is_placeholder).is_empty() {
        out.cosmetic("markup debris changed (obfuscated e-mail placeholder)".into());
    }
    // E-mail ↔ e-mail, then e-mail ↔ web address (another contact channel).
    let mut pairs = |from: &mut Vec<Ref>, to: &mut Vec<Ref>, what: &str| {
        while !from.is_empty() && !to.is_empty() {
            let (a, b) = (from.remove(0), to.remove(0));
            out.substantive(format!("{what} changed '{}' → '{}'", show(&a), show(&b)));
        }
    };
    pairs(&mut rm, &mut am, "e-mail address");
    pairs(&mut rm, &mut au, "contact details");
    pairs(&mut ru, &mut am, "contact details");
    for a in rm {
        out.substantive(format!("e-mail address removed '{}'", show(&a)));
    }
    for b in am {
        out.substantive(format!("e-mail address added '{}'", show(&b)));
    }
    // Link ↔ link.
    while !ru.is_empty() && !au.is_empty() {
        let (a, b) = (ru.remove(0), au.remove(0));
        let (Ref::Url(x), Ref::Url(y)) = (&a, &b) else {
            continue;
        };
        match link_change(x, y) {
            LinkChange::Moved => links.cosmetic(format!(
                "link moved to another address of the same document '{}' → '{}'",
                show(&a),
                show(&b)
            )),
            LinkChange::Other => links.substantive(format!(
                "document link changed '{}' → '{}'",
                show(&a),
                show(&b)
            )),
        }
    }
    for (list, verb) in [(ru, "removed"), (au, "added")] {
        for x in list {
            if same_words {
                links.cosmetic(format!("markup debris {verb}: link '{}'", show(&x)));
            } else {
                links.substantive(format!("document link {verb} '{}'", show(&x)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(old: &str, new: &str) -> (Vec<String>, Vec<String>) {
        let (mut r, mut links) = (Reasons::default(), Reasons::default());
        let key = |t: &str| super::super::word_key(&crate::normalize::display_key(&strip(t)));
        let same = key(old) == key(new);
        compare(&refs(old), &refs(new), same, &mut r, &mut links);
        r.substantive.extend(links.substantive);
        r.cosmetic.extend(links.cosmetic);
        (r.substantive, r.cosmetic)
    }

    /// Asserts one cosmetic reason and no substantive one.
    fn cosmetic_once(old: &str, new: &str) {
        let (s, c) = check(old, new);
        assert!(s.is_empty() && c.len() == 1, "{s:?} {c:?}");
    }

    #[test]
    fn finds_links_and_addresses() {
        assert_eq!(
            refs("see https://Example.com/a/, write to Legal@example.com. or www.x.org)"),
            [
                Ref::Url("example.com/a".into()),
                Ref::Email("legal@example.com".into()),
                Ref::Url("x.org".into())
            ]
        );
        assert_eq!(refs("on example.fr today"), [Ref::Url("example.fr".into())]);
        assert!(refs("e.g. U.S. law, 3.5 million").is_empty());
        assert_eq!(
            refs("the text.](https://example.com/privacy)"),
            [Ref::Url("example.com/privacy".into())]
        );
        assert_eq!(strip("write to a@b.com now"), "write to   now");
    }

    #[test]
    fn changed_mail_address_is_substantive() {
        assert_eq!(
            check(
                "mail aup-exceptions@example.com",
                "mail aup_exceptions@example.com"
            )
            .0,
            ["e-mail address changed 'aup-exceptions@example.com' → 'aup_exceptions@example.com'"]
        );
        // Case only: the same address.
        assert_eq!(check("a@Example.com", "a@example.com"), (vec![], vec![]));
    }

    #[test]
    fn links_to_the_same_document_are_cosmetic() {
        // Domain migration, same path.
        cosmetic_once(
            "at https://old.example/contact",
            "at https://www.new.example/contact",
        );
        // Fragment of a page → its own page.
        cosmetic_once(
            "at https://x.example/terms#acceptable-use-policy.",
            "at https://x.example/acceptable-use-policy.",
        );
        // Scheme and www only: nothing.
        assert_eq!(
            check("www.x.example", "https://x.example/"),
            (vec![], vec![])
        );
    }

    #[test]
    fn links_to_another_document_are_substantive() {
        assert_eq!(
            check("at www.x.com/subscriptionagreement.", "at www.x.com/terms.").0,
            ["document link changed 'x.com/subscriptionagreement' → 'x.com/terms'"]
        );
        assert_eq!(
            check(
                "report to legal@x.example.",
                "report via https://x.example/report/."
            )
            .0,
            ["contact details changed 'legal@x.example' → 'x.example/report'"]
        );
    }

    #[test]
    fn contact_blocks() {
        assert_eq!(
            details("CC: Example BV, Main Street 68-72, 1017 HL Amsterdam, The Netherlands")
                .as_deref(),
            Some("postal address")
        );
        assert_eq!(
            details(
                "Me Jane Doe - Adresse : 7 avenue X, 75016 PARIS Tél : 0153431313 Email : jd@x.com"
            )
            .as_deref(),
            Some("e-mail address, phone number")
        );
        assert_eq!(
            details("© 2020, Example, Inc. or its affiliates. All rights reserved."),
            None
        );
        assert_eq!(
            details("We may suspend your account, at any time, for 30 days."),
            None
        );
    }

    #[test]
    fn markdown_debris_and_placeholders_are_cosmetic() {
        cosmetic_once(
            "that information.](https://x.example/privacy)",
            "that information.",
        );
        cosmetic_once(
            "email to [email protected] We may",
            "email to [email protected]t.com. We may",
        );
    }
}
