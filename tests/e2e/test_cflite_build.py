"""The ClusterFuzzLite / OSS-Fuzz build (.clusterfuzzlite/build.sh), run here
as the builder image runs it (CC, CFLAGS, LIB_FUZZING_ENGINE, OUT set; clang
with ASan and libFuzzer), puts every fuzz target of fuzz/ into $OUT with its
dictionary, options and seed corpus zip, and each binary runs an input.
The CMake build directory is kept in build-cflite/ (WORK), so a second run
only relinks what changed."""
import configparser
import os
import pathlib
import shutil
import subprocess
import zipfile

import pytest

from conftest import ROOT, scaled

TARGETS = sorted(p.name[:-len(".c")] for p in (ROOT / "fuzz").glob("*_fuzz.c"))


@pytest.mark.skipif(shutil.which("clang") is None, reason="needs clang")
def test_cflite_build_sh(tmp_path):
    out = tmp_path / "out"
    work = ROOT / "build-cflite"
    out.mkdir()
    work.mkdir(exist_ok=True)
    env = dict(os.environ, CC="clang", CFLAGS="-fsanitize=address,fuzzer-no-link",
               LIB_FUZZING_ENGINE="-fsanitize=fuzzer", OUT=str(out), WORK=str(work),
               SRC=str(ROOT.parent))
    r = subprocess.run([str(ROOT / ".clusterfuzzlite" / "build.sh")], env=env, cwd=tmp_path,
                       capture_output=True, text=True, timeout=scaled(1800))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]

    assert len(TARGETS) >= 10
    for fuzzer in TARGETS:
        target = fuzzer[:-len("_fuzz")]
        binary = out / fuzzer
        assert os.access(binary, os.X_OK), fuzzer
        assert (out / f"{fuzzer}.dict").read_bytes() == (ROOT / "fuzz" / f"{target}.dict").read_bytes()
        opts = configparser.ConfigParser()
        opts.read(out / f"{fuzzer}.options")
        assert opts["libfuzzer"]["dict"] == f"{fuzzer}.dict"
        assert int(opts["libfuzzer"]["max_len"]) > 0
        seeds = {p.name: p.read_bytes() for p in (ROOT / "fuzz" / "corpus" / target).iterdir()}
        with zipfile.ZipFile(out / f"{fuzzer}_seed_corpus.zip") as z:
            assert {i.filename: z.read(i) for i in z.infolist()} == seeds
        # One input through the binary as it is in $OUT (its libraries from
        # $OUT/lib or the system).
        seed = tmp_path / "seed"
        seed.write_bytes(seeds[sorted(seeds)[0]])
        run = subprocess.run([str(binary), str(seed)], capture_output=True, text=True,
                             timeout=scaled(60))
        assert run.returncode == 0, fuzzer + run.stderr[-2000:]
        assert f"Executed {seed} in" in run.stderr, run.stderr[-2000:]
