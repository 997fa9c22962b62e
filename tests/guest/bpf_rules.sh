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
# the plan and version lines are the host's to write; keep results and
# diagnostics, prefixing names so they stay apart from other modes' tests
/bin/bpf_rules /guest/rules.seq 2>&1 | sed -n \
	-e 's/^ok \([0-9]*\) /ok \1 bpf_/p' \
	-e 's/^not ok \([0-9]*\) /not ok \1 bpf_/p' \
	-e '/^#/p'
mark_end bpf_rules
exit 0
