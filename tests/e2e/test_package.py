"""`cpack -G DEB` in the build directory gives a Debian package that works:
it is built from the build tree of $WSSPEC_BIN (nothing copied by hand),
declares the libraries the binary links (Depends from dpkg-shlibdeps),
holds the binary, man page, corpus, report schema and docs under /usr, and
once unpacked into a temporary root (`dpkg -x`) the installed wsspec runs:
--version, list (the whole installed corpus), and a short run against its
own reference server with the installed corpus, from an unrelated
directory."""
import json
import os
import pathlib
import shutil
import subprocess

import pytest

from conftest import ROOT, scaled, wsspec_bin

BUILD = pathlib.Path(wsspec_bin()).resolve().parent
needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-deb") is None or shutil.which("cpack") is None,
                                reason="dpkg-deb or cpack missing (scripts/setup.sh installs them)")


def run(argv, cwd, env=None, timeout=300):
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=scaled(timeout))


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    if not (BUILD / "CPackConfig.cmake").is_file():
        pytest.fail(f"{BUILD} has no CPackConfig.cmake (WSSPEC_BIN={wsspec_bin()})")
    r = run(["cmake", "--build", str(BUILD), "--target", "wsspec", "wsspec_man"], cwd=ROOT,
            timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    out = tmp_path_factory.mktemp("deb")
    r = run(["cpack", "-G", "DEB", "-B", str(out), "--config", str(BUILD / "CPackConfig.cmake")],
            cwd=BUILD, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    debs = sorted(out.glob("wsspec_*.deb"))
    assert len(debs) == 1, list(out.iterdir())
    root = tmp_path_factory.mktemp("root")
    r = run(["dpkg", "-x", str(debs[0]), str(root)], cwd=out)
    assert r.returncode == 0, r.stderr
    return debs[0], root


def field(deb, name):
    r = run(["dpkg-deb", "-f", str(deb), name], cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


@needs_dpkg
def test_package_metadata_and_dependencies(package):
    deb, _ = package
    assert field(deb, "Package") == "wsspec"
    version = run([wsspec_bin(), "--version"], cwd=ROOT).stdout.split()[1]
    assert field(deb, "Version") == version
    depends = field(deb, "Depends")
    for lib in ("libc6", "libssl3", "zlib1g", "libjansson4"):
        assert lib in depends, depends
    # What the binary links, by soname: each one is declared.
    ldd = run(["ldd", str(BUILD / "wsspec")], cwd=ROOT).stdout
    for soname, pkg in (("libssl.so.3", "libssl3"), ("libjansson.so.4", "libjansson4"),
                        ("libz.so.1", "zlib1g")):
        assert soname in ldd and pkg in depends


@needs_dpkg
def test_package_files_under_usr(package):
    _, root = package
    usr = root / "usr"
    assert os.access(usr / "bin" / "wsspec", os.X_OK)
    assert (usr / "share" / "man" / "man1" / "wsspec.1").is_file()
    assert (usr / "share" / "wsspec" / "report.schema.json").is_file()
    installed = sorted(p.name for p in (usr / "share" / "wsspec" / "cases").glob("*.json"))
    source = sorted(p.name for p in (ROOT / "cases").glob("*.json"))
    assert installed == source
    doc = usr / "share" / "doc" / "wsspec"
    for name in ("README.md", "ci.md", "reports.md", "examples/gate.sh",
                 "examples/gitlab-ci.yml", "examples/action.yml"):
        assert (doc / name).is_file(), name
    assert os.access(doc / "examples" / "gate.sh", os.X_OK)
    # Nothing outside /usr.
    assert sorted(p.name for p in root.iterdir()) == ["usr"]


@needs_dpkg
def test_installed_wsspec_runs_with_its_installed_corpus(package, tmp_path):
    _, root = package
    exe = str(root / "usr" / "bin" / "wsspec")
    env = {k: v for k, v in os.environ.items() if k != "WSSPEC_CASES_DIR"}
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    r = run([exe, "--version"], cwd=cwd, env=env)
    assert r.returncode == 0 and r.stdout.startswith("wsspec ")
    listed = run([exe, "list"], cwd=cwd, env=env)
    ours = run([wsspec_bin(), "list", "--cases-dir", str(ROOT / "cases")], cwd=cwd, env=env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == ours.stdout and listed.stdout.count("\n") > 100
    r = run([exe, "run", "pings.", "-q", "--json", str(tmp_path / "r.json"),
             "--ctrf", str(tmp_path / "r.ctrf.json")], cwd=cwd, env=env)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    doc = json.loads((tmp_path / "r.json").read_text())
    corpus = (root / "usr" / "share" / "wsspec" / "cases").resolve()
    assert doc["target"]["builtin"] is True
    assert doc["summary"]["pass"] == doc["summary"]["total"] > 5
    assert all(pathlib.Path(c["file"]).resolve().parent == corpus for c in doc["cases"])
    ctrf = json.loads((tmp_path / "r.ctrf.json").read_text())
    assert ctrf["results"]["summary"]["passed"] == doc["summary"]["total"]
