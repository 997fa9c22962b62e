# vmwgfx (busybox sh in the guest): its probe ran, mapped the FIFO and
# failed as QEMU's device makes it fail; the unload follows (iomap-vmcheck).
dmesg | grep -i vmwgfx | tail -n 4
dmesg | grep -q 'FIFO at' || { echo "vmwgfx: the probe did not reach the FIFO map"; exit 1; }
