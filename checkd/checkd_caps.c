// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Dropping privileges once attached. What remains is what re-attaching to a
 * reloaded iomap_check.ko and reading its symbols need: CAP_BPF and
 * CAP_PERFMON (BPF links, map and program info), CAP_SYSLOG (kernel
 * addresses in /proc/kallsyms under kptr_restrict). Everything else goes,
 * from the bounding set too, and no_new_privs is set.
 */
#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include "checkd_caps.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

int ck_drop_caps(char *err, size_t errlen)
{
	static const cap_value_t keep[] = { CAP_BPF, CAP_PERFMON, CAP_SYSLOG };
	cap_t caps = cap_init();
	cap_value_t c;
	int rc = 0;

	if (!caps)
		return -errno;
	if (cap_set_flag(caps, CAP_PERMITTED, 3, keep, CAP_SET) ||
	    cap_set_flag(caps, CAP_EFFECTIVE, 3, keep, CAP_SET)) {
		rc = -errno;
		goto out;
	}
	/* the bounding set first: dropping needs CAP_SETPCAP, still held */
	for (c = 0; c <= CAP_LAST_CAP; c++) {
		if (c == CAP_BPF || c == CAP_PERFMON || c == CAP_SYSLOG)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL) {
			rc = -errno;
			snprintf(err, errlen, "dropping capability %d from the bounding set: %s",
				 c, strerror(errno));
			goto out;
		}
	}
	if (cap_set_proc(caps)) {
		rc = -errno;
		snprintf(err, errlen, "cap_set_proc: %s", strerror(errno));
		goto out;
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
out:
	cap_free(caps);
	return rc;
}
