"""Our client code (`wsspec probe`) against real servers: Debian's
python3-websockets echo server, and the reference server over TLS."""
import subprocess

from conftest import scaled, wsspec_bin


def probe(*args):
    return subprocess.run([wsspec_bin(), "probe", *args], capture_output=True, text=True,
                          timeout=scaled(60))


def test_probe_against_python_websockets(py_echo_server):
    port = py_echo_server().port
    r = probe(f"ws://127.0.0.1:{port}/chat?room=1", "--binary", "200000", "--count", "3")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ok   handshake" in r.stdout
    assert r.stdout.count("ok   text echo") == 3
    assert r.stdout.count("ok   binary echo (200000 bytes)") == 3
    assert "ok   ping/pong" in r.stdout
    assert "ok   closing handshake: code 1000" in r.stdout


def test_probe_reports_a_wrong_accept_key(serve):
    port = serve("--quiet", "--fault", "wrong-accept-key").port
    r = probe(f"ws://127.0.0.1:{port}/")
    assert r.returncode == 1
    assert "FAIL handshake" in r.stdout


def test_probe_unreachable_is_exit_3():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    r = probe(f"ws://127.0.0.1:{port}/", "--timeout", "3")
    assert r.returncode == 3
    assert "FAIL handshake" in r.stderr


def test_probe_wss_verifies_certificates(serve, tls_cert):
    cert, key = tls_cert
    port = serve("--quiet", "--tls-cert", str(cert), "--tls-key", str(key)).port
    ok = probe(f"wss://localhost:{port}/", "--ca", str(cert))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "TLSv1.3" in ok.stdout
    untrusted = probe(f"wss://localhost:{port}/", "--timeout", "5")
    assert untrusted.returncode == 3
    assert "verif" in untrusted.stderr.lower()
    insecure = probe(f"wss://127.0.0.1:{port}/", "--insecure")
    assert insecure.returncode == 0, insecure.stdout + insecure.stderr


def test_probe_bad_url_is_usage_error():
    r = probe("http://example.invalid/#frag")
    assert r.returncode == 2
