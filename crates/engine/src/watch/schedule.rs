//! Schedules: parsing `--every 6h` and `--cron "…"` and computing when a
//! source is next due. Cron patterns have five fields (minute granularity)
//! and are evaluated in UTC.

use chrono::{DateTime, Utc};
use cw_store::Schedule;
use std::str::FromStr;
use std::time::Duration;

use super::WatchError;

/// Parses a duration such as `30s`, `15m`, `6h`, `1d` or `1h30m`.
pub fn parse_interval(text: &str) -> Result<Duration, WatchError> {
    let bad = || WatchError::Invalid(format!("{text:?} is not a duration (try 30s, 15m, 6h, 1d)"));
    let mut total: u64 = 0;
    let mut digits = String::new();
    let mut seen_unit = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        let n: u64 = digits.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        digits.clear();
        seen_unit = true;
    }
    if !digits.is_empty() {
        if seen_unit {
            return Err(bad());
        }
        // A bare number is seconds.
        total = digits.parse().map_err(|_| bad())?;
    }
    if total == 0 {
        return Err(WatchError::Invalid(format!(
            "{text:?}: the interval must be positive"
        )));
    }
    Ok(Duration::from_secs(total))
}

/// Checks a five-field cron pattern.
pub fn parse_cron(pattern: &str) -> Result<croner::Cron, WatchError> {
    let fields = pattern.split_whitespace().count();
    if fields != 5 && !pattern.trim_start().starts_with('@') {
        return Err(WatchError::Invalid(format!(
            "cron pattern {pattern:?} must have five fields (minute hour day month weekday)"
        )));
    }
    croner::Cron::from_str(pattern.trim())
        .map_err(|e| WatchError::Invalid(format!("cron pattern {pattern:?}: {e}")))
}

/// When a source with `schedule` is due next after a fetch at `after`.
/// An unparseable stored cron pattern falls back to daily (and is logged).
pub fn next_due(schedule: &Schedule, after: DateTime<Utc>) -> DateTime<Utc> {
    match schedule {
        Schedule::Every(secs) => {
            let secs = i64::try_from(*secs).unwrap_or(i64::MAX / 2);
            after + chrono::Duration::seconds(secs.min(10 * 365 * 86_400))
        }
        Schedule::Cron(pattern) => match parse_cron(pattern).and_then(|c| {
            c.find_next_occurrence(&after, false)
                .map_err(|e| WatchError::Invalid(e.to_string()))
        }) {
            Ok(next) => next,
            Err(e) => {
                tracing::warn!(pattern, error = %e, "bad cron pattern; next fetch in a day");
                after + chrono::Duration::days(1)
            }
        },
    }
}

/// A schedule as people write it: `every 6h` or `cron 0 6 * * *`.
pub fn describe(schedule: &Schedule) -> String {
    match schedule {
        Schedule::Every(secs) => format!("every {}", human_secs(*secs)),
        Schedule::Cron(pattern) => format!("cron {pattern}"),
    }
}

fn human_secs(secs: u64) -> String {
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if secs >= size && secs.is_multiple_of(size) {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{secs}s")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("6h").unwrap(), Duration::from_secs(21_600));
        assert_eq!(parse_interval("1h30m").unwrap(), Duration::from_secs(5_400));
        assert_eq!(parse_interval("45").unwrap(), Duration::from_secs(45));
        assert_eq!(parse_interval("1d").unwrap(), Duration::from_secs(86_400));
        assert!(parse_interval("0s").is_err());
        assert!(parse_interval("6x").is_err());
        assert!(parse_interval("h").is_err());
        assert!(parse_interval("1h5").is_err());
        assert_eq!(describe(&Schedule::Every(21_600)), "every 6h");
        assert_eq!(describe(&Schedule::Every(90)), "every 90s");
    }

    #[test]
    fn cron_next_due_is_in_utc() {
        let at = Utc.with_ymd_and_hms(2024, 5, 1, 7, 0, 0).unwrap();
        let next = next_due(&Schedule::Cron("0 6 * * *".into()), at);
        assert_eq!(next, Utc.with_ymd_and_hms(2024, 5, 2, 6, 0, 0).unwrap());
        let next = next_due(&Schedule::Every(3600), at);
        assert_eq!(next, Utc.with_ymd_and_hms(2024, 5, 1, 8, 0, 0).unwrap());
        assert!(parse_cron("0 6 * *").is_err());
        assert!(parse_cron("61 6 * * *").is_err());
    }
}
