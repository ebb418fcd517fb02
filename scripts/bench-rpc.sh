#!/usr/bin/env bash
# The transport benchmark: runs the peer's own harness (grpc-swift-bench, scripts/bench.sh) for
# grpc-swift-2 and for roster-bench in one session, on the same machine, with the same payloads,
# modes, certificate and shared-box guard (BENCHMARKS.md, "Transport: roster-bench beside grpc-swift-2").
#   PEER_BENCH=DIR scripts/bench-rpc.sh [RUNS] [TRANSPORTS] [MODES]   defaults: 3 "tls" "<all four modes>"
# PEER_BENCH: a checkout of the peer harness; it is copied to BENCH_WORK and built there once (not
# needed again while that build exists).
# Results: $BENCH_WORK/results-{grpc-swift,roster}/summary.md (BENCH_WORK defaults to /tmp/roster-rpc-bench).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
transports=${2:-tls}
modes=${3:-"unary-throughput unary-latency stream many-conn"}
work=${BENCH_WORK:-/tmp/roster-rpc-bench}

if [ ! -x "$work/.build/release/grpc-peer-bench" ]; then
  peer=${PEER_BENCH:-}
  if [ -z "$peer" ] || [ ! -f "$peer/scripts/bench.sh" ]; then
    echo "set PEER_BENCH to a checkout of the grpc-swift-bench peer harness (grpc-swift-2 2.4.3 +" \
      "grpc-swift-nio-transport 2.9.2; BENCHMARKS.md, \"The workload\")" >&2
    exit 64
  fi
  rm -rf "$work"
  cp -r "$peer" "$work"
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
