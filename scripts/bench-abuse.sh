#!/usr/bin/env bash
# rosterd under bad input (release mode): `roster-bench abuse` runs its catalogue of probes
# (connection churn with 4 MiB frames, a connection that never reads 500 large ListContacts
# pages, 10,000 half-open calls, silent sockets, unfinished frames, bad prefaces, 4 GiB frame
# headers, a PING flood, unknown methods) against a real `rosterd serve` child process, and
# reports per probe the server's RSS before / after / at peak / settled and the p50/p99 of
# healthy GetStatus calls made meanwhile on a connection of their own.
#
# Setup: a fresh data directory, one tenant and its admin key, a Graph-shaped directory file of
# 2,000 member accounts (the demo directory's people, cloned), synced once so the tenant holds
# 2,000 contacts. Each probe then gets a fresh rosterd on that data directory (so none measures
# memory the sync or an earlier probe left behind); ROSTER_ABUSE_ONE_SERVER=1 runs them all on one.
# Output: a markdown table and the PROBE lines on stdout, also kept in
# Benchmarks/results/abuse/. Usage: scripts/bench-abuse.sh [roster-bench abuse options, e.g.
# --only churn,half-open --scale 0.1]. ROSTER_BUILD_CONFIG=debug uses debug builds (a quick check
# of the script itself; the figures mean nothing then). ROSTERD_ARGS adds options to `rosterd
# serve` (e.g. ROSTERD_ARGS="--max-executing-calls 4").
# The script takes /tmp/roster-build.lock itself: run it directly, not under another flock of that file.
set -euo pipefail
cd "$(dirname "$0")/.."
config=${ROSTER_BUILD_CONFIG:-release}

# The whole run holds the machine's build lock: no other engineer's build competes for the two
# cores while the figures are taken (and our own builds below need no second lock).
exec 9>/tmp/roster-build.lock
flock 9

work=$(mktemp -d /tmp/roster-bench-abuse.XXXXXX)
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server"
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
for product in rosterd roster-bench; do
    if ! swift build -c "$config" --product "$product" >"$work/build.log" 2>&1; then
        echo "swift build -c $config --product $product failed:" >&2
        grep -E "error:" "$work/build.log" | sort -u >&2 || tail -20 "$work/build.log" >&2
        exit 1
    fi
done
bin=$(swift build -c "$config" --show-bin-path)

# The probes hold a thousand sockets at once; rosterd inherits this limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

python3 - Sources/RosterDirectory/Resources/demo-directory.json "$work/directory.json" 2000 <<'EOF'
"""The demo directory's enabled member accounts, cloned with new ids, mails and UPNs up to N users."""
import json, sys, uuid
source, target, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
demo = json.load(open(source, encoding="utf-8"))
members = [u for u in demo["users"] if u.get("userType") == "Member" and u.get("accountEnabled")]
users = []
for n in range(count):
    user = dict(members[n % len(members)])
    copy = n // len(members)
    if copy:
        user["id"] = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{user['id']}/{copy}"))
        for field in ("mail", "userPrincipalName"):
            if user.get(field):
                user[field] = f"c{copy}.{user[field]}"
    users.append(user)
json.dump({"users": users, "groups": demo.get("groups", []), "members": demo.get("members", {})},
          open(target, "w", encoding="utf-8"), ensure_ascii=False)
EOF

# Options for roster-bench abuse; --only picks the probes (default: all, from `abuse --list`).
only=""
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --only) only=$2; shift 2 ;;
        --only=*) only=${1#--only=}; shift ;;
        *) args+=("$1"); shift ;;
    esac
done
probes=${only:-$("$bin/roster-bench" abuse --list | paste -sd, -)}

key=$("$bin/rosterd" tenants add abuse --name "Abuse" --data-dir "$work/data" | tail -1)

start_server() {
    : >"$work/rosterd.out"
    "$bin/rosterd" serve --data-dir "$work/data" --listen 127.0.0.1:0 --allow-file-directories \
        --grace-period 1 --log-level warning ${ROSTERD_ARGS:-} >"$work/rosterd.out" 2>>"$work/rosterd.err" &
    server=$!
    for _ in $(seq 1 600); do
        grep -q "listening on" "$work/rosterd.out" && break
        if ! kill -0 "$server" 2>/dev/null; then
            echo "rosterd exited before listening:" >&2
            tail -50 "$work/rosterd.err" >&2
            exit 1
        fi
        sleep 0.1
    done
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/rosterd.out" | head -1)
    [ -n "$port" ] || { echo "rosterd did not say where it listens" >&2; exit 1; }
}

stop_server() {
    if ! kill -0 "$server" 2>/dev/null; then
        echo "rosterd died during the run; its log:" >&2
        tail -50 "$work/rosterd.err" >&2
        exit 1
    fi
    kill -TERM "$server"
    wait "$server" 2>/dev/null || true
    server=""
}

abuse() {
    "$bin/roster-bench" abuse --tls --cert "$work/data/tls-cert.pem" --port "$port" --key "$key" --pid "$server" "$@"
}

# run N PROBES: one roster-bench abuse run against the current rosterd; output in run-N.txt.
run() {
    abuse --only "$2" --markdown ${args[@]+"${args[@]}"} | tee "$work/run-$1.txt" | { grep '^PROBE' >&2 || true; }
}

# The tenant's contacts: connect the directory file and sync all users.
start_server
abuse --sync-directory "file://$work/directory.json" --sync-only
# By default every probe gets a fresh rosterd (same data directory), so that none measures memory
# the sync or an earlier probe left behind; ROSTER_ABUSE_ONE_SERVER=1 runs them all on one.
if [ "${ROSTER_ABUSE_ONE_SERVER:-0}" = 1 ]; then
    run 01 "$probes"
    stop_server
else
    stop_server
    n=0
    for probe in ${probes//,/ }; do
        n=$((n + 1))
        start_server
        run "$(printf %02d "$n")" "$probe"
        stop_server
    done
fi

if [ "$config" = release ]; then
    mkdir -p Benchmarks/results/abuse
    out="Benchmarks/results/abuse/$(date -u +%Y-%m-%dT%H%M)Z.md"
    # A second run within the same minute keeps its own file.
    [ -e "$out" ] && out="Benchmarks/results/abuse/$(date -u +%Y-%m-%dT%H%M%S)Z.md"
else
    out="/tmp/roster-bench-abuse-$config.md"
fi
{
    echo "## rosterd under bad input"
    echo
    echo "$config build, $(git rev-parse --short HEAD)$(git diff --quiet || echo ' with uncommitted changes'), $(date -u +%Y-%m-%d), $(nproc) cores;" \
        "$([ "${ROSTER_ABUSE_ONE_SERVER:-0}" = 1 ] && echo 'one rosterd for all probes' || echo 'a fresh rosterd per probe');" \
        "options: ${args[*]:-none}; rosterd serve options: ${ROSTERD_ARGS:-none}"
    echo
    # One table: the first run's header, every run's rows.
    awk '/^\| probe \|/ { if (!seen) { print; seen = 1; first = 1 } next }
         /^\|---/ { if (first) print; first = 0; next }
         /^\| / { print }' "$work"/run-*.txt
    echo
    grep -h '^PROBE' "$work"/run-*.txt
} | tee "$out"
echo "(kept in $out; rosterd's warnings: $(wc -l <"$work/rosterd.err") lines)" >&2
