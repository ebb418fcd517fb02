"""The payload messages the client sends and reads, field by field from the .proto files.

proto/rpc.proto (roster.rpc.v1): CallHeaders (PROTOCOL.md §4, §6, §8, §9), Status and its codes
(§6, §7), Settings (§2), GoAway (§12). proto/bench.proto (peerbench): the ListGroups and
WatchProgress messages of the benchmark service (§6, "The benchmark service"). Encoded and
decoded with the §14 codec in protobuf.py.
"""

import struct

from .protobuf import (as_int32, decode_map_entry, expect_wt, f_bytes, f_fixed32, f_map_ss,
                       f_varint, parse_fields, utf8)

# §7: gRPC's codes, with the same numbers.
STATUS_NAMES = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
                "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
                "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
                "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"]


def status(code, message=""):
    return {"code": code, "message": message, "details": [], "metadata": {}}


def fmt_status(st):
    c = st["code"]
    name = STATUS_NAMES[c] if 0 <= c < len(STATUS_NAMES) else "?"
    return "%d %s %r" % (c, name, st["message"])


# roster.rpc.v1 ------------------------------------------------------------------------------

def enc_call_headers(method, timeout_micros=0, metadata=None):
    """CallHeaders: method (1), timeout_micros (2), metadata (3)."""
    return f_bytes(1, method) + f_varint(2, timeout_micros) + f_map_ss(3, metadata or {})


def enc_status(code, message=""):
    """Status: code (1), message (2); used for a CANCEL's reason (§6)."""
    return f_varint(1, code) + f_bytes(2, message)


def _dec_detail(b):
    d = {"type_url": "", "value": b""}
    for f, wt, v in parse_fields(b, 1):
        if f == 1:
            expect_wt(f, wt, 2, "StatusDetail")
            d["type_url"] = utf8(v, "StatusDetail.type_url")
        elif f == 2:
            expect_wt(f, wt, 2, "StatusDetail")
            d["value"] = v
    return d


def dec_status(b):
    """Status: code (1, int32), message (2), details (3), metadata (4)."""
    st = status(0)
    for f, wt, v in parse_fields(b):
        if f == 1:
            expect_wt(f, wt, 0, "Status")
            st["code"] = as_int32(v)
        elif f == 2:
            expect_wt(f, wt, 2, "Status")
            st["message"] = utf8(v, "Status.message")
        elif f == 3:
            expect_wt(f, wt, 2, "Status")
            st["details"].append(_dec_detail(v))
        elif f == 4:
            expect_wt(f, wt, 2, "Status")
            k, val = decode_map_entry(v, "Status.metadata", 1)
            st["metadata"][k] = val
    return st


SETTINGS_FIELDS = {1: "max_frame_size", 2: "max_concurrent_streams", 3: "initial_window_size",
                   4: "max_header_size"}


def enc_settings(**values):
    """Settings: the four uint32 fields of §2's table; 0 or absent means the default."""
    numbers = {name: n for n, name in SETTINGS_FIELDS.items()}
    return b"".join(f_varint(numbers[k], v) for k, v in sorted(values.items(),
                                                              key=lambda kv: numbers[kv[0]]))


def dec_settings(b):
    """Settings as {name: value} for the fields present; unknown fields are ignored (§2)."""
    s = {}
    for f, wt, v in parse_fields(b):
        if f in SETTINGS_FIELDS:
            expect_wt(f, wt, 0, "Settings")
            s[SETTINGS_FIELDS[f]] = v & 0xFFFFFFFF
    return s


def enc_goaway(last_stream_id, code, message):
    """GoAway: last_stream_id (1), code (2), message (3)."""
    return f_varint(1, last_stream_id) + f_varint(2, code) + f_bytes(3, message)


def dec_goaway(b):
    g = {"last_stream_id": 0, "code": 0, "message": ""}
    for f, wt, v in parse_fields(b):
        if f == 1:
            expect_wt(f, wt, 0, "GoAway")
            g["last_stream_id"] = v & 0xFFFFFFFF
        elif f == 2:
            expect_wt(f, wt, 0, "GoAway")
            g["code"] = as_int32(v)
        elif f == 3:
            expect_wt(f, wt, 2, "GoAway")
            g["message"] = utf8(v, "GoAway.message")
    return g


def fmt_goaway(g):
    return "GOAWAY(last %d, code %d, %r)" % (g["last_stream_id"], g["code"], g["message"])


# peerbench ----------------------------------------------------------------------------------

def enc_list_groups_request(query, limit, kind):
    """ListGroupsRequest: query (1), limit (2, int32), kind (3)."""
    return f_bytes(1, query) + f_varint(2, limit) + f_bytes(3, kind)


def _dec_group(b):
    g = {"id": "", "display_name": "", "mail": ""}
    for f, wt, v in parse_fields(b, 1):
        name = {1: "id", 2: "display_name", 3: "mail"}.get(f)
        if name:
            expect_wt(f, wt, 2, "Group")
            g[name] = utf8(v, "Group." + name)
    return g


def dec_list_groups_response(b):
    """ListGroupsResponse: repeated Group groups (1); Group: id (1), display_name (2), mail (3)."""
    groups = []
    for f, wt, v in parse_fields(b):
        if f == 1:
            expect_wt(f, wt, 2, "ListGroupsResponse")
            groups.append(_dec_group(v))
    return groups


def enc_watch_progress_request(job_id, count, client):
    """WatchProgressRequest: job_id (1, bytes), count (2, fixed32), client (3)."""
    return f_bytes(1, job_id) + f_fixed32(2, count) + f_bytes(3, client)


def dec_progress_update(b):
    """ProgressUpdate: job_id (1, bytes), percent (2, float), stage (3)."""
    u = {"job_id": b"", "percent": 0.0, "stage": ""}
    for f, wt, v in parse_fields(b):
        if f == 1:
            expect_wt(f, wt, 2, "ProgressUpdate")
            u["job_id"] = v
        elif f == 2:
            expect_wt(f, wt, 5, "ProgressUpdate")
            u["percent"] = struct.unpack("<f", struct.pack("<I", v))[0]
        elif f == 3:
            expect_wt(f, wt, 2, "ProgressUpdate")
            u["stage"] = utf8(v, "ProgressUpdate.stage")
    return u
