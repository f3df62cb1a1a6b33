//! The results table: each figure beside its baseline, their ratio, the target and a verdict.

use serde::Serialize;

use crate::machine::Machine;

/// Whether a figure meets its target. Informational only: a miss does not fail the bench.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Miss,
    /// The figure has no target.
    Info,
}

impl Verdict {
    pub fn from_check(met: bool) -> Self {
        if met { Self::Pass } else { Self::Miss }
    }

    fn marker(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Miss => "MISS",
            Self::Info => "-",
        }
    }
}

/// One line of the results table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub measure: String,
    /// The figure for llama-runner, in `unit`.
    pub value: f64,
    pub unit: &'static str,
    /// Name of the figure this one is compared with. `baseline` is its value in the same unit.
    pub baseline_name: String,
    pub baseline: Option<f64>,
    /// `value / baseline`, where that quotient means something.
    pub ratio: Option<f64>,
    pub target: String,
    pub verdict: Verdict,
}

/// Everything one bench run found, printed as a table and written as JSON.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub machine: Option<Machine>,
    pub rows: Vec<Row>,
    /// Details behind the rows: raw latencies, per-request swap times, checks that ran.
    pub notes: Vec<String>,
    /// Stages that failed, with their error.
    pub failures: Vec<String>,
}

impl Report {
    pub fn note(&mut self, line: impl Into<String>) {
        let line = line.into();
        eprintln!("bench: {line}");
        self.notes.push(line);
    }

    /// Renders the table as Markdown, so it reads in a terminal and pastes into the docs.
    pub fn table(&self) -> String {
        let header = [
            "Measure",
            "llama-runner",
            "Baseline",
            "Ratio",
            "Target",
            "Result",
        ];
        let mut lines = vec![
            format!("| {} |", header.join(" | ")),
            format!("|{}", "---|".repeat(header.len())),
        ];
        for row in &self.rows {
            let baseline = match row.baseline {
                Some(value) => format!("{} {}", row.baseline_name, format_value(value, row.unit)),
                None => row.baseline_name.clone(),
            };
            let ratio = row
                .ratio
                .map_or("-".to_owned(), |ratio| format!("{ratio:.2}"));
            lines.push(format!(
                "| {} | {} | {} | {} | {} | {} |",
                row.measure,
                format_value(row.value, row.unit),
                baseline,
                ratio,
                row.target,
                row.verdict.marker()
            ));
        }
        lines.join("\n")
    }
}

/// Formats a figure with its unit, with precision that suits the unit.
pub fn format_value(value: f64, unit: &str) -> String {
    match unit {
        "ms" if value.abs() < 10.0 => format!("{value:.3} ms"),
        "ms" => format!("{value:.1} ms"),
        "req/s" => format!("{value:.0} req/s"),
        "s" => format!("{value:.2} s"),
        "MB" => format!("{value:.1} MB"),
        _ => format!("{value} {unit}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_shows_baseline_ratio_and_marker() {
        let report = Report {
            rows: vec![Row {
                measure: "throughput".to_owned(),
                value: 900.0,
                unit: "req/s",
                baseline_name: "nginx".to_owned(),
                baseline: Some(1000.0),
                ratio: Some(0.9),
                target: ">= 0.9x nginx".to_owned(),
                verdict: Verdict::from_check(true),
            }],
            ..Report::default()
        };

        let table = report.table();

        assert!(table.contains(
            "| throughput | 900 req/s | nginx 1000 req/s | 0.90 | >= 0.9x nginx | pass |"
        ));
    }

    #[test]
    fn milliseconds_keep_sub_millisecond_precision() {
        assert_eq!(format_value(0.0421, "ms"), "0.042 ms");
        assert_eq!(format_value(152.34, "ms"), "152.3 ms");
    }

    #[test]
    fn failed_check_is_a_miss() {
        assert_eq!(Verdict::from_check(false), Verdict::Miss);
        assert_eq!(Verdict::from_check(false).marker(), "MISS");
    }
}
