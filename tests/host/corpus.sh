#!/usr/bin/env bash
# corpus/run's verdicts, without a guest (KTAP on stdout): a fake
# iomap-vmcheck prints what the real one prints (KTAP steps, the checker's
# JSON summary and reports) for a fake entry built from a fake kernel tree,
# and the runner must call a clean case ok only when the checker attached,
# saw events and reported nothing, and a mutation ok only when the
# expected rule names the expected function; never green when nothing was
# checked. Also: every real entry's files parse and its patches have the
# headers the runner reads.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${ABS_BUILD:-$top/build}
t=$build/check/corpus-host
rm -rf "$t" && mkdir -p "$t/corpus/fake/" "$t/linux/drivers/fake" "$t/abs"
results=()
ok() { results+=("ok N $*"); }
not_ok() { results+=("not ok N $1 # $2"); }
check() { if eval "$2"; then ok "$1"; else not_ok "$1" "${3:-failed}"; fi; }

# The fake tool: its behaviour is the word after "fake=" among its
# arguments (a case's `# args: --qemu-arg fake=MODE`) or the content of
# the driver's `mode` file (a mutation's patch changes it).
cat >"$t/vmcheck" <<'EOF'
#!/usr/bin/env bash
mode= drv=
for a in "$@"; do
	case $a in fake=*) mode=${a#fake=} ;; esac
	[ "${prev:-}" = --driver ] && drv=$a
	prev=$a
done
[ -n "$mode" ] || mode=$(cat "$drv/mode")
echo "$*" >>"${0%/*}/calls"
att='ok 2 fake vmcheck: setup: iomap-checkd attached'
sum() { echo "{\"type\":\"summary\",\"final\":true,\"events\":$1,\"memremap_events\":$2,\"violations\":$3}"; }
rep='{"rule":"leak_on_unload","site":"fake_init+0x1c/0x90 [fake]","culprit":"fake_probe.cold+0x4/0x9 [fake]"}'
case $mode in
clean) echo "$att"; sum 120 0 0; exit 0 ;;
memclean) echo "$att"; sum 0 7 0; exit 0 ;;
nothing) echo "$att"; sum 0 0 0; exit 0 ;;
noattach) echo "ok 1 fake vmcheck: setup: insmod iomap_check.ko"; exit 0 ;;
noisy) echo "$att"; echo "$rep"; sum 120 0 1; exit 1 ;;
mutant) echo "$att"; echo "$rep"; sum 120 0 1; exit 1 ;;
silent) echo "$att"; sum 120 0 0; exit 0 ;;
esac
exit 3
EOF
chmod +x "$t/vmcheck"
mkdir -p "$t/corpus/lib" && echo 'h() { :; }' >"$t/corpus/lib/h.sh"
echo clean >"$t/linux/drivers/fake/mode"
echo 'obj-m := fake.o' >"$t/linux/drivers/fake/Makefile"
cat >"$t/corpus/fake/entry" <<'EOF'
SRC=drivers/fake
NEED=events
KERNELS="6.1 6.12"
EOF
mkpatch() { # NAME MODE EXPECT
	{
		echo "# class: test"
		[ -z "$3" ] || echo "# expect: $3"
		printf -- '--- a/mode\n+++ b/mode\n@@ -1 +1 @@\n-clean\n+%s\n' "$2"
	} >"$t/corpus/fake/$1.patch"
}
mkpatch mutant mutant "leak_on_unload fake_init"
mkpatch byculprit mutant "leak_on_unload fake_probe"
mkpatch wrongfunc mutant "leak_on_unload fake_remove"
mkpatch wrongrule mutant "lifo fake_init"
mkpatch missed silent "leak_on_unload fake_init"
mkpatch noisy noisy ""
for m in nothing noattach; do
	printf '# class: test\n# args: --qemu-arg fake=%s\n' "$m" >"$t/corpus/fake/$m.patch"
done

rel=$("$top/scripts/fetch-kernel.sh" "${KERNEL:-6.1}" "$build/kernel") || rel=
ln -s "$build/kernel" "$t/abs/kernel"
run() {
	ABS_BUILD=$t/abs CORPUS_DIR=$t/corpus CORPUS_LINUX_SRC=$t/linux CORPUS_VMCHECK=$t/vmcheck \
		"$top/corpus/run" --kernels "$rel" "$@" >"$t/out" 2>"$t/err"
	rc=$?
}
line() { grep -E "^corpus: fake $1 kernel=$rel events=$2 memremaps=$3 violations=$4 verdict=$5\$" "$t/out" >/dev/null; }

if [ -z "$rel" ]; then
	not_ok "corpus: a kernel to run the fake on" "fetch-kernel.sh ${KERNEL:-6.1} failed"
