"""`wsspec serve --fault NAME`: every fault breaks exactly the rule it names.

For each fault, the same bytes go to the strict server and to the faulted
one: the strict server must do what RFC 6455 demands, the faulted one the
wrong thing the fault names. This proves the conformance cases for each rule
can fail. Frames are written by hand over raw sockets (rawws.py); every
expected value below is worked out from the RFC text quoted next to it."""
import base64
import signal
import socket
import struct
import subprocess
import time

import pytest

from conftest import scaled, wsspec_bin
from rawws import RawClient, close_payload, frame

FAULTS = [
    "accept-unmasked", "ignore-rsv", "accept-reserved-opcode", "accept-long-control",
    "accept-fragmented-control", "accept-bad-continuation", "no-utf8-check",
    "utf8-check-at-end", "accept-bad-close-code", "accept-bad-close-reason", "no-close-reply",
    "close-reply-wrong-code", "no-pong", "pong-wrong-payload", "wrong-accept-key",
    "mask-server-frames", "accept-bad-version", "ignore-message-limit", "echo-after-close",
    "client-closes-tcp", "echo-altered", "utf8-check-per-frame", "accept-non-minimal-length",
    "accept-any-request",
    # permessage-deflate (RFC 7692): proved in test_serve_deflate.py
    "accept-rsv1-continuation", "accept-rsv1-control", "keep-context", "ignore-server-window-bits",
    "respond-unoffered-param", "accept-invalid-offer", "inflate-unbounded", "corrupt-deflate",
    # reached only by mutants (test_fuzz_faults.py, test_fuzz_cli.py)
    "fuzz-crash", "fuzz-hang", "fuzz-wrong-close",
]

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
QUIET_WINDOW = 0.5  # seconds (scaled) in which "nothing happens" is checked

# 6455:1.3 worked example of the handshake.
RFC_KEY = b"dGhlIHNhbXBsZSBub25jZQ=="
RFC_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def connect(port, request=None):
    c = RawClient(port, timeout=scaled(5), request=request)
    if request is None:
        assert c.status == 101, c.status_line
    return c


def request(port, version=b"13", key=RFC_KEY):
    lines = [b"GET / HTTP/1.1", b"Host: 127.0.0.1:%d" % port, b"Upgrade: websocket",
             b"Connection: Upgrade", b"Sec-WebSocket-Key: " + key]
    if version is not None:
        lines.append(b"Sec-WebSocket-Version: " + version)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def servers(serve, fault, *extra):
    """(strict port, faulted port), both started with the same extra options."""
    return serve("--quiet", *extra).port, serve("--quiet", "--fault", fault, *extra).port


def expect_frame(c, opcode, payload):
    fin, rsv, op, masked, data = c.recv_frame()
    # 6455:5.1 "A server MUST NOT mask any frames that it sends to the client."
    assert (fin, rsv, op, masked, data) == (True, 0, opcode, False, payload)


def expect_eof(c, within=1.0):
    """The server closes TCP within `within` seconds (scaled), sending nothing
    more first. (The faulted servers that keep TCP open wait up to 10 s.)"""
    assert c.buf == b"", f"unexpected bytes before EOF: {c.buf!r}"
    c.sock.settimeout(scaled(within))
    try:
        data = c.sock.recv(65536)
    except ConnectionResetError:
        data = b""
    except socket.timeout:
        pytest.fail(f"the server did not close TCP within {scaled(within)} s")
    finally:
        c.sock.settimeout(scaled(5))
    assert data == b"", f"unexpected bytes before EOF: {data!r}"


def expect_fail(c, code):
    """The server fails the connection: a close frame with `code`, then TCP EOF
    (6455:7.1.7), and nothing else before the close (no echo)."""
    fin, rsv, op, masked, data = c.recv_frame()
    assert (fin, rsv, op, masked) == (True, 0, OP_CLOSE, False), (op, data)
    assert data[:2] == struct.pack("!H", code), data
    expect_eof(c)


