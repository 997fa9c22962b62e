# qxl (busybox sh in the guest): draw through fbdev, so that every damage
# flush maps a release page atomically (qxl_draw_dirty_fb).
if [ ! -c /dev/fb0 ]; then
	# under --inject-faults (after the normal run) a create failed on
	# purpose and the probe with it: iomap_check.ko said so in the log
	if dmesg | grep -q 'fail_nth: injected failure'; then
		echo "qxl: no /dev/fb0: $(dmesg | grep 'fail_nth: injected failure' | tail -n 1 | sed 's/.*injected failure: //')"
		exit 0
	fi
	echo "qxl: no /dev/fb0 (did qxl bind the QXL device?)"
	exit 1
fi
dd if=/dev/urandom of=/dev/fb0 bs=4096 count=256 2>/dev/null || exit 1
sleep 2
echo "qxl: 1 MiB drawn through /dev/fb0"
