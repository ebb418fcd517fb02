"""§11 Keepalive: the server answers a PING with a PING ACK that echoes its 8 bytes; more than
10 PINGs within one second get GOAWAY 8 with §11's exact text, and the connection closes (the
first 10, being allowed, are answered)."""

import struct

from ..wire import ACK, PING, frame
from .probe import expect_goaway, run_probe

FLOOD_TEXT = "too many PINGs: more than 10 in one second"


def ping_echo(ctx):
    data = bytes(range(1, 9))
    ctx.main.ping(data)  # raises unless the ACK with these 8 bytes arrives within 10 s
    ctx.rep.check(data in ctx.main.ping_acks, "PING -> PING ACK echoing the 8 bytes",
                  data.hex(" "))


def ping_flood(ctx):
    pings = [struct.pack(">Q", i) for i in range(20)]
    goaway = expect_goaway(8, FLOOD_TEXT)

    def judge(frames, end, _extra, conn):
        acks = [p for t, f, _, p in frames if t == PING and f & ACK]
        ok, detail = goaway(frames, end, None, conn)
        echoes = len(acks) >= 10 and all(p in pings for p in acks)
        detail = "%d PING ACKs; %s" % (len(acks), detail)
        return ok and echoes, detail + ("" if echoes else "; PROTOCOL.md: the first 10 PINGs "
                                        "are answered with their 8 bytes")
    run_probe(ctx, "20 PINGs at once -> GOAWAY 8, exact text",
              lambda c: c.send(b"".join(frame(PING, 0, 0, p) for p in pings)), judge)


MAIN = [ping_echo]
FRESH = [ping_flood]
