#!/usr/bin/env bash
# Every tool's exit statuses against the one table (issue 18 item 3):
# include/iomap-check/exit_status.h. For each tool (iomap-checkd, iomap-check
# analyze and build-driver, iomap-vmcheck, vm.sh/iomcvm) its --help
# "Exit status:" block ("Exit status[ (where)]:", then "  N  meaning")
# names statuses of the table with the table's words; each man page's
# ".SH EXIT STATUS" (.TP / .B N / meaning) does the same and lists exactly
# the statuses of the tools it documents; every "N NAME" in README.md and
# docs/ (vm.sh has no man page: docs/guest.md) is the table's pair. The
# table's three readers agree: C (the enum), bash (exit_status.sh, which
# reads the header) and vm/iomcvm/exits.py; the C and the shell --help
# printers print alike. KTAP on stdout.
#
# usage: exit_status.sh IOMAP_CHECK IOMAP_CHECKD
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ic=${1:?usage: exit_status.sh IOMAP_CHECK IOMAP_CHECKD}
ckd=${2:?usage: exit_status.sh IOMAP_CHECK IOMAP_CHECKD}
ic=$(realpath -m -- "$ic") ckd=$(realpath -m -- "$ckd")
hdr=$top/include/iomap-check/exit_status.h
work=${ABS_BUILD:-$top/build}/check/exit-status
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 2
n=0
. "$top/tests/host/ktap_lib.sh"

# Every tool: NAME, its --help command, its man page (none: vm.sh, whose
# docs are docs/guest.md, checked below with the rest of docs/). A tool
# replaced or added is one line here.
tools=(
	"iomap-check_analyze|$ic analyze --help|analyze/iomap-check.1"
	"iomap-check_build-driver|$ic build-driver --help|analyze/iomap-check.1"
	"iomap-vmcheck|$top/vmcheck/iomap-vmcheck.sh --help|vmcheck/iomap-vmcheck.1"
	"vm.sh|$top/vm/vm.sh --help|"
	"iomap-checkd|$ckd --help|checkd/iomap-checkd.8"
)
mans=(analyze/iomap-check.1 vmcheck/iomap-vmcheck.1 checkd/iomap-checkd.8)

echo "KTAP version 1"
echo "1..$((${#tools[@]} + ${#mans[@]} + 5))"

# the table: "N<TAB>meaning" per status
awk '/^[ \t]*X\([A-Z_]+, [0-9]+, ".*"\)/ {
	l = $0; sub(/^[ \t]*X\([A-Z_]+, /, "", l)
	num = l; sub(/,.*/, "", num)
	sub(/^[0-9]+, "/, "", l); sub(/"\).*/, "", l)
	print num "\t" l
}' "$hdr" >table.tsv

# help_block FILE: the "Exit status:" block of a --help text as N<TAB>meaning
help_block() {
	awk '
		/^Exit status( \(.*\))?:$/ { on = 1; next }
		!on { next }
		/^  [0-9]+  [^ ]/ {
			if (num != "") print num "\t" text
			num = $1; text = $0; sub(/^  [0-9]+  /, "", text); next
		}
		/^     [^ ]/ && num != "" { t = $0; sub(/^ +/, "", t); text = text " " t; next }
		{ exit }
		END { if (num != "") print num "\t" text }
	' "$1"
}

# man_block FILE: the .TP entries of .SH EXIT STATUS as N<TAB>meaning
man_block() {
	awk '
		function done_entry() { if (num != "") print num "\t" text; num = ""; text = "" }
		/^\.SH / { done_entry(); on = ($0 ~ /^\.SH "?EXIT STATUS"?$/); next }
		!on { next }
		/^\.TP/ { done_entry(); want = 1; next }
		want && /^\.B [0-9]+$/ { num = $2; want = 0; next }
		/^\.(PP|P|LP|IP|RS|RE)/ { done_entry(); next }
		num != "" { text = (text == "" ? $0 : text " " $0) }
		END { done_entry() }
	' "$1" | sed 's/\\-/-/g'
}

