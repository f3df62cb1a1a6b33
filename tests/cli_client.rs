//! The client commands (`ps`, `models`, `load`, `unload`, `logs`, `status`) against a running
//! llama-runner with the fake llama-server, and against a port where nothing listens.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};
use support::processes::{pids_with_argument, wait_until};
use support::runner::{Runner, config_with, free_port, model_entry};
use support::{TempDir, fake_llama_server, unique_id};

/// A home folder without a config file, so that no developer's own config is read.
const EMPTY_HOME: &str = "/nonexistent/llama-runner-cli-client-home";

fn llama_runner() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_llama-runner"));
    command.env("HOME", EMPTY_HOME).env_remove("LLAMA_RUNNER_API_KEY");
    command
}

/// Runs a client command with `--url` pointing at `url`.
fn run_against(url: &str, arguments: &[&str]) -> Output {
    llama_runner().args(arguments).args(["--url", url]).output().expect("llama-runner runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {}", stdout(output)))
}

fn model_file(dir: &TempDir) -> PathBuf {
    // `serve` requires the model file to exist and to start with the GGUF magic.
    let path = dir.path().join("model.gguf");
    std::fs::write(&path, b"GGUF").unwrap();
    path
}

/// Starts a runner with the fake llama-server under each of `ids`, all of which may run at once.
fn runner_with(dir: &TempDir, ids: &[&str], settings: Value) -> Runner {
    runner_with_env(dir, ids, settings, &[("FAKE_LOAD_MS", "300".into())])
}

fn runner_with_env(dir: &TempDir, ids: &[&str], settings: Value, environment: &[(&str, String)]) -> Runner {
    let model = model_file(dir);
    let models = ids.iter().map(|id| model_entry(id, &fake_llama_server(), &model, json!({}))).collect();
    let mut settings = settings;
    settings["concurrentRunners"] = json!(ids.len());
    Runner::start_with_env(config_with(models, settings), environment)
}

fn base_url(runner: &Runner) -> String {
    runner.management_url("")
}

fn assert_success(output: &Output, command: &str) {
    assert!(output.status.success(), "{command} failed: {}\nstdout: {}", stderr(output), stdout(output));
}

#[test]
fn load_ps_logs_unload_cycle() {
    let dir = TempDir::new("cli-cycle");
    // A `/` and a `:` in the id check that the commands percent-encode it.
    let id = format!("team/{}:q4", unique_id("cli-cycle"));
    let runner = runner_with(&dir, &[&id], json!({}));
    let url = base_url(&runner);

    let models = run_against(&url, &["models"]);
    assert_success(&models, "models");
    assert!(stdout(&models).contains(&id), "{}", stdout(&models));
    assert!(stdout(&models).contains("stopped"), "{}", stdout(&models));

    let ps = run_against(&url, &["ps"]);
    assert_success(&ps, "ps");
    assert!(stdout(&ps).contains("no model is loaded"), "{}", stdout(&ps));

    let load = run_against(&url, &["load", &id]);
    assert_success(&load, "load");
    assert!(stderr(&load).contains(&format!("loading {id}…")), "{}", stderr(&load));
    assert!(stdout(&load).contains(&format!("{id} ready in ")), "{}", stdout(&load));
    let pids = pids_with_argument(&id);
    assert_eq!(pids.len(), 1, "model processes: {pids:?}");

    let ps = run_against(&url, &["ps"]);
    assert_success(&ps, "ps");
    let table = stdout(&ps);
    let row = table.lines().find(|line| line.starts_with(&id)).unwrap_or_else(|| panic!("no row for {id}: {table}"));
    assert!(row.contains("ready"), "{row}");
    assert!(row.contains(&pids[0].to_string()), "{row}");

    let logs = run_against(&url, &["logs", &id]);
    assert_success(&logs, "logs");
    assert!(stdout(&logs).contains("main: model loaded"), "{}", stdout(&logs));

    let unload = run_against(&url, &["unload", &id]);
    assert_success(&unload, "unload");
    assert!(stdout(&unload).contains(&format!("{id} unloaded in ")), "{}", stdout(&unload));
    assert!(pids_with_argument(&id).is_empty(), "the model process is still running");

    let again = run_against(&url, &["unload", &id]);
    assert_success(&again, "second unload");
    assert!(stdout(&again).contains("is not loaded"), "{}", stdout(&again));
}

