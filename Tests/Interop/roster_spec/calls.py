"""Calls on a connection: §6 (life of a call: HEADERS, one request MESSAGE with END_STREAM,
response MESSAGEs, TRAILERS; CANCEL), §7 (unknown codes read as 2 UNKNOWN), §9 (TRAILERS above
our max_header_size fail the call locally with 8), §10 (the receive window of each call, credit
returned with WINDOW_UPDATE at half the initial window), §16 steps 5-7 and 10.
"""

import socket

from . import wire
from .messages import dec_status, enc_call_headers, enc_status, status
from .protobuf import DecodeError
from .wire import CANCEL, END_STREAM, HEADERS, MESSAGE, TRAILERS, frame


class LocalError(Exception):
    """A call we refuse to send because it breaks the server's announced limits."""


class CallResult:
    """What arrived on one stream. `status` stays None while the call is still open."""

    def __init__(self, sid, initial_window):
        self.sid = sid
        self.messages = []
        self.count = 0
        self.bytes = 0
        self.message_flags = set()
        self.window = wire.ReceiveWindow(initial_window)
        self.window_updates = 0
        self.status = None
        self.ended_by = None        # TRAILERS or CANCEL
        self.end_flags = None
        self.trailers_raw = None


def start(conn, method, request, timeout_micros=0, metadata=None, headers_flags=0):
    """HEADERS, then (unless `request` is None) one MESSAGE with END_STREAM (§6, §16 step 5).

    Returns the stream id."""
    headers = enc_call_headers(method, timeout_micros, metadata)
    if len(headers) > conn.peer["max_header_size"]:
        raise LocalError("HEADERS of %d bytes exceed the server's max_header_size of %d"
                         % (len(headers), conn.peer["max_header_size"]))
    if request is not None and len(request) > conn.peer["max_frame_size"]:
        raise LocalError("the request of %d bytes exceeds the server's max_frame_size of %d"
                         % (len(request), conn.peer["max_frame_size"]))
    sid = conn.new_sid()
    data = frame(HEADERS, headers_flags, sid, headers)
    if request is not None:
        data += frame(MESSAGE, END_STREAM, sid, request)
    conn.send(data)
    return sid


def cancel(conn, sid, code=1, message=""):
    """CANCEL with a Status giving the reason (empty when both are defaults) (§4, §6)."""
    conn.send(frame(CANCEL, 0, sid, enc_status(code, message)))


def finish(conn, sid, on_message=None, credit=True, idle=None, result=None):
    """Reads the stream until TRAILERS or CANCEL (§6, §16 step 6).

    Payloads go to `on_message`, or are kept in result.messages. With `credit`, consumed bytes
    are returned by WINDOW_UPDATE (§10). With `idle`, returns (status None) once no frame has
    arrived for `idle` seconds; pass the result back to go on reading."""
    res = result or CallResult(sid, conn.mine["initial_window_size"])
    while True:
        f = _next_frame(conn, idle)
        if f is None:
            return res
        ftype, flags, fsid, payload = f
        if fsid != sid:
            conn.stray.append((ftype, fsid))  # a stream no longer open: ignored (§5)
        elif ftype == MESSAGE:
            _on_message(conn, res, flags, payload, on_message, credit)
        elif ftype in (TRAILERS, CANCEL):
            _on_end(conn, res, ftype, flags, payload)
            return res
        # a WINDOW_UPDATE is credit for our one request, already sent


def unary(conn, method, request, **kw):
    return finish(conn, start(conn, method, request, **kw))


def give_credit(conn, res):
    """Returns every consumed byte of the call at once."""
    increment = res.window.return_credit()
    if increment:
        conn.send(wire.window_update(res.sid, increment))
        res.window_updates += 1


def _next_frame(conn, idle):
    if idle is None:
        return conn.next_stream_frame()
    old = conn.sock.gettimeout()
    conn.sock.settimeout(idle)
    try:
        return conn.next_stream_frame()
    except socket.timeout:
        return None
    finally:
        conn.sock.settimeout(old)


def _on_message(conn, res, flags, payload, on_message, credit):
    res.window.on_message(len(payload))
    res.count += 1
    res.bytes += len(payload)
    res.message_flags.add(flags)
    if on_message:
        on_message(payload)
    else:
        res.messages.append(payload)
    increment = res.window.consumed(len(payload), credit)
    if increment:
        conn.send(wire.window_update(res.sid, increment))
        res.window_updates += 1


def _on_end(conn, res, ftype, flags, payload):
    res.ended_by, res.end_flags = ftype, flags
    if ftype == CANCEL:  # §4: empty means 1 CANCELLED; an invalid Status is a connection error
        res.status = status(1, "cancelled by the server") if not payload else _cancel(conn, payload)
        return
    res.trailers_raw = payload
    if len(payload) > conn.mine["max_header_size"]:  # §9: fail the call locally with 8
        res.status = status(8, "TRAILERS of %d bytes exceed our max_header_size of %d"
                            % (len(payload), conn.mine["max_header_size"]))
        return
    res.status = dec_status(payload)
    if not 0 <= res.status["code"] <= 16:  # §7: an unknown code is 2 UNKNOWN
        res.status["original_code"] = res.status["code"]
        res.status["code"] = 2


def _cancel(conn, payload):
    try:
        return dec_status(payload)
    except DecodeError as e:
        conn.conn_error("CANCEL payload is not a valid Status: %s" % e)
