# Helpers of the bench modes (bench.sh, daemon_bench.sh), not a mode of its
# own. Source after /guest/lib.sh: . /guest/bench_lib.sh

# bench_read PREFIX CONFIG [TIMES]: read the scenario driver's benchmark
# TIMES times (default 1; the report keeps the fastest read of each, so a
# host hiccup under TCG does not decide a ratio). Each read prints
#   bench CONFIG IMPL KIND PAIRS NS_PER_PAIR
# lines (bench/bench-report.awk makes the tables) and the result PREFIX_CONFIG.
bench_read() {
	_n=${3:-1}
	while [ "$_n" -gt 0 ]; do
		if out=$(cat $SCN/bench 2>&1); then
			echo "$out" | sed -n "s/^\([a-z]\{1,\} [a-z]\{1,\} [0-9]\{1,\} [0-9.]\{1,\}\)\$/bench $2 \1/p"
			ok "$1_$2"
		else
			not_ok "$1_$2" "reading bench failed: $out"
		fi
		_n=$((_n - 1))
	done
}

# mr_read PREFIX CONFIG [TIMES]: the same for the memremap/memunmap
# benchmark (bench_memremap): "mrbench CONFIG KIND PAIRS NS_PER_PAIR" lines.
mr_read() {
	_n=${3:-1}
	while [ "$_n" -gt 0 ]; do
		if out=$(cat $SCN/bench_memremap 2>&1); then
			echo "$out" | sed -n "s/^memremap \([a-z]\{1,\} [0-9]\{1,\} [0-9.]\{1,\}\)\$/mrbench $2 \1/p"
			ok "$1_$2"
		else
			not_ok "$1_$2" "reading bench_memremap failed: $out"
		fi
		_n=$((_n - 1))
	done
}

# bench_window PREFIX CONFIG: two reads in the kernel-log window PREFIX_CONFIG
# (vm/guest/lib.sh's mark_begin/mark_end).
bench_window() {
	mark_begin "$1_$2"
	bench_read "$1" "$2" 2
	mark_end "$1_$2"
}
