"""What the checks share: the command-line arguments, the report, the main connection (one
connection that carries the call checks, as a real client would, §5-§11), and fresh
connections for checks that end theirs (§12 connection errors). Opening them follows §1-§2.
"""

from ..connection import Conn, open_socket


class Context:
    def __init__(self, args, rep):
        self.args = args
        self.rep = rep
        self.tls = not args.plaintext
        self.main = None

    def socket(self, **kw):
        """A new transport: TLS with ALPN roster/1 unless --plaintext (§1)."""
        ca = None if self.args.plaintext else self.args.ca
        return open_socket(self.args.host, self.args.port, ca, **kw)

    def fresh(self):
        """A new connection after the preface, our SETTINGS and the server's SETTINGS (§2)."""
        conn = Conn(self.socket(), self.tls)
        try:
            conn.handshake()
            conn.wait_settings()
        except BaseException:
            conn.abort()
            raise
        return conn

    def attempt(self, name, fn):
        """Runs fn(); an exception becomes a failed check called `name`."""
        try:
            return fn()
        except Exception as e:  # noqa: BLE001 - any failure of a check is reported
            self.rep.fail(name, "%s: %s" % (type(e).__name__, e))
            return None
