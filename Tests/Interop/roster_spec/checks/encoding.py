"""The client's encoder and decoder against the byte examples PROTOCOL.md prints: §2 (preface,
SETTINGS, SETTINGS ACK, the bad-preface GOAWAY), §3 (PING, HEADERS, an empty MESSAGE), §6 (the
complete unary call, CANCEL, TRAILERS with an error), §10 (WINDOW_UPDATE), §12 (GOAWAY), §14
(a negative varint, wire type 7). No server is involved: these prove that what the other checks
send and expect is what the spec says.
"""

from .. import wire
from ..messages import (dec_settings, dec_status, enc_call_headers, enc_goaway, enc_status,
                        enc_list_groups_request)
from ..protobuf import DecodeError, enc_varint, parse_fields
from ..wire import CANCEL, END_STREAM, GOAWAY, HEADERS, MESSAGE, PING, SETTINGS, TRAILERS, frame

LIST_GROUPS = "/peerbench.Directory/ListGroups"
BAD_PREFACE_MESSAGE = ('expected the Roster preface "ROSTER/1\\r\\n\\r\\n" (byte 0 differs); '
                       'is this a Roster client?')
SHUTDOWN_MESSAGE = "server is shutting down; reconnect to another instance"
NOT_FOUND = 'no contact with mail "ann@example.com"'  # §6's example, 38 bytes


def h(text):
    """Bytes from hex written byte by byte, as PROTOCOL.md writes them."""
    return bytes.fromhex(text)


def bad_preface_goaway():
    """§2: header 00 00 00 5d 07 00 00 00 00 00, payload 10 0d 1a 59 + the 89-byte message."""
    return h("00 00 00 5d 07 00 00 00 00 00 10 0d 1a 59") + BAD_PREFACE_MESSAGE.encode()


EXAMPLES = [
    ("§2 preface", lambda: wire.PREFACE, h("52 4f 53 54 45 52 2f 31 0d 0a 0d 0a")),
    ("§2 SETTINGS ACK", lambda: frame(SETTINGS, wire.ACK, 0), h("00 00 00 00 00 01 00 00 00 00")),
    ("§2 bad-preface GOAWAY", lambda: frame(GOAWAY, 0, 0, enc_goaway(0, 13, BAD_PREFACE_MESSAGE)),
     bad_preface_goaway()),
    ("§3 PING", lambda: frame(PING, 0, 0, bytes(range(1, 9))),
     h("00 00 00 08 06 00 00 00 00 00 01 02 03 04 05 06 07 08")),
    ("§3 HEADERS (GetStatus, 250 ms, key)",
     lambda: frame(HEADERS, 0, 3, enc_call_headers("/roster.v1.Roster/GetStatus", 250000,
                                                   {"authorization": "Bearer rk_live_4f2a"})),
     h("00 00 00 47 01 00 00 00 00 03 0a 1b") + b"/roster.v1.Roster/GetStatus"
     + h("10 90 a1 0f 1a 24 0a 0d") + b"authorization" + h("12 13") + b"Bearer rk_live_4f2a"),
    ("§3 empty MESSAGE, END_STREAM", lambda: frame(MESSAGE, END_STREAM, 3),
     h("00 00 00 00 02 01 00 00 00 03")),
    ("§6 unary call, client bytes",
     lambda: frame(HEADERS, 0, 1, enc_call_headers(LIST_GROUPS))
     + frame(MESSAGE, END_STREAM, 1, enc_list_groups_request("uk", 10, "team")),
     h("00 00 00 21 01 00 00 00 00 01 0a 1f") + LIST_GROUPS.encode()
     + h("00 00 00 0c 02 01 00 00 00 01 0a 02 75 6b 10 0a 1a 04 74 65 61 6d")),
    ("§6 CANCEL with a Status", lambda: frame(CANCEL, 0, 7, enc_status(1, "user pressed Ctrl-C")),
     h("00 00 00 17 04 00 00 00 00 07 08 01 12 13") + b"user pressed Ctrl-C"),
    ("§6 TRAILERS NOT_FOUND", lambda: frame(TRAILERS, END_STREAM, 5, enc_status(5, NOT_FOUND)),
     h("00 00 00 2a 03 01 00 00 00 05 08 05 12 26") + NOT_FOUND.encode()),
    ("§10 WINDOW_UPDATE 131072", lambda: wire.window_update(1, 131072),
     h("00 00 00 04 05 00 00 00 00 01 00 02 00 00")),
    ("§12 GOAWAY(7, 14)", lambda: frame(GOAWAY, 0, 0, enc_goaway(7, 14, SHUTDOWN_MESSAGE)),
     h("00 00 00 3c 07 00 00 00 00 00 08 07 10 0e 1a 36") + SHUTDOWN_MESSAGE.encode()),
    ("§14 varint -1", lambda: enc_varint(-1), h("ff ff ff ff ff ff ff ff ff 01")),
]


def _rejects(payload):
    try:
        list(parse_fields(payload))
    except DecodeError as e:
        return "rejected: %s" % e
    return "accepted"


def _decodes(rep):
    settings = dec_settings(h("08 80 80 80 02 10 64 18 80 80 10 20 80 80 01"))
    rep.equal("§2 server SETTINGS example decodes", settings, dict(wire.SETTINGS_DEFAULTS))
    st = dec_status(h("08 05 12 26") + NOT_FOUND.encode())
    rep.equal("§6 TRAILERS example decodes", (st["code"], st["message"]), (5, NOT_FOUND))
    got = _rejects(h("10 0a 0f"))
    rep.check(got.startswith("rejected"), "§14 wire type 7 rejected (10 0a 0f)", got)


def run(ctx):
    """Every example as a check: PASS when our bytes are the spec's, byte for byte."""
    for name, build, want in EXAMPLES:
        got = build()
        detail = "%d bytes" % len(got) if got == want else "got %s; PROTOCOL.md: %s" % (
            got.hex(" "), want.hex(" "))
        ctx.rep.check(got == want, name, detail)
    _decodes(ctx.rep)
