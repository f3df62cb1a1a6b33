#!/usr/bin/env bash
# Brings up llama-runner on a fresh machine with a real model: builds the release binary,
# fetches llama-server and gemma-3-270m (cached), writes a demo config and serves it.
# Stop it with Ctrl-C.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

echo "==> building the web dashboard" >&2; scripts/build-dashboard.sh
echo "==> building llama-runner (release)" >&2
cargo build --release --bin llama-runner

echo "==> fetching llama-server and the gemma-3-270m model" >&2
eval "$(scripts/fetch-test-assets.sh)"

config_dir="${LLAMA_RUNNER_DEMO_DIR:-$HOME/.llama-runner}"
config="$config_dir/demo-config.json"
mkdir -p "$config_dir"
cat >"$config" <<JSON
{
  "llama-runtimes": {"default": {"runtime": "$LLAMA_SERVER"}},
  "default_runtime": "default",
  "concurrentRunners": 1,
  "ttl": 600,
  "proxies": {
    "ollama": {"enabled": true, "port": 11434},
    "lmstudio": {"enabled": true, "port": 1234, "api_key": null}
  },
  "models": {
    "Gemma 3 270M": {
      "model_id": "gemma-3-270m",
      "model_path": "$GGUF_MODEL",
      "llama_cpp_runtime": "default",
      "parameters": {"ctx_size": 4096, "threads": 2, "jinja": true}
    }
  }
}
JSON
echo "==> wrote $config" >&2

cat >&2 <<'TEXT'
==> starting llama-runner; in another terminal, try:

curl -s http://127.0.0.1:1234/v1/chat/completions \
  -H 'Content-Type: application/json' \
  -d '{"model": "gemma-3-270m", "messages": [{"role": "user", "content": "Write a haiku about llamas."}]}'

TEXT
exec target/release/llama-runner serve --config "$config"
