use super::*;
use crate::api::test_support::{facts, metadata, spec};

#[test]
fn chat_model_with_tool_template_has_tools_and_completion() {
    let mut chat = metadata();
    chat.chat_template = Some("{% if tools %}{{ tools | tojson }}{% endif %}<start_of_turn>user<end_of_turn>".to_owned());

    let model = facts(spec("m1", &[], true), Some(chat.clone()));
    assert_eq!(capabilities(&model), ["completion", "tools"]);

    let without_runtime_support = facts(spec("m1", &[], false), Some(chat));
    assert_eq!(capabilities(&without_runtime_support), ["completion"]);
}

#[test]
fn embedding_model_has_only_embedding() {
    let mut embedder = metadata();
    embedder.pooling_type = Some(1);
    assert_eq!(capabilities(&facts(spec("e1", &[], true), Some(embedder))), ["embedding"]);

    let by_flag = facts(spec("e2", &["--embeddings"], true), Some(metadata()));
    assert_eq!(capabilities(&by_flag), ["embedding"]);
}

#[test]
fn vision_thinking_and_insert_follow_flags_template_and_tokens() {
    let mut model = metadata();
    model.chat_template = Some("{% if enable_thinking %}<think>{% endif %}".to_owned());
    model.has_fill_in_middle = true;

    let facts = facts(spec("v1", &["--mmproj", "/m/proj.gguf"], true), Some(model));

    assert_eq!(capabilities(&facts), ["completion", "vision", "thinking", "insert"]);
}

#[test]
fn model_info_reports_the_configured_context_and_architecture() {
    let configured = facts(spec("m1", &["--ctx-size", "2048"], true), Some(metadata()));
    let info = model_info(&configured, None);
    assert_eq!(info["general.architecture"], "llama");
    assert_eq!(info["general.parameter_count"], 268_098_176u64);
    assert_eq!(info["llama.context_length"], 2048);
    assert_eq!(info["general.organization"], "Acme");

    let trained = facts(spec("m1", &[], true), Some(metadata()));
    assert_eq!(model_info(&trained, None)["llama.context_length"], 8192);
}

#[test]
fn copilot_gets_the_requested_name_as_basename() {
    let model = facts(spec("m1", &[], true), Some(metadata()));
    assert_eq!(model_info(&model, Some("m1:latest"))["general.basename"], "m1:latest");
    assert!(model_info(&model, None).get("general.basename").is_none());
}

#[test]
fn model_without_metadata_still_names_its_architecture() {
    let model = facts(spec("m1", &[], true), None);
    let info = model_info(&model, None);
    assert_eq!(info["general.architecture"], "");
    assert_eq!(capabilities(&model), ["completion"]);
}

#[test]
fn parameters_list_context_and_stop_markers() {
    let mut gemma = metadata();
    gemma.chat_template = Some("<start_of_turn>user\n{{ content }}<end_of_turn>\n".to_owned());

    let lines = parameter_lines(&facts(spec("g1", &["-c", "1024"], true), Some(gemma)));

    assert_eq!(lines, [("num_ctx", "1024".to_owned()), ("stop", "\"<end_of_turn>\"".to_owned())]);
}
