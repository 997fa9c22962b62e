#!/usr/bin/env bash
# `iomap-check analyze` on damaged and foreign trace.dat (issue 16, items 3-5):
# the committed guest capture (tests/fuzz/corpus/tracedat, 363 events, two
# real lifos on CPU 1) damaged deterministically by tests/host/tracedat_edit.py.
# Nothing lost may pass silently, no rule may be decided on half the events.
# KTAP on stdout.
#
# usage: analyze_tracedat.sh [BUILD_DIR]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${ABS_BUILD:-$top/build}}
an=$build/bin/iomap-check
edit="python3 $top/tests/host/tracedat_edit.py"
dat=$top/tests/fuzz/corpus/tracedat
work=$build/check/analyze-tracedat
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 2
n=0
. "$top/tests/host/ktap_lib.sh"
rules() { grep -o '"rule":"[a-z_]*"' "$1.out" | sort | uniq -c | tr -s ' \n' ' '; }
# the rules reported, other than the capture's two real lifos
false_rules() { grep -o '"rule":"[a-z_]*"' "$1.out" | grep -v '"lifo"'; }

echo "KTAP version 1"
echo "1..9"

# the intact captures: no loss claimed, the two lifos found (guards the
# damage checks against false alarms)
ok=1
for f in capture-6.1-v6 capture-6.1-v7-zstd; do
	run "$f" "$an" analyze --json "$dat/$f"
	[ "$(rc "$f")" = 1 ] && [ "$(grep -c '"rule":"lifo"' "$f.out")" = 2 ] &&
		! grep -q '"type":"lost"' "$f.out" && ! grep -q "lost\|cannot" "$f.err" &&
		grep -q "363 events checked" "$f.err" || ok=0
done
[ $ok = 1 ] && res ok "tracedat_intact_captures_no_loss_two_lifos" ||
	res fail "tracedat_intact_captures_no_loss_two_lifos" "$(head -c 300 capture-6.1-v6.err capture-6.1-v7-zstd.err)"

# item 3: one byte of CPU 1's zstd chunk flipped: zstd (no checksum) gives
# garbage that libtracecmd turns into records of unknown ids; before: exit 0,
# 285 of 363 events, no warning, both lifos gone
$edit "$dat/capture-6.1-v7-zstd" zstd.dat zstd-flip 1 640
run zstd "$an" analyze --json zstd.dat
if [ "$(rc zstd)" = 0 ] && grep -q "zstd.dat: CPU 1, offset 0x[0-9a-f]*: .*cannot be decoded and is lost" zstd.err &&
   grep -q "drop markers\? (" zstd.err && grep -q '"type":"lost"' zstd.out && [ -z "$(false_rules zstd)" ]; then
	res ok "tracedat_damaged_zstd_page_is_a_loss"
else
	res fail "tracedat_damaged_zstd_page_is_a_loss" "exit $(rc zstd): $(head -c 300 zstd.err) $(rules zstd)"
fi

# item 3: a page libtracecmd cannot read (page 1 of CPU 1 says it holds 64 KiB)
# ends its iteration of the CPU silently; before: exit 0, 248 events, no word
$edit "$dat/capture-6.1-v6" page.dat page-size 1 1
run page "$an" analyze --json page.dat
if [ "$(rc page)" = 0 ] && grep -q "page.dat: CPU 1, offset 0x[0-9a-f]*: libtracecmd cannot read this CPU's data after it" page.err &&
   grep -q "1 drop marker" page.err && grep -q '"type":"lost"' page.out && [ -z "$(false_rules page)" ]; then
	res ok "tracedat_unreadable_page_is_a_loss"
else
	res fail "tracedat_unreadable_page_is_a_loss" "exit $(rc page): $(head -c 300 page.err) $(rules page)"
fi

# item 3: a record whose event id has no format in the file (a sched_switch's
# common_type overwritten) was counted as "other"; now its page is lost
$edit "$dat/capture-6.1-v6" id.dat set-field sched_switch 5 common_type 4711
run id "$an" analyze --json id.dat
if grep -q "id.dat: CPU 0, offset 0x[0-9a-f]*: event id 4711 has no format in the file: the page" id.err &&
   grep -q '"type":"lost"' id.out && [ -z "$(false_rules id)" ]; then
	res ok "tracedat_unknown_event_id_is_a_loss"
