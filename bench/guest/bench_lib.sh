# Helpers of the bench modes (bench.sh, daemon_bench.sh), not a mode of its
# own. Source after /guest/lib.sh: . /guest/bench_lib.sh

# _bench_lines FILE SED PREFIX CONFIG TIMES: read $SCN/FILE TIMES times,
# print what the sed script SED makes of it, result PREFIX_CONFIG each time
_bench_lines() {
	_n=${5:-1}
	while [ "$_n" -gt 0 ]; do
		if out=$(cat "$SCN/$1" 2>&1); then
			echo "$out" | sed -n "$2"
			ok "$3_$4"
		else
			not_ok "$3_$4" "reading $1 failed: $out"
		fi
		_n=$((_n - 1))
	done
}

# bench_read PREFIX CONFIG [TIMES]: read the scenario driver's benchmark
# TIMES times (default 1; the report keeps the fastest read of each, so a
# host hiccup under TCG does not decide a ratio). Each read prints
#   bench CONFIG IMPL KIND PAIRS NS_PER_PAIR
# lines (bench/bench-report.awk makes the tables) and the result PREFIX_CONFIG.
bench_read() {
	_bench_lines bench \
		"s/^\([a-z]\{1,\} [a-z]\{1,\} [0-9]\{1,\} [0-9.]\{1,\}\)\$/bench $2 \1/p" \
		"$1" "$2" "${3:-1}"
}

# mr_read PREFIX CONFIG [TIMES]: the same for the memremap/memunmap
# benchmark (bench_memremap): "mrbench CONFIG KIND PAIRS NS_PER_PAIR" lines.
mr_read() {
	_bench_lines bench_memremap \
		"s/^memremap \([a-z]\{1,\} [0-9]\{1,\} [0-9.]\{1,\}\)\$/mrbench $2 \1/p" \
		"$1" "$2" "${3:-1}"
}

# bench_window PREFIX CONFIG: two reads in the kernel-log window PREFIX_CONFIG
# (vm/guest/lib.sh's mark_begin/mark_end).
bench_window() {
	mark_begin "$1_$2"
	bench_read "$1" "$2" 2
	mark_end "$1_$2"
}

# ms_read PREFIX CONFIG [TIMES]: the cost of one might_sleep() (the scenario
# driver's bench_might_sleep): "msbench CONFIG CALLS NS_PER_CALL" lines.
ms_read() {
	_bench_lines bench_might_sleep \
		"s/^might_sleep \([0-9]\{1,\} [0-9.]\{1,\}\)\$/msbench $2 \1/p" \
		"$1" "$2" "${3:-1}"
}

# sys_read PREFIX CONFIG: the syscall-heavy workload (/bin/syscall_bench,
# fastest of 3 runs): a "sysbench CONFIG ITERATIONS NS_PER_ITERATION" line.
SYS_ITER=${SYS_ITER:-20000}
sys_read() {
	if out=$(/bin/syscall_bench "$SYS_ITER" 3 2>&1); then
		echo "$out" | sed -n "s/^syscalls /sysbench $2 /p"
		ok "$1_$2"
	else
		not_ok "$1_$2" "syscall_bench failed: $out"
	fi
}
