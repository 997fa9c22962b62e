"""The in-kernel modules a driver needs, in load order, and .ko unpacking.

closure(moddir, kos): reads each driver module's depends= (its .modinfo),
leaves out the driver's own modules and iomap_check (the runner loads it
itself), and resolves the rest against MODDIR/modules.dep, which lists
every module's whole closure in an order that loads from its end.
MODDIR is ROOT/lib/modules/RELEASE; without a modules.dep (Debian's image
packages ship none) `depmod -b ROOT RELEASE` computes it first.
"""
import gzip
import lzma
import os
import shutil
import struct
import subprocess
import sys


class Missing(Exception):
    """A dependency that is not a module of this kernel (names listed)."""

    def __init__(self, names, depfile):
        super().__init__(", ".join(names))
        self.names, self.depfile = names, depfile


class SetupError(Exception):
    pass


def norm(p):
    """A module's name from its path or name: '-' and '_' are the same."""
    p = os.path.basename(p)
    i = p.find(".ko")
    if i >= 0:
        p = p[:i]
    return p.replace("-", "_")


def open_ko(path):
    """The plain ELF bytes of a module, compressed (.xz, .gz, .zst) or not."""
    if path.endswith(".xz"):
        return lzma.open(path).read()
    if path.endswith(".gz"):
        return gzip.open(path).read()
    if path.endswith(".zst"):
        # no zstd in Python's standard library before 3.14
        return subprocess.run(["zstd", "-q", "-dc", path], check=True, stdout=subprocess.PIPE).stdout
    with open(path, "rb") as f:
        return f.read()


def unpack_ko(src, dstdir):
    """Copy module SRC into DSTDIR uncompressed (busybox insmod reads plain
    ELF); returns the new file's path."""
    base = os.path.basename(src)
    for ext in (".xz", ".gz", ".zst"):
        if base.endswith(".ko" + ext):
            base = base[:-len(ext)]
    dst = os.path.join(dstdir, base)
    if base == os.path.basename(src):
        shutil.copyfile(src, dst)
    else:
        with open(dst, "wb") as f:
            f.write(open_ko(src))
    return dst


def modinfo(data):
    """{key: [values]} from the .modinfo section of a 64-bit little-endian
    ELF module (the guest is x86_64)."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SetupError("not a 64-bit little-endian ELF module")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)

    def sh(i):
        # name, type, flags, addr, offset, size
        return struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
    stroff = sh(shstrndx)[4]
    info = {}
    for i in range(shnum):
        name_off, _, _, _, off, size = sh(i)
        end = data.index(b"\0", stroff + name_off)
        if data[stroff + name_off:end] != b".modinfo":
            continue
        for item in data[off:off + size].split(b"\0"):
            if b"=" in item:
                k, v = item.decode("utf-8", "replace").split("=", 1)
                info.setdefault(k, []).append(v)
    return info


def depends(path):
    """The module names PATH's depends= lists."""
    out = []
    for v in modinfo(open_ko(path)).get("depends", []):
        out += [norm(d) for d in v.split(",") if d]
    return out


