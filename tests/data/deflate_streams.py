#!/usr/bin/python3
"""The hand-made DEFLATE streams of cases/deflate-streams.json, regenerated
and checked.

Each stream is the payload of one compressed message as it goes on the wire:
raw DEFLATE (RFC 1951) with the 00 00 ff ff tail removed (7692:7.2.1). The
receiver appends the tail again (7692:7.2.2 step 1) and inflates. Every
stream is checked here with Python's zlib (decompressobj(-15)): the valid
ones must inflate to the expected octets and end at a block boundary, the
corrupt ones must make zlib raise the error named.

Usage: tests/data/deflate_streams.py          # print name, hex, what zlib says
       tests/data/deflate_streams.py --check  # exit 1 when a stream is not what it says
"""
import sys
import zlib

TAIL = b"\x00\x00\xff\xff"  # 7692:7.2.1 step 3, 7692:7.2.2 step 1


class Bits:
    """An RFC 1951 bit writer: fields LSB first, Huffman codes MSB first."""

    def __init__(self):
        self.bits = []

    def field(self, value, n):  # 3.1.1: data elements, least significant bit first
        for i in range(n):
            self.bits.append((value >> i) & 1)
        return self

    def code(self, value, n):  # 3.1.1: Huffman codes, most significant bit first
        for i in reversed(range(n)):
            self.bits.append((value >> i) & 1)
        return self

    def fixed_literal(self, octet):  # 3.2.6: 0-143 are 8 bits from 00110000
        if octet < 144:
            return self.code(0x30 + octet, 8)
        return self.code(0x190 + octet - 144, 9)

    def pad(self):
        while len(self.bits) % 8:
            self.bits.append(0)
        return self

    def octets(self):
        self.pad()
        out = bytearray()
        for i in range(0, len(self.bits), 8):
            out.append(sum(b << j for j, b in enumerate(self.bits[i:i + 8])))
        return bytes(out)


def sync_compress(data, wbits=15, level=9, strategy=zlib.Z_DEFAULT_STRATEGY):
    """zlib raw deflate with Z_SYNC_FLUSH, tail removed: 7692:7.2.1."""
    c = zlib.compressobj(level, zlib.DEFLATED, -wbits, 9, strategy)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(TAIL)
    return out[:-4]


def btype_of_first_block(stream):
    return (stream[0] >> 1) & 3


def inflate_message(payload, context=None):
    """7692:7.2.2 on one message: the data after a BFINAL block starts a new
    stream (7692:7.2.1 "The next DEFLATE block follows the padded data if
    any"). Returns (octets, at_boundary)."""
    data = payload + TAIL
    out = b""
    d = zlib.decompressobj(-15, zdict=context) if context else zlib.decompressobj(-15)
    while True:
        out += d.decompress(data)
        if d.eof and d.unused_data:
            data = d.unused_data
            d = zlib.decompressobj(-15)
            continue
        break
    # At a block boundary: an empty final fixed block (03 00: BFINAL 1, BTYPE
    # 01, end-of-block) appended now ends the stream at once, adding nothing.
    # Inside a block (a stored block's LEN still to come, a Huffman code cut
    # off) those octets are taken for the block's own data and it does not.
    probe = d.copy()
    try:
        added = probe.decompress(b"\x03\x00")
    except zlib.error:
        return out, False
    return out, probe.eof and not probe.unused_data and not added


# The text of the Huffman cases: this sentence repeated and cut to 2000
# octets ({"repeat": SENTENCE, "count": 2000} in the cases).
SENTENCE = (b"Pack my box with five dozen liquor jugs; the quick brown fox jumps over the lazy "
            b"dog; sphinx of black quartz, judge my vow! How vexingly quick daft zebras jump. "
            b"0123456789 {\"k\": [1, 2, 3]} <p>markup</p> ")


