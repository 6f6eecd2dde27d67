#!/usr/bin/env python3
"""Writes the seed corpus of pmd_inflate_fuzz into fuzz/corpus/pmd_inflate/.

Each seed: one config octet (low 3 bits: window bits - 8; bit 3:
no_context_takeover; high 4 bits: piece size), then two compressed messages
of equal length (the target splits the rest at its middle). The messages are
the RFC 7692 7.2.3.x examples and zlib raw-deflate output with the
00 00 ff ff tail removed (7692:7.2.1). Files are named by their SHA-256."""
import hashlib
import os
import zlib

HELLO = bytes.fromhex("f248cdc9c90700")
HELLO2 = bytes.fromhex("f200110000")
STORED = bytes.fromhex("000500faff48656c6c6f00")
BFINAL = bytes.fromhex("f348cdc9c9070000")
TWO_BLOCKS = bytes.fromhex("f24805000000ffffcac9c90700")


def deflate(data, bits, level=9):
    c = zlib.compressobj(level, zlib.DEFLATED, -max(bits, 9))
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]



def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = os.path.join(here, "corpus", "pmd_inflate")
    os.makedirs(out_dir, exist_ok=True)
    text = b"".join(b"frame mask opcode %d close ping pong " % i for i in range(200))
    seeds = [
        bytes([7]) + HELLO + HELLO,
        bytes([7]) + HELLO2 + HELLO2,
        bytes([7]) + STORED + STORED,
        bytes([7]) + BFINAL + BFINAL,
        bytes([7 | 0x10]) + TWO_BLOCKS + TWO_BLOCKS,
        bytes([7 | 8]) + HELLO + HELLO,
        bytes([7]) + b"\x00\x00",
        bytes([0]) + b"\x06\x06",
        bytes([0x37]) + b"\x02\x02\x00\x02\x02\x00",
    ]
    zeros = deflate(bytes(200000), 15)
    seeds.append(bytes([7]) + zeros + zeros)
    for bits in range(8, 16):
        m = deflate(text, bits)
        seeds.append(bytes([bits - 8]) + m + m)
        seeds.append(bytes([(bits - 8) | 8 | 0x30]) + m + m)
    for seed in seeds:
        name = hashlib.sha256(seed).hexdigest()
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(seed)
    print(f"{len(seeds)} seeds in {out_dir}")


if __name__ == "__main__":
    main()
