#!/usr/bin/env python3
"""A Roster protocol (roster/1) client written from proto/PROTOCOL.md and the .proto files only.

Standard library only: socket, ssl, struct, plus a hand-written protobuf codec for the few
messages needed. It runs a fixed script of checks against a `roster-bench serve` server and
exits non-zero on any deviation from the specification.

Usage:
    python3 scripts/spec_client.py --host 127.0.0.1 --port P [--plaintext | --ca FILE] [--count K]
"""

import argparse
import base64
import socket
import ssl
import struct
import sys
import time

# --------------------------------------------------------------------------------------------
# Protobuf (proto3 binary) — §14
# --------------------------------------------------------------------------------------------


class DecodeError(Exception):
    pass


def enc_varint(n):
    if n < 0:
        n &= (1 << 64) - 1  # sign-extend negative int32/int64 to 64 bits (§14)
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def enc_key(field, wt):
    return enc_varint((field << 3) | wt)


def f_varint(field, v):
    return b"" if not v else enc_key(field, 0) + enc_varint(v)


def f_bytes(field, v):
    if isinstance(v, str):
        v = v.encode("utf-8")
    return b"" if not v else enc_key(field, 2) + enc_varint(len(v)) + v


def f_fixed32(field, v):
    return b"" if not v else enc_key(field, 5) + struct.pack("<I", v)


def f_map_ss(field, m):
    out = b""
    for k in sorted(m, key=lambda s: s.encode("utf-8")):  # sorted by key bytes (§14)
        kb, vb = k.encode("utf-8"), m[k].encode("utf-8")
        entry = enc_key(1, 2) + enc_varint(len(kb)) + kb + enc_key(2, 2) + enc_varint(len(vb)) + vb
        out += enc_key(field, 2) + enc_varint(len(entry)) + entry
    return out


def dec_varint(buf, pos):
    result = 0
    shift = 0
    for i in range(10):
        if pos >= len(buf):
            raise DecodeError("truncated varint at byte %d" % pos)
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result & ((1 << 64) - 1), pos
        shift += 7
    raise DecodeError("varint longer than 10 bytes")


def parse_fields(buf, depth=0):
    """Yield (field, wire_type, value) with value an int (wt 0/1/5) or bytes (wt 2)."""
    if depth > 100:
        raise DecodeError("nesting deeper than 100")
    pos = 0
    n = len(buf)
    while pos < n:
        key, pos = dec_varint(buf, pos)
        field, wt = key >> 3, key & 7
        if field == 0 or field > (1 << 29) - 1:
            raise DecodeError("invalid field number %d" % field)
        if wt == 0:
            v, pos = dec_varint(buf, pos)
        elif wt == 1:
            if pos + 8 > n:
                raise DecodeError("truncated fixed64")
            v = struct.unpack_from("<Q", buf, pos)[0]
            pos += 8
        elif wt == 2:
            ln, pos = dec_varint(buf, pos)
            if pos + ln > n:
                raise DecodeError("truncated length-delimited field %d" % field)
            v = bytes(buf[pos:pos + ln])
            pos += ln
        elif wt == 5:
            if pos + 4 > n:
                raise DecodeError("truncated fixed32")
            v = struct.unpack_from("<I", buf, pos)[0]
            pos += 4
        elif wt == 3:  # group: skip to the matching end-group
            stack = [field]
            while stack:
                k2, pos = dec_varint(buf, pos)
                f2, w2 = k2 >> 3, k2 & 7
                if w2 == 3:
                    stack.append(f2)
                elif w2 == 4:
                    if stack.pop() != f2:
                        raise DecodeError("mismatched end-group")
                elif w2 == 0:
                    _, pos = dec_varint(buf, pos)
                elif w2 == 1:
                    pos += 8
                elif w2 == 5:
                    pos += 4
                elif w2 == 2:
                    ln, pos = dec_varint(buf, pos)
                    pos += ln
                else:
                    raise DecodeError("invalid wire type %d" % w2)
                if pos > n:
                    raise DecodeError("truncated group")
            continue
        else:
            raise DecodeError("invalid wire type %d" % wt)
        yield field, wt, v


def as_int32(v):
    v &= 0xFFFFFFFFFFFFFFFF
    if v >= 1 << 63:
        v -= 1 << 64
    return v  # a sign-extended int32 comes back as a negative Python int


def utf8(b, what):
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DecodeError("%s is not valid UTF-8: %s" % (what, e))


def expect_wt(field, wt, want, msg):
    if wt != want:
        raise DecodeError("%s field %d has wire type %d, expected %d" % (msg, field, wt, want))


def decode_map_ss(b, msg):
    k = v = ""
    for f, wt, val in parse_fields(b):
        if f == 1:
            expect_wt(f, wt, 2, msg + " map entry")
            k = utf8(val, msg + " map key")
        elif f == 2:
            expect_wt(f, wt, 2, msg + " map entry")
            v = utf8(val, msg + " map value")
    return k, v


# roster.rpc.v1 messages ----------------------------------------------------------------------

def enc_call_headers(method, timeout_micros=0, metadata=None):
    return f_bytes(1, method) + f_varint(2, timeout_micros) + f_map_ss(3, metadata or {})


