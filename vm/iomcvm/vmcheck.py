"""iomap-vmcheck: check a driver's io_mapping use in a QEMU guest, for CI.

Builds the out-of-tree driver in --driver against a pinned Debian kernel
(cloud by default; the generic flavor for drivers that need DRM and the
like) with iomap-check's drop-in <linux/io-mapping.h> forced in (no source
change), boots that kernel in QEMU with iomap_check.ko and the iomap-checkd
daemon attached, loads the in-kernel modules the driver depends on
(closure.plan), loads the driver, runs --run (the driver's own test) as a
shell command in the guest, unloads the driver (leaks at free and unload
count too) and stops the checker. The guest's display device is QEMU's
standard VGA (PCI 1234:1111: its BAR 0, a prefetchable framebuffer, is there
for the driver as an aperture) unless --vga names another one.

The host side of vm/guest/vmcheck.sh; the guest boots through the runner
(vm.py). vmcheck/iomap-vmcheck.sh, installed as bin/iomap-vmcheck, is a
wrapper around `python3 -m iomcvm vmcheck`.
"""
import os
import re
import shutil
import signal
import struct
import subprocess
import sys

from . import TOP, closure, exits, kernels, splats

PROG = "iomap-vmcheck"

# The statuses iomap-vmcheck exits with, in its --help's order.
VMCHECK_EXITS = ("OK", "VIOLATION", "USAGE", "SETUP", "UNCHECKED", "KERNEL_CRASH", "BUILD")

USAGE_TEXT = r"""usage: %(prog)s --driver DIR [--run CMD] [options]
       %(prog)s --kernel-module NAME [--run CMD] [options]

Check a Linux driver's io_mapping use in a QEMU guest with iomap-checkd.

  -d, --driver DIR        the driver's source: a directory with a Kbuild
                          (or a Makefile with obj-m); built with the drop-in
                          io-mapping.h forced in, sources untouched; a
                          Kbuild with several obj-m modules: all are
                          loaded, each after the ones it depends on
      --kernel-module NAME
                          the driver under test is the guest kernel's own
                          module NAME (vmwgfx, or a path under the modules'
                          kernel/: drivers/nvdimm/nd_pmem.ko), loaded
                          unchanged after the checker attached, with the
                          in-kernel modules it needs; repeatable, loaded
                          in the order given, before --driver's modules
                          (--driver is then optional)
      --module-param MODULE.NAME=VALUE
                          load module MODULE (the driver's, a
                          --kernel-module, or a dependency) with parameter
                          NAME=VALUE; repeatable, in order (e.g.
                          --module-param slram.map=ram,0x30000000,+4096);
                          iomap_check's too (iomap_check.strategy=S is
                          --strategy S)
      --append ARGS       more words for the guest kernel's command line
                          (repeatable; e.g. --append 'memmap=4K$0x30000000')
  -r, --run CMD           shell command run in the guest (busybox sh, root,
                          cwd /tmp) once the driver is loaded: the driver's
                          own test (default: none, load and unload only)
  -k, --kernel K          guest kernel: 6.1 (default) or 6.12, Debian's
                          cloud flavor (small, no DRM); 6.1-generic or
                          6.12-generic, the generic flavor (every driver
                          as a module: DRM, TTM, ...); unstable or
                          unstable-generic, Debian unstable's newest kernel
                          (7.x; its modules built in a Debian-unstable
                          chroot made with mmdebstrap, cached); or an exact
                          release of one (6.1.0-57-cloud-amd64,
                          6.1.0-57-amd64, 6.12.118+deb12-amd64); or PATH,
                          your own kernel:
                          a build tree (arch/x86/boot/bzImage, .config,
                          vmlinux, Module.symvers, modules.order) or an
                          install root (boot/vmlinuz-REL, boot/config-REL,
                          lib/modules/REL/ with build or --kdir); its
                          config is checked before anything boots
      --kdir DIR          the headers (kernel build tree) for an install
                          root given as --kernel PATH
      --kconfig           print a config fragment with every option the
                          checker and its guest need, and exit
      --vga TYPE          the guest's display device, QEMU's -vga TYPE:
                          std (default; PCI 1234:1111, bochs), qxl, virtio,
                          cirrus, vmware or none
      --qemu-arg ARG      one more word for QEMU's command line, appended
                          verbatim (repeatable: --qemu-arg -device
                          --qemu-arg qxl gives a second qxl device)
  -t, --timeout S         seconds RUN may take (1 to 86400); then it is
                          killed and the check fails with status 3
                          (default 300)
  -e, --extra F[:PATH]    copy host file F into the guest at PATH (default
                          /opt/BASENAME of F); repeatable: test programs
                          (static), firmware, data
  -o, --out DIR           build outputs and logs (default: a directory per
                          driver and kernel in the cache, printed on stderr)
  -i, --inject-faults     error-path exploration: after the normal run, for
                          k = 1..n (n = the io_mapping_create_wc/init_wc
                          calls the driver made while loading), load it
                          again with the k-th of them failing (NULL, as
                          when ioremap fails; iomap_check.ko's fail_nth),
                          run RUN, unload it; one KTAP result per run
      --strategy S        iomap_check.ko's strategy: premap (the default),
                          permap, or window (every local/atomic map gets
                          its own page, cleared at unmap: a use after
                          unmap is reported as use_after_unmap)
      --checkd FILE       the static iomap-checkd to run in the guest
      --checkd-arg ARG    one more argument for the guest's iomap-checkd
                          (repeatable, in order): its rule and hook options
                          --disable/-d, --depth-limit, --might-sleep,
                          --all, --ringbuf-size and their values, e.g.
                          --checkd-arg --might-sleep --checkd-arg none
  -q, --quiet             print only the verdict and what failed
  -h, --help              this help
  -V, --version           the version

Prints on stdout: iomap-checkd's human reports; what the kernel itself
flagged in the guest (WARN, BUG, scheduling while atomic, oops) with the
report; the checker's JSON lines, one object per line starting with '{';
then the KTAP results of the steps (setup, insmod, run, rmmod, inject,
checker). With --inject-faults each injected run's reports follow a line
naming the failure ("create #2 failed at probe+0x5c/0x1a0 [drv]"), and the
exit status covers every run.
The build's output goes to stderr.

%(exits)s(1: io_mapping rule violations (iomap-checkd), a WARN/BUG reported by the
kernel, or a failed step: insmod, RUN exited non-zero, rmmod; 2: a bad
option or value, a --kernel-module the kernel does not have; 3: kernel
fetch, QEMU boot, a dependency that does not load in the guest, or a
timeout: RUN longer than --timeout, or the guest hung; 4: iomap-checkd did
not attach; 7: the driver does not build (the compiler's messages are
shown), or it depends on a module the guest kernel does not have (named;
e.g. drm on a cloud kernel: use --kernel 6.1-generic).)

Example, a DRM driver for QEMU's qxl device on the generic kernel:
  %(prog)s --kernel 6.1-generic --vga qxl --driver drivers/gpu/drm/qxl \
      --run 'cat /sys/class/drm/card0/dev'
Example, a driver that memremaps a reserved range given as a parameter:
  %(prog)s --driver memmapres --append 'memmap=4K$0x30000000' \
      --module-param memmapres_core.phys=0x30000000
Example, the kernel's own vmwgfx, unchanged, on an emulated VMware SVGA:
  %(prog)s --kernel 6.1-generic --vga vmware --kernel-module vmwgfx

Environment:
  KCFLAGS           extra compiler flags for the driver (e.g. -DDEBUG)
  IOMC_CACHE        kernels and modules (default: the source tree's build/,
                    or $XDG_CACHE_HOME/iomap-check when installed)
  IOMC_NO_CHECKD=1  development only: run without the checker (never for CI)
"""

