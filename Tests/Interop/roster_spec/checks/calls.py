"""§6 Life of a call and §7 status codes, on the main connection, against the benchmark service:
a unary call (exactly one MESSAGE, then an empty TRAILERS with END_STREAM), a server stream
(`--count` updates, MESSAGE frames without flags, within the window), an unknown method (12 and
its exact text), the request-count errors (13 and their exact texts), and a client CANCEL after
which the stream gets nothing more and the next call works."""

import time

from .. import calls as rpc
from ..messages import (dec_list_groups_response, dec_progress_update, enc_call_headers,
                        fmt_status)
from ..protobuf import DecodeError
from ..wire import CANCEL, END_STREAM, HEADERS, MESSAGE, TRAILERS, frame
from .peerbench import (ENDLESS, GROUPS, LIST_GROUPS, LIST_GROUPS_RESPONSE_BYTES, METHODS,
                        REQUEST, UPDATE, UPDATE_BYTES, WATCH_PROGRESS, watch)


def unary(ctx):
    """§6 unary call: one MESSAGE, the benchmark's response, TRAILERS empty with END_STREAM."""
    rep = ctx.rep
    res = rpc.unary(ctx.main, LIST_GROUPS, REQUEST)
    rep.check(res.status["code"] == 0 and res.count == 1, "unary ListGroups -> 1 MESSAGE, 0",
              "stream %d, %d message(s), %s" % (res.sid, res.count, fmt_status(res.status)))
    if res.messages:
        _check_groups(rep, res.messages[0])
    rep.check(res.ended_by == TRAILERS and res.trailers_raw == b"" and res.end_flags & END_STREAM,
              "OK TRAILERS: empty payload, END_STREAM", "payload %r, flags 0x%02x"
              % (res.trailers_raw, res.end_flags or 0))


def _check_groups(rep, payload):
    """The 600-byte ListGroupsResponse of §6, group by group."""
    groups = dec_list_groups_response(payload)
    ok = groups == GROUPS and len(payload) == LIST_GROUPS_RESPONSE_BYTES
    detail = "%d groups, %d bytes" % (len(groups), len(payload))
    diff = [(g, w) for g, w in zip(groups, GROUPS) if g != w]
    if diff:
        detail += "; first difference %r, §6: %r" % diff[0]
    elif ok:
        detail += "; %s … %s" % (GROUPS[0]["id"], GROUPS[-1]["mail"])
    rep.check(ok, "ListGroupsResponse is §6's", detail)


def streaming(ctx):
    """§6 server-streaming call with --count updates; credit returned as §10 recommends."""
    rep, count = ctx.rep, ctx.args.count
    seen = {"wrong": 0, "first_wrong": None}

    def on_update(payload):
        try:
            ok = dec_progress_update(payload) == UPDATE and len(payload) == UPDATE_BYTES
        except DecodeError as e:
            ok = False
            payload = "%s (%s)" % (payload.hex(" "), e)
        if not ok:
            seen["wrong"] += 1
            seen["first_wrong"] = seen["first_wrong"] or payload

    t0 = time.monotonic()
    res = rpc.finish(ctx.main, rpc.start(ctx.main, WATCH_PROGRESS, watch(count)), on_update)
    dt = time.monotonic() - t0
    rep.check(res.status["code"] == 0 and res.count == count, "WatchProgress -> --count, then 0",
              "stream %d, %d/%d updates, %d bytes, %.2f s (%.0f msg/s), %s" % (
                  res.sid, res.count, count, res.bytes, dt, res.count / dt if dt else 0,
                  fmt_status(res.status)))
    rep.check(seen["wrong"] == 0, "every ProgressUpdate is §6's", "%d differ; first %r" % (
        seen["wrong"], seen["first_wrong"]) if seen["wrong"] else "%d × %r" % (count, UPDATE))
    rep.check(not res.window.violations, "no MESSAGE sent at a window <= 0 (§10)",
              "%d WINDOW_UPDATEs; lowest window %d; violations %s" % (
                  res.window_updates, res.window.lowest, res.window.violations[:3]))
    rep.check(res.message_flags <= {0}, "server MESSAGE frames carry no flags (§4)",
              "flags seen: %s" % sorted(res.message_flags))


