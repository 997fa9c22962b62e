"""One guest boot's verdict: the guest's own results (guest.log, ttyS1)
amended with the kernel splats attributed to each test (splats.classify
over the console log) and the boot outcome, as one KTAP document (or text
for humans, or only what failed).

A result "NAME[ more words]" in mode M owns the splats of window M/NAME:
it fails when any of them is fatal or undeclared; declared ones become
diagnostics. A mode fails as a whole ("mode M ran to completion") when its
script exits non-zero, its results fall short of its plan, or it never
ends. Splats in windows no result claimed get a result of their own, and
"kernel log clean outside tests" covers the rest of the log.
"""
from collections import OrderedDict

from . import protocol
from .splats import Splat

OUTCOMES = ("ok", "boot", "noboot", "timeout", "died", "nopoweroff")


class Verdict:
    def __init__(self, lines, nfatal, failed):
        self.lines = lines      # the document, without trailing newlines
        self.nfatal = nfatal
        self.failed = failed


def compose(records, guest_lines, fmt="ktap", label="", outcome="ok", timeout="", boot_timeout="",
            wall="", init_at="-", accel="", tail=()):
    c = _Composer(records, fmt, label)
    for line in guest_lines:
        c.line(line.rstrip("\n"))
    return c.finish(outcome, timeout, boot_timeout, wall, init_at, accel, tail)


class _Composer:
    def __init__(self, records, fmt, label):
        self.fmt, self.label = fmt, label
        self.out = []
        self.n = self.failed = self.nfatal = 0
        self.mode = self.section = ""
        self.plan = None
        self.mres = 0
        self.used = set()
        self.win = OrderedDict()    # window -> [Splat]
        for r in records:
            if not isinstance(r, Splat):
                continue
            self.win.setdefault(r.window, []).append(r)
            if r.cls == "fatal":
                self.nfatal += 1

    def prefix(self):
        return self.label + (" " + self.mode if self.mode else "") + ": "

    def result(self, bad, desc, directive, notes):
        self.n += 1
        if bad:
            self.failed += 1
        for note in notes:
            self.out.append("# " + self.prefix() + desc + ": " + note)
        if self.fmt == "text" and not bad:
            return
        self.out.append(("not ok " if bad else "ok ") + str(self.n) + " " + self.prefix() + desc
                        + (" # " + directive if directive else ""))

    def judge(self, key):
        """(bad, notes) for window KEY."""
        if key not in self.win:
            return False, []
        self.used.add(key)
        bad, notes = False, []
        for s in self.win[key]:
            if s.cls == "fatal":
                what, bad = "kernel oops/panic: ", True
            elif s.declared:
                what = "expected kernel splat: "
            else:
                what, bad = "unexpected kernel splat: ", True
            notes.append(what + s.text)
        return bad, notes

    @staticmethod
    def firstbad(notes):
        for note in notes:
            if not note.startswith("expected"):
                return note
        return ""

    def flush_section(self):
        if not self.section:
            return
        if self.fmt != "text":      # KTAP: unclaimed windows get their own result
            self.section = ""
            return
        bad, notes = self.judge(self.mode + "/" + self.section)
        # Keep the notes inside the section, before its trailing blank line.
        blank = bool(self.out) and self.out[-1] == ""
        if blank:
            self.out.pop()
        for note in notes:
            self.out.append("   kernel: " + note)
        if blank:
            self.out.append("")
        if bad:
            self.failed += 1
        self.section = ""

    def mode_end(self, why):
        if not why and self.plan is not None and self.mres < self.plan:
            why = "results stop after %d of the %d planned" % (self.mres, self.plan)
        if why:
            self.result(True, "mode " + self.mode + " ran to completion", why, [])
        self.mode, self.plan, self.mres = "", None, 0

    def line(self, line):
        if protocol.MODE_BEGIN.match(line):
            self.flush_section()
            if self.mode:
                self.mode_end("no end line (the guest lost it)")
            self.mode = line.split()[3]
            self.plan, self.mres = None, 0
            return
        if protocol.MODE_END.match(line):
            self.flush_section()
            f = line.split()
            rc = f[5] if len(f) > 5 else ""
            self.mode_end("" if rc == "rc=0" else "guest script exited " + rc[3:])
            return
        if line.startswith(protocol.HARNESS) or line.startswith("KTAP version"):
            return
        m = protocol.PLAN.match(line)
        if m:
            # The host writes its own plan (one document for the boot), but
            # the mode must then deliver that many results.
            if self.mode:
                self.plan = int(m.group(1)) + (self.plan or 0)
            return
        r = protocol.parse_result(line)
        if r:
            bad, desc, directive = r
            key = protocol.window_key(desc)
            jbad, notes = self.judge((self.mode + "/" if self.mode else "") + key)
            if jbad:
                if not bad:
                    directive = self.firstbad(notes)
                bad = True
            self.mres += 1
            self.result(bad, desc, directive, notes)
            return
        if protocol.SECTION.match(line):
            self.flush_section()
            self.section = line.split()[1]
            self.out.append(line)
            return
        self.out.append(line)

    def finish(self, outcome, timeout, boot_timeout, wall, init_at, accel, tail):
        self.flush_section()
        if self.mode:
            self.mode_end("no end line: the guest stopped during it")
        for k in self.win:
            if k == "-" or k in self.used:
                continue
            bad, notes = self.judge(k)
            if bad:
                self.result(True, "kernel log during " + k, self.firstbad(notes), notes)
            elif self.fmt != "text":
                for note in notes:
                    self.out.append("# %s: %s: %s" % (self.label, k, note))
        bad, notes = self.judge("-")
        self.result(bad, "kernel log clean outside tests", self.firstbad(notes) if bad else "", notes)

        msg = {
            "boot": "boot failure: no word from /init within %s s" % boot_timeout,
            "noboot": "boot failure: QEMU stopped before /init ran",
            "timeout": "TIMEOUT: guest did not finish within %s s (killed)" % timeout,
            "died": "guest stopped before finishing its modes",
            "nopoweroff": "guest finished but did not power off (killed)",
        }.get(outcome, "")
        if self.nfatal > 0:
            msg = "kernel oops/panic" + ("; " + msg if msg else "")
        desc = "guest boot to verdict in %s s (%s, /init at %s s)" % (wall, accel, init_at)
        if msg:
            self.out.append("# %s: %s" % (self.label, msg))
            for t in tail:
                self.out.append("#   console: " + t)
        self.result(bool(msg), desc, msg, [])
        if self.fmt == "text" and not msg:
            self.out.append("# %s: %s" % (self.label, desc))
        lines = []
        if self.fmt == "ktap":
            lines = ["KTAP version 1", "1..%d" % self.n]
        return Verdict(lines + self.out, self.nfatal, self.failed)
