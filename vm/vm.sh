#!/bin/sh
# Boot a guest kernel in QEMU with the iomap-check modules and run guest
# test modes: the runner is vm/iomcvm (python3 -m iomcvm vm); this wrapper
# keeps the documented command. `vm/vm.sh --help` lists the options and the
# exit statuses.
top=$(cd "$(dirname "$0")/.." && pwd)
PYTHONPATH=$top/vm${PYTHONPATH:+:$PYTHONPATH} exec python3 -B -m iomcvm vm "$@"
