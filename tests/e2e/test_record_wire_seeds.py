"""`wsspec run --record-seeds DIR` also cuts each case's wire log into seeds
for the frame, handshake-request, reference-server, close and UTF-8 fuzz
targets (harness/run/runner_seeds.c, formats of fuzz/<target>_fuzz.c). The
seeds are checked here against an independent reading of RFC 6455 5.2 frames
(a small parser in this file) and against what the cases send, as written in
the case files, run against the reference server."""
import hashlib
import subprocess

from conftest import scaled, wsspec_bin

CASES = ["close.close-code-reason", "close.valid-code-3000", "close.close-reason-invalid-utf8",
         "framing.text-length-125", "close.close-empty"]


def frames(data, masked):
    """RFC 6455 5.2: (fin, rsv, opcode, payload unmasked) of every whole frame."""
    out, pos = [], 0
    while pos + 2 <= len(data):
        b0, b1 = data[pos], data[pos + 1]
        assert bool(b1 & 0x80) == masked, "5.3: client frames masked, server frames not"
        n, pos = b1 & 0x7F, pos + 2
        if n in (126, 127):
            width = 2 if n == 126 else 8
            if pos + width > len(data):
                break
            n, pos = int.from_bytes(data[pos:pos + width], "big"), pos + width
        key = b""
        if masked:
            key, pos = data[pos:pos + 4], pos + 4
        if pos + n > len(data):
            break
        payload = data[pos:pos + n]
        if masked:
            payload = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
        out.append((bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0x0F, payload))
        pos += n
    return out


def test_wire_seeds(serve, tmp_path):
    server = serve()
    out = tmp_path / "seeds"
    r = subprocess.run([wsspec_bin(), "run", f"ws://127.0.0.1:{server.port}/", "-q",
                        "--record-seeds", str(out), *CASES],
                       capture_output=True, text=True, timeout=scaled(120))
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    seeds = {p.name: [f.read_bytes() for f in p.iterdir()] for p in out.iterdir()}
    assert {"hs_request", "refserver_conn", "frame", "frame_parse", "close",
            "utf8"} <= set(seeds)
    for target in out.iterdir():
        for f in target.iterdir():
            assert f.name == hashlib.sha256(f.read_bytes()).hexdigest()

    # Our requests: one per case (each with its own key), a whole head.
    assert len(seeds["hs_request"]) == len(CASES)
    for head in seeds["hs_request"]:
        assert head.startswith(b"GET / HTTP/1.1\r\n") and head.endswith(b"\r\n\r\n")
        assert b"\r\nSec-WebSocket-Key: " in head
    # refserver_conn: no faults, a split seed, flag 1 (own handshake), then
    # all we sent, starting with a request recorded for hs_request.
    for s in seeds["refserver_conn"]:
        assert s[:4] == b"\0\0\0\0" and s[5] == 1
        assert any(s[6:].startswith(h) for h in seeds["hs_request"])

    # frame: a config octet (bit 0: 0 = a server parsing our masked frames,
    # 1 = a client parsing the server's), strict lengths (bit 1), no RSV
    # without permessage-deflate; frame_parse the same octet cut to 5 bits.
    ours, theirs = [], []
    for s in seeds["frame"]:
        config = s[0]
        assert config & 2 and (config >> 2) & 7 == 0
        (theirs if config & 1 else ours).extend(frames(s[1:], masked=not config & 1))
        assert bytes([config & 0x1F]) + s[1:] in seeds["frame_parse"]
    assert ours and theirs

    # close: the close payloads of both directions; the cases' own are there.
    closes = {p for fin, rsv, op, p in ours + theirs if op == 8}
    assert set(seeds["close"]) == closes
    assert b"" in closes  # close.close-empty
    assert (3000).to_bytes(2, "big") in closes  # close.valid-code-3000
    assert any(p[:2] == b"\x03\xe8" and len(p) > 2 for p in closes)  # close-code-reason
    # utf8: a fragment-seed octet, then each text message (here unfragmented).
    texts = {p for fin, rsv, op, p in ours + theirs if op == 1}
    assert {s[1:] for s in seeds["utf8"]} == texts
    assert any(len(t) == 125 for t in texts)  # framing.text-length-125, and its echo
