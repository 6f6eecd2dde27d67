"""Frames that arrive in the same TCP segment as the 101 response must not be
lost (FUZZING.md 5.I, curl #22107). A raw server sends its 101 and a text
frame in one write; the runner must see the message."""
import base64
import hashlib
import json
import socket
import subprocess
import threading

from conftest import scaled, wsspec_bin

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def early_frame_server(ready):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    ready.append(srv.getsockname()[1])

    def serve():
        while True:  # the runner's reachability check connects and closes first
            conn, _ = srv.accept()
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                head += chunk
            if b"\r\n\r\n" in head:
                break
            conn.close()
        key = [l.split(b":", 1)[1].strip() for l in head.split(b"\r\n")
               if l.lower().startswith(b"sec-websocket-key:")][0]
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
        # 6455:5.2: FIN + text opcode, unmasked (a server never masks), length 5.
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
                     + b"\x81\x05early")
        # Read the client's whole close frame (2-octet head, 4-octet key, 2-octet
        # code) so closing leaves nothing unread (that would send a reset).
        data = b""
        while len(data) < 8:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        assert data[:2] == b"\x88\x82", data
        conn.sendall(b"\x88\x02\x03\xe8")
        conn.close()
        srv.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return t


def test_frame_in_the_same_segment_as_the_101_is_kept(tmp_path):
    case = {
        "group": "early", "title": "early frames",
        "cases": [{
            "name": "frame-with-101", "title": "a frame in the 101's segment",
            "rfc": ["6455:4.1"],
            "steps": [{"wait": {"for": "message"}}, {"send_close": {"code": 1000}}],
            "outcomes": [{"verdict": "pass",
                          "events": [{"message": {"opcode": "text", "payload": "early"}}],
                          "close": {"by": "us"}}],
        }],
    }
    f = tmp_path / "early.json"
    f.write_text(json.dumps(case))
    ready = []
    t = early_frame_server(ready)
    r = subprocess.run([wsspec_bin(), "run", f"ws://127.0.0.1:{ready[0]}/", "--case-file",
                        str(f)], capture_output=True, text=True, timeout=scaled(30))
    t.join(timeout=scaled(5))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "pass" in r.stdout and "early.frame-with-101" in r.stdout