def expect_close_reply(c, payload):
    """The server answers a close with `payload` (exactly), then closes TCP
    first (6455:7.1.1 "The underlying TCP connection, in most normal cases, SHOULD
    be closed first by the server")."""
    expect_frame(c, OP_CLOSE, payload)
    expect_eof(c)


def expect_quiet(c, seconds=QUIET_WINDOW):
    """Nothing at all arrives (no frame, no EOF) for `seconds`."""
    assert c.buf == b""
    c.sock.settimeout(scaled(seconds))
    try:
        with pytest.raises(socket.timeout):
            data = c.sock.recv(65536)
            assert False, f"expected silence, got {data!r}"
    finally:
        c.sock.settimeout(scaled(5))


# ---- the command line ------------------------------------------------------


def test_fault_list_names_every_fault_with_a_description():
    r = subprocess.run([wsspec_bin(), "serve", "--fault", "list"], capture_output=True,
                       text=True, timeout=scaled(10))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [line.split()[0] for line in lines] == FAULTS
    for line in lines:
        assert len(line.split(None, 1)) == 2, line  # a description after the name


def test_unknown_fault_is_a_usage_error():
    r = subprocess.run([wsspec_bin(), "serve", "--port", "0", "--fault", "no-such-fault"],
                       capture_output=True, text=True, timeout=scaled(10))
    assert r.returncode == 2
    assert "no-such-fault" in r.stderr
    assert r.stdout == ""


def test_unknown_option_is_a_usage_error():
    r = subprocess.run([wsspec_bin(), "serve", "--frobnicate"], capture_output=True,
                       text=True, timeout=scaled(10))
    assert r.returncode == 2
    assert "--frobnicate" in r.stderr


def test_sigterm_sends_going_away_and_exits_0_promptly(serve):
    p = serve("--quiet")
    c = connect(p.port)
    c.send(frame(OP_TEXT, b"before"))
    expect_frame(c, OP_TEXT, b"before")
    start = time.monotonic()
    p.proc.send_signal(signal.SIGTERM)
    # 6455:7.4.1 "1001 indicates that an endpoint is "going away", such as a
    # server going down"
    expect_frame(c, OP_CLOSE, close_payload(1001, b"server stopping"))
    c.send(frame(OP_CLOSE, close_payload(1001)))
    expect_eof(c)
    assert p.proc.wait(timeout=scaled(5)) == 0
    assert time.monotonic() - start < scaled(3)


def test_sigterm_does_not_wait_for_a_silent_client(serve):
    p = serve("--quiet")
    silent = connect(p.port)  # never answers the 1001
    half = socket.create_connection(("127.0.0.1", p.port))  # never finishes its handshake
    half.sendall(b"GET / HTTP/1.1\r\n")
    start = time.monotonic()
    p.proc.send_signal(signal.SIGTERM)
    assert p.proc.wait(timeout=scaled(5)) == 0
    assert time.monotonic() - start < scaled(3)
    silent.close()
    half.close()


# ---- the strict server's own duties ------------------------------------------


def test_frames_in_the_handshake_packet_are_echoed(serve):
    port = serve("--quiet").port
    c = connect(port, request=request(port) + frame(OP_TEXT, b"early"))
    assert c.status == 101
    expect_frame(c, OP_TEXT, b"early")


def test_ping_inside_a_fragmented_message_is_answered_first(serve):
    port = serve("--quiet").port
    c = connect(port)
    # 6455:5.4 "Control frames (see Section 5.5) MAY be injected in the
    # middle of a fragmented message."
    c.send(frame(OP_TEXT, b"frag", fin=False) + frame(OP_PING, b"in between") +
           frame(OP_CONT, b"ment", fin=False) + frame(OP_CONT, b"ed", fin=True))
    expect_frame(c, OP_PONG, b"in between")
    expect_frame(c, OP_TEXT, b"fragmented")


