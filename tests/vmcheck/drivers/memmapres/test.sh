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
# An enabled region pins its bus provider: nvdimm_bus_probe() takes a
# reference on nd_e820 (to_bus_provider) for each region it binds, so rmmod
# nd_e820 fails with EAGAIN until the region is disabled, as ndctl
# disable-region does (unbinding it takes the namespace and pmem0 down too).
for r in /sys/bus/nd/drivers/nd_region/region*; do
	[ -e "$r" ] && echo "${r##*/}" >/sys/bus/nd/drivers/nd_region/unbind
done
[ ! -b /dev/pmem0 ]
echo "memmapres: parameter, command line, load order and pmem ok"
