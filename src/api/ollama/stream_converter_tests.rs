use serde_json::json;
use tokio::time::{Duration, Instant};

use super::*;
use crate::api::ollama::reply::ReplyShape;

fn converter(shape: ReplyShape, upstream: UpstreamFormat) -> StreamConverter {
    let context = ReplyContext {
        model_name: "m1".to_owned(),
        model_id: "m1".into(),
        shape,
        upstream,
        started: Instant::now(),
        load: Duration::ZERO,
    };
    StreamConverter::new(context, None)
}

fn chunk(delta: Value, finish_reason: Value) -> String {
    json!({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}).to_string()
}

/// Feeds every event and returns the objects produced for each one.
fn feed(converter: &mut StreamConverter, events: &[String]) -> Vec<Vec<Value>> {
    events.iter().map(|event| converter.on_event(event)).collect()
}

#[test]
fn chat_deltas_become_one_object_each() {
    let mut converter = converter(ReplyShape::Chat, UpstreamFormat::Chat);
    let timings = json!({"cache_n": 1, "prompt_n": 4, "prompt_ms": 10.0, "predicted_n": 2, "predicted_ms": 20.0});
    let mut last = json!({"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 2}});
    last["timings"] = timings;

    let produced = feed(
        &mut converter,
        &[
            chunk(json!({"role": "assistant", "content": null}), Value::Null),
            chunk(json!({"content": "Hel"}), Value::Null),
            chunk(json!({"content": "lo"}), Value::Null),
            chunk(json!({}), json!("stop")),
            last.to_string(),
            "[DONE]".to_owned(),
        ],
    );

    assert!(produced[0].is_empty(), "a role-only delta gives nothing");
    assert_eq!(produced[1].len(), 1);
    assert_eq!(produced[1][0]["message"], json!({"role": "assistant", "content": "Hel"}));
    assert_eq!(produced[1][0]["done"], false);
    assert_eq!(produced[2][0]["message"]["content"], "lo");
    assert!(produced[3].is_empty());
    assert!(produced[4].is_empty());

    let done = &produced[5][0];
    assert_eq!(done["done"], true);
    assert_eq!(done["done_reason"], "stop");
    assert_eq!(done["message"], json!({"role": "assistant", "content": ""}));
    assert_eq!(done["prompt_eval_count"], 5);
    assert_eq!(done["prompt_eval_duration"], 10_000_000);
    assert_eq!(done["eval_count"], 2);
    assert_eq!(done["eval_duration"], 20_000_000);
    assert!(converter.is_finished());
    assert!(converter.on_end().is_empty());
}

#[test]
fn reasoning_content_streams_as_thinking() {
    let mut converter = converter(ReplyShape::Chat, UpstreamFormat::Chat);
    let produced = converter.on_event(&chunk(json!({"reasoning_content": "hmm"}), Value::Null));
    assert_eq!(produced[0]["message"], json!({"role": "assistant", "content": "", "thinking": "hmm"}));

    let mut generate = self::converter(ReplyShape::Generate, UpstreamFormat::Chat);
    let produced = generate.on_event(&chunk(json!({"reasoning_content": "hmm", "content": "4"}), Value::Null));
    assert_eq!(produced[0]["response"], "4");
    assert_eq!(produced[0]["thinking"], "hmm");
}

#[test]
fn streamed_parallel_tool_calls_are_emitted_whole_at_finish() {
    let mut converter = converter(ReplyShape::Chat, UpstreamFormat::Chat);
    let fragment = |index: u64, name: Option<&str>, arguments: &str| {
        let mut function = json!({"arguments": arguments});
        if let Some(name) = name {
            function["name"] = json!(name);
        }
        chunk(json!({"tool_calls": [{"index": index, "id": format!("c{index}"), "type": "function", "function": function}]}), Value::Null)
    };

    let produced = feed(
        &mut converter,
        &[
            fragment(0, Some("get_weather"), ""),
            fragment(0, None, "{\"city\":"),
            fragment(1, Some("get_time"), "{}"),
            fragment(0, None, "\"Paris\"}"),
            chunk(json!({}), json!("tool_calls")),
            "[DONE]".to_owned(),
        ],
    );

    assert!(produced[..4].iter().all(Vec::is_empty), "fragments are held back: {produced:?}");
    assert_eq!(produced[4].len(), 1);
    assert_eq!(
        produced[4][0]["message"]["tool_calls"],
        json!([
            {"function": {"name": "get_weather", "arguments": {"city": "Paris"}}},
            {"function": {"name": "get_time", "arguments": {}}}
        ])
    );
    assert_eq!(produced[4][0]["done"], false);
    assert_eq!(produced[5][0]["done_reason"], "stop");
    assert!(produced[5][0]["message"].get("tool_calls").is_none());
}

#[test]
fn error_event_ends_the_stream_without_done() {
    let mut converter = converter(ReplyShape::Chat, UpstreamFormat::Chat);
    converter.on_event(&chunk(json!({"content": "a"}), Value::Null));

    let produced = converter.on_event(r#"{"error":{"message":"model 'm1' stopped responding","type":"server_error"}}"#);

    assert_eq!(produced, [json!({"error": "model 'm1' stopped responding"})]);
    assert!(converter.is_finished());
    assert!(converter.on_event("[DONE]").is_empty());
    assert!(converter.on_end().is_empty());
}

#[test]
fn end_without_finish_reason_is_an_error_not_done() {
    let mut converter = converter(ReplyShape::Chat, UpstreamFormat::Chat);
    converter.on_event(&chunk(json!({"content": "a"}), Value::Null));

    let produced = converter.on_end();

    assert_eq!(produced.len(), 1);
    assert!(produced[0]["error"].as_str().unwrap().contains("before it was complete"));
    assert!(produced[0].get("done").is_none());
}

#[test]
fn end_after_finish_reason_without_done_marker_finishes() {
    let mut converter = converter(ReplyShape::Generate, UpstreamFormat::Text);
    let text = |text: &str, finish: Value| json!({"choices": [{"text": text, "finish_reason": finish}]}).to_string();

    let produced = feed(&mut converter, &[text("Once", Value::Null), text("", json!("length"))]);
    assert_eq!(produced[0][0]["response"], "Once");
    assert!(produced[1].is_empty());

    let done = converter.on_end();
    assert_eq!(done[0]["done_reason"], "length");
    assert_eq!(done[0]["response"], "");
}

#[test]
fn native_infill_stream_finishes_at_stop() {
    let mut converter = converter(ReplyShape::Generate, UpstreamFormat::Infill);

    let produced = feed(
        &mut converter,
        &[
            json!({"content": "x", "stop": false}).to_string(),
            json!({"content": "", "stop": true, "stop_type": "eos", "timings": {"prompt_n": 3, "prompt_ms": 1.0, "predicted_n": 1, "predicted_ms": 2.0}}).to_string(),
        ],
    );

    assert_eq!(produced[0][0]["response"], "x");
    assert_eq!(produced[1].len(), 1);
    assert_eq!(produced[1][0]["done"], true);
    assert_eq!(produced[1][0]["eval_duration"], 2_000_000);
    assert!(converter.is_finished());
}

#[test]
fn read_error_becomes_an_error_object() {
    let mut converter = converter(ReplyShape::Chat, UpstreamFormat::Chat);
    let produced = converter.on_read_error(&"connection reset");
    assert!(produced[0]["error"].as_str().unwrap().contains("connection reset"));
    assert!(converter.is_finished());
}
