#!/bin/sh
# check_asset_rules.sh CMAKE [SRCDIR]: the HTML report's asset check
# (cmake/embed_asset.cmake, ctest "asset_rules") rejects what it must and only that.
#
#   tests/data/assets/reject/RULE.N.EXT  must fail with "FILE:LINE: [RULE]", where
#                                        LINE is the file's last line (the violation)
#   tests/data/assets/accept/*           near misses that must pass
#   reports/assets/*                     the real assets pass
# Then a throwaway CMake project embeds a rejected asset with the same
# function the build uses (cmake/WsspecAssets.cmake): its build must fail, and
# with an accepted asset it must build and link a program that prints the
# embedded bytes back unchanged.
cmake=${1:?usage: check_asset_rules.sh CMAKE [SRCDIR]}
cd "${2:-.}" || exit 2
src=$(pwd)
script=$src/cmake/embed_asset.cmake
bad=0
checked=0
for file in tests/data/assets/reject/*; do
    rule=$(basename "$file" | cut -d. -f1)
    line=$(wc -l <"$file")
    [ "$line" -gt 0 ] || line=1
    out=$("$cmake" -DINPUT="$file" -P "$script" 2>&1)
    status=$?
    checked=$((checked + 1))
    if [ $status -eq 0 ]; then
        echo "$file: accepted, expected a rejection by [$rule]"
        bad=1
    elif ! printf '%s\n' "$out" | grep -qF "$file:$line: [$rule]"; then
        echo "$file: rejected, but not with \"$file:$line: [$rule]\":"
        printf '%s\n' "$out"
        bad=1
    fi
done
for file in tests/data/assets/accept/* reports/assets/*; do
    checked=$((checked + 1))
    out=$("$cmake" -DINPUT="$file" -P "$script" 2>&1) || {
        echo "$file: rejected, expected to pass:"
        printf '%s\n' "$out"
        bad=1
    }
done

# The build step itself: a rejected asset fails the build.
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
mkdir "$work/proj"
cat >"$work/proj/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.16)
project(asset_check LANGUAGES C)
include("$src/cmake/WsspecAssets.cmake")
add_executable(show_asset main.c)
wsspec_embed_asset(show_asset asset_bytes "\${ASSET}")
EOF
cat >"$work/proj/main.c" <<'EOF'
#include <stddef.h>
#include <stdio.h>
extern const unsigned char asset_bytes[];
extern const size_t asset_bytes_len;
int main(void) {
    return fwrite(asset_bytes, 1, asset_bytes_len, stdout) == asset_bytes_len ? 0 : 1;
}
EOF
rejected=$src/tests/data/assets/reject/fetch.1.js
accepted=$src/tests/data/assets/accept/near-misses.js
if "$cmake" -S "$work/proj" -B "$work/bad" -DASSET="$rejected" >"$work/log" 2>&1 &&
    "$cmake" --build "$work/bad" >>"$work/log" 2>&1; then
    echo "build with a rejected asset ($rejected) succeeded"
    cat "$work/log"
    bad=1
elif ! grep -q "\[fetch\]" "$work/log"; then
    echo "build with a rejected asset failed, but not by the asset check:"
    cat "$work/log"
    bad=1
fi
if "$cmake" -S "$work/proj" -B "$work/good" -DASSET="$accepted" >"$work/log" 2>&1 &&
    "$cmake" --build "$work/good" >>"$work/log" 2>&1; then
    "$work/good/show_asset" >"$work/echo" && cmp -s "$work/echo" "$accepted" || {
        echo "the embedded bytes differ from $accepted"
        bad=1
    }
else
    echo "build with an accepted asset ($accepted) failed:"
    cat "$work/log"
    bad=1
fi
[ $bad -eq 0 ] && echo "asset rules: ok ($checked files, build step rejects and embeds)"
exit $bad