else
	res fail "tracedat_unknown_event_id_is_a_loss" "exit $(rc id): $(head -c 300 id.err)"
fi

# item 4: io_mapping_map's vaddr renamed, its caller gone, the event renamed
# (captures of another module version); before: map events dropped, 10 false
# unknown_unmap, the lifos gone. Now refused, naming event and field.
ok=1 why=
for edit_args in "rename-field io_mapping_map vaddr vaddx:vaddr" \
		 "drop-field io_mapping_map caller:caller" \
		 "rename-event io_mapping_map io_mapping_mop:no format for event"; do
	want=${edit_args#*:}
	$edit "$dat/capture-6.1-v6" fmt.dat ${edit_args%%:*}
	run fmt "$an" analyze --json fmt.dat
	if [ "$(rc fmt)" != 2 ] || ! grep -q "io_mapping:io_mapping_map.*$want\|$want.*io_mapping:io_mapping_map" fmt.err ||
	   grep -q '"rule"' fmt.out; then
		ok=0 why="$why ${edit_args%%:*}: exit $(rc fmt) $(head -c 200 fmt.err) $(rules fmt);"
	fi
done
[ $ok = 1 ] && res ok "tracedat_foreign_io_mapping_format_refused_exit_2" ||
	res fail "tracedat_foreign_io_mapping_format_refused_exit_2" "$why"

# item 4, compressed: the same file converted to version 7 by trace-cmd
$edit "$dat/capture-6.1-v6" fmt6.dat rename-field io_mapping_map vaddr vaddx
if trace-cmd convert -i fmt6.dat --file-version 7 --compression zstd -o fmt7.dat >/dev/null 2>&1; then
	run fmt7 "$an" analyze fmt7.dat
	[ "$(rc fmt7)" = 2 ] && grep -q "event io_mapping:io_mapping_map lacks field vaddr" fmt7.err &&
		res ok "tracedat_foreign_format_v7_zstd_refused_exit_2" ||
		res fail "tracedat_foreign_format_v7_zstd_refused_exit_2" "exit $(rc fmt7): $(head -c 200 fmt7.err)"
else
	res fail "tracedat_foreign_format_v7_zstd_refused_exit_2" "trace-cmd convert failed"
fi

# item 4: a format libtraceevent 1.7 cannot parse (ctx renamed: its print fmt
# names REC->ctx in __print_symbolic) crashes it while opening: contained,
# exit 2, no verdict
$edit "$dat/capture-6.1-v6" ctx.dat rename-field io_mapping_map ctx ctz
run ctx "$an" analyze --json ctx.dat
[ "$(rc ctx)" = 2 ] && ! grep -q '"rule"' ctx.out &&
	res ok "tracedat_unparsable_foreign_format_exit_2" ||
	res fail "tracedat_unparsable_foreign_format_exit_2" "exit $(rc ctx): $(head -c 200 ctx.err)"

# item 5: the first io_mapping_map with kind 7 was skipped as "malformed
# (line 0)" without a loss: its unmap became a false unknown_unmap. Now a
# loss of one event, said with its CPU and offset.
$edit "$dat/capture-6.1-v6" kind.dat set-field io_mapping_map 0 kind 7
run kind "$an" analyze --json kind.dat
if [ "$(rc kind)" = 1 ] && [ -z "$(false_rules kind)" ] &&
   [ "$(grep -c '"rule":"lifo"' kind.out)" = 2 ] &&
   grep -q "kind.dat: CPU 1, offset 0x[0-9a-f]*: io_mapping_map record with kind 7, ctx 0 out of range: lost" kind.err &&
   grep -q "1 drop marker (1 events lost" kind.err && ! grep -q "line 0\|kind.dat:0:" kind.err; then
	res ok "tracedat_out_of_range_kind_is_a_loss_with_position"
else
	res fail "tracedat_out_of_range_kind_is_a_loss_with_position" "exit $(rc kind): $(head -c 300 kind.err) $(rules kind)"
fi

# -q: the losses are still counted and forgotten, not said
run kindq "$an" analyze -q --json kind.dat
[ "$(rc kindq)" = 1 ] && [ ! -s kindq.err ] && [ -z "$(false_rules kindq)" ] &&
	grep -q '"type":"lost"' kindq.out &&
	res ok "tracedat_losses_quiet_with_q" ||
	res fail "tracedat_losses_quiet_with_q" "exit $(rc kindq): $(head -c 200 kindq.err)"
