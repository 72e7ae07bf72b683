//! Politeness rules: per-host delays (the larger of --delay and Crawl-delay), Retry-After, and capped exponential backoff.

use std::time::Duration;

/// The delay between two requests to one host: the configured delay or the site's
/// Crawl-delay, whichever is longer (Crawl-delay capped at `cap`).
pub fn host_delay(configured: Duration, crawl_delay: Option<f32>, cap: Duration) -> Duration {
    let site = crawl_delay
        .filter(|d| d.is_finite() && *d > 0.0)
        .map(|d| Duration::from_secs_f32(d).min(cap))
        .unwrap_or_default();
    configured.max(site)
}

/// The wait before retry number `attempt` (1-based): `base` doubled each time, at most `cap`.
pub fn backoff(base: Duration, attempt: u32, cap: Duration) -> Duration {
    let factor = 1u32 << attempt.saturating_sub(1).min(20);
    base.saturating_mul(factor).min(cap)
}

/// A Retry-After value: delay-seconds or an HTTP date, relative to `now`; at most `cap`.
pub fn retry_after(
    value: &str,
    now: chrono::DateTime<chrono::Utc>,
    cap: Duration,
) -> Option<Duration> {
    let v = value.trim();
    let d = if let Ok(secs) = v.parse::<u64>() {
        Duration::from_secs(secs)
    } else {
        let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
        (when.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or_default()
    };
    Some(d.min(cap))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays() {
        let s = Duration::from_secs;
        assert_eq!(
            host_delay(s(1), Some(2.5), s(60)),
            Duration::from_millis(2500)
        );
        assert_eq!(host_delay(s(1), None, s(60)), s(1));
        assert_eq!(host_delay(s(0), Some(1e9), s(60)), s(60));
        assert_eq!(backoff(s(1), 1, s(10)), s(1));
        assert_eq!(backoff(s(1), 3, s(10)), s(4));
        assert_eq!(backoff(s(1), 30, s(10)), s(10));
        let now = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(retry_after("3", now, s(60)), Some(s(3)));
        assert_eq!(
            retry_after("Wed, 01 Jan 2025 00:00:10 GMT", now, s(60)),
            Some(s(10))
        );
        assert_eq!(retry_after("soon", now, s(60)), None);
    }
}
