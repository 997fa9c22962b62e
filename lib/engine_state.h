/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The userspace driver of the rule engine (include/iomap-check/engine.h):
 * the state tables the BPF programs keep in maps, kept here in plain C,
 * and the same per-event sequence of engine calls. Feed it struct
 * iomc_event's in order; it calls back once per violation.
 *
 * Used by the analyzer (post-mortem) and by tests/host/bpf_rules.c, which
 * proves this driver and the BPF one decide the same.
 */
#ifndef IOMC_LIB_ENGINE_STATE_H
#define IOMC_LIB_ENGINE_STATE_H

#include <linux/types.h>
#include "iomap-check/engine.h"

struct iomc_state;

/*
 * One violation. ev: the event that caused it. held: the stack of the
 * context concerned as it was before the event (NULL if that context held
 * nothing), held_ctx its context and held_tid its task.
 */
typedef void (*iomc_violation_fn)(void *arg, const struct iomc_event *ev,
				  const struct iomc_viol *v,
				  const struct iomc_stack *held, __u32 held_ctx,
				  __u32 held_tid);

struct iomc_state *iomc_state_new(const struct iomc_cfg *cfg);
void iomc_state_free(struct iomc_state *st);

/*
 * Whether call site 'site' is in the code of the module an
 * IOMC_EV_MODULE_END event ends (leak_on_unload). The default is the
 * engine's address test (iomc_in_module); inputs whose sites are not
 * addresses (interned text) set their own. Asked only for what carries no
 * owner (abi.h: a create or memremap made by init code names its module,
 * and that decides).
 */
typedef int (*iomc_owner_fn)(void *arg, const struct iomc_event *end,
			     __u64 site);
void iomc_state_set_owner(struct iomc_state *st, iomc_owner_fn fn, void *arg);

/* Apply one event; returns the number of violations reported for it. */
unsigned int iomc_state_feed(struct iomc_state *st,
			     const struct iomc_event *ev,
			     iomc_violation_fn fn, void *arg);

/*
 * Events of 'cpu' were lost: forget its interrupt contexts and the tasks
 * last seen on it (what they hold is unknown from now on). IOMC_CPU_ALL
 * (a loss whose CPU is not known): every task with state and every CPU's
 * interrupt contexts.
 */
void iomc_state_forget_cpu(struct iomc_state *st, __u32 cpu);

struct iomc_state_stats {
	__u64 events;		/* events fed */
	__u64 violations;	/* violations reported */
	__u64 dropped;		/* violations beyond IOMC_MAX_VIOL in one event */
	__u32 tasks;		/* task stacks alive: tasks holding maps, or
				 * forgotten at a loss and touched since */
	__u32 wc;		/* outstanding map_wc addresses */
	__u32 freed;		/* freed mappings remembered */
	__u32 held;		/* atomic/local maps outstanding */
	__u32 live;		/* mappings created and not freed */
};
void iomc_state_stats(const struct iomc_state *st,
		      struct iomc_state_stats *out);

#endif