# getopt_long's table: (short, long, takes a value)
OPTIONS = (
    ("d", "driver", True), ("r", "run", True), ("k", "kernel", True), ("t", "timeout", True),
    ("e", "extra", True), ("o", "out", True), ("", "checkd", True), ("", "checkd-arg", True),
    ("", "strategy", True), ("i", "inject-faults", False), ("", "vga", True), ("", "qemu-arg", True),
    ("q", "quiet", False), ("h", "help", False), ("V", "version", False), ("", "module-param", True),
    ("", "append", True), ("", "kernel-module", True), ("", "kdir", True), ("", "kconfig", False),
)
STRATEGIES = ("premap", "permap", "window")
# --checkd-arg: the checker's rule and hook options and their values; its
# output, CI mode and COMMAND are vmcheck's own.
CHECKD_OPTS = ("--disable", "--depth-limit", "--might-sleep", "--all", "--ringbuf-size")
VGA_DEFAULT = ("none", "std", "cirrus", "vmware", "qxl", "virtio")
# Kbuild cannot build in a directory whose path has blanks or make's
# special characters.
KBUILD_SAFE = re.compile(r"^[A-Za-z0-9._+/-]*$")
MODULE_PARAM = re.compile(r"^([A-Za-z0-9_-]+)\.([A-Za-z0-9_.-]+)=(.*)$", re.S)


