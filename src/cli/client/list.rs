//! `llama-runner ps` (loaded models) and `llama-runner models` (every configured model).

use std::process::ExitCode;

use serde_json::{Value, json};

use super::http::{ClientError, ManagementClient};
use super::model_rows::{has_process, render_models};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// Models with a process: starting, ready, draining or stopping.
    Loaded,
    All,
}

/// Prints the models as a table, or with `json` as `{"models": [...]}` (plus `memory_budget`
/// for the full listing).
pub async fn list_models(client: &ManagementClient, listing: Listing, json: bool) -> anyhow::Result<ExitCode> {
    let body = client.get("/api/models").await?;
    let Some(models) = body["models"].as_array() else {
        return Err(ClientError::InvalidResponse {
            url: format!("{}/api/models", client.base_url()),
            reason: "the body has no `models` array".to_owned(),
        }
        .into());
    };
    let shown: Vec<&Value> = models
        .iter()
        .filter(|model| listing == Listing::All || has_process(model))
        .collect();

    if json {
        let output = match listing {
            Listing::All => body.clone(),
            Listing::Loaded => json!({"models": shown}),
        };
        println!("{output:#}");
        return Ok(ExitCode::SUCCESS);
    }

    if shown.is_empty() {
        match listing {
            Listing::Loaded => println!("no model is loaded; `llama-runner load ID` starts one"),
            Listing::All => println!("no model is configured"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", render_models(&shown));
    Ok(ExitCode::SUCCESS)
}
