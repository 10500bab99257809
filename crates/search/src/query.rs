//! The clausewatch search query language: words, quoted phrases, negation and
//! `key:value` filters, parsed into a [`ParsedQuery`] without touching the index.
//!
//! Grammar (whitespace separates items; keys are case-insensitive):
//!
//! ```text
//! query   = item*
//! item    = ["-"] (phrase | filter | word)
//! phrase  = '"' any-but-quote* '"'            (“curly quotes” work too)
//! filter  = key ":" (value | phrase)
//! key     = platform | document | doc | type | label | lang | language | kind
//!         | region | lineage | since | until
//! word    = anything else up to the next whitespace or quote
//! ```
//!
//! Several values of the same filter key are alternatives (`platform:aws
//! platform:gitlab` means either); different keys must all hold. A `-` before
//! a word, phrase or filter excludes what it matches. `since:`/`until:` take
//! `YYYY`, `YYYY-MM` or `YYYY-MM-DD` and bound the version date (both ends
//! inclusive; `until:2024` means up to 2024-12-31).

use crate::error::QueryError;
use chrono::{Datelike, NaiveDate};
use std::fmt;

/// The filter keys the language knows, as written in queries (for messages).
pub const FILTER_KEYS: &[&str] = &[
    "platform", "document", "type", "label", "lang", "kind", "region", "lineage", "since", "until",
];

/// A query after parsing: what to look for and where.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedQuery {
    /// Words and phrases, in the order written.
    pub terms: Vec<QueryTerm>,
    /// Field filters (everything except the date range).
    pub filters: Vec<Filter>,
    /// Earliest version date wanted (inclusive), from `since:`.
    pub since: Option<NaiveDate>,
    /// Latest version date wanted (inclusive), from `until:`.
    pub until: Option<NaiveDate>,
}

impl ParsedQuery {
    /// Whether the query has at least one word or phrase that must match
    /// (as opposed to a pure filter listing or only exclusions).
    pub fn has_positive_terms(&self) -> bool {
        self.terms.iter().any(|t| !t.negated)
    }
}

/// One word or quoted phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTerm {
    /// The text as written (without quotes or the leading `-`).
    pub text: String,
    /// Whether it was quoted: all of its words must appear next to each other, in order.
    pub phrase: bool,
    /// Whether it was written with a leading `-`: provisions matching it are excluded.
    pub negated: bool,
}

/// Which indexed attribute a [`Filter`] tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FilterKey {
    /// `platform:aws`
    Platform,
    /// `document:aws/aup-ningxia` (full key) or `document:aup-ningxia` (document slug only).
    Document,
    /// `type:acceptable-use-policy` (compared as a slug).
    DocType,
    /// `label:tos_unilateral_change`
    Label,
    /// `lang:zh` (primary subtag) or `lang:zh-cn` (full tag).
    Language,
    /// `kind:list_item`
    Kind,
    /// `region:ningxia` (compared as a slug).
    Region,
    /// `lineage:KEY`: every version of one provision.
    Lineage,
}

impl FilterKey {
    /// The key as written in queries.
    pub fn as_str(self) -> &'static str {
        match self {
            FilterKey::Platform => "platform",
            FilterKey::Document => "document",
            FilterKey::DocType => "type",
            FilterKey::Label => "label",
            FilterKey::Language => "lang",
            FilterKey::Kind => "kind",
            FilterKey::Region => "region",
            FilterKey::Lineage => "lineage",
        }
    }
}

/// One `key:value` filter (dates are kept apart in [`ParsedQuery::since`]/[`ParsedQuery::until`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// What is tested.
    pub key: FilterKey,
    /// The value, normalised the way the index stores it (lowercase; slugs for type and region).
    pub value: String,
    /// Whether it was written with a leading `-`.
    pub negated: bool,
}

impl fmt::Display for ParsedQuery {
    /// Writes the query back in canonical form (normalised filter values, dates in full).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        for t in &self.terms {
            let neg = if t.negated { "-" } else { "" };
            if t.phrase {
                parts.push(format!("{neg}\"{}\"", t.text));
            } else {
                parts.push(format!("{neg}{}", t.text));
            }
        }
        for flt in &self.filters {
            let neg = if flt.negated { "-" } else { "" };
            parts.push(format!("{neg}{}:{}", flt.key.as_str(), flt.value));
        }
        if let Some(d) = self.since {
            parts.push(format!("since:{d}"));
        }
        if let Some(d) = self.until {
            parts.push(format!("until:{d}"));
        }
        f.write_str(&parts.join(" "))
    }
}

