"""The report of a run. Not part of the protocol: it prints what the checks found.

Every check passes or fails; there is no third kind. Information lines (`info`) say what was
seen where PROTOCOL.md leaves a choice to the server, and never count. The run fails on any
failed check, and when no check ran at all.
"""


class Report:
    def __init__(self, out=print):
        self.out = out
        self.passed = 0
        self.failed = []

    def check(self, ok, name, detail=""):
        """One check: PASS when `ok`, otherwise FAIL. Returns `ok`."""
        if ok:
            self.passed += 1
        else:
            self.failed.append(name)
        self.out("  %s  %-42s %s" % ("PASS" if ok else "FAIL", name, detail))
        return bool(ok)

    def fail(self, name, detail=""):
        return self.check(False, name, detail)

    def equal(self, name, got, want, show=repr):
        """A check that `got` is exactly what the spec states, showing both when it is not."""
        if got == want:
            return self.check(True, name, show(got))
        return self.check(False, name, "got %s; PROTOCOL.md: %s" % (show(got), show(want)))

    def info(self, text):
        """A line of information; it is not a check and cannot fail the run."""
        self.out("        %s" % text)

    def summary(self):
        """(the final line, the exit status)."""
        total = self.passed + len(self.failed)
        if self.failed or total == 0:
            return ("result: DEVIATIONS (%d of %d checks failed: %s)"
                    % (len(self.failed), total, ", ".join(self.failed) or "no check ran"), 1)
        return "result: OK (%d checks passed)" % total, 0
