"""Flaky cases (issue 11, item 2): `run --repeat N`, `--repeat-failed N`, the
attempts in the report and the gate's word on them, against
tests/peers/flaky_server.py, which drops its reply at random from a fixed
seed. With -j 1 and one connection at a time the peer's n-th draw is
random.Random(seed)'s n-th random(), so the verdict of every attempt is known
before the run, independently of wsspec: a draw below the rate drops."""
import json
import random
import re
import sys

import pytest

from conftest import PEERS, Process
from test_reports import schema_errors
from wsrun import wsspec

ECHO_CASE = ["--autobahn", "1.1.1"]   # one text message, echoed
PING_CASE = ["--autobahn", "2.1"]     # one ping; 6455:5.5.2 requires the pong


def draws(seed, count, rate=0.5):
    rng = random.Random(seed)
    return [rng.random() < rate for _ in range(count)]


@pytest.fixture
def flaky():
    started = []

    def start(*args):
        p = Process([sys.executable, str(PEERS / "flaky_server.py"), *args])
        started.append(p)
        return p

    yield start
    for p in started:
        p.stop()


def peer_log(p):
    """The peer's own record of its draws: "drop" or "reply" per line."""
    _, _, err = p.stop()
    return [w for w in err.split() if w in ("drop", "reply")]


def test_repeat_reports_a_flaky_case_with_every_attempt(flaky, tmp_path):
    seed = 7
    expected = ["fail" if d else "pass" for d in draws(seed, 5)]
    assert len(set(expected)) == 2  # this seed gives both, or the test proves nothing
    p = flaky("--seed", str(seed), "--drop", "connection")
    out = tmp_path / "r"
    r = wsspec("run", f"ws://127.0.0.1:{p.port}/", *ECHO_CASE, "--repeat", "5", "-j", "1",
               "--report-dir", str(out))
    assert peer_log(p) == ["drop" if v == "fail" else "reply" for v in expected]
    # Flaky fails the run by default.
    assert r.returncode == 1, r.stdout + r.stderr
    doc = json.loads((out / "report.json").read_text())
    assert schema_errors(doc) == []
    case = doc["cases"][0]
    assert case["flaky"] is True and case["fails_run"] is True
    assert [a["verdict"] for a in case["attempts"]] == expected
    assert all(a["duration_s"] >= 0 and a["reason"] and a["started"] for a in case["attempts"])
    # The case keeps the evidence of the failure.
    assert case["verdict"] == "fail"
    assert doc["summary"]["flaky"] == 1 and doc["gate"]["flaky_cases"] == [case["id"]]
    # Console, Markdown, JUnit and HTML show it.
    assert re.search(rf"^flaky +{re.escape(case['id'])} +{', '.join(expected)}", r.stdout, re.M)
    md = (out / "summary.md").read_text()
    assert "### Flaky (1)" in md and f"| {expected[0]} (" in md
    junit = (out / "junit.xml").read_text()
    assert junit.count("<rerunFailure") == expected.count("fail")
    assert '"flaky":true' in (out / "report.html").read_text()


def test_stable_cases_are_not_flaky(tmp_path):
    out = tmp_path / "r.json"
    r = wsspec("run", "--autobahn", "1.1.*", "--repeat", "5", "-j", "2", "--json", str(out), "-q")
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(out.read_text())
    assert schema_errors(doc) == []
    assert len(doc["cases"]) == 8 and doc["summary"]["flaky"] == 0
    for c in doc["cases"]:
        assert c["flaky"] is False
        assert [a["verdict"] for a in c["attempts"]] == ["pass"] * 5


