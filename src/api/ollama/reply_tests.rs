use serde_json::json;

use super::*;

pub(crate) fn context(shape: ReplyShape, upstream: UpstreamFormat) -> ReplyContext {
    ReplyContext {
        model_name: "m1:latest".to_owned(),
        model_id: "m1".into(),
        shape,
        upstream,
        started: Instant::now(),
        load: Duration::from_millis(5),
    }
}

const TIMINGS: &str = r#"{"cache_n": 20, "prompt_n": 50, "prompt_ms": 100.0, "predicted_n": 200, "predicted_ms": 2000.0}"#;

#[test]
fn whole_chat_reply_becomes_one_final_object() {
    let reply = json!({
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": "", "reasoning_content": "need weather",
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]
        }}],
        "timings": serde_json::from_str::<Value>(TIMINGS).unwrap(),
    });

    let (object, output) = context(ReplyShape::Chat, UpstreamFormat::Chat).whole_reply(&reply);

    assert_eq!(object["model"], "m1:latest");
    assert_eq!(object["done"], true);
    assert_eq!(object["done_reason"], "stop");
    assert_eq!(
        object["message"],
        json!({
            "role": "assistant", "content": "", "thinking": "need weather",
            "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]
        })
    );
    assert_eq!(object["prompt_eval_count"], 70);
    assert_eq!(object["eval_count"], 200);
    assert_eq!(object["eval_duration"], 2_000_000_000u64);
    assert_eq!(object["load_duration"], 5_000_000);
    assert!(object["total_duration"].as_u64().is_some());
    assert!(object["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(output.tool_calls.len(), 1);
}

#[test]
fn whole_text_reply_becomes_a_generate_object() {
    let reply = json!({"choices": [{"text": " there", "finish_reason": "length"}], "usage": {"prompt_tokens": 3, "completion_tokens": 2}});

    let (object, _) = context(ReplyShape::Generate, UpstreamFormat::Text).whole_reply(&reply);

    assert_eq!(object["response"], " there");
    assert_eq!(object["done_reason"], "length");
    assert_eq!(object["prompt_eval_count"], 3);
    assert!(object.get("message").is_none());
    assert!(object.get("eval_duration").is_none());
}

#[test]
fn whole_infill_reply_reads_native_fields() {
    let reply = json!({"content": "x + 1", "stop": true, "stop_type": "limit", "timings": serde_json::from_str::<Value>(TIMINGS).unwrap()});

    let (object, _) = context(ReplyShape::Generate, UpstreamFormat::Infill).whole_reply(&reply);

    assert_eq!(object["response"], "x + 1");
    assert_eq!(object["done_reason"], "length");
    assert_eq!(object["prompt_eval_duration"], 100_000_000);
}

#[test]
fn lifecycle_objects_carry_their_reason() {
    let chat = context(ReplyShape::Chat, UpstreamFormat::Chat).lifecycle_object("unload");
    assert_eq!(chat["done_reason"], "unload");
    assert_eq!(chat["message"], json!({"role": "assistant", "content": ""}));

    let generate = context(ReplyShape::Generate, UpstreamFormat::Text).lifecycle_object("load");
    assert_eq!(generate["response"], "");
    assert_eq!(generate["done"], true);
}
