//! `llama-runner check`, start-up validation and `llama-runner schema`, run through the binary.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};
use support::TempDir;
use support::runner::Runner;

fn llama_runner() -> Command {
    Command::new(env!("CARGO_BIN_EXE_llama-runner"))
}

/// A temporary folder with a runtime script that prints a version and a minimal GGUF file.
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    fn new() -> Self {
        let fixture = Self {
            dir: TempDir::new("check"),
        };
        fixture.script("ok.sh", "echo 'version: 1 (fake)'", true);
        // A GGUF version 3 header with no tensors and no metadata.
        let mut header = b"GGUF".to_vec();
        header.extend(3u32.to_le_bytes());
        header.extend(0u64.to_le_bytes());
        header.extend(0u64.to_le_bytes());
        fixture.file("tiny.gguf", &header);
        fixture
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        std::fs::write(self.dir.path().join(name), bytes).unwrap();
        self.path(name)
    }

    fn directory(&self, name: &str) -> String {
        std::fs::create_dir_all(self.dir.path().join(name)).unwrap();
        self.path(name)
    }

    fn script(&self, name: &str, body: &str, executable: bool) -> String {
        use std::os::unix::fs::PermissionsExt;
        let path = self.file(name, format!("#!/bin/sh\n{body}\n").as_bytes());
        let mode = if executable { 0o755 } else { 0o644 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    fn config(&self, name: &str, text: &str) -> PathBuf {
        PathBuf::from(self.file(name, text.as_bytes()))
    }

    /// Writes a valid config with model "A", with `changes` merged in at the top level.
    fn config_with(&self, name: &str, changes: Value) -> PathBuf {
        let mut config = json!({
            "default_runtime": self.path("ok.sh"),
            "models": {"A": {"model_path": self.path("tiny.gguf")}},
        });
        for (key, value) in changes.as_object().unwrap() {
            config[key] = value.clone();
        }
        self.config(name, &config.to_string())
    }
}

fn check(config: &Path, json_output: bool) -> Output {
    let mut command = llama_runner();
    command.args(["check", "--config"]).arg(config);
    if json_output {
        command.arg("--json");
    }
    command.output().unwrap()
}

/// One broken config: the exit status and each problem it must produce, as (severity, path,
/// part of the message).
struct Case {
    name: &'static str,
    config: PathBuf,
    exit_code: i32,
    expected: Vec<(&'static str, String, &'static str)>,
}

fn error(path: &str, message: &'static str) -> (&'static str, String, &'static str) {
    ("error", path.to_owned(), message)
}

fn broken_cases(fixture: &Fixture) -> Vec<Case> {
    let model = |fields: Value| json!({"models": {"A": fields}});
    let tiny = fixture.path("tiny.gguf");
    let with_runtime = |runtime: String| model(json!({"model_path": tiny, "llama_cpp_runtime": runtime}));
    let not_executable = fixture.script("plain.sh", "echo 'version: 1'", false);
    let failing = fixture.script("fails.sh", "echo 'libggml.so: cannot open shared object file' >&2; exit 3", true);
    // `exec` makes the shell become `sleep`, so killing the probe kills the sleep.
    let hanging = fixture.script("hangs.sh", "exec sleep 100", true);
    let not_gguf = fixture.file("notes.gguf", b"these are notes, not a model");
    let truncated = fixture.file("truncated.gguf", b"GGUF\x03\x00");

    vec![
        Case {
            name: "syntax error",
            config: fixture.config("syntax.json", "{\n  \"models\": {,}\n}\n"),
            exit_code: 1,
            expected: vec![error("$", "line 2 column 14")],
        },
        Case {
            name: "top level not an object",
            config: fixture.config("array.json", "[1, 2]"),
            exit_code: 1,
            expected: vec![error("$", "must be a JSON object")],
        },
        Case {
            name: "several wrong types",
            config: fixture.config_with(
                "types.json",
                json!({"ttl": "soon", "concurrentRunners": -1,
                       "models": {"A": {"model_path": tiny, "ttl": "x"}, "B": {"model_path": 7}}}),
            ),
            exit_code: 1,
            expected: vec![
                error("ttl", "invalid type: string \"soon\""),
                error("concurrentRunners", "invalid value: integer `-1`"),
                error("models.A.ttl", "invalid type: string \"x\""),
                error("models.B.model_path", "invalid type: integer `7`"),
            ],
        },
        Case {
            name: "model without model_path",
            config: fixture.config_with("no-path.json", json!({"models": {"Broken Model": {"model_id": "broken"}}})),
            exit_code: 1,
            expected: vec![error("models.Broken Model.model_path", "model 'Broken Model' has no model_path")],
        },
        Case {
            name: "missing model file",
            config: fixture.config_with("missing.json", model(json!({"model_path": fixture.path("absent.gguf")}))),
            exit_code: 1,
            expected: vec![error("models.A.model_path", "model file not found")],
        },
        Case {
            name: "model file that is a directory",
            config: fixture.config_with("dir-model.json", model(json!({"model_path": fixture.path("")}))),
            exit_code: 1,
            expected: vec![error("models.A.model_path", "is a directory, not a GGUF file")],
        },
        Case {
            name: "model file that is not GGUF",
            config: fixture.config_with("not-gguf.json", model(json!({"model_path": not_gguf}))),
            exit_code: 1,
            expected: vec![error("models.A.model_path", "does not start with \"GGUF\"")],
        },
        Case {
            name: "truncated GGUF header",
            config: fixture.config_with("truncated.json", model(json!({"model_path": truncated}))),
            exit_code: 1,
            expected: vec![error("models.A.model_path", "file truncated: version at byte 4")],
        },
        Case {
            name: "runtime not found",
            config: fixture.config_with("no-runtime.json", with_runtime(fixture.path("absent-server"))),
            exit_code: 1,
            expected: vec![error("models.A.llama_cpp_runtime", "executable not found")],
        },
        Case {
            name: "runtime not on PATH",
            config: fixture.config_with(
                "not-on-path.json",
                json!({"llama-runtimes": {"main": "llama-runner-no-such-server"},
                       "models": {"A": {"model_path": tiny, "llama_cpp_runtime": "main"}}}),
            ),
            exit_code: 1,
            expected: vec![error("llama-runtimes.main", "executable not found on PATH (used by 'A')")],
        },
        Case {
            name: "runtime not executable",
            config: fixture.config_with("not-executable.json", with_runtime(not_executable)),
            exit_code: 1,
            expected: vec![error("models.A.llama_cpp_runtime", "is not executable")],
        },
        Case {
            name: "runtime version probe fails",
            config: fixture.config_with("probe-fails.json", with_runtime(failing)),
            exit_code: 1,
            expected: vec![error("models.A.llama_cpp_runtime", "exit status: 3: libggml.so")],
        },
        Case {
            name: "runtime version probe times out",
            config: fixture.config_with("probe-hangs.json", json!({"default_runtime": hanging})),
            exit_code: 1,
            expected: vec![error("default_runtime", "did not finish within 5 s")],
        },
        Case {
            name: "id and its latest form",
            config: fixture.config_with(
                "latest.json",
                json!({"models": {"A": {"model_id": "m1", "model_path": tiny},
                                  "B": {"model_id": "m1:latest", "model_path": tiny}}}),
            ),
            exit_code: 1,
            expected: vec![error("models.B", "API id 'm1:latest' collides with 'm1' of model 'A'")],
        },
        Case {
            name: "duplicate ids",
            config: fixture.config_with(
                "duplicate.json",
                json!({"models": {"A": {"model_id": "same", "model_path": tiny},
                                  "B": {"model_id": "same", "model_path": tiny}}}),
            ),
            exit_code: 1,
            expected: vec![error("models.B", "API id 'same' is also used by model 'A'")],
        },
        Case {
            name: "pinned port on a proxy port",
            config: fixture.config_with("port.json", model(json!({"model_path": tiny, "parameters": {"port": 1234}}))),
            exit_code: 1,
            expected: vec![error(
                "models.A.parameters.port",
                "port 1234 of models.A.parameters.port is also used by proxies.lmstudio.port",
            )],
        },
        Case {
            name: "dashboard on a proxy port",
            config: fixture.config_with("dashboard.json", json!({"dashboard": {"port": 11434}})),
            exit_code: 1,
            expected: vec![error("dashboard.port", "port 11434 of dashboard.port is also used by proxies.ollama.port")],
        },
        Case {
            name: "parameters llama-runner sets itself",
            config: fixture.config_with(
                "reserved.json",
                model(json!({"model_path": tiny, "parameters": {"model": "x", "alias": "y", "host": "0.0.0.0", "port": 9100}})),
            ),
            exit_code: 1,
            expected: vec![
                error("models.A.parameters.model", "parameter 'model' is set by llama-runner itself"),
                error("models.A.parameters.alias", "parameter 'alias' is set by llama-runner itself"),
                error("models.A.parameters.host", "parameter 'host' is set by llama-runner itself"),
            ],
        },
        Case {
            name: "models_dir not found",
            config: fixture.config_with("models-dir.json", json!({"models_dir": [fixture.directory("empty"), fixture.path("absent")]})),
            exit_code: 1,
            expected: vec![error("models_dir[1]", "directory not found")],
        },
        Case {
            name: "unknown key",
            config: fixture.config_with("unknown.json", json!({"colour": "blue"})),
            exit_code: 0,
            expected: vec![("warning", "colour".to_owned(), "unknown key, ignored")],
        },
    ]
}

#[test]
fn broken_configs_report_path_and_message() {
    let fixture = Fixture::new();
    for case in broken_cases(&fixture) {
        let output = check(&case.config, true);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|error| panic!("{}: {error}: {stdout}", case.name));
        let problems = report["problems"].as_array().unwrap();

        assert_eq!(output.status.code(), Some(case.exit_code), "{}: {stdout}", case.name);
        assert_eq!(report["valid"], case.exit_code == 0, "{}: {stdout}", case.name);
        for (severity, path, message) in &case.expected {
            let found = problems.iter().any(|problem| {
                problem["severity"] == *severity
                    && problem["path"] == path.as_str()
                    && problem["message"].as_str().unwrap().contains(message)
            });
            assert!(found, "{}: no {severity} at {path} containing {message:?} in {stdout}", case.name);
        }
        let errors = problems.iter().filter(|problem| problem["severity"] == "error").count();
        let expected_errors = case.expected.iter().filter(|(severity, ..)| *severity == "error").count();
        assert_eq!(errors, expected_errors, "{}: unexpected errors in {stdout}", case.name);
    }
}

