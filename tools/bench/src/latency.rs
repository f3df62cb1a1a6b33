//! Percentiles of measured durations.

use std::time::Duration;

/// Returns the `percent` percentile of `samples` by the nearest-rank method, or `None` when
/// there are no samples. `percent` is in (0, 100].
pub fn percentile(samples: &[Duration], percent: f64) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();

    let rank = (percent / 100.0 * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// Returns the median by the nearest-rank method (the lower middle value for an even count).
pub fn median(samples: &[Duration]) -> Option<Duration> {
    percentile(samples, 50.0)
}

/// Converts a duration to milliseconds as a float, for tables and JSON.
pub fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values
            .iter()
            .map(|value| Duration::from_millis(*value))
            .collect()
    }

    #[test]
    fn percentile_of_hundred_samples() {
        let samples = ms(&(1..=100).rev().collect::<Vec<_>>());

        assert_eq!(percentile(&samples, 50.0), Some(Duration::from_millis(50)));
        assert_eq!(percentile(&samples, 99.0), Some(Duration::from_millis(99)));
        assert_eq!(
            percentile(&samples, 100.0),
            Some(Duration::from_millis(100))
        );
    }

    #[test]
    fn median_of_few_samples() {
        assert_eq!(median(&ms(&[30, 10, 20])), Some(Duration::from_millis(20)));
        assert_eq!(median(&ms(&[40, 10])), Some(Duration::from_millis(10)));
        assert_eq!(median(&ms(&[7])), Some(Duration::from_millis(7)));
    }

    #[test]
    fn percentile_of_nothing_is_none() {
        assert_eq!(percentile(&[], 50.0), None);
    }
}
