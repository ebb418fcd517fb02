#!/usr/bin/env bash
# The transport benchmark: runs the peer's own harness (../shared/peers/grpc-swift-bench,
# scripts/bench.sh) for grpc-swift-2 and for roster-bench in one session, on the same machine,
# with the same payloads, modes, certificate and shared-box guard.
#   scripts/bench-rpc.sh [RUNS] [TRANSPORTS] [MODES]      defaults: 3 "tls" "<all four modes>"
# Results: $BENCH_WORK/results-{grpc-swift,roster}/summary.md (BENCH_WORK defaults to /tmp/roster-rpc-bench).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
transports=${2:-tls}
modes=${3:-"unary-throughput unary-latency stream many-conn"}
work=${BENCH_WORK:-/tmp/roster-rpc-bench}

if [ ! -x "$work/.build/release/grpc-peer-bench" ]; then
  rm -rf "$work"
  cp -r "$root/../shared/peers/grpc-swift-bench" "$work"
  chmod -R u+w "$work"
  rm -rf "$work"/results*
  (cd "$work" && swift build -c release)
fi
(cd "$root" && swift build -c release --product roster-bench)
cd "$work"
[ -f certs/cert.pem ] || scripts/gen-cert.sh
BIN=.build/release/grpc-peer-bench RESULTS=results-grpc-swift scripts/bench.sh "$runs" "$transports" "$modes"
BIN="$root/.build/release/roster-bench" RESULTS=results-roster scripts/bench.sh "$runs" "$transports" "$modes"
echo "== grpc-swift-2 (peer)"; cat results-grpc-swift/summary.md
echo "== Roster"; cat results-roster/summary.md
