#!/bin/sh
# Runs a command under an Xvfb display of its own. Xvfb picks a free
# display number itself (-displayfd), so several can start at once, which
# xvfb-run -a cannot promise: two of them may pick the same number.
# Usage: with-display.sh WIDTHxHEIGHT COMMAND [ARGS...]
set -eu
size="$1"
shift
dir=$(mktemp -d)
xvfb=""
cleanup() {
  [ -z "$xvfb" ] || kill "$xvfb" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
# -noreset: a server left by its last client resets, and refuses new ones
# for a moment (the AT-SPI launcher connects and leaves before the app does).
Xvfb -displayfd 3 -screen 0 "${size}x24" -nolisten tcp -noreset 3>"$dir/display" 2>"$dir/log" &
xvfb=$!
tries=0
until [ -s "$dir/display" ]; do
  tries=$((tries + 1))
  if [ "$tries" -gt 200 ] || ! kill -0 "$xvfb" 2>/dev/null; then
    echo "Xvfb did not start:" >&2
    cat "$dir/log" >&2
    exit 1
  fi
  sleep 0.05
done
DISPLAY=":$(cat "$dir/display")"
export DISPLAY
status=0
"$@" || status=$?
exit "$status"
