"""The project's exit statuses, read from include/iomap-check/exit_status.h.

That header is the one copy of the table (X(NAME, number, "meaning") lines
inside IOMC_EXIT_STATUSES); nothing here repeats a number.
"""
import os
import re

from . import TOP

HEADER = os.path.join(TOP, "include", "iomap-check", "exit_status.h")
_ENTRY = re.compile(r'^\s*X\(\s*([A-Z_]+)\s*,\s*([0-9]+)\s*,\s*"((?:[^"\\]|\\.)*)"\s*\)')


def parse(text):
    """[(NAME, number, meaning)] in the header's order."""
    out = []
    inside = False
    for line in text.splitlines():
        if "#define IOMC_EXIT_STATUSES(" in line:
            inside = True
            continue
        if not inside:
            continue
        m = _ENTRY.match(line)
        if m:
            out.append((m.group(1), int(m.group(2)), m.group(3)))
        if not line.rstrip().endswith("\\"):
            break
    if not out:
        raise ValueError("no IOMC_EXIT_STATUSES entries")
    return out


def load(path=HEADER):
    with open(path, encoding="utf-8") as f:
        return parse(f.read())


TABLE = load()
_BY_NAME = {name: num for name, num, _ in TABLE}
MEANING = {num: what for _, num, what in TABLE}


def code(name):
    """The number of exit status NAME (OK, VIOLATION, USAGE, SETUP, ...)."""
    return _BY_NAME[name]


def name_of(num):
    for name, n, _ in TABLE:
        if n == num:
            return name
    return None


OK = code("OK")
VIOLATION = code("VIOLATION")
USAGE = code("USAGE")
SETUP = code("SETUP")
UNCHECKED = code("UNCHECKED")
KERNEL_CRASH = code("KERNEL_CRASH")
BUILD = code("BUILD")


def help_lines(names):
    """The statuses NAMES as a --help lists them, "  N  meaning" a line
    (lib/cli.c's iomc_print_exit_statuses() and exit_status.sh print alike)."""
    return "".join("  %d  %s\n" % (code(n), MEANING[code(n)]) for n in names)


def shell():
    """IOMC_EXIT_NAME=N lines, for shell scripts to eval."""
    return "".join("IOMC_EXIT_%s=%d\n" % (name, num) for name, num, _ in TABLE)