/// Parses a query string. Never panics; every malformed input is a [`QueryError`].
///
/// ```
/// use cw_search::{parse_query, FilterKey};
/// let q = parse_query(r#""without notice" platform:AWS since:2024"#).unwrap();
/// assert!(q.terms[0].phrase);
/// assert_eq!(q.filters[0].key, FilterKey::Platform);
/// assert_eq!(q.filters[0].value, "aws");
/// assert_eq!(q.since.unwrap().to_string(), "2024-01-01");
/// assert!(parse_query("\"open proxy").is_err());
/// ```
pub fn parse_query(input: &str) -> Result<ParsedQuery, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = ParsedQuery::default();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let item_start = i;
        let mut negated = false;
        if chars[i] == '-' && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
            negated = true;
            i += 1;
        }
        if is_open_quote(chars[i]) {
            let (text, next) = read_quoted(&chars, i)?;
            push_term(&mut out, text, true, negated);
            i = next;
            continue;
        }
        // A bare run: up to whitespace or an opening quote.
        let run_start = i;
        while i < chars.len() && !chars[i].is_whitespace() && !is_open_quote(chars[i]) {
            i += 1;
        }
        let run: String = chars[run_start..i].iter().collect();
        if let Some((key, value)) = split_filter(&run) {
            let key_lc = key.to_lowercase();
            let known = filter_key(&key_lc);
            let is_date = matches!(key_lc.as_str(), "since" | "until");
            if known.is_none() && !is_date {
                if value.is_empty() && !(i < chars.len() && is_open_quote(chars[i])) {
                    // "Termination:" is a word followed by a colon, not a filter.
                    push_term(&mut out, run, false, negated);
                    continue;
                }
                return Err(QueryError::UnknownFilter {
                    key: key.to_string(),
                    column: item_start + 1,
                });
            }
            // The value may be quoted: type:"acceptable use policy".
            let value = if value.is_empty() && i < chars.len() && is_open_quote(chars[i]) {
                let (text, next) = read_quoted(&chars, i)?;
                i = next;
                text
            } else {
                value.to_string()
            };
            if value.trim().is_empty() {
                return Err(QueryError::EmptyFilterValue {
                    key: key_lc,
                    column: item_start + 1,
                });
            }
            if is_date {
                if negated {
                    return Err(QueryError::NegatedDate {
                        key: key_lc,
                        column: item_start + 1,
                    });
                }
                let since = key_lc == "since";
                let date = parse_date_bound(&value, since).ok_or_else(|| QueryError::BadDate {
                    key: key_lc.clone(),
                    value: value.clone(),
                })?;
                // Repeated bounds narrow the range.
                if since {
                    out.since = Some(out.since.map_or(date, |d| d.max(date)));
                } else {
                    out.until = Some(out.until.map_or(date, |d| d.min(date)));
                }
                continue;
            }
            if let Some(key) = known {
                out.filters.push(Filter {
                    key,
                    value: normalise_filter_value(key, &value),
                    negated,
                });
            }
            continue;
        }
        push_term(&mut out, run, false, negated);
    }
    if let (Some(since), Some(until)) = (out.since, out.until)
        && since > until
    {
        return Err(QueryError::EmptyDateRange { since, until });
    }
    if out.terms.is_empty() && out.filters.is_empty() && out.since.is_none() && out.until.is_none()
    {
        return Err(QueryError::Empty);
    }
    Ok(out)
}

fn push_term(out: &mut ParsedQuery, text: String, phrase: bool, negated: bool) {
    let text = text.trim().to_string();
    if text.is_empty() {
        return;
    }
    out.terms.push(QueryTerm {
        text,
        phrase,
        negated,
    });
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '"' | '“')
}

fn is_close_quote(c: char) -> bool {
    matches!(c, '"' | '”')
}

/// Reads a quoted string starting at `chars[start]` (an opening quote).
/// Returns the inner text and the index after the closing quote.
fn read_quoted(chars: &[char], start: usize) -> Result<(String, usize), QueryError> {
    let mut j = start + 1;
    while j < chars.len() && !is_close_quote(chars[j]) {
        j += 1;
    }
    if j >= chars.len() {
        return Err(QueryError::UnclosedQuote { column: start + 1 });
    }
    Ok((chars[start + 1..j].iter().collect(), j + 1))
}

