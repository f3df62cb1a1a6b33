//! The command line: version, help, the starter config and start-up refusal of invalid configs.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use support::TempDir;
use support::processes::wait_until;

fn llama_runner() -> Command {
    Command::new(env!("CARGO_BIN_EXE_llama-runner"))
}

#[test]
fn version_and_help_print_and_exit_zero() {
    let version = llama_runner().arg("--version").output().unwrap();
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).contains(env!("CARGO_PKG_VERSION")));

    let help = llama_runner().arg("--help").output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("serve"), "{text}");
    assert!(text.contains("--log-level"), "{text}");
}

#[test]
fn missing_default_config_gets_a_starter_file() {
    let home = TempDir::new("home");
    let mut child = llama_runner()
        .arg("serve")
        .env("HOME", home.path())
        .env_remove("RUST_LOG")
        // The starter config binds the default ports, which another program may hold here;
        // the file is written before binding, so either outcome shows the behaviour.
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let config = home.path().join(".llama-runner/config.json");
    assert!(wait_until(Duration::from_secs(10), || config.is_file()), "no starter config written");
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("starter config"), "{stderr}");

    let starter: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
    assert_eq!(starter["models"], serde_json::json!({}));
    assert_eq!(starter["concurrentRunners"], 1);
    assert_eq!(starter["proxies"]["lmstudio"]["port"], 1234);
    assert_eq!(starter["proxies"]["ollama"]["port"], 11434);
    assert_eq!(starter["healthCheckTimeout"], 300);
}

#[test]
fn model_without_model_path_is_rejected_at_start() {
    let dir = TempDir::new("no-path");
    let config = dir.path().join("config.json");
    std::fs::write(&config, r#"{"models": {"Broken Model": {"model_id": "broken"}}}"#).unwrap();

    let output = llama_runner().args(["serve", "--config"]).arg(&config).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Broken Model"), "{stderr}");
    assert!(stderr.contains("model_path"), "{stderr}");
}

#[test]
fn syntax_error_names_line_and_column() {
    let dir = TempDir::new("syntax");
    let config = dir.path().join("config.json");
    std::fs::write(&config, "{\n  \"models\": {,}\n}\n").unwrap();

    let output = llama_runner().args(["serve", "--config"]).arg(&config).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 2"), "{stderr}");
}

#[test]
fn unknown_keys_are_warnings_naming_the_path() {
    let dir = TempDir::new("unknown-key");
    let config = dir.path().join("config.json");
    // Start-up requires the model file to exist and to start with the GGUF magic.
    let model = dir.path().join("x.gguf");
    std::fs::write(&model, b"GGUF").unwrap();
    let openai_port = support::runner::free_port();
    let ollama_port = support::runner::free_port();
    std::fs::write(
        &config,
        format!(
            r#"{{"colour": "blue", "proxies": {{"lmstudio": {{"port": {openai_port}}}, "ollama": {{"port": {ollama_port}}}}},
               "dashboard": {{"enabled": false}},
               "models": {{"m": {{"model_path": "{}", "paramters": {{}}}}}}}}"#,
            model.display()
        ),
    )
    .unwrap();

    let mut child = llama_runner()
        .args(["serve", "--config"])
        .arg(&config)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(wait_until(Duration::from_secs(10), || std::net::TcpStream::connect(("127.0.0.1", openai_port)).is_ok()));
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("colour"), "{stderr}");
    assert!(stderr.contains("models.m.paramters"), "{stderr}");
}
