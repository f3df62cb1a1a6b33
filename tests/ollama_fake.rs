//! The Ollama and LM Studio dialects against the fake llama-server: NDJSON streaming, tool calls
//! in both directions, keep_alive, names, listings, and errors in each dialect.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::processes::{pids_with_argument, wait_until};
use support::runner::{Runner, config_with, model_entry};
use support::{TempDir, fake_llama_server, unique_id};

/// Starts a runner whose models all run the fake llama-server with `environment`.
fn fake_runner(ids: &[&str], dir: &TempDir, environment: &[(&str, String)]) -> Runner {
    let model_file = dir.path().join("model.gguf");
    std::fs::write(&model_file, b"GGUF").unwrap();
    let models = ids.iter().map(|id| model_entry(id, &fake_llama_server(), &model_file, json!({}))).collect();
    Runner::start_with_env(config_with(models, json!({"concurrentRunners": 4})), environment)
}

async fn post(url: &str, body: Value) -> (u16, reqwest::header::HeaderMap, String) {
    let response = reqwest::Client::new().post(url).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

async fn post_json(url: &str, body: Value) -> (u16, Value) {
    let (status, _, text) = post(url, body).await;
    let json = serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error}: {text}"));
    (status, json)
}

async fn get_json(url: &str) -> (u16, Value) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// Parses every line of an NDJSON body, failing on blank lines or SSE framing.
fn ndjson_lines(text: &str) -> Vec<Value> {
    assert!(text.ends_with('\n'), "NDJSON ends with a newline: {text:?}");
    text.lines()
        .map(|line| {
            assert!(!line.is_empty(), "blank line in NDJSON");
            assert!(!line.starts_with("data:"), "SSE line in NDJSON: {line:?}");
            serde_json::from_str(line).unwrap()
        })
        .collect()
}

#[tokio::test]
async fn ollama_probes_answer_like_ollama() {
    let dir = TempDir::new("ollama-probes");
    let runner = fake_runner(&[&unique_id("probe")], &dir, &[]);
    let client = reqwest::Client::new();

    let root = client.get(runner.ollama_url("/")).send().await.unwrap();
    assert_eq!(root.status(), 200);
    assert_eq!(root.text().await.unwrap(), "Ollama is running");
    assert_eq!(client.head(runner.ollama_url("/")).send().await.unwrap().status(), 200);

    let (status, version) = get_json(&runner.ollama_url("/api/version")).await;
    assert_eq!(status, 200);
    let parts: Vec<u32> = version["version"].as_str().unwrap().split('.').map(|part| part.parse().unwrap()).collect();
    assert!(parts >= vec![0, 6, 4], "{version}");
    assert_eq!(client.head(runner.ollama_url("/api/version")).send().await.unwrap().status(), 200);

    let (status, unknown) = get_json(&runner.ollama_url("/api/nothing")).await;
    assert_eq!(status, 404);
    assert!(unknown["error"].is_string(), "{unknown}");
}

#[tokio::test]
async fn ollama_routes_stream_ndjson_and_openai_routes_stream_sse() {
    let dir = TempDir::new("ollama-ndjson");
    let id = unique_id("ndjson");
    let runner = fake_runner(&[&id], &dir, &[("FAKE_CHUNKS", "3".into())]);
    let messages = json!([{"role": "user", "content": "hi"}]);

    let (status, headers, text) = post(&runner.ollama_url("/api/chat"), json!({"model": id, "messages": messages})).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(headers["content-type"], "application/x-ndjson");
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(headers["x-accel-buffering"], "no");
    assert!(headers.get("content-length").is_none());
    let lines = ndjson_lines(&text);
    let contents: Vec<&str> = lines[..lines.len() - 1].iter().map(|line| line["message"]["content"].as_str().unwrap()).collect();
    assert_eq!(contents, ["tok0 ", "tok1 ", "tok2 "]);
    assert!(lines[..lines.len() - 1].iter().all(|line| line["done"] == false && line["model"] == id.as_str()));
    let done = lines.last().unwrap();
    assert_eq!(done["done"], true);
    assert_eq!(done["done_reason"], "stop");
    assert_eq!(done["prompt_eval_count"], 70, "cache_n 20 + prompt_n 50: {done}");
    assert_eq!(done["prompt_eval_duration"], 100_000_000);
    assert_eq!(done["eval_count"], 200);
    assert_eq!(done["eval_duration"], 2_000_000_000u64);
    assert!(done["total_duration"].as_u64().unwrap() > 0);
    assert!(done["load_duration"].is_u64());

    let (status, whole) = post_json(&runner.ollama_url("/api/chat"), json!({"model": id, "messages": messages, "stream": false})).await;
    assert_eq!(status, 200);
    assert_eq!(whole["message"], json!({"role": "assistant", "content": "tok0 tok1 tok2 "}));
    assert_eq!(whole["done"], true);
    assert_eq!(whole["eval_count"], 200);

    let (status, _, text) = post(&runner.ollama_url("/api/generate"), json!({"model": id, "prompt": "Once"})).await;
    assert_eq!(status, 200);
    let lines = ndjson_lines(&text);
    assert_eq!(lines[0]["response"], "tok0 ");
    assert!(lines[0].get("message").is_none());
    assert_eq!(lines.last().unwrap()["done"], true);

    let (status, headers, text) = post(&runner.ollama_url("/v1/chat/completions"), json!({"model": id, "messages": messages, "stream": true})).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    assert!(text.trim_end().ends_with("data: [DONE]"), "{text}");
}