def unknown_method(ctx):
    """§7: 12 UNIMPLEMENTED, "unknown method /x/y; this server serves /a/B, /a/C"."""
    res = rpc.unary(ctx.main, "/peerbench.Directory/NoSuchMethod", b"")
    want = "unknown method /peerbench.Directory/NoSuchMethod; this server serves %s" % (
        ", ".join(METHODS))
    ctx.rep.equal("unknown method -> 12, exact text", (res.status["code"], res.status["message"],
                                                      res.count), (12, want, 0))


def no_request(ctx):
    """§4 HEADERS END_STREAM: TRAILERS 13 "<method> expects one request message, got none"."""
    res = rpc.finish(ctx.main, rpc.start(ctx.main, LIST_GROUPS, None, headers_flags=END_STREAM))
    ctx.rep.equal("HEADERS END_STREAM -> 13, exact text",
                  (res.status["code"], res.status["message"]),
                  (13, LIST_GROUPS + " expects one request message, got none"))


def two_requests(ctx):
    """§6: a request MESSAGE without END_STREAM fails the call at once with 13."""
    conn = ctx.main
    sid = conn.new_sid()
    conn.send(frame(HEADERS, 0, sid, enc_call_headers(LIST_GROUPS))
              + frame(MESSAGE, 0, sid, REQUEST) + frame(MESSAGE, END_STREAM, sid, REQUEST))
    res = rpc.finish(conn, sid)
    ctx.rep.equal("MESSAGE without END_STREAM -> 13, exact text",
                  (res.status["code"], res.status["message"]),
                  (13, LIST_GROUPS + " expects one request message, got more after this one "
                   "(END_STREAM not set)"))


def request_after_half_close(ctx):
    """§6: a request MESSAGE after the half-close gets TRAILERS 13 "… got a second". The call
    is a WatchProgress that cannot end meanwhile (its window is not renewed)."""
    conn = ctx.main
    sid = conn.new_sid()
    request = watch(ENDLESS)
    conn.send(frame(HEADERS, 0, sid, enc_call_headers(WATCH_PROGRESS))
              + frame(MESSAGE, END_STREAM, sid, request) + frame(MESSAGE, END_STREAM, sid, request))
    res = rpc.finish(conn, sid, on_message=lambda p: None, credit=False)
    ctx.rep.equal("request after the half-close -> 13, exact text",
                  (res.status["code"], res.status["message"]),
                  (13, WATCH_PROGRESS + " expects one request message, got a second"))


def cancel_then_call(ctx):
    """§6 client cancel: the server sends nothing more on the stream (no TRAILERS), and the
    next call on the connection works. A PING round trip lets the CANCEL take effect."""
    conn = ctx.main
    sid = rpc.start(conn, WATCH_PROGRESS, watch(ENDLESS))
    rpc.cancel(conn, sid, 1, "user pressed Ctrl-C")
    res = rpc.unary(conn, LIST_GROUPS, REQUEST)
    conn.ping(b"cancel-1")
    ended = [t for t, s in conn.stray if s == sid and t in (TRAILERS, CANCEL)]
    ctx.rep.check(res.status["code"] == 0 and res.count == 1 and not ended,
                  "CANCEL: nothing more on it, next call 0", "next call %s; %d frame(s) of the "
                  "cancelled stream ignored, %d of them TRAILERS or CANCEL" % (
                      fmt_status(res.status), sum(1 for _, s in conn.stray if s == sid),
                      len(ended)))


MAIN = [unary, streaming, unknown_method, no_request, two_requests, request_after_half_close,
        cancel_then_call]
FRESH = []
