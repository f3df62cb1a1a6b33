//! One finding about a config file, addressed by the JSON path of the key it is about.

use std::fmt;

use serde::Serialize;

/// The JSON path of the whole file, used for problems that no single key owns (syntax errors).
pub const ROOT_PATH: &str = "$";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One finding, with the JSON path of the key it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigProblem {
    pub severity: Severity,
    pub path: String,
    pub message: String,
}

impl ConfigProblem {
    pub fn error(path: &str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            path: path.to_owned(),
            message: message.into(),
        }
    }

    pub fn warning(path: &str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            path: path.to_owned(),
            message: message.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// True when this problem is about the key at `path` or a key inside it.
    pub(crate) fn is_within(&self, path: &str) -> bool {
        match self.path.strip_prefix(path) {
            Some(rest) => rest.is_empty() || rest.starts_with('.') || rest.starts_with('['),
            None => false,
        }
    }
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(formatter, "{level}: {}: {}", self.path, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_level_path_message() {
        let problem = ConfigProblem::error("models.A.model_path", "model 'A' has no model_path");
        assert_eq!(problem.to_string(), "error: models.A.model_path: model 'A' has no model_path");
    }

    #[test]
    fn is_within_matches_whole_segments_only() {
        let problem = ConfigProblem::error("models.A.parameters.port", "x");
        assert!(problem.is_within("models.A"));
        assert!(problem.is_within("models.A.parameters.port"));
        assert!(!problem.is_within("models.AB"));

        let indexed = ConfigProblem::error("models_dir[1]", "x");
        assert!(indexed.is_within("models_dir"));
    }

    #[test]
    fn json_form_uses_lowercase_severity() {
        let problem = ConfigProblem::warning("colour", "unknown key, ignored");
        let json = serde_json::to_value(&problem).unwrap();
        assert_eq!(json, serde_json::json!({"severity": "warning", "path": "colour", "message": "unknown key, ignored"}));
    }
}
