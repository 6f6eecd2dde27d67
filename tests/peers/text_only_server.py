"""A WebSocket echo server that only knows text: the target of the idle
deadline test (issue 7, item 8). It echoes text messages, answers pings and
close frames as RFC 6455 says, and silently ignores every binary message (no
echo, no close): a peer that leaves the client waiting for an answer that
never comes. Frames are parsed from RFC 6455 section 5.2, independently of
wsspec's codec. Prints its port on the first stdout line.

  --delay S   wait S seconds before each echo (a slow but correct peer)
  --no-pong   never answer pings (breaks 6455:5.5.2 "MUST send a Pong frame")

Usage: text_only_server.py [--delay S] [--no-pong]
"""
import argparse
import asyncio
import signal
import struct

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


async def handle(reader, writer, args):
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
                if not args.no_pong:
                    writer.write(frame(0xA, payload))
                continue
            if opcode == 0xA:
                continue
            if opcode in (0x1, 0x2):
                message, message_op = payload, opcode
            else:
                message += payload
            if fin:
                if message_op == 0x1:  # text: echoed; binary: ignored
                    if args.delay:
                        await asyncio.sleep(args.delay)
                    writer.write(frame(0x1, message))
                message = b""
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--no-pong", action="store_true")
    args = ap.parse_args()
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    server = await asyncio.start_server(lambda r, w: handle(r, w, args), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await stop


asyncio.run(main())
