#!/bin/sh
# iomap-vmcheck: check a driver's io_mapping use in a QEMU guest, for CI.
# The tool is the guest runner's vmcheck command (vm/iomcvm/vmcheck.py,
# `python3 -m iomcvm vmcheck`); this wrapper keeps the documented command,
# from the source tree (vmcheck/iomap-vmcheck.sh) and installed
# (bin/iomap-vmcheck, the runner under share/iomap-check/vm).
# `iomap-vmcheck --help` lists the options and the exit statuses.
here=$(dirname "$(readlink -f "$0")")
if [ -n "${IOMC_SHARE:-}" ]; then
	top=$IOMC_SHARE
elif [ -d "$here/../vm/iomcvm" ]; then
	top=$here/..				# the source tree (vmcheck/)
else
	top=$here/../share/iomap-check		# installed (bin/)
fi
# (3 is the exit-status table's SETUP: the table itself is read by python3)
command -v python3 >/dev/null 2>&1 ||
	{ echo "iomap-vmcheck: needs python3 (apt-get install python3)" >&2; exit 3; }
PYTHONPATH=$top/vm${PYTHONPATH:+:$PYTHONPATH} exec python3 -B -m iomcvm vmcheck "$@"
