"""python3 -m iomcvm COMMAND [ARGS]: the runner's facts for make and the
shell scripts, and the runner itself.

  vm [vm.sh options]            boot a guest, run modes (vm/vm.sh)
  vmcheck [options]             check a driver in a guest (iomap-vmcheck)
  kernels                       the kernel names --kernel takes, one a line
  kernels --valid K             exit 0 if K is a kernel name or a release
  kernels --meta K              K's Debian metapackage (nothing for a release)
  kernels --usage               the sentence error messages offer
  kernels --suite K             K's Debian suite when not the host's (unstable)
  kernels --other K             the cloud kernel of the other series
  kernels --generic K           the generic kernel of K's series
  exit-status [NAME]            NAME's number; without NAME the table
  exit-status --shell           IOMC_EXIT_NAME=N lines to eval
  splats CONSOLE.log            the splat classification, tab separated
  kernel-reports CONSOLE.log    the kernel's own reports (exit 1: none)
  compose [--format F] [--label L] [--outcome O] [--wall S] [--init-at S]
          [--accel A] [--timeout S] [--boot-timeout S] CONSOLE.log GUEST.log
                                one boot's verdict from its two logs
                                (exit: the summary, "FATALS FAILED" on stderr)
  closure MODDIR KO...          in-kernel modules KO needs, load order
                                (exit 1: one is missing, named on stderr)
  unpack-ko KO DIR              KO uncompressed into DIR
  kernel-import PATH CACHE [--kdir DIR]
                                a user's kernel (build tree or install root)
                                into the kernel cache, its config checked;
                                prints its release (exit 3: unusable, why)
  kconfig [CONFIG]              the config fragment the checker needs; with
                                CONFIG, the options it lacks (exit 1: some)
  modules MODDIR [--kernel-module NAME]... [KO...]
                                what iomap-vmcheck loads: "dep PATH" lines
                                (in-kernel dependencies, load order), then
                                "driver PATH" lines (the --kernel-module
                                modules, then KO in dependency order); exit
                                1: a module is missing (named on stderr)
"""
import sys

from . import closure, exits, kernels, splats


def _read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().splitlines()


def cmd_kernels(args):
    if not args:
        print("\n".join(kernels.names()))
        return 0
    if args[0] == "--usage":
        print(kernels.usage())
        return 0
    if len(args) != 2:
        return usage()
    what, k = args
    if what == "--valid":
        return 0 if kernels.valid(k) else 1
    if what == "--meta":
        e = kernels.lookup(k)
        if e:
            print(e.meta)
        return 0 if e or kernels.valid(k) else 1
    if what == "--suite":
        print(kernels.suite_of(k))
        return 0 if kernels.valid(k) else 1
    if what == "--other":
        print(kernels.other(k))
        return 0
    if what == "--generic":
        print(kernels.generic(k))
        return 0
    return usage()


def cmd_exit_status(args):
    if not args:
        for name, num, what in exits.TABLE:
            print("%d\t%s\t%s" % (num, name, what))
        return 0
    if args[0] == "--shell":
        sys.stdout.write(exits.shell())
        return 0
    try:
        print(exits.code(args[0]))
    except KeyError:
        sys.stderr.write("iomcvm: no exit status %s\n" % args[0])
        return exits.USAGE
    return 0


def cmd_closure(args):
    if len(args) < 2:
        return usage()
    try:
        for p in closure.closure(args[0], args[1:]):
            print(p)
    except closure.Missing as e:
        rel = args[0].rstrip("/").split("/")[-1]
        for n in e.names:
            sys.stderr.write("module-closure: the driver needs module '%s', which kernel %s does not have "
                             "(not in %s)\n" % (n, rel, e.depfile))
        return 1
    except closure.SetupError as e:
        sys.stderr.write("module-closure: %s\n" % e)
        return 2
    return 0


