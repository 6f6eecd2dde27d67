#!/bin/sh
# check_fuzz_files.sh SRC TARGET...: every in-process fuzz target (the CMake
# list WSSPEC_FUZZ_TARGETS) has its source fuzz/<t>_fuzz.c, its dictionary
# fuzz/<t>.dict, a libFuzzer options file fuzz/<t>.options naming that
# dictionary and a max_len (as OSS-Fuzz and ClusterFuzzLite read it), and a
# non-empty seed corpus fuzz/corpus/<t>/; every fuzz/*_fuzz.c is in the list;
# every file under fuzz/corpus is named by the SHA-256 of its content.
# (Whether libFuzzer accepts each dictionary: check_fuzz_dict.sh, fuzz build.)
set -u
src=$1
shift
bad=0
say() { echo "check_fuzz_files: $*" >&2; bad=1; }
for t in "$@"; do
    [ -f "$src/fuzz/${t}_fuzz.c" ] || say "$t: no fuzz/${t}_fuzz.c"
    [ -s "$src/fuzz/$t.dict" ] || say "$t: no fuzz/$t.dict"
    opts="$src/fuzz/$t.options"
    if [ ! -f "$opts" ]; then
        say "$t: no fuzz/$t.options"
    else
        head -1 "$opts" | grep -qx '\[libfuzzer\]' || say "$t.options: first line is not [libfuzzer]"
        grep -qx "dict = $t.dict" "$opts" || say "$t.options: no 'dict = $t.dict'"
        grep -qE '^max_len = [1-9][0-9]*$' "$opts" || say "$t.options: no 'max_len = N'"
    fi
    [ -n "$(ls -A "$src/fuzz/corpus/$t" 2>/dev/null)" ] || say "$t: no seeds in fuzz/corpus/$t"
done
for f in "$src"/fuzz/*_fuzz.c; do
    t=$(basename "$f" _fuzz.c)
    case " $* " in *" $t "*) ;; *) say "$f is not in WSSPEC_FUZZ_TARGETS" ;; esac
done
for d in "$src"/fuzz/corpus/*/; do
    t=$(basename "$d")
    case " $* " in *" $t "*) ;; *) say "fuzz/corpus/$t: no such target" ;; esac
done
# Content-addressed seeds: name = sha256(content).
misnamed=$(find "$src/fuzz/corpus" -type f -exec sha256sum {} + |
    while read -r sum path; do [ "$(basename "$path")" = "$sum" ] || echo "$path: sha256 is $sum"; done)
[ -z "$misnamed" ] || say "seeds not named by their SHA-256:
$misnamed"
[ "$bad" = 0 ] && echo "check_fuzz_files: $# targets ok"
exit "$bad"
