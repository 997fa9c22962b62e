# What counts as a kernel splat in a console line, written once for the
# harness's classifier (vm/splats.awk) and iomap-vmcheck's report extractor
# (vm/kernel-reports.awk). A library: load it first, awk -f splat-class.awk
# -f PROGRAM.
#
# splat_class(line): "fatal" (oops, panic: the guest's state is gone),
# "splat" (a WARN or BUG report the kernel survived) or "" (not a title line).
# splat_tag(text): the report's name, e.g. scheduling_while_atomic, warning.

function splat_class(l) {
	if (l ~ /Kernel panic|Oops:|BUG: unable to handle|general protection fault|kernel BUG at|BUG: kernel NULL pointer dereference|Attempted to kill init/)
		return "fatal"
	if (l ~ /WARNING:|BUG:|UBSAN:|INFO: task .* blocked for more than|rcu: INFO:|INFO: rcu_/)
		return "splat"
	return ""
}

function splat_tag(text,    t) {
	t = text
	if (t ~ /WARNING: CPU: [0-9]+ PID: [0-9]+/)
		return "warning"
	if (t ~ /INFO: task .* blocked for more than/)
		return "hung_task"
	if (t ~ /rcu: INFO:|INFO: rcu_/)
		return "rcu_stall"
	if (t ~ /UBSAN: /)
		sub(/ in .*$/, "", t)
	sub(/^.*(BUG|WARNING|UBSAN|INFO): */, "", t)
	sub(/ at .*$/, "", t)
	sub(/:.*$/, "", t)
	t = tolower(t)
	gsub(/[^a-z0-9]+/, "_", t)
	gsub(/^_+|_+$/, "", t)
	return t == "" ? "unknown" : t
}
