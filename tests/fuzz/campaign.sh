#!/bin/sh
# A long fuzzing campaign of one loader, as README's Reliability section
# reports them: RUNS inputs (10^6 unless given) in one go, under
# AddressSanitizer and UBSan with smoke.sh's allocator limits, seeded from
# the committed corpus and the loader's seeds, on one core at nice 10;
# then the committed corpus and the campaign's new inputs minimised with
# -merge=1 into tests/fuzz/corpus/NAME (commit it). MAX_TOTAL_TIME, when
# set, stops the campaign after that many seconds. Crash inputs land in
# the current folder.
# Usage: tests/fuzz/campaign.sh BUILDDIR NAME [RUNS]
#   BUILDDIR  a fuzz build, as tools/test --sanitize makes build-fuzz:
#             CC=clang meson setup build-fuzz -Dfuzzing=true \
#               -Db_sanitize=address,undefined -Db_lundef=false
#   NAME      delimited, npy, mtx or image
set -eu
build=$(cd "$1" && pwd)
name="$2"
runs="${3:-1000000}"
cd "$(dirname "$0")/../.."

# Images up to 16 KiB: the seeds are 40 × 32 and at most 5.4 KiB, and a
# larger input only makes gdk-pixbuf's work longer, not Factorscope's.
max_len=65536
case "$name" in
  delimited) seeds="tests/data/real/csv tests/data/real/awkward tests/fuzz/seeds/delimited" ;;
  npy) seeds="tests/data/real/npy tests/data/npy" ;;
  mtx) seeds="tests/fuzz/seeds/mtx tests/data/real/mtx" ;;
  image) seeds="tests/fuzz/seeds/image tests/data/real/images"; max_len=16384 ;;
  *) echo "campaign.sh: no loader called $name (delimited, npy, mtx or image)" >&2; exit 2 ;;
esac
target="$build/tests/fuzz/fuzz-$name"
corpus="tests/fuzz/corpus/$name"
new=$(mktemp -d)
merged=$(mktemp -d)
trap 'rm -rf "$new" "$merged"' EXIT

ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1:max_allocation_size_mb=1024"
export ASAN_OPTIONS
# shellcheck disable=SC2086 # $seeds is a list of folders
nice -n 10 "$target" -runs="$runs" -seed=1 -max_len="$max_len" -rss_limit_mb=4096 \
  ${MAX_TOTAL_TIME:+-max_total_time="$MAX_TOTAL_TIME"} -print_final_stats=1 \
  "$new" "$corpus" $seeds
nice -n 10 "$target" -merge=1 -max_len="$max_len" -rss_limit_mb=4096 "$merged" "$corpus" "$new"
rm -f "$corpus"/*
cp "$merged"/* "$corpus"/
echo "$corpus: $(ls "$corpus" | wc -l) inputs, $(cat "$corpus"/* | wc -c) bytes"
