#!/usr/bin/env python3
"""Entry point of the roster_spec package (a client written from proto/PROTOCOL.md alone):

    python3 Tests/Interop/spec_client.py [--host H] --port P (--plaintext | --ca FILE) [--count K]
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from roster_spec.__main__ import main  # noqa: E402 - after the path is set

if __name__ == "__main__":
    sys.exit(main())
