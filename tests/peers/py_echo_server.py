"""An echo server on Debian's python3-websockets, used as a third-party peer.
Prints its port on the first stdout line.
Usage: py_echo_server.py [--max-size N] [--deflate] [--deflate-fault NAME]
--deflate: permessage-deflate on (websockets' default configuration), else off.
--deflate-fault NAME (with --deflate) breaks one RFC 7692 rule on purpose, so
tests can show that the deflate cases catch it:
  rsv1-anywhere        accept RSV1 on control and continuation frames (7692:6.1)
  corrupt-as-empty     take a message that does not inflate as an empty one
                       instead of failing the connection (6455:10.7)
  unoffered-client-bits  answer client_max_window_bits=12 to an offer without
                       it (7692:7.1.2.2 MUST NOT)"""
import asyncio
import dataclasses
import signal
import sys
import zlib

import websockets
from websockets import frames
from websockets.extensions import permessage_deflate as pmd


def break_deflate(fault):
    if fault == "rsv1-anywhere":
        decode = pmd.PerMessageDeflate.decode

        def lenient(self, frame, *, max_size=None):
            if frame.rsv1 and (frame.opcode in frames.CTRL_OPCODES or frame.opcode is frames.OP_CONT):
                frame = dataclasses.replace(frame, rsv1=False)
            return decode(self, frame, max_size=max_size)
        pmd.PerMessageDeflate.decode = lenient
    elif fault == "corrupt-as-empty":
        decode = pmd.PerMessageDeflate.decode

        def forgiving(self, frame, *, max_size=None):
            try:
                return decode(self, frame, max_size=max_size)
            except websockets.exceptions.ProtocolError:
                self.decoder = zlib.decompressobj(wbits=-self.remote_max_window_bits)
                return dataclasses.replace(frame, rsv1=False, data=b"")
        pmd.PerMessageDeflate.decode = forgiving
    elif fault == "unoffered-client-bits":
        respond = pmd.ServerPerMessageDeflateFactory.process_request_params

        def adding(self, params, accepted):
            response, extension = respond(self, params, accepted)
            if not any(name == "client_max_window_bits" for name, _ in response):
                response = list(response) + [("client_max_window_bits", "12")]
            return response, extension
        pmd.ServerPerMessageDeflateFactory.process_request_params = adding
    else:
        raise SystemExit(f"unknown --deflate-fault {fault}")


async def echo(ws, path=None):
    try:
        async for message in ws:
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass


async def main():
    max_size = 64 * 1024 * 1024
    if "--max-size" in sys.argv:
        max_size = int(sys.argv[sys.argv.index("--max-size") + 1])
    if "--deflate-fault" in sys.argv:
        break_deflate(sys.argv[sys.argv.index("--deflate-fault") + 1])
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    compression = "deflate" if "--deflate" in sys.argv else None
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=max_size,
                                compression=compression) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(port, flush=True)
        await stop


asyncio.run(main())
