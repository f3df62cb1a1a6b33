//! Table rows of the model objects that `GET /api/models` returns.

use serde_json::Value;

use super::table::{format_bytes, format_duration, render_table};

/// States in which a model has a process, as the server's unload counts them.
pub const PROCESS_STATES: [&str; 4] = ["starting", "ready", "draining", "stopping"];

const HEADERS: [&str; 7] = ["ID", "STATE", "PID", "PORT", "UPTIME", "MEMORY", "REQUESTS"];

pub fn has_process(model: &Value) -> bool {
    PROCESS_STATES.contains(&state(model))
}

pub fn state(model: &Value) -> &str {
    model["state"].as_str().unwrap_or("unknown")
}

pub fn id(model: &Value) -> &str {
    model["id"].as_str().unwrap_or("?")
}

/// Renders models as a table, with a line for each failed model's last error below it.
pub fn render_models(models: &[&Value]) -> String {
    let rows: Vec<Vec<String>> = models.iter().map(|model| row(model)).collect();
    let mut text = render_table(&HEADERS, &rows);
    for model in models {
        if let Some(error) = model["last_error"].as_str().filter(|_| state(model) == "failed") {
            text.push_str(&format!("{} failed: {error}\n", id(model)));
        }
    }
    text
}

fn row(model: &Value) -> Vec<String> {
    let number = |field: &str| model[field].as_u64().map_or_else(|| "-".to_owned(), |value| value.to_string());
    vec![
        id(model).to_owned(),
        state(model).to_owned(),
        number("pid"),
        number("port"),
        model["uptime_seconds"].as_f64().map_or_else(|| "-".to_owned(), format_duration),
        memory(&model["memory"]),
        number("requests"),
    ]
}

/// Formats the measured memory of a running model (resident set, then each GPU), else the
/// estimate marked `est.`, else `-`.
fn memory(memory: &Value) -> String {
    let measured = &memory["measured"];
    if let Some(rss) = measured["rss_bytes"].as_u64() {
        let mut text = format_bytes(rss);
        if let Some(gpus) = measured["gpu"].as_object() {
            for (device, bytes) in gpus {
                if let Some(bytes) = bytes.as_u64() {
                    text.push_str(&format!(" + {device} {}", format_bytes(bytes)));
                }
            }
        }
        return text;
    }

    let estimate: Option<u64> = memory["estimate"]["total"]
        .as_object()
        .map(|devices| devices.values().filter_map(Value::as_u64).sum());
    match estimate {
        Some(total) if total > 0 => format!("est. {}", format_bytes(total)),
        _ => "-".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn running_model_shows_measured_memory() {
        let model = json!({
            "id": "gemma", "state": "ready", "pid": 42, "port": 5001, "uptime_seconds": 75.2, "requests": 3,
            "memory": {"measured": {"rss_bytes": 1_048_576, "gpu": {"gpu0": 2_147_483_648u64}}, "estimate": null}
        });
        assert_eq!(row(&model), ["gemma", "ready", "42", "5001", "1 min 15 s", "1.0 MiB + gpu0 2.0 GiB", "3"]);
    }

    #[test]
    fn stopped_model_shows_estimate_and_dashes() {
        let model = json!({
            "id": "m", "state": "stopped", "requests": 0,
            "memory": {"measured": null, "estimate": {"total": {"cpu": 1_048_576, "gpu0": 1_048_576}}}
        });
        assert_eq!(row(&model), ["m", "stopped", "-", "-", "-", "est. 2.0 MiB", "0"]);
    }

    #[test]
    fn failed_model_error_follows_table() {
        let model = json!({"id": "m", "state": "failed", "last_error": "exit code 3"});
        let text = render_models(&[&model]);
        assert!(text.ends_with("m failed: exit code 3\n"), "{text}");
    }
}
