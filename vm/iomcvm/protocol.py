"""The guest protocol, as vm/guest/lib.sh and vm/guest/init speak it.

ttyS1 (guest.log) carries only what the guest scripts print:
  "# iomc: init ..."              /init runs
  "# iomc: mode M begin"          mode M (/guest/M.sh) starts
  "# iomc: mode M end rc=N"       it exited with status N
  "# iomc: done"                  every mode ran; the guest powers off
  "ok N DESC [# DIR]", "not ok N DESC [# DIR]"   one KTAP result per test
  "1..N"                          a mode's plan (it must deliver N results)
  "== NAME ..."                   (text modes) a section for NAME
  anything else                   passed through
The kernel log (ttyS0, console.log) carries the test windows, written by
lib.sh's mark_begin/mark_end through /dev/kmsg:
  "iomap-check: begin MODE/NAME expect=TAGS"   (TAGS: "-" or tag,tag...)
  "iomap-check: end MODE/NAME"
The first word of a result's DESC (up to a blank or ':') names its window.
"""
import re

INIT = "# iomc: init"
DONE = "# iomc: done"
HARNESS = "# iomc: "
MODE_BEGIN = re.compile(r"^# iomc: mode [^ ]+ begin")
MODE_END = re.compile(r"^# iomc: mode [^ ]+ end")
PLAN = re.compile(r"^1\.\.([0-9]+)")
RESULT = re.compile(r"^(not )?ok( [0-9]+| -)? ")
RESULT_PREFIX = re.compile(r"^(not )?ok( [0-9]+| -)? *")
SECTION = re.compile(r"^== [^ ]+")

MARK_BEGIN = "iomap-check: begin "
MARK_END = "iomap-check: end "
# The printk timestamp in front of a console line.
TIMESTAMP = re.compile(r"^.*\[ *[0-9]+\.[0-9]+\] ")


def parse_result(line):
    """(bad, desc, directive) of a KTAP result line, or None."""
    if not RESULT.match(line):
        return None
    bad = line.startswith("not ok")
    rest = RESULT_PREFIX.sub("", line, count=1)
    desc, directive = rest, ""
    i = rest.find(" # ")
    if i >= 0:
        desc, directive = rest[:i], rest[i + 3:]
    return bad, desc, directive


def window_key(desc):
    """The window a result owns: DESC's first word."""
    return re.sub(r"[ :].*$", "", desc, count=1)


def parse_begin(line):
    """(window, tags) of a begin marker in a console line (timestamp
    stripped), or None. tags is "" when none was declared."""
    if not re.search(r"iomap-check: begin [^ ]+", line):
        return None
    words = line[line.index(MARK_BEGIN) + len(MARK_BEGIN):].split()
    decl = ""
    for w in words[1:]:
        if w.startswith("expect="):
            decl = w[7:]
    return words[0], decl


def is_end(line):
    return MARK_END in line
