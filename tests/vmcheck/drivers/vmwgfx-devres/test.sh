# RUN for vmwgfx-devres (busybox sh in the guest): load the kernel's DRM
# modules and vmwgfx (from /opt, --extra), see its probe fail as expected,
# unload vmwgfx. Exit 0 unless a step failed.
for m in drm drm_kms_helper ttm drm_ttm_helper vmwgfx; do
	insmod /opt/$m.ko || { echo "insmod $m failed"; exit 1; }
done
if ! dmesg | grep -q 'no pitchlock'; then
	echo "vmwgfx's probe did not fail for want of pitchlock (not QEMU's -vga vmware?)"
	dmesg | grep -i vmwgfx | tail -n 5
	exit 1
fi
dmesg | grep -i vmwgfx | tail -n 3
rmmod vmwgfx || { echo "rmmod vmwgfx failed"; exit 1; }
