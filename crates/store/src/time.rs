//! How times and dates are written to and read from the database: as TEXT,
//! so the same SQL runs on SQLite and PostgreSQL. Timestamps are fixed-width
//! UTC ISO-8601 with microseconds (`2021-06-18T09:30:00.000000Z`), so text
//! order is time order; dates are `YYYY-MM-DD`.

use crate::error::StoreError;
use chrono::{DateTime, NaiveDate, Utc};

const TS_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";
const DATE_FORMAT: &str = "%Y-%m-%d";

/// Writes a timestamp in the stored form.
pub(crate) fn ts_to_text(t: DateTime<Utc>) -> String {
    t.format(TS_FORMAT).to_string()
}

/// Reads a stored timestamp.
pub(crate) fn ts_from_text(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::bad_row(format!("timestamp {s:?}: {e}")))
}

/// Writes a date in the stored form.
pub(crate) fn date_to_text(d: NaiveDate) -> String {
    d.format(DATE_FORMAT).to_string()
}

/// Reads a stored date.
pub(crate) fn date_from_text(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, DATE_FORMAT)
        .map_err(|e| StoreError::bad_row(format!("date {s:?}: {e}")))
}

/// The smallest stored timestamp text that is *after* every instant of
/// `date` (UTC): `observed_at < end_of_day_bound(d)` means "observed on or before d".
pub(crate) fn end_of_day_bound(date: NaiveDate) -> String {
    match date.succ_opt() {
        Some(next) => date_to_text(next),
        // No next day: every timestamp text sorts before "~".
        None => "~".to_string(),
    }
}

/// True if the timestamp's year has four digits, which the fixed-width
/// text form (and so its ordering) needs.
pub(crate) fn is_storable(t: DateTime<Utc>) -> bool {
    use chrono::Datelike;
    (0..=9999).contains(&t.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_round_trip_and_sort_as_text() {
        let a = Utc.with_ymd_and_hms(2021, 6, 18, 9, 30, 0).unwrap();
        let b = a + chrono::Duration::microseconds(1);
        assert_eq!(ts_to_text(a), "2021-06-18T09:30:00.000000Z");
        assert!(ts_to_text(a) < ts_to_text(b));
        assert_eq!(ts_from_text(&ts_to_text(b)).unwrap(), b);
        let d = NaiveDate::from_ymd_opt(2021, 6, 18).unwrap();
        assert!(ts_to_text(a) < end_of_day_bound(d));
        assert!(ts_to_text(a) > date_to_text(d));
        assert_eq!(date_from_text("2021-06-18").unwrap(), d);
        assert!(ts_from_text("yesterday").is_err());
    }
}
