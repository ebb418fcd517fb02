#!/usr/bin/env bash
# Runs Tests/Interop/spec_client.py — a client written from proto/PROTOCOL.md alone, in Python with
# the standard library (the roster_spec package beside it) — against `roster-bench serve`, in
# plaintext and over TLS. Fails on any deviation from the spec. Needs a built roster-bench (swift
# build).
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${ROSTER_BENCH:-.build/debug/roster-bench}
[ -x "$bench" ] || { echo "$bench not found: run swift build first" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/key.pem" \
  -out "$work/cert.pem" -days 2 -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null

# Starts roster-bench with the given flags and sets $port. (Not a command substitution: that
# would run in a subshell, and the cleanup trap would not know the server's pid.)
start() {
  local log="$work/serve-${#pids[@]}.log"
  "$bench" serve --port 0 "$@" > "$log" 2>&1 &
  pids+=($!)
  port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/^READY .*:\([0-9]*\) tls=.*/\1/p' "$log")
    [ -n "$port" ] && return
    sleep 0.1
  done
  echo "roster-bench did not start:" >&2; cat "$log" >&2; exit 1
}

start
python3 Tests/Interop/spec_client.py --host 127.0.0.1 --port "$port" --plaintext --count 20000
start --tls --cert "$work/cert.pem" --key "$work/key.pem"
python3 Tests/Interop/spec_client.py --host 127.0.0.1 --port "$port" --ca "$work/cert.pem" --count 20000
