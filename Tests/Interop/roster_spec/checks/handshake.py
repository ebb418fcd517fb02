"""§2 Connection preface and SETTINGS exchange: the server's SETTINGS comes first, within 10 s,
with values in their ranges, and our SETTINGS is ACKed; a wrong preface gets the exact GOAWAY of
§2 after the server's SETTINGS, then the end of the connection; a SETTINGS value out of range
is a connection error."""

from ..connection import Conn
from ..messages import dec_settings, enc_settings
from ..wire import GOAWAY, SETTINGS, SETTINGS_DEFAULTS, frame, frame_name, header
from .encoding import bad_preface_goaway
from .probe import expect_goaway, run_probe


def settings_exchange(ctx):
    """The main connection's handshake (§2 steps 1-6)."""
    conn, rep = ctx.main, ctx.rep
    conn.handshake()
    conn.wait_settings()  # raises unless SETTINGS came first, valid, within 10 s
    rep.check(True, "server SETTINGS first, within 10 s", "%s (payload %s)" % (
        ", ".join("%s=%d" % (k, conn.peer[k]) for k in SETTINGS_DEFAULTS),
        conn.peer_settings_raw.hex(" ") or "empty"))
    conn.wait_for(lambda: conn.settings_acked, 10.0, "SETTINGS ACK")
    rep.check(conn.settings_acked, "server ACKs our SETTINGS", "ACK with an empty payload")


def bad_preface(ctx):
    """HTTP instead of the preface: SETTINGS, then the exact GOAWAY of §2, then the end."""
    name = "bad preface -> SETTINGS, exact GOAWAY, close"
    conn = Conn(ctx.socket(), ctx.tls)
    try:
        conn.send(b"GET / HTTP/1.1\r\n\r\n")
        frames, end = conn.drain()
    finally:
        conn.abort()
    seen = ", ".join(frame_name(t) for t, _, _, _ in frames) or "no frames"
    raws = [header(len(p), t, f, s) + p for t, f, s, p in frames]
    first_ok = bool(frames) and frames[0][:3] == (SETTINGS, 0, 0)
    if first_ok:
        dec_settings(frames[0][3])  # a valid Settings payload, or DecodeError
    goaway_ok = len(raws) == 2 and raws[1] == bad_preface_goaway()
    detail = "%s; then %s" % (seen, end)
    if len(frames) > 1 and frames[1][0] == GOAWAY and not goaway_ok:
        detail += "; GOAWAY bytes %s" % raws[1].hex(" ")
    ctx.rep.check(first_ok and goaway_ok and end == "EOF", name, detail)


def settings_out_of_range(ctx):
    """A SETTINGS value outside its range (max_frame_size 1024) is a connection error (§2);
    13 INTERNAL is the code of protocol violations (§7). The text is only an example in §2."""
    run_probe(ctx, "SETTINGS max_frame_size 1024 -> GOAWAY 13",
              lambda c: c.send(frame(SETTINGS, 0, 0, enc_settings(max_frame_size=1024))),
              expect_goaway(13))


MAIN = [settings_exchange]
FRESH = [bad_preface, settings_out_of_range]