def test_huge_declared_length_gets_1009_before_any_payload(serve):
    port = serve("--quiet", "--max-message", "1m").port
    c = connect(port)
    # 64-bit length 2^62, masked, and not one payload octet.
    c.send(bytes([0x82, 0xFF]) + struct.pack("!Q", 1 << 62) + b"\x01\x02\x03\x04")
    # 6455:7.4.1 "1009 indicates that an endpoint is terminating the
    # connection because it has received a message that is too big for it to
    # process."
    expect_fail(c, 1009)


def test_one_bad_client_does_not_disturb_the_others(serve):
    port = serve("--quiet").port
    garbage = socket.create_connection(("127.0.0.1", port), timeout=scaled(5))
    garbage.sendall(b"\x16\x03\x01\x00\xff not http at all\r\n\r\n")
    stalled = connect(port)
    stalled.send(bytes([0x81, 0xFE, 0x10, 0x00]))  # half a header, then nothing
    good = connect(port)
    good.send(frame(OP_BINARY, b"\x00\x01" * 1000))
    expect_frame(good, OP_BINARY, b"\x00\x01" * 1000)
    # 6455:4.2.1 "... return an HTTP response with an appropriate error code
    # (such as 400 Bad Request)"
    assert garbage.recv(12) == b"HTTP/1.1 400"
    garbage.close()
    stalled.close()


def test_handshake_trickled_one_octet_at_a_time(serve):
    port = serve("--quiet").port
    s = socket.create_connection(("127.0.0.1", port), timeout=scaled(5))
    for b in request(port):
        s.send(bytes([b]))
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(4096)
    assert head.startswith(b"HTTP/1.1 101 ")
    assert b"Sec-WebSocket-Accept: " + RFC_ACCEPT.encode() + b"\r\n" in head
    s.close()


# ---- one test per fault -------------------------------------------------------


def test_accept_unmasked(serve):
    strict, faulty = servers(serve, "accept-unmasked")
    # 6455:5.1 "The server MUST close the connection upon receiving a frame
    # that is not masked." -> 7.4.1 1002 protocol error
    c = connect(strict)
    c.send(frame(OP_TEXT, b"unmasked", mask=False))
    expect_fail(c, 1002)
    c = connect(faulty)
    c.send(frame(OP_TEXT, b"unmasked", mask=False) + frame(OP_TEXT, b"masked"))
    expect_frame(c, OP_TEXT, b"unmasked")
    expect_frame(c, OP_TEXT, b"masked")


def test_ignore_rsv(serve):
    strict, faulty = servers(serve, "ignore-rsv")
    # 6455:5.2 "MUST be 0 unless an extension is negotiated that defines
    # meanings for non-zero values. If a nonzero value is received and none
    # of the negotiated extensions defines the meaning of such a nonzero
    # value, the receiving endpoint MUST _Fail the WebSocket Connection_."
    c = connect(strict)
    c.send(frame(OP_TEXT, b"rsv1", rsv=4))
    expect_fail(c, 1002)
    c = connect(faulty)
    c.send(frame(OP_TEXT, b"rsv1", rsv=4) + frame(OP_BINARY, b"rsv123", rsv=7))
    expect_frame(c, OP_TEXT, b"rsv1")
    expect_frame(c, OP_BINARY, b"rsv123")


@pytest.mark.parametrize("opcode", [0x3, 0xB])
def test_accept_reserved_opcode(serve, opcode):
    strict, faulty = servers(serve, "accept-reserved-opcode")
    sent = frame(opcode, b"reserved") + frame(OP_TEXT, b"after")
    # 6455:5.2 "If an unknown opcode is received, the receiving endpoint MUST
    # _Fail the WebSocket Connection_." (and "after" is never echoed)
    c = connect(strict)
    c.send(sent)
    expect_fail(c, 1002)
    c = connect(faulty)
    c.send(sent)
    expect_frame(c, OP_TEXT, b"after")


