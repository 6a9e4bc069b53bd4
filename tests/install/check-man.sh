#!/bin/sh
# The manual pages: groff finds nothing to warn about in either, and each
# names every long option its program's --help-all prints, so that an
# option added without a word in the page fails here. A page may document
# more than --help-all prints (the import options of other branches).
# Usage: check-man.sh MANDIR FACTORSCOPE-CLI FACTORSCOPE
set -u
mandir=$1
cli=$2
app=$3
status=0
subcommands="run sweep optimum bench info convert export-torch"

fail() {
  echo "FAIL: $*"
  status=1
}

# The long options of a --help-all text: the first word of each option line.
help_options() {
  sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}\(--[a-z0-9-]*\).*/\2/p'
}

# The page's text with troff's escaped hyphens as plain ones.
page_text() {
  sed 's/\\-/-/g' "$mandir/$1"
}

for page in factorscope.1 factorscope-cli.1; do
  warnings=$(LC_ALL=C.UTF-8 groff -man -ww -z "$mandir/$page" 2>&1)
  if [ -n "$warnings" ]; then
    fail "groff warns about $page:"
    echo "$warnings"
  else
    echo "ok: groff has no warning for $page"
  fi
done

# Every option of every subcommand, and the top level's --help and --version.
cli_options=$(for sub in $subcommands; do
                "$cli" "$sub" --help-all | help_options
              done
              echo --help
              echo --version)
app_options=$("$app" --help-all | help_options)
[ -n "$app_options" ] || fail "factorscope --help-all printed no option"
for sub in $subcommands; do
  [ -n "$("$cli" "$sub" --help-all | help_options)" ] || fail "$sub --help-all printed no option"
done

check_page() {
  page=$1
  options=$2
  text=$(page_text "$page")
  missing=0
  for option in $(echo "$options" | sort -u); do
    if ! printf '%s\n' "$text" | grep -q -e "\(^\|[^a-z0-9-]\)$option\([^a-z0-9-]\|$\)"; then
      fail "$page does not document $option"
      missing=1
    fi
  done
  [ "$missing" -eq 1 ] || echo "ok: $page documents all $(echo "$options" | sort -u | wc -l) options"
}

check_page factorscope-cli.1 "$cli_options"
check_page factorscope.1 "$app_options"
exit "$status"
