/* SPDX-License-Identifier: GPL-2.0 */
/* perfanity trace, kernel side: --cgroup and --container. A process that
 * execs inside the cgroup asked for is taken into the trace from that exec
 * on, though it was not forked by a traced process: a container's
 * processes are children of the container runtime, not of the docker
 * client the command runs. */
#ifndef PF_CGROUP_BPF_H
#define PF_CGROUP_BPF_H

const volatile __u32 cg_mode = PF_CG_NONE;
const volatile __u64 cg_id = 0;                      /* PF_CG_ID */
const volatile char cg_target[PF_CG_ID_LEN + 1] = {}; /* PF_CG_NAME: the container's full id */

/* kernfs_node's parent before Linux 6.15 renamed it */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* Whether a cgroup directory is the one asked for: by id, or by its name
 * and its parent's (pf_cgroup_name_matches). */
static __always_inline int kn_matches(struct kernfs_node *kn, struct scratch *s)
{
	if (!kn)
		return 0;
	if (cg_mode == PF_CG_ID)
		return BPF_CORE_READ(kn, id) == cg_id;
	if (bpf_probe_read_kernel_str(s->cg_name, sizeof(s->cg_name), BPF_CORE_READ(kn, name)) < 0)
		return 0;
	s->cg_parent[0] = 0;
	bpf_probe_read_kernel_str(s->cg_parent, sizeof(s->cg_parent), BPF_CORE_READ(kn_parent(kn), name));
	return pf_cgroup_name_matches(s->cg_name, s->cg_parent, (const char *)cg_target);
}

/* The task's cgroup in the unified hierarchy, and in the v1 hierarchies:
 * by id, each of them; by name, those a container runtime always creates a
 * container's cgroup in (pids, memory). */
static __always_inline int in_target_cgroup(struct task_struct *t, struct scratch *s)
{
	struct cgroup_subsys_state *css[CGROUP_SUBSYS_COUNT] = {};
	struct css_set *cs = BPF_CORE_READ(t, cgroups);
	int pids = bpf_core_enum_value(enum cgroup_subsys_id, pids_cgrp_id);
	int mem = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);

	if (kn_matches(BPF_CORE_READ(cs, dfl_cgrp, kn), s))
		return 1;
	if (bpf_core_read(&css, sizeof(css), &cs->subsys))
		return 0;
	if (cg_mode == PF_CG_ID) {
		for (int i = 0; i < CGROUP_SUBSYS_COUNT; i++)
			if (css[i] && BPF_CORE_READ(css[i], cgroup, kn, id) == cg_id)
				return 1;
		return 0;
	}
	if (pids >= 0 && pids < CGROUP_SUBSYS_COUNT && css[pids] && kn_matches(BPF_CORE_READ(css[pids], cgroup, kn), s))
		return 1;
	return mem >= 0 && mem < CGROUP_SUBSYS_COUNT && css[mem] && kn_matches(BPF_CORE_READ(css[mem], cgroup, kn), s);
}

/* An untraced process execs: taken in if it is in the cgroup asked for, with
 * a fork event that says so (its parent is the runtime, not in the trace). */
static __always_inline int adopt_by_cgroup(struct task_struct *p, __u32 tgid, __u64 now)
{
	struct scratch *s;
	struct pf_ev_fork *e;
	__u8 one = 1;

	if (cg_mode == PF_CG_NONE || !(s = get_scratch()) || !in_target_cgroup(p, s))
		return 0;
	if (bpf_map_update_elem(&traced, &tgid, &one, BPF_ANY)) {
		count(&map_full);
		return 0;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(&lost_events);
		return 1;
	}
	e->h.type = PF_EV_FORK;
	e->h.pid = tgid;
	e->h.ts = now;
	e->ppid = BPF_CORE_READ(p, real_parent, tgid);
	e->adopted = 1;
	BPF_CORE_READ_STR_INTO(&e->comm, p, comm);
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	return 1;
}

#endif
