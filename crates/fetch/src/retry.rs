//! Retry policy: exponential backoff with jitter, and `Retry-After`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

/// The pause before retry number `retry` (0-based): `base · 2^retry`,
/// capped at `max`, then "equal jitter" (a uniformly random point in the
/// upper half), so retries from many fetchers spread out.
pub(crate) fn backoff(base: Duration, max: Duration, retry: u32) -> Duration {
    let factor = 2u32.saturating_pow(retry.min(31));
    let step = base.saturating_mul(factor).min(max);
    let half = step / 2;
    let jitter_nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
    let jitter = if jitter_nanos == 0 {
        0
    } else {
        rand::rng().random_range(0..=jitter_nanos)
    };
    half + Duration::from_nanos(jitter)
}

/// Parses `Retry-After`: delta-seconds or an HTTP date (relative to `now`;
/// a date in the past means zero).
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?;
    let delta = date.with_timezone(&Utc) - now;
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(1);
        for _ in 0..50 {
            let first = backoff(base, max, 0);
            assert!(
                first >= Duration::from_millis(50) && first <= base,
                "{first:?}"
            );
            let third = backoff(base, max, 2);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let late = backoff(base, max, 40);
            assert!(late >= max / 2 && late <= max, "{late:?}");
        }
        assert_eq!(backoff(Duration::ZERO, Duration::ZERO, 3), Duration::ZERO);
    }

    #[test]
    fn retry_after_forms() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }
}
