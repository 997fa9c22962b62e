# corpus/lib/nd.sh: the guest steps the libnvdimm entries share (nvdimm,
# pmem-legacy, virtio-pmem, device-dax), sourced by their exercise.sh
# (busybox sh, under set -e). corpus/run copies corpus/lib/* to
# /opt/corpus/lib/ in every guest.
nd_drv=/sys/bus/nd/drivers/nd_pmem
nd_dev=/sys/bus/nd/devices

# nd_wait_pmem: wait up to 10 s for /dev/pmem0; fail if it never comes.
nd_wait_pmem() {
	n=0
	while [ ! -b /dev/pmem0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
	[ -b /dev/pmem0 ]
}

# nd_rw: write 64 KiB of random data through /dev/pmem0, read it back, compare.
nd_rw() {
	dd if=/dev/urandom of=/tmp/pat bs=4096 count=16 2>/dev/null
	dd if=/tmp/pat of=/dev/pmem0 bs=4096 count=16 2>/dev/null
	dd if=/dev/pmem0 of=/tmp/back bs=4096 count=16 2>/dev/null
	cmp /tmp/pat /tmp/back
}

# nd_ns: the first namespace nd_pmem has bound (the raw one).
nd_ns() { (cd $nd_drv && ls -d namespace*.* | head -n 1); }

# nd_region NS: the region NS belongs to.
nd_region() { basename "$(readlink -f $nd_dev/$1/..)"; }

# nd_rebinds DEFAULT: how many unbind/bind rounds: the case's
# `# args: --append corpus.rebinds=N` on the kernel command line, else
# DEFAULT (a mutation that leaks at unbind sets 0: a rebind's failed
# memremap_pages cleanup makes the checker drop the leak, docs/corpus.md).
nd_rebinds() {
	r=$(sed -n 's/.*corpus\.rebinds=\([0-9]*\).*/\1/p' /proc/cmdline)
	echo "${r:-$1}"
}

# nd_churn NS N: unbind and bind NS from nd_pmem N times (devres unmaps,
# the probe maps again), /dev/pmem0 gone and back each time.
nd_churn() {
	i=0
	while [ $i -lt "$2" ]; do
		echo "$1" >$nd_drv/unbind
		[ ! -b /dev/pmem0 ]
		echo "$1" >$nd_drv/bind
		[ -b /dev/pmem0 ]
		i=$((i + 1))
	done
}

# nd_claim KIND NS: unbind the raw namespace NS from nd_pmem and give it to
# its region's seed device of KIND (pfn: fsdax, dax: devdax), as ndctl
# create-namespace -m fsdax|devdax does (the guest has no ndctl); prints
# the device's name. The caller binds it.
nd_claim() {
	r=$(nd_region "$2")
	echo "$2" >$nd_drv/unbind
	s=$(cat $nd_dev/$r/${1}_seed)
	cat /proc/sys/kernel/random/uuid >$nd_dev/$s/uuid
	echo pmem >$nd_dev/$s/mode
	echo "$2" >$nd_dev/$s/namespace
	echo "$s"
}

# nd_regions_off: disable every region: an enabled one pins the bus
# provider (nfit, nd_e820, virtio_pmem), which the runner then cannot unload.
nd_regions_off() {
	for r in /sys/bus/nd/drivers/nd_region/region*; do
		[ -e "$r" ] && echo "${r##*/}" >/sys/bus/nd/drivers/nd_region/unbind
	done
	true
}
