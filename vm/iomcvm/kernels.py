"""The guest kernels: one table, read by make (python3 -m iomcvm kernels),
scripts/fetch-kernel.sh, vm/vm.sh and iomap-vmcheck.

NAME is what --kernel / KERNEL= takes; META is Debian's metapackage whose
linux-image-* dependency is the current release of that kernel; SUITE is
where apt finds it: "" the host's own (Debian 12) sources, else a Debian
suite whose kernel is fetched, and whose modules are built, in a chroot of
that suite (scripts/debian-chroot.sh): unstable's kbuild needs a newer
compiler and glibc than the host's. An exact release of either flavor
(6.1.0-57-cloud-amd64, 6.12.118+deb12-amd64) is taken as is, from the
host's sources.
"""
import re
from collections import namedtuple

Kernel = namedtuple("Kernel", "name series flavor meta aliases suite")

TABLE = (
    Kernel("6.1", "6.1", "cloud", "linux-image-cloud-amd64", ("6.1-cloud",), ""),
    Kernel("6.12", "6.12", "cloud", "linux-image-6.12-cloud-amd64", ("6.12-cloud",), ""),
    Kernel("6.1-generic", "6.1", "generic", "linux-image-amd64", (), ""),
    Kernel("6.12-generic", "6.12", "generic", "linux-image-6.12-amd64", (), ""),
    # Debian unstable's current kernel (7.x in 2026-12): its series moves.
    Kernel("unstable", "unstable", "cloud", "linux-image-cloud-amd64", ("unstable-cloud",), "unstable"),
    Kernel("unstable-generic", "unstable", "generic", "linux-image-amd64", (), "unstable"),
)
DEFAULT = "6.1"
# An exact Debian amd64 release of the cloud or the generic flavor.
RELEASE = re.compile(r"^[0-9]+\.[0-9]+[.0-9]*[-+][0-9a-z+.~-]*amd64$")


def lookup(name):
    """The table entry for NAME (or one of its aliases), else None."""
    for k in TABLE:
        if name == k.name or name in k.aliases:
            return k
    return None


def is_release(name):
    return lookup(name) is None and bool(RELEASE.match(name)) and not is_path(name)


def is_path(name):
    """A user's kernel, a build tree or an install root (kernelsrc.py)."""
    return "/" in name or name in (".", "..")


def valid(name):
    return lookup(name) is not None or bool(RELEASE.match(name)) or is_path(name)


def suite_of(name):
    """The Debian suite to fetch NAME from in a chroot; "" for the host's."""
    k = lookup(name)
    return k.suite if k else ""


def series_of(name):
    """6.1, 6.12, ... of a table name or a release."""
    k = lookup(name)
    if k:
        return k.series
    m = re.match(r"^([0-9]+\.[0-9]+)", name)
    return m.group(1) if m else None


def flavor_of(name):
    k = lookup(name)
    if k:
        return k.flavor
    return "cloud" if "-cloud-" in name else "generic"


def names():
    return [k.name for k in TABLE]


def usage():
    """The words an error message offers."""
    return ("use %s, a release like 6.1.0-57-cloud-amd64 or 6.1.0-57-amd64, or the path of a kernel "
            "build tree or install root" % ", ".join(names()))


def other(name):
    """The cloud kernel of the other Debian 12 series: make check boots both."""
    s = series_of(name)
    cloud = [k for k in TABLE if k.flavor == "cloud" and not k.suite]
    for k in cloud:
        if k.series != s:
            return k.name
    return cloud[0].name


def generic(name):
    """NAME if it is a generic kernel, else the generic kernel of its series."""
    k = lookup(name)
    if k and k.flavor == "generic":
        return k.name
    s = series_of(name)
    for k in TABLE:
        if k.flavor == "generic" and k.series == s:
            return k.name
    return DEFAULT + "-generic"