# check_block NAME FILE: every entry's number and words are the table's,
# ascending, and 0 is there. Prints why not on stdout, nothing if right.
check_block() {
	awk -F '\t' -v who="$1" '
		FNR == NR { want[$1] = $2; next }
		{
			seen++
			if (!($1 in want)) printf "[%s: status %s is not in the table]", who, $1
			else if ($2 != want[$1]) printf "[%s: %s says \"%s\", the table \"%s\"]", who, $1, $2, want[$1]
			if (seen > 1 && $1 + 0 <= last + 0) printf "[%s: %s after %s]", who, $1, last
			if ($1 == 0) zero = 1
			last = $1
		}
		END {
			if (!seen) printf "[%s: no exit status listed]", who
			else if (!zero) printf "[%s: no status 0]", who
		}
	' table.tsv "$2"
}

# the checker itself: a wrong word, an unknown number, a missing 0 are seen
printf 'Exit status:\n  0  checked: no violation, every test passed\n  2  usage error\n  9  x\n' >bad.help
help_block bad.help >bad.tsv
why=$(check_block bad bad.tsv)
printf 'Exit status:\n  1  a violation was reported or a test failed\n' >nozero.help
help_block nozero.help >nozero.tsv
why0=$(check_block nozero nozero.tsv)
case "$why" in *"2 says"*"status 9 is not"*)
	case "$why0" in *"no status 0"*) res ok "checker_sees_wrong_words_numbers_and_no_0" ;;
	*) res fail "checker_sees_wrong_words_numbers_and_no_0" "missing 0 not seen: '$why0'" ;; esac ;;
*) res fail "checker_sees_wrong_words_numbers_and_no_0" "got '$why'" ;;
esac

# the three readers of the table agree: the bash one (exit_status.sh), the
# runner's (vm/iomcvm/exits.py) and the C enum, each NAME=N in order
( . "$top/include/iomap-check/exit_status.sh"
  for name in $IOMC_EXIT_NAMES; do eval "echo IOMC_EXIT_$name=\$IOMC_EXIT_$name"; done ) >sh.vars 2>sh.err
PYTHONPATH=$top/vm python3 -B -m iomcvm exit-status --shell >py.vars 2>py.err
printf '#include <stdio.h>\n#include "iomap-check/exit_status.h"\n#define P(n, v, w) printf("IOMC_EXIT_%%s=%%d\\n", #n, IOMC_EXIT_##n);\nint main(void) { IOMC_EXIT_STATUSES(P) return 0; }\n' >enum.c
${CC:-cc} -I"$top/include" -o enum enum.c 2>c.err && ./enum >c.vars
if [ -s sh.vars ] && cmp -s sh.vars py.vars && cmp -s sh.vars c.vars; then
	res ok "readers_agree ($(wc -l <sh.vars) statuses: bash, iomcvm, C)"
else
	res fail "readers_agree" "bash/iomcvm: $(diff sh.vars py.vars | head -3 | paste -sd' ' -) bash/C: $(diff sh.vars c.vars | head -3 | paste -sd' ' -) $(head -c 200 sh.err c.err)"
fi

# the bash reader refuses a header without entries (a tool then says so
# and stops, rather than exiting with empty numbers)
mkdir -p broken && cp "$top/include/iomap-check/exit_status.sh" broken/ &&
	printf '#define IOMC_EXIT_STATUSES(X) \\\n\tX(OK, 0, "it\x27s fine")\n' >broken/exit_status.h
