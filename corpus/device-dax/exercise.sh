# device-dax (busybox sh in the guest; no ndctl: the guest has no Debian
# userspace, so sysfs as ndctl create-namespace -m devdax does it): the
# virtio-pmem raw namespace becomes a dax device (dax_pmem writes its info
# block), device_dax binds dax0.0 and devm_memremap_pages() it
# (MEMORY_DEVICE_GENERIC, dev_dax_probe); unbind/bind it twice (a case's
# `# args: --append corpus.rebinds=N` says how often: a mutation that leaks
# the map at unbind sets 0, see plain-memremap-pages.patch); then back
# down, the region disabled so that the runner can unload the modules.
# Steps: lib/nd.sh.
set -e
. /opt/corpus/lib/nd.sh
rebinds=$(nd_rebinds 2)
nd_wait_pmem
ns=$(nd_ns)
dax=$(nd_claim dax "$ns")
echo "$dax" >/sys/bus/nd/drivers/dax_pmem/bind
n=0
while [ ! -c /dev/dax0.0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
[ -c /dev/dax0.0 ]
dd=/sys/bus/dax/drivers/device_dax
i=0
while [ $i -lt "${rebinds:-2}" ]; do
	echo dax0.0 >$dd/unbind
	[ ! -e /sys/bus/dax/devices/dax0.0/driver ]
	echo dax0.0 >$dd/bind
	[ -e /sys/bus/dax/devices/dax0.0/driver ]
	i=$((i + 1))
done
echo dax0.0 >$dd/unbind
echo "$dax" >/sys/bus/nd/drivers/dax_pmem/unbind
nd_regions_off
echo "device-dax: $ns as $dax, /dev/dax0.0 bound $((${rebinds:-2} + 1)) times"
