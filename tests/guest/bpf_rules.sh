# Guest mode "bpf_rules": the checker's BPF programs on this kernel's
# verifier, and every rule of tests/host/rules.seq through
# BPF_PROG_TEST_RUN on it (the same test as on the host: proves the
# programs load and decide alike on each supported kernel).
. /guest/lib.sh

if [ ! -x /bin/bpf_rules ] || [ ! -f /guest/rules.seq ]; then
	not_ok bpf_rules_present "bpf_rules or rules.seq missing from the initramfs"
	exit 0
fi
mark_begin bpf_rules
/bin/bpf_rules /guest/rules.seq >/tmp/bpf_rules.out 2>&1
rc=$?
mark_end bpf_rules
# the version line is the host's to write; keep the plan (the host checks
# that all the planned results came), the results and the diagnostics,
# prefixing names so they stay apart from other modes' tests
sed -n \
	-e '/^1\.\.[0-9]*$/p' \
	-e 's/^ok \([0-9]*\) /ok \1 bpf_/p' \
	-e 's/^not ok \([0-9]*\) /not ok \1 bpf_/p' \
	-e '/^#/p' /tmp/bpf_rules.out
# a crash or a failure exit fails the mode ("mode bpf_rules ran to completion")
[ $rc = 0 ] || diag "bpf_rules exited $rc: $(tail -n 3 /tmp/bpf_rules.out | tr '\n' ' ')"
exit $rc
