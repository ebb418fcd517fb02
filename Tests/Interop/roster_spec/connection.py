"""One roster/1 connection, client side.

§1: TCP, then TLS (minimum 1.2) with certificate and host-name verification, SNI and ALPN
`roster/1` through Python's ssl module (§16 step 1), or plaintext; a TCP EOF without
close_notify counts as a lost connection. §2: the preface and the SETTINGS exchange, the first
frame rule, the 10 s wait for the server's SETTINGS. §3: frames read header first, `length`
checked against our max_frame_size before any payload is read. §4: the connection-level frames
(SETTINGS, PING, GOAWAY) and the malformed-frame rules; unknown types ignored. §5: stream ids.
§11: PINGs answered. §12: GOAWAY received; the client's own GOAWAY, read until EOF, close_notify.
Calls on a connection are in calls.py.
"""

import socket
import ssl
import time

from . import wire
from .messages import dec_goaway, dec_settings, enc_goaway, fmt_goaway
from .protobuf import DecodeError
from .wire import ACK, GOAWAY, HEADERS, MESSAGE, PING, SETTINGS, TRAILERS, WINDOW_UPDATE, frame

ALPN = "roster/1"


class ProtocolError(Exception):
    """The server broke the protocol (we sent GOAWAY 13), or we gave up waiting."""


class ConnectionClosed(Exception):
    """The connection ended; `clean` is False for an EOF without close_notify (§1)."""


class GoAwayReceived(Exception):
    def __init__(self, g):
        super().__init__(fmt_goaway(g))
        self.goaway = g


def open_socket(host, port, ca=None, alpn=(ALPN,), server_hostname=None, timeout=15.0):
    """TCP, then TLS when `ca` is given (§1, §16 step 1); plaintext otherwise.

    `server_hostname` overrides the name verified against the certificate (default: host).
    Python sends no SNI for an IP literal, as §1 asks."""
    raw = socket.create_connection((host, port), timeout=timeout)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if ca is None:
        return raw
    ctx = ssl.create_default_context(cafile=ca)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if alpn:
        ctx.set_alpn_protocols(list(alpn))
    try:
        # suppress_ragged_eofs=False: an EOF without close_notify raises SSLEOFError (§1).
        return ctx.wrap_socket(raw, server_hostname=server_hostname or host,
                               suppress_ragged_eofs=False)
    except BaseException:
        raw.close()
        raise


