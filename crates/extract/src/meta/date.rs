//! Effective dates: finds a label ("Last updated", "Effective as of",
//! "最后更新", "Dernière mise à jour", …) followed by a date in one of the
//! common written forms, and turns it into a [`NaiveDate`]. Also says whether
//! a line is *only* such a date (a metadata line that is not a provision).

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use crate::blocks::re;

/// Labels that introduce an effective or revision date. Longer forms come
/// first because the regex alternation is leftmost-first.
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)(?:",
        r"(?:last|latest)\s+(?:updated|update|modified|revised|revision|amended|changed|reviewed)(?:\s+(?:on|as\s+of|date|in))?",
        r"|date\s+of\s+last\s+(?:revision|update|modification|change)",
        r"|(?:effective|revision|version|publication|release)\s+date",
        r"|effective\s+(?:as\s+of|from|on|since)",
        r"|(?:updated|revised|modified|amended|published|posted)(?:\s+(?:on|as\s+of))?",
        r"|effective|in\s+effect\s+(?:as\s+of|from)",
        r"|(?:derni[èe]re\s+)?mise\s+[àa]\s+jour(?:\s+(?:le|en|du))?|mis\s+[àa]\s+jour\s+le|en\s+vigueur\s+(?:le|au|à\s+compter\s+du)|date\s+d'entr[ée]e\s+en\s+vigueur",
        r"|zuletzt\s+(?:aktualisiert|geändert)(?:\s+am)?|stand|gültig\s+ab|inkrafttreten",
        r"|[úu]ltima\s+(?:actualizaci[óo]n|modificaci[óo]n)|fecha\s+de\s+(?:entrada\s+en\s+vigor|actualizaci[óo]n)|vigente\s+desde",
        r"|最后更新(?:日期|时间)?|最近更新(?:日期|时间)?|更新日期|更新时间|生效日期|生效时间|发布日期|版本日期|修订日期|最后修订(?:日期|时间)?|本政策(?:更新|生效)于|更新于|生效于|最終更新日|施行日|改定日",
        r")\s*(?:[:：,\-–—]\s*)?",
    ))
});

static ISO: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\b"));
static CJK: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"));
static MONTH_FIRST: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?i)([a-zà-ÿ]{3,9})\.?,?\s+(\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(\d{4})\b"));
static DAY_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?i)(\d{1,2})(?:st|nd|rd|th|er)?\.?\s+(?:of\s+|de\s+)?([a-zà-ÿ]{3,10})\.?\s*,?\s+(?:de\s+)?(\d{4})\b",
    )
});
static NUMERIC: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(\d{1,2})\s*([/.])\s*(\d{1,2})\s*[/.]\s*(\d{4})\b"));
static PARENTHETICAL: LazyLock<Regex> = LazyLock::new(|| re(r"\([^)]*\)|（[^）]*）|\[[^\]]*\]"));
static MONTH_YEAR: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?i)([a-zà-ÿ]{3,9})\.?\s*,?\s+(\d{4})\b"));

