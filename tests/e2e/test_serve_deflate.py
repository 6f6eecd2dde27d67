"""`wsspec serve` and permessage-deflate (RFC 7692): negotiation, compressed
echoes, the limits, and each deflate fault.

Two independent clients: Debian's python3-websockets (its own negotiation and
zlib streams: a wrong stream or window makes it fail) and a raw socket
(rawws.py) whose compression and decompression are Python's zlib driven by
hand from 7692:7.2.1 and 7.2.2. The raw inflater is exact about the window:
it produces one octet per zlib call, so any distance beyond 2^wbits octets is
"invalid distance too far back" (zlib checks a distance against its window
plus what the same call wrote). Every expected value is worked out from the
RFC sentence quoted next to it."""
import asyncio
import base64
import json
import os
import random
import re
import struct
import zlib

import pytest
import websockets
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

from conftest import scaled
from rawws import RawClient, close_payload, frame
from wsrun import results, wsspec

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
RSV1 = 4
TAIL = b"\x00\x00\xff\xff"  # 7692:7.2.1 step 3 / 7692:7.2.2 step 1


# ---- RFC 7692 by hand ------------------------------------------------------------


def compress(data, wbits=15, comp=None):
    """7692:7.2.1: DEFLATE, end with an empty stored block (a sync flush does),
    remove the 00 00 ff ff tail."""
    comp = comp or zlib.compressobj(9, zlib.DEFLATED, -wbits)
    out = comp.compress(data) + comp.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(TAIL)
    return out[:-4]


def exact_inflate(payload, wbits, dec=None):
    """7692:7.2.2: append 00 00 ff ff and inflate, one octet per call so that
    zlib's window check is exact for 2^wbits (raises zlib.error otherwise)."""
    dec = dec or zlib.decompressobj(-wbits)
    data, out = payload + TAIL, bytearray()
    while True:
        chunk = dec.decompress(data, 1)
        out += chunk
        data = dec.unconsumed_tail
        if not chunk and not data:
            return bytes(out)


def offer_request(port, extensions):
    key = base64.b64encode(os.urandom(16))
    lines = [b"GET / HTTP/1.1", b"Host: 127.0.0.1:%d" % port, b"Upgrade: websocket",
             b"Connection: Upgrade", b"Sec-WebSocket-Key: " + key, b"Sec-WebSocket-Version: 13"]
    if extensions is not None:
        lines.append(b"Sec-WebSocket-Extensions: " + extensions.encode())
    return b"\r\n".join(lines) + b"\r\n\r\n"


def connect(port, extensions):
    c = RawClient(port, timeout=scaled(10), request=offer_request(port, extensions))
    assert c.status == 101, c.status_line
    return c


def response_params(c):
    """The accepted element's parameters as {name: value or None}, or None
    when the 101 has no Sec-WebSocket-Extensions."""
    values = c.headers.get("sec-websocket-extensions")
    if not values:
        return None
    assert len(values) == 1, values
    elements = [e.strip() for e in values[0].split(",")]
    # 7692:5 "A server MUST NOT accept a PMCE extension negotiation offer
    # together with another extension if the PMCE will conflict with the
    # extension on their use of the RSV1 bit": one element, ours.
    assert len(elements) == 1, elements
    parts = [p.strip() for p in elements[0].split(";")]
    assert parts[0] == "permessage-deflate"
    params = {}
    for p in parts[1:]:
        name, _, value = p.partition("=")
        assert name not in params, f"parameter {name} twice"  # 7692:7 (client MUST fail)
        params[name] = value or None
    return params


def recv_data(c):
    """The next frame, which must be an unmasked final data frame."""
    fin, rsv, op, masked, data = c.recv_frame()
    assert fin and not masked and op in (OP_TEXT, OP_BINARY), (fin, rsv, op, masked, data[:40])
    return rsv, op, data


def expect_close(c, code):
    code_got = c.recv_close_code()
    assert code_got == code
    assert c.at_eof()


def rss_peak_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1))


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, scaled(120)))


