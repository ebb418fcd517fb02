#!/usr/bin/env bash
# The example a service developer reads is the code CI builds and a test runs: fails (exit 1)
# unless README.md ("Using RosterClient from your service") and the DocC Getting Started article
# each hold a ```swift block equal to Examples/ContactReader/Sources/contact-reader/main.swift.
#   scripts/check-example.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import sys
example_path = "Examples/ContactReader/Sources/contact-reader/main.swift"
example = open(example_path, encoding="utf-8").read()
failed = False
for page in ["README.md", "clients/RosterClient/RosterClient.docc/GettingStarted.md"]:
    blocks, block = [], None
    for line in open(page, encoding="utf-8").read().splitlines(keepends=True):
        if block is None:
            if line.strip() == "```swift":
                block = []
        elif line.strip() == "```":
            blocks.append("".join(block))
            block = None
        else:
            block.append(line)
    if example not in blocks:
        print(f"{page} does not hold {example_path} as a ```swift block: copy the file into it", file=sys.stderr)
        failed = True
sys.exit(1 if failed else 0)
PY
