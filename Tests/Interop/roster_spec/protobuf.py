"""Proto3 binary encoding as PROTOCOL.md §14 states it, for the few messages the client needs.

§14: varints of at most 10 bytes, negative int32 sign-extended to 64 bits; fields written in
field-number order, defaults left out; map entries sorted by key bytes; unknown fields skipped by
wire type (groups up to the matching end-group); wire types 6 and 7, field number 0 or above
2^29-1, a known field with the wrong wire type, invalid UTF-8 in a string and truncated input
are errors; nesting is limited to 100.
"""

import struct

MAX_DEPTH = 100
MAX_FIELD = (1 << 29) - 1
U64 = (1 << 64) - 1


class DecodeError(Exception):
    """A payload that is not valid protobuf under §14."""


# Encoding -----------------------------------------------------------------------------------

def enc_varint(n):
    """A varint; negative values are sign-extended to 64 bits (§14: -1 is 10 bytes)."""
    n &= U64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if not n:
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


def enc_key(field, wire_type):
    return enc_varint((field << 3) | wire_type)


def f_varint(field, v):
    """An int32/uint32/uint64 field; the default 0 is not emitted (§14)."""
    return enc_key(field, 0) + enc_varint(v) if v else b""


def f_bytes(field, v):
    """A string or bytes field; the default (empty) is not emitted (§14)."""
    if isinstance(v, str):
        v = v.encode("utf-8")
    return enc_key(field, 2) + enc_varint(len(v)) + v if v else b""


def f_fixed32(field, v):
    """A fixed32 field, little-endian (§14)."""
    return enc_key(field, 5) + struct.pack("<I", v) if v else b""


def f_map_ss(field, m):
    """A map<string, string>: key (1) and value (2) in every entry, sorted by key bytes (§14)."""
    out = b""
    for k in sorted(m, key=lambda s: s.encode("utf-8")):
        entry = enc_key(1, 2) + enc_varint(len(k.encode())) + k.encode()
        entry += enc_key(2, 2) + enc_varint(len(m[k].encode())) + m[k].encode()
        out += enc_key(field, 2) + enc_varint(len(entry)) + entry
    return out


# Decoding -----------------------------------------------------------------------------------

def dec_varint(buf, pos):
    """(value, next position); more than 10 bytes or the end of input is an error (§14)."""
    result = 0
    for i in range(10):
        if pos >= len(buf):
            raise DecodeError("the input ends inside a varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << (7 * i)
        if not b & 0x80:
            return result & U64, pos
    raise DecodeError("varint longer than 10 bytes")


def _take(buf, pos, n, what):
    if pos + n > len(buf):
        raise DecodeError("the input ends inside a %s" % what)
    return bytes(buf[pos:pos + n]), pos + n


def _read_key(buf, pos):
    key, pos = dec_varint(buf, pos)
    field, wt = key >> 3, key & 7
    if field == 0 or field > MAX_FIELD:
        raise DecodeError("invalid field number %d" % field)
    if wt in (6, 7):
        raise DecodeError("wire type %d does not exist" % wt)
    return field, wt, pos


def _read_value(buf, pos, wt):
    """The value of one field of wire type 0, 1, 2 or 5: (int or bytes, next position)."""
    if wt == 0:
        return dec_varint(buf, pos)
    if wt == 1:
        raw, pos = _take(buf, pos, 8, "fixed64")
        return struct.unpack("<Q", raw)[0], pos
    if wt == 5:
        raw, pos = _take(buf, pos, 4, "fixed32")
        return struct.unpack("<I", raw)[0], pos
    length, pos = dec_varint(buf, pos)
    return _take(buf, pos, length, "length-delimited value")


def _skip_group(buf, pos, field):
    """Skips a group (wire type 3) up to its matching end-group (wire type 4) (§14)."""
    stack = [field]
    while stack:
        f, wt, pos = _read_key(buf, pos)
        if wt == 3:
            stack.append(f)
        elif wt == 4:
            if stack.pop() != f:
                raise DecodeError("mismatched end-group")
        else:
            _, pos = _read_value(buf, pos, wt)
    return pos


def parse_fields(buf, depth=0):
    """Yields (field, wire_type, value): an int for wire types 0, 1 and 5, bytes for 2.

    Groups are skipped; `depth` counts the enclosing messages (at most 100, §14)."""
    if depth > MAX_DEPTH:
        raise DecodeError("nesting deeper than %d" % MAX_DEPTH)
    pos = 0
    while pos < len(buf):
        field, wt, pos = _read_key(buf, pos)
        if wt == 3:
            pos = _skip_group(buf, pos, field)
            continue
        if wt == 4:
            raise DecodeError("end-group without a group")
        value, pos = _read_value(buf, pos, wt)
        yield field, wt, value


def as_int32(v):
    """An int32 decoded from a (possibly sign-extended) varint."""
    v &= U64
    return v - (1 << 64) if v >= 1 << 63 else v


def utf8(b, what):
    """A string field's text; invalid UTF-8 is an error (§14)."""
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DecodeError("%s is not valid UTF-8: %s" % (what, e)) from None


def expect_wt(field, wt, want, msg):
    """A known field with the wrong wire type is an error (§14)."""
    if wt != want:
        raise DecodeError("%s field %d has wire type %d, expected %d" % (msg, field, wt, want))


def decode_map_entry(b, msg, depth):
    """(key, value) of a map<string, string> entry; a missing key or value is "" (§14)."""
    k = v = ""
    for f, wt, val in parse_fields(b, depth):
        if f in (1, 2):
            expect_wt(f, wt, 2, msg + " map entry")
            text = utf8(val, "%s map %s" % (msg, "key" if f == 1 else "value"))
            k, v = (text, v) if f == 1 else (k, text)
    return k, v