def read_modules_dep(moddir):
    dep = os.path.join(moddir, "modules.dep")
    if not os.path.isfile(dep) or os.path.getsize(dep) == 0:
        rel = os.path.basename(moddir)
        root = moddir[:-len("/lib/modules/" + rel)] if moddir.endswith("/lib/modules/" + rel) else None
        if root is None:
            raise SetupError("%s is not ROOT/lib/modules/RELEASE" % moddir)
        if not shutil.which("depmod"):
            raise SetupError("no %s and no depmod to compute it (install kmod)" % dep)
        if subprocess.run(["depmod", "-b", root, rel], stdout=sys.stderr).returncode != 0:
            raise SetupError("depmod -b %s %s failed" % (root, rel))
        if not os.path.isfile(dep) or os.path.getsize(dep) == 0:
            raise SetupError("depmod wrote no %s" % dep)
    table = {}
    with open(dep, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            path = words[0].rstrip(":")
            table[norm(path)] = (path, words[1:])
    return dep, table


def builtin(moddir):
    """The names of the modules built into the kernel (MODDIR/modules.builtin,
    which Kbuild writes beside modules.order; empty without it)."""
    try:
        with open(os.path.join(moddir, "modules.builtin"), encoding="utf-8") as f:
            return {norm(line.strip()) for line in f if line.strip()}
    except OSError:
        return set()


def find(moddir, name):
    """The path of in-tree module NAME (a name, or a path relative to
    MODDIR/kernel with or without .ko), via modules.dep; None if absent."""
    moddir = os.path.abspath(moddir.rstrip("/"))
    _, table = read_modules_dep(moddir)
    if "/" in name:
        rel = "kernel/" + name.lstrip("/")
        for path, _ in table.values():
            if path == rel or path.split(".ko")[0] == rel.split(".ko")[0]:
                return path if path.startswith("/") else os.path.join(moddir, path)
        return None
    e = table.get(norm(name))
    if e is None:
        return None
    return e[0] if e[0].startswith("/") else os.path.join(moddir, e[0])


def load_order(kos):
    """The driver's own modules KOS (paths) in an order that loads: each
    after the ones it depends on; otherwise as given (modules.order)."""
    own = {norm(k): k for k in kos}
    needs = {norm(k): [d for d in depends(k) if d in own and d != norm(k)] for k in kos}
    out, state = [], {}

    def visit(n):
        if state.get(n) == 2:
            return
        if state.get(n) == 1:
            raise SetupError("the driver's modules depend on each other in a cycle (%s)" % n)
        state[n] = 1
        for d in needs[n]:
            visit(d)
        state[n] = 2
        out.append(own[n])
    for k in kos:
        visit(norm(k))
    return out


def closure(moddir, kos, names=()):
    """Absolute paths of the in-kernel modules that KOS (the driver's own
    module files) and NAMES (more module names, e.g. --kernel-module)
    need, dependencies first, each once, NAMES' own modules included.
    Raises Missing for names this kernel does not have."""
    moddir = os.path.abspath(moddir.rstrip("/"))
    if not os.path.isdir(os.path.join(moddir, "kernel")):
        raise SetupError("no kernel modules in %s" % moddir)
    own = {"iomap_check"} | {norm(k) for k in kos}
    want = []
    for ko in kos:
        if not os.path.isfile(ko):
            raise SetupError("no module file %s" % ko)
        want += depends(ko)
    want += [norm(n) for n in names]
    if all(w in own for w in want):
        return []
    depfile, table = read_modules_dep(moddir)
    seen, out, missing = set(), [], []

    def add(p):
        if norm(p) in seen:
            return
        seen.add(norm(p))
        out.append(p if p.startswith("/") else os.path.join(moddir, p))
    for d in want:
        if d in own:
            continue
        if d not in table:
            if d not in missing:
                missing.append(d)
            continue
        path, deps = table[d]
        for p in reversed(deps):
            add(p)
        add(path)
    for p in out:
        if not os.path.isfile(p):
            raise SetupError("%s is in modules.dep but not on disk" % p)
    if missing:
        raise Missing(missing, depfile)
    return out


def plan(moddir, names, kos):
    """What iomap-vmcheck loads: (deps, tested, builtins). DEPS are the
    in-kernel modules NAMES (--kernel-module) and KOS (the driver's own
    module files) need, in load order; TESTED the modules under test: NAMES'
    modules as given, then KOS each after those it depends on; BUILTINS the
    NAMES built into the kernel (6.12's virtio_pci, a module in 6.1): there
    already, nothing to load. Raises Missing for a name the kernel lacks."""
    own, missing, builtins = [], [], []
    for n in names:
        p = find(moddir, n)
        if p is not None:
            own.append(p)
        elif norm(n) in builtin(moddir):
            builtins.append(n)
        else:
            missing.append(n)
    if missing:
        raise Missing(missing, os.path.join(moddir, "modules.dep"))
    mine = {norm(p) for p in own}
    deps = [p for p in closure(moddir, kos, names=[norm(p) for p in own]) if norm(p) not in mine]
    return deps, own + load_order(kos), builtins