def dec_status(b):
    st = {"code": 0, "message": "", "details": [], "metadata": {}}
    for f, wt, v in parse_fields(b):
        if f == 1:
            expect_wt(f, wt, 0, "Status")
            st["code"] = as_int32(v)
        elif f == 2:
            expect_wt(f, wt, 2, "Status")
            st["message"] = utf8(v, "Status.message")
        elif f == 3:
            expect_wt(f, wt, 2, "Status")
            d = {"type_url": "", "value": b""}
            for f2, wt2, v2 in parse_fields(v, 1):
                if f2 == 1:
                    d["type_url"] = utf8(v2, "StatusDetail.type_url")
                elif f2 == 2:
                    d["value"] = v2
            st["details"].append(d)
        elif f == 4:
            expect_wt(f, wt, 2, "Status")
            k, val = decode_map_ss(v, "Status.metadata")
            st["metadata"][k] = val
    return st


def enc_status(code, message=""):
    return f_varint(1, code) + f_bytes(2, message)


SETTINGS_DEFAULTS = {"max_frame_size": 4194304, "max_concurrent_streams": 100,
                     "initial_window_size": 262144, "max_header_size": 16384}
SETTINGS_FIELDS = {1: "max_frame_size", 2: "max_concurrent_streams", 3: "initial_window_size",
                   4: "max_header_size"}


def dec_settings(b):
    s = {}
    for f, wt, v in parse_fields(b):
        if f in SETTINGS_FIELDS:
            expect_wt(f, wt, 0, "Settings")
            s[SETTINGS_FIELDS[f]] = v & 0xFFFFFFFF
    return s


def enc_goaway(last_id, code, message):
    return f_varint(1, last_id) + f_varint(2, code) + f_bytes(3, message)


def dec_goaway(b):
    g = {"last_stream_id": 0, "code": 0, "message": ""}
    for f, wt, v in parse_fields(b):
        if f == 1:
            g["last_stream_id"] = v & 0xFFFFFFFF
        elif f == 2:
            g["code"] = as_int32(v)
        elif f == 3:
            g["message"] = utf8(v, "GoAway.message")
    return g


# peerbench messages ---------------------------------------------------------------------------

def enc_list_groups_request(query, limit, kind):
    return f_bytes(1, query) + f_varint(2, limit) + f_bytes(3, kind)


def dec_list_groups_response(b):
    groups = []
    for f, wt, v in parse_fields(b):
        if f == 1:
            expect_wt(f, wt, 2, "ListGroupsResponse")
            g = {"id": "", "display_name": "", "mail": ""}
            for f2, wt2, v2 in parse_fields(v, 1):
                name = {1: "id", 2: "display_name", 3: "mail"}.get(f2)
                if name:
                    expect_wt(f2, wt2, 2, "Group")
                    g[name] = utf8(v2, "Group." + name)
            groups.append(g)
    return groups


def enc_watch_progress_request(job_id, count, client):
    return f_bytes(1, job_id) + f_fixed32(2, count) + f_bytes(3, client)


def dec_progress_update(b):
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


# --------------------------------------------------------------------------------------------
# Framing — §3, §4
# --------------------------------------------------------------------------------------------

SETTINGS, HEADERS, MESSAGE, TRAILERS, CANCEL, WINDOW_UPDATE, PING, GOAWAY = range(8)
FRAME_NAMES = ["SETTINGS", "HEADERS", "MESSAGE", "TRAILERS", "CANCEL", "WINDOW_UPDATE", "PING",
               "GOAWAY"]
ACK = END_STREAM = 0x01
PREFACE = b"ROSTER/1\r\n\r\n"
STATUS_NAMES = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
                "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
                "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
                "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"]


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">IBBI", len(payload), ftype, flags, sid & 0x7FFFFFFF) + payload


class ProtocolError(Exception):
    pass


class ConnectionClosed(Exception):
    pass


class GoAwayReceived(Exception):
    def __init__(self, g):
        super().__init__("GOAWAY(last_stream_id %d, code %d, %r)" % (
            g["last_stream_id"], g["code"], g["message"]))
        self.goaway = g


