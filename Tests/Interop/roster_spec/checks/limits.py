"""§13 Limits and §14 decoder messages: a frame header announcing more than the server's
max_frame_size gets GOAWAY 8 with §13's exact text before any payload is sent; a request with
invalid UTF-8 gets TRAILERS 3 in §13's form "the request is not a valid <message>: <decoder
message>", the decoder message in §14's form (the reason's wording is free)."""

from .. import calls as rpc
from ..messages import fmt_status
from ..wire import MESSAGE, header
from .peerbench import LIST_GROUPS
from .probe import expect_goaway, run_probe

BAD_UTF8 = bytes.fromhex("0a 02 ff fe")  # §14's example: field 1, length 2, not UTF-8
BAD_UTF8_PREFIX = ("the request is not a valid peerbench.ListGroupsRequest: "
                   "peerbench.ListGroupsRequest field 1 (byte 1): ")


def frame_too_large(ctx):
    run_probe(ctx, "frame > max_frame_size -> GOAWAY 8, exact",
              lambda c: c.send(header(5_000_000, MESSAGE, 0, 1)),
              expect_goaway(8, lambda c: "MESSAGE frame payload of 5000000 bytes exceeds the "
                            "max_frame_size of %d" % c.peer["max_frame_size"], last=0))


def invalid_utf8(ctx):
    st = rpc.unary(ctx.main, LIST_GROUPS, BAD_UTF8).status
    reason = st["message"][len(BAD_UTF8_PREFIX):]
    ok = st["code"] == 3 and st["message"].startswith(BAD_UTF8_PREFIX) and reason != ""
    ctx.rep.check(ok, "invalid UTF-8 in a request -> 3, §13 form", fmt_status(st) + (
        "" if ok else "; PROTOCOL.md: 3 %r + a reason" % BAD_UTF8_PREFIX))


MAIN = [invalid_utf8]
FRESH = [frame_too_large]