#[test]
fn unload_all_stops_every_model() {
    let dir = TempDir::new("cli-unload-all");
    let first = unique_id("cli-all-a");
    let second = unique_id("cli-all-b");
    let runner = runner_with(&dir, &[&first, &second], json!({}));
    let url = base_url(&runner);

    for id in [&first, &second] {
        assert_success(&run_against(&url, &["load", id]), "load");
        assert_eq!(pids_with_argument(id).len(), 1, "{id} has no process");
    }

    let unload = run_against(&url, &["unload", "--all"]);
    assert_success(&unload, "unload --all");
    assert!(stdout(&unload).contains("unloaded 2 model(s)"), "{}", stdout(&unload));
    assert!(pids_with_argument(&first).is_empty(), "{first} still runs");
    assert!(pids_with_argument(&second).is_empty(), "{second} still runs");

    let nothing = run_against(&url, &["unload", "--all"]);
    assert_success(&nothing, "second unload --all");
    assert!(stdout(&nothing).contains("no model was loaded"), "{}", stdout(&nothing));
}

#[test]
fn status_shows_health_and_counts() {
    let dir = TempDir::new("cli-status");
    let id = unique_id("cli-status");
    let runner = runner_with(&dir, &[&id, &unique_id("cli-status-idle")], json!({}));
    let url = base_url(&runner);
    assert_success(&run_against(&url, &["load", &id]), "load");

    let status = run_against(&url, &["status"]);
    assert_success(&status, "status");
    let text = stdout(&status);
    assert!(text.starts_with(&format!("llama-runner at {url}: ok")), "{text}");
    assert!(text.contains("openai_port"), "{text}");
    assert!(text.contains("models: 2 configured, 1 ready, 1 stopped"), "{text}");
}

#[test]
fn json_output_parses() {
    let dir = TempDir::new("cli-json");
    let id = unique_id("cli-json");
    let runner = runner_with(&dir, &[&id], json!({}));
    let url = base_url(&runner);

    let models = json_of(&run_against(&url, &["models", "--json"]));
    assert_eq!(models["models"][0]["id"], id.as_str());
    assert_eq!(models["models"][0]["state"], "stopped");

    let load = json_of(&run_against(&url, &["load", &id, "--json"]));
    assert_eq!(load["state"], "ready");

    let ps = json_of(&run_against(&url, &["ps", "--json"]));
    assert_eq!(ps["models"].as_array().unwrap().len(), 1);
    assert_eq!(ps["models"][0]["pid"], json!(pids_with_argument(&id)[0]));

    let logs = json_of(&run_against(&url, &["logs", &id, "--json", "--tail", "2"]));
    assert_eq!(logs["model"], id.as_str());
    assert_eq!(logs["lines"].as_array().unwrap().len(), 2);

    let status = json_of(&run_against(&url, &["status", "--json"]));
    assert_eq!(status["health"]["status"], "ok");
    assert_eq!(status["models"]["configured"], 1);
    assert_eq!(status["models"]["by_state"]["ready"], 1);

    let unload = json_of(&run_against(&url, &["unload", "--all", "--json"]));
    assert_eq!(unload["unloaded"], json!([id]));
}

#[test]
fn logs_follow_streams_until_interrupt() {
    let dir = TempDir::new("cli-follow");
    let id = unique_id("cli-follow");
    let runner = runner_with(&dir, &[&id], json!({}));
    let url = base_url(&runner);
    assert_success(&run_against(&url, &["load", &id]), "load");

    let mut follower = llama_runner()
        .args(["logs", &id, "-f", "--url", &url])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (sender, lines) = mpsc::channel();
    let reader = BufReader::new(follower.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let wait_for = |needle: &str| {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while let Ok(line) = lines.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())) {
            if line.contains(needle) {
                return true;
            }
        }
        false
    };

    // Earlier lines come first. The fake writes its SIGTERM message after the stream opened.
    assert!(wait_for("main: model loaded"), "the earlier lines were not printed");
    assert_success(&run_against(&url, &["unload", &id]), "unload");
    assert!(wait_for("received SIGTERM"), "a line written while following was not printed");

    let _ = Command::new("kill").args(["-INT", &follower.id().to_string()]).status();
    let exited = wait_until(Duration::from_secs(5), || matches!(follower.try_wait(), Ok(Some(_))));
    assert!(exited, "logs -f did not stop on SIGINT");
    let status = follower.wait().unwrap();
    assert!(status.success(), "logs -f exited with {status} on SIGINT");
}

#[test]
fn unknown_model_exits_with_server_message() {
    let dir = TempDir::new("cli-unknown");
    let runner = runner_with(&dir, &[&unique_id("cli-unknown")], json!({}));
    let url = base_url(&runner);

    for arguments in [&["load", "no-such-model"][..], &["unload", "no-such-model"], &["logs", "no-such-model"], &["logs", "no-such-model", "-f"]] {
        let output = run_against(&url, arguments);
        assert!(!output.status.success(), "{arguments:?} succeeded");
        let message = stderr(&output);
        assert!(message.contains("model 'no-such-model' not found"), "{arguments:?}: {message}");
        assert!(message.contains("llama-runner models"), "{arguments:?}: {message}");
    }
}