class Conn:
    """A connection after the transport is up. We send an empty SETTINGS: all defaults."""

    def __init__(self, sock, tls):
        self.sock = sock
        self.tls = tls
        self.buf = bytearray()
        self.mine = dict(wire.SETTINGS_DEFAULTS)
        self.peer = dict(wire.SETTINGS_DEFAULTS)  # until the server's SETTINGS arrives (§2)
        self.peer_settings_raw = None
        self.settings_acked = False
        self.first_frame = True
        self.highest_sid = 0
        self.ping_acks = []
        self.ignored_types = []  # unknown frame types the server sent (§4: skipped)
        self.stray = []          # (type, stream) of frames on streams no longer open (§5)

    # I/O --------------------------------------------------------------------------------
    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, n):
        while len(self.buf) < n:
            try:
                chunk = self.sock.recv(max(65536, n - len(self.buf)))
            except ssl.SSLEOFError as e:
                raise ConnectionClosed("TCP EOF without TLS close_notify (%s)" % e) from None
            if not chunk:
                raise ConnectionClosed("EOF")
            self.buf += chunk

    def read_frame(self):
        """(type, flags, stream, payload) of the next frame, with no protocol handling."""
        self._fill(wire.HEADER_LEN)
        length, ftype, flags, sid = wire.parse_header(bytes(self.buf[:wire.HEADER_LEN]))
        if length > self.mine["max_frame_size"]:  # before buffering any payload (§3, §13)
            self._goaway(8, "%s frame payload of %d bytes exceeds the max_frame_size of %d"
                         % (wire.frame_name(ftype), length, self.mine["max_frame_size"]))
        self._fill(wire.HEADER_LEN + length)
        payload = bytes(self.buf[wire.HEADER_LEN:wire.HEADER_LEN + length])
        del self.buf[:wire.HEADER_LEN + length]
        return ftype, flags, sid, payload

    def _goaway(self, code, msg):
        """A connection error on our side (§12): GOAWAY, then the caller closes."""
        try:
            self.send(frame(GOAWAY, 0, 0, enc_goaway(0, code, msg)))
        except OSError:
            pass
        raise ProtocolError(msg)

    def conn_error(self, msg):
        self._goaway(13, msg)

    # Connection-level frames ------------------------------------------------------------
    def handshake(self):
        """The preface, then our SETTINGS at once, without waiting (§2 steps 1-2)."""
        self.send(wire.PREFACE + frame(SETTINGS, 0, 0))

    def pump(self):
        """Reads one frame. Connection-level frames are handled here (None is returned);
        a stream frame on a stream we opened is returned as (type, flags, stream, payload)."""
        ftype, flags, sid, payload = self.read_frame()
        if self.first_frame:
            self._first_frame(ftype, flags, payload)
        if ftype == SETTINGS:
            return self._on_settings(flags, sid, payload)
        if ftype == PING:
            return self._on_ping(flags, sid, payload)
        if ftype == GOAWAY:
            return self._on_goaway(sid, payload)
        if ftype == HEADERS:
            self.conn_error("HEADERS frame from the server; only clients send HEADERS")
        if ftype in wire.STREAM_FRAMES:
            return self._stream_frame(ftype, flags, sid, payload)
        self.ignored_types.append(ftype)  # unknown type: skipped (§4)
        return None

    def _first_frame(self, ftype, flags, payload):
        """§2 step 5: SETTINGS without ACK first; a GOAWAY first is a refusal (§13)."""
        self.first_frame = False
        if ftype == GOAWAY:
            raise GoAwayReceived(dec_goaway(payload))
        if ftype != SETTINGS or flags & ACK:
            self.conn_error("expected SETTINGS as the first frame, got %s"
                            % wire.frame_name(ftype))

    def _on_settings(self, flags, sid, payload):
        if sid != 0:
            self.conn_error("SETTINGS on stream %d; it belongs on stream 0" % sid)
        if flags & ACK:
            if payload:
                self.conn_error("SETTINGS ACK with a %d-byte payload" % len(payload))
            self.settings_acked = True
            return None
        try:
            self.peer = wire.settings_values(dec_settings(payload))
        except DecodeError as e:
            self.conn_error("SETTINGS payload is not a valid Settings: %s" % e)
        except ValueError as e:
            self.conn_error(str(e))
        if self.peer_settings_raw is None:
            self.peer_settings_raw = payload
        self.send(frame(SETTINGS, ACK, 0))  # §2 step 4
        return None

    def _on_ping(self, flags, sid, payload):
        if sid != 0 or len(payload) != 8:
            self.conn_error("PING must carry 8 bytes on stream 0 (stream %d, %d bytes)"
                            % (sid, len(payload)))
        if flags & ACK:
            self.ping_acks.append(payload)
        else:
            self.send(frame(PING, ACK, 0, payload))  # §11: echo the 8 bytes
        return None

    def _on_goaway(self, sid, payload):
        if sid != 0:
            self.conn_error("GOAWAY on stream %d; it belongs on stream 0" % sid)
        try:
            g = dec_goaway(payload)
        except DecodeError as e:
            self.conn_error("GOAWAY payload is not a valid GoAway: %s" % e)
        raise GoAwayReceived(g)

    def _stream_frame(self, ftype, flags, sid, payload):
        name = wire.frame_name(ftype)
        if sid == 0:
            self.conn_error("%s on stream 0; it belongs on a call's stream" % name)
        if ftype == WINDOW_UPDATE and (len(payload) != 4 or payload == b"\0\0\0\0"):
            self.conn_error("WINDOW_UPDATE must carry an increment of 1…2^31-1 in 4 bytes")
        if sid > self.highest_sid:  # never opened (§5)
            if ftype in (MESSAGE, TRAILERS):
                self.conn_error("%s on stream %d, which was never opened" % (name, sid))
            return None
        return ftype, flags, sid, payload

    # Waiting ----------------------------------------------------------------------------
    def next_stream_frame(self):
        while True:
            f = self.pump()
            if f is not None:
                return f

    def wait_for(self, done, timeout, what):
        """Pumps frames until done() holds; frames of closed streams are ignored (§5)."""
        deadline = time.monotonic() + timeout
        old = self.sock.gettimeout()
        try:
            while not done():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ProtocolError("no %s within %.0f s" % (what, timeout))
                self.sock.settimeout(left)
                try:
                    f = self.pump()
                except socket.timeout:
                    raise ProtocolError("no %s within %.0f s" % (what, timeout)) from None
                if f is not None:
                    self.stray.append((f[0], f[2]))
        finally:
            self.sock.settimeout(old)

    def wait_settings(self, timeout=10.0):
        """The client's side of the 10 s handshake rule (§2)."""
        self.wait_for(lambda: self.peer_settings_raw is not None, timeout, "server SETTINGS")

    def ping(self, data, timeout=10.0):
        """Sends a PING and waits for the ACK that echoes its 8 bytes (§11)."""
        self.send(frame(PING, 0, 0, data))
        self.wait_for(lambda: data in self.ping_acks, timeout, "PING ACK")

    def new_sid(self):
        """The next odd stream id (§5)."""
        self.highest_sid = self.highest_sid + 2 if self.highest_sid else 1
        return self.highest_sid

    # Ending -----------------------------------------------------------------------------
    def drain(self, timeout=3.0):
        """Every frame until the connection ends or `timeout` passes without one:
        (frames, end), end being "EOF" for a clean end (with close_notify over TLS)."""
        frames = []
        self.sock.settimeout(timeout)
        try:
            while True:
                frames.append(self.read_frame())
        except ConnectionClosed as e:
            return frames, str(e)
        except socket.timeout:
            return frames, "still open after %.0f s" % timeout
        except (ssl.SSLError, OSError) as e:
            return frames, "error: %s" % e

    def close(self, timeout=5.0):
        """§12: GOAWAY(0, 0, "client closing"), read until EOF, then close_notify and close.
        Returns drain()'s (frames, end)."""
        self.send(frame(GOAWAY, 0, 0, enc_goaway(0, 0, "client closing")))
        frames, end = self.drain(timeout)
        if self.tls and end == "EOF":
            try:
                self.sock.unwrap()  # our close_notify; the server's has arrived
            except (ssl.SSLError, OSError):
                pass  # the server may already have closed TCP
        self.abort()
        return frames, end

    def abort(self):
        try:
            self.sock.close()
        except OSError:
            pass
