# Classify kernel splats in a guest console log and attribute each to the
# test window it happened in.
#
# Input: the kernel console (ttyS0) with every printk. Guest scripts mark
# their tests through /dev/kmsg:
#   iomap-check: begin MODE/NAME expect=TAGS     (TAGS: "-" or tag,tag...)
#   iomap-check: end MODE/NAME
# Output, tab separated, one line per splat title line:
#   CLASS  WINDOW  TAG  DECLARED  TEXT
# CLASS is "fatal" (oops, panic: the guest's state is gone) or "splat" (a
# WARN or BUG report the kernel survived); WINDOW is MODE/NAME or "-"
# outside any window; TAG names the report (e.g. scheduling_while_atomic,
# warning); DECLARED is 1 when the window's TAGS expected it. Windows
# themselves are listed as "window NAME TAGS" lines so that a consumer can
# tell a clean test from a test that never ran.
#
# A declared tag matches a splat whose TAG equals it or starts with it;
# "warning" matches any WARNING, "any" matches every non-fatal splat.
# Fatal reports are never declarable.
#
# usage: awk -f vm/splat-class.awk -f vm/splats.awk CONSOLE.log
# (splat-class.awk: which lines are splats, and their tags)

function declared(tag, text,    n, i, d, parts) {
	if (decl == "" || decl == "-")
		return 0
	n = split(decl, parts, ",")
	for (i = 1; i <= n; i++) {
		d = parts[i]
		sub(/^kernel:/, "", d)
		if (d == "any" || d == tag || index(tag, d) == 1)
			return 1
		if (d == "warning" && text ~ /WARNING:/)
			return 1
	}
	return 0
}

BEGIN { OFS = "\t"; win = "-"; decl = "" }

{
	line = $0
	sub(/^.*\[ *[0-9]+\.[0-9]+\] /, "", line)	# printk timestamp
	gsub(/\t/, " ", line)
}

line ~ /iomap-check: begin [^ ]+/ {
	n = split(substr(line, index(line, "iomap-check: begin ") + 19), f, " ")
	win = f[1]
	decl = ""
	for (i = 2; i <= n; i++)
		if (f[i] ~ /^expect=/)
			decl = substr(f[i], 8)
	print "window", win, decl == "" ? "-" : decl
	next
}
line ~ /iomap-check: end / { win = "-"; decl = ""; next }

(c = splat_class(line)) == "fatal" {
	print "fatal", win, "oops", 0, line
	next
}
c == "splat" {
	t = splat_tag(line)
	print "splat", win, t, declared(t, line), line
}
