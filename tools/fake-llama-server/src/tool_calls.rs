//! `FAKE_TOOL_CALLS` mode of `/v1/chat/completions`: the model calls tools, in parallel and in
//! fragments when streamed, as llama-server does. When the last message is a tool result, the
//! reply's content is instead the JSON of the received `messages` and `tools`, so that a test can
//! check what reached the server.

use axum::Json;
use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::completion_body::Completion;

/// Cities given as the arguments of call 0, 1, 2, ...; later calls reuse the last one.
const CITIES: [&str; 3] = ["Paris", "Tokyo", "Lima"];

/// Replies to a chat completion request with `count` tool calls, or with the echo of a tool result.
pub fn reply(completion: &Completion, request: &Value, count: usize, streamed: bool) -> Response {
    let messages = request.get("messages").cloned().unwrap_or_else(|| json!([]));
    let last_role = messages
        .as_array()
        .and_then(|messages| messages.last())
        .and_then(|message| message.get("role"))
        .and_then(Value::as_str);

    if last_role == Some("tool") {
        let echo = json!({"messages": messages, "tools": request.get("tools")}).to_string();
        let message = json!({"role": "assistant", "content": echo});
        return respond(completion, message, "stop", streamed);
    }

    let calls: Vec<Value> = (0..count).map(tool_call).collect();
    let message = json!({"role": "assistant", "content": null, "tool_calls": calls});
    respond(completion, message, "tool_calls", streamed)
}

fn tool_call(index: usize) -> Value {
    let city = CITIES[index.min(CITIES.len() - 1)];
    json!({
        "index": index,
        "id": format!("call_fake{index}"),
        "type": "function",
        "function": {"name": "get_weather", "arguments": json!({"city": city}).to_string()},
    })
}

fn respond(completion: &Completion, message: Value, finish_reason: &str, streamed: bool) -> Response {
    if !streamed {
        let choice = json!({"index": 0, "message": message, "finish_reason": finish_reason});
        return Json(envelope(completion, "chat.completion", choice)).into_response();
    }

    let mut frames = vec![json!({"role": "assistant", "content": null})];
    if let Some(content) = message.get("content").and_then(Value::as_str) {
        frames.push(json!({"content": content}));
    }
    for call in message.get("tool_calls").and_then(Value::as_array).into_iter().flatten() {
        frames.extend(call_fragments(call));
    }

    let mut body = String::new();
    for delta in frames {
        let choice = json!({"index": 0, "delta": delta, "finish_reason": null});
        body.push_str(&format!("data: {}\n\n", envelope(completion, "chat.completion.chunk", choice)));
    }
    let last = json!({"index": 0, "delta": {}, "finish_reason": finish_reason});
    let mut last = envelope(completion, "chat.completion.chunk", last);
    last["timings"] = json!({"cache_n": 0, "prompt_n": 10, "prompt_ms": 5.0, "predicted_n": 8, "predicted_ms": 40.0});
    body.push_str(&format!("data: {last}\n\ndata: [DONE]\n\n"));

    ([(header::CONTENT_TYPE, "text/event-stream")], Bytes::from(body)).into_response()
}

/// Splits a call as llama-server streams it: id, type and name first, then the arguments in two
/// pieces.
fn call_fragments(call: &Value) -> Vec<Value> {
    let index = call["index"].clone();
    let arguments = call["function"]["arguments"].as_str().unwrap_or_default();
    let (head, tail) = arguments.split_at(arguments.len() / 2);
    let head_call = json!({"index": index, "id": call["id"], "type": "function",
        "function": {"name": call["function"]["name"], "arguments": ""}});
    [head_call, json!({"index": index, "function": {"arguments": head}}), json!({"index": index, "function": {"arguments": tail}})]
        .into_iter()
        .map(|fragment| json!({"tool_calls": [fragment]}))
        .collect()
}

fn envelope(completion: &Completion, object: &str, choice: Value) -> Value {
    json!({
        "id": completion.id,
        "object": object,
        "created": completion.created,
        "model": completion.model,
        "system_fingerprint": "fake-llama-server",
        "choices": [choice],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::completion_body::CompletionKind;

    #[test]
    fn fragments_rebuild_the_arguments() {
        let call = tool_call(1);
        let fragments = call_fragments(&call);

        let joined: String = fragments
            .iter()
            .map(|fragment| fragment["tool_calls"][0]["function"]["arguments"].as_str().unwrap())
            .collect();

        assert_eq!(joined, r#"{"city":"Tokyo"}"#);
        assert_eq!(fragments[0]["tool_calls"][0]["function"]["name"], "get_weather");
        assert!(fragments[1]["tool_calls"][0].get("id").is_none());
    }

    #[tokio::test]
    async fn tool_result_is_echoed() {
        let completion = Completion::new(CompletionKind::Chat, "m".to_owned());
        let request = json!({"messages": [{"role": "tool", "content": "sunny", "tool_call_id": "c1"}]});

        let response = reply(&completion, &request, 2, false);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        let echo: Value = serde_json::from_str(body["choices"][0]["message"]["content"].as_str().unwrap()).unwrap();

        assert_eq!(echo["messages"][0]["tool_call_id"], "c1");
        assert_eq!(echo["tools"], Value::Null);
    }
}
