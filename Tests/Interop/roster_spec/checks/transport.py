"""§1 Transport: the main connection's TLS and ALPN, and the handshakes that must fail: no ALPN
or only another protocol (alert no_application_protocol, 120), and a certificate that does not
name the host (the client's own verification, §1 "Server authentication")."""

import ssl

from ..connection import ALPN, Conn


def open_main(ctx):
    """Opens the main connection; over TLS, ALPN must be roster/1 (§1). Returns False if not."""
    rep = ctx.rep
    try:
        sock = ctx.socket()
    except (ssl.SSLError, OSError) as e:
        return rep.fail("connect", "%s: %s" % (type(e).__name__, e))
    if not ctx.tls:
        ctx.main = Conn(sock, False)
        return rep.check(True, "TCP connect", "plaintext")
    alpn, version = sock.selected_alpn_protocol(), sock.version()
    ok = alpn == ALPN and version in ("TLSv1.2", "TLSv1.3")
    rep.check(ok, "TLS with ALPN roster/1", "%s, %s, ALPN %r, certificate verified for %s"
              % (version, sock.cipher()[0], alpn, ctx.args.host))
    if not ok:  # §1: the client MUST abort
        sock.close()
        return False
    ctx.main = Conn(sock, True)
    return True


def _alert_120(ctx, name, alpn):
    try:
        s = ctx.socket(alpn=alpn)
    except ssl.SSLError as e:
        text = str(e).upper().replace("_", " ")
        return ctx.rep.check("NO APPLICATION PROTOCOL" in text, name, str(e))
    ctx.rep.fail(name, "handshake succeeded, ALPN %r" % s.selected_alpn_protocol())
    s.close()
    return False


def _wrong_host(ctx):
    name = "certificate for another host name rejected"
    try:
        s = ctx.socket(server_hostname="not-the-server.example")
    except ssl.SSLCertVerificationError as e:
        return ctx.rep.check(e.verify_message.startswith("Hostname mismatch"), name,
                             e.verify_message)
    except (ssl.SSLError, OSError) as e:
        return ctx.rep.fail(name, "not a host-name mismatch: %s: %s" % (type(e).__name__, e))
    ctx.rep.fail(name, "handshake succeeded")
    s.close()
    return False


def tls_refusals(ctx):
    """TLS only: §1 ALPN is REQUIRED; the client checks the host name."""
    if not ctx.tls:
        return
    _alert_120(ctx, "TLS without ALPN -> alert 120", None)
    _alert_120(ctx, "TLS offering only h2 -> alert 120", ("h2",))
    _wrong_host(ctx)


MAIN = []
FRESH = [tls_refusals]
