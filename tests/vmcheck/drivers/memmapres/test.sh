# RUN for memmapres (busybox sh in the guest): both modules loaded, the
# core first, with its parameters; the range reserved by the command line;
# the kernel's own pmem driver bound to the legacy region (memmap=16M!...).
set -e
grep -q 'memmap=4K\$0x30000000' /proc/cmdline
[ "$(cat /sys/module/memmapres_core/parameters/phys)" = 805306368 ]
grep -qi '30000000-30000fff : reserved' /proc/iomem
dmesg | grep -q 'memmapres: mapped 0x30000000+0x1000, pattern ok'
dmesg | grep -q 'memmapres_user: word 3 is 0x5a5a5a59'
# nd_e820 registers the region; nd_pmem's probe (maybe asynchronous) maps it
n=0
while [ ! -b /dev/pmem0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
[ -b /dev/pmem0 ]
echo "memmapres: parameter, command line, load order and pmem ok"