/// A month name (English, French, German, Spanish, abbreviated or not) → 1–12.
fn month(name: &str) -> Option<u32> {
    let n = name.to_lowercase();
    let n = n.trim_end_matches('.');
    const MONTHS: [&[&str]; 12] = [
        &[
            "january", "jan", "janvier", "janv", "januar", "enero", "ene",
        ],
        &[
            "february", "feb", "février", "fevrier", "févr", "fevr", "februar", "febrero",
        ],
        &["march", "mar", "mars", "märz", "marz", "marzo"],
        &["april", "apr", "avril", "avr", "abril", "abr"],
        &["may", "mai", "mayo"],
        &["june", "jun", "juin", "juni", "junio"],
        &["july", "jul", "juillet", "juil", "juli", "julio"],
        &["august", "aug", "août", "aout", "agosto", "ago"],
        &[
            "september",
            "sep",
            "sept",
            "septembre",
            "septiembre",
            "setiembre",
        ],
        &["october", "oct", "octobre", "oktober", "okt", "octubre"],
        &["november", "nov", "novembre", "noviembre"],
        &[
            "december",
            "dec",
            "décembre",
            "decembre",
            "déc",
            "dezember",
            "dez",
            "diciembre",
            "dic",
        ],
    ];
    MONTHS
        .iter()
        .position(|names| names.contains(&n))
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn ymd(y: &str, m: u32, d: &str) -> Option<NaiveDate> {
    let y: i32 = y.parse().ok()?;
    let d: u32 = d.parse().ok()?;
    if !(1990..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Parses a date written at the very start of `s`; returns it and the length
/// of text it used.
pub(crate) fn parse_date_prefix(s: &str) -> Option<(NaiveDate, usize)> {
    let cap = |r: &Regex| r.captures(s);
    let text = |c: &regex::Captures<'_>, i: usize| c.get(i).map_or("", |m| m.as_str()).to_string();
    let len = |c: &regex::Captures<'_>| c.get(0).map_or(0, |m| m.end());
    if let Some(c) = cap(&ISO).or_else(|| cap(&CJK)) {
        let m: u32 = text(&c, 2).parse().ok()?;
        return ymd(&text(&c, 1), m, &text(&c, 3)).map(|d| (d, len(&c)));
    }
    if let Some(c) = cap(&MONTH_FIRST)
        && let Some(m) = month(&text(&c, 1))
    {
        return ymd(&text(&c, 3), m, &text(&c, 2)).map(|d| (d, len(&c)));
    }
    if let Some(c) = cap(&DAY_FIRST)
        && let Some(m) = month(&text(&c, 2))
    {
        return ymd(&text(&c, 3), m, &text(&c, 1)).map(|d| (d, len(&c)));
    }
    if let Some(c) = cap(&NUMERIC) {
        let a: u32 = text(&c, 1).parse().ok()?;
        let b: u32 = text(&c, 3).parse().ok()?;
        // "28.02.2024" is day-first; "02/28/2024" month-first unless the first part cannot be a month.
        let (d, m) = if text(&c, 2) == "." || a > 12 {
            (a, b)
        } else {
            (b, a)
        };
        return ymd(&text(&c, 4), m, &d.to_string()).map(|d| (d, len(&c)));
    }
    if let Some(c) = cap(&MONTH_YEAR)
        && let Some(m) = month(&text(&c, 1))
    {
        return ymd(&text(&c, 2), m, "1").map(|d| (d, len(&c)));
    }
    None
}

/// A labelled date found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateHit {
    /// The date.
    pub(crate) date: NaiveDate,
    /// The text is nothing but the label and the date (a metadata line).
    pub(crate) whole_line: bool,
}

/// The first labelled date in `text`, looking at its first 2,000 bytes.
pub(crate) fn find_labelled_date(text: &str) -> Option<DateHit> {
    // Emphasis marks left in plain text ("_Last updated, May 2022_") are not word characters here.
    let head = crate::sniff::prefix(text, 2000);
    let s: std::borrow::Cow<'_, str> = if head.contains(['_', '*']) {
        head.replace(['_', '*'], " ").into()
    } else {
        head.into()
    };
    let s = s.as_ref();
    for label in LABEL.find_iter(s) {
        // The label must start a word: "outdated" does not contain "dated".
        let before = s.get(..label.start()).and_then(|b| b.chars().next_back());
        if before.is_some_and(|c| c.is_alphanumeric() && !crate::blocks::is_cjk(c)) {
            continue;
        }
        let rest = s.get(label.end()..).unwrap_or_default();
        if let Some((date, used)) = parse_date_prefix(rest) {
            let outside = format!(
                "{}{}",
                s.get(..label.start()).unwrap_or_default(),
                rest.get(used..).unwrap_or_default()
            );
            // "(see previous version)" and the like do not make it a sentence.
            let outside = PARENTHETICAL.replace_all(&outside, "");
            let leftover = outside.chars().filter(|c| c.is_alphanumeric()).count();
            let whole_line = text.len() <= 160 && leftover <= 12;
            return Some(DateHit { date, whole_line });
        }
    }
    None
}

/// Whether `text` is only a labelled date ("Last Updated: June 18, 2021").
pub(crate) fn is_date_line(text: &str) -> bool {
    text.len() <= 160 && find_labelled_date(text).is_some_and(|h| h.whole_line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Option<String> {
        find_labelled_date(s).map(|h| h.date.to_string())
    }

    #[test]
    fn parses_the_common_forms() {
        let cases = [
            ("Last Updated: December 28, 2021", "2021-12-28"),
            ("Updated September 16th, 2016", "2016-09-16"),
            ("*Last updated: March 9, 2017.*", "2017-03-09"),
            ("Effective as of 2024-02-28", "2024-02-28"),
            ("Effective Date: 28 February 2024", "2024-02-28"),
            ("最后更新：2021年6月18日", "2021-06-18"),
            ("更新日期：2021-06-18", "2021-06-18"),
            ("生效日期：2024年2月28日", "2024-02-28"),
            ("Last modified on Sept. 3, 2019", "2019-09-03"),
            ("Effective: 03/04/2022", "2022-03-04"),
            ("Revised 28.02.2024", "2024-02-28"),
            ("Dernière mise à jour : 12 janvier 2023", "2023-01-12"),
            ("Stand: 1. März 2022", "2022-03-01"),
            ("Last updated: June 2021", "2021-06-01"),
            (
                "This policy was last updated on 2 May 2020 and replaces earlier versions.",
                "2020-05-02",
            ),
            ("Last Update: 2025-02-10", "2025-02-10"),
            ("Modified: May, 14, 2025", "2025-05-14"),
            ("_Last updated, February 2022_", "2022-02-01"),
            (
                "Last modified on 04/02/2025 See prior versions",
                "2025-04-02",
            ),
            ("Mise à jour en décembre 2021", "2021-12-01"),
        ];
        for (input, want) in cases {
            assert_eq!(date(input).as_deref(), Some(want), "{input}");
        }
    }

    #[test]
    fn rejects_non_dates() {
        assert_eq!(date("We updated our systems in 2020."), None);
        assert_eq!(date("Effective immediately, you must not spam."), None);
        assert_eq!(date("© 2020 Example Inc. All rights reserved."), None);
        assert_eq!(date("Last updated: February 30, 2021"), None);
        assert_eq!(date("Reposted 2019-01-01 rules"), None);
    }

    #[test]
    fn knows_metadata_lines() {
        assert!(is_date_line("Last Updated: June 18, 2021"));
        assert!(is_date_line("Effective Date: 28 February 2024 (version 3)"));
        assert!(is_date_line(
            "Effective: July 31, 2025 (see the previous version of this policy)"
        ));
        assert!(is_date_line("最后更新：2021年6月18日"));
        assert!(!is_date_line(
            "This policy was last updated on 2 May 2020 and replaces all earlier versions of it."
        ));
        assert!(!is_date_line("No Network Abuse"));
    }
}