#[tokio::test]
async fn tool_calls_reach_ollama_clients_whole_with_object_arguments() {
    for count in [1, 2] {
        let dir = TempDir::new("ollama-tools");
        let id = unique_id("tools");
        let runner = fake_runner(&[&id], &dir, &[("FAKE_TOOL_CALLS", count.to_string())]);
        let request = json!({
            "model": id,
            "messages": [{"role": "user", "content": "Weather?"}],
            "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
        });
        let expected: Vec<Value> = ["Paris", "Tokyo"][..count]
            .iter()
            .map(|city| json!({"function": {"name": "get_weather", "arguments": {"city": city}}}))
            .collect();

        let mut whole = request.clone();
        whole["stream"] = json!(false);
        let (status, reply) = post_json(&runner.ollama_url("/api/chat"), whole).await;
        assert_eq!(status, 200, "{reply}");
        assert_eq!(reply["message"]["tool_calls"], json!(expected), "{count} calls, not streamed");
        assert_eq!(reply["done_reason"], "stop");

        let (status, _, text) = post(&runner.ollama_url("/api/chat"), request).await;
        assert_eq!(status, 200);
        let lines = ndjson_lines(&text);
        let with_calls: Vec<&Value> = lines.iter().filter(|line| line["message"].get("tool_calls").is_some()).collect();
        assert_eq!(with_calls.len(), 1, "all calls in one object: {text}");
        assert_eq!(with_calls[0]["message"]["tool_calls"], json!(expected), "{count} calls, streamed");
        assert_eq!(lines.last().unwrap()["done"], true);
    }
}

#[tokio::test]
async fn tool_history_reaches_llama_server_in_openai_form() {
    let dir = TempDir::new("ollama-tool-history");
    let id = unique_id("history");
    let runner = fake_runner(&[&id], &dir, &[("FAKE_TOOL_CALLS", "1".into())]);

    for arguments in [json!({"city": "Paris"}), json!("{\"city\": \"Paris\"}")] {
        let history = json!([
            {"role": "user", "content": "Weather in Paris and Tokyo?"},
            {"role": "assistant", "content": "", "tool_calls": [
                {"function": {"name": "get_weather", "arguments": arguments}},
                {"function": {"name": "get_time", "arguments": {"tz": "JST"}}}
            ]},
            {"role": "tool", "content": "sunny", "tool_name": "get_weather"},
            {"role": "tool", "content": "09:00", "tool_name": "get_time"}
        ]);

        let (status, reply) = post_json(&runner.ollama_url("/api/chat"), json!({"model": id, "stream": false, "messages": history})).await;
        assert_eq!(status, 200, "{reply}");
        let echo: Value = serde_json::from_str(reply["message"]["content"].as_str().unwrap()).unwrap();
        let calls = &echo["messages"][1]["tool_calls"];
        assert_eq!(calls[0]["type"], "function");
        assert_eq!(calls[0]["function"]["arguments"], "{\"city\":\"Paris\"}", "{arguments}");
        let first_id = calls[0]["id"].as_str().unwrap();
        let second_id = calls[1]["id"].as_str().unwrap();
        assert_ne!(first_id, second_id);
        assert_eq!(echo["messages"][2]["tool_call_id"], first_id);
        assert_eq!(echo["messages"][3]["tool_call_id"], second_id);
    }

    let invalid = json!([
        {"role": "assistant", "tool_calls": [{"function": {"name": "get_weather", "arguments": "{city: Paris"}}]},
        {"role": "tool", "content": "sunny"}
    ]);
    let (status, error) = post_json(&runner.ollama_url("/api/chat"), json!({"model": id, "stream": false, "messages": invalid})).await;
    assert_eq!(status, 400);
    assert!(error["error"].as_str().unwrap().contains("get_weather"), "{error}");
}

