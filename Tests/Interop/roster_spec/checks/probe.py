"""Checks on fresh connections that the server must end with a connection error (§12: GOAWAY
with the code and a message saying what was wrong, then close_notify and close), or that must
leave the connection open. A probe does one thing, then reads every frame until the connection
ends or 3 s pass in silence, and judges what arrived.
"""

from ..messages import dec_goaway, dec_status, fmt_goaway
from ..wire import GOAWAY, TRAILERS, frame_name


def goaways(frames):
    return [dec_goaway(p) for t, _, _, p in frames if t == GOAWAY]


def trailers(frames, sid):
    return [dec_status(p) for t, _, s, p in frames if t == TRAILERS and s == sid]


def summary(frames):
    names = [frame_name(t) for t, _, _, _ in frames]
    return ", ".join("%s x%d" % (n, names.count(n)) for n in dict.fromkeys(names)) or "none"


def run_probe(ctx, name, action, judge, timeout=3.0):
    """action(conn) -> extra; judge(frames, end, extra, conn) -> (ok, detail)."""
    def body():
        conn = ctx.fresh()
        try:
            extra = action(conn)
            frames, end = conn.drain(timeout)
            ok, detail = judge(frames, end, extra, conn)
            ctx.rep.check(ok, name, detail)
        finally:
            conn.abort()
    ctx.attempt(name, body)


def expect_goaway(code, text=None, last=None, names=None):
    """A judge for a connection error: one GOAWAY with `code`, and where PROTOCOL.md states them
    its exact `text` (a string, or a function of the connection), its `last_stream_id`, or the
    frame type its message `names`; then the end of the connection, with close_notify over TLS."""
    def judge(frames, end, _extra, conn):
        gs = goaways(frames)
        if not gs:
            return False, "no GOAWAY; frames: %s; then %s" % (summary(frames), end)
        g = gs[0]
        want = text(conn) if callable(text) else text
        problems = []
        if g["code"] != code:
            problems.append("PROTOCOL.md: code %d" % code)
        if want is not None and g["message"] != want:
            problems.append("PROTOCOL.md: message %r" % want)
        if names is not None and names not in g["message"]:
            problems.append("PROTOCOL.md: the message names the frame, %s" % names)
        if last is not None and g["last_stream_id"] != last:
            problems.append("PROTOCOL.md: last_stream_id %d" % last)
        if end != "EOF":
            problems.append("PROTOCOL.md: then %sclose" % ("close_notify and " if conn.tls else ""))
        return not problems, "; ".join(["%s, then %s" % (fmt_goaway(g), end)] + problems)
    return judge
