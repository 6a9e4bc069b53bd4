#!/bin/sh
# Runs a fuzz target for a fixed number of inputs from seed folders,
# writing new inputs to a temporary corpus. Usage: smoke.sh TARGET RUNS SEED_DIR...
set -eu
target="$1"
runs="$2"
shift 2
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
"$target" -runs="$runs" -seed=1 -max_len=65536 -max_total_time=300 -rss_limit_mb=4096 \
  -print_final_stats=1 "$corpus" "$@"