def repeated(n):
    return (SENTENCE * (n // len(SENTENCE) + 1))[:n]


HELLO = b"Hello"


def fixed_block(build):
    b = Bits().field(0, 1).field(1, 2)  # BFINAL 0, BTYPE 01 (fixed Huffman)
    build(b)
    return b


# ---- the streams ----------------------------------------------------------

# Payloads that decode to octets but, with the receiver's tail appended, do
# not end at a block boundary: the sender did not follow 7692:7.2.1.
CUT = {
    # The 00 00 ff ff tail left in: the appended tail then opens a stored
    # block whose LEN (ff 00) and NLEN never come.
    "tail-kept": (bytes.fromhex("f248cdc9c90700") + TAIL, HELLO),
    # No octet at all: the appended tail alone opens that stored block.
    "empty-payload": (b"", b""),
}

VALID = {}   # name -> (payload, expected octets, what it is)
CORRUPT = {}  # name -> (payload, zlib's message, what it is)


def valid(name, payload, expected, what):
    VALID[name] = (payload, expected, what)


def corrupt(name, payload, message, what):
    CORRUPT[name] = (payload, message, what)


valid("rfc-7.2.3.1", bytes.fromhex("f248cdc9c90700"), HELLO,
      "7692:7.2.3.1: 'Hello' in one fixed-Huffman block")
valid("rfc-7.2.3.3", bytes.fromhex("000500faff48656c6c6f00"), HELLO,
      "7692:7.2.3.3: 'Hello' in a stored (uncompressed) block")
valid("rfc-7.2.3.4", bytes.fromhex("f348cdc9c9070000"), HELLO,
      "7692:7.2.3.4: 'Hello' in a block with BFINAL set, then the header of an empty stored block")
valid("rfc-7.2.3.5", bytes.fromhex("f248050000 00ffff cac9c90700".replace(" ", "")), HELLO,
      "7692:7.2.3.5: 'He' and 'llo' in two fixed blocks, an empty stored block between them")
valid("empty-00", bytes.fromhex("00"), b"",
      "7692:7.2.3.6: the empty message as the header of an empty stored block")
valid("empty-fixed-0200", bytes.fromhex("0200"), b"",
      "an empty fixed-Huffman block (end-of-block only), then the header of an empty stored block")

world = sync_compress(b"World")
bfinal_hello = bytes.fromhex("f348cdc9c90700")
valid("bfinal-then-stream", bfinal_hello + world, b"HelloWorld",
      "'Hello' ending a DEFLATE stream (BFINAL 1), then a second stream 'World' in the same "
      "message (7692:7.2.1 \"The next DEFLATE block follows the padded data if any\")")
valid("empty-stored-x1000", bytes.fromhex("000000ffff") * 1000 + bytes.fromhex("f248cdc9c90700"), HELLO,
      "1000 empty stored blocks (00 00 00 ff ff each), then 'Hello' in a fixed block")

text = repeated(2000)
dyn = sync_compress(text)
assert btype_of_first_block(dyn) == 2, "expected a dynamic Huffman block"
valid("dynamic-huffman", dyn, text,
      "SENTENCE repeated to 2000 octets, zlib level 9: a dynamic Huffman block (BTYPE 10)")
fixed = sync_compress(text, strategy=zlib.Z_FIXED)
assert btype_of_first_block(fixed) == 1, "expected a fixed Huffman block"
valid("fixed-huffman", fixed, text,
      "the same text with zlib's Z_FIXED strategy: fixed Huffman blocks (BTYPE 01)")
stored = sync_compress(text, level=0)
assert btype_of_first_block(stored) == 0, "expected a stored block"
valid("stored-blocks", stored, text, "the same text at zlib level 0: a stored block (BTYPE 00)")

# A length-distance pair reaching back 1: 'a' then "copy 4 from 1 back" = 'aaaaa'.
# The dynamic block cut 40 octets before its end (cases: block-cut-off): the
# appended tail is read as Huffman codes of the cut block, so what decodes is
# a prefix of the text and then octets nobody sent.
CUT["dynamic-huffman-cut-40"] = (dyn[:-40], None)

valid("overlapping-copy", fixed_block(lambda b: (b.fixed_literal(ord("a")), b.code(2, 7), b.code(0, 5),
                                                b.code(0, 7))).field(0, 3).octets(),
      b"aaaaa", "'a' then length 4 distance 1 (an overlapping copy), in a fixed block")

corrupt("btype-3", bytes.fromhex("06"), "invalid block type",
        "a block header with BTYPE 11 (reserved, RFC 1951 3.2.3 'error')")
corrupt("btype-3-bfinal", bytes.fromhex("07"), "invalid block type",
        "BFINAL 1 and BTYPE 11")
corrupt("stored-nlen", bytes.fromhex("000500fafe48656c6c6f00"), "invalid stored block lengths",
        "7692:7.2.3.3's stored block with NLEN not the complement of LEN")
corrupt("fixed-litlen-286",
        fixed_block(lambda b: (b.fixed_literal(ord("H")), b.code(0xC6, 8))).octets(),
        "invalid literal/length code",
        "a fixed block with 'H' then literal/length code 286 (8 bits 11000110: never valid, RFC 1951 3.2.6)")
corrupt("fixed-distance-30",
        fixed_block(lambda b: (b.fixed_literal(ord("a")), b.fixed_literal(ord("b")), b.code(1, 7),
                               b.code(30, 5))).octets(),
        "invalid distance code",
        "a fixed block with 'ab' then a match whose distance code is 30 (never valid, RFC 1951 3.2.6)")
corrupt("too-far-back-first",
        fixed_block(lambda b: (b.code(1, 7), b.code(0, 5))).octets(),
        "invalid distance too far back",
        "a fixed block whose first symbol copies 3 octets from 1 back, before any octet exists")
corrupt("too-far-back-4",
        fixed_block(lambda b: (b.fixed_literal(ord("a")), b.fixed_literal(ord("b")), b.fixed_literal(ord("c")),
                               b.code(1, 7), b.code(3, 5))).octets(),
        "invalid distance too far back",
        "a fixed block with 'abc' then a copy from 4 back (one octet before the message)")
corrupt("dynamic-oversubscribed",
        Bits().field(0, 1).field(2, 2).field(0, 5).field(0, 5).field(0, 4)
        .field(1, 3).field(1, 3).field(1, 3).field(1, 3).octets(),
        "invalid code lengths set",
        "a dynamic block whose code-length code is over-subscribed (four codes of 1 bit)")
corrupt("dynamic-hlit-287",
        Bits().field(0, 1).field(2, 2).field(30, 5).field(0, 5).field(0, 4).field(0, 12).octets(),
        "too many length or distance symbols",
        "a dynamic block declaring 287 literal/length codes (HLIT 30; at most 286 are allowed)")


def check():
    bad = 0
    for name, (payload, expected, _) in VALID.items():
        got, boundary = inflate_message(payload)
        ok = got == expected and boundary
        bad += not ok
        print(f"{'ok ' if ok else 'BAD'} valid   {name:28} {len(payload):5} octets -> {len(got)} octets")
    for name, (payload, expected) in CUT.items():
        got, boundary = inflate_message(payload)
        ok = (expected is None or got == expected) and not boundary
        bad += not ok
        print(f"{'ok ' if ok else 'BAD'} cut     {name:28} {len(payload):5} octets -> {len(got)} octets, "
              f"not at a block boundary")
    for name, (payload, message, _) in CORRUPT.items():
        try:
            inflate_message(payload)
            got = "no error"
        except zlib.error as e:
            got = str(e)
        ok = message in got
        bad += not ok
        print(f"{'ok ' if ok else 'BAD'} corrupt {name:28} {payload.hex(' ')}: {got}")
    # 7692:7.2.3.2: the second 'Hello' refers back into the first message.
    first, _ = inflate_message(bytes.fromhex("f248cdc9c90700"))
    d = zlib.decompressobj(-15)
    got = d.decompress(bytes.fromhex("f248cdc9c90700") + TAIL) + d.decompress(bytes.fromhex("f200110000") + TAIL)
    ok = got == HELLO + HELLO
    bad += not ok
    print(f"{'ok ' if ok else 'BAD'} context rfc-7.2.3.2 f2 00 11 00 00 after 7.2.3.1 -> {got!r}")
    # A fresh inflater (no context) must refuse 7.2.3.2's second payload.
    try:
        zlib.decompressobj(-15).decompress(bytes.fromhex("f200110000") + TAIL)
        got = "no error"
    except zlib.error as e:
        got = str(e)
    ok = "too far back" in got
    bad += not ok
    print(f"{'ok ' if ok else 'BAD'} corrupt rfc-7.2.3.2-alone: {got}")
    # A window larger than 2^8: 'X' * 300 repeated by a reference 300 back is
    # what a compressor with a 15-bit window sends and one of 8 bits cannot.
    far = sync_compress(bytes(range(256)) + b"0123456789" * 4 + bytes(range(256)))
    d = zlib.decompressobj(-8)
    try:
        d.decompress(far + TAIL)
        got = "no error"
    except zlib.error as e:
        got = str(e)
    print(f"info    far-reference with an 8-bit inflater: {got}")
    # A stored block of 65535 octets (the largest), as cases/deflate-streams.json builds it.
    data = bytes(range(256)) * 255 + bytes(range(255))
    got, boundary = inflate_message(bytes.fromhex("00ffff0000") + data + b"\x00")
    ok = got == data and boundary
    bad += not ok
    print(f"{'ok ' if ok else 'BAD'} valid   stored-65535 -> {len(got)} octets")
    return bad


if __name__ == "__main__":
    if "--check" in sys.argv:
        sys.exit(1 if check() else 0)
    check()
    print()
    for name, (payload, _, what) in {**VALID, **{k: (v[0], None, v[2]) for k, v in CORRUPT.items()}}.items():
        shown = payload.hex(" ") if len(payload) <= 256 else f"({len(payload)} octets) " + payload[:32].hex(" ") + " ..."
        print(f"{name}: {what}\n  {shown}")
