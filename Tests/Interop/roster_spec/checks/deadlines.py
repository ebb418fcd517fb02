"""§8 Deadlines: a call within its deadline succeeds; one whose deadline passes (a stream held by
its window, so that it cannot end first) gets TRAILERS 4 "deadline of 300 ms exceeded", and not
before the 300 ms have passed."""

import time

from .. import calls as rpc
from ..messages import fmt_status
from .peerbench import ENDLESS, LIST_GROUPS, REQUEST, WATCH_PROGRESS, watch


def within_deadline(ctx):
    res = rpc.unary(ctx.main, LIST_GROUPS, REQUEST, timeout_micros=5_000_000)
    ctx.rep.check(res.status["code"] == 0 and res.count == 1, "deadline 5 s -> 0",
                  "stream %d, %s" % (res.sid, fmt_status(res.status)))


def deadline_exceeded(ctx):
    t0 = time.monotonic()
    sid = rpc.start(ctx.main, WATCH_PROGRESS, watch(ENDLESS), timeout_micros=300_000)
    res = rpc.finish(ctx.main, sid, on_message=lambda p: None, credit=False)
    dt = time.monotonic() - t0
    st, want = res.status, (4, "deadline of 300 ms exceeded")
    problems = [] if (st["code"], st["message"]) == want else ["PROTOCOL.md: 4 %r" % want[1]]
    if dt < 0.3:
        problems.append("ended before its deadline")
    ctx.rep.check(not problems, "deadline 300 ms -> 4, exact text", "; ".join(
        ["%s after %.2f s (%d bytes received, no WINDOW_UPDATE)" % (fmt_status(st), dt,
                                                                     res.bytes)] + problems))


MAIN = [within_deadline, deadline_exceeded]
FRESH = []
