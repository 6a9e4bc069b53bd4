#!/usr/bin/env bash
# The bash completion of factorscope-cli, run as bash runs it on Tab: with
# bash-completion's library loaded, COMP_WORDS and COMP_CWORD set, and the
# completion function called. Its lists are checked against what the
# program's --help-all prints, so an option added to the program and not
# to the script fails here.
# Usage: check-completion.sh SCRIPT FACTORSCOPE-CLI
# Lists of words are split into words on purpose, unquoted:
# shellcheck disable=SC2086,SC2116
set -u
script=$1
cli=$2
status=0
subcommands="run sweep optimum bench info convert export-torch"

fail() {
  echo "FAIL: $*"
  status=1
}

# shellcheck disable=SC1091
source /usr/share/bash-completion/bash_completion || exit 1
# shellcheck disable=SC1090
source "$script" || exit 1

# The words offered for a command line whose last word is being completed,
# one a line, sorted. As in bash, "=" is a word of its own in COMP_WORDS
# and not spaced in COMP_LINE.
complete_line() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="${COMP_WORDS[*]}"
  COMP_LINE=${COMP_LINE// = /=}
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _factorscope_cli factorscope-cli "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  printf '%s\n' "${COMPREPLY[@]}" | sort
}

# The long options of a --help-all text: the first word of each option line.
help_options() {
  sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}\(--[a-z0-9-]*\).*/\2/p' | sort -u
}

# Every word of the expected list (sorted) is among those offered.
expect_all() {
  local what=$1 offered=$2 expected=$3 missing
  missing=$(comm -13 <(echo "$offered") <(echo "$expected"))
  if [ -n "$missing" ]; then
    fail "$what does not offer:" $missing
  else
    echo "ok: $what offers all $(echo "$expected" | wc -l)"
  fi
}

expect_exactly() {
  local what=$1 offered=$2 expected=$3
  if [ "$offered" != "$expected" ]; then
    fail "$what offers [$(echo $offered)], not [$(echo $expected)]"
  else
    echo "ok: $what offers exactly $(echo $expected)"
  fi
}

# factorscope-cli <Tab>: the subcommands, as factorscope-cli --help lists them.
listed=$("$cli" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p' | sort)
expect_exactly "factorscope-cli <Tab>" "$(complete_line factorscope-cli '')" \
  "$(printf '%s\n' $subcommands | sort)"
expect_exactly "the subcommands of --help" "$listed" "$(printf '%s\n' $subcommands | sort)"

# Every long option of every subcommand.
for sub in $subcommands; do
  expect_all "factorscope-cli $sub --<Tab>" "$(complete_line factorscope-cli "$sub" --)" \
    "$("$cli" "$sub" --help-all | help_options)"
done

# The values of the options with fixed choices, as --help-all names them.
run_help=$("$cli" run --help-all)
rules=$(echo "$run_help" | sed -n 's/.*Update rule: \(.*\)$/\1/p' | sed 's/,//g; s/ or / /' | tr ' ' '\n' | sort)
[ -n "$rules" ] || fail "run --help-all names no rule"
expect_exactly "run --rule <Tab>" "$(complete_line factorscope-cli run --rule '')" "$rules"
expect_exactly "sweep --rule <Tab>" "$(complete_line factorscope-cli sweep --rule '')" "$rules"
bench_rules=$("$cli" bench --help-all | sed -n 's/.*--rule=RULE *\([a-z]*\) or \([a-z]*\) .*/\1\n\2/p' | sort)
expect_exactly "bench --rule <Tab>" "$(complete_line factorscope-cli bench --rule '')" "$bench_rules"
scalings=$(echo "$run_help" | sed -n 's/.*Scaling does: \(.*\); default.*/\1/p' |
           sed 's/ ([^)]*)//g; s/,//g' | tr ' ' '\n' | sort)
expect_exactly "run --scaling <Tab>" "$(complete_line factorscope-cli run --scaling '')" "$scalings"
examples=$(echo "$run_help" | sed -n '/^Built-in examples/,$s/^  \([a-z]*\) .*/\1/p' | sort)
expect_exactly "run --example <Tab>" "$(complete_line factorscope-cli run --example '')" "$examples"
expect_exactly "run --l1-mode <Tab>" "$(complete_line factorscope-cli run --l1-mode '')" \
  "$(printf '%s\n' prox subgradient)"
expect_exactly "run --init <Tab>" "$(complete_line factorscope-cli run --init '')" \
  "$(printf '%s\n' scaled uniform)"
expect_exactly "run --rule=ad<Tab>" "$(complete_line factorscope-cli run --rule = ad)" adam
expect_exactly "run --row-labels <Tab>" "$(complete_line factorscope-cli run --row-labels '')" \
  "$(printf '%s\n' auto first none)"
expect_exactly "info --header <Tab>" "$(complete_line factorscope-cli info --header '')" \
  "$(printf '%s\n' auto no yes)"
expect_exactly "run --rank <Tab>" "$(complete_line factorscope-cli run --rank '')" ""

# File names: what the loader reads, in either case; sessions for --session.
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
touch "$dir/x.CSV" "$dir/y.npy" "$dir/z.pdf" "$dir/w.Mtx" "$dir/s.factorscope" "$dir/o.py"
mkdir "$dir/sub"
cd "$dir" || exit 1
offered=$(complete_line factorscope-cli run '')
expect_all "run <Tab> in a folder" "$offered" "$(printf '%s\n' sub w.Mtx x.CSV y.npy | sort)"
for name in z.pdf s.factorscope o.py; do
  ! grep -qx "$name" <<<"$offered" || fail "run <Tab> offers $name"
done
expect_all "run <Tab> (examples)" "$offered" "$examples"
offered=$(complete_line factorscope-cli run --rank 3 x.CSV '')
expect_exactly "run FILE <Tab> (one file only)" "$offered" ""
expect_exactly "run --session <Tab>" "$(complete_line factorscope-cli run --session '')" \
  "$(printf '%s\n' s.factorscope sub)"
expect_exactly "info <Tab>" "$(complete_line factorscope-cli info '')" \
  "$(printf '%s\n' sub w.Mtx x.CSV y.npy $examples | sort)"
expect_exactly "bench <Tab>" "$(complete_line factorscope-cli bench '')" ""
expect_exactly "convert x.CSV <Tab>" "$(complete_line factorscope-cli convert x.CSV '')" \
  "$(printf '%s\n' sub x.CSV y.npy | sort)"
expect_exactly "export-torch -o <Tab>" "$(complete_line factorscope-cli export-torch camera -o '')" \
  "$(printf '%s\n' o.py sub)"
expect_exactly "run --out <Tab>" "$(complete_line factorscope-cli run --out '')" sub
exit "$status"
