#!/bin/sh
# with-tmpdir.sh removes the test's folder even when the test aborts: a
# command that writes a file under TMPDIR and then dies of SIGABRT, as a
# failed g_assert does, leaves nothing behind, and its status comes back.
set -u
here=$(cd "$(dirname "$0")" && pwd)
record=$(mktemp) || exit 1
trap 'rm -f "$record"' EXIT
"$here/with-tmpdir.sh" sh -c 'mkdir "$TMPDIR/case" && echo x > "$TMPDIR/case/f" &&
                             echo "$TMPDIR" > "$1" && kill -ABRT $$' sh "$record"
status=$?
dir=$(cat "$record")
if [ "$status" -eq 0 ]; then
  echo "not ok: the aborted command's status was lost"; exit 1
fi
if [ -z "$dir" ] || [ -e "$dir" ]; then
  echo "not ok: $dir is still there"; exit 1
fi
echo "ok: $dir removed after status $status"
