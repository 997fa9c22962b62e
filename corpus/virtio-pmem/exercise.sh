# virtio-pmem (busybox sh in the guest): nd_pmem binds the device's raw
# namespace (devm_memremap_pages: the region has ND_REGION_PAGEMAP); then it is reconfigured to fsdax through sysfs
# as ndctl create-namespace -m fsdax does (a pfn device with its memmap in
# the namespace), and nd_pmem maps it with devm_memremap_pages
# (MEMORY_DEVICE_FS_DAX). Written through /dev/pmem0 in both modes; then the
# region is disabled (it pins virtio_pmem, the bus provider) so that the
# runner can unload the modules.
set -e
wait_dev() {
	n=0
	while [ ! -b /dev/pmem0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
	[ -b /dev/pmem0 ]
}
rw() {
	dd if=/dev/urandom of=/tmp/pat bs=4096 count=16 2>/dev/null
	dd if=/tmp/pat of=/dev/pmem0 bs=4096 count=16 2>/dev/null
	dd if=/dev/pmem0 of=/tmp/back bs=4096 count=16 2>/dev/null
	cmp /tmp/pat /tmp/back
}
wait_dev
rw
d=/sys/bus/nd/drivers/nd_pmem b=/sys/bus/nd/devices
ns=$(cd $d && ls -d namespace*.* | head -n 1)
region=$(basename "$(readlink -f $b/$ns/..)")
echo "$ns" >$d/unbind
pfn=$(cat $b/$region/pfn_seed)
cat /proc/sys/kernel/random/uuid >$b/$pfn/uuid
echo pmem >$b/$pfn/mode
echo "$ns" >$b/$pfn/namespace
echo "$pfn" >$d/bind
wait_dev
rw
grep -q . $b/$pfn/resource
echo "$pfn" >$d/unbind
for r in /sys/bus/nd/drivers/nd_region/region*; do
	[ -e "$r" ] && echo "${r##*/}" >/sys/bus/nd/drivers/nd_region/unbind
done
echo "virtio-pmem: $ns raw, then $pfn fsdax, 64 KiB through /dev/pmem0 in each"
