# The kernel's own reports in a guest console log, for iomap-vmcheck: each
# splat's title line (vm/splat-class.awk decides which) and what follows it,
# up to the end of the trace (or 60 lines), with the step (the
# "iomap-check: begin STEP" window) it happened in; a WARN's lines between
# "cut here" and its title come first.
#
# usage: awk -f vm/splat-class.awk -f vm/kernel-reports.awk CONSOLE.log
# Exit status 1 when there is no report.

/iomap-check: begin / { s = $0; sub(/.*iomap-check: begin /, "", s); sub(/ .*/, "", s); step = s; left = 0; next }
/iomap-check: end / { step = ""; left = 0; next }
# A WARN starts with "cut here" and its message before the title line.
/-+\[ cut here \]-+/ { if (left > 0) print ""; left = 0; pend = ""; npend = 3; next }
splat_class($0) != "" {
	if (left > 0) print ""
	n++
	printf "# kernel report %d (%s):\n", n, step == "" ? "outside the steps" : "during " step
	printf "%s", pend
	pend = ""; npend = 0
	left = 60
}
left == 0 && npend > 0 { pend = pend $0 "\n"; npend--; next }
left > 0 {
	print
	if (--left == 0 || $0 ~ /---\[ end (trace|Kernel panic)/) { left = 0; print "" }
}
END { exit n == 0 }
