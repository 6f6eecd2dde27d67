"""Debian's python3-websockets client against `wsspec serve`, the strict
reference echo server (issue 2, item 7)."""
import asyncio
import hashlib
import ssl

import pytest
import websockets

from conftest import scaled
from rawws import RawClient, close_payload, frame


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, scaled(60)))


async def roundtrip(port, messages, **kw):
    async with websockets.connect(f"ws://127.0.0.1:{port}/", max_size=None,
                                  compression=None, **kw) as ws:
        out = []
        for m in messages:
            await ws.send(m)
            out.append(await ws.recv())
        return out


def test_text_and_binary_echo_keep_their_type(serve):
    port = serve("--quiet").port
    got = run(roundtrip(port, ["Hello, world!", b"\x00\xff\xfe binary", "", b""]))
    assert got == ["Hello, world!", b"\x00\xff\xfe binary", "", b""]
    assert [type(x) for x in got] == [str, bytes, str, bytes]


def test_fragmented_message_is_echoed_whole(serve):
    port = serve("--quiet").port

    async def go():
        async with websockets.connect(f"ws://127.0.0.1:{port}/", compression=None) as ws:
            await ws.send(["frag", "ment", "ed µ"])  # an iterable is sent as fragments
            return await ws.recv()

    assert run(go()) == "fragmented µ"


def test_16_mib_message(serve):
    port = serve("--quiet").port
    payload = bytes(range(256)) * (16 * 1024 * 1024 // 256)
    got = run(roundtrip(port, [payload]))[0]
    assert len(got) == len(payload)
    assert hashlib.sha256(got).digest() == hashlib.sha256(payload).digest()


def test_message_over_limit_gets_1009(serve):
    port = serve("--quiet", "--max-message", "1000").port

    async def go():
        async with websockets.connect(f"ws://127.0.0.1:{port}/", compression=None) as ws:
            await ws.send(b"x" * 1001)
            with pytest.raises(websockets.ConnectionClosed):
                await ws.recv()
            return ws.close_code

    assert run(go()) == 1009


def test_ping_gets_pong_with_same_payload(serve):
    port = serve("--quiet").port

    async def go():
        async with websockets.connect(f"ws://127.0.0.1:{port}/", compression=None) as ws:
            waiter = await ws.ping(b"are you there?")
            await asyncio.wait_for(waiter, scaled(5))
            return True

    assert run(go())


@pytest.mark.parametrize("code", [1000, 1001, 3000, 4999])
def test_close_code_is_echoed(serve, code):
    port = serve("--quiet").port

    async def go():
        ws = await websockets.connect(f"ws://127.0.0.1:{port}/", compression=None)
        await ws.close(code=code, reason="bye")
        return ws.close_code

    # 6455:5.5.1 "it typically echos the status code it received"
    assert run(go()) == code


def test_unmasked_frame_gets_1002_and_no_echo(serve):
    port = serve("--quiet").port
    c = RawClient(port, timeout=scaled(5))
    assert c.status == 101
    assert c.headers["sec-websocket-accept"] == [c.expected_accept]
    c.send(frame(0x1, b"unmasked", mask=False))
    # 6455:5.1 "a server MUST close the connection upon receiving a frame that is not masked"
    fin, rsv, opcode, masked, payload = c.recv_frame()
    assert opcode == 0x8 and not masked
    assert payload[:2] == close_payload(1002)
    assert c.at_eof()


def test_server_closes_tcp_first_after_close_handshake(serve):
    port = serve("--quiet").port
    c = RawClient(port, timeout=scaled(5))
    c.send(frame(0x8, close_payload(1000, b"done")))
    assert c.recv_close_code() == 1000
    # 6455:7.1.1 "the server to close the underlying TCP connection first"
    assert c.at_eof()


def test_bad_version_gets_426(serve):
    port = serve("--quiet").port
    req = (b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n")
    c = RawClient(port, timeout=scaled(5), request=req)
    assert c.status == 426
    assert c.headers["sec-websocket-version"] == ["13"]


def test_many_connections_at_once(serve):
    port = serve("--quiet").port

    async def one(i):
        return await roundtrip(port, [f"client {i}", bytes([i % 256]) * (i * 1000)])

    async def go():
        return await asyncio.gather(*(one(i) for i in range(50)))

    for i, got in enumerate(run(go())):
        assert got == [f"client {i}", bytes([i % 256]) * (i * 1000)]


def test_wss_echo_with_generated_certificate(serve, tls_cert):
    cert, key = tls_cert
    port = serve("--quiet", "--tls-cert", str(cert), "--tls-key", str(key)).port
    ctx = ssl.create_default_context(cafile=str(cert))

    async def go():
        async with websockets.connect(f"wss://localhost:{port}/", ssl=ctx,
                                      compression=None) as ws:
            await ws.send("over TLS")
            return await ws.recv()

    assert run(go()) == "over TLS"


def test_sigterm_stops_cleanly(serve):
    p = serve("--quiet")
    rc, _, _ = p.stop()
    assert rc == 0
