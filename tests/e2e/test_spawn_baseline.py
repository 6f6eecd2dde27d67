"""`wsspec run --spawn` and `--baseline` as a CI job uses them, and "nothing
lost": a spawned target that crashes is blamed on the running case with its
signal or sanitizer report, the rest are not run, and the reports are
complete and marked incomplete; Ctrl-C, a target that never comes up and an
unreachable URL still write reports; a baseline turns known failures into
expected ones and fails only on regressions."""
import json
import os
import socket
import subprocess
import sys
import time

import jsonschema
import pytest

from conftest import PEERS, ROOT, scaled, wsspec_bin

CRASHY = PEERS / "crashy_server.py"

# Five echo cases; the third sends "crash", which kills tests/peers/crashy_server.py.
CASE_FILE = {
    "group": "crashy",
    "title": "Echo cases for the spawned-target tests",
    "cases": [{
        "name": "echo-{n}",
        "title": "Text message {n} is echoed",
        "rfc": ["6455:6.1"],
        "requirement": "6455:5.6 \"Data frames carry application-layer data.\"",
        "params": [{"n": 1, "msg": "hello"}, {"n": 2, "msg": "hello"},
                   {"n": 3, "msg": "crash"}, {"n": 4, "msg": "hello"},
                   {"n": 5, "msg": "hello"}],
        "timeout": 5,
        "steps": [{"send_message": {"opcode": "text", "payload": "{msg}"}},
                  {"wait": {"for": "message"}},
                  {"send_close": {"code": 1000}}],
        "outcomes": [{"verdict": "pass",
                      "events": [{"message": {"opcode": "text", "payload": "{msg}"}}],
                      "close": {"by": "us"}}],
    }],
}


def wsspec(*args, timeout=60):
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    return subprocess.run([wsspec_bin(), *args], capture_output=True, text=True, env=env,
                          timeout=scaled(timeout))


@pytest.fixture
def crashy_cases(tmp_path):
    path = tmp_path / "crashy.json"
    path.write_text(json.dumps(CASE_FILE))
    return str(path)


def crashy(mode):
    return f"{sys.executable} {CRASHY} --port {{port}} --mode {mode}"


SCHEMA = json.loads((ROOT / "reports" / "report.schema.json").read_text())


def load_report(path):
    """A report file, checked against the committed schema."""
    report = json.loads(path.read_text())
    jsonschema.validators.validator_for(SCHEMA)(SCHEMA).validate(report)
    return report


def by_id(report):
    return {c["id"]: c for c in report["cases"]}


def port_closed(url):
    port = int(url.rsplit(":", 1)[1].strip("/"))
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except OSError:
        return True


# ---- spawned targets -----------------------------------------------------------