class Conn:
    # Our own SETTINGS (sent as an empty payload = all defaults).
    MY_MAX_FRAME = SETTINGS_DEFAULTS["max_frame_size"]
    MY_WINDOW = SETTINGS_DEFAULTS["initial_window_size"]
    MY_MAX_HEADER = SETTINGS_DEFAULTS["max_header_size"]

    def __init__(self, sock, log):
        self.sock = sock
        self.log = log
        self.buf = bytearray()
        self.peer = dict(SETTINGS_DEFAULTS)
        self.peer_settings_seen = False
        self.settings_acked = False
        self.first_frame = True
        self.next_sid = 1
        self.pings_answered = 0
        self.pending_pings = {}
        self.ping_acks = []
        self.goaway = None
        self.eof_clean = None
        self.frames_in = 0
        self.notes = []  # spec-relevant observations

    # I/O ------------------------------------------------------------------------------------
    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, n):
        while len(self.buf) < n:
            try:
                chunk = self.sock.recv(max(65536, n - len(self.buf)))
            except ssl.SSLEOFError as e:
                self.eof_clean = False
                raise ConnectionClosed("TCP EOF without TLS close_notify (%s)" % e)
            if not chunk:
                self.eof_clean = True
                raise ConnectionClosed("EOF")
            self.buf += chunk

    def read_frame(self):
        self._fill(10)
        length, ftype, flags, sid = struct.unpack_from(">IBBI", self.buf, 0)
        sid &= 0x7FFFFFFF
        if length > self.MY_MAX_FRAME:  # checked before buffering any payload (§3)
            self.send(frame(GOAWAY, 0, 0, enc_goaway(0, 8,
                      "frame payload of %d bytes exceeds the max_frame_size of %d"
                      % (length, self.MY_MAX_FRAME))))
            raise ProtocolError("frame payload of %d bytes exceeds our max_frame_size" % length)
        self._fill(10 + length)
        payload = bytes(self.buf[10:10 + length])
        del self.buf[:10 + length]
        self.frames_in += 1
        return ftype, flags, sid, payload

    def conn_error(self, msg):
        try:
            self.send(frame(GOAWAY, 0, 0, enc_goaway(0, 13, msg)))
        except OSError:
            pass
        raise ProtocolError(msg)

    # Connection-level frames handled here; stream frames returned ------------------------
    def next_stream_frame(self):
        while True:
            f = self.pump_one()
            if f is not None:
                return f

    def pump_one(self):
        """Read one frame; handle connection-level frames (returning None), return stream frames."""
        if True:
            ftype, flags, sid, payload = self.read_frame()
            if self.first_frame:
                self.first_frame = False
                if ftype == GOAWAY:
                    self.goaway = dec_goaway(payload)
                    raise GoAwayReceived(self.goaway)
                if ftype != SETTINGS or flags & ACK:
                    self.conn_error("expected SETTINGS as the first frame, got %s"
                                    % (FRAME_NAMES[ftype] if ftype < 8 else "type %d" % ftype))
            if ftype == SETTINGS:
                if sid != 0:
                    self.conn_error("SETTINGS frame on stream %d; SETTINGS is only valid on stream 0" % sid)
                if flags & ACK:
                    if payload:
                        self.conn_error("SETTINGS ACK with a %d-byte payload" % len(payload))
                    self.settings_acked = True
                    return None
                try:
                    s = dec_settings(payload)
                except DecodeError as e:
                    self.conn_error("invalid SETTINGS payload: %s" % e)
                for k, v in s.items():
                    if v == 0:
                        continue
                    if k == "max_frame_size" and not 16384 <= v <= 16777215:
                        self.conn_error("SETTINGS max_frame_size of %d is outside 16384…16777215" % v)
                    if k == "initial_window_size" and v > 2147483647:
                        self.conn_error("SETTINGS initial_window_size of %d is above 2147483647" % v)
                    self.peer[k] = v
                self.peer_settings_seen = True
                self.server_settings_raw = payload
                self.send(frame(SETTINGS, ACK, 0))
                return None
            if ftype == PING:
                if sid != 0 or len(payload) != 8:
                    self.conn_error("malformed PING (stream %d, %d bytes)" % (sid, len(payload)))
                if flags & ACK:
                    self.ping_acks.append(payload)
                else:
                    self.send(frame(PING, ACK, 0, payload))
                    self.pings_answered += 1
                return None
            if ftype == GOAWAY:
                if sid != 0:
                    self.conn_error("GOAWAY on stream %d" % sid)
                try:
                    self.goaway = dec_goaway(payload)
                except DecodeError as e:
                    self.conn_error("invalid GOAWAY payload: %s" % e)
                raise GoAwayReceived(self.goaway)
            if ftype == HEADERS:
                self.conn_error("HEADERS frame from the server")
            if ftype in (MESSAGE, TRAILERS, CANCEL, WINDOW_UPDATE):
                if sid == 0:
                    self.conn_error("%s frame on stream 0" % FRAME_NAMES[ftype])
                if ftype == WINDOW_UPDATE and len(payload) != 4:
                    self.conn_error("WINDOW_UPDATE with %d-byte payload" % len(payload))
                return ftype, flags, sid, payload
            # unknown frame type: ignored (§4)
            self.notes.append("ignored unknown frame type %d" % ftype)
            return None

    def handshake(self):
        self.send(PREFACE + frame(SETTINGS, 0, 0))  # preface then SETTINGS, without waiting

    def wait_settings(self, timeout=10.0):
        """Read until the server's SETTINGS has arrived (client-side 10 s rule, §2)."""
        old = self.sock.gettimeout()
        self.sock.settimeout(timeout)
        try:
            while not self.peer_settings_seen:
                f = self.pump_one()
                if f is not None:
                    raise ProtocolError("stream frame %r before server SETTINGS" % (f[:3],))
        finally:
            self.sock.settimeout(old)

    # Calls ----------------------------------------------------------------------------------
    def new_sid(self):
        sid = self.next_sid
        self.next_sid += 2
        return sid

    def start_call(self, method, request, timeout_micros=0, metadata=None, headers_flags=0):
        sid = self.new_sid()
        ch = enc_call_headers(method, timeout_micros, metadata)
        if len(ch) > self.peer["max_header_size"]:
            raise ProtocolError("HEADERS of %d bytes exceed the peer's max_header_size" % len(ch))
        data = frame(HEADERS, headers_flags, sid, ch)
        if request is not None:
            if len(request) > self.peer["max_frame_size"]:
                raise ProtocolError("message is %d bytes; the limit is %d"
                                    % (len(request), self.peer["max_frame_size"]))
            # our send window is the server's initial_window_size (> 0 on a new stream)
            data += frame(MESSAGE, END_STREAM, sid, request)
        self.send(data)
        return sid

    def finish_call(self, sid, on_message=None, window_updates=True, max_messages=None):
        """Read frames for `sid` until TRAILERS/CANCEL. Returns (messages, status, info)."""
        msgs = []
        info = {"messages": 0, "bytes": 0, "window_updates": 0, "wu_bytes": 0,
                "min_window_seen": self.MY_WINDOW, "trailers_raw": None,
                "trailers_flags": None, "message_flags": set()}
        unreturned = 0
        window = self.MY_WINDOW  # what the server may still send us on this stream
        while True:
            ftype, flags, fsid, payload = self.next_stream_frame()
            if fsid != sid:
                if fsid < sid:  # a stream that is no longer open: ignore (§5)
                    continue
                self.conn_error("%s on stream %d, which was never opened"
                                % (FRAME_NAMES[ftype], fsid))
            if ftype == MESSAGE:
                if window <= 0:
                    self.notes.append("server sent a MESSAGE on stream %d with window %d"
                                      % (sid, window))
                    info["flow_violation"] = True
                window -= len(payload)
                info["min_window_seen"] = min(info["min_window_seen"], window)
                info["messages"] += 1
                info["bytes"] += len(payload)
                info["message_flags"].add(flags)
                if on_message:
                    on_message(payload)
                else:
                    msgs.append(payload)
                unreturned += len(payload)
                if window_updates and unreturned >= self.MY_WINDOW // 2:
                    self.send(frame(WINDOW_UPDATE, 0, sid, struct.pack(">I", unreturned)))
                    window += unreturned
                    info["window_updates"] += 1
                    info["wu_bytes"] += unreturned
                    unreturned = 0
            elif ftype == TRAILERS:
                info["trailers_raw"] = payload
                info["trailers_flags"] = flags
                if len(payload) > self.MY_MAX_HEADER:
                    return msgs, {"code": 8, "message": "TRAILERS of %d bytes exceed the "
                                  "max_header_size of %d" % (len(payload), self.MY_MAX_HEADER),
                                  "details": [], "metadata": {}}, info
                st = dec_status(payload)
                if not 0 <= st["code"] <= 16:
                    st["original_code"] = st["code"]
                    st["code"] = 2
                return msgs, st, info
            elif ftype == CANCEL:
                st = dec_status(payload) if payload else {"code": 1, "message": "cancelled by server",
                                                          "details": [], "metadata": {}}
                info["cancel"] = True
                return msgs, st, info
            elif ftype == WINDOW_UPDATE:
                pass  # credit for our request; we send only one small message

    def cancel(self, sid, code=1, message=""):
        self.send(frame(CANCEL, 0, sid, enc_status(code, message) if (code or message) else b""))

    def ping(self, data):
        self.pending_pings[data] = time.monotonic()
        self.send(frame(PING, 0, 0, data))

    def close(self, tls):
        try:
            self.send(frame(GOAWAY, 0, 0, enc_goaway(0, 0, "client closing")))
        except OSError:
            pass
        result = "closed"
        # Drain what is still in flight (e.g. frames of a cancelled stream) and see whether the
        # server closes on our GOAWAY.
        try:
            self.sock.settimeout(1.0)
            while True:
                self.read_frame()
        except ConnectionClosed as e:
            return "server closed after our GOAWAY (%s)" % (
                "with close_notify" if tls and self.eof_clean else str(e))
        except (socket.timeout, ssl.SSLError, OSError):
            result = "server kept the connection open 1 s after our GOAWAY"
        if tls:
            try:
                self.sock.settimeout(3)
                self.sock.unwrap()  # sends close_notify (and waits for the peer's)
                result += "; close_notify sent, peer's close_notify received"
            except (ssl.SSLError, OSError) as e:
                result += "; close_notify sent, unwrap: %s" % e
        try:
            self.sock.close()
        except OSError:
            pass
        return result


