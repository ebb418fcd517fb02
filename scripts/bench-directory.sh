#!/usr/bin/env bash
# Directory fetch benchmarks (release mode), figures for BENCHMARKS.md "Directory: fetching users from Graph beside curl":
#  (a) 100,000 users in pages of 999 over HTTP on loopback: roster-directory-bench (GraphDirectory:
#      fetch, decode, hand to a no-op stage) beside curl downloading the same 101 pages, same run;
#  (b) peak RSS (VmHWM) of roster-directory-bench fetching 200,000 users.
# Both served by graph-double in its own process. Usage: scripts/bench-directory.sh [runs=3]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}

# The whole run holds the machine's build lock: no other engineer's build competes for the two
# cores while the figures are taken (and our own builds below need no second lock).
exec 9>/tmp/roster-build.lock
flock 9
swift build -c release --product graph-double >/dev/null
swift build -c release --product roster-directory-bench >/dev/null
bin=$(swift build -c release --show-bin-path)

double_pid=
stop_double() { if [ -n "$double_pid" ]; then kill "$double_pid" 2>/dev/null || true; wait "$double_pid" 2>/dev/null || true; double_pid=; fi; }
trap stop_double EXIT

start_double() {  # $1 = user count; sets port
  local out; out=$(mktemp)
  "$bin/graph-double" --users "$1" >"$out" 2>/dev/null &
  double_pid=$!
  for _ in $(seq 1 600); do [ -s "$out" ] && break; sleep 0.1; done
  port=$(head -n 1 "$out"); rm -f "$out"
}

now() { date +%s.%N; }
select='id,userPrincipalName,mail,displayName,givenName,surname,jobTitle,department,companyName,officeLocation,businessPhones,mobilePhone,faxNumber,streetAddress,city,state,postalCode,country,onPremisesExtensionAttributes,accountEnabled,userType'

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(swift --version 2>/dev/null | head -n 1)"

# (a) 100,000 users
start_double 100000
base="http://127.0.0.1:$port"
token=$(curl -s -d "client_id=roster-app&client_secret=double-secret&scope=$base/.default&grant_type=client_credentials" \
  "$base/double-tenant/oauth2/v2.0/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
args=()
for skip in $(seq 0 999 99999); do
  args+=(-o /dev/null "$base/v1.0/users?\$select=$select&\$skiptoken=$skip&\$top=999")
done
# One warm-up of each, so neither pays for the double's first touches of its data.
curl -sg -H "Authorization: Bearer $token" -H "x-ms-throttle-priority: low" "${args[@]}"
"$bin/roster-directory-bench" --base "$base" >/dev/null
bytes=$(curl -sg -H "Authorization: Bearer $token" -w '%{size_download}\n' "${args[@]}" | awk '{s+=$1} END {print s}')
echo "(a) 100,000 users, ${#args[@]} curl arguments for 101 pages, $bytes bytes of JSON"
for run in $(seq 1 "$runs"); do
  t0=$(now); curl -sg -H "Authorization: Bearer $token" -H "x-ms-throttle-priority: low" "${args[@]}"; t1=$(now)
  curl_s=$(echo "$t1 - $t0" | bc -l)
  line=$("$bin/roster-directory-bench" --base "$base")
  echo "run $run: curl_seconds=$(printf '%.3f' "$curl_s") $line"
done
stop_double

# (b) 200,000 users: peak RSS of the client
start_double 200000
echo "(b) 200,000 users"
for run in $(seq 1 "$runs"); do
  echo "run $run: $("$bin/roster-directory-bench" --base "http://127.0.0.1:$port")"
done
stop_double