#[tokio::test]
async fn tools_are_removed_for_a_runtime_without_tool_support() {
    let dir = TempDir::new("no-tools");
    let id = unique_id("notools");
    let model_file = dir.path().join("model.gguf");
    std::fs::write(&model_file, b"GGUF").unwrap();
    let (name, mut entry) = model_entry(&id, &fake_llama_server(), &model_file, json!({}));
    entry["llama_cpp_runtime"] = json!("plain");
    let config = json!({
        "llama-runtimes": {"plain": {"runtime": fake_llama_server(), "supports_tools": false}},
        "models": {name: entry},
    });
    let runner = Runner::start_with_env(config, &[("FAKE_TOOL_CALLS", "1".into())]);
    let request = |stream_field: Value| {
        json!({
            "model": id,
            "stream": stream_field,
            "messages": [{"role": "user", "content": "x"}, {"role": "tool", "content": "y"}],
            "tools": [{"type": "function", "function": {"name": "f"}}],
            "tool_choice": "auto",
        })
    };

    let (status, reply) = post_json(&runner.ollama_url("/api/chat"), request(json!(false))).await;
    assert_eq!(status, 200, "{reply}");
    let echo: Value = serde_json::from_str(reply["message"]["content"].as_str().unwrap()).unwrap();
    assert_eq!(echo["tools"], Value::Null);

    let (status, reply) = post_json(&runner.openai_url("/v1/chat/completions"), request(json!(false))).await;
    assert_eq!(status, 200, "{reply}");
    let echo: Value = serde_json::from_str(reply["choices"][0]["message"]["content"].as_str().unwrap()).unwrap();
    assert_eq!(echo["tools"], Value::Null);
}

#[tokio::test]
async fn keep_alive_loads_unloads_and_rejects_invalid_values() {
    let dir = TempDir::new("keep-alive");
    let id = unique_id("keepalive");
    let runner = fake_runner(&[&id], &dir, &[]);
    let generate = runner.ollama_url("/api/generate");
    let running = || !pids_with_argument(&id).is_empty();

    let (status, error) = post_json(&generate, json!({"model": id, "prompt": "hi", "keep_alive": "abc"})).await;
    assert_eq!(status, 400);
    assert!(error["error"].as_str().unwrap().contains("keep_alive"), "{error}");
    assert!(!running(), "an invalid request loads nothing");

    let (status, loaded) = post_json(&generate, json!({"model": id})).await;
    assert_eq!(status, 200);
    assert_eq!(loaded["done"], true);
    assert_eq!(loaded["done_reason"], "load");
    assert!(running());

    let (status, unloaded) = post_json(&generate, json!({"model": id, "keep_alive": 0})).await;
    assert_eq!(status, 200);
    assert_eq!(unloaded["done_reason"], "unload");
    assert!(wait_until(Duration::from_secs(5), || !running()), "unloaded model process is gone");

    let (status, _) = post_json(&generate, json!({"model": id, "prompt": "hi", "stream": false, "keep_alive": "5m"})).await;
    assert_eq!(status, 200);
    let (_, ps) = get_json(&runner.ollama_url("/api/ps")).await;
    assert_eq!(ps["models"][0]["name"], id.as_str());
    let expires = ps["models"][0]["expires_at"].as_str().unwrap().to_owned();
    let (_, far) = post_json(&generate, json!({"model": id, "prompt": "hi", "stream": false, "keep_alive": -1})).await;
    assert_eq!(far["done"], true);
    let (_, ps) = get_json(&runner.ollama_url("/api/ps")).await;
    let never = ps["models"][0]["expires_at"].as_str().unwrap();
    assert!(never > expires.as_str(), "-1 expires after 5m: {never} vs {expires}");

    let (status, _) = post_json(&generate, json!({"model": id, "prompt": "hi", "stream": false, "keep_alive": "-1m"})).await;
    assert_eq!(status, 200);
    std::thread::sleep(Duration::from_millis(500));
    assert!(running(), "a negative keep_alive keeps the model loaded");

    let (status, _) = post_json(&generate, json!({"model": id, "prompt": "hi", "stream": false, "keep_alive": 0})).await;
    assert_eq!(status, 200);
    assert!(wait_until(Duration::from_secs(5), || !running()), "keep_alive 0 unloads right after the reply");
}

