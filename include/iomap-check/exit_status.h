/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The exit statuses of every iomap-check tool: iomap-checkd,
 * iomap-check analyze and build-driver, iomap-vmcheck and the guest
 * runner (vm/). One number means one thing in every tool; a tool uses
 * the subset that applies to it (its --help and man page say which, and
 * tests/host/exit_status.sh checks them against this table).
 *
 * This file is the one copy. C includes it; the runner
 * (vm/iomcvm/exits.py) and the bash tools (exit_status.sh beside it) read
 * the IOMC_EXIT_STATUSES lines below (one X(...) per line, fields in this
 * order, no quote or backslash in a meaning), so keep each entry on one
 * line.
 *
 * X(NAME, number, "meaning")
 */
#ifndef IOMAP_CHECK_EXIT_STATUS_H
#define IOMAP_CHECK_EXIT_STATUS_H

#define IOMC_EXIT_STATUSES(X) \
	X(OK, 0, "checked: no violation, every test passed") \
	X(VIOLATION, 1, "a violation was reported or a test failed") \
	X(USAGE, 2, "usage error or unusable input: a bad option or value, an unreadable or foreign file") \
	X(SETUP, 3, "the run did not complete: a set-up failure, the command run failed, the guest did not boot or hung") \
	X(UNCHECKED, 4, "nothing was checked: the checker never attached, no io_mapping or memremap event was seen") \
	X(OUTPUT_LOST, 5, "an output lost reports (a write error)") \
	X(KERNEL_CRASH, 6, "the kernel oopsed or panicked") \
	X(BUILD, 7, "the driver did not build")

enum iomc_exit_status {
#define IOMC_EXIT_ENUM(name, num, what) IOMC_EXIT_##name = num,
	IOMC_EXIT_STATUSES(IOMC_EXIT_ENUM)
#undef IOMC_EXIT_ENUM
};

#endif
