#!/usr/bin/env bash
# Runs one of the libFuzzer targets.
#   scripts/fuzz.sh frames   [SECONDS]   # the frame decoder (FrameDecoder)
#   scripts/fuzz.sh messages [SECONDS]   # protobuf decoding of every message type
#   scripts/fuzz.sh graph    [SECONDS]   # every Graph reply RosterDirectory reads (seeded from Fuzz/seeds-graph)
# SECONDS defaults to 600. The corpus lives in Fuzz/corpus-NAME (seeded from the golden vectors),
# crashes are written to Fuzz/artifacts/. Extra arguments after SECONDS go to libFuzzer.
set -euo pipefail
cd "$(dirname "$0")/.."

name=${1:?usage: scripts/fuzz.sh frames|messages|graph [SECONDS] [libFuzzer args…]}
seconds=${2:-600}
shift $(( $# >= 2 ? 2 : 1 ))
case "$name" in
  frames) target=FuzzFrameDecoder ;;
  messages) target=FuzzMessageDecoder ;;
  graph) target=FuzzGraphReplies ;;
  *) echo "unknown fuzz target '$name': use frames, messages or graph" >&2; exit 2 ;;
esac

# -enable-testing: the graph target reads RosterDirectory's internal readers through @testable.
(cd Fuzz && swift build -c release --sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -enable-testing --product "$target" >&2)
binary="Fuzz/.build/release/$target"

corpus="Fuzz/corpus-$name"
mkdir -p "$corpus" Fuzz/artifacts
if [ "$name" = graph ] && [ -z "$(ls -A "$corpus")" ]; then
  cp Fuzz/seeds-graph/* "$corpus"/
elif [ -z "$(ls -A "$corpus")" ]; then
  # Seeds: each golden vector, prefixed by the byte that selects its type (messages), or framed
  # as a MESSAGE frame after the preface (frames).
  python3 - "$name" "$corpus" <<'PY'
import os, struct, sys
name, corpus = sys.argv[1], sys.argv[2]
golden = "Tests/RosterWireTests/GoldenVectors"
files = sorted(f for f in os.listdir(golden) if f.endswith(".bin")) if os.path.isdir(golden) else []
catalog = sorted({f.rsplit(".", 2)[0] for f in files if not f.startswith("roster.test.")})
for index, f in enumerate(files):
    message = f.rsplit(".", 2)[0]
    data = open(os.path.join(golden, f), "rb").read()
    if name == "messages":
        if message not in catalog:
            continue
        seed = bytes([catalog.index(message)]) + data
    else:
        frame = struct.pack(">IBBI", len(data), 2, 1, 1) + data
        seed = bytes([1, 63]) + b"ROSTER/1\r\n\r\n" + frame
    open(os.path.join(corpus, "seed-%03d" % index), "wb").write(seed)
PY
fi
# Let libFuzzer, not the Swift runtime backtracer, handle crashes so it saves the input.
export SWIFT_BACKTRACE=enable=no
exec "$binary" "$corpus" -max_total_time="$seconds" -max_len=65536 -artifact_prefix=Fuzz/artifacts/ -print_final_stats=1 "$@"
