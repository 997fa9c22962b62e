"""The guest runner: boot a guest kernel in QEMU with the iomap-check
modules and run guest test modes; print their results (KTAP by default)
and exit with one of the project's exit statuses (exits.py):
  OK            the guest ran every mode and every test passed
  VIOLATION     the guest ran, some test failed (incl. an undeclared
                WARN/BUG splat)
  USAGE         a bad option or value
  SETUP         set-up error on the host (missing kernel, modules, tools),
                boot failure (no word from /init in time) or timeout (the
                guest hung)
  KERNEL_CRASH  kernel oops or panic
"""
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

from . import TOP, closure, compose, exits, initramfs, kernels, splats

USAGE_TEXT = """\
usage: vm.sh [options]
  --kernel K        a guest kernel: %(kernels)s, or an exact release of
                    either flavor (default $KERNEL or %(default)s)
  --mode M[,M...]   guest modes to run in this one boot, in order; mode M
                    is M.sh in vm/guest/, tests/guest/ or bench/guest/
                    (default check)
  --timeout S       overall wall-clock limit, QEMU is killed after it (120;
                    decimal seconds, 1 to 1000000, like --boot-timeout)
  --boot-timeout S  limit for /init's first word (default 60, at most the
                    timeout)
  --extra F:PATH    copy host file F to PATH in the initramfs (repeatable)
  --bin F           copy static binary F to /bin (repeatable; GUEST_BINS)
  --kmod DIR|none   directory with iomap_check.ko and iomap_scenarios.ko
                    (default $ABS_BUILD/obj/<release>/kmod)
  --out DIR         logs and initramfs (default build/vm/<release>/<modes>)
  --format F        ktap (default): one KTAP document; text: the guest's
                    output for humans; none: print nothing but failures
  --label L         prefix of test descriptions (default: --kernel value)
  --accel A         auto (default; KVM only if a probe boot works) | tcg | kvm
                    TCG runs on one host thread (thread=single): QEMU's
                    multi-threaded TCG left a vCPU looping on the int3 of a
                    jump label the kernel had finished patching (a stale
                    translation: both CPUs stuck in call_timer_fn+0x27,
                    RCU stalls, the guest lost) while the checker attached;
                    one thread is also faster here (6.1 check suite 73 s
                    against 94-101 s). IOMC_TCG_THREAD=multi restores it.
  --vmlinuz F       boot this image instead of the fetched kernel's
  --append ARGS     extra kernel command-line words (repeatable)
  --kernel-module P one of the guest kernel's own modules, P relative to
                    lib/modules/<release>/kernel (drivers/nvdimm/nd_pmem.ko;
                    a compressed .ko.xz/.ko.zst is unpacked),
                    copied to /lib/kernel-modules/ in the guest
                    (repeatable; the guest mode loads them in its order)
  --vga TYPE        QEMU's display device (-vga TYPE): std (default), qxl,
                    virtio, cirrus, vmware, none, ...
  --qemu-arg ARG    one more word for QEMU's command line, appended
                    verbatim after the harness's own (repeatable; e.g.
                    --qemu-arg -device --qemu-arg pci-testdev)
  --chan NAME       one more serial port for the guest (ttyS2, then ttyS3,
                    ... in the order given; repeatable): what the guest
                    writes to it lands in OUT/NAME.log, apart from the
                    console and the results; at most two (the kernels
                    register ttyS0-3)

Channels: ttyS0 (kernel console, every printk once /init raised the
console level) goes to OUT/console.log; ttyS1 carries only what the guest
scripts print, to OUT/guest.log, so test output never interleaves with
kernel messages. Guest scripts mark each test in the kernel log
("iomap-check: begin MODE/NAME expect=TAGS" ... "end MODE/NAME", via
/dev/kmsg); splats between the marks are attributed to that test here on
the host, from the console log, which survives a guest that dies
(python3 -m iomcvm protocol: the whole protocol).

Exit status (include/iomap-check/exit_status.h):
%(exits)s
Environment: IOMC_QEMU overrides the QEMU binary (the harness's own tests
use a fake one); IOMC_POWEROFF_GRACE: seconds a guest that said it is done
may take to power off (10).
"""

VM_EXITS = ("OK", "VIOLATION", "USAGE", "SETUP", "KERNEL_CRASH")


def usage_text():
    return USAGE_TEXT % {"kernels": " | ".join(kernels.names()), "default": kernels.DEFAULT,
                         "exits": exits.help_lines(VM_EXITS)}


class Die(Exception):
    def __init__(self, msg, status):
        super().__init__(msg)
        self.status = status


