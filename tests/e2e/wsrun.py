"""Helpers shared by the end-to-end tests that drive `wsspec run` and
`wsspec list`: run the binary, read its one-line-per-case output and its
summary line, and resolve selectors to case ids."""
import json
import subprocess

from conftest import scaled, wsspec_bin

# The verdict labels `wsspec run` prints at the start of each case line.
LABELS = ("pass", "non-strict", "info", "unimpl", "FAIL", "ERROR")


def wsspec(*args, timeout=120, **kw):
    """Run `wsspec ARGS`; the timeout is scaled by WSSPEC_TIMEOUT_SCALE."""
    return subprocess.run([wsspec_bin(), *args], capture_output=True, text=True,
                          timeout=scaled(timeout), **kw)


def summary(stdout):
    """The last line: 'wsspec: N cases: a pass, b non-strict, ...'."""
    last = stdout.strip().splitlines()[-1]
    assert last.startswith("wsspec: "), last
    counts = {}
    for part in last.split(": ", 2)[2].split(" in ")[0].split(", "):
        n, _, name = part.partition(" ")
        counts[name] = int(n)
    return counts


def results(stdout):
    """{case id: verdict label} from the one-line-per-case output."""
    out = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in LABELS:
            out[parts[1]] = parts[0]
    return out


def list_cases(*selectors):
    """`wsspec list --json SELECTORS`: the selected cases (id, autobahn, rfc,
    tags), in corpus order. A selector that matches nothing is an error."""
    r = wsspec("list", "--json", *selectors, timeout=30)
    assert r.returncode == 0, f"wsspec list {' '.join(selectors)}: {r.stderr}"
    return json.loads(r.stdout)
