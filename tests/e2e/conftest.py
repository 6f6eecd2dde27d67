"""Shared fixtures of the end-to-end tests: the wsspec binary, a running
reference server, and generated TLS certificates. Every test talks to real
processes over loopback sockets; nothing is mocked."""
import os
import pathlib
import signal
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PEERS = ROOT / "tests" / "peers"
SCALE = float(os.environ.get("WSSPEC_TIMEOUT_SCALE", "1"))


def wsspec_bin():
    return os.environ.get("WSSPEC_BIN", str(ROOT / "build" / "wsspec"))


def scaled(seconds):
    return seconds * SCALE


class Process:
    """A child process that printed its listening port on the first stdout line."""

    def __init__(self, argv, env=None):
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env, text=True)
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            self.proc.kill()
            out, err = self.proc.communicate(timeout=scaled(10))
            raise RuntimeError(f"{argv} did not print a port: {line!r} {err}")
        self.port = int(line)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            out, err = self.proc.communicate(timeout=scaled(timeout))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            raise
        return self.proc.returncode, out, err


@pytest.fixture
def serve():
    """Factory: serve(*args) starts `wsspec serve --port 0 *args` and returns it."""
    started = []

    def start(*args):
        p = Process([wsspec_bin(), "serve", "--port", "0", *args])
        started.append(p)
        return p

    yield start
    for p in started:
        if p.proc.poll() is None:
            p.proc.kill()
            p.proc.communicate()
        # A crash of the server under test must fail the test that used it.
        assert p.proc.returncode in (0, -signal.SIGKILL, -signal.SIGTERM), \
            f"server exited with {p.proc.returncode}: {p.proc.stderr.read() if p.proc.stderr else ''}"


@pytest.fixture
def py_echo_server():
    """python3-websockets (Debian) echo server, as a peer for our client code."""
    started = []

    def start(*args):
        p = Process([sys.executable, str(PEERS / "py_echo_server.py"), *args])
        started.append(p)
        return p

    yield start
    for p in started:
        p.stop()


@pytest.fixture
def node_ws_server():
    """Node's `ws` (npm, installed in tests/peers/node_modules by `npm ci`) echo
    server, as a third-party peer."""
    if not (PEERS / "node_modules" / "ws").is_dir():
        raise RuntimeError("tests/peers/node_modules/ws is missing: run `npm ci` in tests/peers "
                           "(scripts/setup.sh --tests does)")
    started = []

    def start(*args):
        p = Process(["node", str(PEERS / "node_ws_echo_server.js"), *args])
        started.append(p)
        return p

    yield start
    for p in started:
        p.stop()


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory):
    """A self-signed certificate for localhost and 127.0.0.1, made by openssl."""
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


# ---- verdict sweeps under the sanitizers ----------------------------------------
#
# A test marked `sweep` runs the whole corpus once per parameter (every fault
# of the reference server) to prove *verdicts*: that is the normal pass's job,
# and it runs them all. The sanitizer pass (scripts/run-tests.sh sets
# WSSPEC_SWEEP_SAMPLE=N) is there to catch memory and undefined-behaviour
# errors in the binary: it runs the first N parameters of each sweep, which
# exercise the same code, instead of 30 more whole-corpus runs each (of a
# module whose plain test functions are marked, its first N functions).


def pytest_configure(config):
    config.addinivalue_line("markers", "sweep: a per-parameter whole-corpus verdict sweep "
                            "(sampled under WSSPEC_SWEEP_SAMPLE)")


def pytest_collection_modifyitems(config, items):
    sample = os.environ.get("WSSPEC_SWEEP_SAMPLE")
    if not sample:
        return
    seen, kept, dropped = {}, [], []
    for item in items:
        if item.get_closest_marker("sweep"):
            # The parameters of one function, or the marked functions of a module.
            key = (item.module.__name__,
                   item.originalname if hasattr(item, "callspec") else "")
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > int(sample):
                dropped.append(item)
                continue
        kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
