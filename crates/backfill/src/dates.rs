//! Capture times written in file names and index columns.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use regex::Regex;
use std::sync::LazyLock;

/// Compiles one of this crate's constant patterns. Every pattern is
/// exercised by the unit tests, so a typo fails the tests rather than a user.
#[allow(clippy::expect_used)]
pub(crate) fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("constant regex pattern compiles")
}

/// `2024-05-01`, `2024-05-01T10-30-00Z`, `2024-05-01T10:30:00.123Z`,
/// `2024-05-01 10.30`: a date with an optional time of day.
static ISO: LazyLock<Regex> =
    LazyLock::new(|| re(r"(\d{4})-(\d{2})-(\d{2})(?:[T_ ](\d{2})[-:.](\d{2})(?:[-:.](\d{2}))?)?"));

/// `20240501` standing alone (`20240501_Twitter_Terms.md`).
static COMPACT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|[^0-9])((?:19|20)\d{2})(\d{2})(\d{2})(?:[^0-9]|$)"));

fn num(s: Option<regex::Match<'_>>) -> Option<u32> {
    s.and_then(|m| m.as_str().parse().ok())
}

/// The capture time a file name states: the first ISO date in it (with its
/// time of day when given, UTC), else a compact `YYYYMMDD`; midnight UTC
/// when only the date is known. `None` when the name holds no valid date.
pub fn date_in_name(name: &str) -> Option<DateTime<Utc>> {
    if let Some(c) = ISO.captures(name) {
        let year = num(c.get(1))?;
        let date =
            NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, num(c.get(2))?, num(c.get(3))?)?;
        let time = match (num(c.get(4)), num(c.get(5))) {
            (Some(h), Some(m)) => NaiveTime::from_hms_opt(h, m, num(c.get(6)).unwrap_or(0))?,
            _ => NaiveTime::MIN,
        };
        return Some(NaiveDateTime::new(date, time).and_utc());
    }
    let c = COMPACT.captures(name)?;
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(num(c.get(1))?).ok()?,
        num(c.get(2))?,
        num(c.get(3))?,
    )?;
    Some(date.and_time(NaiveTime::MIN).and_utc())
}

/// A timestamp column: RFC 3339, or a bare date (midnight UTC).
pub(crate) fn parse_column(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Some(t.with_timezone(&Utc));
    }
    date_in_name(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<String> {
        date_in_name(s).map(|d| d.to_rfc3339())
    }

    #[test]
    fn dates_in_file_names() {
        assert_eq!(
            t("2024-05-01.md").as_deref(),
            Some("2024-05-01T00:00:00+00:00")
        );
        assert_eq!(
            t("2025-11-11T15-19-43Z.md").as_deref(),
            Some("2025-11-11T15:19:43+00:00")
        );
        assert_eq!(
            t("aup 2021-06-18T09:30:00.123Z.html").as_deref(),
            Some("2021-06-18T09:30:00+00:00")
        );
        assert_eq!(
            t("20061109_Twitter_TermsofService.md").as_deref(),
            Some("2006-11-09T00:00:00+00:00")
        );
        assert_eq!(t("2024-02-30.md"), None);
        assert_eq!(t("README.md"), None);
        assert_eq!(t("v123456789.md"), None);
        assert_eq!(
            parse_column("2025-11-11T15:19:43Z")
                .map(|d| d.to_rfc3339())
                .as_deref(),
            Some("2025-11-11T15:19:43+00:00")
        );
    }
}
