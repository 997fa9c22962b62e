# include/iomap-check/exit_status.sh: the exit statuses for the bash tools
# (source it). It reads the one table, exit_status.h beside it, the way
# vm/iomcvm/exits.py does: the X(NAME, number, "meaning") lines of
# IOMC_EXIT_STATUSES. Nothing here repeats a number or a meaning.
#
# Defines IOMC_EXIT_<NAME>=N, IOMC_EXIT_<NAME>_TEXT, IOMC_EXIT_NAMES (in the
# table's order) and iomc_exit_help. bash only (BASH_SOURCE finds the header
# in the source tree and in the installed share/iomap-check alike).

# iomc_exit_table HEADER: the table as shell assignments on stdout; fails
# (with the reason on stderr) on a header without entries or a meaning that
# would not survive single quotes.
iomc_exit_table() {
	awk '
	/#define IOMC_EXIT_STATUSES\(/ { inside = 1; next }
	!inside { next }
	match($0, /^[ \t]*X\([ \t]*[A-Z_]+[ \t]*,[ \t]*[0-9]+[ \t]*,[ \t]*"/) {
		head = substr($0, 1, RLENGTH); text = substr($0, RLENGTH + 1)
		sub(/"[ \t]*\).*/, "", text)
		sub(/^[ \t]*X\([ \t]*/, "", head)
		name = head; sub(/[ \t]*,.*/, "", name)
		num = head; sub(/^[A-Z_]+[ \t]*,[ \t]*/, "", num); sub(/[ \t]*,.*/, "", num)
		if (text ~ /[\047\\]/) {
			print FILENAME ": " name ": a quote or backslash in its meaning" > "/dev/stderr"
			bad = 1; exit
		}
		printf "IOMC_EXIT_%s=%s\nIOMC_EXIT_%s_TEXT=\047%s\047\n", name, num, name, text
		names = names " " name
	}
	!/\\[ \t]*$/ { exit }
	END {
		if (bad) exit 1
		if (names == "") {
			print FILENAME ": no IOMC_EXIT_STATUSES entries" > "/dev/stderr"
			exit 1
		}
		printf "IOMC_EXIT_NAMES=\047%s\047\n", substr(names, 2)
	}' "$1"
}

# iomc_exit_help NAME...: the "Exit status:" block of a tool's --help, the
# statuses NAME... (OK, USAGE, ...) as iomc_print_exit_statuses() (lib/cli.c)
# prints them: "  N  meaning", one line each.
iomc_exit_help() {
	local name num text
	echo "Exit status:"
	for name in "$@"; do
		eval "num=\$IOMC_EXIT_$name text=\$IOMC_EXIT_${name}_TEXT"
		printf '  %s  %s\n' "$num" "$text"
	done
}

iomc_exit_vars=$(iomc_exit_table "$(dirname "${BASH_SOURCE[0]}")/exit_status.h") || {
	# no table, no number to exit with: 3 is what the table calls SETUP
	echo "${0##*/}: cannot read the exit-status table $(dirname "${BASH_SOURCE[0]}")/exit_status.h" >&2
	exit 3
}
eval "$iomc_exit_vars"
unset iomc_exit_vars
