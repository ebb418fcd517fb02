#!/usr/bin/env bash
# Writes proto/examples/{client,server}.bin: both directions of one plaintext Roster connection
# carrying a StartSync call and a WatchProgress stream, every payload encoded by protoc from the
# text below. `swift run roster-wire proto/examples/client.bin proto/examples/server.bin` prints them.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "protoc not found: apt-get install -y protobuf-compiler" >&2; exit 1; }

python3 - <<'PY'
import struct, subprocess

def enc(message, text, proto="roster.proto"):
    return subprocess.run(["protoc", "--proto_path=proto", f"--encode={message}", proto],
                          input=text.encode(), capture_output=True, check=True).stdout

def frame(ftype, flags, stream, payload=b""):
    return struct.pack(">IBBI", len(payload), ftype, flags, stream) + payload

SETTINGS, HEADERS, MESSAGE, TRAILERS, WINDOW_UPDATE = 0, 1, 2, 3, 5
END, ACK = 1, 1
auth = 'metadata { key: "authorization" value: "Bearer rk_demo_admin" }'

client = b"ROSTER/1\r\n\r\n" + frame(SETTINGS, 0, 0)
client += frame(SETTINGS, ACK, 0)
client += frame(HEADERS, 0, 1, enc("roster.rpc.v1.CallHeaders",
    f'method: "/roster.v1.Roster/StartSync" timeout_micros: 5000000 {auth}', "rpc.proto"))
client += frame(MESSAGE, END, 1, enc("roster.v1.StartSyncRequest",
    'scope { kind: SCOPE_KIND_GROUP group_id: "5f1c0d4e-uk-staff" } acknowledge_removals: true'))
client += frame(HEADERS, 0, 3, enc("roster.rpc.v1.CallHeaders",
    f'method: "/roster.v1.Roster/WatchProgress" {auth}', "rpc.proto"))
client += frame(MESSAGE, END, 3, enc("roster.v1.WatchProgressRequest", 'job_id: "job-0001"'))
client += frame(WINDOW_UPDATE, 0, 3, struct.pack(">I", 131072))

server = frame(SETTINGS, 0, 0, enc("roster.rpc.v1.Settings",
    "max_frame_size: 4194304 max_concurrent_streams: 100 initial_window_size: 262144 max_header_size: 16384", "rpc.proto"))
server += frame(SETTINGS, ACK, 0)
server += frame(MESSAGE, 0, 1, enc("roster.v1.StartSyncResponse",
    'job { id: "job-0001" scope { kind: SCOPE_KIND_GROUP group_id: "5f1c0d4e-uk-staff" group_display_name: "UK Staff" } '
    'mode: SYNC_MODE_FULL state: JOB_STATE_QUEUED trigger: SYNC_TRIGGER_MANUAL started_by: "ops laptop" '
    'created_unix_ms: 1795689600000 acknowledged_removals: true }'))
server += frame(TRAILERS, END, 1)
server += frame(MESSAGE, 0, 3, enc("roster.v1.ProgressUpdate",
    'job_id: "job-0001" state: JOB_STATE_RUNNING phase: SYNC_PHASE_FETCHING '
    'counters { fetched: 120 total: 212 } percent: 56.6 eta_ms: 900 message: "Fetching members of UK Staff"'))
server += frame(MESSAGE, 0, 3, enc("roster.v1.ProgressUpdate",
    'job_id: "job-0001" state: JOB_STATE_SUCCEEDED phase: SYNC_PHASE_APPLYING final: true '
    'counters { fetched: 212 total: 212 added: 12 updated: 3 removed: 788 unchanged: 197 } percent: 100 '
    'summary { total_contacts: 212 added: 12 updated: 3 removed: 788 unchanged: 197 duration_ms: 2300 '
    'text: "Synchronized 212 contacts (12 added, 3 updated, 788 removed) in 2.3 s" } elapsed_ms: 2300'))
server += frame(TRAILERS, END, 3)

open("proto/examples/client.bin", "wb").write(client)
open("proto/examples/server.bin", "wb").write(server)
print(f"proto/examples/client.bin: {len(client)} bytes, proto/examples/server.bin: {len(server)} bytes")
PY