#[test]
fn valid_config_with_schema_key_exits_zero() {
    let fixture = Fixture::new();
    let config = fixture.config_with("valid.json", json!({"$schema": "./config.schema.json"}));

    let output = check(&config, true);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(report, json!({"valid": true, "problems": []}));
}

#[test]
fn human_output_has_one_line_per_problem() {
    let fixture = Fixture::new();
    let config = fixture.config_with(
        "human.json",
        json!({"colour": 1, "models": {"X": {"model_path": fixture.path("absent.gguf")}}}),
    );

    let output = check(&config, false);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(lines[0], "warning: colour: unknown key, ignored");
    assert!(lines[1].starts_with("error: models.X.model_path: model file not found: "), "{stdout}");
    assert!(lines[2].ends_with("invalid, 1 error(s), 1 warning(s)"), "{stdout}");
    assert_eq!(lines.len(), 3, "{stdout}");
}

#[test]
fn unreadable_config_exits_two() {
    let fixture = Fixture::new();
    for unreadable in [fixture.dir.path().join("absent.json"), fixture.dir.path().to_owned()] {
        let text = check(&unreadable, false);
        assert_eq!(text.status.code(), Some(2), "{}", unreadable.display());
        assert!(String::from_utf8_lossy(&text.stderr).contains("cannot read config file"));

        let json_output = check(&unreadable, true);
        let report: Value = serde_json::from_slice(&json_output.stdout).unwrap();
        assert_eq!(json_output.status.code(), Some(2));
        assert_eq!(report["valid"], false);
        assert_eq!(report["problems"][0]["path"], "$");
    }
}

