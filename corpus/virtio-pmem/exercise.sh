# virtio-pmem (busybox sh in the guest): nd_pmem binds the device's raw
# namespace (devm_memremap_pages: the region has ND_REGION_PAGEMAP); then it
# is reconfigured to fsdax through sysfs as ndctl create-namespace -m fsdax
# does (a pfn device with its memmap in the namespace), and nd_pmem maps it
# with devm_memremap_pages (MEMORY_DEVICE_FS_DAX). Written through
# /dev/pmem0 in both modes; then the region is disabled (it pins
# virtio_pmem, the bus provider) so that the runner can unload the modules.
# Steps: lib/nd.sh.
set -e
. /opt/corpus/lib/nd.sh
nd_wait_pmem
nd_rw
ns=$(nd_ns)
pfn=$(nd_claim pfn "$ns")
echo "$pfn" >$nd_drv/bind
nd_wait_pmem
nd_rw
grep -q . $nd_dev/$pfn/resource
echo "$pfn" >$nd_drv/unbind
nd_regions_off
echo "virtio-pmem: $ns raw, then $pfn fsdax, 64 KiB through /dev/pmem0 in each"