# --------------------------------------------------------------------------------------------
# The script
# --------------------------------------------------------------------------------------------

class Report:
    def __init__(self):
        self.failures = 0
        self.warnings = 0

    def ok(self, name, detail=""):
        print("  PASS  %-34s %s" % (name, detail))

    def fail(self, name, detail=""):
        self.failures += 1
        print("  FAIL  %-34s %s" % (name, detail))

    def warn(self, name, detail=""):
        self.warnings += 1
        print("  NOTE  %-34s %s" % (name, detail))

    def check(self, cond, name, detail=""):
        (self.ok if cond else self.fail)(name, detail)
        return cond


def fmt_status(st):
    c = st["code"]
    name = STATUS_NAMES[c] if 0 <= c < len(STATUS_NAMES) else "?"
    return "%d %s %r" % (c, name, st["message"])


def open_conn(args, alpn=("roster/1",)):
    raw = socket.create_connection((args.host, args.port), timeout=15)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if args.plaintext:
        return raw, None
    ctx = ssl.create_default_context(cafile=args.ca)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if alpn:
        ctx.set_alpn_protocols(list(alpn))
    # suppress_ragged_eofs=False lets us tell an EOF without close_notify apart (§1 Closing)
    s = ctx.wrap_socket(raw, server_hostname=args.host, suppress_ragged_eofs=False)
    return s, ctx