#[tokio::test]
async fn unknown_models_get_each_dialects_error() {
    let dir = TempDir::new("unknown-model");
    let runner = fake_runner(&[&unique_id("known")], &dir, &[]);

    for path in ["/api/chat", "/api/generate", "/api/show", "/api/embed"] {
        let body = json!({"model": "x", "messages": [{"role": "user", "content": "hi"}], "prompt": "hi", "input": "hi"});
        let (status, error) = post_json(&runner.ollama_url(path), body).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(error, json!({"error": "model 'x' not found"}), "{path}");
    }

    let (status, error) = post_json(&runner.ollama_url("/api/show"), json!({"name": "x"})).await;
    assert_eq!(status, 404);
    assert_eq!(error, json!({"error": "model 'x' not found"}));

    let (status, error) = post_json(&runner.ollama_url("/v1/chat/completions"), json!({"model": "x", "messages": []})).await;
    assert_eq!(status, 404);
    assert_eq!(error["error"]["code"], "model_not_found");

    let (status, error) = get_json(&runner.openai_url("/api/v0/models/x")).await;
    assert_eq!(status, 404);
    assert_eq!(error["error"]["code"], "model_not_found");
}

#[tokio::test]
async fn ids_with_colons_and_slashes_route_exactly() {
    let dir = TempDir::new("names");
    let suffix = unique_id("n");
    let colon = format!("qwen3-{suffix}:8b");
    let slash = format!("org-{suffix}/Model-7B");
    let plain = format!("m1-{suffix}");
    let runner = fake_runner(&[&colon, &slash, &plain], &dir, &[("FAKE_CHUNKS", "1".into())]);

    for (name, id) in [(colon.clone(), &colon), (slash.clone(), &slash), (plain.clone(), &plain), (format!("{plain}:latest"), &plain)] {
        let body = json!({"model": name, "stream": false, "messages": [{"role": "user", "content": "hi"}]});
        let (status, reply) = post_json(&runner.ollama_url("/api/chat"), body).await;
        assert_eq!(status, 200, "{name}: {reply}");
        assert_eq!(reply["model"], name.as_str());
        assert_eq!(pids_with_argument(id).len(), 1, "{name} runs {id}");
    }

    let encoded = slash.replace('/', "%2F");
    for path in [format!("/api/v0/models/{encoded}"), format!("/api/v0/models/{slash}")] {
        let (status, model) = get_json(&runner.openai_url(&path)).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(model["id"], slash.as_str());
    }
}

#[tokio::test]
async fn model_lists_describe_every_model_without_loading_any() {
    let dir = TempDir::new("lists");
    let loaded = unique_id("loaded");
    let idle = unique_id("idle");
    let runner = fake_runner(&[&loaded, &idle], &dir, &[]);

    let (_, tags) = get_json(&runner.ollama_url("/api/tags")).await;
    let (_, models) = get_json(&runner.openai_url("/api/v0/models")).await;
    assert!(pids_with_argument(&loaded).is_empty(), "listing loads nothing");
    assert!(pids_with_argument(&idle).is_empty(), "listing loads nothing");
    assert!(!tags.to_string().contains("null"), "{tags}");
    let names: Vec<&str> = tags["models"].as_array().unwrap().iter().map(|model| model["name"].as_str().unwrap()).collect();
    assert!(names.contains(&loaded.as_str()), "{tags}");
    assert!(names.contains(&idle.as_str()), "{tags}");
    for model in tags["models"].as_array().unwrap() {
        assert_eq!(model["model"], model["name"]);
        assert!(model["modified_at"].as_str().unwrap().contains('T'));
        assert!(model["size"].is_u64());
        let digest = model["digest"].as_str().unwrap();
        assert!(digest.len() == 64 && digest.chars().all(|c| c.is_ascii_hexdigit()), "{digest}");
        let details = &model["details"];
        assert_eq!(details["format"], "gguf");
        for field in ["parent_model", "family", "parameter_size", "quantization_level"] {
            assert!(details[field].is_string(), "{field}: {details}");
        }
        assert!(details["families"].is_array());
    }
    assert_eq!(models["data"].as_array().unwrap().len(), 2);

    let (status, _) = post_json(&runner.ollama_url("/api/generate"), json!({"model": loaded})).await;
    assert_eq!(status, 200);

    let (_, ps) = get_json(&runner.ollama_url("/api/ps")).await;
    let running: Vec<&str> = ps["models"].as_array().unwrap().iter().map(|model| model["name"].as_str().unwrap()).collect();
    assert_eq!(running, [loaded.as_str()]);
    let entry = &ps["models"][0];
    assert_eq!(entry["size_vram"], 0);
    assert!(entry["expires_at"].as_str().unwrap().contains('T'));
    assert!(entry["details"]["families"].is_array());

    let (_, models) = get_json(&runner.openai_url("/api/v0/models")).await;
    for model in models["data"].as_array().unwrap() {
        assert_eq!(model["object"], "model");
        assert_eq!(model["type"], "llm");
        assert_eq!(model["publisher"], "local");
        assert_eq!(model["compatibility_type"], "gguf");
        assert!(model["max_context_length"].is_u64());
        let is_loaded = model["id"] == loaded.as_str();
        assert_eq!(model["state"], if is_loaded { "loaded" } else { "not-loaded" });
        assert_eq!(model.get("loaded_context_length").is_some(), is_loaded, "{model}");
    }
    assert!(pids_with_argument(&idle).is_empty());
}

