"""Unit tests of the guest runner's modules (vm/iomcvm), no guest needed.

The compose and kernel-report expectations (tests/host/iomcvm/*.expect)
were made by the awk programs the runner replaced (vm/compose.awk,
splats.awk, kernel-reports.awk at commit 4d6b3e8) on the recorded console
logs in tests/host/harness/: the port must say exactly what they said.
Run by tests/host/iomcvm.sh, which prints KTAP.
"""
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "vm"))

from iomcvm import closure, compose, exits, kernels, kernelsrc, protocol, splats, vmcheck  # noqa: E402

HARNESS = os.path.join(TOP, "tests", "host", "harness")
FIX = os.path.join(TOP, "tests", "host", "iomcvm")


def compile_c(test, d, text, *flags):
    """D/t, compiled from TEXT with FLAGS (TEST is skipped without a C compiler)."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        test.skipTest("no C compiler")
    src = os.path.join(d, "t.c")
    with open(src, "w") as f:
        f.write(text)
    subprocess.run([cc] + list(flags) + [src, "-o", os.path.join(d, "t")], check=True)
    return os.path.join(d, "t")


def lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


class Exits(unittest.TestCase):
    def test_table_matches_the_c_enum(self):
        """The parsed table is what a C compiler makes of the header."""
        with tempfile.TemporaryDirectory() as d:
            t = compile_c(self, d, '#include <stdio.h>\n#include <iomap-check/exit_status.h>\n'
                          '#define P(n, v, w) printf("%s %d\\n", #n, IOMC_EXIT_##n);\n'
                          'int main(void) { IOMC_EXIT_STATUSES(P) return 0; }\n',
                          "-I", os.path.join(TOP, "include"))
            got = subprocess.run([t], stdout=subprocess.PIPE, text=True).stdout
        self.assertEqual(got, "".join("%s %d\n" % (n, v) for n, v, _ in exits.TABLE))
        self.assertGreaterEqual(len(exits.TABLE), 8)

    def test_names_and_shell(self):
        self.assertEqual(exits.code("OK"), 0)
        self.assertEqual(exits.name_of(exits.KERNEL_CRASH), "KERNEL_CRASH")
        self.assertIn("IOMC_EXIT_SETUP=%d\n" % exits.SETUP, exits.shell())
        self.assertEqual(len({v for _, v, _ in exits.TABLE}), len(exits.TABLE))

    def test_parse_rejects_garbage(self):
        with self.assertRaises(ValueError):
            exits.parse("#define FOO 1\n")


class Kernels(unittest.TestCase):
    def test_names(self):
        self.assertEqual(kernels.names()[0], kernels.DEFAULT)
        for k in ("6.1", "6.12", "6.1-generic", "6.12-generic", "6.1-cloud", "6.1.0-57-cloud-amd64",
                  "6.1.0-57-amd64", "6.12.118+deb12-amd64"):
            self.assertTrue(kernels.valid(k), k)
        self.assertTrue(kernels.valid("/path/to/linux"))
        for k in ("5.10", "", "6.1 x", "6.1;ls", "generic", "6.1.0-57-arm64"):
            self.assertFalse(kernels.valid(k), k)

    def test_meta_and_release(self):
        self.assertEqual(kernels.lookup("6.1-cloud").meta, "linux-image-cloud-amd64")
        self.assertEqual(kernels.lookup("6.12-generic").meta, "linux-image-6.12-amd64")
        self.assertTrue(kernels.is_release("6.1.0-57-amd64"))
        self.assertFalse(kernels.is_release("6.1"))

    def test_unstable(self):
        """Debian unstable's kernel: its own suite (a chroot), both flavors."""
        self.assertEqual(kernels.lookup("unstable").meta, "linux-image-cloud-amd64")
        self.assertEqual(kernels.lookup("unstable-cloud").name, "unstable")
        self.assertEqual(kernels.lookup("unstable-generic").meta, "linux-image-amd64")
        self.assertEqual(kernels.suite_of("unstable"), "unstable")
        self.assertEqual(kernels.suite_of("unstable-generic"), "unstable")
        for k in ("6.1", "6.12-generic", "6.1.0-57-amd64", "/path/to/linux"):
            self.assertEqual(kernels.suite_of(k), "", k)
        self.assertEqual(kernels.flavor_of("unstable-generic"), "generic")
        self.assertEqual((kernels.other("unstable"), kernels.generic("unstable")), ("6.1", "unstable-generic"))
        self.assertEqual(kernels.generic("unstable-generic"), "unstable-generic")
        self.assertFalse(kernels.is_release("unstable"))
        self.assertIn("unstable", kernels.usage())
        out = subprocess.run([sys.executable, "-B", "-m", "iomcvm", "kernels", "--suite", "unstable-generic"],
                             env=dict(os.environ, PYTHONPATH=os.path.join(TOP, "vm")),
                             stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
        self.assertEqual(out, "unstable\n")

    def test_other_never_an_unstable_kernel(self):
        """make check's second Debian 12 kernel is never a chroot one."""
        for k in kernels.names():
            self.assertEqual(kernels.suite_of(kernels.other(k)), "", k)

    def test_other_and_generic(self):
        """What make check boots besides KERNEL (tests.mk, vmcheck.mk)."""
        want = {"6.1": ("6.12", "6.1-generic"), "6.12": ("6.1", "6.12-generic"),
                "6.1-generic": ("6.12", "6.1-generic"), "6.12-generic": ("6.1", "6.12-generic"),
                "6.12.118+deb12-cloud-amd64": ("6.1", "6.12-generic"),
                "6.1.0-57-amd64": ("6.12", "6.1-generic")}
        for k, (o, g) in want.items():
            self.assertEqual((kernels.other(k), kernels.generic(k)), (o, g), k)

    def test_fetch_kernel_asks_the_table(self):
        fk = os.path.join(TOP, "scripts", "fetch-kernel.sh")
        for k, rc in (("6.12-generic", 0), ("6.1.0-57-amd64", 0), ("5.10", 1)):
            self.assertEqual(subprocess.run([fk, "--valid", k]).returncode, rc, k)


class Protocol(unittest.TestCase):
    def test_results(self):
        self.assertEqual(protocol.parse_result("ok 3 name (2 events)"), (False, "name (2 events)", ""))
        self.assertEqual(protocol.parse_result("not ok 1 a b # SKIP why # x"), (True, "a b", "SKIP why # x"))
        self.assertEqual(protocol.parse_result("ok - x"), (False, "x", ""))
        self.assertIsNone(protocol.parse_result("okay 1 x"))
        self.assertIsNone(protocol.parse_result("# ok 1 x"))

    def test_window_key(self):
        self.assertEqual(protocol.window_key("nesting_legal (14 events)"), "nesting_legal")
        self.assertEqual(protocol.window_key("sleepy: detail"), "sleepy")

    def test_markers(self):
        self.assertEqual(protocol.parse_begin("iomap-check: begin check/a expect=warning,x"),
                         ("check/a", "warning,x"))
        self.assertEqual(protocol.parse_begin("iomap-check: begin check/a"), ("check/a", ""))
        self.assertIsNone(protocol.parse_begin("iomap-check: end check/a"))
        self.assertTrue(protocol.MODE_BEGIN.match("# iomc: mode daemon begin"))
        self.assertTrue(protocol.MODE_END.match("# iomc: mode daemon end rc=0"))


class Splats(unittest.TestCase):
    def test_tags(self):
        cases = {
            "BUG: scheduling while atomic: sh/12/0x00000002": "scheduling_while_atomic",
            "WARNING: CPU: 0 PID: 1 at kernel/x.c:1 f+0x1/0x2": "warning",
            "WARNING: possible recursive locking detected": "possible_recursive_locking_detected",
            "UBSAN: array-index-out-of-bounds in a.c:1:2": "array_index_out_of_bounds",
            "INFO: task sh:88 blocked for more than 120 seconds.": "hung_task",
            "rcu: INFO: rcu_sched detected stalls on CPUs/tasks:": "rcu_stall",
            "BUG: sleeping function called from invalid context at k/m.c:283": "sleeping_function_called_from_invalid_context",
        }
        for text, tag in cases.items():
            self.assertEqual(splats.splat_class(text), "splat", text)
            self.assertEqual(splats.splat_tag(text), tag, text)
        for fatal in ("Kernel panic - not syncing: x", "Oops: 0000 [#1]", "kernel BUG at a.c:9!",
                      "general protection fault, probably"):
            self.assertEqual(splats.splat_class(fatal), "fatal")
        self.assertEqual(splats.splat_class("iomap-check: loaded"), "")

    def test_declared(self):
        self.assertTrue(splats.declared("sleeping_function", "sleeping_function_called_x", "BUG: ..."))
        self.assertTrue(splats.declared("kernel:warning", "whatever", "WARNING: CPU: 0"))
        self.assertTrue(splats.declared("any", "x", ""))
        self.assertFalse(splats.declared("-", "x", ""))
        self.assertFalse(splats.declared("warning", "x", "BUG: x"))

    def test_console_logs(self):
        """The classification harness.sh's .expect files record."""
        for name in ("6.1", "6.12", "synthetic"):
            got = ["\t".join(t.split("\t")[:4]) for t in
                   splats.tsv(splats.classify(lines(os.path.join(HARNESS, "console-%s.log" % name))))]
            self.assertEqual(got, lines(os.path.join(HARNESS, "console-%s.expect" % name)), name)

    def test_kernel_reports(self):
        for name in ("6.1", "6.12", "synthetic"):
            got, n = splats.kernel_reports(lines(os.path.join(HARNESS, "console-%s.log" % name)))
            self.assertEqual(got, lines(os.path.join(FIX, "reports-%s.expect" % name)), name)
            self.assertEqual(n, sum(1 for g in got if g.startswith("# kernel report ")))
        self.assertEqual(splats.kernel_reports(["nothing", "here"]), ([], 0))


class Compose(unittest.TestCase):
    def test_same_verdict_as_the_awk(self):
        guest = lines(os.path.join(FIX, "guest-synthetic.log"))
        for con in ("synthetic", "6.1"):
            console = lines(os.path.join(HARNESS, "console-%s.log" % con))
            for fmt in ("ktap", "text", "none"):
                for outcome in ("ok", "timeout"):
                    v = compose.compose(splats.classify(console), guest, fmt=fmt, label="L", outcome=outcome,
                                        timeout=120, boot_timeout=60, wall="1.0", init_at="-", accel="tcg",
                                        tail=console[-15:])
                    want = lines(os.path.join(FIX, "compose-%s-%s-%s.expect" % (con, fmt, outcome)))
                    self.assertEqual(v.lines + ["%d %d" % (v.nfatal, v.failed)], want, (con, fmt, outcome))

    def test_clean_boot_passes(self):
        g = ["# iomc: init x", "# iomc: mode m begin", "1..1", "ok 1 a", "# iomc: mode m end rc=0", "# iomc: done"]
        v = compose.compose([], g, label="k", wall="2.0", init_at="1.0", accel="tcg")
        self.assertEqual(v.failed, 0)
        self.assertEqual(v.lines[:3], ["KTAP version 1", "1..3", "ok 1 k m: a"])

    def test_every_outcome_but_ok_fails_the_boot(self):
        for outcome in compose.OUTCOMES[1:]:
            v = compose.compose([], [], label="k", outcome=outcome)
            self.assertEqual(v.failed, 1, outcome)
            self.assertTrue(v.lines[-1].startswith("not ok 2 k: guest boot to verdict"), outcome)


class Closure(unittest.TestCase):
    """The module closure on a made-up modules tree (ELF objects with only
    a .modinfo section)."""

    def setUp(self):
        self.d = tempfile.mkdtemp()
        self.m = os.path.join(self.d, "root", "lib", "modules", "9.9.9-iomc")
        os.makedirs(os.path.join(self.m, "kernel", "sub"))
        os.makedirs(os.path.join(self.d, "drv"))
        src = os.path.join(self.d, "empty.c")
        open(src, "w").close()
        self.obj = os.path.join(self.d, "empty.o")
        cc = shutil.which("cc") or shutil.which("gcc")
        if not cc or not shutil.which("objcopy"):
            self.skipTest("no cc or objcopy")
        subprocess.run([cc, "-c", src, "-o", self.obj], check=True)
        self.ko("kernel/a-core.ko", "")
        self.ko("kernel/sub/b.ko", "a_core")
        self.ko("kernel/c.ko", "b,a-core")
        with open(os.path.join(self.m, "modules.dep"), "w") as f:
            f.write("kernel/c.ko: kernel/sub/b.ko kernel/a-core.ko\nkernel/sub/b.ko: kernel/a-core.ko\n"
                    "kernel/a-core.ko:\n")

    def tearDown(self):
        shutil.rmtree(self.d)

    def ko(self, rel, depends, where=None):
        path = os.path.join(where or self.m, rel)
        mi = os.path.join(self.d, "mi")
        with open(mi, "wb") as f:
            f.write(b"depends=" + depends.encode() + b"\0license=GPL\0")
        subprocess.run(["objcopy", "--add-section", ".modinfo=" + mi, self.obj, path], check=True)
        return path

    def test_order_each_once_own_left_out(self):
        drv = os.path.join(self.d, "drv")
        main = self.ko("main.ko", "c,helper,iomap_check", drv)
        helper = self.ko("helper.ko", "a_core", drv)
        got = [os.path.relpath(p, self.m) for p in closure.closure(self.m, [main, helper])]
        self.assertEqual(got, ["kernel/a-core.ko", "kernel/sub/b.ko", "kernel/c.ko"])

    def test_names_given_as_well(self):
        got = [os.path.relpath(p, self.m) for p in closure.closure(self.m, [], names=["b"])]
        self.assertEqual(got, ["kernel/a-core.ko", "kernel/sub/b.ko"])

    def test_missing_is_named(self):
        needy = self.ko("needy.ko", "c,nosuch-mod", os.path.join(self.d, "drv"))
        with self.assertRaises(closure.Missing) as e:
            closure.closure(self.m, [needy])
        self.assertEqual(e.exception.names, ["nosuch_mod"])

    def test_builtin_kernel_module_is_not_missing(self):
        with open(os.path.join(self.m, "modules.builtin"), "w") as f:
            f.write("kernel/drivers/virtio/virtio_pci.ko\n")
        self.assertEqual(closure.builtin(self.m), {"virtio_pci"})
        env = dict(os.environ, PYTHONPATH=os.path.join(TOP, "vm"))
        r = subprocess.run([sys.executable, "-B", "-m", "iomcvm", "modules", self.m,
                            "--kernel-module", "virtio_pci", "--kernel-module", "b"],
                           capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([line.split()[0] + " " + os.path.relpath(line.split()[1], self.m)
                          for line in r.stdout.splitlines()],
                         ["dep kernel/a-core.ko", "driver kernel/sub/b.ko"])
        self.assertIn("'virtio_pci' is built into kernel 9.9.9-iomc", r.stderr)
        r = subprocess.run([sys.executable, "-B", "-m", "iomcvm", "modules", self.m,
                            "--kernel-module", "nosuch"], capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 1)
        self.assertIn("needs module 'nosuch'", r.stderr)

    def test_no_dependency(self):
        self.assertEqual(closure.closure(self.m, [self.ko("n.ko", "", os.path.join(self.d, "drv"))]), [])

    def test_depmod_when_no_modules_dep(self):
        if not shutil.which("depmod"):
            self.skipTest("no depmod")
        os.unlink(os.path.join(self.m, "modules.dep"))
        helper = self.ko("helper.ko", "a_core", os.path.join(self.d, "drv"))
        got = closure.closure(self.m, [helper])
        self.assertEqual([os.path.basename(p) for p in got], ["a-core.ko"])
        self.assertTrue(os.path.getsize(os.path.join(self.m, "modules.dep")) > 0)

    def test_unpack_compressed(self):
        import lzma
        src = os.path.join(self.m, "kernel", "c.ko")
        with open(src, "rb") as f:
            plain = f.read()
        with lzma.open(src + ".xz", "wb", format=lzma.FORMAT_XZ) as f:
            f.write(plain)
        out = os.path.join(self.d, "out")
        os.mkdir(out)
        dst = closure.unpack_ko(src + ".xz", out)
        self.assertEqual(os.path.basename(dst), "c.ko")
        with open(dst, "rb") as f:
            self.assertEqual(f.read(), plain)
        self.assertEqual(closure.depends(src + ".xz"), ["b", "a_core"])


class KernelSource(unittest.TestCase):
    """--kernel PATH: both layouts found, the config checked, the cache
    entry made of links to the user's files (made-up trees, no boot)."""

    GOOD = "".join("%s=y\n" % o for o, _, _ in kernelsrc.NEEDED)

    def setUp(self):
        self.d = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.d)

    def write(self, rel, text=""):
        p = os.path.join(self.d, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        return p

    def install_root(self, config):
        self.write("r/boot/vmlinuz-9.9.9-t", "x")
        self.write("r/boot/config-9.9.9-t", config)
        self.write("r/lib/modules/9.9.9-t/modules.dep")
        self.write("r/usr/src/linux-headers-9.9.9-t/Makefile")
        # as Debian's packages have it: absolute, read inside the root
        os.symlink("/usr/src/linux-headers-9.9.9-t", os.path.join(self.d, "r/lib/modules/9.9.9-t/build"))
        return os.path.join(self.d, "r")

    def test_install_root(self):
        root = self.install_root(self.GOOD)
        s = kernelsrc.detect(root)
        self.assertEqual((s.kind, s.rel), ("install root", "9.9.9-t"))
        self.assertEqual(s.kbuild, os.path.join(root, "usr/src/linux-headers-9.9.9-t"))
        cache = os.path.join(self.d, "cache")
        self.assertEqual(kernelsrc.import_kernel(root, cache), "9.9.9-t")
        e = os.path.join(cache, "9.9.9-t")
        self.assertEqual(os.readlink(os.path.join(e, "vmlinuz")), os.path.join(root, "boot/vmlinuz-9.9.9-t"))
        self.assertTrue(os.path.isfile(os.path.join(e, "root/lib/modules/9.9.9-t/modules.dep")))
        self.assertTrue(os.path.isfile(os.path.join(e, "build/Makefile")))

    def test_build_tree(self):
        self.write("t/arch/x86/boot/bzImage", "x")
        self.write("t/.config", self.GOOD)
        self.write("t/include/config/kernel.release", "9.9.9-tree\n")
        self.write("t/Module.symvers")
        self.write("t/Makefile")
        s = kernelsrc.detect(os.path.join(self.d, "t"))
        self.assertEqual((s.kind, s.rel), ("build tree", "9.9.9-tree"))
        self.assertEqual(s.kbuild, os.path.join(self.d, "t"))

    def test_missing_options_named(self):
        cfg = self.GOOD.replace("CONFIG_BPF_SYSCALL=y\n", "").replace("CONFIG_KPROBES=y", "CONFIG_KPROBES=n")
        root = self.install_root(cfg)
        with self.assertRaises(kernelsrc.SetupError) as e:
            kernelsrc.import_kernel(root, os.path.join(self.d, "cache"))
        self.assertIn("CONFIG_BPF_SYSCALL", str(e.exception))
        self.assertIn("CONFIG_KPROBES", str(e.exception))
        # an LZ4 initramfs will do instead of gzip
        self.assertEqual(kernelsrc.check_config(self.write("c", self.GOOD.replace("CONFIG_RD_GZIP=y", "CONFIG_RD_LZ4=y"))), [])

    def test_fragment_turns_on_every_needed_option(self):
        frag = self.write("frag", "\n".join(kernelsrc.fragment()) + "\n")
        self.assertEqual(kernelsrc.check_config(frag), [])

    def test_neither_layout(self):
        os.makedirs(os.path.join(self.d, "empty"))
        with self.assertRaises(kernelsrc.SetupError):
            kernelsrc.detect(os.path.join(self.d, "empty"))

    def test_debian_release_in_cache_is_not_overwritten(self):
        root = self.install_root(self.GOOD)
        os.makedirs(os.path.join(self.d, "cache", "9.9.9-t"))
        with self.assertRaises(kernelsrc.SetupError):
            kernelsrc.import_kernel(root, os.path.join(self.d, "cache"))


if __name__ == "__main__":
    unittest.main()


class VmCheck(unittest.TestCase):
    """iomap-vmcheck's own logic (vm/iomcvm/vmcheck.py): option parsing as
    getopt_long does it, value checks, the verdict from the guest's logs.
    tests/vmcheck/test.sh runs the command itself, with and without guests."""

    def getopt(self, *argv):
        return vmcheck.getopt_long(list(argv))

    def test_getopt_long_like_gnu(self):
        opts, rest = self.getopt("-iq", "-dDIR", "--run=echo a", "--kernel", "6.12", "stray", "--drive", "X",
                                 "--", "--run")
        self.assertEqual(opts, [("inject-faults", None), ("quiet", None), ("driver", "DIR"),
                                ("run", "echo a"), ("kernel", "6.12"), ("driver", "X")])
        self.assertEqual(rest, ["stray", "--run"])
        # an exact name wins over the longer ones it begins (--kernel, --kernel-module)
        self.assertEqual(self.getopt("--kernel", "k")[0], [("kernel", "k")])

    def test_getopt_errors_are_usage_errors(self):
        for argv in (["--frobnicate"], ["--driver"], ["-x"], ["-d"], ["--help=1"], ["--check", "x"]):
            err = io.StringIO()
            with self.assertRaises(vmcheck.Exit) as e, contextlib.redirect_stderr(err):
                self.getopt(*argv)
            self.assertEqual(e.exception.status, exits.USAGE, argv)
            self.assertRegex(err.getvalue(), "^iomap-vmcheck: .*\nTry 'iomap-vmcheck --help'.\n$")

    def test_decimal(self):
        self.assertEqual(vmcheck.decimal("08", 86400), 8)
        self.assertEqual(vmcheck.decimal("86400", 86400), 86400)
        for bad in ("0", "00", "86401", "-5", " 5", "1e3", "", "9223372036854775807", "\u0665"):
            self.assertIsNone(vmcheck.decimal(bad, 86400), bad)

    def test_checkd_args(self):
        for a in ("-d", "-dlifo_order", "--disable", "--disable=x", "--might-sleep", "none", "--all",
                  "--ringbuf-size=4096"):
            self.assertTrue(vmcheck.checkd_arg_ok(a), a)
        for a in ("--json", "--output", "", "--allx", "--disabled"):
            self.assertFalse(vmcheck.checkd_arg_ok(a), a)

    def test_static_elf(self):
        with tempfile.TemporaryDirectory() as d:
            main = "int main(void) { return 0; }\n"
            self.assertFalse(vmcheck.static_elf(compile_c(self, d, main)))
            self.assertFalse(vmcheck.static_elf(os.path.join(d, "t.c")))
            # a damaged header: no traceback, not static
            bad = os.path.join(d, "bad")
            with open(bad, "wb") as f:
                f.write(b"\x7fELF\x02\x01" + bytes(0x36 - 6) + b"\0\0\xff\xff" + bytes(10))
            self.assertFalse(vmcheck.static_elf(bad))
            self.assertTrue(vmcheck.static_elf(compile_c(self, d, main, "-static")))

    def verdict(self, vmrc, guest, json="", console="", inject=False, vmerr=""):
        with tempfile.TemporaryDirectory() as d:
            vm = os.path.join(d, "vm")
            os.makedirs(vm)
            for name, text in (("guest.log", guest), ("json.log", json), ("console.log", console)):
                with open(os.path.join(vm, name), "w") as f:
                    f.write(text)
            with open(os.path.join(d, "vm.err"), "w") as f:
                f.write(vmerr)
            o = vmcheck.Options()
            o.out, o.timeout, o.inject = d, 30, inject
            st, why, _, _ = vmcheck.verdict(o, vmrc, vm, False)
            return st, why.replace(d, "OUT")

    def test_verdicts(self):
        ok = "# vmcheck: deps=ok\n# vmcheck: attach=ok\n# vmcheck: run=ok\n# vmcheck: checkd=0\n"
        self.assertEqual(self.verdict(0, ok), (exits.OK, "no violation"))
        self.assertEqual(self.verdict(1, ok.replace("checkd=0", "checkd=1"), '{"rule":"lifo_order"}\n{"type":"x"}\n'),
                         (exits.VIOLATION, "1 violation report(s)"))
        self.assertEqual(self.verdict(0, ok.replace("attach=ok", "attach=fail"))[0], exits.UNCHECKED)
        self.assertEqual(self.verdict(0, "")[0], exits.SETUP)       # the guest said nothing: never green
        self.assertEqual(self.verdict(1, ok.replace("run=ok", "run=timeout")),
                         (exits.SETUP, "RUN did not finish within 30s"))
        self.assertEqual(self.verdict(1, ok.replace("deps=ok", "deps=fail drm")),
                         (exits.SETUP, "a dependency did not load in the guest: drm"))
        self.assertEqual(self.verdict(0, ok.replace("checkd=0", "checkd=4"))[0], exits.SETUP)
        self.assertEqual(self.verdict(1, ok.replace("run=ok", "run=fail")), (exits.VIOLATION, "RUN failed"))
        self.assertEqual(self.verdict(exits.KERNEL_CRASH, ok)[0], exits.KERNEL_CRASH)
        self.assertEqual(self.verdict(exits.SETUP, "", vmerr="vm: no kernel image x\n"),
                         (exits.SETUP, "guest set-up failed: vm: no kernel image x"))
        self.assertEqual(self.verdict(1, ok, '{"rule":"a"}\n{"type":"injected"}\n{"type":"injected"}\n',
                                      inject=True),
                         (exits.VIOLATION, "1 violation report(s) in the normal run and 2 injected run(s)"))

    def test_help_lists_every_option(self):
        text = vmcheck.usage_text()
        for _, lng, _ in vmcheck.OPTIONS:
            self.assertIn("--" + lng, text)
        self.assertIn("Exit status:\n  0  ", text)
