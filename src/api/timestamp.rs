//! RFC 3339 timestamps, as Ollama's `created_at`, `modified_at` and `expires_at` carry them.

use std::time::{Duration, SystemTime};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Years added to "now" for an expiry that never comes, because RFC 3339 has no "never".
const NEVER_YEARS: u64 = 100;

/// Formats `moment` in UTC, such as "2025-01-31T12:00:00.123456789Z".
pub(crate) fn rfc3339(moment: SystemTime) -> String {
    // Only a year past 9999 fails to format, and `NEVER_YEARS` stays far below that.
    OffsetDateTime::from(moment)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "9999-12-31T23:59:59Z".to_owned())
}

pub(crate) fn now_rfc3339() -> String {
    rfc3339(SystemTime::now())
}

/// Returns the moment `after` from now, or a moment `NEVER_YEARS` ahead when `after` is `None`.
pub(crate) fn expiry_rfc3339(after: Option<Duration>) -> String {
    let never = Duration::from_secs(NEVER_YEARS * 365 * 24 * 3600);
    let delay = after.unwrap_or(never).min(never);
    rfc3339(SystemTime::now() + delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_epoch_formats_as_utc() {
        assert_eq!(rfc3339(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let moment = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_250);
        assert_eq!(rfc3339(moment), "2023-11-14T22:13:20.25Z");
    }

    #[test]
    fn expiry_without_ttl_is_far_ahead() {
        let year: i32 = expiry_rfc3339(None)[..4].parse().unwrap();
        let now_year: i32 = now_rfc3339()[..4].parse().unwrap();
        assert!(year >= now_year + 99, "{year}");
    }
}
