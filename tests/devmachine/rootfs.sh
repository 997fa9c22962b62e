#!/usr/bin/env bash
# Build (once) the Debian 12 root filesystem of the dev-machine test:
# mmdebstrap from the Debian archive configured on this host (the
# sources in /etc/apt), systemd as init, and what the two packages need
# already installed (the guest has no network): dkms, a compiler and the
# guest kernel's headers package. The result is an uncompressed newc cpio
# (the kernel reads it as an initramfs without decompressing; /init is
# systemd), cached under CACHE keyed on the package list and this script.
#
# usage: rootfs.sh CACHE KREL EXTRA_PKG...
#   prints the path of the cpio on stdout
set -euo pipefail
cache=${1:?usage: rootfs.sh CACHE KREL [PKG...]}
rel=${2:?usage: rootfs.sh CACHE KREL [PKG...]}
shift 2
suite=bookworm
pkgs=(systemd-sysv udev kmod apt dkms gcc make libc6-dev "linux-headers-$rel" "$@")
mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | LC_ALL=C sort -u)

# The enabled apt sources of this host: the guest's packages come from the
# same archive as the host's.
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -s "$f" ] && sources+=("$f")
done
[ ${#sources[@]} -gt 0 ] || { echo "rootfs: no apt sources in /etc/apt" >&2; exit 2; }

key=$( { echo "$suite"; printf '%s\n' "${pkgs[@]}"; cat "$0"; } | sha256sum | cut -c1-16)
out=$cache/rootfs-$key
if [ -f "$out/.complete" ]; then echo "$out/rootfs.cpio"; exit 0; fi
# mmdebstrap mounts /proc, /sys and /dev into the tree while it works:
# never delete a tree that still has something mounted in it.
if grep -q " $out/" /proc/mounts; then
	echo "rootfs: $out has mounts (an interrupted mmdebstrap?): umount them first" >&2
	exit 2
fi
rm -rf "$out" && mkdir -p "$out"
echo "rootfs: mmdebstrap $suite (${#pkgs[@]} packages, key $key)" >&2

# Docs, man pages and locales are dropped (smaller initramfs): dpkg keeps
# these path-excludes inside the guest too.
nodoc=()
for p in '/usr/share/man/*' '/usr/share/locale/*' '/usr/share/info/*' \
	'/usr/share/doc/*' '/usr/share/lintian/*'; do
	nodoc+=("--dpkgopt=path-exclude=$p")
done
nodoc+=("--dpkgopt=path-include=/usr/share/doc/*/copyright" \
	"--dpkgopt=path-include=/usr/share/doc/iomap-check*")

# Boot set-up: /init is systemd; no gettys, no timers or jobs that only
# cost boot time; a root without password; an empty apt list (offline).
setup='set -e; r=$1
ln -sf /lib/systemd/systemd "$r/init"
echo devmachine >"$r/etc/hostname"
: >"$r/etc/fstab"
chroot "$r" passwd -d root >/dev/null
for u in getty@tty1 serial-getty@ttyS0 serial-getty@ttyS1 serial-getty@ttyS2 \
	apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
	e2scrub_all.timer fstrim.timer systemd-tmpfiles-clean.timer \
	systemd-timesyncd; do
	case $u in *.*) ;; *) u=$u.service ;; esac
	ln -sf /dev/null "$r/etc/systemd/system/$u"
done
rm -f "$r"/etc/systemd/system/*.wants/*.timer
mkdir -p "$r/etc/systemd/journald.conf.d"
printf "[Journal]\nStorage=volatile\nForwardToConsole=no\n" \
	>"$r/etc/systemd/journald.conf.d/devmachine.conf"
rm -f "$r"/var/lib/apt/lists/*_Packages "$r"/var/cache/apt/archives/*.deb'

# A plain PATH: mmdebstrap runs helpers per package (a python3 shim from a
# version manager in PATH costs seconds each).
# apt's methods run as root, not as the sandbox user _apt: on a host whose
# /dev/null is not world-writable (mode 0640 was seen on these machines),
# apt-key, run as _apt, fails on /dev/null and apt then claims that gpgv is
# not installed, failing every signature check.
PATH=/usr/sbin:/usr/bin:/sbin:/bin mmdebstrap --variant=minbase --include="$(IFS=,; echo "${pkgs[*]}")" \
	--aptopt='APT::Sandbox::User "root"' \
	"${nodoc[@]}" --customize-hook="$setup" \
	"$suite" "$out/root" "${sources[@]}" >&2
(cd "$out/root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet) >"$out/rootfs.cpio.tmp"
rm -rf "$out/root"
mv "$out/rootfs.cpio.tmp" "$out/rootfs.cpio"
printf '%s\n' "${pkgs[@]}" >"$out/packages"
touch "$out/.complete"
echo "$out/rootfs.cpio"
