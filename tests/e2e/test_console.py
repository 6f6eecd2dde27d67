"""The console of `wsspec run` as a CI log and a person at a terminal see it:
one line per case and the summary grammar in a pipe, failure blocks with
the RFC requirement, Expected, Actual and a re-run command that works,
-q/-v/-vv, colour rules (--color, NO_COLOR, TERM=dumb), the progress bar on
a pseudo-terminal and TAP on stdout with the human text moved to stderr."""
import json
import os
import pty
import re
import select
import shlex
import subprocess

from conftest import scaled, wsspec_bin

LINE = re.compile(r"^(pass|non-strict|info|unimpl|FAIL|ERROR) +(\S+) +(\d+\.\d{3})s  (.+)$")
SUMMARY = re.compile(r"^wsspec: (\d+) cases: (\d+) pass, (\d+) non-strict, (\d+) informational, "
                     r"(\d+) unimplemented, (\d+) fail, (\d+) error, (\d+) not run"
                     r"(?:, (\d+) regressions, (\d+) fixed)? in \d+\.\d\d s$")


def wsspec(*args, env=None, timeout=60):
    full_env = dict(os.environ)
    full_env.pop("NO_COLOR", None)
    full_env.update(env or {})
    return subprocess.run([wsspec_bin(), *args], capture_output=True, text=True, env=full_env,
                          timeout=scaled(timeout))


def listed(*selectors):
    return json.loads(wsspec("list", "--json", *selectors).stdout)


def test_pipe_gets_one_line_per_case_and_the_summary_last():
    cases = listed("--autobahn", "1.1.*")
    r = wsspec("run", "--autobahn", "1.1.*", "-j", "4")
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    m = SUMMARY.match(lines[-1])
    assert m, lines[-1]
    assert int(m.group(1)) == len(cases) == int(m.group(2))
    assert m.group(9) is None  # no baseline, no baseline counts
    case_lines = [LINE.match(line) for line in lines[:-1]]
    assert all(case_lines), lines
    titles = {c["id"]: c["title"] for c in cases}
    assert sorted(m.group(2) for m in case_lines) == sorted(titles)
    for m in case_lines:
        assert m.group(1) == "pass" and m.group(4) == titles[m.group(2)]
    # Nothing for a terminal goes into a pipe.
    for stream in (r.stdout, r.stderr):
        assert "\r" not in stream and "\x1b" not in stream


def test_failure_block_and_a_rerun_command_that_runs_that_case(serve):
    port = serve("--quiet", "--fault", "no-pong").port
    url = f"ws://127.0.0.1:{port}/"
    r = wsspec("run", url, "--autobahn", "2.2", "--timeout", "1")
    assert r.returncode == 1, r.stdout + r.stderr
    # The case fails only by a timeout (the case deadline ran out waiting for
    # the pong): a "retry" line, then the verdict of its rerun.
    retry, *rest = r.stdout.splitlines()
    assert retry.split()[:2] == ["retry", "pings.ping-text"], retry
    lines = rest
    head = LINE.match(lines[0])
    assert head and head.group(1) == "FAIL" and head.group(2) == "pings.ping-text"
    block = {line.split()[0]: line for line in lines[1:-1]}
    assert "6455:5.5.2" in block["RFC"]
    assert "MUST send a Pong frame in response" in block["Requirement"]
    # The only acceptable outcome: a pong with the ping's payload (6455:5.5.3).
    assert '"Hello, world!"' in block["Expected"]
    assert "timeout" in block["Actual"]
    rerun = block["Re-run"].split("Re-run", 1)[1].split("(-vv")[0].strip()
    argv = shlex.split(rerun)
    assert argv[:2] == ["wsspec", "run"] and "pings.ping-text" in argv
    again = wsspec(*argv[1:])
    assert again.returncode == 1
    assert SUMMARY.match(again.stdout.splitlines()[-1]).group(1) == "1"
    assert "Wire log" in again.stdout  # -vv: the wire log is right there


def test_quiet_prints_only_failures_and_the_summary(serve):
    port = serve("--quiet", "--fault", "no-pong").port
    r = wsspec("run", f"ws://127.0.0.1:{port}/", "--autobahn", "2.*", "-j", "8",
               "--timeout", "1", "-q")
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    m = SUMMARY.match(lines[-1])
    verdicts = [LINE.match(line).group(1) for line in lines if LINE.match(line)]
    assert verdicts and set(verdicts) == {"FAIL"}
    assert len(verdicts) == int(m.group(6))
    assert int(m.group(2)) > 0  # passing cases ran, they were just not printed
    assert r.stderr == ""


