//! Model process lifecycle against the fake llama-server: failed starts, timeouts, stopping
//! stubborn processes and their descendants, exclusive swaps and idle unloading.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::processes::{is_alive, listening_port_of, pids_with_argument, wait_until};
use support::runner::{Runner, config_with, model_entry};
use support::{TempDir, fake_llama_server, fake_wrapper_script, unique_id};

fn model_file(dir: &TempDir) -> std::path::PathBuf {
    let path = dir.path().join("model.gguf");
    std::fs::write(&path, b"GGUF").unwrap();
    path
}

/// Writes a runtime script that reads the fake's settings from `env_file` at every start, so a test can
/// change them between starts without restarting llama-runner.
fn configurable_runtime(dir: &TempDir, env_file: &std::path::Path) -> std::path::PathBuf {
    let script = dir.path().join("runtime.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nset -a\n. '{}'\nexec '{}' \"$@\"\n",
            env_file.display(),
            fake_llama_server().display()
        ),
    )
    .unwrap();
    make_executable(&script);
    script
}

fn make_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

async fn chat(runner: &Runner, model: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(runner.openai_url("/v1/chat/completions"))
        .json(&json!({"model": model, "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn exit_during_load_fails_fast_with_status_and_output() {
    let dir = TempDir::new("exit-load");
    let id = unique_id("exit-load");
    let models = vec![model_entry(&id, &fake_llama_server(), &model_file(&dir), json!({}))];
    let runner = Runner::start_with_env(
        config_with(models, json!({"healthCheckTimeout": 60})),
        &[("FAKE_MODE", "exit_during_load".into()), ("FAKE_LOAD_MS", "400".into())],
    );

    let started = Instant::now();
    let (status, body) = chat(&runner, &id).await;
    assert_eq!(status, 503, "{body}");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(&id), "{message}");
    assert!(message.contains("exit code 3"), "{message}");
    assert!(message.contains("failed to load model"), "no output lines in: {message}");
}

#[tokio::test]
async fn slow_load_past_health_timeout_fails_then_next_start_succeeds() {
    let dir = TempDir::new("slow-load");
    let id = unique_id("slow-load");
    let env_file = dir.path().join("fake.env");
    std::fs::write(&env_file, "FAKE_LOAD_MS=10000\n").unwrap();
    let runtime = configurable_runtime(&dir, &env_file);
    let models = vec![model_entry(&id, &runtime, &model_file(&dir), json!({}))];
    let runner = Runner::start(config_with(models, json!({"healthCheckTimeout": 2, "stopGraceSeconds": 2})));

    let started = Instant::now();
    let (status, body) = chat(&runner, &id).await;
    let elapsed = started.elapsed();
    assert_eq!(status, 503, "{body}");
    assert!(elapsed >= Duration::from_secs(2), "failed before the timeout, after {elapsed:?}");
    assert!(elapsed < Duration::from_secs(6), "took {elapsed:?}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("healthCheckTimeout"), "{message}");
    assert!(
        wait_until(Duration::from_secs(3), || pids_with_argument(&id).is_empty()),
        "the slow process was not killed"
    );

    std::fs::write(&env_file, "FAKE_LOAD_MS=500\n").unwrap();
    let (status, body) = chat(&runner, &id).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn missing_executable_fails_fast_and_runner_keeps_serving() {
    let dir = TempDir::new("missing-exe");
    let id = unique_id("missing-exe");
    let good = unique_id("good");
    let missing = dir.path().join("no such dir/llama-server");
    let file = model_file(&dir);
    let models = vec![
        model_entry(&id, &missing, &file, json!({})),
        model_entry(&good, &fake_llama_server(), &file, json!({})),
    ];
    let runner = Runner::start(config_with(models, json!({"concurrentRunners": 2})));

    let started = Instant::now();
    let (status, body) = chat(&runner, &id).await;
    assert_eq!(status, 503, "{body}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(body["error"]["message"].as_str().unwrap().contains("executable not found"), "{body}");

    let (status, body) = chat(&runner, &good).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn ignored_sigterm_is_followed_by_sigkill_after_the_grace() {
    let dir = TempDir::new("sigterm");
    let stubborn = unique_id("stubborn");
    let other = unique_id("other");
    let env_file = dir.path().join("fake.env");
    std::fs::write(&env_file, "FAKE_MODE=ignore_sigterm\n").unwrap();
    let file = model_file(&dir);
    let models = vec![
        model_entry(&stubborn, &configurable_runtime(&dir, &env_file), &file, json!({})),
        model_entry(&other, &fake_llama_server(), &file, json!({})),
    ];
    let runner = Runner::start(config_with(models, json!({"stopGraceSeconds": 1})));

    assert_eq!(chat(&runner, &stubborn).await.0, 200);
    let stubborn_pids = pids_with_argument(&stubborn);
    assert_eq!(stubborn_pids.len(), 1);

    let started = Instant::now();
    let (status, body) = chat(&runner, &other).await;
    assert_eq!(status, 200, "{body}");
    assert!(started.elapsed() >= Duration::from_millis(900), "the swap did not wait for the grace");
    assert!(started.elapsed() < Duration::from_secs(6), "took {:?}", started.elapsed());
    assert!(!is_alive(stubborn_pids[0]), "the process that ignored SIGTERM survived");
}

#[tokio::test]
async fn unload_of_a_shell_wrapper_stops_its_background_server() {
    let dir = TempDir::new("wrapper");
    let wrapped = unique_id("wrapped");
    let other = unique_id("other");
    let pid_file = dir.path().join("server.pid");
    let file = model_file(&dir);
    let models = vec![
        model_entry(&wrapped, &fake_wrapper_script(), &file, json!({})),
        model_entry(&other, &fake_llama_server(), &file, json!({})),
    ];
    let runner = Runner::start_with_env(
        config_with(models, json!({"stopGraceSeconds": 2})),
        &[
            ("FAKE_LLAMA_SERVER_BIN", fake_llama_server().to_string_lossy().into_owned()),
            ("FAKE_WRAPPED_PID_FILE", pid_file.to_string_lossy().into_owned()),
        ],
    );

    assert_eq!(chat(&runner, &wrapped).await.0, 200);
    let server_pid: u32 = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
    let port = listening_port_of(&wrapped);
    assert!(is_alive(server_pid));

    assert_eq!(chat(&runner, &other).await.0, 200);
    assert!(!is_alive(server_pid), "the wrapper's background server survived the swap");
    assert!(pids_with_argument(&wrapped).is_empty());
    assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(), "port {port} still taken");
}


#[tokio::test]
async fn fork_grandchild_is_stopped_with_the_model() {
    let dir = TempDir::new("grandchild");
    let forking = unique_id("forking");
    let other = unique_id("other");
    let pid_file = dir.path().join("grandchild.pid");
    let env_file = dir.path().join("fake.env");
    std::fs::write(
        &env_file,
        format!("FAKE_MODE=fork_grandchild\nFAKE_GRANDCHILD_PID_FILE='{}'\n", pid_file.display()),
    )
    .unwrap();
    let file = model_file(&dir);
    let models = vec![
        model_entry(&forking, &configurable_runtime(&dir, &env_file), &file, json!({})),
        model_entry(&other, &fake_llama_server(), &file, json!({})),
    ];
    let runner = Runner::start(config_with(models, json!({})));

    assert_eq!(chat(&runner, &forking).await.0, 200);
    let grandchild: u32 = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
    assert!(is_alive(grandchild));

    assert_eq!(chat(&runner, &other).await.0, 200);
    assert!(wait_until(Duration::from_secs(2), || !is_alive(grandchild)), "grandchild survived");
}

#[test]
fn killing_the_runner_with_sigkill_leaves_no_model_process() {
    let dir = TempDir::new("sigkill");
    let id = unique_id("sigkill");
    let models = vec![model_entry(&id, &fake_llama_server(), &model_file(&dir), json!({}))];
    let mut runner = Runner::start(config_with(models, json!({})));

    let status = blocking_chat(&runner, &id);
    assert_eq!(status, 200);
    let pids = pids_with_argument(&id);
    assert_eq!(pids.len(), 1);

    runner.child.kill().unwrap();
    runner.child.wait().unwrap();
    assert!(
        wait_until(Duration::from_secs(2), || pids.iter().all(|pid| !is_alive(*pid))),
        "model process outlived llama-runner's SIGKILL by 2 s"
    );
}

fn blocking_chat(runner: &Runner, model: &str) -> u16 {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async { chat(runner, model).await.0 })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_requests_never_run_two_models_at_once() {
    let dir = TempDir::new("exclusive");
    let first = unique_id("first");
    let second = unique_id("second");
    let file = model_file(&dir);
    let models = vec![
        model_entry(&first, &fake_llama_server(), &file, json!({})),
        model_entry(&second, &fake_llama_server(), &file, json!({})),
    ];
    let runner = Arc::new(Runner::start_with_env(
        config_with(models, json!({"concurrentRunners": 1})),
        &[("FAKE_LOAD_MS", "3000".into())],
    ));

    let sampling = Arc::new(AtomicBool::new(true));
    let overlap = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (sampling, overlap, first, second) = (sampling.clone(), overlap.clone(), first.clone(), second.clone());
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                if !pids_with_argument(&first).is_empty() && !pids_with_argument(&second).is_empty() {
                    overlap.store(true, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };

    let mut requests = tokio::task::JoinSet::new();
    for index in 0..20 {
        let model = if index % 2 == 0 { first.clone() } else { second.clone() };
        let runner = runner.clone();
        requests.spawn(async move {
            let (status, body) = chat(&runner, &model).await;
            (model, status, body)
        });
    }
    while let Some(result) = requests.join_next().await {
        let (model, status, body) = result.unwrap();
        assert_eq!(status, 200, "{model}: {body}");
        assert_eq!(body["model"], model.as_str());
    }

    sampling.store(false, Ordering::Relaxed);
    sampler.join().unwrap();
    assert!(!overlap.load(Ordering::Relaxed), "two model processes were alive at once");
}

#[tokio::test]
async fn idle_model_is_unloaded_after_its_ttl_but_not_while_streaming() {
    let dir = TempDir::new("ttl");
    let id = unique_id("ttl");
    let mut entry = model_entry(&id, &fake_llama_server(), &model_file(&dir), json!({}));
    entry.1["ttl"] = json!(1);
    let runner = Runner::start_with_env(
        config_with(vec![entry], json!({"ttl": 0})),
        &[("FAKE_CHUNKS", "8".into()), ("FAKE_CHUNK_DELAY_MS", "400".into())],
    );

    // A stream that lasts about 3 s, longer than the 1 s TTL.
    let response = reqwest::Client::new()
        .post(runner.openai_url("/v1/chat/completions"))
        .json(&json!({"model": id, "stream": true}))
        .send()
        .await
        .unwrap();
    let text = response.text().await.unwrap();
    assert!(text.contains("[DONE]"), "the stream was cut: {text}");
    let finished = Instant::now();
    assert_eq!(pids_with_argument(&id).len(), 1, "unloaded while serving");

    assert!(wait_until(Duration::from_secs(4), || pids_with_argument(&id).is_empty()), "not unloaded");
    let unloaded_after = finished.elapsed();
    assert!(unloaded_after >= Duration::from_millis(900), "unloaded {unloaded_after:?} after the last byte");
}
