#!/bin/sh
# check_format.sh [SRCDIR]: every tracked C file follows .clang-format (ctest "format").
# Fix with: clang-format -i $(git ls-files '*.c' '*.h')
cd "${1:-.}" || exit 2
command -v clang-format >/dev/null 2>&1 || { echo "clang-format not installed"; exit 1; }
files=$(find harness reports tests/unit fuzz bench -name '*.[ch]' | sort)
clang-format --dry-run --Werror $files || { echo "format: run clang-format -i on the files above"; exit 1; }
echo "format: ok ($(echo "$files" | wc -l) files)"
