# Format the guest's bench lines for `make bench`.
# Input: guest.log of a `--mode bench` boot, with lines
#   bench CONFIG IMPL KIND PAIRS NS_PER_PAIR     (see bench/guest/bench.sh)
#   # iomc: init RELEASE modes=...
# Output: one row per kind: the kernel's inline io_mapping, this module with
# tracepoints disabled, their ratio (goal <= 1.1x), the module with
# events/io_mapping enabled, and the module with strategy=permap. Where a
# configuration was read more than once the fastest read counts.
# Exit status 1 when no bench line was found.

function keep(k, v) { if (!(k in ns) || v + 0 < ns[k] + 0) ns[k] = v }
function cell(k) { return (k in ns) ? sprintf("%10.1f", ns[k]) : sprintf("%10s", "-") }

/^# iomc: init / { rel = $4 }
$1 == "bench" && NF == 6 {
	keep($2 SUBSEP $3 SUBSEP $4, $6)
	pairs = $5
	if (!($4 in seenk)) { seenk[$4] = 1; kinds[++nk] = $4 }
	next
}
END {
	if (nk == 0) {
		print "bench: no results (see the guest log)"
		exit 1
	}
	printf "ns per map/unmap pair on %s, %s pairs per run%s\n", rel, pairs,
		accel == "" ? "" : " (" accel ")"
	printf "%-8s%10s%10s%8s%10s%10s\n", "kind", "inline", "module", "ratio", "traced", "permap"
	worst = 0
	for (i = 1; i <= nk; i++) {
		k = kinds[i]
		in_ = "tp-off" SUBSEP "inline" SUBSEP k
		mo = "tp-off" SUBSEP "module" SUBSEP k
		ratio = "-"
		if ((in_ in ns) && (mo in ns) && ns[in_] > 0) {
			r = ns[mo] / ns[in_]
			ratio = sprintf("%.2fx", r)
			if (r > worst) { worst = r; wk = k }
		}
		printf "%-8s%s%s%8s%s%s\n", k, cell(in_), cell(mo), ratio,
			cell("tp-on" SUBSEP "module" SUBSEP k), cell("permap" SUBSEP "module" SUBSEP k)
	}
	print "inline: the kernel's static inline io_mapping; module: iomap_check.ko, tracepoints disabled;"
	print "traced: events/io_mapping enabled; permap: strategy=permap (map_wc ioremaps per call)."
	if (worst > 0)
		printf "module/inline, tracepoints disabled: worst %.2fx (%s); goal <= 1.1x: %s\n",
			worst, wk, worst <= 1.1 ? "met" : "NOT met"
}
