#!/usr/bin/env bash
# The repository stands alone: a reader never needs a file outside it. Fails (exit 1), listing
# file:line, when
#  1. a tracked file names a document that lives outside the repository (the names below,
#     case-sensitive; this script is the one file allowed to name them), or
#  2. a relative Markdown link in a tracked .md file points to a file that does not exist, or to a
#     heading that a Markdown file does not have (GitHub's anchors: lower case, punctuation
#     dropped, spaces as hyphens).
# Links to http(s), mailto and the like are not followed. CI runs it (.ci/run).
#   scripts/check-self-contained.sh
set -euo pipefail
cd "$(dirname "$0")/.."

failed=0

# 1. Names of documents outside the repository.
status=0
hits=$(git grep -n -F -I \
  -e '../shared' -e 'PRODUCT.md' -e 'GRAPH.md' -e 'ARCHITECTURE.md' -e 'STYLE.md' -e 'BENCHMARKS-directory.md' \
  -- . ':(exclude)scripts/check-self-contained.sh') || status=$?
if [ "$status" -gt 1 ]; then
  echo "git grep failed ($status)" >&2
  exit 2
fi
if [ -n "$hits" ]; then
  echo "files outside the repository are named (point to docs/product.md, docs/architecture.md," \
    "docs/directory.md or BENCHMARKS.md instead):" >&2
  printf '%s\n' "$hits" | sed 's/^/  /' >&2
  failed=1
fi

# 2. Relative links in Markdown files.
git ls-files -z -- '*.md' | python3 -c '
import os, re, sys, unicodedata

def slug(heading):
    text = re.sub(r"<[^>]+>", "", heading)                 # inline HTML
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)   # links keep their text
    text = text.strip().lower()
    text = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LMN")
    return text.replace(" ", "-")

anchors = {}
def anchors_of(path):
    if path not in anchors:
        found, seen, fence = set(), {}, None
        with open(path, encoding="utf-8") as f:
            for line in f:
                stripped = line.lstrip()
                if stripped.startswith(("```", "~~~")):
                    fence = None if fence and stripped.startswith(fence) else (fence or stripped[:3])
                    continue
                m = None if fence else re.match(r" {0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
                if m:
                    base = slug(m.group(1))
                    n = seen.get(base, 0)
                    seen[base] = n + 1
                    found.add(base if n == 0 else f"{base}-{n}")
        anchors[path] = found
    return anchors[path]

bad = 0
files = [p for p in sys.stdin.read().split("\0") if p]
for path in files:
    fence = None
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    for number, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            fence = None if fence and stripped.startswith(fence) else (fence or stripped[:3])
            continue
        if fence:
            continue
        text = re.sub(r"`[^`]*`", "", line)                    # inline code is not a link
        for m in re.finditer(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", text):
            target = m.group(1)
            if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target):  # http:, https:, mailto:, …
                continue
            file_part, _, anchor = target.partition("#")
            resolved = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
            if not os.path.exists(resolved):
                print(f"  {path}:{number}: {target}: no file {resolved}", file=sys.stderr)
                bad += 1
            elif anchor and resolved.endswith(".md") and os.path.isfile(resolved) and anchor not in anchors_of(resolved):
                print(f"  {path}:{number}: {target}: {resolved} has no heading #{anchor}", file=sys.stderr)
                bad += 1
if bad:
    print(f"{bad} Markdown link(s) point nowhere (listed above)", file=sys.stderr)
sys.exit(1 if bad else 0)
' || failed=1

if [ "$failed" -ne 0 ]; then
  exit 1
fi
echo "the repository stands alone: no outside documents named, every relative Markdown link resolves"
