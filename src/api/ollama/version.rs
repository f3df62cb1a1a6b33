//! `GET /` and `GET /api/version`, which clients call to detect an Ollama server.

use axum::Json;
use serde_json::{Value, json};

/// The Ollama version llama-runner reports. Clients compare it numerically: GitHub Copilot's
/// Ollama provider requires at least 0.6.4, and newer clients gate features such as `think`.
pub(crate) const OLLAMA_VERSION: &str = "0.12.0";

pub(crate) async fn root() -> &'static str {
    "Ollama is running"
}

pub(crate) async fn version() -> Json<Value> {
    Json(json!({"version": OLLAMA_VERSION}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_plain_numeric_semver_of_at_least_0_6_4() {
        let parts: Vec<u32> = OLLAMA_VERSION.split('.').map(|part| part.parse().unwrap()).collect();
        assert_eq!(parts.len(), 3);
        assert!(parts >= vec![0, 6, 4]);
    }
}
