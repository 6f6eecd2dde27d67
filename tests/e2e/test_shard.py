"""Sharding and merging (issue 11, item 3): `--shard I/N` slices the selection
into stable, balanced, disjoint parts (`list` shows the slice `run` runs),
`--shard-durations` balances them by a report's durations, and `wsspec report
--merge` joins the shard reports into one report of every format, refusing
reports that are not shards of one run."""
import json
import shutil

import pytest

from conftest import ROOT, Process, wsspec_bin
from test_reports import schema_errors
from wsrun import wsspec

SELECTION = ["--autobahn", "1.*", "--autobahn", "2.*", "--autobahn", "7.1.*"]


def listed(*args):
    r = wsspec("list", "--json", *args)
    assert r.returncode == 0, r.stderr
    return [c["id"] for c in json.loads(r.stdout)]


@pytest.mark.parametrize("n", [1, 3, 7])
def test_slices_are_disjoint_cover_the_selection_and_are_stable(n):
    everything = listed(*SELECTION)
    slices = [listed(*SELECTION, "--shard", f"{i}/{n}") for i in range(1, n + 1)]
    flat = [c for s in slices for c in s]
    assert sorted(flat) == sorted(everything) and len(flat) == len(set(flat))
    sizes = [len(s) for s in slices]
    assert max(sizes) - min(sizes) <= 1
    # Each slice keeps the selection's order.
    for s in slices:
        assert s == [c for c in everything if c in set(s)]
    # Stable: the slice is the k-th id of the sorted selection to shard k % n,
    # whatever else the corpus holds and however often it is asked.
    ordered = sorted(everything)
    for i, s in enumerate(slices):
        assert set(s) == {c for k, c in enumerate(ordered) if k % n == i}
        assert listed(*SELECTION, "--shard", f"{i + 1}/{n}") == s


def test_bad_shard_is_a_usage_error():
    for bad in ("0/3", "4/3", "1/0", "x", "1/2/3", "1/"):
        r = wsspec("list", "--shard", bad)
        assert r.returncode == 2 and "--shard takes I/N" in r.stderr, (bad, r.stderr)
    r = wsspec("list", "--shard-durations", "x.json")
    assert r.returncode == 2 and "needs --shard" in r.stderr


def test_durations_balance_greedily_longest_first(tmp_path):
    everything = listed(*SELECTION)
    # Durations for all but the last three cases (those weigh the mean).
    known = {c: (k * 37 % 11) / 10 + 0.05 for k, c in enumerate(everything[:-3])}
    (tmp_path / "d.json").write_text(json.dumps(
        {"schema": "wsspec-report/2",
         "cases": [{"id": c, "duration_s": s} for c, s in known.items()]
         + [{"id": "not.in.the.selection", "duration_s": 99}]}))
    mean = sum(known.values()) / len(known)
    weight = {c: known.get(c, mean) for c in everything}
    n = 3
    load, expected = [0.0] * n, [set() for _ in range(n)]
    for c in sorted(everything, key=lambda c: (-weight[c], c)):
        k = min(range(n), key=lambda i: (load[i], i))
        load[k] += weight[c]
        expected[k].add(c)
    got = [set(listed(*SELECTION, "--shard", f"{i + 1}/{n}", "--shard-durations",
                      str(tmp_path / "d.json"))) for i in range(n)]
    assert got == expected
    assert max(load) - min(load) <= max(weight.values())


def run_json(path, *args):
    r = wsspec("run", *SELECTION, "-j", "2", "--json", str(path), "-q", *args)
    assert r.returncode in (0, 1), r.stdout + r.stderr
    return json.loads(path.read_text())


