"""What a peer sends after its own close frame (cases/README.md, "One verdict
for one behaviour"). 6455:5.5.1: "After sending a Close frame, the endpoint
MUST NOT send any further data frames." Only data frames: a pong or a second
close frame after it is recorded, not a violation; a text frame is one.

The peer is a raw socket: it answers the opening handshake, reads our frames
until our close frame, and answers it with its close frame followed by the
extra frames of its mode, in one write, then closes TCP."""
import socket
import sys
import threading

import pytest

from conftest import PEERS, scaled
from wsrun import results, wsspec

sys.path.insert(0, str(PEERS))
from handshake101 import switching_protocols  # noqa: E402


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


class AfterClosePeer:
    def __init__(self, extra):
        self.extra = extra
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        with conn:
            conn.settimeout(scaled(10))
            buf = bytearray()
            try:
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                head, _, rest = bytes(buf).partition(b"\r\n\r\n")
                conn.sendall(switching_protocols(head))
                buf = bytearray(rest)
                if read_client_frames(conn, buf):
                    conn.sendall(self.extra)
            except OSError:
                pass

    def close(self):
        self.sock.close()


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
