#!/usr/bin/env bash
# Codec throughput: RosterWire beside swift-protobuf 1.39.0's generated code, release mode.
#   scripts/bench-codec.sh [--seconds S] [--rounds R]     (defaults: 1 s rounds, median of 5)
# Allocations per operation (needs perf with uprobes, run as root): scripts/bench-codec.sh --allocations
set -euo pipefail
cd "$(dirname "$0")/.."
(cd Benchmarks && swift build -c release --product CodecBenchmarks >&2)
bench=Benchmarks/.build/release/CodecBenchmarks

if [ "${1:-}" = "--allocations" ]; then
  # Heap allocations per operation: libc malloc + realloc calls counted with perf uprobes, for
  # 2,000 runs minus 1,000 runs (start-up cancels out), divided by 1,000.
  libc=$(ldd "$bench" | awk '/libc.so/{print $3}')
  perf probe -q -x "$libc" malloc 2>/dev/null || true
  perf probe -q -x "$libc" realloc 2>/dev/null || true
  count() {
    perf stat -x, -e probe_libc:malloc,probe_libc:realloc "$bench" --count-case "$1" --iterations "$2" 2>&1 >/dev/null \
      | awk -F, '/probe_libc/{sum += $1} END {print sum}'
  }
  echo "| case | heap allocations per operation |"
  echo "|---|---|"
  for case in ProgressUpdate-encode-ours-bytebuffer ProgressUpdate-encode-ours-array ProgressUpdate-encode-swift-protobuf \
              ProgressUpdate-decode-ours-bytebuffer ProgressUpdate-decode-swift-protobuf \
              ListGroupsResponse-encode-ours-bytebuffer ListGroupsResponse-encode-ours-array ListGroupsResponse-encode-swift-protobuf \
              ListGroupsResponse-decode-ours-bytebuffer ListGroupsResponse-decode-swift-protobuf; do
    a=$(count "$case" 1000); b=$(count "$case" 2000)
    echo "| $case | $(python3 -c "print(round(($b - $a) / 1000, 2))") |"
  done
  exit 0
fi
"$bench" "$@"