def test_merged_shards_equal_one_unsharded_run(tmp_path):
    whole = run_json(tmp_path / "whole.json")
    parts = [tmp_path / f"s{i}.json" for i in (1, 2, 3)]
    for i, p in enumerate(parts, 1):
        doc = run_json(p, "--shard", f"{i}/3")
        assert doc["shard"]["index"] == i and doc["shard"]["selected"] == len(whole["cases"])
        assert doc["corpus"]["digest"] == whole["corpus"]["digest"]
    out = tmp_path / "merged"
    r = wsspec("report", "--merge", *map(str, reversed(parts)), "--report-dir", str(out))
    assert r.returncode == 0, r.stderr
    merged = json.loads((out / "report.json").read_text())
    assert schema_errors(merged) == []
    assert [c["id"] for c in merged["cases"]] == [c["id"] for c in whole["cases"]]
    assert {c["id"]: c["verdict"] for c in merged["cases"]} == \
        {c["id"]: c["verdict"] for c in whole["cases"]}
    assert merged["summary"] == whole["summary"]
    assert merged["complete"] is True and merged["shard"] is None
    assert sorted(m["shard"]["index"] for m in merged["merged"]) == [1, 2, 3]
    for name in ("junit.xml", "report.html", "summary.md", "autobahn/index.json"):
        assert (out / name).stat().st_size > 0
    junit = (out / "junit.xml").read_text()
    assert junit.count("<testcase") == len(whole["cases"])
    # A missing shard: merged, but incomplete, naming it.
    r = wsspec("report", "--merge", str(parts[0]), str(parts[2]), "--json", str(tmp_path / "m2.json"))
    assert r.returncode == 0, r.stderr
    m2 = json.loads((tmp_path / "m2.json").read_text())
    assert m2["complete"] is False and m2["incomplete_reason"] == "shards missing from the merge: 2/3"


def test_mismatched_reports_are_refused(tmp_path):
    s1 = tmp_path / "s1.json"
    run_json(s1, "--shard", "1/2")
    s2 = tmp_path / "s2.json"
    run_json(s2, "--shard", "2/2")

    def refused(*files):
        r = wsspec("report", "--merge", *map(str, files), "--json", str(tmp_path / "m.json"))
        assert r.returncode == 2, r.stdout + r.stderr
        return r.stderr

    # Overlap: the same shard twice.
    err = refused(s1, s1)
    assert f"{s1} and {s1} are the same shard (1/2)" in err
    # Another corpus: a copy of the corpus with one case file changed.
    cases = tmp_path / "cases"
    shutil.copytree(ROOT / "cases", cases)
    f = cases / "framing.json"
    f.write_text(f.read_text().replace('"title": "', '"title": "Changed: ', 1))
    other = tmp_path / "other.json"
    run_json(other, "--shard", "2/2", "--cases-dir", str(cases))
    err = refused(s1, other)
    assert f"{s1} and {other} are reports of different corpora" in err and "corpus.digest" in err
    # Another selection (the same corpus).
    sel = tmp_path / "sel.json"
    r = wsspec("run", "--autobahn", "1.*", "--shard", "2/2", "--json", str(sel), "-q")
    assert r.returncode == 0
    assert "different selections" in refused(s1, sel)
    # Another shard count.
    s3 = tmp_path / "s3.json"
    run_json(s3, "--shard", "3/3")
    assert "sharded differently: 2 shards in the first, 3 in the second" in refused(s1, s3)
    # Another target: `wsspec serve` by URL instead of the built-in server.
    srv = Process([wsspec_bin(), "serve", "--port", "0", "-q"])
    try:
        url = tmp_path / "url.json"
        run_json(url, f"ws://127.0.0.1:{srv.port}/", "--shard", "2/2")
    finally:
        srv.stop()
    err = refused(s1, url)
    assert f"{s1} and {url} are reports of different targets" in err
    assert "built-in reference server" in err and f"ws://127.0.0.1:{srv.port}/" in err
    # One report only without --merge is still an error of its own.
    r = wsspec("report", str(s1), str(s2), "--json", str(tmp_path / "m.json"))
    assert r.returncode == 2 and "--merge joins" in r.stderr


def test_reports_sharing_a_case_are_refused(tmp_path):
    """Two unsharded runs whose selections overlap: the case in both is named."""
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert wsspec("run", "--autobahn", "1.1.1", "--autobahn", "1.1.2", "--json", str(a),
                  "-q").returncode == 0
    assert wsspec("run", "--autobahn", "1.1.2", "--json", str(b), "-q").returncode == 0
    r = wsspec("report", "--merge", str(a), str(b), "--json", str(tmp_path / "m.json"))
    assert r.returncode == 2
    case = json.loads(b.read_text())["cases"][0]["id"]
    assert f"{a} and {b} overlap: both have case {case}" in r.stderr, r.stderr