#[test]
fn failed_load_exits_with_reason() {
    let dir = TempDir::new("cli-failed-load");
    let id = unique_id("cli-failed-load");
    let environment = [("FAKE_MODE", "exit_during_load".to_owned()), ("FAKE_LOAD_MS", "200".to_owned())];
    let runner = runner_with_env(&dir, &[&id], json!({}), &environment);
    let url = base_url(&runner);

    let load = run_against(&url, &["load", &id]);
    assert!(!load.status.success(), "load of a failing model succeeded");
    assert!(stderr(&load).contains(&format!("{id} failed to load after ")), "{}", stderr(&load));
    assert!(stderr(&load).contains("exit code 3"), "{}", stderr(&load));

    let models = run_against(&url, &["models"]);
    assert_success(&models, "models");
    assert!(stdout(&models).contains(&format!("{id} failed: ")), "{}", stdout(&models));

    let status = run_against(&url, &["status"]);
    assert_success(&status, "status of a degraded instance");
    assert!(stdout(&status).contains(": degraded"), "{}", stdout(&status));
}

#[test]
fn config_gives_address_and_key() {
    let dir = TempDir::new("cli-key");
    let id = unique_id("cli-key");
    let runner = runner_with(&dir, &[&id], json!({"dashboard": {"api_key": "management-secret"}}));
    let config = runner.config_path.to_str().unwrap();

    let models = llama_runner().args(["models", "--config", config]).output().unwrap();
    assert_success(&models, "models --config");
    assert!(stdout(&models).contains(&id), "{}", stdout(&models));

    let without_key = run_against(&base_url(&runner), &["models"]);
    assert!(!without_key.status.success(), "models without a key succeeded");
    assert!(stderr(&without_key).contains("missing API key"), "{}", stderr(&without_key));
    assert!(stderr(&without_key).contains("--api-key"), "{}", stderr(&without_key));

    let from_flag = llama_runner()
        .args(["models", "--url", &base_url(&runner), "--api-key", "management-secret"])
        .output()
        .unwrap();
    assert_success(&from_flag, "models --api-key");
}

/// Every client command, as arguments after the program name.
const COMMANDS: [&[&str]; 8] = [
    &["ps"],
    &["models"],
    &["load", "some/model"],
    &["unload", "some/model"],
    &["unload", "--all"],
    &["logs", "some/model"],
    &["logs", "some/model", "-f"],
    &["status"],
];

fn assert_not_running(output: &Output, url: &str, arguments: &[&str]) {
    assert!(!output.status.success(), "{arguments:?} succeeded");
    let expected = format!("llama-runner is not running at {url} (connection refused); start it with `llama-runner serve`");
    assert!(stderr(output).contains(&expected), "{arguments:?}: {}", stderr(output));
}

#[test]
fn every_command_reports_not_running() {
    let url = format!("http://127.0.0.1:{}", free_port());
    for arguments in COMMANDS {
        let output = run_against(&url, arguments);
        assert_not_running(&output, &url, arguments);
    }
}

fn write_config(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("config.json");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn config_with_model_problems_still_names_address() {
    let dir = TempDir::new("cli-broken-models");
    let port = free_port();
    let config = write_config(
        dir.path(),
        &format!(r#"{{"dashboard": {{"port": {port}}}, "concurrentRunners": "two", "models": {{"m": {{}}}}}}"#),
    );

    let output = llama_runner().args(["status", "--config"]).arg(&config).output().unwrap();
    assert_not_running(&output, &format!("http://127.0.0.1:{port}"), &["status"]);
}

#[test]
fn disabled_dashboard_is_reported() {
    let dir = TempDir::new("cli-disabled");
    let config = write_config(dir.path(), r#"{"dashboard": {"enabled": false}}"#);

    let output = llama_runner().args(["ps", "--config"]).arg(&config).output().unwrap();
    assert!(!output.status.success());
    assert!(stderr(&output).contains("dashboard.enabled is false"), "{}", stderr(&output));
}

#[test]
fn missing_config_file_is_reported() {
    let output = llama_runner().args(["models", "--config", "/nonexistent/config.json"]).output().unwrap();
    assert!(!output.status.success());
    assert!(stderr(&output).contains("cannot read config file /nonexistent/config.json"), "{}", stderr(&output));
}
