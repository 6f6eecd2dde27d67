"""`wsspec report --compare`: several targets side by side. Three real runs
of the same selection (the strict built-in server, `serve --fault
echo-altered` and `serve --fault no-pong`) are compared; the page is opened
in headless Chromium (html_check.py): it loads nothing, raises nothing, has
one column a target, one row a case under its group's heading, the verdict
of each target in each cell, and every link leads somewhere that exists (a
detail section of the page, or the case in that target's HTML report)."""
import asyncio
import json

import pytest

from conftest import Process, scaled, wsspec_bin
from html_check import Page
from test_html_report import needs_chromium
from test_reports import wsspec

SELECTION = ["pings.", "framing.text-length-0", "framing.text-length-125"]


def browse(path, steps, ready=False):
    """Open path (the matrix page has no script: ready=False), run steps;
    assert the page raised nothing and fetched nothing but itself."""
    async def go():
        async with Page(timeout=scaled(60)) as page:
            await page.open(path, ready=ready)
            return page, await steps(page)
    page, result = asyncio.run(go())
    assert page.errors == [], page.errors
    assert page.requests == [page.url], page.requests
    return result


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    d = tmp_path_factory.mktemp("cmp")
    r = wsspec("run", *SELECTION, "-q", "--agent", "strict", "--json", str(d / "strict.json"))
    assert r.returncode == 0, r.stderr
    for fault in ("echo-altered", "no-pong"):
        srv = Process([wsspec_bin(), "serve", "--port", "0", "-q", "--fault", fault])
        try:
            out = d / fault
            r = wsspec("run", f"ws://127.0.0.1:{srv.port}/", *SELECTION, "-q", "--agent",
                       fault, "--report-dir", str(out))
        finally:
            srv.stop()
        assert r.returncode == 1, r.stdout[-2000:] + r.stderr[-2000:]
    docs = {name: json.loads(p.read_text()) for name, p in (
        ("strict", d / "strict.json"), ("echo-altered", d / "echo-altered" / "report.json"),
        ("no-pong", d / "no-pong" / "report.json"))}
    # echo-altered links to its own HTML report, the others to the page's details.
    r = wsspec("report", "--compare", str(d / "strict.json"),
               f"{d / 'echo-altered' / 'report.json'}=echo-altered/report.html",
               str(d / "no-pong" / "report.json"), "--html", str(d / "matrix.html"),
               "--md", str(d / "matrix.md"))
    assert r.returncode == 0, r.stderr
    return d, docs


def test_markdown_matrix(three):
    d, docs = three
    text = (d / "matrix.md").read_text()
    assert text.startswith("| Target | Cases | pass |")
    for name, doc in docs.items():
        counts = doc["summary"]
        row = [l for l in text.splitlines() if l.startswith(f"| {name} |")]
        assert row, name
        cells = [c.strip() for c in row[0].strip("|").split("|")]
        assert cells[1] == str(counts["total"])
        assert cells[2] == str(counts["pass"]) and cells[6] == str(counts["fail"])
    ids = [c["id"] for c in docs["strict"]["cases"]]
    everywhere = 0
    for cid in ids:
        line = [l for l in text.splitlines() if l.startswith(f"| `{cid}` |")]
        want = [next(c["verdict"] for c in docs[n]["cases"] if c["id"] == cid)
                for n in ("strict", "echo-altered", "no-pong")]
        if want == ["pass"] * 3:  # left out of the Markdown matrix, counted
            assert line == [], cid
            everywhere += 1
            continue
        assert len(line) == 1, cid
        cells = [c.strip() for c in line[0].strip("|").split("|")][1:]
        assert cells[0] == want[0] and cells[2] == want[2]
        assert cells[1] == f"[{want[1]}](echo-altered/report.html#case-{cid})"
    assert "#### pings" in text and "#### framing" in text
    assert f"\n{everywhere} of {len(ids)} cases pass on every target" in text
    assert 0 < everywhere < len(ids)


