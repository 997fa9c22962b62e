# The tables `make bench` and `make bench-daemon` print, from the guest log
# of a bench boot.
#
# usage: awk [-v report=module|daemon] [-v accel=A] -f bench/bench-report.awk guest.log
#
# Input lines:
#   # iomc: init RELEASE modes=...
#   bench CONFIG IMPL KIND PAIRS NS_PER_PAIR   the scenario driver's benchmark
#   mrbench CONFIG KIND PAIRS NS_PER_PAIR      (daemon) a memremap/memunmap pair
#   bpfstat PROG RUNS NS                       (daemon) kernel BPF stats
#   msbench CONFIG CALLS NS_PER_CALL           (daemon) one might_sleep()
#   sysbench CONFIG ITERATIONS NS              (daemon) syscall-heavy workload
#   flood MODE SECONDS OPS INJECTED COUNTED LOST_REPORTS CPU_TICKS HZ RSS_KB
#                                              (daemon) the checker flooded
# report=module (default; bench/guest/bench.sh, CONFIG tp-off|tp-on|permap|window):
# one row per kind: the kernel's inline io_mapping, this module with
# tracepoints disabled, their ratio (goal <= 1.1x), the module with
# events/io_mapping enabled, and the module with strategy=permap and =window.
# report=daemon (bench/guest/daemon_bench.sh, CONFIG off|checkd|bpftrace):
# what iomap-checkd costs per pair against the bpftrace peer, the programs'
# run time per event, the floods.
# Where a configuration was read more than once the fastest read counts.
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
$1 == "mrbench" && NF == 5 {
	k = $2 SUBSEP $3
	if (!(k in mr) || $5 + 0 < mr[k] + 0) mr[k] = $5
	mrpairs = $4
	if (!($3 in seenmr)) { seenmr[$3] = 1; mrk[++nmr] = $3 }
	next
}
$1 == "bpfstat" && NF == 4 { runs[$2] = $3; rns[$2] = $4; next }
$1 == "msbench" && NF == 4 { if (!($2 in ms) || $4 + 0 < ms[$2] + 0) ms[$2] = $4; next }
$1 == "sysbench" && NF == 4 { if (!($2 in sy) || $4 + 0 < sy[$2] + 0) sy[$2] = $4; sysit = $3; next }
$1 == "flood" && NF == 10 { fl[++nf] = $0; next }

END {
	if (nk == 0) {
		print (report == "daemon" ? "bench-daemon" : "bench") ": no results (see the guest log)"
		exit 1
	}
	if (report == "daemon")
		daemon_table()
	else
		module_table()
}

function module_table(    i, k, in_, mo, ratio, r, worst, wk) {
	printf "ns per map/unmap pair on %s, %s pairs per run%s\n", rel, pairs,
		accel == "" ? "" : " (" accel ")"
	printf "%-8s%10s%10s%8s%10s%10s%10s\n", "kind", "inline", "module", "ratio", "traced", "permap", "window"
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
		printf "%-8s%s%s%8s%s%s%s\n", k, cell(in_), cell(mo), ratio,
			cell("tp-on" SUBSEP "module" SUBSEP k), cell("permap" SUBSEP "module" SUBSEP k),
			cell("window" SUBSEP "module" SUBSEP k)
	}
	print "inline: the kernel's static inline io_mapping; module: iomap_check.ko, tracepoints disabled;"
	print "traced: events/io_mapping enabled; permap: strategy=permap (map_wc ioremaps per call);"
	print "window: strategy=window (local/atomic maps set and clear a window page's entry, invlpg each)."
	if (worst > 0)
		printf "module/inline, tracepoints disabled: worst %.2fx (%s); goal <= 1.1x: %s\n",
			worst, wk, worst <= 1.1 ? "met" : "NOT met"
}

function daemon_table(    i, k, c, b, o, ratio, f) {
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
	if (nmr) {
		printf "memremap/memunmap pair, ns (%s pairs per run; probes per pair: 2 kprobes + 1 kretprobe):\n", mrpairs
		printf "%-8s%10s%10s%10s\n", "kind", "off", "checkd", "added"
		for (i = 1; i <= nmr; i++) {
			k = mrk[i]; o = "off" SUBSEP k; c = "checkd" SUBSEP k
			printf "%-8s%10s%10s%10s\n", k, (o in mr) ? sprintf("%.1f", mr[o]) : "-",
				(c in mr) ? sprintf("%.1f", mr[c]) : "-",
				((o in mr) && (c in mr)) ? sprintf("%.1f", mr[c] - mr[o]) : "-"
		}
		print "wbram: WB memremap of a RAM page (the direct map); wcbar: WC memremap of a VGA BAR page."
	}
	if ("off" in ms) {
		printf "might-sleep hooks, no atomic map held (gate closed):\n"
		printf "%-30s%10s%10s%10s\n", "", "off", "noalloc", "checkd"
		printf "%-30s%10s%10s%10s\n", "ns per might_sleep()", ms["off"],
			("noalloc" in ms) ? ms["noalloc"] : "-", ("checkd" in ms) ? ms["checkd"] : "-"
		if ("off" in sy)
			printf "%-30s%10s%10s%10s\n", "ns per syscall_bench iteration", sy["off"],
				("noalloc" in sy) ? sy["noalloc"] : "-", ("checkd" in sy) ? sy["checkd"] : "-"
		if (("checkd" in ms))
			printf "added per might_sleep(): %.1f ns (checkd, default options)\n", ms["checkd"] - ms["off"]
		if (("off" in sy) && ("checkd" in sy) && sy["off"] > 0)
			printf "syscall workload (%s iterations of open/close + pipe write/read): checkd %+.1f%%, noalloc %s; goal <= +5%%: %s\n",
				sysit, 100 * (sy["checkd"] / sy["off"] - 1),
				("noalloc" in sy) ? sprintf("%+.1f%%", 100 * (sy["noalloc"] / sy["off"] - 1)) : "-",
				sy["checkd"] <= 1.05 * sy["off"] ? "met" : "NOT met"
		print "off: no checker; noalloc: --might-sleep noalloc; checkd: the default (every hook)."
	}
	if ("iomc_ms_resched" in runs && runs["iomc_ms_resched"] > 0)
		printf "BPF run time per __cond_resched hit (kernel BPF stats): %.0f ns over %d runs\n",
			rns["iomc_ms_resched"] / runs["iomc_ms_resched"], runs["iomc_ms_resched"]
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
