use serde_json::json;

use super::*;
use crate::api::test_support;

fn facts(flags: &[&str], supports_tools: bool, fill_in_middle: bool) -> ModelFacts {
    let mut metadata = test_support::metadata();
    metadata.has_fill_in_middle = fill_in_middle;
    test_support::facts(test_support::spec("m1", flags, supports_tools), Some(metadata))
}

fn chat(body: Value) -> ChatRequest {
    serde_json::from_value(body).unwrap()
}

fn generate(body: Value) -> GenerateRequest {
    serde_json::from_value(body).unwrap()
}

fn options(value: Value) -> RequestOptions {
    RequestOptions::parse("m1", Some(&value)).unwrap()
}

#[test]
fn chat_translates_to_openai_chat_completions() {
    let request = chat(json!({
        "model": "m1:latest",
        "messages": [{"role": "user", "content": "hi"}],
        "format": {"type": "object", "properties": {"age": {"type": "integer"}}},
        "think": false,
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
    }));

    let upstream = chat_request(&request, &facts(&[], true, false), &options(json!({"num_predict": 5})), true).unwrap();

    assert_eq!(upstream.format, UpstreamFormat::Chat);
    assert_eq!(
        upstream.body,
        json!({
            "model": "m1",
            "stream": true,
            "stream_options": {"include_usage": true},
            "messages": [{"role": "user", "content": "hi"}],
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "response", "schema": {"type": "object", "properties": {"age": {"type": "integer"}}}}},
            "chat_template_kwargs": {"enable_thinking": false},
            "max_tokens": 5,
        })
    );
}

#[test]
fn tools_are_dropped_for_a_runtime_without_tool_support() {
    let request = chat(json!({"model": "m1", "messages": [], "tools": [{"type": "function"}]}));
    let upstream = chat_request(&request, &facts(&[], false, false), &RequestOptions::default(), false).unwrap();
    assert!(upstream.body.get("tools").is_none());
    assert!(upstream.body.get("stream_options").is_none());
}

#[test]
fn json_format_and_think_levels_translate() {
    let request = chat(json!({"model": "m1", "messages": [], "format": "json", "think": "high"}));
    let upstream = chat_request(&request, &facts(&[], true, false), &RequestOptions::default(), false).unwrap();
    assert_eq!(upstream.body["response_format"], json!({"type": "json_object"}));
    assert_eq!(upstream.body["chat_template_kwargs"], json!({"enable_thinking": true}));
}

#[test]
fn invalid_format_or_think_is_rejected() {
    for request in [
        chat(json!({"model": "m1", "format": "yaml"})),
        chat(json!({"model": "m1", "format": 3})),
        chat(json!({"model": "m1", "think": "very"})),
    ] {
        let error = chat_request(&request, &facts(&[], true, false), &RequestOptions::default(), false).unwrap_err();
        assert_eq!(error.status(), http::StatusCode::BAD_REQUEST);
    }
}

#[test]
fn plain_generate_uses_text_completions() {
    let request = generate(json!({"model": "m1", "prompt": "Once upon", "format": "json", "raw": true}));

    let upstream = generate_request(&request, &facts(&[], true, false), &options(json!({"temperature": 0})), false).unwrap();

    assert_eq!(upstream.format, UpstreamFormat::Text);
    assert_eq!(
        upstream.body,
        json!({"model": "m1", "stream": false, "prompt": "Once upon", "json_schema": {"type": "object"}, "temperature": 0})
    );
}

#[test]
fn generate_with_system_or_images_uses_chat() {
    let with_system = generate(json!({"model": "m1", "prompt": "hi", "system": "be brief"}));
    let upstream = generate_request(&with_system, &facts(&[], true, false), &RequestOptions::default(), false).unwrap();
    assert_eq!(upstream.format, UpstreamFormat::Chat);
    assert_eq!(
        upstream.body["messages"],
        json!([{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}])
    );

    let with_image = generate(json!({"model": "m1", "prompt": "what?", "images": ["iVBORw0KGgo"]}));
    let vision = facts(&["--mmproj", "/m/proj.gguf"], true, false);
    let upstream = generate_request(&with_image, &vision, &RequestOptions::default(), false).unwrap();
    assert_eq!(upstream.body["messages"][0]["content"][1]["image_url"]["url"], "data:image/png;base64,iVBORw0KGgo");
}

#[test]
fn suffix_uses_infill_when_the_model_has_fill_in_middle_tokens() {
    let request = generate(json!({"model": "m1", "prompt": "def f(", "suffix": "\n    return x", "options": {}}));

    let upstream = generate_request(&request, &facts(&[], true, true), &options(json!({"num_predict": 8})), true).unwrap();

    assert_eq!(upstream.format, UpstreamFormat::Infill);
    assert_eq!(
        upstream.body,
        json!({"model": "m1", "stream": true, "input_prefix": "def f(", "input_suffix": "\n    return x", "n_predict": 8})
    );

    let error = generate_request(&request, &facts(&[], true, false), &RequestOptions::default(), true).unwrap_err();
    assert_eq!(error.to_string(), "model 'm1' does not support insert");
}
