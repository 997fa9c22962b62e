# Shared by analyze_guest.sh and analyze_fixtures.sh (bash, sourced).
#
# az_expect LIST OUT_ALL OUT_TRACE: the scenario list's expectations as
#   sorted rule@function lines; OUT_TRACE without might_sleep_in_atomic
#   (traces carry no might-sleep events: only the daemon's hooks see a
#   function that may sleep but did not) and without the memremap rules
#   (memremap has no tracepoint: only the daemon's kprobes and its
#   recordings see it).
# az_expect_trace EXPECT_TRACE TRACE_TEXT OUT: the trace-format expectation
#   for one captured trace. A sleep_in_atomic is only visible in a trace when
#   the task really switched out: under TCG the kernel's own "scheduling while
#   atomic" splat can outlast a short msleep, whose timer then wakes the task
#   before it leaves the CPU (no sched_switch at all; the daemon's might-sleep
#   hook still sees the msleep). So sleep_in_atomic@F is expected exactly when
#   the text shows a voluntary sched_switch of the task between F's atomic
#   map and F's unmap; this is decided here independently of the analyzer.
az_expect_trace() {
	local f
	cp "$1" "$3"
	for f in $(sed -n 's/^sleep_in_atomic@//p' "$1"); do
		az_switched_out "$f" "$2" && continue
		grep -vx "sleep_in_atomic@$f" "$3" >"$3.tmp"
		mv "$3.tmp" "$3"
	done
}

# az_switched_out F TRACE_TEXT: did a task switch out voluntarily while
# holding the atomic map F made? (exit status)
az_switched_out() {
	awk -v f="$1" '
		function pid_of(line,   m) {	# "comm-PID [cpu]" or "comm-PID (tgid) [cpu]"
			if (match(line, /-[0-9]+ +[[(]/)) {
				m = substr(line, RSTART + 1, RLENGTH)
				sub(/ .*/, "", m)
				return m
			}
			return ""
		}
		index($0, "io_mapping_map:") && index($0, "caller=" f "+") &&
		    ($0 ~ /kind=(atomic|0x0|0) /) { open[pid_of($0)] = 1; next }
		index($0, "io_mapping_unmap:") && index($0, "caller=" f "+") { open[pid_of($0)] = 0; next }
		index($0, "sched_switch:") {
			p = ""; st = ""
			if (match($0, /prev_pid=[0-9]+/)) {
				p = substr($0, RSTART + 9, RLENGTH - 9)
				if (match($0, /prev_state=[^ ]+/)) st = substr($0, RSTART + 11, RLENGTH - 11)
			} else if (match($0, /:[0-9]+ \[[0-9]+\] [^ ]+ ==>/)) {
				rest = substr($0, RSTART + 1, RLENGTH - 1)
				p = rest; sub(/ .*/, "", p)
				st = rest; sub(/^[0-9]+ \[[0-9]+\] /, "", st); sub(/ .*/, "", st)
			}
			if (p != "" && open[p] && st != "R" && st != "R+") found = 1
		}
		END { exit !found }' "$2"
}

# az_found JSON: rule@function of each violation in JSON lines, sorted,
#   the function being that of "site".
# az_check NAME EXPECT DIR ANALYZE-ARGS...: run `iomap-check analyze --json`
#   (result files in DIR/NAME.*) and print one KTAP result through az_res.
# The caller defines az_res (ok|not_ok NAME [WHY]) and $an.

az_expect() {
	awk '$2 != "-" { n = split($2, e, ","); for (i = 1; i <= n; i++) print e[i] }' "$1" |
		sort -u >"$2"
	grep -Ev '^(might_sleep_in_atomic|memremap_[a-z_]*|memunmap_[a-z_]*|pagemap_[a-z_]*)@' "$2" >"$3" || :
}

az_found() {
	# the report's own "site", not a held map's (after the first '[')
	grep '^{"rule":' "$1" | sed -n 's/^{"rule":"\([a-z_]*\)"[^[]*"site":"\([^"+ ]*\).*/\1@\2/p' |
		sort -u
}

# az_triples JSON: "rule site map_site" of each report, sorted (the key the
#   daemon and the analyzer both dedup on: one full report per triple)
az_triples() {
	sed -n 's/^{"rule":"\([a-z_]*\)".*,"site":\("[^"]*"\|null\),"map_site":\("[^"]*"\|null\).*/\1 \2 \3/p' \
		"$1" | sort
}

# az_reports JSON: the violation reports, whole, minus their "stack" and
#   "culprit" (a recording carries no stacks, and the culprit is a frame of
#   the stack), one per line, sorted
az_reports() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    if line.startswith("{\"rule\":"):
        o = json.loads(line)
        o.pop("stack", None)
        o.pop("culprit", None)
        print(json.dumps(o, sort_keys=True))' "$1" | sort
}

az_check() {
	local name=$1 exp=$2 dir=$3 rc missing extra
	shift 3
	"$an" analyze --json "$@" >"$dir/$name.json" 2>"$dir/$name.err"
	rc=$?
	az_found "$dir/$name.json" >"$dir/$name.found"
	missing=$(comm -23 "$exp" "$dir/$name.found" | tr '\n' ' ')
	extra=$(comm -13 "$exp" "$dir/$name.found" | tr '\n' ' ')
	if [ $rc != 1 ] && [ $rc != 0 ]; then
		az_res not_ok "analyze_$name" "exit $rc: $(head -c 300 "$dir/$name.err" | tr '\n' ' ')"
	elif [ -n "$missing$extra" ]; then
		az_res not_ok "analyze_$name" "missing: ${missing:-none}; extra: ${extra:-none}"
	else
		az_res ok "analyze_$name ($(wc -l <"$dir/$name.found") rule@function pairs)"
	fi
}
