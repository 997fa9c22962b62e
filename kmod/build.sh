#!/usr/bin/env bash
# Build iomap_check.ko and iomap_scenarios.ko for one kernel release into
# OUT_DIR (the guest protocol's $(ABS_BUILD)/obj/<release>/kmod/):
#   OUT_DIR/{iomap_check.ko,iomap_scenarios.ko,Module.symvers}
# The kernel's Kbuild (6.1) writes outputs next to the sources, so the
# sources are copied into OUT_DIR and built there:
#   OUT_DIR/             kmod/Kbuild, iomap_check.c, iomap_check_trace.h
#   OUT_DIR/include/     include/iomap-check/*.h
#   OUT_DIR/scenarios/   kmod/scenarios, built with build-driver.sh like
#                        any driver checked by iomap-check
#
# usage: build.sh KREL OUT_DIR      (KCACHE from the environment)
# environment:
#   KDIR            the kernel build tree (default: KCACHE/KREL/build, the
#                   fetched guest kernel); any configured tree works, e.g.
#                   /lib/modules/$(uname -r)/build
#   IOMC_KMOD_ONLY  1: iomap_check.ko only, not the scenario driver
set -euo pipefail
rel=${1:?usage: build.sh KREL OUT_DIR}
out=${2:?usage: build.sh KREL OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
kcache=${KCACHE:-$top/build/kernel}
kdir=${KDIR:-$kcache/$rel/build}
[ -f "$kdir/Makefile" ] || { echo "kmod: no kernel tree $kdir" >&2; exit 1; }

sync() { # sync SRC_FILE... DEST_DIR: copy what changed, keep mtimes
	local dest=${*: -1} f
	mkdir -p "$dest"
	for f in "${@:1:$#-1}"; do
		cmp -s "$f" "$dest/$(basename "$f")" || cp -p "$f" "$dest/"
	done
}
sync "$here/Kbuild" "$here/iomap_check.c" "$here/iomap_check_trace.h" "$out"
sync "$top"/include/iomap-check/*.h "$out/include/iomap-check"

"$here/kmake.sh" "$kcache" "$rel" "$out" \
	--no-print-directory -C "$kdir" M="$out" ${V:+V=$V} -j2 modules
kos=("$out/iomap_check.ko")
if [ "${IOMC_KMOD_ONLY:-0}" != 1 ]; then
	IOMC_SYMVERS=$out/Module.symvers KCACHE=$kcache KDIR=$kdir \
		"$here/build-driver.sh" "$here/scenarios" "$out/scenarios" "$rel"
	cmp -s "$out/scenarios/iomap_scenarios.ko" "$out/iomap_scenarios.ko" ||
		cp -p "$out/scenarios/iomap_scenarios.ko" "$out/"
	kos+=("$out/iomap_scenarios.ko")
fi

# Module BTF is wanted (CO-RE on the module's types), not required.
for ko in "${kos[@]}"; do
	readelf -S "$ko" | grep -q ' \.BTF ' ||
		echo "kmod: warning: $(basename "$ko") has no .BTF section" >&2
done
