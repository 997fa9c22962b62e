#!/bin/sh
# fbcopy's own test, run in the guest by iomap-vmcheck as RUN:
#   iomap-vmcheck --driver tests/vmcheck/drivers/fbcopy \
#       --extra tests/vmcheck/drivers/fbcopy/test.sh:/opt/fbcopy-test.sh \
#       --run 'sh /opt/fbcopy-test.sh'
# pwrite a random pattern at an unaligned offset with writes of 1000 bytes
# (so that copies start and end inside pages and span page boundaries),
# pread it back and compare.
set -e
dev=/dev/fbcopy
[ -c $dev ] || { echo "fbcopy-test: no $dev (driver not bound?)"; exit 1; }
n=37888 # 37 KiB: 10 pages, not a multiple of the write size
dd if=/dev/urandom of=/tmp/pattern bs=1024 count=37 2>/dev/null
dd if=/tmp/pattern of=$dev bs=1000 seek=3 conv=notrunc 2>/dev/null
dd if=$dev of=/tmp/back bs=1000 skip=3 count=38 2>/dev/null
head -c $n /tmp/back | cmp - /tmp/pattern
echo "fbcopy-test: $n bytes written at offset 3000 and read back intact"
