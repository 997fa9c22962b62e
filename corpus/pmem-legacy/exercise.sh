# pmem on a memmap= legacy region (busybox sh in the guest): nd_e820 makes
# the region of memmap=16M!0x32000000, nd_pmem binds its raw namespace and
# maps it with devm_memremap_pages (pmem_attach_disk). Write through /dev/pmem0, then unbind/bind the
# namespace three times (devres unmaps, the probe maps again), then disable
# the region: an enabled region pins the bus provider (nd_e820), which the
# runner unloads.
set -e
n=0
while [ ! -b /dev/pmem0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
[ -b /dev/pmem0 ]
dd if=/dev/urandom of=/tmp/pat bs=4096 count=16 2>/dev/null
dd if=/tmp/pat of=/dev/pmem0 bs=4096 count=16 2>/dev/null
dd if=/dev/pmem0 of=/tmp/back bs=4096 count=16 2>/dev/null
cmp /tmp/pat /tmp/back
d=/sys/bus/nd/drivers/nd_pmem
ns=$(cd $d && ls -d namespace*.* | head -n 1)
for i in 1 2 3; do
	echo "$ns" >$d/unbind
	[ ! -b /dev/pmem0 ]
	echo "$ns" >$d/bind
	[ -b /dev/pmem0 ]
done
for r in /sys/bus/nd/drivers/nd_region/region*; do
	[ -e "$r" ] && echo "${r##*/}" >/sys/bus/nd/drivers/nd_region/unbind
done
echo "pmem-legacy: $ns raw, 64 KiB through /dev/pmem0, 3 unbind/bind, region disabled"
