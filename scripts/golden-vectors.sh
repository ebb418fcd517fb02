#!/usr/bin/env bash
# Regenerates (or, with --check, verifies) the golden protobuf vectors of RosterWireTests.
#
# For every Tests/RosterWireTests/GoldenVectors/<FullMessageName>.<case>.txtpb (protobuf text
# format) this encodes the message with `protoc --encode` and writes the bytes beside it as
# <FullMessageName>.<case>.bin. The message name is the file name minus its last two
# dot-separated parts (".<case>.txtpb"); the schema is chosen by the package prefix:
#   roster.v1.      -> proto/roster.proto
#   roster.rpc.v1.  -> proto/rpc.proto
#   roster.health.v1. -> proto/health.proto
#   roster.reflection.v1. -> proto/reflection.proto
#   peerbench.      -> proto/bench.proto
#   roster.test.v1. -> Tests/RosterWireTests/wire_test.proto
#
# Map fields are encoded with --deterministic_output (entries sorted by key, which is what
# RosterWire's writer does); the .txtpb files list map entries in key order anyway.
#
# Usage:
#   scripts/golden-vectors.sh           rewrite every .bin, delete .bin files without a .txtpb
#   scripts/golden-vectors.sh --check   change nothing; exit 1 naming every .bin that differs
#                                       from protoc's output, is missing, or has no .txtpb
set -euo pipefail

help_lines='2,20'
# shellcheck source=lib/protoc-script.sh
source "${BASH_SOURCE[0]%/*}/lib/protoc-script.sh" "$@"

vectors=Tests/RosterWireTests/GoldenVectors
if [[ ! -d $vectors ]]; then
    echo "error: $vectors does not exist" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/golden-vectors.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

schema_for() {
    case "$1" in
        roster.v1.*) echo roster.proto ;;
        roster.rpc.v1.*) echo rpc.proto ;;
        roster.health.v1.*) echo health.proto ;;
        roster.reflection.v1.*) echo reflection.proto ;;
        peerbench.*) echo bench.proto ;;
        roster.test.v1.*) echo wire_test.proto ;;
        *) return 1 ;;
    esac
}

shopt -s nullglob
txtpbs=("$vectors"/*.txtpb)
if ((${#txtpbs[@]} == 0)); then
    echo "error: no .txtpb files in $vectors" >&2
    exit 1
fi

failed=0
encoded=0
for txtpb in "${txtpbs[@]}"; do
    file=$(basename "$txtpb")
    stem=${file%.txtpb}      # roster.v1.Contact.full
    case_name=${stem##*.}    # full
    message=${stem%.*}       # roster.v1.Contact
    if [[ $message == "$stem" || -z $case_name || $message != *.* ]]; then
        echo "error: $txtpb: name must be <FullMessageName>.<case>.txtpb" >&2
        failed=1
        continue
    fi
    if ! schema=$(schema_for "$message"); then
        echo "error: $txtpb: unknown package of message '$message'" >&2
        failed=1
        continue
    fi
    out="$tmp/$stem.bin"
    if ! protoc --encode="$message" --deterministic_output \
        --proto_path=proto --proto_path=Tests/RosterWireTests \
        "$schema" <"$txtpb" >"$out" 2>"$tmp/protoc.err"; then
        echo "error: protoc --encode=$message failed on $txtpb:" >&2
        sed 's/^/  /' "$tmp/protoc.err" >&2
        failed=1
        continue
    fi
    encoded=$((encoded + 1))
done

if ((failed)); then
    echo "golden vectors: encoding failed; nothing written" >&2
    exit 1
fi

if ((check)); then
    problems=0
    for txtpb in "${txtpbs[@]}"; do
        stem=$(basename "$txtpb" .txtpb)
        bin="$vectors/$stem.bin"
        if [[ ! -f $bin ]]; then
            echo "missing: $bin (run scripts/golden-vectors.sh)"
            problems=$((problems + 1))
        elif ! cmp -s "$tmp/$stem.bin" "$bin"; then
            echo "differs: $bin ($(wc -c <"$bin") bytes committed, protoc now writes $(wc -c <"$tmp/$stem.bin"))"
            problems=$((problems + 1))
        fi
    done
    for bin in "$vectors"/*.bin; do
        stem=$(basename "$bin" .bin)
        if [[ ! -f "$vectors/$stem.txtpb" ]]; then
            echo "orphan: $bin (no $stem.txtpb)"
            problems=$((problems + 1))
        fi
    done
    if ((problems)); then
        echo "golden vectors: $problems problem(s); run scripts/golden-vectors.sh to regenerate" >&2
        exit 1
    fi
    echo "golden vectors: all $encoded .bin files match protoc $(protoc --version | sed 's/^libprotoc //')"
    exit 0
fi

written=0
for txtpb in "${txtpbs[@]}"; do
    stem=$(basename "$txtpb" .txtpb)
    bin="$vectors/$stem.bin"
    if [[ ! -f $bin ]] || ! cmp -s "$tmp/$stem.bin" "$bin"; then
        cp "$tmp/$stem.bin" "$bin.tmp"
        mv -f "$bin.tmp" "$bin"
        echo "wrote: $bin"
        written=$((written + 1))
    fi
done
removed=0
for bin in "$vectors"/*.bin; do
    stem=$(basename "$bin" .bin)
    if [[ ! -f "$vectors/$stem.txtpb" ]]; then
        rm -f "$bin"
        echo "removed orphan: $bin"
        removed=$((removed + 1))
    fi
done
echo "golden vectors: $encoded encoded, $written written, $((encoded - written)) unchanged, $removed orphan(s) removed"