def test_accept_long_control(serve):
    strict, faulty = servers(serve, "accept-long-control")
    payload = bytes(range(126))
    # 6455:5.5 "All control frames MUST have a payload length of 125 bytes or
    # less and MUST NOT be fragmented."
    c = connect(strict)
    c.send(frame(OP_PING, payload))
    expect_fail(c, 1002)
    c = connect(faulty)
    c.send(frame(OP_PING, payload) + frame(OP_TEXT, b"next"))
    expect_frame(c, OP_PONG, payload)
    expect_frame(c, OP_TEXT, b"next")


def test_accept_fragmented_control(serve):
    strict, faulty = servers(serve, "accept-fragmented-control")
    # 6455:5.5 "... and MUST NOT be fragmented."
    c = connect(strict)
    c.send(frame(OP_PING, b"fin=0", fin=False))
    expect_fail(c, 1002)
    c = connect(faulty)
    c.send(frame(OP_PING, b"fin=0", fin=False))
    expect_frame(c, OP_PONG, b"fin=0")


def test_accept_bad_continuation_orphan(serve):
    strict, faulty = servers(serve, "accept-bad-continuation")
    # 6455:5.4 "A fragmented message consists of a single frame with the FIN
    # bit clear and an opcode other than 0, followed by zero or more frames
    # with the FIN bit clear and the opcode set to 0, and terminated by a
    # single frame with the FIN bit set and an opcode of 0."
    c = connect(strict)
    c.send(frame(OP_CONT, b"orphan"))
    expect_fail(c, 1002)
    c = connect(faulty)
    c.send(frame(OP_CONT, b"orphan"))
    expect_frame(c, OP_BINARY, b"orphan")


def test_accept_bad_continuation_interleaved(serve):
    strict, faulty = servers(serve, "accept-bad-continuation")
    sent = frame(OP_TEXT, b"Hello, ", fin=False) + frame(OP_TEXT, b"world")
    # 6455:5.4 "The fragments of one message MUST NOT be interleaved between
    # the fragments of another message unless an extension has been
    # negotiated that can interpret the interleaving."
    c = connect(strict)
    c.send(sent)
    expect_fail(c, 1002)
    c = connect(faulty)
    c.send(sent)
    expect_frame(c, OP_TEXT, b"Hello, world")


# "κόσμε" then ED A0 80 (U+D800, a surrogate: not UTF-8 by RFC 3629 section 3).
BAD_UTF8 = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"


def test_no_utf8_check(serve):
    strict, faulty = servers(serve, "no-utf8-check")
    # 6455:8.1 "When an endpoint is to interpret a byte stream as UTF-8 but
    # finds that the byte stream is not, in fact, a valid UTF-8 stream, that
    # endpoint MUST _Fail the WebSocket Connection_." -> 7.4.1 1007
    c = connect(strict)
    c.send(frame(OP_TEXT, BAD_UTF8))
    expect_fail(c, 1007)
    c = connect(faulty)
    c.send(frame(OP_TEXT, BAD_UTF8))
    expect_frame(c, OP_TEXT, BAD_UTF8)


def test_utf8_check_at_end(serve):
    strict, faulty = servers(serve, "utf8-check-at-end")
    whole = frame(OP_TEXT, b"ok \xff and more text after the bad octet")
    first, rest = whole[:2 + 4 + 4], whole[2 + 4 + 4:]  # header, key, "ok \xff"
    # 6455:8.1 (as above): 0xFF never appears in UTF-8, so the stream is
    # already invalid at the 4th octet; fail-fast closes before the frame ends.
    c = connect(strict)
    c.send(first)
    expect_fail(c, 1007)
    c = connect(faulty)
    c.send(first)
    expect_quiet(c)
    c.send(rest)  # the message is complete now, and still invalid
    expect_fail(c, 1007)


