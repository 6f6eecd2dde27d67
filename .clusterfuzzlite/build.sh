#!/bin/bash -eu
# build.sh: the OSS-Fuzz / ClusterFuzzLite build of wsspec's in-process fuzz
# targets (fuzz/<target>_fuzz.c, the list WSSPEC_FUZZ_TARGETS of CMakeLists.txt).
# Honours what the builder sets: $CC and $CFLAGS (the sanitizer and coverage
# flags), $LIB_FUZZING_ENGINE (the engine to link, e.g. -fsanitize=fuzzer),
# $OUT (where the fuzzers go), $WORK (scratch; a temporary directory if unset).
# Copies to $OUT, for each target: the binary <target>_fuzz, <target>_fuzz.dict,
# <target>_fuzz.options (libFuzzer flags: dict, max_len) and
# <target>_fuzz_seed_corpus.zip (fuzz/corpus/<target>/). The shared libraries
# the binaries need beyond the C library (jansson, OpenSSL, zlib) go to
# $OUT/lib, found through an $ORIGIN/lib rpath: the runner image has no -dev
# packages. Run locally: CC=clang CFLAGS="-fsanitize=address,fuzzer-no-link"
# LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out .clusterfuzzlite/build.sh
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${CC:?}" "${LIB_FUZZING_ENGINE:?}" "${OUT:?}"
CFLAGS=${CFLAGS:-}
work=${WORK:-$(mktemp -d)}
build=$work/wsspec-fuzz
mkdir -p "$OUT/lib"

targets=()
for f in "$src"/fuzz/*_fuzz.c; do targets+=("$(basename "$f" .c)"); done

# CMake links $LIB_FUZZING_ENGINE into each fuzzer when it is set in the
# environment (CMakeLists.txt's fuzz section) and passes CMAKE_C_FLAGS to the
# link too, so the sanitizer runtimes come with $CFLAGS.
export LIB_FUZZING_ENGINE
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$CC" \
    -DCMAKE_C_FLAGS="$CFLAGS -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION" \
    -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath,\$ORIGIN/lib"
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

for fuzzer in "${targets[@]}"; do
    t=${fuzzer%_fuzz}
    cp "$build/$fuzzer" "$OUT/"
    cp "$src/fuzz/$t.dict" "$OUT/$fuzzer.dict"
    # OSS-Fuzz reads <fuzzer>.options; the dictionary is named after the binary.
    sed "s/^dict = .*/dict = $fuzzer.dict/" "$src/fuzz/$t.options" >"$OUT/$fuzzer.options"
    rm -f "$OUT/${fuzzer}_seed_corpus.zip"
    # Python's zipfile (in the base image and in Debian's python3): stores
    # each seed under its own name, flat, as OSS-Fuzz expects.
    python3 -m zipfile -c "$OUT/${fuzzer}_seed_corpus.zip" "$src/fuzz/corpus/$t"/*
    ldd "$OUT/$fuzzer" | awk '/=> \// {print $3}' | grep -E 'lib(jansson|ssl|crypto|z)\.so' |
        while read -r lib; do
            # (found in $OUT/lib already, through the rpath, for all but the first)
            [ "$lib" -ef "$OUT/lib/$(basename "$lib")" ] || cp -L "$lib" "$OUT/lib/"
        done
done
echo "build.sh: ${#targets[@]} fuzz targets in $OUT"
