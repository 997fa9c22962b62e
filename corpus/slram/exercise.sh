# slram (busybox sh in the guest): the range reserved by memmap=1M$0x30000000
# is an MTD device, memremap()ed by slram at load; write a pattern through
# /dev/mtd0, read it back; the runner unloads slram (memunmap).
set -e
grep -qi '30000000-300fffff : reserved' /proc/iomem
grep -q slram /proc/mtd
[ -c /dev/mtd0 ]
dd if=/dev/urandom of=/tmp/pat bs=4096 count=16 2>/dev/null
dd if=/tmp/pat of=/dev/mtd0 bs=4096 count=16 2>/dev/null
dd if=/dev/mtd0 of=/tmp/back bs=4096 count=16 2>/dev/null
cmp /tmp/pat /tmp/back
echo "slram: 64 KiB written and read back through /dev/mtd0"
