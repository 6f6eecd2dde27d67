"""What a peer sends after its own close frame (cases/README.md, "One verdict
for one behaviour"). 6455:5.5.1: "After sending a Close frame, the endpoint
MUST NOT send any further data frames." Only data frames: a pong or a second
close frame after it is recorded, not a violation; a text frame is one.

The peer is a raw socket: it answers the opening handshake, reads our frames
until our close frame, and answers it with its close frame followed by the
extra frames of its mode, in one write, then closes TCP."""
import sys

import pytest

from conftest import PEERS, scaled
from wsrun import results, wsspec

sys.path.insert(0, str(PEERS))
from handshake101 import switching_protocols  # noqa: E402
from rawpeer import RawServer, read_head  # noqa: E402


def frame(opcode, payload=b""):
    """An unmasked server frame (6455:5.2), payload under 126 octets."""
    return bytes([0x80 | opcode, len(payload)]) + payload


CLOSE_1000 = frame(0x8, b"\x03\xe8")
MODES = {
    "pong-and-second-close": CLOSE_1000 + frame(0xA, b"late pong") + frame(0x8, b"\x03\xe8"),
    "text-after-close": CLOSE_1000 + frame(0x1, b"late text"),
}


def read_client_frames(conn, buf):
    """Read masked client frames until a close frame; returns when one came
    or the connection ended."""
    while True:
        while len(buf) >= 2:
            n = buf[1] & 0x7F
            head = 2 + {126: 2, 127: 8}.get(n, 0) + 4
            if len(buf) < head:
                break
            if n == 126:
                n = int.from_bytes(buf[2:4], "big")
            elif n == 127:
                n = int.from_bytes(buf[2:10], "big")
            if len(buf) < head + n:
                break
            opcode = buf[0] & 0x0F
            del buf[:head + n]
            if opcode == 0x8:
                return True
        data = conn.recv(65536)
        if not data:
            return False
        buf += data


class AfterClosePeer(RawServer):
    def __init__(self, extra):
        self.extra = extra
        super().__init__(self.answer)

    def answer(self, conn):
        conn.settimeout(scaled(10))
        head, rest = read_head(conn)
        conn.sendall(switching_protocols(head))
        if read_client_frames(conn, bytearray(rest)):
            conn.sendall(self.extra)


@pytest.fixture
def after_close():
    peers = []

    def start(mode):
        peers.append(AfterClosePeer(MODES[mode]))
        return peers[-1].port
    yield start
    for p in peers:
        p.close()


def run(port, *selectors):
    return wsspec("run", f"ws://127.0.0.1:{port}/", *selectors, "-v",
                  timeout=60)


def test_control_frames_after_the_peers_close_are_not_violations(after_close):
    port = after_close("pong-and-second-close")
    r = run(port, "close.close-code-only", "close-codes.valid-3000")
    got = results(r.stdout)
    assert got == {"close.close-code-only": "pass", "close-codes.valid-3000": "pass"}, r.stdout
    assert r.returncode == 0


def test_a_data_frame_after_the_peers_close_fails(after_close):
    port = after_close("text-after-close")
    r = run(port, "close.close-code-only")
    assert results(r.stdout) == {"close.close-code-only": "FAIL"}, r.stdout
    assert "a data frame after the peer's close frame" in r.stdout
    assert "6455:5.5.1" in r.stdout
    assert r.returncode == 1
