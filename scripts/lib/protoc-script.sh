# Shared start of the scripts that regenerate fixtures from protoc's output (golden-vectors.sh,
# descriptor-set.sh). Source it with the script's arguments after setting `help_lines` (the sed
# range of the script's header comment):
#   help_lines='2,14'; source "${BASH_SOURCE[0]%/*}/lib/protoc-script.sh" "$@"
# It sets `check` (1 for --check), prints the header for -h/--help, moves to the repository root,
# and stops when protoc is missing.

usage() {
    echo "usage: $0 [--check]" >&2
    exit 2
}

check=0
case "$#:${1:-}" in
    0:) ;;
    1:--check) check=1 ;;
    1:-h | 1:--help)
        sed -n "${help_lines}p" "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) usage ;;
esac

lib_dir=${BASH_SOURCE[0]%/*}
[[ $lib_dir == "${BASH_SOURCE[0]}" ]] && lib_dir=.
cd "$lib_dir/../.."

if ! command -v protoc >/dev/null 2>&1; then
    echo "error: protoc not found on PATH; install protobuf-compiler (e.g. apt-get install protobuf-compiler)" >&2
    exit 1
fi