def run(args):
    rep = Report()
    tls = not args.plaintext
    print("spec_client: %s:%d over %s, count %d" % (args.host, args.port,
                                                   "TLS" if tls else "plaintext", args.count))

    # 1. Transport ---------------------------------------------------------------------------
    try:
        sock, _ = open_conn(args)
    except (ssl.SSLError, OSError) as e:
        rep.fail("connect", str(e))
        return rep
    if tls:
        alpn = sock.selected_alpn_protocol()
        if not rep.check(alpn == "roster/1", "TLS + ALPN", "%s, %s, ALPN %r, cert verified for %s"
                         % (sock.version(), sock.cipher()[0], alpn, args.host)):
            sock.close()
            return rep
    else:
        rep.ok("TCP connect", "plaintext")

    c = Conn(sock, print)

    # 2. Preface + SETTINGS -----------------------------------------------------------------
    c.handshake()
    try:
        c.wait_settings()
    except GoAwayReceived as e:
        rep.fail("server SETTINGS", "refused: %s" % e)
        return rep
    except (ProtocolError, ConnectionClosed, socket.timeout) as e:
        rep.fail("server SETTINGS", str(e))
        return rep
    raw = c.server_settings_raw
    rep.ok("server SETTINGS (ACKed)", "%s (raw %s)" % (
        ", ".join("%s=%d" % (k, c.peer[k]) for k in SETTINGS_DEFAULTS), raw.hex(" ")))

    # 3. Unary ListGroups -------------------------------------------------------------------
    req = enc_list_groups_request("uk", 10, "team")
    rep.check(req.hex(" ") == "0a 02 75 6b 10 0a 1a 04 74 65 61 6d", "request encoding (§6)",
              req.hex(" "))
    ch = enc_call_headers("/peerbench.Directory/ListGroups")
    rep.check(len(ch) == 33, "CallHeaders encoding (§6)", "%d bytes" % len(ch))
    sid = c.start_call("/peerbench.Directory/ListGroups", req)
    msgs, st, info = c.finish_call(sid)
    if rep.check(st["code"] == 0 and len(msgs) == 1, "unary ListGroups",
                 "stream %d, %d message(s), status %s" % (sid, len(msgs), fmt_status(st))):
        groups = dec_list_groups_response(msgs[0])
        rep.check(len(groups) == 10 and len(msgs[0]) == 600, "ListGroupsResponse",
                  "%d groups, %d bytes; first %r" % (len(groups), len(msgs[0]), groups[0]))
    rep.check(info["trailers_raw"] == b"" and info["trailers_flags"] & END_STREAM,
              "OK TRAILERS empty + END_STREAM", "payload %r, flags 0x%02x"
              % (info["trailers_raw"], info["trailers_flags"] or 0))

    # 4. Deadline + metadata ----------------------------------------------------------------
    md = {"authorization": "Bearer spec-client-key", "x-request-id": "spec-client-0001",
          "trace.ctx_id": "abc", "blob-bin": base64.b64encode(b"\x00\xffbinary").decode()}
    sid = c.start_call("/peerbench.Directory/ListGroups", req, timeout_micros=5_000_000,
                       metadata=md)
    msgs, st, info = c.finish_call(sid)
    rep.check(st["code"] == 0 and len(msgs) == 1 and len(dec_list_groups_response(msgs[0])) == 10,
              "deadline 5 s + 4 metadata keys", "stream %d, status %s" % (sid, fmt_status(st)))

    # 5. Server streaming WatchProgress -----------------------------------------------------
    K = args.count
    seen = {"n": 0, "first": None, "last": None, "bad": None, "prev_pct": -1.0}

    def on_update(p):
        try:
            u = dec_progress_update(p)
        except DecodeError as e:
            seen["bad"] = str(e)
            return
        if seen["first"] is None:
            seen["first"] = u
        seen["last"] = u
        seen["n"] += 1

    t0 = time.monotonic()
    sid = c.start_call("/peerbench.Directory/WatchProgress",
                       enc_watch_progress_request(b"spec-job-1", K, "spec_client.py"))
    _, st, info = c.finish_call(sid, on_message=on_update)
    dt = time.monotonic() - t0
    rep.check(st["code"] == 0 and seen["n"] == K and not seen["bad"], "server-streaming WatchProgress",
              "stream %d, %d/%d updates, %d bytes, %.2f s (%.0f msg/s), status %s"
              % (sid, seen["n"], K, info["bytes"], dt, seen["n"] / dt if dt else 0, fmt_status(st)))
    if seen["bad"]:
        rep.fail("ProgressUpdate decode", seen["bad"])
    if seen["first"]:
        rep.ok("ProgressUpdate first/last", "%r / %r" % (seen["first"], seen["last"]))
    rep.check(not info.get("flow_violation"), "flow control respected by server",
              "%d WINDOW_UPDATEs sent (%d bytes); lowest window %d; message flags %s"
              % (info["window_updates"], info["wu_bytes"], info["min_window_seen"],
                 sorted(info["message_flags"])))
    rep.check(info["message_flags"] <= {0}, "server MESSAGE frames carry no flags (§4)")

    # 6. Unknown method ---------------------------------------------------------------------
    sid = c.start_call("/peerbench.Directory/NoSuchMethod", b"")
    msgs, st, info = c.finish_call(sid)
    print("        unknown method TRAILERS: code %d, message %r" % (st["code"], st["message"]))
    rep.check(st["code"] == 12 and not msgs, "unknown method -> 12 UNIMPLEMENTED",
              fmt_status(st))

    # 7. Extra checks of the spec ---------------------------------------------------------
    # 7a. PING round trip (the server must echo the 8 bytes).
    c.ping(b"\x01\x02\x03\x04\x05\x06\x07\x08")
    # 7b. Unknown frame type on stream 0 must be ignored (§4); a bad metadata key is a call error.
    c.send(frame(0x2A, 0, 0, b"future extension"))
    sid = c.start_call("/peerbench.Directory/ListGroups", req, metadata={"X-Trace": "1"})
    _, st, _ = c.finish_call(sid)
    rep.check(st["code"] == 3, "metadata key X-Trace -> 3", fmt_status(st))
    exp = 'metadata key "X-Trace" is invalid: keys are 1–128 bytes of a-z 0-9 - _ .'
    if st["message"] != exp:
        rep.warn("  message text", "spec §9 example %r" % exp)
    rep.check(any(p == b"\x01\x02\x03\x04\x05\x06\x07\x08" for p in c.ping_acks),
              "PING -> PING ACK echo; unknown type ignored", "%d ACK(s)" % len(c.ping_acks))
    # 7c. HEADERS with END_STREAM (no request message) -> 13.
    sid = c.start_call("/peerbench.Directory/ListGroups", None, headers_flags=END_STREAM)
    _, st, _ = c.finish_call(sid)
    rep.check(st["code"] == 13 and "expects one request message, got none" in st["message"],
              "HEADERS END_STREAM -> 13", fmt_status(st))
    # 7d. Request MESSAGE without END_STREAM followed by a second one -> 13.
    sid = c.new_sid()
    c.send(frame(HEADERS, 0, sid, enc_call_headers("/peerbench.Directory/ListGroups"))
           + frame(MESSAGE, 0, sid, req) + frame(MESSAGE, END_STREAM, sid, req))
    _, st, _ = c.finish_call(sid)
    rep.check(st["code"] == 13, "two request messages -> 13", fmt_status(st))
    if "got a second" not in st["message"]:
        rep.warn("  message text", "spec §6 form '… expects one request message, got a second'")
    # 7e. Deadline that expires: a big stream we do not read, 300 ms deadline -> 4.
    sid = c.start_call("/peerbench.Directory/WatchProgress",
                       enc_watch_progress_request(b"spec-job-2", 50_000_000, "spec_client.py"),
                       timeout_micros=300_000)
    t0 = time.monotonic()
    _, st, info = c.finish_call(sid, on_message=lambda p: None, window_updates=False)
    dt = time.monotonic() - t0
    rep.check(st["code"] == 4, "deadline 300 ms, no WINDOW_UPDATE -> 4",
              "%s after %.2f s, %d bytes received (window %d)"
              % (fmt_status(st), dt, info["bytes"], Conn.MY_WINDOW))
    if st["code"] == 4 and st["message"] != "deadline of 300 ms exceeded":
        rep.warn("  message text", "spec §8 form 'deadline of 300 ms exceeded'")
    # 7f. Client CANCEL of a running stream; the next call still works.
    sid = c.start_call("/peerbench.Directory/WatchProgress",
                       enc_watch_progress_request(b"spec-job-3", 50_000_000, "spec_client.py"))
    c.cancel(sid, 1, "user pressed Ctrl-C")
    sid2 = c.start_call("/peerbench.Directory/ListGroups", req)
    msgs, st, _ = c.finish_call(sid2)  # frames on the cancelled stream are ignored
    rep.check(st["code"] == 0 and len(msgs) == 1, "CANCEL then new call", fmt_status(st))

    # 8. Close ------------------------------------------------------------------------------
    how = c.close(tls)
    rep.ok("close", "GOAWAY(0, 0, 'client closing'); " + how)
    if c.notes:
        for n in c.notes[:5]:
            rep.warn("observation", n)

    # 9. Connection-level checks on fresh connections -----------------------------------
    connection_checks(args, rep, tls)
    return rep


