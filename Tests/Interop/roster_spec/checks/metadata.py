"""§9 Metadata: valid keys (a `-bin` key with a base64 value among them) are accepted; a key
that breaks the rules gets TRAILERS 3 with §9's exact text; HEADERS above the server's
max_header_size get TRAILERS 8 with §9's exact text, and the connection continues."""

import base64

from .. import calls as rpc
from ..messages import enc_call_headers, fmt_status
from ..wire import END_STREAM, HEADERS, MESSAGE, frame
from .peerbench import LIST_GROUPS, REQUEST
from .probe import goaways, run_probe, trailers

BAD_KEY_TEXT = ('metadata key "X-Trace" is not allowed: use 1–128 lower-case ASCII letters, '
                "digits, '-', '_' or '.'")


def valid_keys(ctx):
    md = {"authorization": "Bearer spec-client-key", "x-request-id": "spec-client-0001",
          "trace.ctx_id": "abc", "blob-bin": base64.b64encode(b"\x00\xffbinary").decode()}
    res = rpc.unary(ctx.main, LIST_GROUPS, REQUEST, metadata=md)
    ctx.rep.check(res.status["code"] == 0 and res.count == 1, "4 valid metadata keys -> 0",
                  "%s; keys %s" % (fmt_status(res.status), ", ".join(sorted(md))))


def bad_key(ctx):
    res = rpc.unary(ctx.main, LIST_GROUPS, REQUEST, metadata={"X-Trace": "1"})
    ctx.rep.equal("metadata key X-Trace -> 3, exact text",
                  (res.status["code"], res.status["message"]), (3, BAD_KEY_TEXT))


def headers_too_large(ctx):
    """On a fresh connection: the call gets 8, the next call on the connection gets 0."""
    def action(conn):
        sid = conn.new_sid()  # past our own max_header_size check, on purpose
        headers = enc_call_headers(LIST_GROUPS, 0, {"x-pad": "p" * 20000})
        conn.send(frame(HEADERS, 0, sid, headers) + frame(MESSAGE, END_STREAM, sid, REQUEST))
        return sid, len(headers), rpc.start(conn, LIST_GROUPS, REQUEST)

    def judge(frames, end, extra, conn):
        sid, n, next_sid = extra
        want = ("call metadata of %d bytes exceeds the max_header_size of %d; send less metadata"
                % (n, conn.peer["max_header_size"]))
        first, second = trailers(frames, sid), trailers(frames, next_sid)
        ok = ([(t["code"], t["message"]) for t in first] == [(8, want)]
              and [t["code"] for t in second] == [0] and not goaways(frames))
        detail = "first: %s; next call: %s; then %s" % (
            fmt_status(first[0]) if first else "no TRAILERS",
            fmt_status(second[0]) if second else "no TRAILERS", end)
        return ok, detail + ("" if ok else "; PROTOCOL.md: 8 %r, the connection continues" % want)
    run_probe(ctx, "HEADERS > max_header_size -> 8, exact text", action, judge)


MAIN = [valid_keys, bad_key]
FRESH = [headers_too_large]