else
	run fake/clean
	check "corpus: a clean case that attached, saw events, reported nothing: ok, exit 0" \
		'[ $rc = 0 ] && line clean 120 0 0 ok && grep -q "^corpus: 1 drivers, 1 cases, 0 failed$" "$t/out"' \
		"$(tr '\n' ' ' <"$t/out")"
	check "corpus: corpus/lib's files go to every guest as /opt/corpus/lib/NAME" \
		'grep -q -- "--extra $t/corpus/lib/h.sh:/opt/corpus/lib/h.sh" "$t/calls"' "$(tail -n 1 "$t/calls")"
	grep -q -- "--driver $t/abs/corpus/work/$rel/fake/clean/src" "$t/calls" &&
		[ "$(cat "$t/abs/corpus/work/$rel/fake/clean/src/mode")" = clean ] &&
		ok "corpus: the clean case builds an unchanged copy of SRC" ||
		not_ok "corpus: the clean case builds an unchanged copy of SRC" "$(tail -n 1 "$t/calls")"
	run fake/nothing
	check "corpus: a clean case with no event: FAIL (nothing was checked), exit 1" \
		'[ $rc = 1 ] && line nothing 0 0 0 FAIL && grep -q "nothing was checked" "$t/out"' "$(tr '\n' ' ' <"$t/out")"
	run fake/noattach
	check "corpus: a clean case where the checker did not attach: FAIL" \
		'[ $rc = 1 ] && line noattach 0 0 0 FAIL && grep -q "did not attach" "$t/out"' "$(tr '\n' ' ' <"$t/out")"
	run fake/noisy
	check "corpus: a clean case with a report: FAIL, the report named" \
		'[ $rc = 1 ] && line noisy 120 0 1 FAIL && grep -q "reported: leak_on_unload@fake_init" "$t/out"' \
		"$(tr '\n' ' ' <"$t/out")"
	run fake/mutant fake/byculprit
	check "corpus: a mutation reported with its rule, at its site or in its culprit (.cold stripped): ok" \
		'[ $rc = 0 ] && line mutant 120 0 1 ok && line byculprit 120 0 1 ok' "$(tr '\n' ' ' <"$t/out")"
	run fake/wrongfunc
	check "corpus: a mutation reported in another function: FAIL" \
		'[ $rc = 1 ] && line wrongfunc 120 0 1 FAIL' "$(tr '\n' ' ' <"$t/out")"
	run fake/wrongrule
	check "corpus: a mutation reported under another rule: FAIL" \
		'[ $rc = 1 ] && line wrongrule 120 0 1 FAIL' "$(tr '\n' ' ' <"$t/out")"
	run fake/missed
	check "corpus: a mutation the checker missed: FAIL" \
		'[ $rc = 1 ] && line missed 120 0 0 FAIL && grep -q "reported: nothing" "$t/out"' "$(tr '\n' ' ' <"$t/out")"
	sed -i 's/^NEED=events/NEED=memremaps/' "$t/corpus/fake/entry"
	run fake/clean
	check "corpus: NEED=memremaps and only io_mapping events: FAIL" \
		'[ $rc = 1 ] && line clean 120 0 0 FAIL && grep -q "no memremaps seen" "$t/out"' "$(tr '\n' ' ' <"$t/out")"
	sed -i 's/^NEED=memremaps/NEED=events/' "$t/corpus/fake/entry"
	ABS_BUILD=$t/abs CORPUS_DIR=$t/corpus CORPUS_LINUX_SRC=$t/linux CORPUS_VMCHECK=$t/vmcheck \
		"$top/corpus/run" --ktap --kernels "$rel" fake/clean fake/nothing >"$t/ktap" 2>&1
	rc=$?
	check "corpus --ktap: exit 0, a plan and one result per case" \
		'[ $rc = 0 ] && grep -q "^1\.\.2$" "$t/ktap" && grep -q "^ok 1 corpus fake clean" "$t/ktap" &&
			grep -q "^not ok 2 corpus fake nothing" "$t/ktap"' "$(tr '\n' ' ' <"$t/ktap")"
fi
ABS_BUILD=$t/abs CORPUS_DIR=$t/corpus "$top/corpus/run" fake/nosuch >"$t/out" 2>&1
rc=$?
check "corpus: an unknown case: exit 2, named" '[ $rc = 2 ] && grep -q "no case .nosuch. in fake" "$t/out"'

# The real entries: each entry file parses, each patch has a class, and
# an expect header of two words (RULE FUNCTION) when it has hunks.
for e in "$top"/corpus/*/entry; do
	d=${e%/entry} n=${e%/entry}
	n=${n##*/}
	bash -n "$e" && (set -u; . "$e"; [ -n "${SRC:-}${SHIPPED:-}" ] && [ -n "${KERNELS:-}" ]) ||
		{ not_ok "corpus entry $n: parses, has SRC or SHIPPED and KERNELS" "$e"; continue; }
	[ -f "$d/exercise.sh" ] && ! sh -n "$d/exercise.sh" && { not_ok "corpus entry $n: exercise.sh parses" "sh -n"; continue; }
	bad=
	for l in $(sed -n 's|^\. /opt/corpus/lib/\([^ ]*\).*|\1|p' "$d/exercise.sh" 2>/dev/null); do
		[ -f "$top/corpus/lib/$l" ] && sh -n "$top/corpus/lib/$l" || bad+=" exercise.sh:lib/$l"
	done
	for p in "$d"/*.patch; do
		[ -f "$p" ] || continue
		grep -q '^# class: ' "$p" || bad+=" ${p##*/}:class"
		if grep -q '^@@ ' "$p"; then
			grep -qE '^# expect: [a-z_]+ [A-Za-z_][A-Za-z0-9_]*$' "$p" || bad+=" ${p##*/}:expect"
		fi
	done
	[ -z "$bad" ] && ok "corpus entry $n: entry, exercise.sh and patch headers well formed" ||
		not_ok "corpus entry $n: entry, exercise.sh and patch headers well formed" "$bad"
done

echo "KTAP version 1"
echo "1..${#results[@]}"
i=0
for r in "${results[@]}"; do
	i=$((i + 1))
	echo "${r/ N / $i }"
done
