#!/usr/bin/env bash
# Runs every test of llama-runner on this machine, installing what the tests need first:
# the real llama-server and model (cached under ~/.cache/llama-runner-test/), a Python
# virtual environment with the official client libraries, and the Rust workspace.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

step() { echo "==> $*" >&2; }

step "fetching the real llama-server and GGUF model"
eval "$(scripts/fetch-test-assets.sh)"
export LLAMA_SERVER GGUF_MODEL

step "preparing the Python client environment"
if ! python3 -m venv --help >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq python3-venv
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r tests/python/requirements.txt

step "building the web dashboard"; scripts/build-dashboard.sh

step "building the workspace"
cargo build --workspace --all-targets

step "installing promtool for the /metrics check"
if ! command -v promtool >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus
fi

step "running the Rust tests"
cargo test --workspace --no-fail-fast -- --test-threads=2

step "running the client compatibility tests"
LLAMA_RUNNER_BIN="$repo/target/debug/llama-runner" .venv/bin/python -m pytest -q tests/python

step "running the dashboard unit tests"
(cd dashboard && npm test)

step "running the dashboard end-to-end test in headless Chromium"
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq && apt-get install -y -qq chromium
fi
LLAMA_RUNNER_BIN="$repo/target/debug/llama-runner" node dashboard/e2e/dashboard.e2e.mjs
