"""A user's own kernel: --kernel PATH, a build tree or an install root.

  build tree    PATH/arch/x86/boot/bzImage, PATH/.config, PATH/vmlinux,
                PATH/Module.symvers, PATH/include/config/kernel.release,
                the modules built in the tree (PATH/modules.order)
  install root  PATH/boot/vmlinuz-REL (+ config-REL), PATH/lib/modules/REL/
                with build (headers: a symlink, absolute ones read inside
                PATH) or a headers tree given with --kdir

import_kernel() turns either into an entry of the runner's kernel cache,
CACHE/REL/ (vmlinuz, config, vmlinux, build, root/lib/modules/REL/, made of
symlinks; what fetch-kernel.sh makes of a Debian kernel), so the rest of
the runner and kmod/build.sh treat it like the pinned kernels. The user's
files are never written to.

check_config() names each option the checker or the guest needs that the
kernel's config lacks; fragment() is a config fragment that turns them on
(iomap-vmcheck --kconfig).
"""
import os
import re
import shutil
import subprocess

from . import TOP

# (option, what needs it). Values: y, or m|y where a module will do.
NEEDED = (
    ("CONFIG_64BIT", "y", "the guest is x86_64"),
    ("CONFIG_MODULES", "y", "iomap_check.ko and the driver are modules"),
    ("CONFIG_MODULE_UNLOAD", "y", "the driver is unloaded (leaks at unload are checked)"),
    ("CONFIG_BPF_SYSCALL", "y", "iomap-checkd loads BPF programs"),
    ("CONFIG_BPF_EVENTS", "y", "BPF programs on tracepoints and kprobes"),
    ("CONFIG_DEBUG_INFO_BTF", "y", "CO-RE: iomap-checkd reads the kernel's BTF"),
    ("CONFIG_TRACEPOINTS", "y", "iomap_check.ko's io_mapping tracepoints (raw_tp)"),
    ("CONFIG_FTRACE", "y", "tracefs, mounted by the guest"),
    ("CONFIG_KPROBES", "y", "iomap-checkd's memremap and might-sleep hooks (kprobe)"),
    ("CONFIG_KPROBE_EVENTS", "y", "kprobe attachment through perf events"),
    ("CONFIG_DEBUG_FS", "y", "the scenario driver's control files"),
    ("CONFIG_BLK_DEV_INITRD", "y", "the guest runs from an initramfs"),
    ("CONFIG_RD_GZIP", "y", "the initramfs is gzip-compressed (or lz4 with RD_LZ4)"),
    ("CONFIG_DEVTMPFS", "y", "/init mounts devtmpfs"),
    ("CONFIG_TMPFS", "y", "/init mounts /tmp"),
    ("CONFIG_PROC_FS", "y", "/init mounts /proc"),
    ("CONFIG_SYSFS", "y", "/init mounts /sys"),
    ("CONFIG_BINFMT_ELF", "y", "busybox and iomap-checkd are ELF binaries"),
    ("CONFIG_BINFMT_SCRIPT", "y", "/init is a script"),
    ("CONFIG_SERIAL_8250", "y", "the guest's serial ports ttyS0-3"),
    ("CONFIG_SERIAL_8250_CONSOLE", "y", "the kernel console on ttyS0"),
    ("CONFIG_PRINTK", "y", "kernel reports reach the console"),
    ("CONFIG_TTY", "y", "the serial ports are ttys"),
    ("CONFIG_PERF_EVENTS", "y", "kprobe and tracepoint links (perf_event_open)"),
    ("CONFIG_KALLSYMS", "y", "report sites are symbolized (func+off/len [module])"),
)
# Not checked (a kernel may do without), but in the fragment: what a
# minimal config (allnoconfig + this) needs to boot the guest and run the
# checker well (make check-kernel-tree builds exactly that).
WANTED = (
    ("CONFIG_DEBUG_INFO_BTF_MODULES", "y", "module BTF for iomap_check.ko (CO-RE on its types)"),
    ("CONFIG_PCI", "y", "QEMU's VGA BAR as an io_mapping aperture"),
    ("CONFIG_DEBUG_KERNEL", "y", "makes the debug information choice visible"),
    ("CONFIG_DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT", "y", "DWARF, from which pahole makes the BTF"),
    ("CONFIG_ACPI", "y", "poweroff -f ends QEMU (without ACPI the guest halts until the timeout)"),
    ("CONFIG_NET", "y", "libbpf probes kernel features with socket-filter programs"),
    ("CONFIG_SMP", "y", "the guest has two CPUs"),
    ("CONFIG_BPF_JIT", "y", "JIT-compiled BPF (the interpreter is slow under TCG)"),
    ("CONFIG_MEMORY_HOTPLUG", "y", "ZONE_DEVICE needs it"),
    ("CONFIG_MEMORY_HOTREMOVE", "y", "ZONE_DEVICE needs it"),
    ("CONFIG_SPARSEMEM_VMEMMAP", "y", "ZONE_DEVICE needs it"),
    ("CONFIG_ZONE_DEVICE", "y", "memremap_pages: the pagemap rules, the scenario driver's pagemap scenarios"),
)


