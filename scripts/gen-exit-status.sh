#!/bin/sh
# Writes include/iomap-check/exit_status.sh, the shell copy of the one
# exit-status table (include/iomap-check/exit_status.h), to stdout. The
# bash tools source it; `make exit-status` rewrites the committed copy and
# tests/host/exit_status.sh fails when the two differ.
#
# usage: gen-exit-status.sh [exit_status.h]
set -eu
hdr=${1:-$(dirname "$0")/../include/iomap-check/exit_status.h}
awk '
BEGIN {
	print "# include/iomap-check/exit_status.sh: the exit statuses of every iomap-check"
	print "# tool, for the bash tools (source it). Generated from exit_status.h by"
	print "# scripts/gen-exit-status.sh (make exit-status): edit the header, not this."
}
/^[ \t]*X\([A-Z_]+, [0-9]+, ".*"\)/ {
	line = $0
	sub(/^[ \t]*X\(/, "", line)
	name = line; sub(/,.*/, "", name)
	num = line; sub(/^[A-Z_]+, /, "", num); sub(/,.*/, "", num)
	text = line; sub(/^[A-Z_]+, [0-9]+, "/, "", text); sub(/"\).*/, "", text)
	if (text ~ /[\047\\]/) {
		print "exit_status.h: " name ": a quote or backslash in its text" > "/dev/stderr"
		exit 1
	}
	printf "IOMC_EXIT_%s=%s\n", name, num
	printf "IOMC_EXIT_%s_TEXT=\047%s\047\n", name, text
	names = names " " name
	n++
}
END {
	if (!n) {
		print "exit_status.h: no X(NAME, N, \"text\") line" > "/dev/stderr"
		exit 1
	}
	printf "IOMC_EXIT_NAMES=\047%s\047\n", substr(names, 2)
	print ""
	print "# iomc_exit_help NAME...: the \"Exit status:\" block of a tool\047s --help, the"
	print "# statuses NAME... (OK, USAGE, ...) in the format of iomc_print_exit_statuses()"
	print "# (lib/cli.c): \"  N  meaning\", one line each."
	print "iomc_exit_help() {"
	print "\tlocal name num text"
	print "\techo \"Exit status:\""
	print "\tfor name in \"$@\"; do"
	print "\t\teval \"num=\\$IOMC_EXIT_$name text=\\$IOMC_EXIT_${name}_TEXT\""
	print "\t\tprintf \x27  %s  %s\\n\x27 \"$num\" \"$text\""
	print "\tdone"
	print "}"
}' "$hdr"