def test_policy_decides_whether_flaky_fails(flaky, tmp_path):
    seed = 7
    assert len(set(draws(seed, 5))) == 2
    for policy, status, accepted in (
            ('{"flaky": "accept"}', 0, "flaky"),
            ('{"accept": [{"cases": "framing.text-length-0", "verdicts": ["flaky"], '
             '"reason": "peer drops at random (#5)"}]}', 0, "flaky"),
            ('{"accept": [{"cases": "framing.text-length-0", "verdicts": ["fail"], '
             '"reason": "fail is not flaky"}]}', 1, None)):
        pol = tmp_path / "p.json"
        pol.write_text(policy)
        p = flaky("--seed", str(seed), "--drop", "connection")
        out = tmp_path / "r.json"
        r = wsspec("run", f"ws://127.0.0.1:{p.port}/", *ECHO_CASE, "--repeat", "5", "-j", "1",
                   "--policy", str(pol), "--json", str(out), "-q")
        p.stop()
        assert r.returncode == status, (policy, r.stdout, r.stderr)
        case = json.loads(out.read_text())["cases"][0]
        assert case["flaky"] is True
        assert (case.get("accepted") or {}).get("verdict") == accepted


def test_repeat_failed_reruns_only_failing_cases(flaky, tmp_path):
    seed = 11
    d = draws(seed, 20)
    # Pass 1: case A then case B (-j 1, corpus order); then each failing case
    # 3 more times, case by case within each rerun pass.
    first = d[:2]
    failing = [i for i in (0, 1) if first[i]]
    assert failing == [0] or failing == [1] or failing == [0, 1]
    expected = {0: ["fail" if first[0] else "pass"], 1: ["fail" if first[1] else "pass"]}
    k = 2
    for _ in range(3):
        for i in failing:
            expected[i].append("fail" if d[k] else "pass")
            k += 1
    p = flaky("--seed", str(seed), "--drop", "connection")
    out = tmp_path / "r.json"
    wsspec("run", f"ws://127.0.0.1:{p.port}/", "--autobahn", "1.1.1", "--autobahn", "1.1.2",
           "--repeat-failed", "3", "-j", "1", "--json", str(out), "-q")
    assert len(peer_log(p)) == k
    doc = json.loads(out.read_text())
    assert schema_errors(doc) == []
    for i, c in enumerate(doc["cases"]):
        if i in failing:
            assert [a["verdict"] for a in c["attempts"]] == expected[i]
            assert c["flaky"] == (len(set(expected[i])) == 2)
        else:  # passed at once: not rerun, no attempts
            assert "attempts" not in c and c["verdict"] == "pass"


def test_retry_timeouts_runs_inside_each_attempt(flaky, tmp_path):
    """A left-out pong fails the case by a timeout (the case deadline, with the
    idle deadline off). --retry-timeouts reruns it alone within the same
    attempt, and the attempt's verdict is the rerun's; --no-retry-timeouts
    leaves one connection per attempt."""
    seed = 3
    d = draws(seed, 10)
    # With retries: each attempt draws until a reply, at most twice.
    expected, retried, k = [], [], 0
    for _ in range(3):
        if d[k]:
            retried.append(True)
            expected.append("fail" if d[k + 1] else "pass")
            k += 2
        else:
            retried.append(False)
            expected.append("pass")
            k += 1
    assert any(retried)
    runs = {"--retry-timeouts": (expected, retried, k),
            "--no-retry-timeouts": (["fail" if x else "pass" for x in d[:3]], [False] * 3, 3)}
    for option, (verdicts, was_retried, connections) in runs.items():
        p = flaky("--seed", str(seed), "--drop-on", "ping")
        out = tmp_path / "r.json"
        wsspec("run", f"ws://127.0.0.1:{p.port}/", *PING_CASE, "--repeat", "3", "-j", "1",
               "--idle-timeout", "0", "--timeout", "1", option, "--json", str(out), "-q")
        assert len(peer_log(p)) == connections, option
        c = json.loads(out.read_text())["cases"][0]
        assert [a["verdict"] for a in c["attempts"]] == verdicts, option
        assert [a["retried"] for a in c["attempts"]] == was_retried, option
        assert c["flaky"] == (len(set(verdicts)) == 2)