@pytest.mark.parametrize("payload, faulty_reply", [
    # 6455:7.4.2 "Status codes in the range 0-999 are not used."
    (struct.pack("!H", 999), struct.pack("!H", 999)),
    # 6455:7.4.1 "1005 is a reserved value and MUST NOT be set as a status
    # code in a Close control frame by an endpoint."
    (struct.pack("!H", 1005), struct.pack("!H", 1005)),
    # 6455:5.5.1 "If there is a body, the first two bytes of the body MUST be
    # a 2-byte unsigned integer": one octet cannot be; read as "no code".
    (b"\x03", b""),
])
def test_accept_bad_close_code(serve, payload, faulty_reply):
    strict, faulty = servers(serve, "accept-bad-close-code")
    c = connect(strict)
    c.send(frame(OP_CLOSE, payload))
    expect_fail(c, 1002)
    c = connect(faulty)
    c.send(frame(OP_CLOSE, payload))
    expect_close_reply(c, faulty_reply)


def test_accept_bad_close_reason(serve):
    strict, faulty = servers(serve, "accept-bad-close-reason")
    payload = close_payload(1000, b"bye \xff\xfe")
    # 6455:5.5.1 "Following the 2-byte integer, the body MAY contain UTF-8-
    # encoded data" / 8.1 invalid UTF-8 -> 7.4.1 1007
    c = connect(strict)
    c.send(frame(OP_CLOSE, payload))
    expect_fail(c, 1007)
    c = connect(faulty)
    c.send(frame(OP_CLOSE, payload))
    expect_close_reply(c, close_payload(1000))


def test_no_close_reply(serve):
    strict, faulty = servers(serve, "no-close-reply")
    # 6455:5.5.1 "If an endpoint receives a Close frame and did not previously
    # send a Close frame, the endpoint MUST send a Close frame in response."
    c = connect(strict)
    c.send(frame(OP_CLOSE, close_payload(1000, b"bye")))
    expect_close_reply(c, close_payload(1000))
    c = connect(faulty)
    c.send(frame(OP_CLOSE, close_payload(1000, b"bye")))
    with pytest.raises(EOFError):
        c.recv_frame()


@pytest.mark.parametrize("code", [1000, 3000])
def test_close_reply_wrong_code(serve, code):
    strict, faulty = servers(serve, "close-reply-wrong-code")
    # 6455:5.5.1 "When sending a Close frame in response, the endpoint
    # typically echos the status code it received."
    c = connect(strict)
    c.send(frame(OP_CLOSE, close_payload(code, b"done")))
    expect_close_reply(c, close_payload(code))
    c = connect(faulty)
    c.send(frame(OP_CLOSE, close_payload(code, b"done")))
    # 6455:7.4.1 1011: "encountered an unexpected condition"
    expect_close_reply(c, close_payload(1011))


def test_no_pong(serve):
    strict, faulty = servers(serve, "no-pong")
    sent = frame(OP_PING, b"are you there?") + frame(OP_TEXT, b"marker")
    # 6455:5.5.2 "Upon receipt of a Ping frame, an endpoint MUST send a Pong
    # frame in response, unless it already received a Close frame."
    c = connect(strict)
    c.send(sent)
    expect_frame(c, OP_PONG, b"are you there?")
    expect_frame(c, OP_TEXT, b"marker")
    c = connect(faulty)
    c.send(sent)
    expect_frame(c, OP_TEXT, b"marker")
    expect_quiet(c)


def test_pong_wrong_payload(serve):
    strict, faulty = servers(serve, "pong-wrong-payload")
    # 6455:5.5.3 "A Pong frame sent in response to a Ping frame must have
    # identical "Application data" as found in the message body of the Ping
    # frame being replied to."
    c = connect(strict)
    c.send(frame(OP_PING, b"\x00payload\xff"))
    expect_frame(c, OP_PONG, b"\x00payload\xff")
    c = connect(faulty)
    c.send(frame(OP_PING, b"\x00payload\xff"))
    expect_frame(c, OP_PONG, b"")


