"""The dataset payload form (cases/README.md "Data sets") end to end: a case
file sends windows of every generated data set to real echo servers and
expects each echo back.

A text set's windows go out as text messages, so the peer checks they are
UTF-8 (6455:8.1: "When an endpoint is to interpret a byte stream as UTF-8
but finds that the byte stream is not, in fact, a valid UTF-8 stream, that
endpoint MUST _Fail the WebSocket Connection_"), and a window of N units of a
text set is N code points (Autobahn: "For the two text sets, LEN is counted
in code points, not bytes"). A python3-websockets echo server in this
process records what it received, and the test checks it against those
definitions without the harness's help: the length of each window in code
points (or octets), sliding windows that join into the one long window, a
window longer than its set that repeats the set from its start, an empty
window."""
import asyncio
import json
import threading

import pytest
import websockets

from conftest import scaled
from wsrun import results, wsspec

TEXT_SETS = ("json", "prose", "markup")
BINARY_SETS = ("image", "mixed")
SETS = TEXT_SETS + BINARY_SETS
# Longer than each set (json 243985, image 268854, prose 222769, markup
# 261484, mixed 1032535 units): this window wraps around to the set's start.
WRAPPING = {"json": 250000, "image": 270000, "prose": 230000, "markup": 270000,
            "mixed": 1040000}
SLIDES, SLIDE_UNITS = 24, 7


def windows_of(name):
    """(start, units) of every message of the case of this set, in order."""
    w = [(i * SLIDE_UNITS, SLIDE_UNITS) for i in range(SLIDES)]  # sliding, as Autobahn 12.x
    w += [(0, SLIDES * SLIDE_UNITS)]                               # the same units at once
    w += [(12345 + i * 4093, 4093) for i in range(4)]
    w += [(77777, 0), (3, WRAPPING[name]), (10**12 + 1, 1000)]
    # One-unit windows all over the set: single code points (or octets).
    w += [(i * 9973, 1) for i in range(120)]
    return w


def echo_case(name):
    opcode = "text" if name in TEXT_SETS else "binary"
    steps, events = [], []
    for start, units in windows_of(name):
        payload = {"dataset": name, "start": start, "units": units}
        steps.append({"send_message": {"opcode": opcode, "payload": payload}})
        steps.append({"wait": {"for": "message"}})
        events.append({"message": {"opcode": opcode, "payload": payload}})
    steps.append({"send_close": {"code": 1000}})
    return {
        "name": name, "title": f"windows of the {name} data set echoed",
        "rfc": ["6455:5.6"],
        "timeout": 30,
        "steps": steps,
        "outcomes": [{"verdict": "pass", "events": events, "close": {"by": "us"}}],
    }


@pytest.fixture
def case_file(tmp_path):
    f = tmp_path / "datasets.json"
    f.write_text(json.dumps({"group": "datasets", "title": "data set windows",
                             "cases": [echo_case(name) for name in SETS]}))
    return f


class RecordingEchoServer:
    """python3-websockets echo server on a thread of its own; records every
    message of every connection, in order."""

    def __init__(self):
        self.connections = []
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self.main(),),
                                       daemon=True)
        self.thread.start()
        assert self.ready.wait(scaled(10)), "the echo server did not start"

    async def echo(self, ws, path=None):
        received = []
        self.connections.append(received)
        try:
            async for message in ws:
                received.append(message)
                await ws.send(message)
        except websockets.ConnectionClosed:
            pass

    async def main(self):
        self.stop = asyncio.Event()
        async with websockets.serve(self.echo, "127.0.0.1", 0, max_size=16 * 1024 * 1024,
                                    compression=None) as server:
            self.port = next(iter(server.sockets)).getsockname()[1]
            self.ready.set()
            await self.stop.wait()

    def close(self):
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(scaled(10))


def run_against(port, case_file):
    r = wsspec("run", f"ws://127.0.0.1:{port}/", "--case-file", str(case_file), timeout=120)
    assert results(r.stdout) == {f"datasets.{n}": "pass" for n in SETS}, r.stdout + r.stderr
    assert r.returncode == 0, r.stdout + r.stderr


def test_windows_echoed_by_the_reference_server(serve, case_file):
    server = serve()
    run_against(server.port, case_file)


def test_windows_as_a_third_party_peer_receives_them(case_file):
    server = RecordingEchoServer()
    try:
        run_against(server.port, case_file)
    finally:
        server.close()
    assert len(server.connections) == len(SETS)
    for name, received in zip(SETS, server.connections):
        text = name in TEXT_SETS
        wanted = windows_of(name)
        assert len(received) == len(wanted), name
        for (start, units), message in zip(wanted, received):
            # websockets gives a str (already checked to be UTF-8) for a text
            # message: len() counts its code points; bytes for binary.
            assert isinstance(message, str if text else bytes), (name, start)
            assert len(message) == units, (name, start, units, len(message))
        slides = received[:SLIDES]
        assert ("".join(slides) if text else b"".join(slides)) == received[SLIDES], name
        wrapped = received[SLIDES + 1 + 4 + 1]
        # Past the set's end the window goes on with the set's first units
        # (from unit 3, where it started): it is periodic, with the set's
        # length as its period.
        period = wrapped.find(wrapped[:1000], 1)
        assert 200000 < period < len(wrapped), (name, period)
        assert wrapped[period:] == wrapped[:len(wrapped) - period], name
        assert received[SLIDES + 1 + 4] == ("" if text else b"")
        if text:  # code points and octets differ: the lengths above say which was counted
            assert any(len(m.encode()) > len(m) for m in received), name
