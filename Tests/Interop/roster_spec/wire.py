"""Framing: the preface and the SETTINGS values (§2), the 10-byte frame header (§3), the frame
types and flags (§4), and the receive side of per-stream flow control (§10).

Nothing here does I/O; connection.py reads and writes what these functions build and check.
"""

import struct

# §2 ------------------------------------------------------------------------------------------

PREFACE = b"ROSTER/1\r\n\r\n"  # 52 4f 53 54 45 52 2f 31 0d 0a 0d 0a

# §2 table: defaults, and the allowed range of the two fields that have one.
SETTINGS_DEFAULTS = {"max_frame_size": 4194304, "max_concurrent_streams": 100,
                     "initial_window_size": 262144, "max_header_size": 16384}
SETTINGS_RANGES = {"max_frame_size": (16384, 16777215), "initial_window_size": (1, 2147483647)}


def settings_values(received):
    """The peer's values after a SETTINGS frame: a field absent or 0 means the default (§2).

    Raises ValueError naming the field for a value outside its allowed range."""
    values = dict(SETTINGS_DEFAULTS)
    for name, v in received.items():
        if v == 0:
            continue
        lo, hi = SETTINGS_RANGES.get(name, (1, 0xFFFFFFFF))
        if not lo <= v <= hi:
            raise ValueError("SETTINGS %s of %d is outside %d…%d" % (name, v, lo, hi))
        values[name] = v
    return values


# §3, §4 -------------------------------------------------------------------------------------

HEADER_LEN = 10
SETTINGS, HEADERS, MESSAGE, TRAILERS, CANCEL, WINDOW_UPDATE, PING, GOAWAY = range(8)
FRAME_NAMES = ["SETTINGS", "HEADERS", "MESSAGE", "TRAILERS", "CANCEL", "WINDOW_UPDATE", "PING",
               "GOAWAY"]
ACK = 0x01         # SETTINGS, PING
END_STREAM = 0x01  # HEADERS, MESSAGE, TRAILERS
STREAM_FRAMES = (MESSAGE, TRAILERS, CANCEL, WINDOW_UPDATE)  # "≠ 0" in §4's table
MAX_STREAM_ID = 0x7FFFFFFF
MAX_INCREMENT = 0x7FFFFFFF


def frame_name(ftype):
    return FRAME_NAMES[ftype] if ftype < len(FRAME_NAMES) else "UNKNOWN(0x%x)" % ftype


def header(length, ftype, flags, sid):
    """The 10-byte header: length u32, type u8, flags u8, stream id u32, big-endian (§3)."""
    return struct.pack(">IBBI", length, ftype, flags, sid)


def frame(ftype, flags, sid, payload=b""):
    """A whole frame; the reserved high bit of the stream id is sent as 0 (§3)."""
    return header(len(payload), ftype, flags, sid & MAX_STREAM_ID) + payload


def parse_header(raw):
    """(length, type, flags, stream id) of a 10-byte header; the high bit is masked off (§3)."""
    length, ftype, flags, sid = struct.unpack(">IBBI", raw)
    return length, ftype, flags, sid & MAX_STREAM_ID


def window_update(sid, increment):
    """WINDOW_UPDATE: exactly 4 bytes, a u32 BE increment of 1…2^31-1 (§4, §10)."""
    if not 1 <= increment <= MAX_INCREMENT:
        raise ValueError("WINDOW_UPDATE increment %d is outside 1…2^31-1" % increment)
    return frame(WINDOW_UPDATE, 0, sid, struct.pack(">I", increment))


# §10 ----------------------------------------------------------------------------------------

class ReceiveWindow:
    """What the server may still send us on one stream, and the credit we owe it (§10).

    The server may send a MESSAGE while the window is greater than 0; the payload length is
    subtracted, possibly taking it below 0. We return the consumed bytes with WINDOW_UPDATE
    once they reach half the initial window (the RECOMMENDED rule)."""

    def __init__(self, initial):
        self.initial = initial
        self.window = initial
        self.lowest = initial
        self.unreturned = 0
        self.violations = []  # (window before, payload length) of MESSAGEs sent at window <= 0

    def on_message(self, length):
        if self.window <= 0:
            self.violations.append((self.window, length))
        self.window -= length
        self.lowest = min(self.lowest, self.window)

    def consumed(self, length, credit=True):
        """Marks `length` bytes consumed. With `credit`, returns the increment to send now (0 if
        it is not yet due); without, keeps the bytes for a later return_credit()."""
        self.unreturned += length
        if not credit or self.unreturned < self.initial // 2:
            return 0
        return self.return_credit()

    def return_credit(self):
        """Returns every consumed byte at once; the increment to send (0 if none)."""
        increment, self.unreturned = self.unreturned, 0
        self.window += increment
        return increment
