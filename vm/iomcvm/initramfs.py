"""The guest's initramfs: busybox-static and its applets, /init, the guest
mode scripts, modules, static binaries and extra files, packed as a newc
cpio (owner root) compressed the way the kernel can read it."""
import os
import shutil
import stat
import subprocess


class SetupError(Exception):
    pass


def busybox():
    bb = shutil.which("busybox")
    if not bb:
        raise SetupError("busybox not installed (make deps)")
    # A dynamic busybox (package busybox) would find no libc in the guest.
    if has_interp(bb):
        raise SetupError("%s is not static (install busybox-static)" % bb)
    return bb


def has_interp(path):
    """Whether ELF file PATH names a program interpreter (is dynamic)."""
    import struct
    with open(path, "rb") as f:
        data = f.read(65536)
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return False
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        off = phoff + i * phentsize
        if off + 4 <= len(data) and struct.unpack_from("<I", data, off)[0] == 3:  # PT_INTERP
            return True
    return False


def skeleton(root, bb):
    """An empty root with busybox and its applets."""
    shutil.rmtree(root, ignore_errors=True)
    for d in ("bin", "dev", "proc", "sys", "tmp", "run", "etc", "guest", "lib/iomap-check"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy(bb, os.path.join(root, "bin", "busybox"))
    applets = subprocess.run([bb, "--list"], check=True, stdout=subprocess.PIPE, text=True).stdout.split()
    for a in applets:
        if a != "busybox":
            os.symlink("busybox", os.path.join(root, "bin", a))
    os.symlink("bin", os.path.join(root, "sbin"))
    # The kernel opens /dev/console for /init before devtmpfs is mounted.
    try:
        os.mknod(os.path.join(root, "dev", "console"), 0o600 | stat.S_IFCHR, os.makedev(5, 1))
    except OSError:
        pass


def put(root, src, dst, mode=None):
    """Copy host file SRC to guest path DST."""
    path = os.path.join(root, dst.lstrip("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    shutil.copy(src, path)
    if mode is not None:
        os.chmod(path, mode)
    return path


def pack(root, out, lz4):
    """root -> OUT, an LZ4 legacy-frame (lz4 -l: the kernel cannot read an
    lz4 *frame*) or gzip cpio."""
    names = subprocess.run("find . | LC_ALL=C sort", shell=True, cwd=root, check=True,
                           stdout=subprocess.PIPE).stdout
    cpio = subprocess.run(["cpio", "-o", "-H", "newc", "-R", "0:0", "--quiet"], cwd=root, input=names,
                          check=True, stdout=subprocess.PIPE).stdout
    comp = ["lz4", "-l", "-q", "-c"] if lz4 else ["gzip", "-1", "-c"]
    with open(out, "wb") as f:
        subprocess.run(comp, input=cpio, stdout=f, check=True)