def test_verbose_prints_events_and_very_verbose_the_wire_log():
    r = wsspec("run", "--autobahn", "2.1", "-v")
    assert r.returncode == 0
    assert "Expected" in r.stdout and "Events" in r.stdout
    assert re.search(r"ms  pong \(empty\)", r.stdout), r.stdout
    assert "Wire log" not in r.stdout
    r = wsspec("run", "--autobahn", "2.1", "-vv")
    assert r.returncode == 0
    assert "Wire log" in r.stdout
    # Our first frame is an empty masked ping: FIN + opcode 0x9 = 0x89, MASK
    # bit + length 0 = 0x80 (6455:5.2), so an "out" row starts "89 80".
    assert re.search(r"> 000000  89 80 ", r.stdout), r.stdout
    # The server's answer is an empty unmasked pong: 0x8A 0x00.
    assert re.search(r"< 000000  .*8a 00 ", r.stdout), r.stdout


def test_color_rules():
    plain = wsspec("run", "--autobahn", "2.1")
    assert "\x1b[" not in plain.stdout  # auto, not a terminal
    forced = wsspec("run", "--autobahn", "2.1", "--color", "always")
    assert "\x1b[32mpass\x1b[0m" in forced.stdout
    # An explicit --color always beats NO_COLOR; auto honours it.
    assert "\x1b[" in wsspec("run", "--autobahn", "2.1", "--color", "always",
                             env={"NO_COLOR": "1"}).stdout
    assert "\x1b[" not in wsspec("run", "--autobahn", "2.1", "--color", "never").stdout
    assert SUMMARY.match(forced.stdout.splitlines()[-1])  # the summary is never coloured
    bad = wsspec("run", "--autobahn", "2.1", "--color", "sometimes")
    assert bad.returncode == 2 and "--color" in bad.stderr


def run_on_pty(args, env, stdout_on_pty=False):
    """Run wsspec with stderr (and optionally stdout) on a pseudo-terminal;
    returns (status, what the terminal got, what the stdout pipe got)."""
    master, slave = pty.openpty()
    full_env = dict(os.environ, **env)
    full_env.pop("NO_COLOR", None)
    p = subprocess.Popen([wsspec_bin(), *args], stdin=subprocess.DEVNULL,
                         stdout=slave if stdout_on_pty else subprocess.PIPE, stderr=slave,
                         env=full_env)
    os.close(slave)
    term = b""
    while True:
        ready, _, _ = select.select([master], [], [], scaled(30))
        if not ready:
            p.kill()
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        term += chunk
    out = b"" if stdout_on_pty else p.stdout.read()
    p.wait(timeout=scaled(30))
    os.close(master)
    return p.returncode, term.decode(errors="replace"), out.decode()


def test_progress_bar_on_a_terminal_and_plain_lines_in_the_pipe():
    n = len(listed("--autobahn", "1.*"))
    status, term, out = run_on_pty(["run", "--autobahn", "1.*", "-j", "2"], {"TERM": "xterm"})
    assert status == 0
    assert "\r" in term
    assert re.search(r"\[[#-]{20}\] \d+/%d  \d+ pass  0 fail  0 error" % n, term), term[-500:]
    assert f"[{'#' * 20}] {n}/{n}" in term
    # The pipe still gets every line and no terminal control at all.
    assert "\r" not in out and "\x1b" not in out
    assert len([line for line in out.splitlines() if LINE.match(line)]) == n
    assert SUMMARY.match(out.splitlines()[-1])


def test_terminal_shows_only_failures_and_dumb_terminals_get_no_bar(serve):
    port = serve("--quiet", "--fault", "no-pong").port
    args = ["run", f"ws://127.0.0.1:{port}/", "--autobahn", "2.1", "--autobahn", "2.6",
            "--timeout", "1", "--no-retry-timeouts"]
    status, term, _ = run_on_pty(args, {"TERM": "xterm"}, stdout_on_pty=True)
    assert status == 1
    assert "FAIL" in term and "pings.ping-empty" in term
    assert not re.search(r"^pass ", term.replace("\r\n", "\n"), re.M)  # passes stay in the bar
    status, term, _ = run_on_pty(args, {"TERM": "dumb"}, stdout_on_pty=True)
    assert status == 1
    assert "\r" not in term.replace("\r\n", "\n") and "\x1b" not in term


def test_tap_on_stdout_moves_human_text_to_stderr():
    r = wsspec("run", "--autobahn", "2.1", "--autobahn", "2.2", "--format", "tap")
    assert r.returncode == 0
    out = r.stdout.splitlines()
    assert out[0].startswith("TAP version") and "1..2" in out
    assert all(not LINE.match(line) and not line.startswith("wsspec:") for line in out)
    assert SUMMARY.match(r.stderr.splitlines()[-1])
