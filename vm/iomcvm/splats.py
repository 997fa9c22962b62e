"""Kernel reports in a guest console log (ttyS0).

splat_class: which lines are report titles ("fatal": oops, panic, the
guest's state is gone; "splat": a WARN or BUG the kernel survived).
splat_tag: the report's name (scheduling_while_atomic, warning, ...).
classify: each title attributed to the test window it happened in, with
whether that window declared it. kernel_reports: each report's text, for
iomap-vmcheck.
"""
import re
from collections import namedtuple

from . import protocol

_FATAL = re.compile(r"Kernel panic|Oops:|BUG: unable to handle|general protection fault|kernel BUG at|"
                    r"BUG: kernel NULL pointer dereference|Attempted to kill init")
_SPLAT = re.compile(r"WARNING:|BUG:|UBSAN:|INFO: task .* blocked for more than|rcu: INFO:|INFO: rcu_")

Splat = namedtuple("Splat", "cls window tag declared text")
Window = namedtuple("Window", "name tags")


def splat_class(line):
    if _FATAL.search(line):
        return "fatal"
    if _SPLAT.search(line):
        return "splat"
    return ""


def splat_tag(text):
    t = text
    if re.search(r"WARNING: CPU: [0-9]+ PID: [0-9]+", t):
        return "warning"
    if re.search(r"INFO: task .* blocked for more than", t):
        return "hung_task"
    if re.search(r"rcu: INFO:|INFO: rcu_", t):
        return "rcu_stall"
    if "UBSAN: " in t:
        t = re.sub(r" in .*$", "", t, count=1)
    t = re.sub(r"^.*(BUG|WARNING|UBSAN|INFO): *", "", t, count=1)
    t = re.sub(r" at .*$", "", t, count=1)
    t = re.sub(r":.*$", "", t, count=1)
    t = t.lower()
    t = re.sub(r"[^a-z0-9]+", "_", t)
    t = t.strip("_")
    return t or "unknown"


def declared(decl, tag, text):
    """Whether a window's TAGS declare a splat: a tag equal to or a prefix
    of TAG, "warning" for any WARNING, "any" for every splat."""
    if decl in ("", "-"):
        return False
    for d in decl.split(","):
        if d.startswith("kernel:"):
            d = d[7:]
        if d == "any" or d == tag or tag.startswith(d):
            return True
        if d == "warning" and "WARNING:" in text:
            return True
    return False


def classify(lines):
    """[Window | Splat] in console order."""
    out = []
    win, decl = "-", ""
    for raw in lines:
        line = protocol.TIMESTAMP.sub("", raw.rstrip("\n"), count=1).replace("\t", " ")
        b = protocol.parse_begin(line)
        if b:
            win, decl = b
            out.append(Window(win, decl or "-"))
            continue
        if protocol.is_end(line):
            win, decl = "-", ""
            continue
        c = splat_class(line)
        if c == "fatal":
            out.append(Splat("fatal", win, "oops", False, line))
        elif c == "splat":
            t = splat_tag(line)
            out.append(Splat("splat", win, t, declared(decl, t, line), line))
    return out


def tsv(records):
    """The classification as tab-separated lines (CLASS WINDOW TAG DECLARED
    TEXT; windows as "window NAME TAGS")."""
    out = []
    for r in records:
        if isinstance(r, Window):
            out.append("window\t%s\t%s" % (r.name, r.tags))
        else:
            out.append("%s\t%s\t%s\t%d\t%s" % (r.cls, r.window, r.tag, r.declared, r.text))
    return out


_END_TRACE = re.compile(r"---\[ end (trace|Kernel panic)")
_CUT_HERE = re.compile(r"-+\[ cut here \]-+")


def kernel_reports(lines):
    """The kernel's own reports: each title line and what follows it, up to
    the end of the trace (or 60 lines), headed with the step ("iomap-check:
    begin STEP" window) it happened in; a WARN's lines between "cut here"
    and its title come first. Returns (text lines, number of reports)."""
    out = []
    step, left, pend, npend, n = "", 0, [], 0, 0
    for line in lines:
        line = line.rstrip("\n")
        if protocol.MARK_BEGIN in line:
            step = line[line.index(protocol.MARK_BEGIN) + len(protocol.MARK_BEGIN):].split(" ")[0]
            left = 0
            continue
        if protocol.MARK_END in line:
            step, left = "", 0
            continue
        if _CUT_HERE.search(line):
            if left > 0:
                out.append("")
            left, pend, npend = 0, [], 3
            continue
        if splat_class(line):
            if left > 0:
                out.append("")
            n += 1
            out.append("# kernel report %d (%s):" % (n, "during " + step if step else "outside the steps"))
            out.extend(pend)
            pend, npend, left = [], 0, 60
        if left == 0 and npend > 0:
            pend.append(line)
            npend -= 1
            continue
        if left > 0:
            out.append(line)
            left -= 1
            if left == 0 or _END_TRACE.search(line):
                left = 0
                out.append("")
    return out, n
