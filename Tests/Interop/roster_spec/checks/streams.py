"""§5 Streams: client stream ids must increase (HEADERS on 5 after 7 is a connection error with
§5's exact text and last_stream_id 7); a MESSAGE on a stream never opened is a connection error
with §5's exact text."""

from .. import calls as rpc
from ..wire import END_STREAM, MESSAGE, frame
from .peerbench import LIST_GROUPS, REQUEST
from .probe import expect_goaway, run_probe


def ids_increase(ctx):
    def action(conn):
        conn.highest_sid = 5
        rpc.unary(conn, LIST_GROUPS, REQUEST)  # stream 7
        conn.highest_sid = 3
        rpc.start(conn, LIST_GROUPS, REQUEST)  # stream 5
    run_probe(ctx, "stream 5 after 7 -> GOAWAY 13, exact text", action,
              expect_goaway(13, "HEADERS on stream 5, but stream 7 was already opened; "
                            "stream ids must increase", last=7))


def never_opened(ctx):
    run_probe(ctx, "MESSAGE on stream 9 -> GOAWAY 13, exact text",
              lambda c: c.send(frame(MESSAGE, END_STREAM, 9, REQUEST)),
              expect_goaway(13, "MESSAGE on stream 9, which was never opened"))


MAIN = []
FRESH = [ids_increase, never_opened]
