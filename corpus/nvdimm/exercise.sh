# nvdimm over ACPI NFIT (busybox sh in the guest): the label-less NVDIMM is
# one raw namespace; nd_pmem binds it and devm_memremap()s it
# (pmem_attach_disk). Write through /dev/pmem0, then unbind/bind the
# namespace three times (devres unmaps, the probe maps again), then disable
# the region (it pins nfit, which the runner unloads). Steps: lib/nd.sh.
set -e
. /opt/corpus/lib/nd.sh
nd_wait_pmem
nd_rw
ns=$(nd_ns)
k=$(nd_rebinds 3)
nd_churn "$ns" "$k"
nd_regions_off
echo "nvdimm: $ns raw, 64 KiB through /dev/pmem0, $k unbind/bind, region disabled"
