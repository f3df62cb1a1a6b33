//! Conversion of prometheus-client's OpenMetrics text into the Prometheus text format 0.0.4,
//! which `promtool check metrics` and every Prometheus version read.
//!
//! The two differ in what matters here only in how counters are named: OpenMetrics names the
//! family `x` in `# HELP` and `# TYPE` and its sample `x_total`, while the Prometheus format
//! names all three `x_total`. OpenMetrics also ends with `# EOF` and may carry `# UNIT` lines.

/// Content type of the converted text.
pub const PROMETHEUS_TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Rewrites OpenMetrics text as Prometheus text.
pub fn to_prometheus_text(openmetrics: &str) -> String {
    let counters: Vec<&str> = openmetrics
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|rest| rest.strip_suffix(" counter"))
        .collect();

    let mut text = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let renamed = ["# HELP ", "# TYPE "].iter().find_map(|prefix| {
            let rest = line.strip_prefix(prefix)?;
            let (name, tail) = rest.split_once(' ').unwrap_or((rest, ""));
            counters.contains(&name).then(|| format!("{prefix}{name}_total {tail}"))
        });
        match renamed {
            Some(line) => text.push_str(line.trim_end()),
            None => text.push_str(line),
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_families_take_the_total_suffix() {
        let openmetrics = "# HELP app_requests Requests.\n# TYPE app_requests counter\napp_requests_total{a=\"b\"} 2\n\
                           # HELP app_up Up.\n# TYPE app_up gauge\n# UNIT app_up seconds\napp_up 1\n# EOF\n";

        let text = to_prometheus_text(openmetrics);

        assert_eq!(
            text,
            "# HELP app_requests_total Requests.\n# TYPE app_requests_total counter\napp_requests_total{a=\"b\"} 2\n\
             # HELP app_up Up.\n# TYPE app_up gauge\napp_up 1\n"
        );
    }
}
