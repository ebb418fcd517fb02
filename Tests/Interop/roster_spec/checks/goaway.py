"""§12 Client GOAWAY, last on the main connection: after GOAWAY(0, 0, "client closing") the
server answers with its own GOAWAY as in §12 step 1 (the highest stream id it accepted, 14,
"server is shutting down; reconnect to another instance"), then closes at once (no call is
open), with close_notify over TLS; we read until EOF, then send our close_notify."""

from ..messages import fmt_goaway
from ..wire import frame_name
from .encoding import SHUTDOWN_MESSAGE
from .probe import goaways


def close_main(ctx):
    conn, rep = ctx.main, ctx.rep
    last = conn.highest_sid
    frames, end = conn.close()
    gs = goaways(frames)
    want = {"last_stream_id": last, "code": 14, "message": SHUTDOWN_MESSAGE}
    ok = gs == [want] and end == "EOF"
    detail = "%s, then %s" % (", ".join(fmt_goaway(g) for g in gs) or "no GOAWAY", end)
    if not ok:
        detail += "; PROTOCOL.md: %s, then %sclose" % (
            fmt_goaway(want), "close_notify and " if conn.tls else "")
    rep.check(ok, "client GOAWAY -> server GOAWAY 14, close", detail)
    if conn.ignored_types:
        rep.info("the server sent frames of types %s, which we skipped (§4)"
                 % sorted({frame_name(t) for t in conn.ignored_types}))
    ctx.main = None


MAIN = []
FRESH = []
