#!/bin/sh
# check_fuzz_dict.sh FUZZER DICT: libFuzzer accepts the dictionary (it exits
# on a line it cannot parse) and reads every entry of it: the target, run once
# with -dict, must report "Dictionary: N entries" with N the number of entry
# lines (neither blank nor a # comment) of DICT.
set -u
fuzzer=$1
dict=$2
want=$(grep -cvE '^[[:space:]]*(#|$)' "$dict")
out=$("$fuzzer" -dict="$dict" -runs=1 2>&1)
rc=$?
got=$(printf '%s\n' "$out" | sed -n 's/^Dictionary: \([0-9]*\) entries$/\1/p')
if [ "$rc" != 0 ] || [ "$got" != "$want" ]; then
    printf '%s\n' "$out" | tail -20 >&2
    echo "check_fuzz_dict: $dict: exit $rc, libFuzzer read '${got}' entries, the file has $want" >&2
    exit 1
fi
echo "check_fuzz_dict: $dict: $got entries"
