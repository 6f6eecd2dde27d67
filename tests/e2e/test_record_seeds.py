"""`wsspec run --record-seeds DIR` saves what a real server sent as seeds for
the fuzz targets (fuzz/record_seeds.sh builds fuzz/corpus with it). Checked
against python3-websockets with permessage-deflate on, with Python's own zlib
and the formats each fuzz target reads (fuzz/pmd_inflate_fuzz.c,
fuzz/pmd_params_fuzz.c, fuzz/hs_response_fuzz.c)."""
import hashlib
import subprocess
import zlib

from conftest import scaled, wsspec_bin


def test_seeds_are_what_the_server_sent(py_echo_server, tmp_path):
    server = py_echo_server("--deflate")
    out = tmp_path / "seeds"
    r = subprocess.run([wsspec_bin(), "run", f"ws://127.0.0.1:{server.port}/", "-q",
                        "--record-seeds", str(out), "deflate-payloads.json-*",
                        "deflate-params.server-window-9-*"],
                       capture_output=True, text=True, timeout=scaled(120))
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    # (and the wire-log seeds of test_record_wire_seeds.py)
    assert {"hs_response", "pmd_params", "pmd_inflate"} <= {p.name for p in out.iterdir()}
    for target in out.iterdir():
        files = list(target.iterdir())
        assert files, target
        for f in files:  # named by content, as fuzz/corpus is
            assert f.name == hashlib.sha256(f.read_bytes()).hexdigest()

    for f in (out / "hs_response").iterdir():
        head = f.read_bytes()
        assert head.startswith(b"HTTP/1.1 101 ") and head.endswith(b"\r\n\r\n")

    # Our offers, NUL, the server's answer (python answers the last offer with
    # its own window bits).
    params = [f.read_bytes() for f in (out / "pmd_params").iterdir()]
    for seed in params:
        offers, answer = seed.split(b"\0", 1)
        assert offers.startswith(b"permessage-deflate")
        assert answer.startswith(b"permessage-deflate")
    assert any(b"server_max_window_bits=9" in s.split(b"\0")[1] for s in params)

    # A config octet, then a compressed message of the server twice, one that
    # inflates alone (the first of its connection, or any under
    # server_no_context_takeover): with a fresh window it inflates (7692:7.2.2:
    # the 00 00 ff ff tail appended) to a window of the json data set.
    inflated = 0
    for f in (out / "pmd_inflate").iterdir():
        seed = f.read_bytes()
        config, rest = seed[0], seed[1:]
        bits = 8 + (config & 7)
        assert bits in (9, 12, 15), bits  # what python agreed in these cases
        half = len(rest) // 2
        assert rest[:half] == rest[half:]
        # zlib cannot read raw deflate with 8 bits; 9..15 are what it may use.
        d = zlib.decompressobj(-max(bits, 9))
        text = d.decompress(rest[:half] + b"\x00\x00\xff\xff")
        text.decode("utf-8")  # the json set: every window is valid UTF-8
        inflated += 1
    assert inflated > 10
