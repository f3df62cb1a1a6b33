//! `llama-runner logs ID [-f]`: a model's last output lines, then new ones as they are written.

use std::io::Write;
use std::process::ExitCode;

use http_body_util::BodyExt;
use serde_json::{Value, json};

use super::http::{ClientError, ManagementClient, model_path};
use llama_runner::api::sse::SseDecoder;

/// Prints the last `tail` lines of the model's latest process, or with `json` the API's
/// `{"model", "lines"}`.
pub async fn print_tail(client: &ManagementClient, id: &str, tail: usize, json: bool) -> anyhow::Result<ExitCode> {
    let body = client.get(&model_path(id, &format!("/logs?tail={tail}"))).await?;
    if json {
        println!("{body:#}");
        return Ok(ExitCode::SUCCESS);
    }

    let lines = body["lines"].as_array().map(Vec::as_slice).unwrap_or_default();
    if lines.is_empty() {
        eprintln!("{id} has no output lines: it has not been started, or has written nothing yet");
    }
    let mut stdout = std::io::stdout().lock();
    for line in lines.iter().filter_map(Value::as_str) {
        writeln!(stdout, "{line}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the last `tail` lines, then every new line until Ctrl-C (exit 0) or until the server
/// ends the stream (exit 1). With `json`, each line is a `{"model", "line"}` object of its own.
pub async fn follow(client: &ManagementClient, id: &str, tail: usize, json: bool) -> anyhow::Result<ExitCode> {
    let path = model_path(id, &format!("/logs/stream?tail={tail}"));
    let mut body = client.open_stream(&path).await?;
    let mut decoder = SseDecoder::default();
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);

    loop {
        let frame = tokio::select! {
            _ = &mut interrupt => return Ok(ExitCode::SUCCESS),
            frame = body.frame() => frame,
        };
        let failure = match frame {
            None => "llama-runner closed the stream; it may have stopped".to_owned(),
            Some(Err(error)) => format!("reading the stream failed: {error}"),
            Some(Ok(frame)) => {
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                print_lines(id, decoder.push(&data), json)?;
                continue;
            }
        };
        return Err(ClientError::Failed {
            url: format!("{}{path}", client.base_url()),
            reason: failure,
        }
        .into());
    }
}

fn print_lines(id: &str, lines: Vec<String>, json: bool) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    for line in lines {
        if json {
            writeln!(stdout, "{}", json!({"model": id, "line": line}))?;
        } else {
            writeln!(stdout, "{line}")?;
        }
    }
    // Lines must appear as they arrive even when stdout is a pipe.
    stdout.flush()
}
