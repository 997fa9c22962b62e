# The table `make bench-daemon` prints, from the guest log of a
# daemon_bench boot (bench/guest/daemon_bench.sh):
#   bench CONFIG IMPL KIND PAIRS NS_PER_PAIR   (CONFIG off|checkd|bpftrace)
#   bpfstat PROG RUNS NS
#   flood MODE SECONDS OPS INJECTED COUNTED LOST_REPORTS CPU_TICKS HZ RSS_KB
# Where a configuration was read more than once, the fastest read counts.
function keep(k, v) { if (!(k in ns) || v + 0 < ns[k] + 0) ns[k] = v }
function cell(k) { return (k in ns) ? sprintf("%10.1f", ns[k]) : sprintf("%10s", "-") }
/^# iomc: init / { rel = $4 }
$1 == "bench" && NF == 6 {
	keep($2 SUBSEP $3 SUBSEP $4, $6)
	pairs = $5
	if (!($4 in seenk)) { seenk[$4] = 1; kinds[++nk] = $4 }
	next
}
$1 == "bpfstat" && NF == 4 { runs[$2] = $3; rns[$2] = $4; next }
$1 == "flood" && NF == 10 { fl[++nf] = $0; next }
END {
	if (nk == 0) { print "bench-daemon: no results (see the guest log)"; exit 1 }
	printf "iomap-checkd: ns per map/unmap pair on %s, %s pairs per run\n", rel, pairs
	printf "%-8s%10s%10s%10s%10s%12s\n", "kind", "inline", "tp-off", "checkd", "bpftrace", "checkd/bt"
	for (i = 1; i <= nk; i++) {
		k = kinds[i]
		c = "checkd" SUBSEP "module" SUBSEP k; b = "bpftrace" SUBSEP "module" SUBSEP k
		o = "off" SUBSEP "module" SUBSEP k
		ratio = "-"
		if ((c in ns) && (b in ns) && (o in ns) && ns[b] - ns[o] > 0)
			ratio = sprintf("%.2fx", (ns[c] - ns[o]) / (ns[b] - ns[o]))
		printf "%-8s%s%s%s%s%12s\n", k, cell("off" SUBSEP "inline" SUBSEP k), cell(o), cell(c), cell(b), ratio
	}
	print "inline: the kernel's static inline io_mapping; tp-off: iomap_check.ko, no checker;"
	print "checkd: iomap-checkd attached; bpftrace: bench/iomap-check.bt attached instead;"
	print "checkd/bt: the checker's added cost per pair over the bpftrace peer's (< 1: cheaper)."
	if ("iomc_map" in runs && runs["iomc_map"] > 0) {
		printf "BPF run time per event (kernel BPF stats): map %.0f ns, unmap %.0f ns\n",
			rns["iomc_map"] / runs["iomc_map"],
			("iomc_unmap" in runs && runs["iomc_unmap"] > 0) ? rns["iomc_unmap"] / runs["iomc_unmap"] : 0
	}
	for (i = 1; i <= nf; i++) {
		split(fl[i], f, " ")
		printf "flood (%s sites): %d ops in %ss on all CPUs (%.0f/s), %d violations injected, %d counted, %d reports lost; daemon CPU %.1f%%, RSS %d KiB\n",
			f[2], f[4], f[3], f[4] / f[3], f[5], f[6], f[7], 100 * f[8] / f[9] / f[3], f[10]
	}
}
