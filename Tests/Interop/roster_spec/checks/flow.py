"""§10 Flow control: a server stream whose reader returns no credit stops while its window is
<= 0 and resumes on WINDOW_UPDATE; a WINDOW_UPDATE that takes the server's send window above
2^31-1 is a connection error with §10's exact text."""

import struct

from .. import calls as rpc
from ..messages import fmt_status
from ..wire import WINDOW_UPDATE, frame
from .peerbench import WATCH_PROGRESS, watch
from .probe import expect_goaway, run_probe

STALLED_COUNT = 10_000  # 600,000 bytes: more than two initial windows


def stalled_reader(ctx):
    """Read without returning credit until the server has been silent for 1 s, then return it
    all and read to the end."""
    conn, rep = ctx.main, ctx.rep
    res = rpc.finish(conn, rpc.start(conn, WATCH_PROGRESS, watch(STALLED_COUNT)),
                     on_message=lambda p: None, credit=False, idle=1.0)
    held = res.bytes
    rep.check(res.status is None and not res.window.violations,
              "server waits while the window is <= 0",
              "%d bytes before it paused (window %d, now %d); %s" % (
                  held, res.window.initial, res.window.window,
                  "MESSAGEs at a window <= 0: %s" % res.window.violations[:3]
                  if res.window.violations else "no MESSAGE at a window <= 0"))
    if res.status is not None:
        return
    rpc.give_credit(conn, res)
    res = rpc.finish(conn, res.sid, on_message=lambda p: None, result=res)
    rep.check(res.status["code"] == 0 and res.count == STALLED_COUNT and not res.window.violations,
              "server resumes on WINDOW_UPDATE", "%d/%d updates, %s" % (
                  res.count, STALLED_COUNT, fmt_status(res.status)))


def window_overflow(ctx):
    """Two maximal increments: whatever the server sent meanwhile (a window <= 0 makes the first
    legal, §10), the second takes the window above 2^31-1."""
    def action(conn):
        sid = rpc.start(conn, WATCH_PROGRESS, watch(3_000_000))
        conn.send(frame(WINDOW_UPDATE, 0, sid, struct.pack(">I", 0x7FFFFFFF)) * 2)
    run_probe(ctx, "WINDOW_UPDATE overflow -> GOAWAY 13, exact", action,
              expect_goaway(13, "WINDOW_UPDATE took the window of stream 1 above 2147483647",
                            last=1))


MAIN = [stalled_reader]
FRESH = [window_overflow]