class SetupError(Exception):
    pass


class Source:
    """What import_kernel found: kind, release, and the paths."""

    def __init__(self, kind, rel, vmlinuz, config, kbuild, vmlinux, moddir):
        self.kind, self.rel = kind, rel
        self.vmlinuz, self.config, self.kbuild, self.vmlinux, self.moddir = vmlinuz, config, kbuild, vmlinux, moddir


def is_path(kernel):
    """Whether --kernel KERNEL names a directory, not a table name or a release."""
    return "/" in kernel or kernel in (".", "..") or os.path.isdir(kernel)


def _inside(root, link):
    """A symlink in an install root: an absolute target is read inside ROOT."""
    target = os.readlink(link)
    if os.path.isabs(target):
        cand = os.path.join(root, target.lstrip("/"))
        if os.path.exists(cand):
            return cand
        return target if os.path.exists(target) else None
    cand = os.path.join(os.path.dirname(link), target)
    return cand if os.path.exists(cand) else None


def detect(path, kdir=None):
    path = os.path.abspath(path)
    if not os.path.isdir(path):
        raise SetupError("--kernel %s: no such directory" % path)
    bz = os.path.join(path, "arch", "x86", "boot", "bzImage")
    if os.path.isfile(bz):
        relf = os.path.join(path, "include", "config", "kernel.release")
        if not os.path.isfile(os.path.join(path, ".config")) or not os.path.isfile(relf):
            raise SetupError("--kernel %s: a build tree needs .config and include/config/kernel.release" % path)
        with open(relf) as f:
            rel = f.read().strip()
        if not os.path.isfile(os.path.join(path, "Module.symvers")):
            raise SetupError("--kernel %s: no Module.symvers (run make modules in the tree)" % path)
        vmlinux = os.path.join(path, "vmlinux")
        return Source("build tree", rel, bz, os.path.join(path, ".config"), kdir or path,
                      vmlinux if os.path.isfile(vmlinux) else None, None)
    boot = os.path.join(path, "boot")
    images = sorted(f for f in os.listdir(boot) if f.startswith("vmlinuz-")) if os.path.isdir(boot) else []
    if not images:
        raise SetupError("--kernel %s: neither a build tree (arch/x86/boot/bzImage) nor an install root "
                         "(boot/vmlinuz-RELEASE)" % path)
    rels = [f[len("vmlinuz-"):] for f in images
            if os.path.isdir(os.path.join(path, "lib", "modules", f[len("vmlinuz-"):]))]
    if len(rels) != 1:
        raise SetupError("--kernel %s: want one boot/vmlinuz-RELEASE with its lib/modules/RELEASE, found %s"
                         % (path, ", ".join(images) + ("" if rels else " without modules")))
    rel = rels[0]
    moddir = os.path.join(path, "lib", "modules", rel)
    config = os.path.join(boot, "config-" + rel)
    if not os.path.isfile(config):
        raise SetupError("--kernel %s: no boot/config-%s" % (path, rel))
    if kdir is None:
        link = os.path.join(moddir, "build")
        kdir = _inside(path, link) if os.path.islink(link) else (link if os.path.isdir(link) else None)
        if kdir is None:
            raise SetupError("--kernel %s: no headers (lib/modules/%s/build): give them with --kdir DIR"
                             % (path, rel))
    if not os.path.isfile(os.path.join(kdir, "Makefile")):
        raise SetupError("--kdir %s: no kernel build tree (no Makefile)" % kdir)
    return Source("install root", rel, os.path.join(boot, "vmlinuz-" + rel), config, os.path.abspath(kdir),
                  None, moddir)


def read_config(path):
    opts = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"^(CONFIG_[A-Za-z0-9_]+)=(.*)$", line.strip())
            if m:
                opts[m.group(1)] = m.group(2)
    return opts