def test_wrong_accept_key(serve):
    strict, faulty = servers(serve, "wrong-accept-key")
    # 6455:1.3 "dGhlIHNhbXBsZSBub25jZQ==" -> "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    c = connect(strict, request=request(strict))
    assert c.status == 101
    assert c.headers["sec-websocket-accept"] == [RFC_ACCEPT]
    c = connect(faulty, request=request(faulty))
    assert c.status == 101
    [accept] = c.headers["sec-websocket-accept"]
    assert accept != RFC_ACCEPT
    assert len(base64.b64decode(accept, validate=True)) == 20  # well-formed, just wrong


def test_mask_server_frames(serve):
    strict, faulty = servers(serve, "mask-server-frames")
    # 6455:5.1 "A server MUST NOT mask any frames that it sends to the client."
    c = connect(strict)
    c.send(frame(OP_TEXT, b"mask me not"))
    expect_frame(c, OP_TEXT, b"mask me not")
    c = connect(faulty)
    c.send(frame(OP_TEXT, b"mask me not"))
    assert c.recv_frame() == (True, 0, OP_TEXT, True, b"mask me not")  # unmasked by rawws


@pytest.mark.parametrize("version, strict_status", [
    # 6455:4.2.2 "If this version does not match a version understood by the
    # server, the server MUST abort the WebSocket handshake described in this
    # section and instead send an appropriate HTTP error code (such as 426
    # Upgrade Required)"
    (b"8", 426),
    # 6455:4.2.1 "6. A |Sec-WebSocket-Version| header field, with a value of
    # 13." missing -> "an appropriate error code (such as 400 Bad Request)"
    (None, 400),
])
def test_accept_bad_version(serve, version, strict_status):
    strict, faulty = servers(serve, "accept-bad-version")
    c = connect(strict, request=request(strict, version=version))
    assert c.status == strict_status
    if strict_status == 426:
        # 6455:4.4 "... it MUST respond with a |Sec-WebSocket-Version| header
        # field (or multiple ...) containing all versions it is willing to use"
        assert c.headers["sec-websocket-version"] == ["13"]
    c = connect(faulty, request=request(faulty, version=version))
    assert c.status == 101
    assert c.headers["sec-websocket-accept"] == [RFC_ACCEPT]
    c.send(frame(OP_TEXT, b"v13?"))
    expect_frame(c, OP_TEXT, b"v13?")


def test_ignore_message_limit_single_frame(serve):
    strict, faulty = servers(serve, "ignore-message-limit", "--max-message", "1000")
    big = bytes(range(256)) * 4 + b"!"  # 1025 octets > 1000
    # 6455:7.4.1 1009 "a message that is too big for it to process"
    c = connect(strict)
    c.send(frame(OP_BINARY, big))
    expect_fail(c, 1009)
    c = connect(faulty)
    c.send(frame(OP_BINARY, big))
    expect_frame(c, OP_BINARY, big)


def test_ignore_message_limit_fragmented(serve):
    strict, faulty = servers(serve, "ignore-message-limit", "--max-message", "1000")
    part = b"a" * 600
    second = frame(OP_CONT, part)
    head, body = second[:2 + 2 + 4], second[2 + 2 + 4:]  # 16-bit length form, key
    sent = frame(OP_TEXT, part, fin=False) + head
    # 600 + 600 > 1000 is proven by the second header alone: 1009 at once.
    c = connect(strict)
    c.send(sent)
    expect_fail(c, 1009)
    c = connect(faulty)
    c.send(sent)
    expect_quiet(c)
    c.send(body)
    expect_frame(c, OP_TEXT, part + part)


def test_echo_after_close(serve):
    strict, faulty = servers(serve, "echo-after-close")
    sent = frame(OP_CLOSE, close_payload(1000)) + frame(OP_TEXT, b"late")
    # 6455:5.5.1 "The application MUST NOT send any more data frames after
    # sending a Close frame."; the text frame after the client's close is ignored.
    c = connect(strict)
    c.send(sent)
    expect_close_reply(c, close_payload(1000))
    c = connect(faulty)
    c.send(sent)
    expect_frame(c, OP_CLOSE, close_payload(1000))
    expect_frame(c, OP_TEXT, b"late")


