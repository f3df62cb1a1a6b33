#!/usr/bin/env bash
# Runs llama-runner's benchmark (docs/benchmarks.md): builds the release binaries, fetches the
# real llama-server and model, installs nginx when it is missing, and prints a results table.
#
# Usage: scripts/bench.sh [--json FILE] [other llama-runner-bench options]
# The figures are informational: the exit status is non-zero only when the bench itself fails.
# Installing nginx uses apt-get and so needs root on Debian or Ubuntu.
set -euo pipefail

cd "$(dirname "$0")/.."

log() { echo "bench.sh: $*" >&2; }

install_nginx() {
  if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
    return
  fi
  log "installing nginx-light with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  # NOTE: where no policy-rc.d forbids it, the package also starts the system nginx service on
  # port 80. The bench runs its own nginx on a free loopback port either way.
  if ! apt-get install -y -qq nginx-light >&2; then
    apt-get update -qq >&2
    apt-get install -y -qq nginx-light >&2
  fi
}

log "building release binaries"
cargo build --release --workspace >&2

eval "$(scripts/fetch-test-assets.sh)"
install_nginx
nginx_binary="$(command -v nginx || echo /usr/sbin/nginx)"

exec target/release/llama-runner-bench \
  --llama-runner target/release/llama-runner \
  --fake-llama-server target/release/fake-llama-server \
  --llama-server "$LLAMA_SERVER" \
  --model "$GGUF_MODEL" \
  --nginx "$nginx_binary" \
  "$@"