# ---- negotiation (7692:7) --------------------------------------------------------

# (offer, accepted?) with the sentence that decides it.
NEGOTIATION = [
    ("permessage-deflate", True),
    ("permessage-deflate; client_max_window_bits", True),
    ("permessage-deflate; server_no_context_takeover; client_no_context_takeover", True),
    ("permessage-deflate; server_max_window_bits=8", True),
    ("permessage-deflate; server_max_window_bits=15; client_max_window_bits=9", True),
    ("permessage-deflate; server_max_window_bits=\"10\"", True),  # 7692:5.1 quoted-string
    ("x-wsspec-unknown, permessage-deflate; server_max_window_bits=12", True),
    # 7692:7 "A server MUST decline an extension negotiation offer for this
    # extension if any of the following conditions are met:"
    ("permessage-deflate; foo", False),  # "a parameter not defined for use in an offer"
    ("permessage-deflate; server_max_window_bits=7", False),  # "an invalid value" (8..15)
    ("permessage-deflate; server_max_window_bits=16", False),
    ("permessage-deflate; server_max_window_bits", False),  # 7692:7.1.2.1 needs a value
    ("permessage-deflate; client_max_window_bits=16", False),
    ("permessage-deflate; server_no_context_takeover=1", False),  # 7692:7.1.1.1 no value
    ("permessage-deflate; server_no_context_takeover; server_no_context_takeover", False),
    ("permessage-deflate; client_max_window_bits=10; client_max_window_bits=11", False),
    ("x-wsspec-unknown", False),
]


@pytest.mark.parametrize("offer,accepted", NEGOTIATION)
def test_negotiation_answers_per_7692(serve, offer, accepted):
    port = serve("--quiet").port
    c = connect(port, offer)
    params = response_params(c)
    if not accepted:
        assert params is None, params
        return
    assert params is not None
    pmd_offer = [e for e in offer.split(",") if e.strip().startswith("permessage-deflate")][0]
    offered = {p.split("=")[0].strip(): (p.split("=")[1].strip('" ') if "=" in p else None)
               for p in pmd_offer.split(";")[1:]}
    allowed = {"server_no_context_takeover", "client_no_context_takeover",
               "server_max_window_bits", "client_max_window_bits"}
    assert set(params) <= allowed  # 7692:7 "not defined for use in a response"
    for name in ("server_no_context_takeover", "client_no_context_takeover"):
        assert params.get(name, None) is None  # no value allowed (7692:7.1.1)
    if "server_no_context_takeover" in offered:
        # 7692:7.1.1.1 "A server accepts an extension negotiation offer that
        # includes the "server_no_context_takeover" extension parameter by
        # including the "server_no_context_takeover" extension parameter in
        # the corresponding extension negotiation response"
        assert "server_no_context_takeover" in params
    if "server_max_window_bits" in offered:
        # 7692:7.1.2.1 "... with the same or smaller value as the offer."
        assert 8 <= int(params["server_max_window_bits"]) <= int(offered["server_max_window_bits"])
    if "client_max_window_bits" not in offered:
        # 7692:7.1.2.2 "If a received extension negotiation offer doesn't
        # have the "client_max_window_bits" extension parameter, the
        # corresponding extension negotiation response to the offer MUST NOT
        # include the "client_max_window_bits" extension parameter."
        assert "client_max_window_bits" not in params
    elif params.get("client_max_window_bits"):
        bits = int(params["client_max_window_bits"])
        assert 8 <= bits <= int(offered["client_max_window_bits"] or 15)
    # The agreement works: a compressed message is echoed compressed.
    c.send(frame(OP_TEXT, compress(b"negotiated"), rsv=RSV1))
    rsv, op, data = recv_data(c)
    bits = int(params.get("server_max_window_bits") or 15)
    assert (rsv, op, exact_inflate(data, bits)) == (RSV1, OP_TEXT, b"negotiated")