def cmd_compose(args):
    from . import compose
    kw = {"fmt": "ktap", "label": "", "outcome": "ok", "wall": "0.0", "init_at": "-", "accel": "tcg",
          "timeout": "120", "boot_timeout": "60"}
    names = {"--format": "fmt", "--label": "label", "--outcome": "outcome", "--wall": "wall",
             "--init-at": "init_at", "--accel": "accel", "--timeout": "timeout", "--boot-timeout": "boot_timeout"}
    while len(args) > 2 and args[0] in names:
        kw[names[args[0]]] = args[1]
        args = args[2:]
    if len(args) != 2:
        return usage()
    console = _read(args[0])
    v = compose.compose(splats.classify(console), _read(args[1]), tail=console[-15:], **kw)
    sys.stdout.write("".join(line + "\n" for line in v.lines))
    sys.stderr.write("%d %d\n" % (v.nfatal, v.failed))
    return 0


def cmd_modules(args):
    if not args:
        return usage()
    moddir, args = args[0], args[1:]
    names, kos = [], []
    while args:
        if args[0] == "--kernel-module" and len(args) > 1:
            names.append(args[1])
            args = args[2:]
        else:
            kos.append(args[0])
            args = args[1:]
    rel = moddir.rstrip("/").split("/")[-1]
    try:
        deps, tested, builtins = closure.plan(moddir, names, kos)
        for n in builtins:
            sys.stderr.write("module-closure: '%s' is built into kernel %s: nothing to load\n" % (n, rel))
        sys.stdout.write("".join("dep %s\n" % p for p in deps))
        sys.stdout.write("".join("driver %s\n" % p for p in tested))
    except closure.Missing as e:
        for n in e.names:
            sys.stderr.write("module-closure: the driver needs module '%s', which kernel %s does not have "
                             "(not in %s)\n" % (n, rel, e.depfile))
        return 1
    except closure.SetupError as e:
        sys.stderr.write("module-closure: %s\n" % e)
        return 2
    return 0


def cmd_kernel_import(args):
    from . import kernelsrc
    kdir = None
    if len(args) == 4 and args[2] == "--kdir":
        kdir = args[3]
        args = args[:2]
    if len(args) != 2:
        return usage()
    try:
        print(kernelsrc.import_kernel(args[0], args[1], kdir))
    except kernelsrc.SetupError as e:
        sys.stderr.write("iomcvm: %s\n" % e)
        return exits.SETUP
    return 0


def cmd_kconfig(args):
    from . import kernelsrc
    if not args:
        print("\n".join(kernelsrc.fragment()))
        return 0
    missing = kernelsrc.check_config(args[0])
    for opt, why in missing:
        print("%s is not set: %s" % (opt, why))
    return 1 if missing else 0


def usage():
    sys.stderr.write(__doc__)
    return exits.USAGE


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(__doc__)
        return 0 if argv else exits.USAGE
    cmd, args = argv[0], argv[1:]
    if cmd == "vm":
        from . import vm
        return vm.main(args)
    if cmd == "vmcheck":
        from . import vmcheck
        return vmcheck.main(args)
    if cmd == "kernels":
        return cmd_kernels(args)
    if cmd == "exit-status":
        return cmd_exit_status(args)
    if cmd == "splats" and len(args) == 1:
        print("\n".join(splats.tsv(splats.classify(_read(args[0])))))
        return 0
    if cmd == "kernel-reports" and len(args) == 1:
        lines, n = splats.kernel_reports(_read(args[0]))
        sys.stdout.write("".join(line + "\n" for line in lines))
        return 0 if n else 1
    if cmd == "compose":
        return cmd_compose(args)
    if cmd == "closure":
        return cmd_closure(args)
    if cmd == "kernel-import":
        return cmd_kernel_import(args)
    if cmd == "kconfig":
        return cmd_kconfig(args)
    if cmd == "modules":
        return cmd_modules(args)
    if cmd == "unpack-ko" and len(args) == 2:
        print(closure.unpack_ko(args[0], args[1]))
        return 0
    return usage()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
