#!/bin/sh
# Starts the real app under its own X display and D-Bus session, with the
# accessibility bus, and drives it with drive-app.py (or the script named by
# FS_DRIVE_SCRIPT, which gets the same argument).
# Usage: run-drive-app.sh FACTORSCOPE SCREENSHOT.png [WIDTHxHEIGHT] [APP ARGS...]
set -eu
app="$1"
shot="$2"
size="${3:-1280x800}"
shift 3 2>/dev/null || shift $#
here=$(cd "$(dirname "$0")" && pwd)

exec "$here/with-display.sh" "$size" dbus-run-session -- sh -c '
  set -eu
  export GTK_A11Y=atspi GDK_BACKEND=x11 GSK_RENDERER=cairo GDK_DEBUG=gl-disable \
         GSETTINGS_BACKEND=memory LANG=C.UTF-8 NO_AT_BRIDGE=0
  /usr/libexec/at-spi-bus-launcher --launch-immediately &
  launcher=$!
  "$0" "$@" &
  pid=$!
  status=0
  /usr/bin/python3 "'"${FS_DRIVE_SCRIPT:-$here/drive-app.py}"'" "'"$shot"'" || status=$?
  kill "$pid" "$launcher" 2>/dev/null || true
  exit $status
' "$app" "$@"
