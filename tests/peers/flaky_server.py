"""A deliberately flaky WebSocket echo server: the target of the flaky-case
tests (issue 11, item 2). It echoes text and binary messages, answers pings
and close frames as RFC 6455 says, except that for each complete data
message it draws from a PRNG seeded with --seed and, when the draw is below
--drop-rate, does not reply:

  --drop reply        (default) the echo is left out, nothing else: the
                      client waits in vain (a case fails by a timeout)
  --drop connection   the TCP connection is closed at once instead of the
                      echo (a case fails at once, not by a timeout)
  --drop-on ping      draw for each ping instead (and leave out its pong, or
                      close): RFC 6455 requires the pong (6455:5.5.2 "Upon
                      receipt of a Ping frame, an endpoint MUST send a Pong
                      frame in response"), so a left-out pong fails a case
                      by a timeout, which --retry-timeouts reruns; a missing
                      echo is no failure of the RFC's (slow is not wrong)

Draws happen in the order the messages arrive, one per message, so with one
connection at a time the n-th message is dropped exactly when
random.Random(seed)'s n-th random() is below the rate. Frames are parsed
from RFC 6455 section 5.2, independently of wsspec's codec. Prints its port
on the first stdout line, and one line "drop" or "reply" per draw on
stderr.

Usage: flaky_server.py [--seed N] [--drop-rate R] [--drop reply|connection]
                       [--drop-on data|ping]
"""
import argparse
import asyncio
import random
import signal
import struct
import sys

from handshake101 import switching_protocols


def frame(opcode, payload):
    n = len(payload)
    if n < 126:
        head = bytes([0x80 | opcode, n])
    elif n < 65536:
        head = bytes([0x80 | opcode, 126]) + struct.pack("!H", n)
    else:
        head = bytes([0x80 | opcode, 127]) + struct.pack("!Q", n)
    return head + payload


async def read_frame(reader):
    b0, b1 = await reader.readexactly(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", await reader.readexactly(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", await reader.readexactly(8))[0]
    key = await reader.readexactly(4) if b1 & 0x80 else b"\0\0\0\0"
    data = await reader.readexactly(n)
    return b0 & 0x80, b0 & 0x0F, bytes(b ^ key[i % 4] for i, b in enumerate(data))


def draw(args, rng):
    drop = rng.random() < args.drop_rate
    print("drop" if drop else "reply", file=sys.stderr, flush=True)
    return drop


async def handle(reader, writer, args, rng):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        writer.write(switching_protocols(head))
        message, message_op = b"", 0
        while True:
            fin, opcode, payload = await read_frame(reader)
            if opcode == 0x8:  # close: answer with the same code, then close TCP
                writer.write(frame(0x8, payload[:2]))
                await writer.drain()
                return
            if opcode == 0x9:
                if args.drop_on == "ping" and draw(args, rng):
                    if args.drop == "connection":
                        return
                    continue
                writer.write(frame(0xA, payload))
                continue
            if opcode == 0xA:
                continue
            if opcode in (0x1, 0x2):
                message, message_op = payload, opcode
            else:
                message += payload
            if not fin:
                continue
            drop = args.drop_on == "data" and draw(args, rng)
            if not drop:
                writer.write(frame(message_op, message))
            elif args.drop == "connection":
                return
            message = b""
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--drop-rate", type=float, default=0.5)
    ap.add_argument("--drop", choices=("reply", "connection"), default="reply")
    ap.add_argument("--drop-on", choices=("data", "ping"), default="data")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    server = await asyncio.start_server(lambda r, w: handle(r, w, args, rng), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await stop


asyncio.run(main())