def test_first_valid_offer_wins(serve):
    port = serve("--quiet").port
    # 7692:5 "the server ... selects one or more [offers]": the first it can
    # accept, here the second element (the first one MUST be declined, 7692:7).
    c = connect(port, "permessage-deflate; server_max_window_bits=7, "
                      "permessage-deflate; server_max_window_bits=10, permessage-deflate")
    assert response_params(c) == {"server_max_window_bits": "10"}


def test_no_deflate_declines_every_offer(serve):
    port = serve("--quiet", "--no-deflate").port

    async def go():
        async with websockets.connect(f"ws://127.0.0.1:{port}/") as ws:  # deflate offered
            assert "Sec-WebSocket-Extensions" not in ws.response_headers
            await ws.send("plain")
            return await ws.recv()
    assert run(go()) == "plain"
    c = connect(port, "permessage-deflate")
    assert response_params(c) is None
    c.send(frame(OP_TEXT, b"plain"))
    assert recv_data(c) == (0, OP_TEXT, b"plain")
    # 6455:5.2: nothing negotiated, so RSV1 MUST fail the connection.
    c.send(frame(OP_TEXT, compress(b"x"), rsv=RSV1))
    expect_close(c, 1002)


# ---- echoes through python3-websockets -----------------------------------------

SIZES = [0, 1, 125, 126, 4096, 65535, 65536, 200_000]
CONFIGS = {
    "default": {},
    "no-context-takeover": dict(server_no_context_takeover=True, client_no_context_takeover=True),
    "window-9": dict(server_max_window_bits=9, client_max_window_bits=9),
    "window-15": dict(server_max_window_bits=15, client_max_window_bits=15),
    "window-8-server": dict(server_max_window_bits=8),
}