def test_spawned_reference_server_passes_and_is_stopped(tmp_path):
    cmd = f"{wsspec_bin()} serve --port {{port}} --quiet"
    out = tmp_path / "r.json"
    r = wsspec("run", "--spawn", cmd, "--autobahn", "2.*", "-j", "4", "--json", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    report = load_report(out)
    assert report["complete"] is True and report["target"]["spawn"] == cmd
    assert report["summary"]["pass"] == 11
    assert port_closed(report["target"]["url"])


def test_crash_is_blamed_on_the_running_case_and_the_rest_are_not_run(tmp_path, crashy_cases):
    rd = tmp_path / "reports"
    r = wsspec("run", "--spawn", crashy("segv"), "--case-file", crashy_cases, "-j", "1",
               "--report-dir", str(rd))
    assert r.returncode == 3, r.stdout + r.stderr
    assert "ERROR      crashy.echo-3" in r.stdout and "signal 11 (SIGSEGV)" in r.stdout
    for name in ("report.json", "junit.xml", "report.html", "summary.md", "target-output.log"):
        assert (rd / name).is_file(), name
    report = load_report(rd / "report.json")
    assert report["complete"] is False
    assert report["incomplete_reason"].startswith("target died: signal 11 (SIGSEGV)")
    assert "crashy.echo-3" in report["incomplete_reason"]
    cases = by_id(report)
    assert [cases[f"crashy.echo-{i}"]["verdict"] for i in range(1, 6)] == \
        ["pass", "pass", "error", "not-run", "not-run"]
    assert "signal 11" in cases["crashy.echo-3"]["reason"]
    assert "while this case was running" in cases["crashy.echo-3"]["reason"]
    assert "target died" in cases["crashy.echo-4"]["error"]
    assert report["summary"]["not_run"] == 2 and report["summary"]["error"] == 1


@pytest.fixture
def cpu_neighbour():
    """A CPU-bound process next to the test (the busy machine of issue 7)."""
    p = subprocess.Popen(["sha256sum", "/dev/zero"], stdout=subprocess.DEVNULL)
    yield p
    p.kill()
    p.wait()


def test_crash_attribution_holds_under_load(tmp_path, crashy_cases, cpu_neighbour):
    # The case whose message kills the target is blamed, every time, even
    # when the dying target (and the shell that reaps it) is slow to go:
    # the case's status is settled before it is judged.
    for attempt in range(20):
        out = tmp_path / f"r{attempt}.json"
        r = wsspec("run", "--spawn", crashy("segv"), "--case-file", crashy_cases, "-j", "1",
                   "--json", str(out))
        assert r.returncode == 3, (attempt, r.stdout + r.stderr)
        assert cpu_neighbour.poll() is None  # the load was there all along
        cases = by_id(load_report(out))
        assert [cases[f"crashy.echo-{i}"]["verdict"] for i in range(1, 6)] == \
            ["pass", "pass", "error", "not-run", "not-run"], (attempt, cases["crashy.echo-3"])
        assert "while this case was running" in cases["crashy.echo-3"]["reason"], attempt
        assert "signal 11" in cases["crashy.echo-3"]["reason"], attempt


def test_sanitizer_report_from_the_target_is_attributed(tmp_path, crashy_cases):
    out = tmp_path / "r.json"
    r = wsspec("run", "--spawn", crashy("asan"), "--case-file", crashy_cases, "--json", str(out))
    assert r.returncode == 3
    assert "AddressSanitizer: heap-buffer-overflow" in r.stdout
    reason = by_id(load_report(out))["crashy.echo-3"]["reason"]
    assert "target died: exit status 1 while this case was running" in reason
    assert "ERROR: AddressSanitizer: heap-buffer-overflow" in reason
    assert "SUMMARY: AddressSanitizer" in reason
    # The excerpt is the sanitizer's block, not the log around it.
    assert "ordinary log line" not in reason


def test_target_that_never_comes_up_still_gets_reports(tmp_path, crashy_cases):
    out = tmp_path / "r.json"
    r = wsspec("run", "--spawn", "echo 'cannot bind' >&2; exit 5", "--case-file", crashy_cases,
               "--json", str(out))
    assert r.returncode == 3
    report = load_report(out)
    assert report["complete"] is False
    assert "exit status 5" in report["incomplete_reason"]
    assert "cannot bind" in report["incomplete_reason"]
    assert {c["verdict"] for c in report["cases"]} == {"not-run"}

    t0 = time.monotonic()
    r = wsspec("run", "--spawn", "sleep 30", "--ready-timeout", "0.5", "--case-file",
               crashy_cases, "--json", str(out))
    assert r.returncode == 3
    assert time.monotonic() - t0 < scaled(10)
    assert "did not accept connections" in load_report(out)["incomplete_reason"]


def test_unreachable_url_writes_reports_with_every_case_not_run(tmp_path, crashy_cases):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    out = tmp_path / "r.json"
    r = wsspec("run", f"ws://127.0.0.1:{port}/", "--case-file", crashy_cases, "--json", str(out))
    assert r.returncode == 3
    report = load_report(out)
    assert "unreachable" in report["incomplete_reason"]
    assert report["summary"]["not_run"] == 5


def test_hung_spawned_target_costs_each_case_its_deadline(tmp_path, crashy_cases):
    out = tmp_path / "r.json"
    t0 = time.monotonic()
    r = wsspec("run", "--spawn", crashy("freeze"), "--case-file", crashy_cases, "--timeout", "1",
               "--json", str(out))
    assert time.monotonic() - t0 < scaled(15)
    assert r.returncode == 3, r.stdout
    report = load_report(out)
    cases = by_id(report)
    assert [cases[f"crashy.echo-{i}"]["verdict"] for i in (1, 2, 4, 5)] == \
        ["pass", "pass", "error", "error"]
    assert cases["crashy.echo-3"]["verdict"] in ("fail", "error")
    assert "handshake" in cases["crashy.echo-4"]["error"]
    assert report["complete"] is False and "in error" in report["incomplete_reason"]


def test_ctrl_c_writes_reports_marked_interrupted_and_stops_the_target(tmp_path, crashy_cases):
    out = tmp_path / "r.json"
    p = subprocess.Popen([wsspec_bin(), "run", "--spawn", crashy("hang"), "--case-file",
                          crashy_cases, "--timeout", "60", "--json", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = ""
    while "crashy.echo-2" not in seen:  # echo-3 is now hanging
        line = p.stdout.readline()
        assert line, p.stderr.read()
        seen += line
    time.sleep(scaled(0.3))
    p.send_signal(2)  # SIGINT
    stdout, _ = p.communicate(timeout=scaled(30))
    assert p.returncode == 130
    report = load_report(out)
    assert report["complete"] is False and report["incomplete_reason"] == "interrupted"
    assert report["summary"]["not_run"] == 2 and report["summary"]["pass"] == 2
    assert port_closed(report["target"]["url"])


# ---- baselines -----------------------------------------------------------------

# --no-retry-timeouts: the no-pong server's timeouts are its fault, by design
# (reruns are tested in test_timing_truth.py).
SELECTION = ["--autobahn", "2.*", "--autobahn", "7.1.*", "--autobahn", "7.5.*", "-j", "8",
             "--timeout", "1", "-q", "--no-retry-timeouts"]


def summary_counts(stdout):
    last = stdout.splitlines()[-1]
    counts = {}
    for part in last.split(": ", 2)[2].split(" in ")[0].split(", "):
        n, _, name = part.partition(" ")
        counts[name] = int(n)
    return counts


def test_baseline_report_gates_on_regressions_only(serve, tmp_path):
    no_pong = serve("--quiet", "--fault", "no-pong").port
    base = tmp_path / "base.json"
    r = wsspec("run", f"ws://127.0.0.1:{no_pong}/", *SELECTION, "--json", str(base))
    assert r.returncode == 1
    failing = {c["id"] for c in load_report(base)["cases"] if c["verdict"] == "fail"}
    assert failing and all(i.startswith("pings.") for i in failing)

    # Same target, same failures: all known, exit 0.
    r = wsspec("run", f"ws://127.0.0.1:{no_pong}/", *SELECTION, "--baseline", str(base))
    assert r.returncode == 0, r.stdout
    counts = summary_counts(r.stdout)
    assert counts["regressions"] == 0 and counts["fixed"] == 0 and counts["fail"] == len(failing)

    # A second fault accepts invalid close reasons too: those are regressions.
    worse = serve("--quiet", "--fault", "no-pong", "--fault", "accept-bad-close-reason").port
    out = tmp_path / "worse.json"
    r = wsspec("run", f"ws://127.0.0.1:{worse}/", *SELECTION, "--baseline", str(base),
               "--json", str(out))
    assert r.returncode == 1
    report = load_report(out)
    regressions = report["baseline"]["regressions"]
    assert regressions and all(i.startswith("close.") for i in regressions)
    assert set(report["baseline"]["known"]) == failing
    for i in regressions:
        assert f"REGRESSION {i}" in r.stdout
    assert summary_counts(r.stdout)["regressions"] == len(regressions)
    assert by_id(report)[regressions[0]]["baseline"] == "regression"

    # A correct server fixes every known failure.
    good = serve("--quiet").port
    r = wsspec("run", f"ws://127.0.0.1:{good}/", *SELECTION, "--baseline", str(base))
    assert r.returncode == 0
    assert summary_counts(r.stdout)["fixed"] == len(failing)
    assert sum(line.startswith("fixed ") for line in r.stdout.splitlines()) == len(failing)


def test_known_failures_file_with_reasons(serve, tmp_path):
    port = serve("--quiet", "--fault", "no-pong").port
    known = tmp_path / "known-failures.txt"
    known.write_text("# pongs are not implemented yet\n"
                     "pings.*    no pong support yet (issue 12)  # glob\n"
                     "\n"
                     "close.close-twice   flaky on CI\n")
    out = tmp_path / "r.json"
    r = wsspec("run", f"ws://127.0.0.1:{port}/", *SELECTION, "--baseline", str(known),
               "--json", str(out))
    assert r.returncode == 0, r.stdout
    report = load_report(out)
    ping = by_id(report)["pings.ping-text"]
    assert ping["baseline"] == "known" and ping["baseline_reason"] == "no pong support yet (issue 12)"
    assert report["baseline"]["regressions"] == []

    known.write_text("pings.ping-text   ok\npings.ping-empty\n")
    r = wsspec("run", f"ws://127.0.0.1:{port}/", *SELECTION, "--baseline", str(known))
    assert r.returncode == 2
    assert f"{known}:2:" in r.stderr and "reason" in r.stderr

    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "wsspec-report/1", "cases": [{"verdict": "fail"}]}')
    r = wsspec("run", f"ws://127.0.0.1:{port}/", *SELECTION, "--baseline", str(bad))
    assert r.returncode == 2 and "cases[0].id" in r.stderr
