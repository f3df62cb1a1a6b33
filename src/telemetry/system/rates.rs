//! Arithmetic of the collector: rates from cumulative counters and shares as percentages.

use std::collections::BTreeMap;
use std::time::Duration;

/// Returns `part` as a percentage of `whole`, or 0 when `whole` is 0.
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    part as f64 * 100.0 / whole as f64
}

/// Returns the rate at which a cumulative counter grew from `previous` to `current` over
/// `elapsed`. A counter that went down (reset, or a device that came back) gives 0, and so
/// does an empty interval.
pub fn rate_per_second(previous: u64, current: u64, elapsed: Duration) -> f64 {
    let seconds = elapsed.as_secs_f64();
    if seconds <= 0.0 || current < previous {
        return 0.0;
    }
    (current - previous) as f64 / seconds
}

/// The last reading of named cumulative counters, turned into rates one reading at a time.
#[derive(Debug, Default)]
pub struct CounterRates {
    previous: BTreeMap<String, u64>,
}

impl CounterRates {
    /// Stores `current` for `name` and returns its rate since the last reading; `None` on the
    /// first reading of that name.
    pub fn update(&mut self, name: &str, current: u64, elapsed: Duration) -> Option<f64> {
        let previous = self.previous.insert(name.to_owned(), current)?;
        Some(rate_per_second(previous, current, elapsed))
    }

    /// Keeps only the counters for which `keep` holds, to forget a removed network interface.
    pub fn retain_where(&mut self, keep: impl Fn(&str) -> bool) {
        self.previous.retain(|name, _| keep(name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_of_zero_whole_is_zero() {
        assert_eq!(percent(5, 0), 0.0);
        assert_eq!(percent(25, 200), 12.5);
        assert_eq!(percent(200, 200), 100.0);
    }

    #[test]
    fn rate_divides_growth_by_elapsed_time() {
        assert_eq!(rate_per_second(1_000, 3_000, Duration::from_millis(500)), 4_000.0);
        assert_eq!(rate_per_second(1_000, 1_000, Duration::from_secs(1)), 0.0);
    }

    #[test]
    fn rate_of_reset_counter_or_empty_interval_is_zero() {
        assert_eq!(rate_per_second(5_000, 10, Duration::from_secs(1)), 0.0);
        assert_eq!(rate_per_second(0, 10, Duration::ZERO), 0.0);
    }

    #[test]
    fn counter_rates_start_on_the_second_reading() {
        let mut rates = CounterRates::default();
        assert_eq!(rates.update("eth0", 100, Duration::from_secs(1)), None);
        assert_eq!(rates.update("eth0", 350, Duration::from_secs(2)), Some(125.0));

        rates.retain_where(|_| false);
        assert_eq!(rates.update("eth0", 400, Duration::from_secs(1)), None, "forgotten counters start again");
    }
}