def read_goaway_then_eof(sock, c):
    try:
        while True:
            ftype, flags, sid, payload = c.read_frame()
            if ftype == GOAWAY:
                return dec_goaway(payload), struct.pack(">IBBI", len(payload), ftype, flags, sid) + payload
    except (ConnectionClosed, OSError, ssl.SSLError):
        return None, None


def fresh(args):
    s, _ = open_conn(args)
    c = Conn(s, print)
    c.handshake()
    c.wait_settings()
    return c


def collect(c, timeout=3.0):
    """All frames until EOF or `timeout` of silence: (frames, how it ended)."""
    out = []
    c.sock.settimeout(timeout)
    try:
        while True:
            out.append(c.read_frame())
    except ConnectionClosed as e:
        return out, "EOF" if c.eof_clean else str(e)
    except socket.timeout:
        return out, "still open after %.0f s" % timeout
    except (ssl.SSLError, OSError) as e:
        return out, "error: %s" % e


def goaways(frames):
    return [dec_goaway(p) for t, f, s, p in frames if t == GOAWAY]


def trailers(frames, sid):
    return [dec_status(p) for t, f, s, p in frames if t == TRAILERS and s == sid]


NOTES = []


def probe(args, rep, name, action, judge):
    try:
        c = fresh(args)
        extra = action(c)
        frames, end = collect(c)
        n0 = len(NOTES)
        ok, detail = judge(frames, end, extra)
        rep.check(ok, name, detail)
        rep.warnings += len(NOTES) - n0
        try:
            c.sock.close()
        except OSError:
            pass
    except Exception as e:  # noqa: BLE001 - report any probe failure
        rep.fail(name, "%s: %s" % (type(e).__name__, e))


