#!/bin/sh
# Runs a fuzz target for a fixed number of inputs from seed folders,
# writing new inputs to a temporary corpus. Usage: smoke.sh TARGET RUNS SEED_DIR...
set -eu
target="$1"
runs="$2"
shift 2
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
# A header may ask for a matrix of many GiB: the loader must refuse it with
# an error when memory is short, which here means above 1 GiB (an ASan
# allocation that large returns NULL instead of being reported as an
# out-of-memory by libFuzzer, whose limit is the RSS limit below).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1:max_allocation_size_mb=1024"
export ASAN_OPTIONS
"$target" -runs="$runs" -seed=1 -max_len=65536 -max_total_time=300 -rss_limit_mb=4096 \
  -print_final_stats=1 "$corpus" "$@"