class Exit(Exception):
    """End the run with STATUS (what to say is said already)."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


def usage_text():
    return USAGE_TEXT % {"prog": PROG, "exits": "Exit status:\n" + exits.help_lines(VMCHECK_EXITS)}


# ---- output -----------------------------------------------------------------
def out(text):
    sys.stdout.write(text)
    sys.stdout.flush()


def cat(path, prefix=None, keep=None, stream=None):
    """Copy PATH's lines (bytes, as they are) to stdout (or STREAM): those
    KEEP (a bytes predicate) accepts, each after PREFIX."""
    stream = stream or sys.stdout
    stream.flush()
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return
    if keep is None and prefix is None:
        stream.buffer.write(data)
    else:
        for line in data.splitlines(keepends=True):
            if keep is None or keep(line):
                stream.buffer.write((prefix or b"") + line)
    stream.buffer.flush()


def note(msg):
    sys.stderr.write("%s: %s\n" % (PROG, msg))
    sys.stderr.flush()


def fail(status, what, why):
    """A KTAP verdict for a run that ends before the guest."""
    out("KTAP version 1\n1..1\nnot ok 1 %s # %s\n" % (what, why))
    note(why)
    raise Exit(status)


def usage_error(msg):
    note(msg)
    sys.stderr.write("Try '%s --help'.\n" % PROG)
    raise Exit(exits.USAGE)


def has_ctrl(s):
    return any(ord(c) < 32 or ord(c) == 127 for c in s)


def shown(s):
    """S with its control characters as '?' (for a message)."""
    return "".join("?" if ord(c) < 32 or ord(c) == 127 else c for c in s)


def no_ctrl(option, value):
    # A newline in a path would forge lines of the output (KTAP included)
    # and of the logs: every path is refused with one.
    if value and has_ctrl(value):
        usage_error("%s: '%s' has a control character" % (option, shown(value)))


def safe_name(s):
    """S with anything but [A-Za-z0-9._+-] as '_' (a make-safe path part)."""
    return re.sub(r"[^A-Za-z0-9._+-]", "_", s)


def decimal(value, top):
    """VALUE, a decimal number from 1 to TOP, or None (08 is 8)."""
    if not re.fullmatch(r"[0-9]+", value):
        return None
    v = value.lstrip("0")
    if not v or len(v) > len(str(top)) or int(v) > top:
        return None
    return int(v)


def writable_dir(d):
    """Create D if needed and prove it can be written."""
    try:
        os.makedirs(d, exist_ok=True)
        t = os.path.join(d, ".iomc-write-test")
        with open(t, "w"):
            pass
        os.unlink(t)
        return True
    except OSError:
        return False


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()
    except OSError:
        return []


# ---- options ------------------------------------------------------------------
def getopt_long(argv):
    """GNU getopt_long with permutation: ([(long name, value)], [operands]);
    a bad option is a usage error in getopt's own words."""
    shorts = {s: (lng, arg) for s, lng, arg in OPTIONS if s}
    longs = {lng: arg for _, lng, arg in OPTIONS}
    opts, rest = [], []
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        if a == "--":
            rest += argv[i:]
            break
        if a.startswith("--"):
            name, eq, val = a[2:].partition("=")
            if name in longs:
                match = [name]
            else:
                match = [n for n in longs if n.startswith(name)]
            if not match:
                getopt_error("unrecognized option '--%s'" % name)
            if len(match) > 1:
                getopt_error("option '--%s' is ambiguous; possibilities: %s"
                             % (name, " ".join("'--%s'" % m for m in match)))
            name = match[0]
            if longs[name]:
                if not eq:
                    if i >= len(argv):
                        getopt_error("option '--%s' requires an argument" % name)
                    val = argv[i]
                    i += 1
                opts.append((name, val))
            else:
                if eq:
                    getopt_error("option '--%s' doesn't allow an argument" % name)
                opts.append((name, None))
        elif a.startswith("-") and a != "-":
            j = 1
            while j < len(a):
                c = a[j]
                j += 1
                if c not in shorts:
                    getopt_error("invalid option -- '%s'" % c)
                lng, arg = shorts[c]
                if not arg:
                    opts.append((lng, None))
                    continue
                if j < len(a):
                    val = a[j:]
                elif i < len(argv):
                    val = argv[i]
                    i += 1
                else:
                    getopt_error("option requires an argument -- '%s'" % c)
                opts.append((lng, val))
                break
        else:
            rest.append(a)
    return opts, rest


def getopt_error(msg):
    sys.stderr.write("%s: %s\nTry '%s --help'.\n" % (PROG, msg, PROG))
    raise Exit(exits.USAGE)


class Options:
    def __init__(self):
        self.driver = ""
        self.run = ""
        self.kernel = os.environ.get("KERNEL") or kernels.DEFAULT
        self.timeout = "300"
        self.out = ""
        self.checkd = os.environ.get("IOMC_CHECKD", "")
        self.inject = False
        self.vga = "std"
        self.strategy = ""
        self.quiet = False
        self.kdir = ""
        self.extras, self.qemu_args, self.checkd_args = [], [], []
        self.mparams, self.appends, self.kmods = [], [], []
        self.params = []        # "MODULE NAME=VALUE", one per --module-param
        self.vm_extras = []     # --extra words for the runner


def parse(argv):
    opts, rest = getopt_long(argv)
    o = Options()
    lists = {"extra": o.extras, "qemu-arg": o.qemu_args, "checkd-arg": o.checkd_args,
             "module-param": o.mparams, "append": o.appends, "kernel-module": o.kmods}
    for name, val in opts:
        if name in lists:
            lists[name].append(val)
        elif name == "inject-faults":
            o.inject = True
        elif name == "quiet":
            o.quiet = True
        elif name == "kconfig":
            from . import kernelsrc
            out("\n".join(kernelsrc.fragment()) + "\n")
            raise Exit(exits.OK)
        elif name == "help":
            out(usage_text())
            raise Exit(exits.OK)
        elif name == "version":
            with open(os.path.join(TOP, "VERSION"), encoding="utf-8") as f:
                out("%s %s\n" % (PROG, f.read().strip()))
            raise Exit(exits.OK)
        else:
            setattr(o, name.replace("-", "_"), val)
    if rest:
        usage_error("unexpected argument '%s'" % shown(rest[0]))
    check(o)
    return o


def strategy_ok(value, what):
    if value not in STRATEGIES:
        usage_error("%s: use premap, permap or window, not '%s'" % (what, shown(value)))


def checkd_arg_ok(a):
    if a.startswith("-d") and not a.startswith("--"):
        return True
    if not a.startswith("-"):
        return a != ""
    return any(a == opt or a.startswith(opt + "=") for opt in CHECKD_OPTS if opt != "--all") or a == "--all"