def judge_goaway(code, text=None, last=None):
    def j(frames, end, _):
        g = goaways(frames)
        if not g:
            kinds = [FRAME_NAMES[t] if t < 8 else str(t) for t, *_ in frames]
            summary = ", ".join("%s x%d" % (k, kinds.count(k)) for k in dict.fromkeys(kinds))
            return False, "no GOAWAY; frames: %s; then %s" % (summary, end)
        g = g[0]
        ok = g["code"] == code and (last is None or g["last_stream_id"] == last)
        detail = "GOAWAY(last %d, code %d, %r), then %s" % (g["last_stream_id"], g["code"],
                                                          g["message"], end)
        if ok and text is not None and g["message"] != text:
            detail += "\n        NOTE: message differs from the spec's text %r" % text
            NOTES.append(text)
        return ok, detail
    return j


def conformance_probes(args, rep):
    LG = "/peerbench.Directory/ListGroups"
    req = enc_list_groups_request("uk", 10, "team")
    # Frame larger than the server's max_frame_size: GOAWAY 8 from the header alone (§3, §13).
    probe(args, rep, "frame > max_frame_size -> GOAWAY 8",
          lambda c: c.send(struct.pack(">IBBI", 5_000_000, MESSAGE, 0, 1)),
          judge_goaway(8, "frame payload of 5000000 bytes exceeds the max_frame_size of 4194304"))
    # SETTINGS with an out-of-range value (§2).
    probe(args, rep, "SETTINGS max_frame_size 1024 -> 13",
          lambda c: c.send(frame(SETTINGS, 0, 0, f_varint(1, 1024))),
          judge_goaway(13, "SETTINGS max_frame_size of 1024 is outside 16384…16777215"))
    # SETTINGS on a stream other than 0 (§4).
    probe(args, rep, "SETTINGS on stream 5 -> 13",
          lambda c: c.send(frame(SETTINGS, 0, 5)),
          judge_goaway(13, "SETTINGS frame on stream 5; SETTINGS is only valid on stream 0"))
    # MESSAGE on a stream never opened (§5).
    probe(args, rep, "MESSAGE on stream 9, never opened -> 13",
          lambda c: c.send(frame(MESSAGE, END_STREAM, 9, req)),
          judge_goaway(13, "MESSAGE on stream 9, which was never opened"))
    # PING of the wrong size (§4).
    probe(args, rep, "PING of 4 bytes -> 13",
          lambda c: c.send(frame(PING, 0, 0, b"abcd")), judge_goaway(13))

    # WINDOW_UPDATE that overflows the server's send window (§10).
    def wu_overflow(c):
        sid = c.start_call("/peerbench.Directory/WatchProgress",
                           enc_watch_progress_request(b"x", 3_000_000, "spec"))
        # Two maximal increments: whatever the server has sent meanwhile (its window may already
        # be <= 0, making the first one legal), the second takes the window above 2^31-1.
        c.send(frame(WINDOW_UPDATE, 0, sid, struct.pack(">I", 0x7FFFFFFF)) * 2)
    probe(args, rep, "WINDOW_UPDATE overflow -> 13", wu_overflow,
          judge_goaway(13, "WINDOW_UPDATE overflows the window of stream 1"))

    # HEADERS larger than max_header_size: TRAILERS 8, connection continues (§9).
    def big_headers(c):
        sid = c.new_sid()  # bypass our own max_header_size check on purpose
        c.send(frame(HEADERS, 0, sid, enc_call_headers(LG, 0, {"x-pad": "p" * 20000}))
               + frame(MESSAGE, END_STREAM, sid, req))
        sid2 = c.start_call(LG, req)
        return sid, sid2

    def judge_big(frames, end, sids):
        t1, t2 = trailers(frames, sids[0]), trailers(frames, sids[1])
        ok = bool(t1) and t1[0]["code"] == 8 and bool(t2) and t2[0]["code"] == 0 and not goaways(frames)
        detail = "first: %s; next call: %s" % (fmt_status(t1[0]) if t1 else "no TRAILERS",
                                               fmt_status(t2[0]) if t2 else "no TRAILERS")
        exp = "HEADERS of 20048 bytes exceed the max_header_size of 16384; send less metadata"
        if ok and t1[0]["message"] != exp:
            detail += "\n        NOTE: message differs from the spec's form %r" % exp
            NOTES.append(exp)
        return ok, detail
    probe(args, rep, "HEADERS > max_header_size -> 8", big_headers, judge_big)

    # Invalid UTF-8 in a request string -> 3 with the decoder's message (§13).
    def bad_utf8(c):
        return c.start_call(LG, b"\x0a\x02\xff\xfe")

    def judge_utf8(frames, end, sid):
        t = trailers(frames, sid)
        return bool(t) and t[0]["code"] == 3, ("%s (payload 0a 02 ff fe)" % fmt_status(t[0])) if t else "no TRAILERS"
    probe(args, rep, "invalid UTF-8 in request -> 3", bad_utf8, judge_utf8)

    # A second request MESSAGE after the half-close (§6).
    def second_after_half_close(c):
        sid = c.new_sid()
        c.send(frame(HEADERS, 0, sid, enc_call_headers(LG)) + frame(MESSAGE, END_STREAM, sid, req)
               + frame(MESSAGE, END_STREAM, sid, req))
        return sid

    def judge_second(frames, end, sid):
        t = trailers(frames, sid)
        n = sum(1 for ty, f, s, p in frames if ty == MESSAGE and s == sid)
        detail = "%d response message(s), %s" % (n, fmt_status(t[0]) if t else "no TRAILERS")
        return bool(t), detail
    probe(args, rep, "2nd MESSAGE after END_STREAM (info)", second_after_half_close, judge_second)

    # PING flood: more than 10 PINGs in one second (§11: server MAY GOAWAY 8).
    def flood(c):
        c.send(b"".join(frame(PING, 0, 0, struct.pack(">Q", i)) for i in range(20)))

    def judge_flood(frames, end, _):
        acks = sum(1 for t, f, s, p in frames if t == PING and f & ACK)
        g = goaways(frames)
        return True, "%d PING ACKs; %s; %s" % (acks, ("GOAWAY(%d, %r)" % (g[0]["code"], g[0]["message"]))
                                                if g else "no GOAWAY", end)
    probe(args, rep, "20 PINGs at once (info)", flood, judge_flood)


