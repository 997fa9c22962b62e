#!/usr/bin/env bash
# Install the Debian packages iomap-check needs, only those missing.
# Idempotent; `make demo` / `make check` call it through `make deps`.
set -euo pipefail
pkgs=(
	make gcc libc6-dev pkg-config python3
	clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libcap-dev
	dwarves kmod bc flex bison
	qemu-system-x86 busybox-static cpio lz4 xz-utils zstd
	trace-cmd libtracecmd-dev libtraceevent-dev libtracefs-dev
	bpftrace libclang-rt-14-dev valgrind
	debhelper dh-dkms dkms dpkg-dev fakeroot lintian mmdebstrap
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages: ${missing[*]} (run make deps as root)" >&2
	exit 2
fi
echo "deps: installing ${missing[*]}" >&2
apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
