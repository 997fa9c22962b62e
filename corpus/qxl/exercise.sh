# qxl (busybox sh in the guest): draw through fbdev, so that every damage
# flush maps a release page atomically (qxl_draw_dirty_fb).
if [ ! -c /dev/fb0 ]; then
	# under --inject-faults a create failed on purpose: the probe failed
	f=$(cat /sys/module/iomap_check/parameters/fail_nth 2>/dev/null)
	if [ "${f:-0}" != 0 ]; then echo "qxl: no /dev/fb0, as injected (fail_nth=$f)"; exit 0; fi
	echo "qxl: no /dev/fb0 (did qxl bind the QXL device?)"
	exit 1
fi
dd if=/dev/urandom of=/dev/fb0 bs=4096 count=256 2>/dev/null || exit 1
sleep 2
echo "qxl: 1 MiB drawn through /dev/fb0"
