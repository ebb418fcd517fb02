#!/usr/bin/env bash
# Codec throughput: RosterWire beside swift-protobuf 1.39.0's generated code, release mode.
#   scripts/bench-codec.sh [--seconds S] [--rounds R]     (defaults: 1 s rounds, median of 5)
# Allocations per operation (needs valgrind): scripts/bench-codec.sh --allocations
set -euo pipefail
cd "$(dirname "$0")/.."
(cd Benchmarks && swift build -c release --product CodecBenchmarks >&2)
bench=Benchmarks/.build/release/CodecBenchmarks

if [ "${1:-}" = "--allocations" ]; then
  # Heap allocations per operation: valgrind's total for 2,000 runs minus that for 1,000 runs.
  echo "| case | heap allocations per operation |"
  echo "|---|---|"
  for case in ProgressUpdate-encode-ours-bytebuffer ProgressUpdate-encode-ours-array ProgressUpdate-encode-swift-protobuf \
              ProgressUpdate-decode-ours-bytebuffer ProgressUpdate-decode-swift-protobuf \
              ListGroupsResponse-encode-ours-bytebuffer ListGroupsResponse-encode-ours-array ListGroupsResponse-encode-swift-protobuf \
              ListGroupsResponse-decode-ours-bytebuffer ListGroupsResponse-decode-swift-protobuf; do
    count() { valgrind "$bench" --count-case "$case" --iterations "$1" 2>&1 | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,; }
    a=$(count 1000); b=$(count 2000)
    echo "| $case | $(python3 -c "print(($b - $a) / 1000)") |"
  done
  exit 0
fi
"$bench" "$@"
