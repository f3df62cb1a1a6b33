//! `llama-runner unload ID` and `llama-runner unload --all`.

use std::process::ExitCode;

use http::Method;
use serde_json::Value;
use tokio::time::Instant;

use super::http::{ManagementClient, model_path};
use super::model_rows::{has_process, id as model_id, state};

/// Unloads `id` and waits until it has stopped. A model that still has requests in flight is
/// reported as draining; it stops when they finish.
pub async fn unload_model(client: &ManagementClient, id: &str, json: bool) -> anyhow::Result<ExitCode> {
    let before = client.get(&model_path(id, "")).await?;
    if !has_process(&before) {
        if json {
            println!("{before:#}");
        } else {
            println!("{id} is not loaded ({})", state(&before));
        }
        return Ok(ExitCode::SUCCESS);
    }

    let started = Instant::now();
    let after = client.send(Method::POST, &model_path(id, "/unload"), None).await?.into_success()?;
    if json {
        println!("{after:#}");
        return Ok(ExitCode::SUCCESS);
    }
    if has_process(&after) {
        println!("{id} is still {}: its requests in flight are finishing, then it stops", state(&after));
    } else {
        println!("{id} unloaded in {:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(ExitCode::SUCCESS)
}

/// Unloads every model with a process and lists them.
pub async fn unload_all(client: &ManagementClient, json: bool) -> anyhow::Result<ExitCode> {
    let body = client.send(Method::POST, "/api/models/unload", None).await?.into_success()?;
    if json {
        println!("{body:#}");
        return Ok(ExitCode::SUCCESS);
    }

    let unloaded: Vec<&str> = body["unloaded"]
        .as_array()
        .map(|ids| ids.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if unloaded.is_empty() {
        println!("no model was loaded");
        return Ok(ExitCode::SUCCESS);
    }
    println!("unloaded {} model(s): {}", unloaded.len(), unloaded.join(", "));

    let models = body["models"].as_array().map(Vec::as_slice).unwrap_or_default();
    for model in models.iter().filter(|model| has_process(model)) {
        println!(
            "{} is still {}: its requests in flight are finishing, then it stops",
            model_id(model),
            state(model)
        );
    }
    Ok(ExitCode::SUCCESS)
}
