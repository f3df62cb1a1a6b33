#!/usr/bin/env bash
# Builds the release binary and packs it with config.example.json, the config's JSON Schema,
# README.md and LICENSE into dist/llama-runner-<version>-linux-x86_64.zip.
#
# Runs scripts/build-dashboard.sh first when it exists, so the binary embeds the web dashboard.
# Uses `zip` when installed, else Python's zipfile module.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

step() { echo "==> $*" >&2; }

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
if [ -z "$version" ]; then
  echo "error: cannot read the package version from Cargo.toml" >&2
  exit 1
fi
name="llama-runner-${version}-linux-x86_64"

if [ -x scripts/build-dashboard.sh ]; then
  step "building the web dashboard"
  scripts/build-dashboard.sh
fi

step "building the release binary"
cargo build --release -p llama-runner
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
binary="$target_dir/release/llama-runner"

step "staging $name"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
mkdir "$staging/$name"
cp "$binary" config.example.json README.md LICENSE "$staging/$name/"
"$binary" schema > "$staging/$name/config.schema.json"

mkdir -p dist
archive="$repo/dist/$name.zip"
rm -f "$archive"
step "writing dist/$name.zip"
if command -v zip >/dev/null 2>&1; then
  (cd "$staging" && zip -q -r "$archive" "$name")
else
  (cd "$staging" && python3 -m zipfile -c "$archive" "$name")
fi

binary_bytes="$(stat -c %s "$binary")"
echo "binary: $binary_bytes bytes ($((binary_bytes / 1024 / 1024)) MiB), stripped, LTO"
echo "archive: dist/$name.zip ($(stat -c %s "$archive") bytes)"
