#!/bin/sh
# The guest runner's unit tests (tests/host/iomcvm_test.py: vm/iomcvm's
# kernel table, exit statuses, protocol, splats, verdict, module closure),
# no guest: one KTAP result per unittest test.
top=$(cd "$(dirname "$0")/../.." && pwd)
exec python3 -B - "$top/tests/host" <<'PY'
import sys, unittest
sys.path.insert(0, sys.argv[1])
import iomcvm_test

class Ktap(unittest.TextTestResult):
    n = 0
    def line(self, test, bad, why=""):
        Ktap.n += 1
        print("%s %d %s%s" % ("not ok" if bad else "ok", Ktap.n, test.id().replace("iomcvm_test.", ""),
                              " # " + why if why else ""), flush=True)
    def addSuccess(self, test): self.line(test, False)
    def addFailure(self, test, err):
        print("# " + self._exc_info_to_string(err, test).replace("\n", "\n# "))
        self.line(test, True, "failed")
    def addError(self, test, err):
        print("# " + self._exc_info_to_string(err, test).replace("\n", "\n# "))
        self.line(test, True, "error")
    def addSkip(self, test, reason): self.line(test, False, "SKIP " + reason)

suite = unittest.defaultTestLoader.loadTestsFromModule(iomcvm_test)
print("KTAP version 1")
print("1..%d" % suite.countTestCases(), flush=True)
import io
r = unittest.TextTestRunner(stream=io.StringIO(), resultclass=Ktap).run(suite)
sys.exit(0 if r.wasSuccessful() else 1)
PY