def qemu_vgas():
    """The display devices this QEMU has (its -vga help: "NAME  description")."""
    try:
        r = subprocess.run([os.environ.get("IOMC_QEMU", "qemu-system-x86_64"), "-vga", "help"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                           timeout=60)
        names = [w[0] for w in (line.split() for line in r.stdout.decode(errors="replace").splitlines())
                 if len(w) > 1]
    except (OSError, subprocess.SubprocessError):
        names = []
    return names or list(VGA_DEFAULT)


def check_module_params(o):
    """--module-param MODULE.NAME=VALUE: a module name, a parameter name,
    any value without a control character (a value with blanks is quoted
    for the kernel's parser, which takes NAME="a b"). Into o.params."""
    for p in o.mparams:
        m = None if has_ctrl(p) or '"' in p else MODULE_PARAM.match(p)
        if not m:
            usage_error("--module-param: want MODULE.NAME=VALUE (no control character or '\"' in VALUE), "
                        "not '%s'" % shown(p))
        mod, name, v = m.group(1).replace("-", "_"), m.group(2), m.group(3)
        # iomap_check.strategy is --strategy: the one value the guest's
        # insmod of iomap_check.ko takes (vmcheck.sh), and its KTAP line
        # names it.
        if mod + "." + name == "iomap_check.strategy":
            strategy_ok(v, "--module-param iomap_check.strategy")
            if o.strategy and o.strategy != v:
                usage_error("--module-param iomap_check.strategy=%s contradicts --strategy %s" % (v, o.strategy))
            o.strategy = v
            continue
        if re.search(r"\s", v):
            v = '"%s"' % v
        o.params.append("%s %s=%s" % (mod, name, v))


def check_guest_files(o):
    """--extra F[:PATH] (PATH absolute, default /opt/BASENAME) and
    --checkd-arg, the files and words that go into the guest."""
    for e in o.extras:
        src, _, dst = e.partition(":")
        if not src or not os.path.isfile(src):
            usage_error("--extra: no file '%s'" % src)
        dst = dst or "/opt/" + os.path.basename(src)
        if not dst.startswith("/"):
            usage_error("--extra: guest path '%s' must be absolute" % dst)
        if dst.startswith(("/vmcheck/", "/guest/", "/bin/")) or dst == "/init":
            usage_error("--extra: guest path '%s' is reserved" % dst)
        o.vm_extras += ["--extra", "%s:%s" % (os.path.abspath(src), dst)]
    for a in o.checkd_args:
        if has_ctrl(a):
            usage_error("--checkd-arg: a control character in '%s'" % shown(a))
        if not checkd_arg_ok(a):
            usage_error("--checkd-arg: '%s' is not one of iomap-checkd's rule or hook options (%s, "
                        "or a value)" % (a, ", ".join(CHECKD_OPTS)))


def check(o):
    """Every option's value, before anything is fetched or built."""
    if not o.driver and not o.kmods:
        usage_error("--driver DIR is required (or --kernel-module NAME)")
    if o.strategy:
        strategy_ok(o.strategy, "--strategy")
    # the same check as `iomap-check build-driver`, same words (a usage error)
    if o.driver:
        r = subprocess.run([os.path.join(TOP, "kmod", "build-driver.sh"), "--check", PROG, o.driver])
        if r.returncode != 0:
            sys.stderr.write("Try '%s --help'.\n" % PROG)
            raise Exit(exits.USAGE)
    no_ctrl("--out", o.out)
    no_ctrl("--checkd", o.checkd)
    for e in o.extras:
        no_ctrl("--extra", e)
    if o.driver:
        o.driver = os.path.abspath(o.driver)
    check_module_params(o)
    o.strategy = o.strategy or "premap"
    for a in o.appends + o.kmods:
        no_ctrl("--append/--kernel-module", a)
    t = decimal(o.timeout, 86400)
    if t is None:
        usage_error("--timeout wants a positive number of seconds (decimal, at most 86400), not '%s'"
                    % shown(o.timeout))
    o.timeout = t
    if not kernels.valid(o.kernel):
        usage_error("--kernel: %s, not '%s'" % (kernels.usage(), shown(o.kernel)))
    vgas = qemu_vgas()
    if o.vga not in vgas:
        usage_error("--vga: use one of: %s; not '%s'" % (" ".join(vgas), shown(o.vga)))
    check_guest_files(o)
    if o.out:
        if not writable_dir(o.out):
            usage_error("--out: cannot create or write the directory '%s'%s" % (
                o.out, " (a file is in the way)" if os.path.exists(o.out) and not os.path.isdir(o.out) else ""))
        o.out = os.path.abspath(o.out)
    # A path is the user's kernel: fetch-kernel.sh checks its config and
    # links it into the cache (kernelsrc.py), naming what it lacks.
    if kernels.is_path(o.kernel):
        no_ctrl("--kernel", o.kernel)
        if not os.path.isdir(o.kernel):
            usage_error("--kernel: no directory '%s'" % o.kernel)
        o.kernel = os.path.abspath(o.kernel)
    if o.kdir:
        no_ctrl("--kdir", o.kdir)
        if not os.path.isfile(os.path.join(o.kdir, "Makefile")):
            usage_error("--kdir: no kernel build tree (Makefile) in '%s'" % o.kdir)
        o.kdir = os.path.abspath(o.kdir)


# ---- where things are -----------------------------------------------------------
class Paths:
    """TOP is the source tree or the installed share/iomap-check; BUILD the
    cache of builds and logs; KCACHE the kernels."""

    def __init__(self):
        env = os.environ
        if env.get("IOMC_CACHE"):
            self.build = env["IOMC_CACHE"]
        elif os.path.isdir(os.path.join(TOP, ".git")) or os.path.isfile(os.path.join(TOP, "Makefile")):
            self.build = env.get("ABS_BUILD") or os.path.join(TOP, "build")
        else:
            self.build = os.path.join(env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME", "/"), ".cache"),
                                      "iomap-check")
        # A user's IOMC_CACHE holds its own kernels: it wins over the KCACHE
        # that make exports to every recipe (a --kernel PATH release may not
        # sit beside a Debian package of the same release in one cache).
        if env.get("IOMC_CACHE"):
            self.kcache = os.path.join(env["IOMC_CACHE"], "kernel")
        else:
            self.kcache = env.get("KCACHE") or os.path.join(self.build, "kernel")


def run_env(**kw):
    env = dict(os.environ)
    for k, v in kw.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def fetch_kernel(o, p):
    r = subprocess.run([os.path.join(TOP, "scripts", "fetch-kernel.sh"), o.kernel, p.kcache],
                       env=run_env(IOMC_KDIR=o.kdir, KCACHE=p.kcache), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    err = r.stderr.decode(errors="replace").splitlines()
    if r.returncode != 0:
        why = " ".join(re.sub(r"^iomcvm: ", "", line) for line in err[-3:])
        fail(exits.SETUP, "kernel %s" % o.kernel, "cannot use the guest kernel %s: %s" % (o.kernel, why))
    sys.stderr.write("".join(line + "\n" for line in err))
    return r.stdout.decode(errors="replace").strip()


def build_kmod(rel, p):
    kmod = os.path.join(p.build, "obj", rel, "kmod")
    if not (os.path.isfile(os.path.join(kmod, "iomap_check.ko"))
            and os.path.isfile(os.path.join(kmod, "Module.symvers"))):
        note("building iomap_check.ko for %s" % rel)
        sys.stderr.flush()
        # KCFLAGS is for the user's driver, not for our module.
        r = subprocess.run([os.path.join(TOP, "kmod", "build.sh"), rel, kmod], stdout=sys.stderr,
                           stdin=subprocess.DEVNULL, env=run_env(KCFLAGS=None, KCACHE=p.kcache))
        if r.returncode != 0:
            fail(exits.SETUP, "iomap_check.ko", "cannot build iomap_check.ko for %s" % rel)
    return kmod


def build_driver(o, p, rel, kmod, name):
    """The driver's modules, built with the drop-in header (build-driver.sh
    copies the sources to OUT/driver and builds there; the compiler's
    messages name the copies: the user's own paths are shown)."""
    blog = os.path.join(o.out, "build.log")
    bdir = os.path.join(o.out, "driver")
    if not KBUILD_SAFE.match(bdir):
        bdir = os.path.join(p.build, "vmcheck", "build", "%s-%s" % (safe_name(name), rel))
        if not writable_dir(bdir):
            fail(exits.SETUP, "build: %s" % name, "cannot create the build directory '%s'" % bdir)
    if os.path.isdir(bdir):
        for f in os.listdir(bdir):
            if f.endswith(".ko") or f == "modules.order":
                os.unlink(os.path.join(bdir, f))
    # The output comes through a pipe, not straight into the log: on a
    # full disk the log would lose the very message that says so, and a
    # copy that failed for want of space would pass for a compile error.
    r = subprocess.run([os.path.join(TOP, "kmod", "build-driver.sh"), o.driver, bdir, rel],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                       env=run_env(KCACHE=p.kcache, ABS_BUILD=p.build,
                                   IOMC_SYMVERS=os.path.join(kmod, "Module.symvers")))
    raw = r.stdout.decode(errors="replace").rstrip("\n")
    write(blog, raw + "\n", "build: %s" % name)
    text = raw.replace(bdir + "/", o.driver + "/")
    if r.returncode != 0 and "No space left on device" in text:
        sys.stderr.write(text + "\n")
        fail(exits.SETUP, "build: %s" % name, "no space left to build in %s" % bdir)
    if r.returncode != 0:
        sys.stderr.write(text + "\n")
        errs = [line for line in text.splitlines() if re.search(r"error|Error|undefined|fatal", line)][:20]
        lines = ["KTAP version 1", "1..1", "# build of %s against %s failed:" % (o.driver, rel)]
        lines += ["#   " + line for line in errs]
        if rel.endswith("-cloud-amd64") and re.search(r"modpost: .* undefined!", text):
            lines += ["# symbols undefined in %s: the cloud kernels carry few modules (no DRM);" % rel,
                      "# the generic flavor has them all: --kernel %s-generic" % series(rel)]
        lines.append("not ok 1 build: %s # the driver does not compile" % name)
        out("".join(line + "\n" for line in lines))
        raise Exit(exits.BUILD)
    if not o.quiet:
        sys.stderr.write(raw + "\n")
    kos = []
    for ko in read_text(os.path.join(bdir, "modules.order")):
        ko = ko.strip()
        if not ko:
            continue
        if ko.startswith("kernel/"):
            ko = ko[len("kernel/"):]
        if ko.endswith(".o"):
            ko = ko[:-2]
        if ko.endswith(".ko"):
            ko = ko[:-3]
        ko += ".ko"             # 6.12 lists foo.o, 6.1 foo.ko
        if not ko.startswith("/"):
            ko = os.path.join(bdir, ko)
        if os.path.isfile(ko):
            kos.append(ko)
    if not kos:
        fail(exits.BUILD, "build: %s" % name, "the driver built no module (obj-m empty?)")
    return kos


def series(rel):
    return re.sub(r"^([0-9]+\.[0-9]+).*", r"\1", rel)


def cloud_hint(rel):
    if rel.endswith("-cloud-amd64"):
        return ("; the cloud kernels carry few modules (no DRM): the generic flavor has them all, "
                "--kernel %s-generic" % series(rel))
    return ""


def plan_modules(o, p, rel, kos, name):
    """The in-kernel modules the driver and the --kernel-module modules
    need, in load order, and the modules under test: (deps, tested). Only
    these go into the initramfs, uncompressed (busybox insmod reads plain
    ELF)."""
    moddir = os.path.join(p.kcache, rel, "root", "lib", "modules", rel)
    if os.path.isdir(os.path.join(moddir, "kernel")):
        try:
            deps, tested, builtins = closure.plan(moddir, o.kmods, kos)
        except closure.Missing as e:
            # a module the kernel lacks: the driver's dependency (it cannot
            # be built for this kernel), or a --kernel-module the user named
            # (a bad value)
            mine = {closure.norm(k) for k in o.kmods}
            st = exits.USAGE if any(closure.norm(n) in mine for n in e.names) else exits.BUILD
            why = ";".join("the driver needs module '%s', which kernel %s does not have (not in %s)"
                           % (n, rel, e.depfile) for n in e.names)
            fail(st, "dependencies: %s" % name, why + cloud_hint(rel))
        except closure.SetupError as e:
            fail(exits.SETUP, "dependencies: %s" % name, "cannot resolve the driver's dependencies: %s" % e)
        for n in builtins:
            note("'%s' is built into kernel %s: nothing to load" % (n, rel))
        return deps, tested
    why = "%s has no modules (kernel cache incomplete: remove %s)" % (moddir, os.path.join(p.kcache, rel))
    if o.kmods:
        fail(exits.SETUP, "dependencies: %s" % name, "--kernel-module: " + why)
    if any(d != "iomap_check" for k in kos for d in closure.depends(k)):
        fail(exits.SETUP, "dependencies: %s" % name, "the driver has dependencies but " + why)
    return [], kos


def unpack(paths, where, what, name):
    shutil.rmtree(where, ignore_errors=True)
    os.makedirs(where)
    got = []
    for d in paths:
        try:
            got.append(closure.unpack_ko(d, where))
        except Exception as e:      # lzma, gzip, zstd: each fails its own way
            fail(exits.SETUP, "%s: %s" % (what, name), "cannot unpack %s: %s" % (d, e))
    return got


def find_checkd(o, p):
    checkd = o.checkd
    if not checkd:
        for c in (os.path.join(p.build, "bin", "iomap-checkd"),
                  os.path.join(TOP, "..", "..", "lib", "iomap-check", "guest-bin", "iomap-checkd")):
            if os.path.isfile(c):
                checkd = c
                break
    if not checkd or not os.path.isfile(checkd):
        fail(exits.SETUP, "iomap-checkd", "no iomap-checkd for the guest (make daemon, or --checkd FILE)")
    # The guest has no libc: the daemon must be linked statically.
    if not static_elf(checkd):
        fail(exits.SETUP, "iomap-checkd", "%s is not a static binary" % checkd)
    return os.path.abspath(checkd)


def static_elf(path):
    """PATH is a 64-bit ELF executable without a program interpreter."""
    try:
        with open(path, "rb") as f:
            h = f.read(64)
            if len(h) < 64 or h[:4] != b"\x7fELF" or h[4] != 2:
                return False
            end = "<" if h[5] == 1 else ">"
            phoff, = struct.unpack(end + "Q", h[0x20:0x28])
            phentsize, phnum = struct.unpack(end + "HH", h[0x36:0x3a])
            if phentsize < 4:
                return False
            f.seek(phoff)
            ph = f.read(phentsize * phnum)
    except OSError:
        return False
    for i in range(phnum):
        if len(ph) >= (i + 1) * phentsize and struct.unpack(end + "I", ph[i * phentsize:i * phentsize + 4])[0] == 3:
            return False        # PT_INTERP
    return True


def write(path, text, what="files"):
    """PATH with TEXT, or a set-up failure naming the write error (a full
    disk is said, never taken for something else)."""
    try:
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
    except OSError as e:
        fail(exits.SETUP, what, "cannot write %s: %s" % (path, e.strerror or e))


def guest_files(o, kos, dep_names, nocheckd):
    write(os.path.join(o.out, "run.sh"), o.run + "\n")
    write(os.path.join(o.out, "params"), "".join(p + "\n" for p in o.params))
    write(os.path.join(o.out, "checkd_args"), "".join(a + "\n" for a in o.checkd_args))
    write(os.path.join(o.out, "conf"), "".join(line + "\n" for line in (
        "RUN_TIMEOUT=%d" % o.timeout,
        "ATTACH_TIMEOUT=120",
        "CHECKD=%d" % (0 if nocheckd else 1),
        "INJECT=%d" % o.inject,
        "STRATEGY=%s" % o.strategy,
        "DRIVER_KOS='%s'" % "".join(os.path.basename(k) + " " for k in kos),
        "DEP_KOS='%s'" % " ".join(dep_names),
    )))


def boot(o, p, rel, kmod, name, kos, dep_names, checkd):
    """The guest: the runner (vm.py) in its own process, in the background
    so that a CI job's SIGTERM stops QEMU too (the runner kills it on
    TERM). Returns the runner's exit status."""
    vm_args = ["--kernel", rel, "--mode", "vmcheck", "--kmod", "none", "--format", "ktap",
               "--label", "%s/%s" % (name, o.kernel), "--out", os.path.join(o.out, "vm"), "--vga", o.vga,
               "--timeout", str(o.timeout + 240 + int(o.inject) * 2 * (o.timeout + 30)),
               "--chan", "json", "--chan", "checkd",
               "--extra", "%s:/vmcheck/iomap_check.ko" % os.path.join(kmod, "iomap_check.ko")]
    for f in ("conf", "run.sh", "checkd_args", "params"):
        vm_args += ["--extra", "%s:/vmcheck/%s" % (os.path.join(o.out, f), f)]
    for k in kos:
        vm_args += ["--extra", "%s:/vmcheck/driver/%s" % (k, os.path.basename(k))]
    for d in dep_names:
        vm_args += ["--extra", "%s:/vmcheck/deps/%s" % (os.path.join(o.out, "deps", d), d)]
    for q in o.qemu_args:
        vm_args += ["--qemu-arg", q]
    for a in o.appends:
        vm_args += ["--append", a]
    if checkd:
        vm_args += ["--extra", "%s:/bin/iomap-checkd" % checkd]
    vm_args += o.vm_extras
    # never the logs of an earlier run: the runner writes them anew, or not at all
    shutil.rmtree(os.path.join(o.out, "vm"), ignore_errors=True)
    pypath = os.path.join(TOP, "vm") + (":" + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")
    with open(os.path.join(o.out, "ktap.txt"), "wb") as ktap, open(os.path.join(o.out, "vm.err"), "wb") as err:
        child = subprocess.Popen([sys.executable, "-B", "-m", "iomcvm", "vm"] + vm_args, stdout=ktap,
                                 stderr=err, stdin=subprocess.DEVNULL,
                                 env=run_env(KCACHE=p.kcache, ABS_BUILD=p.build, PYTHONPATH=pypath))

        stopped = []

        def on_signal(signum, frame):
            # Pass it on and let the wait below see the runner end: a
            # wait() in here would deadlock on the one the handler broke
            # into (Popen's waitpid lock).
            stopped.append(signum)
            child.send_signal(signal.SIGTERM)
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, on_signal)
        rc = child.wait()
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_DFL)
    if stopped:
        note("stopped by signal %d: the guest was shut down, no verdict" % stopped[0])
        raise Exit(130)
    return rc


def gval(guest, key):
    """The last "# vmcheck: KEY=VALUE" line's VALUE (vm/guest/vmcheck.sh)."""
    val = ""
    for line in guest:
        if line.startswith("# vmcheck: %s=" % key):
            val = line[len("# vmcheck: %s=" % key):]
    return val


def json_objects(vm):
    """The JSON channel's objects (its lines that start with '{')."""
    return [line for line in read_text(os.path.join(vm, "json.log")) if line.startswith("{")]


def violations(json):
    """The objects with a "rule"; the others are the daemon's status, loss
    and summary lines."""
    return sum(1 for line in json if line.startswith('{"rule":'))


def verdict(o, vmrc, vm, nocheckd):
    """(status, why, kernel reports, their count) from the runner's status
    and the guest's logs."""
    guest = read_text(os.path.join(vm, "guest.log"))
    attach, runst, crc, depst = (gval(guest, k) for k in ("attach", "run", "checkd", "deps"))
    json = json_objects(vm)
    nviol = violations(json)
    # The kernel's own reports: each title line and what follows it, with
    # the step it happened in (splats.py, the runner's own classification).
    kreports, _ = splats.kernel_reports(read_text(os.path.join(vm, "console.log")))
    nkern = sum(1 for line in kreports if line.startswith("# kernel report"))
    if vmrc == exits.KERNEL_CRASH:
        return exits.KERNEL_CRASH, "kernel oops or panic in the guest", kreports, nkern
    if vmrc in (exits.SETUP, exits.USAGE):
        why = "guest boot failure or timeout (see %s/console.log)" % vm
        said = [line for line in read_text(os.path.join(o.out, "vm.err")) if line.startswith("vm: ")]
        if said:
            why = "guest set-up failed: %s" % said[-1]
        return exits.SETUP, why, kreports, nkern
    if depst.split(" ")[0] == "fail":
        return exits.SETUP, "a dependency did not load in the guest: %s" % depst.partition(" ")[2], kreports, nkern
    if runst == "timeout":
        return exits.SETUP, "RUN did not finish within %ds" % o.timeout, kreports, nkern
    if not attach:
        return exits.SETUP, "the guest did not report its steps (see %s/guest.log)" % vm, kreports, nkern
    if attach == "fail":
        return exits.UNCHECKED, "iomap-checkd did not attach (see %s/checkd.log)" % vm, kreports, nkern
    if not nocheckd and crc not in ("0", "1"):
        return exits.SETUP, "iomap-checkd did not stop cleanly (exit %s)" % (crc or "unknown"), kreports, nkern
    if nviol > 0 or crc == "1":
        why = "%d violation report(s)" % nviol
        if o.inject:
            ninj = sum(1 for line in json if line.startswith('{"type":"injected"'))
            why += " in the normal run and %d injected run(s)" % ninj
        return exits.VIOLATION, why, kreports, nkern
    if vmrc != 0:
        why = "a step failed"
        if nkern > 0:
            why = "the kernel flagged %d report(s)" % nkern
        if runst == "fail":
            why = "RUN failed"
        return exits.VIOLATION, why, kreports, nkern
    return exits.OK, "no violation", kreports, nkern


def report(o, vm, rel, name, status, why, kreports, nkern, nocheckd):
    """stdout: the checker's reports, the kernel's, the JSON lines, KTAP,
    the verdict line."""
    jsonlog = os.path.join(vm, "json.log")
    if not o.quiet:
        out("# ---- iomap-checkd (%s/checkd.log)\n" % vm)
        if nocheckd:
            out("# (not run: IOMC_NO_CHECKD=1)\n")
        else:
            cat(os.path.join(vm, "checkd.log"))
        out("# ---- kernel: what the kernel itself flagged\n")
        out("".join(line + "\n" for line in kreports) if nkern > 0 else "# nothing\n")
        json = json_objects(vm)
        out("# ---- iomap-checkd JSON: %d line(s), %d violation(s)\n" % (len(json), violations(json)))
    cat(jsonlog, keep=lambda line: line.startswith(b"{"))
    cat(jsonlog, prefix=b"# json channel: ", keep=lambda line: not line.startswith(b"{") and line.strip(b"\n"))
    ktap = os.path.join(o.out, "ktap.txt")
    if o.quiet:
        cat(ktap, keep=lambda line: re.match(rb"(KTAP|1\.\.|not ok)", line) is not None)
    else:
        cat(ktap)
    out("# %s: %s on %s: %s (exit %d)\n" % (PROG, name, rel, why, status))
    if o.quiet:
        note("%s on %s: %s (exit %d)" % (name, rel, why, status))


def vmcheck(argv):
    o = parse(argv)
    p = Paths()
    no_ctrl("IOMC_CACHE", p.build)
    nocheckd = os.environ.get("IOMC_NO_CHECKD", "0") == "1"
    if nocheckd:
        note("WARNING: IOMC_NO_CHECKD=1: no checker, nothing is checked (development only)")

    # ---- kernel, iomap_check.ko
    rel = fetch_kernel(o, p)
    kmod = build_kmod(rel, p)
    if o.driver:
        name = os.path.basename(o.driver)
    else:
        name = re.sub(r"\.ko.*", "", os.path.basename(o.kmods[0]))
    if not o.out:
        o.out = os.path.join(p.build, "vmcheck", "%s-%s" % (safe_name(name), rel))
        if not writable_dir(o.out):
            fail(exits.SETUP, "logs", "cannot create or write the directory '%s'" % o.out)
        o.out = os.path.abspath(o.out)
    note("%s on %s, logs in %s" % (name, rel, o.out))

    # ---- the driver, its in-kernel dependencies, the modules under test
    kos = build_driver(o, p, rel, kmod, name) if o.driver else []
    deps, tested = plan_modules(o, p, rel, kos, name)
    deps = unpack(deps, os.path.join(o.out, "deps"), "dependencies", name)
    kos = unpack(tested, os.path.join(o.out, "tested"), "modules", name)
    dep_names = [os.path.basename(d) for d in deps]
    if dep_names:
        note("dependencies from %s: %s" % (rel, " ".join(re.sub(r"\.ko$", "", d) for d in dep_names)))
    if o.kmods:
        note("modules under test: %s" % "".join(re.sub(r"\.ko$", "", os.path.basename(k)) + " " for k in kos))
    # Every --module-param names a module that is loaded.
    loadable = ["iomap_check"] + [re.sub(r"\.ko$", "", os.path.basename(k)).replace("-", "_")
                                  for k in dep_names + kos]
    for prm in o.params:
        if prm.split(" ")[0] not in loadable:
            usage_error("--module-param: no module '%s' is loaded (loaded: %s)" % (prm.split(" ")[0],
                                                                                   " ".join(loadable)))
    checkd = None if nocheckd else find_checkd(o, p)

    # ---- the guest
    guest_files(o, kos, dep_names, nocheckd)
    vmrc = boot(o, p, rel, kmod, name, kos, dep_names, checkd)
    if not o.quiet:
        cat(os.path.join(o.out, "vm.err"), stream=sys.stderr)
    vm = os.path.join(o.out, "vm")
    os.makedirs(vm, exist_ok=True)
    for f in ("guest.log", "console.log", "json.log", "checkd.log"):
        open(os.path.join(vm, f), "ab").close()
    status, why, kreports, nkern = verdict(o, vmrc, vm, nocheckd)
    with open(os.path.join(o.out, "kernel-reports.txt"), "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in kreports))
    report(o, vm, rel, name, status, why, kreports, nkern, nocheckd)
    return status


def main(argv):
    try:
        return vmcheck(argv)
    except Exit as e:
        return e.status
    except KeyboardInterrupt:
        # ^C before the guest (its own handler covers the boot): no verdict
        note("interrupted: no verdict")
        return 130
    except BrokenPipeError:
        # a reader that stopped early: nothing more can be said on stdout
        sys.stderr.write("%s: write error: stdout closed\n" % PROG)
        return exits.SETUP
    except Exception as e:      # whatever else fails on the host is set-up: 3, never 1
        import traceback
        traceback.print_exc()
        note("set-up failed (%s: %s)" % (type(e).__name__, e))
        return exits.SETUP
