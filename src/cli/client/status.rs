//! `llama-runner status`: the overall health from `GET /api/health` and the model counts.

use std::collections::BTreeMap;
use std::process::ExitCode;

use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::http::{ClientError, ManagementClient, QUERY_TIMEOUT};
use super::model_rows::state;
use super::table::render_table;

/// Order in which the model counts are shown; other states follow by name.
const STATE_ORDER: [&str; 6] = ["ready", "starting", "draining", "stopping", "failed", "stopped"];

/// Prints the health and its checks, then the number of models in each state. Exits 1 when the
/// health is `critical`, which the server sends with 503.
pub async fn print_status(client: &ManagementClient, json: bool) -> anyhow::Result<ExitCode> {
    let response = client.send(Method::GET, "/api/health", Some(QUERY_TIMEOUT)).await?;
    let health = match response.status {
        StatusCode::SERVICE_UNAVAILABLE if response.body.get("status").is_some() => response.body,
        _ => response.into_success()?,
    };
    let Some(overall) = health["status"].as_str().map(str::to_owned) else {
        return Err(ClientError::InvalidResponse {
            url: format!("{}/api/health", client.base_url()),
            reason: "the body has no `status`".to_owned(),
        }
        .into());
    };
    let models = client.get("/api/models").await?;
    let counts = count_states(models["models"].as_array().map(Vec::as_slice).unwrap_or_default());
    let configured: usize = counts.values().sum();

    if json {
        let output = json!({
            "url": client.base_url(),
            "health": health,
            "models": {"configured": configured, "by_state": counts},
        });
        println!("{output:#}");
    } else {
        println!("llama-runner at {}: {overall}", client.base_url());
        print!("{}", render_checks(&health));
        println!("models: {configured} configured{}", describe_counts(&counts));
    }

    Ok(if overall == "critical" { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn count_states(models: &[Value]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for model in models {
        *counts.entry(state(model).to_owned()).or_insert(0) += 1;
    }
    counts
}

/// Returns `, 1 ready, 2 stopped`: the states with models, in [`STATE_ORDER`].
fn describe_counts(counts: &BTreeMap<String, usize>) -> String {
    let rank = |name: &str| STATE_ORDER.iter().position(|known| *known == name).unwrap_or(STATE_ORDER.len());
    let mut states: Vec<(&String, &usize)> = counts.iter().collect();
    states.sort_by_key(|(name, _)| rank(name));
    states.iter().map(|(name, count)| format!(", {count} {name}")).collect()
}

fn render_checks(health: &Value) -> String {
    let checks = health["checks"].as_array().map(Vec::as_slice).unwrap_or_default();
    let rows: Vec<Vec<String>> = checks
        .iter()
        .map(|check| {
            ["name", "status", "detail"]
                .iter()
                .map(|field| check[*field].as_str().unwrap_or("-").to_owned())
                .collect()
        })
        .collect();
    render_table(&["CHECK", "STATUS", "DETAIL"], &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_state_order() {
        let models = [json!({"state": "stopped"}), json!({"state": "ready"}), json!({"state": "stopped"})];
        let counts = count_states(&models);
        assert_eq!(describe_counts(&counts), ", 1 ready, 2 stopped");
    }
}