def test_compare_needs_an_output_and_reports(three, tmp_path):
    d, _ = three
    r = wsspec("report", "--compare", str(d / "strict.json"))
    assert r.returncode == 2 and "--html" in r.stderr
    r = wsspec("report", "--compare", str(tmp_path / "missing.json"), "--md", "-")
    assert r.returncode == 2


@needs_chromium
def test_matrix_page_in_chromium(three):
    d, docs = three

    async def steps(page):
        return json.loads(await page.eval("""JSON.stringify((() => {
          const heads = [...document.querySelectorAll('#matrix thead th')].map(t => t.textContent);
          const rows = [...document.querySelectorAll('#matrix tbody tr')].map(tr => ({
            group: tr.classList.contains('group'),
            cells: [...tr.children].map(td => td.textContent),
            links: [...tr.querySelectorAll('a')].map(a => a.getAttribute('href')),
          }));
          const inPage = [...document.querySelectorAll('a[href^="#"]')].map(a => a.getAttribute('href'));
          const missing = inPage.filter(h => !document.getElementById(decodeURIComponent(h.slice(1))));
          const counts = [...document.querySelectorAll('#counts tbody tr')].map(
            tr => [...tr.children].map(td => td.textContent));
          return {heads, rows, missing, counts, scripts: document.scripts.length};
        })())"""))

    got = browse(d / "matrix.html", steps)
    assert got["scripts"] == 0
    assert got["missing"] == [], "in-page links without their section"
    assert [h.split("ws://")[0] for h in got["heads"]][:1] == ["Case"]
    assert [h.startswith(n) for h, n in zip(got["heads"][1:],
                                             ("strict", "echo-altered", "no-pong"))] == [True] * 3
    names = ["strict", "echo-altered", "no-pong"]
    for row, name in zip(got["counts"], names):
        s = docs[name]["summary"]
        assert row[0] == name and row[1] == str(s["total"])
        assert row[2] == str(s["pass"]) and row[6] == str(s["fail"])
    groups = [r["cells"][0] for r in got["rows"] if r["group"]]
    order = list(dict.fromkeys(c["group"] for c in docs["strict"]["cases"]))
    assert groups == order and sorted(groups) == ["framing", "pings"]
    case_rows = [r for r in got["rows"] if not r["group"]]
    assert [r["cells"][0] for r in case_rows] == \
        [c["id"] for g in order for c in docs["strict"]["cases"] if c["group"] == g]
    for r in case_rows:
        cid = r["cells"][0]
        want = [next(c["verdict"] for c in docs[n]["cases"] if c["id"] == cid) for n in names]
        assert r["cells"][1:] == want, cid
        # Links: echo-altered's to its HTML report's anchor, the others' non-pass
        # verdicts to a detail section of the page.
        assert f"echo-altered/report.html#case-{cid}" in r["links"]
        assert len([h for h in r["links"] if h.startswith("#d-")]) == \
            sum(v != "pass" for n, v in zip(names, want) if n != "echo-altered")
    assert (d / "echo-altered" / "report.html").is_file()


@needs_chromium
def test_matrix_link_opens_the_case_in_the_target_report(three):
    """The anchor the matrix links to is one the target's HTML report opens:
    following it expands that case's row."""
    d, docs = three
    cid = docs["echo-altered"]["cases"][1]["id"]

    async def steps(page):
        before = await page.eval("document.querySelectorAll('tr[aria-expanded=\"true\"]').length")
        await page.eval(f"location.hash = {json.dumps('#case-' + cid)}")
        await asyncio.sleep(0.2)
        after = await page.eval(
            "[...document.querySelectorAll('tr[aria-expanded=\"true\"]')].map(t => t.textContent)")
        return before, after

    before, after = browse(d / "echo-altered" / "report.html", steps, ready=True)
    assert before == 0
    assert len(after) == 1 and cid in after[0]
