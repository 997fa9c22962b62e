# pmem on a memmap= legacy region (busybox sh in the guest): nd_e820 makes
# the region of memmap=16M!0x32000000, nd_pmem binds its raw namespace and
# maps it with devm_memremap_pages (pmem_attach_disk). Write through
# /dev/pmem0, then unbind/bind the namespace three times (devres unmaps, the
# probe maps again), then disable the region (it pins nd_e820, which the
# runner unloads). Steps: lib/nd.sh.
set -e
. /opt/corpus/lib/nd.sh
nd_wait_pmem
nd_rw
ns=$(nd_ns)
k=$(nd_rebinds 3)
nd_churn "$ns" "$k"
nd_regions_off
echo "pmem-legacy: $ns raw, 64 KiB through /dev/pmem0, $k unbind/bind, region disabled"