def decimal(val, name, top):
    """VAL, decimal seconds from 1 to TOP (leading zeros allowed), or Die."""
    v = val.lstrip("0") if re.fullmatch(r"[0-9]+", val or "") else ""
    if not v or len(v) > len(str(top)) or int(v) > top:
        raise Die("%s wants a decimal number of seconds from 1 to %d, not '%s'" % (name, top, val),
                  exits.USAGE)
    return int(v)


class Options:
    def __init__(self):
        self.kernel = os.environ.get("KERNEL") or kernels.DEFAULT
        self.modes = "check"
        self.timeout = "120"
        self.boot_timeout = ""
        self.out = ""
        self.fmt = "ktap"
        self.kmod = ""
        self.label = ""
        self.accel = "auto"
        self.vmlinuz = ""
        self.append = []
        self.vga = "std"
        self.extras, self.bins, self.chans, self.qemu_args, self.kmods_own = [], [], [], [], []


def parse(argv):
    o = Options()
    takes = {"--kernel": "kernel", "--mode": "modes", "--timeout": "timeout", "--boot-timeout": "boot_timeout",
             "--kmod": "kmod", "--out": "out", "--format": "fmt", "--label": "label", "--accel": "accel",
             "--vmlinuz": "vmlinuz", "--vga": "vga"}
    lists = {"--extra": "extras", "--bin": "bins", "--chan": "chans", "--qemu-arg": "qemu_args",
             "--kernel-module": "kmods_own", "--append": "append"}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            sys.stdout.write(usage_text())
            sys.exit(exits.OK)
        if a in takes or a in lists:
            if i + 1 >= len(argv):
                raise Die("%s needs a value" % a, exits.USAGE)
            if a in takes:
                setattr(o, takes[a], argv[i + 1])
            else:
                getattr(o, lists[a]).append(argv[i + 1])
            i += 2
            continue
        raise Die("unknown option %s" % a, exits.USAGE)
    o.label = o.label or o.kernel
    o.timeout = decimal(o.timeout, "--timeout", 1000000)
    if o.boot_timeout:
        o.boot_timeout = decimal(o.boot_timeout, "--boot-timeout", 1000000)
    else:
        # /init normally speaks 3-5 s after QEMU starts: a minute of
        # silence is a failed boot, not a slow one.
        o.boot_timeout = min(o.timeout, 60)
    o.grace = decimal(os.environ.get("IOMC_POWEROFF_GRACE", "10"), "IOMC_POWEROFF_GRACE", 3600)
    if o.fmt not in ("ktap", "text", "none"):
        raise Die("bad --format %s" % o.fmt, exits.USAGE)
    if not re.fullmatch(r"[a-z0-9_-]+", o.vga):
        raise Die("bad --vga '%s'" % o.vga, exits.USAGE)
    if o.accel not in ("auto", "tcg", "kvm"):
        raise Die("bad --accel %s" % o.accel, exits.USAGE)
    if len(o.chans) > 2:
        raise Die("at most two --chan (the kernels register ttyS0-3)", exits.USAGE)
    return o


def fetch_kernel(kernel, kcache):
    """The release of KERNEL, fetched into KCACHE if need be."""
    p = subprocess.run([os.path.join(TOP, "scripts", "fetch-kernel.sh"), kernel, kcache],
                       stdout=subprocess.PIPE, text=True)
    if p.returncode != 0 or not p.stdout.strip():
        raise Die("cannot fetch kernel %s" % kernel, exits.SETUP)
    return p.stdout.strip().splitlines()[-1]


