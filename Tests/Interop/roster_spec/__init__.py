"""roster_spec: a roster/1 client written from proto/PROTOCOL.md and the .proto files alone.

Python standard library only. It runs a fixed set of checks against `roster-bench serve` and
fails on any deviation from the specification. Modules, with the PROTOCOL.md sections they
implement:

    protobuf     §14 proto3 encoding and decoding
    messages     rpc.proto and bench.proto messages (§2 Settings, §6-§7 Status, §12 GoAway)
    wire         §2 preface and SETTINGS values, §3 frame header, §4 types and flags,
                 §10 receive window
    connection   §1 TCP/TLS/ALPN, §2 handshake, §3-§5 reading frames, §11 PING, §12 GOAWAY
    calls        §6 calls, §7 codes, §9 TRAILERS size, §10 credit
    report       PASS/FAIL lines and the exit status
    checks/      the checks, one module per section (see checks/__init__.py)
    __main__     the command line
"""