#[test]
fn serve_refuses_invalid_config_with_the_check_report() {
    let fixture = Fixture::new();
    let config = fixture.config_with(
        "refused.json",
        json!({"ttl": "never", "models": {"Broken Model": {"model_id": "broken"},
                                          "Gone": {"model_path": fixture.path("absent.gguf")}}}),
    );

    let served = llama_runner().args(["serve", "--config"]).arg(&config).output().unwrap();
    let checked = check(&config, false);
    let stderr = String::from_utf8_lossy(&served.stderr);
    let report = String::from_utf8_lossy(&checked.stdout);

    assert_eq!(served.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("llama-runner did not start"), "{stderr}");
    let error_lines: Vec<&str> = report.lines().filter(|line| line.starts_with("error: ")).collect();
    assert_eq!(error_lines.len(), 3, "{report}");
    for line in error_lines {
        assert!(stderr.contains(line), "serve did not print {line:?}:\n{stderr}");
    }
}

#[test]
fn serve_refuses_unreadable_config_with_exit_two() {
    let fixture = Fixture::new();
    let served = llama_runner().args(["serve", "--config"]).arg(fixture.dir.path()).output().unwrap();
    assert_eq!(served.status.code(), Some(2));
}

#[test]
fn serve_starts_when_a_runtime_is_missing() {
    let fixture = Fixture::new();
    let config = json!({
        "models": {"A": {"model_path": fixture.path("tiny.gguf"), "llama_cpp_runtime": fixture.path("absent-server")}},
    });

    let runner = Runner::start(config);
    // The port accepts connections before the log reader has caught up with the warnings.
    let logged = support::processes::wait_until(std::time::Duration::from_secs(5), || {
        runner.output_text().contains("models.A.llama_cpp_runtime")
    });
    let output = runner.output_text();
    assert!(logged, "no warning for the missing runtime: {output}");
    assert!(output.contains("executable not found"), "{output}");
    assert!(output.contains("models.A.llama_cpp_runtime"), "{output}");
}

#[test]
fn schema_is_json_with_the_known_keys() {
    let output = llama_runner().arg("schema").output().unwrap();
    let schema: Value = serde_json::from_slice(&output.stdout).expect("schema is JSON");

    assert!(output.status.success());
    let properties = schema["properties"].as_object().unwrap();
    for key in [
        "$schema", "llama-runtimes", "default_runtime", "concurrentRunners", "proxies", "logging", "models",
        "models_dir", "default_parameters", "healthCheckTimeout", "ttl", "stopGraceSeconds", "maxBodyBytes",
        "host", "circuitBreaker", "timeouts", "dashboard",
    ] {
        assert!(properties.contains_key(key), "schema lacks {key}");
    }
    assert_eq!(schema["properties"]["healthCheckTimeout"]["default"], 300);
}