def payloads():
    rnd = random.Random(6455)
    words = [b"deflate", b"window", b"echo", b"frame", b"\xc3\xa9t\xc3\xa9", b"\xe2\x82\xac"]
    for n in SIZES:
        text = b" ".join(rnd.choice(words) for _ in range(n // 4 + 1))
        text = text[:n].decode("utf-8", "ignore")
        yield text
        yield bytes(rnd.getrandbits(8) for _ in range(min(n, 70_000))) * (n // 70_000 + 1)


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_python_websockets_echo_round_trips(serve, config):
    port = serve("--quiet").port
    messages = list(payloads())

    async def go():
        factory = ClientPerMessageDeflateFactory(**CONFIGS[config])
        async with websockets.connect(f"ws://127.0.0.1:{port}/", max_size=None, compression=None,
                                      extensions=[factory]) as ws:
            assert ws.response_headers["Sec-WebSocket-Extensions"].startswith(
                "permessage-deflate")
            got = []
            for m in messages + messages:  # twice: the second round can use the window
                await ws.send(m)
                got.append(await ws.recv())
            return got
    got = run(go())
    assert got == messages + messages


# ---- the raw client: exact windows and context -------------------------------------


@pytest.mark.parametrize("bits", [8, 9, 12, 15])
def test_echo_stays_inside_the_agreed_window(serve, bits):
    """7692:7.1.2.1: server_max_window_bits limits "the LZ77 sliding window size
    that the server will use to compress messages". 8 included: the server
    compresses it with zlib's 9, whose distances stay under 256."""
    port = serve("--quiet").port
    c = connect(port, f"permessage-deflate; server_max_window_bits={bits}")
    assert response_params(c) == {"server_max_window_bits": str(bits)}
    block = random.Random(bits).randbytes(1000)
    message = block * 40 + b"a" * 3000 + block * 2  # repeats at distances > 2^bits
    c.send(frame(OP_BINARY, compress(message), rsv=RSV1))
    rsv, op, data = recv_data(c)
    assert (rsv, op) == (RSV1, OP_BINARY)
    assert exact_inflate(data, bits) == message


def test_server_no_context_takeover_resets_every_echo(serve):
    port = serve("--quiet").port
    c = connect(port, "permessage-deflate; server_no_context_takeover")
    assert response_params(c) == {"server_no_context_takeover": None}
    message = random.Random(1).randbytes(2000)
    for _ in range(3):
        c.send(frame(OP_BINARY, compress(message), rsv=RSV1))
        rsv, op, data = recv_data(c)
        # 7692:7.2.1 "... the server MUST start compressing each new message
        # with an empty LZ77 sliding window": a fresh inflater takes each echo.
        assert exact_inflate(data, 15) == message


def test_context_takeover_on_both_sides(serve):
    """Without no_context_takeover the client may reference its previous
    message (7692:7.2.1 "the client MAY take over the LZ77 sliding window"),
    and the server's inflater keeps it."""
    port = serve("--quiet").port
    c = connect(port, "permessage-deflate")
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    dec = zlib.decompressobj(-15)
    message = random.Random(2).randbytes(3000)
    sizes = []
    for _ in range(3):
        payload = compress(message, comp=comp)
        sizes.append(len(payload))
        c.send(frame(OP_BINARY, payload, rsv=RSV1))
        rsv, op, data = recv_data(c)
        assert exact_inflate(data, 15, dec) == message
    assert sizes[1] < 100 < 3000 < sizes[0]  # the later ones were back-references


def test_uncompressed_message_is_echoed_compressed(serve):
    port = serve("--quiet").port
    c = connect(port, "permessage-deflate")
    # 7692:6 the RSV1 bit "indicates whether a message is compressed or not":
    # a message without it is taken as it is.
    c.send(frame(OP_TEXT, "plain \u00e9".encode()))
    rsv, op, data = recv_data(c)
    assert (rsv, op, exact_inflate(data, 15)) == (RSV1, OP_TEXT, "plain \u00e9".encode())


def test_compressed_message_split_across_frames(serve):
    port = serve("--quiet").port
    c = connect(port, "permessage-deflate")
    message = ("fragmented \u20ac " * 500).encode()
    payload = compress(message)
    cuts = [payload[:1], payload[1:7], payload[7:-1], payload[-1:]]
    # 7692:6.1 RSV1 on the first frame only.
    c.send(frame(OP_TEXT, cuts[0], fin=False, rsv=RSV1) + frame(OP_PING, b"between") +
           b"".join(frame(OP_CONT, x, fin=False) for x in cuts[1:-1]) + frame(OP_CONT, cuts[-1]))
    assert c.recv_frame() == (True, 0, OP_PONG, False, b"between")
    rsv, op, data = recv_data(c)
    assert (rsv, op, exact_inflate(data, 15)) == (RSV1, OP_TEXT, message)


def test_compressed_message_in_one_octet_frames(serve):
    port = serve("--quiet").port
    c = connect(port, "permessage-deflate; client_no_context_takeover")
    message = ("tiny frames \u00e9 " * 40).encode()
    payload = compress(message)
    frames = [frame(OP_TEXT if i == 0 else OP_CONT, payload[i:i + 1], fin=i == len(payload) - 1,
                    rsv=RSV1 if i == 0 else 0) for i in range(len(payload))]
    for chunk in range(0, len(frames), 7):  # several TCP writes, frames cut anywhere
        c.send(b"".join(frames[chunk:chunk + 7]))
    rsv, op, data = recv_data(c)
    assert (rsv, op, exact_inflate(data, 15)) == (RSV1, OP_TEXT, message)


def test_python_websockets_fragmented_compressed_message(serve):
    port = serve("--quiet").port

    async def go():
        async with websockets.connect(f"ws://127.0.0.1:{port}/", compression="deflate") as ws:
            await ws.send(["frag", "ment", "ed \u00b5" * 1000])  # fragments of one message
            return await ws.recv()
    assert run(go()) == "fragmented \u00b5" + "ed \u00b5" * 999


def test_empty_compressed_message(serve):
    port = serve("--quiet").port
    c = connect(port, "permessage-deflate")
    # 7692:7.2.3.6 an empty message compresses to the single octet 0x00.
    c.send(frame(OP_BINARY, b"\x00", rsv=RSV1))
    rsv, op, data = recv_data(c)
    assert (rsv, op, exact_inflate(data, 15)) == (RSV1, OP_BINARY, b"")


# ---- failures --------------------------------------------------------------------


def test_rsv1_on_a_continuation_frame_fails_with_1002(serve):
    port = serve("--quiet").port
    c = connect(port, "permessage-deflate")
    payload = compress(b"Hello, world!")
    # 7692:6.1 "An endpoint MUST NOT set the "Per-Message Compressed" bit of
    # control frames and non-first fragments of a data message. An endpoint
    # receiving such a frame MUST _Fail the WebSocket Connection_."
    c.send(frame(OP_TEXT, payload[:3], fin=False, rsv=RSV1) + frame(OP_CONT, payload[3:], rsv=RSV1))
    expect_close(c, 1002)


@pytest.mark.parametrize("opcode", [OP_PING, OP_PONG, OP_CLOSE])
def test_rsv1_on_a_control_frame_fails_with_1002(serve, opcode):
    port = serve("--quiet").port
    c = connect(port, "permessage-deflate")
    c.send(frame(opcode, close_payload(1000) if opcode == OP_CLOSE else b"ctl", rsv=RSV1))
    expect_close(c, 1002)  # 7692:6.1 as above


@pytest.mark.parametrize("rsv", [2, 1, RSV1 | 2])
def test_rsv2_rsv3_still_fail_with_deflate(serve, rsv):
    port = serve("--quiet").port
    c = connect(port, "permessage-deflate")
    # 6455:5.2: permessage-deflate defines RSV1 only (7692:6).
    c.send(frame(OP_TEXT, compress(b"x") if rsv & RSV1 else b"x", rsv=rsv))
    expect_close(c, 1002)


def test_corrupt_stream_fails_with_1007(serve):
    port = serve("--quiet").port
    c = connect(port, "permessage-deflate")
    # BFINAL 1, BTYPE 11: RFC 1951 3.2.3 "11 - reserved (error)".
    c.send(frame(OP_BINARY, b"\x07\x00\x00", rsv=RSV1))
    expect_close(c, 1007)  # our choice, see refserver_conn_deflate.c


def test_invalid_utf8_inside_compressed_text_fails_with_1007(serve):
    port = serve("--quiet").port
    c = connect(port, "permessage-deflate")
    # 6455:8.1: the text is what the message inflates to.
    c.send(frame(OP_TEXT, compress(b"valid, then \xff"), rsv=RSV1))
    expect_close(c, 1007)


def test_decompression_bomb_gets_1009_in_bounded_memory(serve):
    p = serve("--quiet", "--max-message", "1m")
    bomb = compress(b"\x00" * (64 << 20))  # 64 MiB of zeros in about 64 KiB
    assert len(bomb) < 70_000
    before = rss_peak_kib(p.proc.pid)
    c = connect(p.port, "permessage-deflate")
    c.send(frame(OP_BINARY, bomb, rsv=RSV1))
    # 6455:7.4.1 "1009 indicates that an endpoint is terminating the connection
    # because it has received a message that is too big for it to process."
    fin, rsv, op, masked, data = c.recv_frame()
    assert (op, data[:2]) == (OP_CLOSE, struct.pack("!H", 1009))
    assert c.at_eof()
    grew = rss_peak_kib(p.proc.pid) - before
    assert grew < 8 * 1024, f"the server's peak RSS grew by {grew} KiB"


def test_a_message_within_max_message_is_not_refused_for_its_compressed_size(serve):
    port = serve("--quiet", "--max-message", "10000").port
    c = connect(port, "permessage-deflate")
    message = random.Random(3).randbytes(10000)  # incompressible: a little larger compressed
    payload = compress(message)
    assert len(payload) > 10000
    c.send(frame(OP_BINARY, payload, rsv=RSV1))
    rsv, op, data = recv_data(c)
    assert exact_inflate(data, 15) == message
    c.send(frame(OP_BINARY, compress(message + b"!"), rsv=RSV1))
    expect_close(c, 1009)


# ---- the faults: each changes exactly its own behaviour -----------------------------


def servers(serve, fault, *extra):
    return serve("--quiet", *extra).port, serve("--quiet", "--fault", fault, *extra).port


def test_fault_accept_rsv1_continuation(serve):
    strict, faulty = servers(serve, "accept-rsv1-continuation")
    payload = compress(b"Hello, world!")
    data = frame(OP_TEXT, payload[:3], fin=False, rsv=RSV1) + frame(OP_CONT, payload[3:], rsv=RSV1)
    c = connect(strict, "permessage-deflate")
    c.send(data)
    expect_close(c, 1002)  # 7692:6.1
    c = connect(faulty, "permessage-deflate")
    c.send(data)
    rsv, op, echo = recv_data(c)
    assert exact_inflate(echo, 15) == b"Hello, world!"
    c.send(frame(OP_PING, b"p", rsv=RSV1))  # control frames: still 1002
    expect_close(c, 1002)


def test_fault_accept_rsv1_control(serve):
    strict, faulty = servers(serve, "accept-rsv1-control")
    c = connect(strict, "permessage-deflate")
    c.send(frame(OP_PING, b"rsv1 ping", rsv=RSV1))
    expect_close(c, 1002)  # 7692:6.1
    c = connect(faulty, "permessage-deflate")
    c.send(frame(OP_PING, b"rsv1 ping", rsv=RSV1))
    assert c.recv_frame() == (True, 0, OP_PONG, False, b"rsv1 ping")
    payload = compress(b"Hello")
    c.send(frame(OP_TEXT, payload[:2], fin=False, rsv=RSV1) + frame(OP_CONT, payload[2:], rsv=RSV1))
    expect_close(c, 1002)  # continuations: still 1002
    # Without deflate agreed, RSV1 stays a 6455:5.2 failure.
    c = connect(faulty, None)
    c.send(frame(OP_PING, b"x", rsv=RSV1))
    expect_close(c, 1002)


def test_fault_keep_context(serve):
    strict, faulty = servers(serve, "keep-context")
    message = random.Random(4).randbytes(2000)
    for port, fresh_ok in ((strict, True), (faulty, False)):
        c = connect(port, "permessage-deflate; server_no_context_takeover")
        assert response_params(c) == {"server_no_context_takeover": None}
        c.send(frame(OP_BINARY, compress(message), rsv=RSV1))
        assert exact_inflate(recv_data(c)[2], 15) == message
        c.send(frame(OP_BINARY, compress(message), rsv=RSV1))
        second = recv_data(c)[2]
        if fresh_ok:
            assert exact_inflate(second, 15) == message
        else:
            # The echo refers back into the previous message, which 7692:7.2.1
            # forbids: a fresh window cannot inflate it.
            with pytest.raises(zlib.error, match="too far back"):
                exact_inflate(second, 15)
    # Without server_no_context_takeover nothing was agreed to break.
    c = connect(faulty, "permessage-deflate")
    dec = zlib.decompressobj(-15)
    for _ in range(2):
        c.send(frame(OP_BINARY, compress(message), rsv=RSV1))
        assert exact_inflate(recv_data(c)[2], 15, dec) == message


def test_fault_ignore_server_window_bits(serve):
    strict, faulty = servers(serve, "ignore-server-window-bits")
    block = random.Random(5).randbytes(1000)
    message = block * 3
    for port, ok in ((strict, True), (faulty, False)):
        c = connect(port, "permessage-deflate; server_max_window_bits=9")
        assert response_params(c) == {"server_max_window_bits": "9"}
        c.send(frame(OP_BINARY, message))
        rsv, op, echo = recv_data(c)
        if ok:
            assert exact_inflate(echo, 9) == message
        else:
            # 7692:7.1.2.1: distances of 1000 octets from a window of 2^9.
            with pytest.raises(zlib.error, match="too far back"):
                exact_inflate(echo, 9)
            assert exact_inflate(echo, 15) == message


@pytest.mark.parametrize("offer,unoffered", [("permessage-deflate", True),
                                             ("permessage-deflate; server_max_window_bits=10",
                                              True),
                                             ("permessage-deflate; client_max_window_bits", False)])
def test_fault_respond_unoffered_param(serve, offer, unoffered):
    strict, faulty = servers(serve, "respond-unoffered-param")
    strict_params = response_params(connect(strict, offer))
    faulty_params = response_params(connect(faulty, offer))
    # 7692:7.1.2.2 "... MUST NOT include the "client_max_window_bits" extension
    # parameter" when the offer did not have it.
    assert "client_max_window_bits" not in strict_params
    if unoffered:
        assert faulty_params == dict(strict_params, client_max_window_bits="15")
    else:
        assert faulty_params == strict_params


@pytest.mark.parametrize("offer,kept", [
    ("permessage-deflate; server_max_window_bits=7", {}),
    ("permessage-deflate; foo=1; server_no_context_takeover", {"server_no_context_takeover": None}),
    ("permessage-deflate; server_max_window_bits=10; server_max_window_bits=11",
     {"server_max_window_bits": "10"}),
])
def test_fault_accept_invalid_offer(serve, offer, kept):
    strict, faulty = servers(serve, "accept-invalid-offer")
    # 7692:7 "A server MUST decline an extension negotiation offer for this
    # extension if ..." an unknown parameter, an invalid value, a duplicate.
    assert response_params(connect(strict, offer)) is None
    c = connect(faulty, offer)
    assert response_params(c) == kept
    c.send(frame(OP_TEXT, compress(b"accepted anyway"), rsv=RSV1))
    assert exact_inflate(recv_data(c)[2], 15) == b"accepted anyway"
    # A valid offer is answered as by the strict server.
    assert response_params(connect(faulty, "permessage-deflate; server_max_window_bits=12")) == \
        {"server_max_window_bits": "12"}


def test_fault_inflate_unbounded(serve):
    strict = serve("--quiet", "--max-message", "1m")
    faulty = serve("--quiet", "--max-message", "1m", "--fault", "inflate-unbounded")
    bomb = compress(b"\x00" * (64 << 20))
    c = connect(strict.port, "permessage-deflate")
    c.send(frame(OP_BINARY, bomb, rsv=RSV1))
    expect_close(c, 1009)
    before = rss_peak_kib(faulty.proc.pid)
    c = connect(faulty.port, "permessage-deflate")
    c.send(frame(OP_BINARY, bomb, rsv=RSV1))
    rsv, op, echo = recv_data(c)  # the bomb accepted and echoed
    assert zlib.decompressobj(-15).decompress(echo + TAIL) == b"\x00" * (64 << 20)
    grew = rss_peak_kib(faulty.proc.pid) - before
    assert grew < 16 * 1024, f"64 MiB inflated and echoed, peak RSS grew by {grew} KiB"
    # An uncompressed message over the limit still gets 1009: only inflation is unbounded.
    c.send(frame(OP_BINARY, b"\x00" * ((1 << 20) + 1)))
    expect_close(c, 1009)


def test_fault_corrupt_deflate(serve):
    strict, faulty = servers(serve, "corrupt-deflate")
    for port, ok in ((strict, True), (faulty, False)):
        c = connect(port, "permessage-deflate")
        c.send(frame(OP_TEXT, compress(b"Hello, world!"), rsv=RSV1))
        rsv, op, echo = recv_data(c)
        assert rsv == RSV1
        if ok:
            assert exact_inflate(echo, 15) == b"Hello, world!"
        else:
            with pytest.raises(zlib.error, match="invalid block type"):
                exact_inflate(echo, 15)


def test_deflate_faults_do_nothing_without_deflate(serve):
    """Each deflate fault breaks a rule of RFC 7692 only: with nothing
    negotiated the faulted servers echo and fail exactly as the strict one."""
    faults = ["accept-rsv1-continuation", "accept-rsv1-control", "keep-context",
              "ignore-server-window-bits", "respond-unoffered-param", "accept-invalid-offer",
              "inflate-unbounded", "corrupt-deflate"]
    args = ["--quiet", "--max-message", "1m"] + [a for f in faults for a in ("--fault", f)]
    port = serve(*args).port
    c = connect(port, None)
    assert response_params(c) is None
    c.send(frame(OP_TEXT, b"plain"))
    assert recv_data(c) == (0, OP_TEXT, b"plain")
    c.send(frame(OP_BINARY, b"\x00" * ((1 << 20) + 1)))
    expect_close(c, 1009)
    c = connect(port, "x-wsspec-unknown")
    assert response_params(c) is None
    c.send(frame(OP_TEXT, b"rsv1", rsv=RSV1))
    expect_close(c, 1002)


# ---- `wsspec run --no-deflate`: the built-in server declines too --------------------

OFFER_CASE = {
    "group": "deflate-offer",
    "title": "The built-in server and a permessage-deflate offer",
    "cases": [{
        "name": "declined",
        "title": "A permessage-deflate offer is declined: 101 without Sec-WebSocket-Extensions",
        "rfc": ["6455:4.2.2"],
        "requirement": "6455:4.2.2 \"If the server supports multiple extensions, then the value "
                       "MUST be derived from the client's handshake\"",
        "tags": ["handshake", "extension"],
        "handshake": {"extensions": "permessage-deflate"},
        "steps": [{"send_close": {"code": 1000}}],
        "outcomes": [{"verdict": "pass",
                      "handshake": {"absent_headers": ["Sec-WebSocket-Extensions"]},
                      "close": {"by": "us"}}],
    }],
}


def test_run_no_deflate_reaches_the_builtin_server(tmp_path):
    case_file = tmp_path / "offer.json"
    case_file.write_text(json.dumps(OFFER_CASE))
    declined = wsspec("run", "--no-deflate", "--case-file", str(case_file), timeout=60)
    assert results(declined.stdout) == {"deflate-offer.declined": "pass"}, declined.stderr
    # Without the option the built-in server accepts, so the only outcome misses.
    accepted = wsspec("run", "--case-file", str(case_file), timeout=60)
    assert results(accepted.stdout) == {"deflate-offer.declined": "FAIL"}, accepted.stderr


# ---- a Sec-WebSocket-Extensions line outside 6455:9.1's ABNF ----------------------

MALFORMED = ["permessage-deflate; server_max_window_bits=",  # extension-param with "=" and no value
             "permessage-deflate;; server_no_context_takeover",  # an empty parameter
             "permessage-deflate; server_max_window_bits=\"1 0\""]  # quoted, no token unescaped


@pytest.mark.parametrize("line", MALFORMED)
@pytest.mark.parametrize("options", [(), ("--no-deflate",)])
def test_malformed_extensions_line_is_refused(serve, line, options):
    port = serve("--quiet", *options).port
    # 6455:4.2.1 "... including but not limited to any violations of the ABNF
    # grammar specified for the components of the handshake, the server MUST
    # stop processing the client's handshake and return an HTTP response with
    # an appropriate error code (such as 400 Bad Request)."
    c = RawClient(port, timeout=scaled(10), request=offer_request(port, line))
    assert c.status == 400, c.status_line
    assert c.at_eof()
    # accept-any-request upgrades it (the fault that breaks 6455:4.2.1).
    port = serve("--quiet", "--fault", "accept-any-request", *options).port
    c = RawClient(port, timeout=scaled(10), request=offer_request(port, line))
    assert c.status == 101 and response_params(c) is None


def test_empty_list_elements_are_not_malformed(serve):
    # 6455:9.1 extension-list = 1#extension, the #rule of RFC 2616 2.1: "null
    # elements are allowed, but do not contribute to the count of elements
    # present".
    port = serve("--quiet").port
    c = connect(port, "permessage-deflate, , x-other")
    assert response_params(c) == {}