#[tokio::test]
async fn upstream_errors_keep_their_status_in_each_dialect() {
    let dir = TempDir::new("upstream-400");
    let id = unique_id("e400");
    let runner = fake_runner(&[&id], &dir, &[("FAKE_MODE", "answer_400".into())]);
    let messages = json!([{"role": "user", "content": "long"}]);

    for stream in [true, false] {
        let (status, error) = post_json(&runner.ollama_url("/api/chat"), json!({"model": id, "stream": stream, "messages": messages})).await;
        assert_eq!(status, 400, "stream {stream}");
        assert!(error["error"].as_str().unwrap().contains("exceeds the available context size"), "{error}");
    }
    let (status, error) = post_json(&runner.openai_url("/api/v0/chat/completions"), json!({"model": id, "messages": messages})).await;
    assert_eq!(status, 400);
    assert!(error["error"]["message"].is_string(), "{error}");
}

#[tokio::test]
async fn broken_stream_ends_with_an_error_line_not_done() {
    let dir = TempDir::new("mid-stream");
    let id = unique_id("drop");
    let runner = fake_runner(&[&id], &dir, &[("FAKE_MODE", "exit_mid_stream".into()), ("FAKE_CHUNKS_BEFORE_EXIT", "2".into())]);

    let (status, _, text) = post(&runner.ollama_url("/api/chat"), json!({"model": id, "messages": [{"role": "user", "content": "hi"}]})).await;

    assert_eq!(status, 200);
    let lines = ndjson_lines(&text);
    assert_eq!(lines[0]["message"]["content"], "tok0 ");
    assert!(lines.last().unwrap()["error"].is_string(), "{text}");
    assert!(lines.iter().all(|line| line["done"] != true), "{text}");
}

