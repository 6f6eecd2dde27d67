"""Verdict truth under time (issue 8, items 2, 6 and 7): a correct server is
never failed for *when* it answers, and a verdict does not depend on load.

Every peer here is the strict reference server (`wsspec serve`, which
passes the whole corpus) behind tests/peers/timing_proxy.py, which changes
only when the server's octets reach us, never what they are. RFC 6455 sets
no time limit on an echo, a pong, the reply to a close or the TCP close, so
through the proxy the server stays correct:

  - item 2, a server that answers the first bad frame with a close frame
    and closes TCP at once (or resets it): our writes after that fail, and
    the close frame already in our socket buffer must still be read;
  - item 6, a server that echoes every message 200 ms late, one after the
    other, or trickles every frame head in 1-3 octet segments: running out
    of our own deadline is an error naming it, never a fail;
  - item 7, the reply to our close after close_timeout but inside the case
    deadline is not a fail; a case that fails only by a timeout is rerun
    once, alone, after the others (--retry-timeouts, the default), and only
    a repeated timeout is a verdict.

Durations given to the proxy are scaled by WSSPEC_TIMEOUT_SCALE like
wsspec's own timeouts, so the margins hold on a slow (sanitizer) build."""
import contextlib
import datetime
import json
import subprocess
import sys

import pytest

from conftest import PEERS, Process, scaled, wsspec_bin
from wsrun import list_cases, results, wsspec

RUNS = 50  # item 2: runs in a row, under load


@pytest.fixture
def proxy(serve):
    """Factory: proxy(*args) starts a strict `wsspec serve` behind
    timing_proxy.py with args and returns the proxy (its .port)."""
    started = []

    def start(*args):
        upstream = serve("--quiet")
        p = Process([sys.executable, str(PEERS / "timing_proxy.py"), "--upstream",
                     str(upstream.port), *args])
        started.append(p)
        return p

    yield start
    for p in started:
        p.stop()


