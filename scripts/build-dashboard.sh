#!/usr/bin/env bash
# Builds the web dashboard (dashboard/ → dashboard/dist/), which cargo then embeds in
# llama-runner. Skips the build when dist/index.html is newer than every source file, and
# reinstalls node_modules only when package-lock.json changed. Needs Node.js 20.19+ and npm.
# Without them, `cargo build` still works and the binary serves a page saying how to build this.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo/dashboard"

log() { echo "build-dashboard: $*" >&2; }

sources=(index.html package.json package-lock.json tsconfig.json vite.config.ts src)
stamp="dist/index.html"
up_to_date=false
if [ -f "$stamp" ] && [ -z "$(find "${sources[@]}" -newer "$stamp" -print -quit)" ]; then
  up_to_date=true
fi

if ! command -v npm >/dev/null 2>&1; then
  if [ "$up_to_date" = true ]; then
    log "dist/ is newer than the sources; npm is missing, so node_modules was not checked"
    exit 0
  fi
  log "npm is missing: install Node.js 20.19 or newer with npm, then run this script again"
  exit 1
fi

# The unit tests need node_modules even when dist/ is current. npm ci deletes node_modules
# first, so run it only when the lock file is newer than the install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing the locked npm packages"
  npm ci --no-audit --no-fund
fi

if [ "$up_to_date" = true ]; then
  log "dist/ is newer than the sources; nothing to build"
  exit 0
fi

log "building"
npm run build
