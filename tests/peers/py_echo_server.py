"""An echo server on Debian's python3-websockets, used as a third-party peer.
Prints its port on the first stdout line.
Usage: py_echo_server.py [--max-size N] [--deflate]
--deflate: permessage-deflate on (websockets' default configuration), else off."""
import asyncio
import signal
import sys

import websockets


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