def build_initramfs(o, root, kos, kcache, rel, lz4):
    try:
        bb = initramfs.busybox()
        initramfs.skeleton(root, bb)
    except initramfs.SetupError as e:
        raise Die(str(e), exits.SETUP)
    initramfs.put(root, os.path.join(TOP, "vm", "guest", "init"), "/init", 0o755)
    # Guest modes: the product's (vm/guest: the protocol, demo, vmcheck),
    # the tests' and the benchmarks' (absent from an installed copy).
    for d in ("vm/guest", "tests/guest", "bench/guest"):
        full = os.path.join(TOP, d)
        if os.path.isdir(full):
            for f in sorted(os.listdir(full)):
                if f.endswith(".sh"):
                    initramfs.put(root, os.path.join(full, f), "/guest/" + f)
    extra_modes = {e.split(":", 1)[1] for e in o.extras if ":" in e}
    for m in o.modes.split(","):
        if not os.path.isfile(os.path.join(root, "guest", m + ".sh")) and "/guest/%s.sh" % m not in extra_modes:
            raise Die("no guest mode '%s' (no %s.sh in vm/guest, tests/guest or bench/guest)" % (m, m),
                      exits.USAGE)
    for ko in kos:
        initramfs.put(root, ko, "/lib/iomap-check/" + os.path.basename(ko))
    if o.kmods_own:
        dst = os.path.join(root, "lib", "kernel-modules")
        os.makedirs(dst, exist_ok=True)
        base = os.path.join(kcache, rel, "root", "lib", "modules", rel, "kernel")
        for ko in o.kmods_own:
            src = os.path.join(base, ko)
            for cand in (src, src + ".xz", src + ".zst", src + ".gz"):
                if os.path.isfile(cand):
                    closure.unpack_ko(cand, dst)
                    break
            else:
                raise Die("no module %s in the %s tree (%s)" % (ko, rel, src), exits.SETUP)
    for b in o.bins:
        if not os.path.isfile(b):
            raise Die("missing guest binary %s" % b, exits.SETUP)
        initramfs.put(root, b, "/bin/" + os.path.basename(b))
    for e in o.extras:
        src, _, dst = e.partition(":")
        if not os.path.isfile(src):
            raise Die("missing extra file %s" % src, exits.SETUP)
        initramfs.put(root, src, dst)
    initrd = os.path.join(os.path.dirname(root), "initramfs.cpio." + ("lz4" if lz4 else "gzip"))
    initramfs.pack(root, initrd, lz4)
    return initrd


def kvm_works(qemu, vmlinuz, build):
    """KVM only where it really works: the CPU must advertise vmx/svm and a
    probe boot (cached per host kernel and QEMU) must reach /init and power
    off."""
    if not (os.access("/dev/kvm", os.R_OK | os.W_OK)):
        return False
    with open("/proc/cpuinfo") as f:
        if not re.search(r"\b(vmx|svm)\b", f.read()):
            return False
    cache = os.path.join(build, "vm", "kvm-probe")
    ver = subprocess.run([qemu, "--version"], stdout=subprocess.PIPE, text=True).stdout.splitlines()[:1]
    key = "%s %s" % (os.uname().release, ver[0] if ver else "")
    if os.path.isfile(cache):
        with open(cache) as f:
            lines = f.read().splitlines()
        if lines and lines[0] == key:
            return len(lines) > 1 and lines[1] == "yes"
    p = os.path.join(build, "vm", "kvm-probe.d")
    shutil.rmtree(p, ignore_errors=True)
    os.makedirs(os.path.join(p, "r", "bin"))
    os.makedirs(os.path.join(p, "r", "dev"))
    shutil.copy(initramfs.busybox(), os.path.join(p, "r", "bin", "busybox"))
    with open(os.path.join(p, "r", "init"), "w") as f:
        f.write("#!/bin/busybox sh\n/bin/busybox echo iomc-kvm-probe-ok\n/bin/busybox poweroff -f\n")
    os.chmod(os.path.join(p, "r", "init"), 0o755)
    try:
        os.mknod(os.path.join(p, "r", "dev", "console"), 0o600 | 0o020000, os.makedev(5, 1))
    except OSError:
        pass
    initramfs.pack(os.path.join(p, "r"), os.path.join(p, "initrd"), False)
    con = os.path.join(p, "console")
    with open(os.path.join(p, "qemu.log"), "w") as log:
        try:
            subprocess.run([qemu, "-accel", "kvm", "-cpu", "host", "-smp", "2", "-m", "512M", "-no-reboot",
                            "-display", "none", "-monitor", "none", "-serial", "file:" + con,
                            "-kernel", vmlinuz, "-initrd", os.path.join(p, "initrd"),
                            "-append", "console=ttyS0 panic=-1"], stdin=subprocess.DEVNULL, stdout=log,
                           stderr=log, timeout=30)
        except subprocess.TimeoutExpired:
            pass
    ans = "no"
    try:
        with open(con, "rb") as f:
            if b"iomc-kvm-probe-ok" in f.read():
                ans = "yes"
    except OSError:
        pass
    with open(cache, "w") as f:
        f.write("%s\n%s\n" % (key, ans))
    return ans == "yes"


