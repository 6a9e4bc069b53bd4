#!/bin/sh
# Runs a test with TMPDIR set to a folder of its own, and removes that
# folder when the test ends, however it ends: a failed assertion aborts
# the test before its own clean-up runs, and g_dir_make_tmp () puts its
# folders under TMPDIR.
# Usage: with-tmpdir.sh COMMAND [ARGS...]
set -u
dir=$(mktemp -d "${TMPDIR:-/tmp}/factorscope-test-XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
TMPDIR="$dir" "$@"
