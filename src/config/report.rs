//! The problems found in a config file, as text lines or as JSON.

use serde::Serialize;

use super::problem::ConfigProblem;

/// Every problem found in one config file; it is valid when none is an error.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConfigReport {
    pub problems: Vec<ConfigProblem>,
}

impl ConfigReport {
    pub fn is_valid(&self) -> bool {
        !self.problems.iter().any(ConfigProblem::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.problems.iter().filter(|problem| problem.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.problems.len() - self.error_count()
    }

    /// Returns `{"valid": bool, "problems": [{"severity", "path", "message"}]}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "valid": self.is_valid(),
            "problems": self.problems,
        })
    }

    /// Formats one `<severity>: <path>: <message>` line per problem.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        self.problems.iter().map(ToString::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_alone_keep_a_config_valid() {
        let report = ConfigReport {
            problems: vec![ConfigProblem::warning("colour", "unknown key, ignored")],
        };
        assert!(report.is_valid());
        assert_eq!(report.to_json()["valid"], true);
        assert_eq!(report.warning_count(), 1);
    }

    #[test]
    fn one_error_makes_it_invalid() {
        let report = ConfigReport {
            problems: vec![
                ConfigProblem::warning("colour", "unknown key, ignored"),
                ConfigProblem::error("models.A.model_path", "model 'A' has no model_path"),
            ],
        };
        assert!(!report.is_valid());
        assert_eq!(report.error_count(), 1);
        assert_eq!(report.to_json()["problems"][1]["path"], "models.A.model_path");
        let lines: Vec<String> = report.lines().collect();
        assert_eq!(lines[1], "error: models.A.model_path: model 'A' has no model_path");
    }
}