def secs(us):
    """Microseconds as seconds with one decimal, truncated."""
    return "%d.%d" % (us // 1000000, us % 1000000 // 100000)


def now_us():
    return time.monotonic_ns() // 1000


def has_line(path, prefix):
    try:
        with open(path, "rb") as f:
            for line in f:
                if line.startswith(prefix):
                    return True
    except OSError:
        pass
    return False


def crlf(src, dst):
    """SRC without carriage returns, as DST (empty when SRC is absent)."""
    try:
        with open(src, "rb") as f:
            data = f.read()
    except OSError:
        data = b""
    with open(dst, "wb") as f:
        f.write(data.replace(b"\r", b""))


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace", newline="\n") as f:
        return f.read().splitlines()


class Runner:
    def __init__(self, o):
        self.o = o
        self.qemu_proc = None

    def cleanup(self, in_handler=False):
        p, self.qemu_proc = self.qemu_proc, None
        if p and in_handler:
            # A signal handler may have broken into p.poll(), which holds
            # Popen's waitpid lock: p.wait() here would wait for it forever.
            if p.returncode is None:
                try:
                    os.kill(p.pid, signal.SIGKILL)
                    os.waitpid(p.pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass        # already gone, already reaped
        elif p and p.poll() is None:
            p.kill()
            p.wait()

    def run(self):
        o = self.o
        build = os.environ.get("ABS_BUILD") or os.path.join(TOP, "build")
        kcache = os.environ.get("KCACHE") or os.path.join(build, "kernel")
        qemu = os.environ.get("IOMC_QEMU") or "qemu-system-x86_64"

        # --- kernel
        if o.vmlinuz:
            rel = "custom-" + os.path.basename(o.vmlinuz)
            vmlinuz, config = o.vmlinuz, None
        else:
            rel = fetch_kernel(o.kernel, kcache)
            vmlinuz = os.path.join(kcache, rel, "vmlinuz")
            config = os.path.join(kcache, rel, "config")
        if not os.path.isfile(vmlinuz):
            raise Die("no kernel image %s" % vmlinuz, exits.SETUP)
        kmod = o.kmod or os.path.join(build, "obj", rel, "kmod")
        kos = []
        if kmod != "none":
            for ko in ("iomap_check.ko", "iomap_scenarios.ko"):
                if not os.path.isfile(os.path.join(kmod, ko)):
                    raise Die("missing %s/%s (run make kmod KERNEL=%s)" % (kmod, ko, o.kernel), exits.SETUP)
                kos.append(os.path.join(kmod, ko))

        out = o.out or os.path.join(build, "vm", rel, o.modes.replace(",", "+"))
        os.makedirs(out, exist_ok=True)
        out = os.path.abspath(out)
        for f in ("console.log", "guest.log", "qemu.log", "console.raw", "guest.raw", "splats.tsv"):
            try:
                os.unlink(os.path.join(out, f))
            except FileNotFoundError:
                pass
        chan_args = []
        for c in o.chans:
            for f in (c + ".raw", c + ".log"):
                try:
                    os.unlink(os.path.join(out, f))
                except FileNotFoundError:
                    pass
            chan_args += ["-serial", "file:%s/%s.raw" % (out, c)]

        # --- initramfs
        lz4 = False
        if config and shutil.which("lz4"):
            with open(config) as f:
                lz4 = "CONFIG_RD_LZ4=y\n" in f.read()
        initrd = build_initramfs(o, os.path.join(out, "initramfs.d"), kos, kcache, rel, lz4)

        # --- accelerator
        accel = o.accel
        if accel == "auto":
            accel = "kvm" if kvm_works(qemu, vmlinuz, build) else "tcg"
        cpu = "host" if accel == "kvm" else "max"
        accel_opt = accel + (",thread=" + os.environ.get("IOMC_TCG_THREAD", "single") if accel == "tcg" else "")

        # --- boot
        append = "console=ttyS0 panic=-1 quiet no_timer_check iomc_mode=" + o.modes
        if o.append:
            append += " " + " ".join(o.append)
        cmd = [qemu, "-accel", accel_opt, "-cpu", cpu, "-smp", "2", "-m", "1G", "-no-reboot",
               "-display", "none", "-vga", o.vga, "-monitor", "none", "-parallel", "none", "-nic", "none",
               "-serial", "file:%s/console.raw" % out, "-serial", "file:%s/guest.raw" % out] + chan_args + \
              ["-kernel", vmlinuz, "-initrd", initrd, "-append", append] + o.qemu_args
        with open(os.path.join(out, "cmdline"), "w") as f:
            f.write(" ".join(shlex.quote(c) for c in cmd) + "\n")
        sys.stderr.write("# vm: %s, %s, -vga %s%s, modes %s, timeout %ds, logs in %s\n" % (
            rel, accel, o.vga, (", " + " ".join(o.qemu_args)) if o.qemu_args else "", o.modes, o.timeout, out))
        sys.stderr.flush()
        t0 = now_us()
        with open(os.path.join(out, "qemu.log"), "w") as qlog:
            self.qemu_proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qlog, stderr=qlog)
        # The guest says "# iomc: init" when /init runs and "# iomc: done"
        # after the last mode; then it powers off, which ends QEMU
        # (-no-reboot also turns a panic's reboot into an exit).
        graw = os.path.join(out, "guest.raw")
        outcome, t_init, t_done = None, None, None
        while True:
            t = now_us()
            el = (t - t0) // 1000000
            alive = self.qemu_proc.poll() is None
            if t_init is None and has_line(graw, b"# iomc: init"):
                t_init = t
            if t_done is None and has_line(graw, b"# iomc: done"):
                t_done = t
            if not alive:
                break
            if t_done is not None and (t - t_done) // 1000000 >= o.grace:
                outcome = "nopoweroff"
                break
            if t_init is None and el >= o.boot_timeout:
                outcome = "boot"
                break
            if el >= o.timeout:
                outcome = "timeout"
                break
            time.sleep(0.1)
        self.cleanup()
        t1 = now_us()
        crlf(os.path.join(out, "console.raw"), os.path.join(out, "console.log"))
        crlf(graw, os.path.join(out, "guest.log"))
        for c in o.chans:
            crlf(os.path.join(out, c + ".raw"), os.path.join(out, c + ".log"))
        glog = read_lines(os.path.join(out, "guest.log"))
        if not any(line.startswith("# iomc: init") for line in glog):
            outcome = outcome or "noboot"
        if not any(line.startswith("# iomc: done") for line in glog):
            outcome = outcome or "died"
        outcome = outcome or "ok"

        # --- verdict
        console = read_lines(os.path.join(out, "console.log"))
        records = splats.classify(console)
        with open(os.path.join(out, "splats.tsv"), "w") as f:
            f.write("".join(line + "\n" for line in splats.tsv(records)))
        wall = secs(t1 - t0)
        init_at = secs(t_init - t0) if t_init is not None else "-"
        tail = console[-15:]
        if not console:
            tail = ["qemu: " + line for line in read_lines(os.path.join(out, "qemu.log"))][-5:]
        v = compose.compose(records, glog, fmt=o.fmt, label=o.label, outcome=outcome, timeout=o.timeout,
                            boot_timeout=o.boot_timeout, wall=wall, init_at=init_at, accel=accel, tail=tail)
        with open(os.path.join(out, "result.txt"), "w") as f:
            f.write("".join(line + "\n" for line in v.lines))
        with open(os.path.join(out, "summary"), "w") as f:
            f.write("%d %d\n" % (v.nfatal, v.failed))
        if o.fmt == "none":
            shown = [line for line in v.lines
                     if re.match(r"^not ok|^# (boot failure|timeout|kernel)", line)]
        else:
            shown = v.lines
        sys.stdout.write("".join(line + "\n" for line in shown))
        sys.stdout.flush()
        with open(os.path.join(out, "info"), "w") as f:
            f.write("%s %s %s %s %s\n" % (rel, accel, wall, init_at, outcome))
        sys.stderr.write("# vm: %s: outcome %s, %d failed, %ss wall (/init at %ss)\n" % (
            o.label, outcome, v.failed, wall, init_at))
        if v.nfatal > 0:
            return exits.KERNEL_CRASH
        if outcome in ("boot", "noboot", "timeout", "died"):
            return exits.SETUP
        return exits.VIOLATION if v.failed else exits.OK


def main(argv):
    label = [os.environ.get("KERNEL") or kernels.DEFAULT]

    def die(msg, status):
        # Still say so in KTAP so check.sh counts it.
        sys.stdout.write("not ok 1 %s: vm set-up # %s\n" % (label[0], msg))
        sys.stdout.flush()
        sys.stderr.write("vm: %s\n" % msg)
        return status
    # a best guess at the label for errors before the options are read
    for i, a in enumerate(argv[:-1]):
        if a in ("--label", "--kernel"):
            label[0] = argv[i + 1]
            if a == "--label":
                break
    try:
        o = parse(argv)
    except Die as e:
        return die(str(e), e.status)
    label[0] = o.label
    r = Runner(o)

    def on_signal(signum, frame):
        sys.stdout.write("not ok 1 %s: vm runner interrupted\n" % o.label)
        sys.stdout.flush()
        r.cleanup(in_handler=True)
        os._exit(130)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    try:
        return r.run()
    except Die as e:
        r.cleanup()
        return die(str(e), e.status)
    except Exception as e:      # never end without a word: check.sh counts it
        r.cleanup()
        sys.stdout.write("not ok 1 %s: vm runner failed: %s: %s\n" % (o.label, type(e).__name__, e))
        sys.stdout.flush()
        import traceback
        traceback.print_exc()
        return exits.SETUP