printf '#define FOO 1\n' >empty.h
bash -c '. broken/exit_status.sh; echo reached' >broken.out 2>broken.err
brc=$?
mkdir -p empty && cp "$top/include/iomap-check/exit_status.sh" empty/ && cp empty.h empty/exit_status.h
bash -c '. empty/exit_status.sh; echo reached' >empty.out 2>empty.err
erc=$?
if [ $brc != 0 ] && [ $erc != 0 ] && ! grep -q reached broken.out empty.out &&
	grep -q 'quote or backslash' broken.err && grep -q 'no IOMC_EXIT_STATUSES' empty.err; then
	res ok "bash_reader_refuses_a_bad_table"
else
	res fail "bash_reader_refuses_a_bad_table" "quote: rc $brc '$(head -c 200 broken.err)'; empty: rc $erc '$(head -c 200 empty.err)'"
fi

# every "N NAME" pair in README.md and docs/ is the table's
awk -F '\t' 'FNR == NR { num[$2] = $1; next }
	{
		line = $0
		while (match(line, /[0-9]+ [A-Z][A-Z_]+/)) {
			pair = substr(line, RSTART, RLENGTH); line = substr(line, RSTART + RLENGTH)
			split(pair, f, " ")
			if (f[2] in num) { n++; if (num[f[2]] != f[1]) printf "[%s:%d: %s, the table %s %s]", FILENAME, FNR, pair, num[f[2]], f[2] }
		}
	}
	END { if (!n) printf "[no N NAME pair found at all]" }' \
	<(PYTHONPATH=$top/vm python3 -B -m iomcvm exit-status) "$top/README.md" "$top"/docs/*.md >docs.why
if [ ! -s docs.why ]; then
	res ok "docs_status_names_are_the_tables"
else
	res fail "docs_status_names_are_the_tables" "$(head -c 400 docs.why)"
fi

# each tool's --help; the statuses of each man page's tools collected
declare -A man_nums
for t in "${tools[@]}"; do
	IFS='|' read -r name cmd man <<<"$t"
	# shellcheck disable=SC2086
	run "help-$name" $cmd
	help_block "help-$name.out" >"help-$name.tsv"
	if [ "$(rc "help-$name")" != 0 ]; then
		res fail "help_exit_statuses_$name" "--help exited $(rc "help-$name"): $(head -c 200 "help-$name.err")"
		continue
	fi
	why=$(check_block "$name --help" "help-$name.tsv")
	if [ -z "$why" ]; then
		res ok "help_exit_statuses_$name ($(cut -f1 "help-$name.tsv" | paste -sd, -))"
	else
		res fail "help_exit_statuses_$name" "$why"
	fi
	[ -z "$man" ] || man_nums[$man]="${man_nums[$man]:-} $(cut -f1 "help-$name.tsv" | tr '\n' ' ')"
done

# the C printer (analyze) and the shell one (iomc_exit_help) print alike
# shellcheck disable=SC1091
( . "$top/include/iomap-check/exit_status.sh"
  iomc_exit_help OK VIOLATION USAGE SETUP UNCHECKED OUTPUT_LOST ) >sh.help
sed -n '/^Exit status:$/,/^[^ E]/p' help-iomap-check_analyze.out | sed '/^[^ E]/d' >c.help
if [ -s c.help ] && cmp -s c.help sh.help; then
	res ok "c_and_shell_printers_alike"
else
	res fail "c_and_shell_printers_alike" "$(diff c.help sh.help | head -4)"
fi

# each man page: the table's words, and its tools' statuses, no more
for man in "${mans[@]}"; do
	man_block "$top/$man" >"man-${man##*/}.tsv"
	why=$(check_block "$man" "man-${man##*/}.tsv")
	want=$(echo "${man_nums[$man]:-}" | tr ' ' '\n' | grep . | sort -un | paste -sd, -)
	got=$(cut -f1 "man-${man##*/}.tsv" | paste -sd, -)
	[ "$got" = "$want" ] || why="$why [$man lists $got, its tools' --help $want]"
	if [ -z "$why" ]; then
		res ok "man_exit_statuses_${man##*/} ($got)"
	else
		res fail "man_exit_statuses_${man##*/}" "$why"
	fi
done