/// Splits `key:value` when `key` looks like a filter key (ASCII letters only).
fn split_filter(run: &str) -> Option<(&str, &str)> {
    let (key, value) = run.split_once(':')?;
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    Some((key, value))
}

fn filter_key(key_lc: &str) -> Option<FilterKey> {
    Some(match key_lc {
        "platform" => FilterKey::Platform,
        "document" | "doc" => FilterKey::Document,
        "type" | "doc_type" => FilterKey::DocType,
        "label" => FilterKey::Label,
        "lang" | "language" => FilterKey::Language,
        "kind" => FilterKey::Kind,
        "region" => FilterKey::Region,
        "lineage" => FilterKey::Lineage,
        _ => return None,
    })
}

/// Normalises a filter value the same way [`crate::ProvisionRow`] values are indexed.
pub(crate) fn normalise_filter_value(key: FilterKey, value: &str) -> String {
    match key {
        FilterKey::DocType | FilterKey::Region => cw_model::slugify(value),
        FilterKey::Lineage => value.trim().to_string(),
        _ => value.trim().to_lowercase(),
    }
}

/// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; a partial date is widened to the
/// start (for `since`) or end (for `until`) of the period it names.
fn parse_date_bound(value: &str, since: bool) -> Option<NaiveDate> {
    let parts: Vec<&str> = value.split('-').collect();
    let num = |s: &str, len: usize| -> Option<u32> {
        if s.len() == len && s.chars().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    match parts.as_slice() {
        [y] => {
            let y = i32::try_from(num(y, 4)?).ok()?;
            if since {
                NaiveDate::from_ymd_opt(y, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(y, 12, 31)
            }
        }
        [y, m] => {
            let y = i32::try_from(num(y, 4)?).ok()?;
            let m = num(m, 2)?;
            let first = NaiveDate::from_ymd_opt(y, m, 1)?;
            if since {
                Some(first)
            } else {
                let next = if m == 12 {
                    NaiveDate::from_ymd_opt(y + 1, 1, 1)?
                } else {
                    NaiveDate::from_ymd_opt(y, m + 1, 1)?
                };
                next.pred_opt().filter(|d| d.year() == y)
            }
        }
        [y, m, d] => {
            let y = i32::try_from(num(y, 4)?).ok()?;
            NaiveDate::from_ymd_opt(y, num(m, 2)?, num(d, 2)?)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        let got = match parse_query(input) {
            Ok(q) => format!("{q}"),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expected, "query {input:?}");
    }

    #[test]
    fn words_phrases_and_filters() {
        check("arbitration", "arbitration");
        check(r#""sole discretion" waiver"#, r#""sole discretion" waiver"#);
        check(
            "Platform:AWS document:aws/aup-ningxia",
            "platform:aws document:aws/aup-ningxia",
        );
        check(
            r#"type:"Acceptable Use Policy""#,
            "type:acceptable-use-policy",
        );
        check("-arbitration -label:x", "-arbitration -label:x");
        check(
            "since:2024 until:2025-06",
            "since:2024-01-01 until:2025-06-30",
        );
        check("until:2024-02", "until:2024-02-29");
        check("数据出境 lang:zh", "数据出境 lang:zh");
        check("“open proxy”", "\"open proxy\"");
        check("abc\"def ghi\"", "abc \"def ghi\"");
        check("Termination: notice", "Termination: notice");
        check("section 3:2", "section 3:2");
        check("-", "-");
    }

    #[test]
    fn errors() {
        check(
            "\"open proxy",
            "error: unclosed quote starting at column 1: add the closing \"",
        );
        check(
            "since:2024-13-01",
            "error: since:2024-13-01 is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)",
        );
        check(
            "until:yesterday",
            "error: until:yesterday is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)",
        );
        check(
            "colour:red",
            "error: unknown filter 'colour:' at column 1 (known: platform, document, type, label, lang, kind, region, lineage, since, until); quote the text to search for it literally",
        );
        check(
            "platform:",
            "error: filter 'platform:' at column 1 has no value",
        );
        check(
            "since:2025 until:2024",
            "error: since:2025-01-01 is after until:2024-12-31: no version can match",
        );
        check(
            "   ",
            "error: the query is empty: give words, \"a phrase\" or a filter such as platform:aws",
        );
        check("-since:2024", "error: since: at column 1 cannot be negated");
        check(
            "type:\"x",
            "error: unclosed quote starting at column 6: add the closing \"",
        );
    }
}