#[tokio::test]
async fn lmstudio_replies_carry_stats_model_info_and_runtime() {
    let dir = TempDir::new("lmstudio-stats");
    let id = unique_id("stats");
    let runner = fake_runner(&[&id], &dir, &[("FAKE_CHUNKS", "2".into())]);
    let messages = json!([{"role": "user", "content": "hi"}]);

    let (status, reply) = post_json(&runner.openai_url("/api/v0/chat/completions"), json!({"model": id, "messages": messages})).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["choices"][0]["message"]["content"], "tok0 tok1 ");
    assert_eq!(reply["stats"]["tokens_per_second"], 100.0);
    assert_eq!(reply["stats"]["time_to_first_token"], 0.1);
    assert_eq!(reply["stats"]["generation_time"], 2.0);
    assert_eq!(reply["stats"]["stop_reason"], "eosFound");
    assert_eq!(reply["model_info"]["format"], "gguf");
    assert_eq!(reply["runtime"]["supported_formats"], json!(["gguf"]));

    let (status, reply) = post_json(&runner.openai_url("/api/v0/completions"), json!({"model": id, "prompt": "hi"})).await;
    assert_eq!(status, 200);
    assert_eq!(reply["choices"][0]["text"], "tok0 tok1 ");
    assert!(reply["stats"].is_object());

    let (status, headers, text) = post(&runner.openai_url("/api/v0/chat/completions"), json!({"model": id, "messages": messages, "stream": true})).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let events: Vec<&str> = text.split("\n\n").filter(|event| !event.is_empty()).collect();
    assert_eq!(*events.last().unwrap(), "data: [DONE]");
    let last: Value = serde_json::from_str(events[events.len() - 2].strip_prefix("data: ").unwrap()).unwrap();
    assert_eq!(last["stats"]["stop_reason"], "eosFound");
    let first: Value = serde_json::from_str(events[0].strip_prefix("data: ").unwrap()).unwrap();
    assert!(first.get("stats").is_none());

    let (status, reply) = post_json(&runner.openai_url("/api/v0/embeddings"), json!({"model": id, "input": ["a", "b"]})).await;
    assert_eq!(status, 200);
    assert_eq!(reply["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn embed_endpoints_return_vectors() {
    let dir = TempDir::new("embed");
    let id = unique_id("embed");
    let runner = fake_runner(&[&id], &dir, &[]);

    let (status, reply) = post_json(&runner.ollama_url("/api/embed"), json!({"model": id, "input": ["a", "b"]})).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["model"], id.as_str());
    assert_eq!(reply["embeddings"], json!([[0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4]]));
    assert_eq!(reply["prompt_eval_count"], 2);
    assert!(reply["total_duration"].is_u64());
    assert!(reply["load_duration"].is_u64());

    let (status, reply) = post_json(&runner.ollama_url("/api/embeddings"), json!({"model": id, "prompt": "a"})).await;
    assert_eq!(status, 200);
    assert_eq!(reply, json!({"embedding": [0.1, 0.2, 0.3, 0.4]}));
}

#[tokio::test]
async fn num_ctx_restarts_the_model_with_that_context() {
    let dir = TempDir::new("num-ctx");
    let id = unique_id("numctx");
    let runner = fake_runner(&[&id], &dir, &[]);
    let generate = |options: Value| json!({"model": id, "prompt": "hi", "stream": false, "options": options});

    let (status, _) = post_json(&runner.ollama_url("/api/generate"), generate(json!({}))).await;
    assert_eq!(status, 200);
    assert!(context_flag_of(&id).is_none());

    let (status, _) = post_json(&runner.ollama_url("/api/generate"), generate(json!({"num_ctx": 2048, "num_gpu": 1}))).await;
    assert_eq!(status, 200);
    assert_eq!(context_flag_of(&id).as_deref(), Some("2048"));

    let (_, ps) = get_json(&runner.ollama_url("/api/ps")).await;
    assert_eq!(ps["models"][0]["context_length"], 2048);
}

/// Reads the `--ctx-size` value of the process serving `alias`.
fn context_flag_of(alias: &str) -> Option<String> {
    let pids = pids_with_argument(alias);
    assert_eq!(pids.len(), 1, "one process serves {alias}");
    let command_line = std::fs::read(format!("/proc/{}/cmdline", pids[0])).unwrap();
    let arguments: Vec<String> = command_line.split(|byte| *byte == 0).map(|argument| String::from_utf8_lossy(argument).into_owned()).collect();
    let position = arguments.iter().position(|argument| argument == "--ctx-size")?;
    arguments.get(position + 1).cloned()
}

#[tokio::test]
async fn ollama_stream_lines_arrive_as_the_upstream_sends_them() {
    use futures_util::StreamExt;

    let dir = TempDir::new("ollama-unbuffered");
    let id = unique_id("unbuffered");
    let runner = fake_runner(&[&id], &dir, &[("FAKE_CHUNKS", "6".into()), ("FAKE_CHUNK_DELAY_MS", "200".into())]);

    let response = reqwest::Client::new()
        .post(runner.ollama_url("/api/chat"))
        .json(&json!({"model": id, "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap();
    let mut arrivals = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        chunk.unwrap();
        arrivals.push(std::time::Instant::now());
    }

    // Six chunks 200 ms apart span about a second; a buffering proxy delivers them in one burst.
    let spread = *arrivals.last().unwrap() - arrivals[0];
    assert!(arrivals.len() >= 5, "only {} reads", arrivals.len());
    assert!(spread >= Duration::from_millis(800), "lines arrived within {spread:?}");
}
