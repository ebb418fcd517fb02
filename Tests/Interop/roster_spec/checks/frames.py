"""§3 and §4 frames: frame types the server does not know are skipped on any stream; malformed
known frames are connection errors, GOAWAY 13 with a message that names the frame (SETTINGS on
stream 5, a PING of 4 bytes)."""

from .. import calls as rpc
from ..messages import fmt_status
from ..wire import PING, SETTINGS, frame
from .peerbench import LIST_GROUPS, REQUEST
from .probe import expect_goaway, run_probe


def unknown_types(ctx):
    """Unknown types 0x2a on stream 0 and 0x08 on a finished call's stream, then a PING and a
    call: both answered as if nothing had been sent (§4, §15)."""
    conn = ctx.main
    conn.send(frame(0x2A, 0, 0, b"future extension") + frame(0x08, 0x80, conn.highest_sid, b"x"))
    conn.ping(b"unknown1")
    res = rpc.unary(conn, LIST_GROUPS, REQUEST)
    ctx.rep.check(res.status["code"] == 0 and res.count == 1, "unknown frame types skipped",
                  "PING answered, next call %s" % fmt_status(res.status))


def settings_on_stream_5(ctx):
    run_probe(ctx, "SETTINGS on stream 5 -> GOAWAY 13", lambda c: c.send(frame(SETTINGS, 0, 5)),
              expect_goaway(13, names="SETTINGS"))


def short_ping(ctx):
    run_probe(ctx, "PING of 4 bytes -> GOAWAY 13", lambda c: c.send(frame(PING, 0, 0, b"abcd")),
              expect_goaway(13, names="PING"))


MAIN = [unknown_types]
FRESH = [settings_on_stream_5, short_ping]
