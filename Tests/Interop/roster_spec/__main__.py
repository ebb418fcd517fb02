"""The command line: python3 Tests/Interop/spec_client.py (or python3 -m roster_spec from
Tests/Interop) --port P [--host H] (--plaintext | --ca FILE) [--count K].

Exits 0 when every check passed, 1 on any failed check (a deviation from PROTOCOL.md).
"""

import argparse
import sys

from . import checks
from .report import Report

USAGE = """A roster/1 client written from proto/PROTOCOL.md alone. It runs a fixed set of checks
against `roster-bench serve` and exits non-zero on any deviation from the specification."""


def parse_args(argv=None):
    ap = argparse.ArgumentParser(prog="spec_client", description=USAGE)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--plaintext", action="store_true", help="no TLS (§1 Plaintext)")
    g.add_argument("--ca", help="CA file to verify the server certificate against (§1)")
    ap.add_argument("--count", type=int, default=100000,
                    help="updates to ask of the WatchProgress stream (default 100000)")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    print("spec_client: %s:%d over %s, count %d" % (
        args.host, args.port, "plaintext" if args.plaintext else "TLS", args.count))
    rep = Report()
    checks.run(args, rep)
    line, status = rep.summary()
    print(line)
    return status


if __name__ == "__main__":
    sys.exit(main())
