"""docs/real-servers.md's verdict tables are generated (DOC=1
bench/real_servers.sh, from `wsspec report --compare`), never edited by
hand: the block between its wsspec-compare markers must be exactly what
`wsspec report --compare` writes, and its verdicts must be the ones
test_real_servers.py expects of each server (racy cases: any verdict they
allow). Reports are rebuilt here from the doc's own rows, so the check
needs no server."""
import json
import re

from conftest import ROOT
from test_real_servers import (EXPECTED_NODE, EXPECTED_PY, NODE_WS_VERSION, PY_WEBSOCKETS_VERSION,
                               RACY_NODE, RACY_PY)
from test_reports import wsspec

DOC = ROOT / "docs" / "real-servers.md"
LABEL = {"pass": "pass", "non-strict": "non-strict", "informational": "info",
         "unimplemented": "unimpl", "fail": "FAIL", "error": "ERROR"}


def block():
    text = DOC.read_text()
    m = re.search(r"<!-- wsspec-compare:begin[^>]*-->\n(.*?)<!-- wsspec-compare:end -->", text,
                  re.S)
    assert m, "docs/real-servers.md has no wsspec-compare block"
    return m.group(1)


def rows(md):
    """{case id: [verdict per target]} of the matrix, and the count rows."""
    cases, counts = {}, {}
    for line in md.splitlines():
        m = re.match(r"^\| `([^`]+)` \|(.*)\|$", line)
        if m:
            cases[m.group(1)] = [c.strip() for c in m.group(2).split("|")]
            continue
        m = re.match(r"^\| ([^|`]+?) \| (\d+) \|(.*)\|$", line)
        if m:
            counts[m.group(1)] = [int(m.group(2))] + [int(c) for c in m.group(3).split("|")]
    return cases, counts


def test_doc_verdicts_are_the_expected_ones():
    cases, counts = rows(block())
    names = [f"python3-websockets {PY_WEBSOCKETS_VERSION}", f"ws {NODE_WS_VERSION}"]
    assert list(counts) == names
    for k, (expected, racy) in enumerate(((EXPECTED_PY, RACY_PY), (EXPECTED_NODE, RACY_NODE))):
        shown = {cid: LABEL[v[k]] for cid, v in cases.items()}
        for cid, allowed in racy.items():
            assert shown.get(cid, "pass") in allowed, (names[k], cid)
        non_pass = {c: v for c, v in shown.items() if v != "pass" and c not in racy}
        assert non_pass == expected, names[k]
        # verdict counts: total, pass, non-strict, informational, unimplemented, fail, error
        total, passed, _, info, _, fail, error, _ = counts[names[k]]
        assert fail == sum(v == "FAIL" for v in non_pass.values())
        assert error == 0 and total == passed + info + fail + counts[names[k]][2] \
            + counts[names[k]][4]


def test_doc_block_is_what_compare_writes(tmp_path):
    """Two reports made from the doc's rows, compared again: the same text."""
    md = block()
    cases, counts = rows(md)
    names = list(counts)
    m = re.search(r"^(\d+) of (\d+) cases pass on every target", md, re.M)
    assert m and int(m.group(2)) == counts[names[0]][0]
    files = []
    for k, name in enumerate(names):
        listed = [{"id": cid, "group": cid.split(".")[0], "title": "", "verdict": v[k]}
                  for cid, v in cases.items()]
        # The passing cases the doc leaves out, as many as it counts.
        filler = [{"id": f"zz-pass.case-{i}", "group": "zz-pass", "title": "", "verdict": "pass"}
                  for i in range(int(m.group(1)))]
        doc = {"schema": "wsspec-report/2", "target": {"agent": name, "url": "ws://x/"},
               "cases": listed + filler}
        path = tmp_path / f"{k}.json"
        path.write_text(json.dumps(doc))
        files.append(str(path))
    out = tmp_path / "again.md"
    r = wsspec("report", "--compare", *files, "--md", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_text() == md
