#!/usr/bin/env bash
# Run the analyzer's libFuzzer targets for a while each; KTAP on stdout.
#
# usage: run.sh --bindir DIR --workdir DIR [--seeds DIR] [--seconds N] [--fresh] [TARGET...]
#   Each target fuzzes from the seeds (SEEDS/<t>, default WORKDIR/seeds:
#   generated ones and the guest captures of tests/host/analyze/), the
#   committed corpus (tests/fuzz/corpus/<t>, traces captured in the guest)
#   and what earlier runs found (WORKDIR/corpus/<t>, kept between runs).
#   Crash reproducers land in WORKDIR/artifacts/<t>-crash-*. --fresh starts
#   from the seeds only (the short run in make check: loading a corpus grown
#   by long runs would eat its few seconds).
set -u
here=$(cd "$(dirname "$0")" && pwd)
bindir= workdir= seeds= secs=3 fresh=0
targets=()
while [ $# -gt 0 ]; do
	case $1 in
	--bindir) bindir=$2; shift 2 ;;
	--workdir) workdir=$2; shift 2 ;;
	--seconds) secs=$2; shift 2 ;;
	--seeds) seeds=$2; shift 2 ;;
	--fresh) fresh=1; shift ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) targets+=("$1"); shift ;;
	esac
done
[ -n "$bindir" ] && [ -n "$workdir" ] || { echo "usage: run.sh --bindir DIR --workdir DIR [--seconds N]" >&2; exit 2; }
[ ${#targets[@]} -gt 0 ] || targets=(ftrace tcreport perf record tracedat)
seeds=${seeds:-$workdir/seeds}

echo "KTAP version 1"
echo "1..${#targets[@]}"
n=0
for t in "${targets[@]}"; do
	n=$((n + 1))
	bin=$bindir/fuzz_$t
	corpus=$workdir/corpus/$t
	[ $fresh = 1 ] && rm -rf "$corpus"
	mkdir -p "$corpus" "$workdir/artifacts" "$workdir/log"
	log=$workdir/log/$t.log
	dirs=("$corpus" "$seeds/$t")
	[ -d "$here/corpus/$t" ] && dirs+=("$here/corpus/$t")
	dict=()
	extra=()
	case $t in
	record) ;;
	# libtracecmd runs in a child process (src/analyze_tracedat.c): its
	# allocations are not the analyzer's, let the child's watchdog end it
	tracedat) extra=(-malloc_limit_mb=1048576) ;;
	*) dict=(-dict="$here/text.dict") ;;
	esac
	# -rss_limit: the analyzer's memory must stay small whatever the input
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=512 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$workdir/artifacts/$t-" \
		"${dict[@]}" "${extra[@]}" "${dirs[@]}" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	crashes=$(ls "$workdir/artifacts/$t-"* 2>/dev/null | wc -l)
	if [ $rc = 0 ]; then
		echo "ok $n fuzz_$t # ${execs:-?} execs in ${secs}s, corpus $(ls "$corpus" | wc -l) units"
	else
		echo "# fuzz_$t exited $rc; last lines of $log:"
		grep -E 'ERROR|SUMMARY|Test unit written|deadly signal' "$log" | head -5 | sed 's/^/# /'
		echo "not ok $n fuzz_$t # ${execs:-?} execs, $crashes artifact(s) in $workdir/artifacts"
	fi
done