@contextlib.contextmanager
def cpu_load(processes=2):
    """CPU-bound neighbours: the machine is busy while the block runs."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(processes)]
    try:
        yield
    finally:
        for h in hogs:
            h.kill()
            h.wait()


def url(p):
    return f"ws://127.0.0.1:{p.port}/"


def when(stamp):
    return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def ended(case):
    return when(case["started"]) + case["duration_s"]


# ---- item 2: a quick close is read, whatever our writes do -------------------------


def quick_close_cases():
    """Cases where the server must fail the connection while we still write:
    the chop-1 ones (a frame an octet at a time, the bad octet early) and
    three that send on after the bad frame."""
    chop = [c["id"] for c in list_cases("--tag", "chop-1") if "fail" in c["tags"]]
    assert len(chop) >= 16
    return chop + ["utf8-extra.invalid-then-ping", "after-close.large-message-after-close",
                   "control-interleave.close-before-fragment-2-of-3-binary"]


def test_a_server_closing_at_once_gets_the_same_verdicts_every_run(proxy, tmp_path):
    # A server failing the connection closes TCP at once, while we still
    # write, and our next write fails (EPIPE or a reset). Its close frame is
    # in our socket buffer by then: 6455:7.1.7 "the endpoint SHOULD send a
    # Close frame with an appropriate status code" -- it did, so every case
    # passes, in every run (before issue 8 some runs lowered a case to
    # non-strict, "closed TCP without a close frame", or failed it).
    ids = quick_close_cases()
    peers = {"close": proxy("--quick-close", "close"), "reset": proxy("--quick-close", "reset")}
    seen = {mode: {} for mode in peers}
    failed_writes = 0
    with cpu_load():
        for run in range(RUNS):
            procs = {mode: subprocess.Popen(
                [wsspec_bin(), "run", url(p), *ids, "-j", "8", "-q", "--json",
                 str(tmp_path / f"{mode}.json")], stdout=subprocess.PIPE, text=True)
                for mode, p in peers.items()}
            for mode, proc in procs.items():
                out, _ = proc.communicate(timeout=scaled(120))
                report = json.loads((tmp_path / f"{mode}.json").read_text())
                bad = {c["id"]: (c["verdict"], c["reason"]) for c in report["cases"]
                       if c["verdict"] != "pass"}
                assert not bad, f"run {run + 1}, --quick-close {mode}: {bad}"
                assert proc.returncode == 0, out[-3000:]
                for c in report["cases"]:
                    seen[mode].setdefault(c["id"], set()).add(c["verdict"])
                    # Where a write of ours failed, the server's close frame
                    # (sent before it closed TCP) is recorded first.
                    kinds = [e["kind"] for e in c["events"]]
                    if "write-failed" in kinds:
                        failed_writes += 1
                        assert "close" in kinds[:kinds.index("write-failed")], (c["id"], kinds)
    for mode in peers:
        assert sorted(seen[mode]) == sorted(ids)
        assert {v for vs in seen[mode].values() for v in vs} == {"pass"}
    # Whether a write fails depends on timing (about one run in two has
    # some); over 100 runs some did, or this test proved nothing.
    assert failed_writes > 0


# ---- item 6: slow is not wrong, over the whole corpus ------------------------------

CORPUS_TIMEOUT = "4"  # --timeout: every case's deadline (scaled by wsspec)


def test_slow_servers_never_fail_the_corpus(proxy, tmp_path):
    # 200 ms per echo, one after the other: 1000 round trips take 200 s,
    # far beyond any deadline here; every frame head in 1-3 octet segments
    # 30 ms apart. Both runs together: the proxies mostly sleep.
    peers = {"slow": proxy("--echo-delay", "0.2"),
             "trickle": proxy("--trickle", "--trickle-gap", "0.03")}
    procs = {name: subprocess.Popen(
        [wsspec_bin(), "run", url(p), "-j", "64", "--timeout", CORPUS_TIMEOUT, "-q", "--json",
         str(tmp_path / f"{name}.json")], stdout=subprocess.PIPE, text=True)
        for name, p in peers.items()}
    reports = {}
    for name, proc in procs.items():
        out, _ = proc.communicate(timeout=scaled(300))
        assert proc.returncode in (0, 3), out[-3000:]  # errors allowed, no failure
        reports[name] = json.loads((tmp_path / f"{name}.json").read_text())
    for name, report in reports.items():
        assert len(report["cases"]) > 600
        verdicts = {c["id"]: c["verdict"] for c in report["cases"]}
        wrong = {i: v for i, v in verdicts.items() if v not in ("pass", "informational", "error")}
        assert not wrong, f"{name}: {wrong}"
        for c in report["cases"]:
            if c["verdict"] != "error":
                continue
            # Only our own deadlines (judging rule 7): the case deadline
            # stopping a conversation still under way, or, on a machine so
            # busy that the proxy went silent past the (scaled) idle
            # deadline, that deadline ending a wait for an echo only.
            case_deadline = "case deadline ran out with the conversation still under way"
            idle_deadline = "only the echo convention asks for was due, and our idle deadline ran out"
            assert case_deadline in c["reason"] or idle_deadline in c["reason"], \
                (name, c["id"], c["reason"])
            assert "slow is not wrong" in c["reason"]
            assert c["events"][c["first_unexpected"]]["kind"] == "timeout"
            assert "deadline" in c["actual"], (name, c["id"], c["actual"])
    # 1000 round trips at 200 ms each cannot end within the deadline: each
    # of those is an error naming the deadline and how far it got.
    slow = {c["id"]: c for c in reports["slow"]["cases"]}
    trips = [i for i in slow if ".text-round-trips-1000x" in i or ".binary-round-trips-1000x" in i]
    assert len(trips) == 12
    for i in trips:
        assert slow[i]["verdict"] == "error", slow[i]["reason"]
        # An echo is the convention of every test suite, not an RFC duty.
        assert "while waiting for a message, which the RFC does not require" in slow[i]["actual"]
        matched = int(slow[i]["reason"].split(" of the peer's events")[0].split()[-1])
        assert 0 < matched < 1000


# ---- item 7: a late reply to our close -----------------------------------------------

FOUR_MIB = ["limits.text-4mib", "limits.binary-4mib", "limits.text-4mib-fragments-64kib",
            "limits.binary-4mib-fragments-64kib"]
CLOSE_TIMEOUT = 2.0  # the cases' close_timeout (the default), scaled by wsspec


def test_reply_to_our_close_after_close_timeout_is_not_a_failure(proxy, tmp_path):
    # Each 4 MiB echo comes late, then the reply to our close comes 2.5 s
    # (scaled) after the server sent it: after close_timeout, inside the
    # case deadline (60 s). The idle deadline is set well above the
    # silence, so only close_timeout could end the wait early.
    p = proxy("--echo-delay", str(scaled(0.5)), "--close-delay", str(scaled(2.5)))
    out = tmp_path / "r.json"
    r = wsspec("run", url(p), *FOUR_MIB, "-j", "4", "--idle-timeout", "6", "--json", str(out))
    report = json.loads(out.read_text())
    assert {c["id"]: c["verdict"] for c in report["cases"]} == {i: "pass" for i in FOUR_MIB}, \
        r.stdout[-3000:]
    assert r.returncode == 0
    scale = report["options"]["timeout_scale"]
    for c in report["cases"]:
        assert c["retry"] is None  # passed at the first attempt
        t = {e["kind"]: e["t_ms"] for e in c["events"]}
        assert t["close"] - t["sent-close"] > CLOSE_TIMEOUT * scale * 1000, c["events"]


# ---- item 7: --retry-timeouts ----------------------------------------------------------

# Echo cases of our own with a short close_timeout, so that a reply that
# never comes costs little: the wait for it ends after 0.5 s (scaled)
# without an octet from the peer (--idle-timeout 0.5).
RETRY_CASES = {
    "group": "retry",
    "title": "Echo cases for the --retry-timeouts tests",
    "cases": [{
        "name": "echo-{n}",
        "title": "Text message {n} is echoed, our close answered",
        "rfc": ["6455:5.5.1"],
        "requirement": "6455:5.5.1 \"If an endpoint receives a Close frame and did not "
                       "previously send a Close frame, the endpoint MUST send a Close frame in "
                       "response.\"",
        "tags": ["retry"],
        "close_timeout": 0.5,
        "params": [{"n": f"{k:02d}"} for k in range(1, 19)],
        "steps": [
            {"send_message": {"opcode": "text", "payload": "echo {n}"}},
            {"wait": {"for": "message"}},
            {"send_close": {"code": 1000}},
        ],
        "outcomes": [{
            "verdict": "pass",
            "events": [{"message": {"opcode": "text", "payload": "echo {n}"}}],
            "close": {"by": "us"},
        }],
    }],
}


def run_retry_cases(p, tmp_path, *args):
    cases = tmp_path / "retry.json"
    cases.write_text(json.dumps(RETRY_CASES))
    out = tmp_path / "r.json"
    r = wsspec("run", url(p), "--case-file", str(cases), "--idle-timeout", "0.5", "--json",
               str(out), *args)
    return r, json.loads(out.read_text())


def test_a_failure_only_by_a_timeout_is_rerun_once_alone(proxy, tmp_path):
    # The first 2 connections never get the reply to our close: both cases
    # fail at their first attempt (6455:5.5.1, the reply is a MUST), only by
    # a timeout; then each is rerun alone, against a server that answers.
    p = proxy("--stall-first", "2")
    r, report = run_retry_cases(p, tmp_path, "retry.echo-01", "retry.echo-02", "-j", "2")
    assert r.returncode == 0, r.stdout
    assert report["options"]["retry_timeouts"] is True
    cases = {c["id"]: c for c in report["cases"]}
    first, second = cases["retry.echo-01"], cases["retry.echo-02"]
    assert first["verdict"] == "pass" and second["verdict"] == "pass"
    for c in (first, second):
        retry = c["retry"]
        assert retry["rerun"] is True and retry["first_verdict"] == "fail"
        assert "did not answer our close frame (6455:5.5.1)" in retry["first_reason"]
        assert retry["first_actual"].startswith("timeout: waiting for the peer's answer")
    # After the parallel pass, one at a time, in case order.
    pass_end = max(when(c["retry"]["first_started"]) + c["retry"]["first_duration_s"]
                   for c in (first, second))
    assert when(first["started"]) >= pass_end - 0.002
    assert when(second["started"]) >= ended(first) - 0.002
    # The console: a "retry" line for each first attempt, then the verdicts.
    lines = [line.split()[:2] for line in r.stdout.splitlines()]
    assert lines.count(["retry", "retry.echo-01"]) == 1
    assert lines.count(["retry", "retry.echo-02"]) == 1
    assert results(r.stdout) == {"retry.echo-01": "pass", "retry.echo-02": "pass"}


def test_a_repeated_timeout_is_the_verdict(proxy, tmp_path):
    # The first 2 connections stall: the first attempt and the rerun alone.
    p = proxy("--stall-first", "2")
    r, report = run_retry_cases(p, tmp_path, "retry.echo-01")
    assert r.returncode == 1, r.stdout
    [case] = report["cases"]
    assert case["verdict"] == "fail"
    assert case["retry"]["rerun"] is True and case["retry"]["first_verdict"] == "fail"
    assert "did not answer our close frame (6455:5.5.1)" in case["reason"]
    assert case["actual"].startswith("timeout: waiting for the peer's answer to our close")
    assert results(r.stdout) == {"retry.echo-01": "FAIL"}


def test_no_retry_timeouts_keeps_the_first_verdict(proxy, tmp_path):
    p = proxy("--stall-first", "1")
    r, report = run_retry_cases(p, tmp_path, "retry.echo-01", "--no-retry-timeouts")
    assert r.returncode == 1, r.stdout
    assert report["options"]["retry_timeouts"] is False
    [case] = report["cases"]
    assert case["verdict"] == "fail" and case["retry"] is None
    assert "retry " not in r.stdout
    # The same server answers now (its one stall is spent): the rerun that
    # --retry-timeouts would have made passes.
    r, report = run_retry_cases(p, tmp_path, "retry.echo-01")
    assert r.returncode == 0 and report["cases"][0]["retry"] is None


def test_reruns_are_capped(proxy, tmp_path):
    # 18 cases fail only by a timeout at once: a target that slow across the
    # board is not unlucky under load. The first 16 in case order are rerun
    # (and pass); the last two keep their first verdict, marked not rerun.
    p = proxy("--stall-first", "18")
    r, report = run_retry_cases(p, tmp_path, "-j", "18")
    assert r.returncode == 1, r.stdout
    cases = report["cases"]
    assert [c["id"] for c in cases] == [f"retry.echo-{k:02d}" for k in range(1, 19)]
    for c in cases[:16]:
        assert c["verdict"] == "pass" and c["retry"]["rerun"] is True, c["id"]
    for c in cases[16:]:
        assert c["verdict"] == "fail", c["id"]
        assert c["retry"]["rerun"] is False and c["retry"]["first_verdict"] == "fail"
        assert c["retry"]["first_reason"] is None  # the case's own reason is the first
    assert results(r.stdout) == {c["id"]: "pass" if k < 16 else "FAIL"
                                 for k, c in enumerate(cases)}
    assert "16 cases were rerun already" in cases[16]["retry"]["why_not"]


def test_reruns_stop_when_one_times_out_again(proxy, tmp_path):
    # 19 stalls: all 18 first attempts and the rerun of echo-01 time out. A
    # rerun alone failing by a timeout again says the timeouts are the
    # target's: the others are not rerun.
    p = proxy("--stall-first", "19")
    r, report = run_retry_cases(p, tmp_path, "-j", "18")
    assert r.returncode == 1, r.stdout
    cases = report["cases"]
    assert {c["verdict"] for c in cases} == {"fail"}
    assert [c["retry"]["rerun"] for c in cases] == [True] + [False] * 17
    for c in cases[1:]:
        assert c["retry"]["why_not"].startswith("an earlier rerun, alone, failed by a timeout")
