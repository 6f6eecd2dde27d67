"""A WebSocket server that floods its client: the target of the bounded-memory
tests (issue 7, item 8). After a valid opening handshake (RFC 6455 section
4.2.2) it never echoes and never answers anything the client sends (it reads
and discards every octet, our pongs and our close frame included) and sends,
as fast as the client takes them, up to RATE frames a second:

  pings   ping frames with a 4-octet payload (RFC 6455 section 5.5.2: each
          one asks the client for a pong, which this server ignores)
  big-pings  the same with 125-octet payloads (the most a control frame
          may carry, section 5.5), so that unanswered pongs pile up fast
  frames  tiny valid data frames: unmasked, FIN set, binary, 1 octet each
          (RFC 6455 section 5.2), i.e. a flood of complete messages

With --no-read it reads nothing after the handshake at all, so the
client's writes (its pongs) pile up against a full socket.

The frames are written independently of wsspec's codec, from section 5.2.
Prints its port on the first stdout line.
Usage: flood_server.py --mode pings|big-pings|frames [--rate N] [--no-read]
"""
import argparse
import asyncio
import signal
import socket
import struct

from handshake101 import switching_protocols

TICK_S = 0.01


def ping(n):
    # FIN + opcode 0x9, unmasked, payload length 4 (section 5.2, 5.5.2).
    return bytes([0x89, 4]) + struct.pack("!I", n & 0xFFFFFFFF)


def big_ping(n):
    # The longest control frame: 125 octets of payload (section 5.5).
    return bytes([0x89, 125]) + struct.pack("!I", n & 0xFFFFFFFF) + b"p" * 121


def tiny_binary(n):
    # FIN + opcode 0x2, unmasked, payload length 1.
    return bytes([0x82, 1, n & 0xFF])


async def discard(reader):
    try:
        while await reader.read(65536):
            pass
    except (ConnectionError, OSError):
        pass


async def never_done():
    await asyncio.Event().wait()


async def handle(reader, writer, mode, rate, read):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        writer.close()
        return
    writer.write(switching_protocols(head))
    sink = asyncio.ensure_future(discard(reader) if read else never_done())
    make = {"pings": ping, "big-pings": big_ping, "frames": tiny_binary}[mode]
    per_tick = max(1, int(rate * TICK_S))
    n = 0
    loop = asyncio.get_running_loop()
    try:
        next_tick = loop.time()
        while not sink.done():
            writer.write(b"".join(make(n + i) for i in range(per_tick)))
            n += per_tick
            await writer.drain()  # a client that stops reading stalls us, not our memory
            next_tick += TICK_S
            await asyncio.sleep(max(0.0, next_tick - loop.time()))
    except (ConnectionError, OSError):
        pass
    finally:
        sink.cancel()
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["pings", "big-pings", "frames"], required=True)
    ap.add_argument("--rate", type=int, default=0, help="frames a second (default: 50000 "
                    "pings or 100000 frames)")
    ap.add_argument("--no-read", action="store_true", help="never read what the client sends")
    args = ap.parse_args()
    rate = args.rate or (100000 if args.mode == "frames" else 50000)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    sock = socket.socket()
    if args.no_read:
        # A small receive window: what the client writes backs up at once.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.bind(("127.0.0.1", 0))
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, args.mode, rate, not args.no_read), sock=sock)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await stop


asyncio.run(main())
