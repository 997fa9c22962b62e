# include/iomap-check/exit_status.sh: the exit statuses of every iomap-check
# tool, for the bash tools (source it). Generated from exit_status.h by
# scripts/gen-exit-status.sh (make exit-status): edit the header, not this.
IOMC_EXIT_OK=0
IOMC_EXIT_OK_TEXT='checked: no violation, every test passed'
IOMC_EXIT_VIOLATION=1
IOMC_EXIT_VIOLATION_TEXT='a violation was reported or a test failed'
IOMC_EXIT_USAGE=2
IOMC_EXIT_USAGE_TEXT='usage error or unusable input: a bad option or value, an unreadable or foreign file'
IOMC_EXIT_SETUP=3
IOMC_EXIT_SETUP_TEXT='the run did not complete: a set-up failure, the command run failed, the guest did not boot or hung'
IOMC_EXIT_UNCHECKED=4
IOMC_EXIT_UNCHECKED_TEXT='nothing was checked: the checker never attached, no io_mapping or memremap event was seen'
IOMC_EXIT_OUTPUT_LOST=5
IOMC_EXIT_OUTPUT_LOST_TEXT='an output lost reports (a write error)'
IOMC_EXIT_KERNEL_CRASH=6
IOMC_EXIT_KERNEL_CRASH_TEXT='the kernel oopsed or panicked'
IOMC_EXIT_BUILD=7
IOMC_EXIT_BUILD_TEXT='the driver did not build'
IOMC_EXIT_NAMES='OK VIOLATION USAGE SETUP UNCHECKED OUTPUT_LOST KERNEL_CRASH BUILD'

# iomc_exit_help NAME...: the "Exit status:" block of a tool's --help, the
# statuses NAME... (OK, USAGE, ...) in the format of iomc_print_exit_statuses()
# (lib/cli.c): "  N  meaning", one line each.
iomc_exit_help() {
	local name num text
	echo "Exit status:"
	for name in "$@"; do
		eval "num=\$IOMC_EXIT_$name text=\$IOMC_EXIT_${name}_TEXT"
		printf '  %s  %s\n' "$num" "$text"
	done
}