def check_config(path):
    """[(option, why)] of the NEEDED options the config at PATH lacks."""
    opts = read_config(path)
    missing = []
    for opt, val, why in NEEDED:
        have = opts.get(opt)
        if opt == "CONFIG_RD_GZIP" and (have == "y" or opts.get("CONFIG_RD_LZ4") == "y"):
            continue
        if have != "y":
            missing.append((opt, why))
    return missing


def fragment():
    out = ["# iomap-check: what the checker and its QEMU guest need (iomap-vmcheck --kconfig)",
           "# merge: scripts/kconfig/merge_config.sh .config THIS; make olddefconfig"]
    for opt, val, why in NEEDED + WANTED:
        out.append("# %s" % why)
        out.append("%s=%s" % (opt, val))
    return out


def _link(target, name):
    if os.path.lexists(name):
        os.unlink(name)
    os.symlink(target, name)


def import_kernel(path, cache, kdir=None):
    """CACHE/REL/ for the kernel at PATH; returns REL."""
    src = detect(path, kdir)
    missing = check_config(src.config)
    if missing:
        raise SetupError("--kernel %s (%s): its config lacks what the checker needs: %s "
                         "(iomap-vmcheck --kconfig prints a fragment that turns them on)"
                         % (path, src.rel, "; ".join("%s (%s)" % m for m in missing)))
    d = os.path.join(cache, src.rel)
    stamp = os.path.join(d, ".source")
    key = "%s\n%s\n" % (os.path.abspath(path), src.kbuild)
    if os.path.exists(d):
        old = open(stamp).read() if os.path.isfile(stamp) else None
        if old is None:
            raise SetupError("--kernel %s: release %s is already in the cache %s from a Debian package: "
                             "use another cache (IOMC_CACHE=DIR)" % (path, src.rel, cache))
        if old == key and os.path.isfile(os.path.join(d, ".complete")):
            return src.rel
    tmp = d + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    _link(src.vmlinuz, os.path.join(tmp, "vmlinuz"))
    _link(src.config, os.path.join(tmp, "config"))
    _link(src.kbuild, os.path.join(tmp, "build"))
    if src.vmlinux:
        _link(src.vmlinux, os.path.join(tmp, "vmlinux"))
    else:
        # The BTF the checker reads is the kernel's own: keep it at hand.
        subprocess.run(["python3", os.path.join(TOP, "scripts", "extract-vmlinux.py"), src.vmlinuz,
                        os.path.join(tmp, "vmlinux")], stdout=subprocess.DEVNULL)
    mods = os.path.join(tmp, "root", "lib", "modules")
    os.makedirs(mods)
    if src.moddir:
        _link(src.moddir, os.path.join(mods, src.rel))
    else:
        _stage_tree_modules(path, src.rel, os.path.join(tmp, "root"))
    if src.moddir and not os.path.isfile(os.path.join(src.moddir, "modules.dep")):
        # depmod would write into the user's tree: the user runs it.
        raise SetupError("--kernel %s: lib/modules/%s has no modules.dep (run depmod -b %s %s)"
                         % (path, src.rel, path, src.rel))
    with open(os.path.join(tmp, ".source"), "w") as f:
        f.write(key)
    open(os.path.join(tmp, ".complete"), "w").close()
    shutil.rmtree(d, ignore_errors=True)
    os.rename(tmp, d)
    return src.rel


def _stage_tree_modules(tree, rel, root):
    """ROOT/lib/modules/REL/kernel/...: symlinks to the modules built in the
    tree (modules.order), and their modules.dep (depmod)."""
    moddir = os.path.join(root, "lib", "modules", rel)
    os.makedirs(os.path.join(moddir, "kernel"))
    order = os.path.join(tree, "modules.order")
    n = 0
    if os.path.isfile(order):
        for line in open(order):
            p = line.strip()
            if not p:
                continue
            p = re.sub(r"\.o$", ".ko", p)      # 6.12 lists foo.o, 6.1 foo.ko
            full = os.path.join(tree, p)
            if os.path.isfile(full):
                dst = os.path.join(moddir, "kernel", p)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                _link(full, dst)
                n += 1
    if n and subprocess.run(["depmod", "-b", root, rel], stdout=subprocess.DEVNULL).returncode != 0:
        raise SetupError("depmod -b %s %s failed" % (root, rel))
    if not n:
        open(os.path.join(moddir, "modules.dep"), "w").close()
