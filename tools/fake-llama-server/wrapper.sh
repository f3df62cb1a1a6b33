#!/bin/sh
# Starts fake-llama-server in the background with this script's arguments and waits for it,
# like a runtime whose entry point is a shell wrapper around llama-server. The wrapper does
# not forward signals, so a supervisor that signals only this shell leaves the server running.
#
# Environment:
#   FAKE_LLAMA_SERVER_BIN  path of the fake-llama-server binary (required)
#   FAKE_WRAPPED_PID_FILE  file that gets the background server's PID (optional)

if [ -z "${FAKE_LLAMA_SERVER_BIN:-}" ]; then
    echo "wrapper.sh: FAKE_LLAMA_SERVER_BIN is not set; set it to the fake-llama-server binary" >&2
    exit 2
fi

"$FAKE_LLAMA_SERVER_BIN" "$@" &
server_pid=$!

if [ -n "${FAKE_WRAPPED_PID_FILE:-}" ]; then
    echo "$server_pid" > "$FAKE_WRAPPED_PID_FILE"
fi

wait "$server_pid"