def test_client_closes_tcp(serve):
    strict, faulty = servers(serve, "client-closes-tcp")
    # 6455:7.1.1 "when a server is instructed to _Close the WebSocket
    # Connection_ it SHOULD initiate a TCP Close immediately"
    c = connect(strict)
    c.send(frame(OP_CLOSE, close_payload(1000)))
    expect_close_reply(c, close_payload(1000))
    c = connect(faulty)
    c.send(frame(OP_CLOSE, close_payload(1000)))
    expect_frame(c, OP_CLOSE, close_payload(1000))
    expect_quiet(c)  # TCP still open: the server waits for us
    c.close()
    c = connect(faulty)  # and it still serves others
    c.send(frame(OP_TEXT, b"still here"))
    expect_frame(c, OP_TEXT, b"still here")


def test_echo_altered(serve):
    strict, faulty = servers(serve, "echo-altered")
    # The echo convention: a message comes back unchanged, with its opcode.
    for port, suffix in ((strict, b""), (faulty, b"!")):
        c = connect(port)
        c.send(frame(OP_TEXT, b"same?") + frame(OP_BINARY, b""))
        expect_frame(c, OP_TEXT, b"same?" + suffix)
        expect_frame(c, OP_BINARY, suffix)


def test_utf8_check_per_frame(serve):
    strict, faulty = servers(serve, "utf8-check-per-frame")
    # 6455:5.6 "a particular text frame might include a partial UTF-8
    # sequence; however, the whole message MUST contain valid UTF-8": the
    # euro sign e2 82 ac split after its first octet is a valid message.
    sent = frame(OP_TEXT, b"\xe2", fin=False) + frame(OP_CONT, b"\x82\xac")
    c = connect(strict)
    c.send(sent)
    expect_frame(c, OP_TEXT, "\u20ac".encode())
    c = connect(faulty)
    c.send(sent)
    expect_fail(c, 1007)


def test_accept_non_minimal_length(serve):
    strict, faulty = servers(serve, "accept-non-minimal-length")
    # 6455:5.2 "the minimal number of bytes MUST be used to encode the
    # length": 5 octets in the 16-bit form (126, then 00 05), masked with
    # the all-zero key: 81 fe 00 05 00 00 00 00 'hello'.
    sent = b"\x81\xfe\x00\x05\x00\x00\x00\x00hello"
    c = connect(strict)
    c.send(sent)
    expect_fail(c, 1002)
    c = connect(faulty)
    c.send(sent)
    expect_frame(c, OP_TEXT, b"hello")


@pytest.mark.parametrize("request_head", [
    # 6455:4.1 "The method of the request MUST be GET, and the HTTP version
    # MUST be at least 1.1."
    b"POST / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: " + RFC_KEY + b"\r\nSec-WebSocket-Version: 13\r\n\r\n",
    # 6455:4.2.1 item 4: "A |Connection| header field that includes the token
    # "Upgrade""
    b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
    b"Sec-WebSocket-Key: " + RFC_KEY + b"\r\nSec-WebSocket-Version: 13\r\n\r\n",
])
def test_accept_any_request(serve, request_head):
    strict, faulty = servers(serve, "accept-any-request")
    c = connect(strict, request=request_head)
    assert 400 <= c.status < 500
    c = connect(faulty, request=request_head)
    assert c.status == 101
    assert c.headers["sec-websocket-accept"] == [RFC_ACCEPT]


def test_faults_combine(serve):
    port = serve("--quiet", "--fault", "accept-unmasked", "--fault", "ignore-rsv",
                 "--fault", "no-pong").port
    c = connect(port)
    c.send(frame(OP_PING, b"p", mask=False) + frame(OP_TEXT, b"both", rsv=2, mask=False))
    expect_frame(c, OP_TEXT, b"both")
    # the rules no fault names still hold: 6455:5.5 control frame > 125
    c.send(frame(OP_PING, b"x" * 126))
    expect_fail(c, 1002)
