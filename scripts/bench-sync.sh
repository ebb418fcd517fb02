#!/usr/bin/env bash
# rosterd end to end (release mode), figures for BENCHMARKS.md "Sync service: rosterd end to end":
#  1. full all-users sync of 100,000 users from the Graph double beside curl + sqlite3 (same run);
#  2. delta sync with 1% of the users changed;
#  3. ListGroups type-ahead with 50,000 groups cached (throughput at 32 in flight, latency at 1);
#  4. 10,000 WatchProgress streams over 100 connections on one running full sync (RSS, job time);
#  with --parts: tenants (1,000 at once), postgres (replicas), feed (change feed cost and 100 consumers).
#  (--parts photos) 10,000 users with photos: the first sync and one after 1% of the photos changed.
# roster-sync-bench hosts the Graph double in-process and drives real `rosterd serve` child
# processes (fresh data directory per run). Output: markdown on stdout, also kept in
# Benchmarks/results/sync/. Usage: scripts/bench-sync.sh [roster-sync-bench options, e.g. --runs 3]
# The script takes /tmp/roster-build.lock itself: run it directly, not under another flock of that file.
set -euo pipefail
cd "$(dirname "$0")/.."

# The whole run holds the machine's build lock: no other engineer's build competes for the two
# cores while the figures are taken (and our own builds below need no second lock).
exec 9>/tmp/roster-build.lock
flock 9
swift build -c release --product rosterd >/dev/null
swift build -c release --product roster-sync-bench >/dev/null
bin=$(swift build -c release --show-bin-path)

mkdir -p Benchmarks/results/sync
out="Benchmarks/results/sync/$(date -u +%Y-%m-%dT%H%M)Z.md"
"$bin/roster-sync-bench" --rosterd "$bin/rosterd" "$@" | tee "$out"
echo "(kept in $out)" >&2
