"""The checks, grouped by PROTOCOL.md section, and the order they run in.

First the spec's byte examples (encoding, no server). Then one main connection carries the
handshake and call checks, §2 to §14, as a real client's connection would, and is closed by the
§12 client GOAWAY. Last come the checks that need connections of their own, mostly connection
errors (§12), which end them.
"""

from ..connection import ConnectionClosed, GoAwayReceived, ProtocolError
from . import (calls, deadlines, encoding, flow, frames, goaway, handshake, keepalive, limits,
               metadata, streams, transport)
from .context import Context

SECTIONS = [handshake, frames, calls, deadlines, metadata, flow, keepalive, limits, streams,
            transport]
LOST = (ConnectionClosed, GoAwayReceived, ProtocolError, OSError)


def _run_main(ctx):
    """The main connection's checks; if it is lost, the rest are reported as not run."""
    todo = [fn for section in SECTIONS for fn in section.MAIN] + [goaway.close_main]
    for i, fn in enumerate(todo):
        try:
            fn(ctx)
        except LOST as e:
            ctx.rep.fail(fn.__name__, "%s: %s; the main connection is lost" % (type(e).__name__, e))
            for skipped in todo[i + 1:]:
                ctx.rep.fail(skipped.__name__, "not run: the main connection is lost")
            ctx.main.abort()
            ctx.main = None
            return
        except Exception as e:  # noqa: BLE001 - a broken check fails, the run goes on
            ctx.rep.fail(fn.__name__, "%s: %s" % (type(e).__name__, e))


def run(args, rep):
    ctx = Context(args, rep)
    encoding.run(ctx)
    if ctx.attempt("transport", lambda: transport.open_main(ctx)):
        _run_main(ctx)
    for fn in [fn for section in SECTIONS for fn in section.FRESH]:
        ctx.attempt(fn.__name__, lambda: fn(ctx))