def connection_checks(args, rep, tls):
    # Bad preface: exact GOAWAY bytes of §2.
    try:
        s, _ = open_conn(args)
        s.sendall(b"GET / HTTP/1.1\r\n\r\n")
        c = Conn(s, print)
        frames, end = collect(c)
        g = raw = None
        for t, f, sid_, p in frames:
            if t == GOAWAY:
                g, raw = dec_goaway(p), struct.pack(">IBBI", len(p), t, f, sid_) + p
        if frames and frames[0][0] not in (GOAWAY, SETTINGS):
            rep.warn("bad preface: frames", "%s before the GOAWAY; then %s"
                     % ([FRAME_NAMES[x[0]] for x in frames[:-1]], end))
        exp_msg = 'expected the Roster preface "ROSTER/1\\r\\n\\r\\n" (byte 0 differs); is this a Roster client?'
        exp = bytes.fromhex("0000005d070000000000100d1a59") + exp_msg.encode()
        # The server may send its SETTINGS first (§2.3 "may send that frame before the preface")
        rep.check(raw == exp, "bad preface -> exact GOAWAY (§2)",
                  "%r" % (g,) if g else "no GOAWAY before close")
        s.close()
    except (OSError, ssl.SSLError) as e:
        rep.fail("bad preface -> exact GOAWAY (§2)", str(e))

    # Stream ids must increase: HEADERS on 5 after 7 -> connection error 13.
    try:
        s, _ = open_conn(args)
        c = Conn(s, print)
        c.handshake()
        c.wait_settings()
        req = enc_list_groups_request("uk", 10, "team")
        c.next_sid = 7
        sid = c.start_call("/peerbench.Directory/ListGroups", req)
        c.finish_call(sid)
        c.next_sid = 5
        c.start_call("/peerbench.Directory/ListGroups", req)
        try:
            c.finish_call(5)
            rep.fail("stream id 5 after 7 -> GOAWAY 13", "no GOAWAY")
        except GoAwayReceived as e:
            g = e.goaway
            rep.check(g["code"] == 13 and g["last_stream_id"] == 7, "stream id 5 after 7 -> GOAWAY 13",
                      "GOAWAY(last %d, code %d, %r)" % (g["last_stream_id"], g["code"], g["message"]))
        s.close()
    except (OSError, ssl.SSLError, ProtocolError, ConnectionClosed) as e:
        rep.fail("stream id 5 after 7 -> GOAWAY 13", str(e))

    conformance_probes(args, rep)

    if tls:
        # No ALPN -> handshake fails with no_application_protocol (120).
        try:
            s, _ = open_conn(args, alpn=None)
            rep.fail("TLS without ALPN -> alert 120", "handshake succeeded, ALPN %r"
                     % s.selected_alpn_protocol())
            s.close()
        except ssl.SSLError as e:
            rep.check("NO APPLICATION PROTOCOL" in str(e).upper().replace("_", " "),
                      "TLS without ALPN -> alert 120", str(e))
        # Wrong host name must fail verification (client side check).
        try:
            raw = socket.create_connection((args.host, args.port), timeout=10)
            ctx = ssl.create_default_context(cafile=args.ca)
            ctx.set_alpn_protocols(["roster/1"])
            s = ctx.wrap_socket(raw, server_hostname="not-the-server.example")
            rep.fail("wrong host name rejected", "handshake succeeded")
            s.close()
        except ssl.SSLCertVerificationError as e:
            rep.ok("wrong host name rejected", e.verify_message)
        except (ssl.SSLError, OSError) as e:
            rep.warn("wrong host name rejected", "other error: %s" % e)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--plaintext", action="store_true")
    g.add_argument("--ca", help="CA file to verify the server certificate against")
    ap.add_argument("--count", type=int, default=100000)
    args = ap.parse_args()
    try:
        rep = run(args)
    except (GoAwayReceived, ProtocolError, ConnectionClosed, DecodeError, OSError) as e:
        print("  FAIL  aborted: %s: %s" % (type(e).__name__, e))
        return 1
    print("result: %s (%d failure(s), %d note(s))"
          % ("OK" if rep.failures == 0 else "DEVIATIONS", rep.failures, rep.warnings))
    return 1 if rep.failures else 0


if __name__ == "__main__":
    sys.exit(main())
