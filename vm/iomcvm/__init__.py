"""iomcvm: the host side of iomap-check's QEMU guest runner.

One module per fact the runner needs, each written once:
  exits     the exit statuses (parsed from include/iomap-check/exit_status.h)
  kernels   the guest kernels make, fetch-kernel.sh, vm.sh and iomap-vmcheck know
  protocol  the guest protocol: markers on ttyS1 and in the kernel log, KTAP lines
  splats    which console lines are kernel reports, their tags, their test window
  compose   one boot's verdict: guest results + splats + boot outcome -> KTAP
  closure   the in-kernel modules a driver needs, in load order; .ko unpacking
  initramfs the guest's initramfs
  vm        the runner itself (vm/vm.sh is a wrapper around it)
  vmcheck   iomap-vmcheck: a user's driver under the checker in one guest

The guest side stays busybox shell (vm/guest/). Run as `python3 -m iomcvm
COMMAND` with vm/ on PYTHONPATH; `python3 -m iomcvm --help` lists commands.
"""
import os

# The source tree (or the installed share/iomap-check): this file is
# TOP/vm/iomcvm/__init__.py in both.
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
