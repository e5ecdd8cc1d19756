/* SPDX-License-Identifier: GPL-2.0 */
/* perfanity trace, kernel side: each traced thread's state (task-local
 * storage) and its intervals: closing one into its category, the
 * scheduler's view of it, a context change. */
#ifndef PF_THREAD_STATE_BPF_H
#define PF_THREAD_STATE_BPF_H

static __always_inline void add_cat(__u32 tgid, __u32 cat, __u64 delta)
{
	struct pf_cat_key k = { .tgid = tgid, .cat = cat };
	__u64 zero = 0, *v = lookup_or_init(&cat_ns, &k, &zero);

	if (v)
		__sync_fetch_and_add(v, delta);
	else
		count(&map_full);
}

/* A fault's disk wait, charged to the file of the last fault. Global: one
 * verification for the many places an interval is closed. */
__noinline int pf_charge_fault(__u64 key, __u64 delta)
{
	struct pf_file_stat *fs = bpf_map_lookup_elem(&files, &key);

	if (fs)
		__sync_fetch_and_add(&fs->fault_ns, delta);
	return 0;
}

/* Close the current interval at now: its time goes to the thread's category.
 * Summed in the thread's own state (no map lookup on this hot path); the
 * thread's exit adds the sums to its process. */
static __always_inline __u64 close_interval(struct pf_thread_state *st, __u64 now)
{
	__u64 delta = now - st->last_ts;
	__u32 c = pf_sched_category(st->cat, st->sched, st->in_syscall);

	if (c < PF_CAT_MAX)
		st->cat_ns[c] += delta;
	if (c == PF_CAT_FAULT_IO && st->fault_key)
		pf_charge_fault(st->fault_key, delta);
	st->last_ts = now;
	if (emit_runs)
		pf_run_close(st, c, delta);
	return delta;
}

static __always_inline void flush_thread(struct pf_thread_state *st)
{
	for (int c = 0; c < PF_CAT_MAX; c++)
		if (st->cat_ns[c])
			add_cat(st->tgid, c, st->cat_ns[c]);
}

static __noinline struct pf_thread_state *new_thread(struct task_struct *t, __u32 tgid, __u64 now)
{
	struct pf_thread_state *st;
	struct pf_proc_stat *ps, zero = {};

	if (collecting)
		return NULL;
	st = bpf_task_storage_get(&threads, t, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st) {
		count(&map_full);
		return NULL;
	}
	if (st->start_ts)
		return st; /* it was there already */
	st->start_ts = now;
	st->last_ts = now;
	st->tgid = tgid;
	if (emit_runs)
		st->tid = BPF_CORE_READ(t, pid);
	st->cat = PF_CAT_CPU;
	st->nr = PF_SC_NR_MAX; /* in no syscall yet */
	ps = lookup_or_init(&procs, &tgid, &zero);
	if (ps)
		__sync_fetch_and_add(&ps->threads, 1);
	return st;
}

/* The thread leaves a CPU: the kernel's totals for it, as they are now. */
static __always_inline void mark_off_cpu(struct pf_thread_state *st, struct task_struct *t)
{
	st->run_delay_mark = BPF_CORE_READ(t, sched_info.run_delay);
	st->exec_mark = BPF_CORE_READ(t, se.sum_exec_runtime);
}

/* The thread is on a CPU, though no switch-in was seen since it left one:
 * sched_switch does not fire for every switch (seen on 6.18: a thread
 * switched out to another process's thread came back without one). The
 * interval since is split by the kernel's own totals: what the thread ran
 * last (its CPU time since), before that its runqueue wait, and before
 * that, if it had blocked, its sleep. The caller closes the rest on CPU.
 * Exact at a switch-out; from the thread's own context, CPU time may lag
 * by a tick, so a runnable thread's wait is taken from run_delay alone. */
static __noinline void missed_switch_in(struct pf_thread_state *st, struct task_struct *t, __u64 now)
{
	__u64 span = now - st->last_ts;
	__u64 waited = BPF_CORE_READ(t, sched_info.run_delay) - st->run_delay_mark;
	__u64 ran = BPF_CORE_READ(t, se.sum_exec_runtime) - st->exec_mark;

	count(&missed_switch_ins);
	if (waited > span)
		waited = span;
	if (st->sched != PF_SCHED_RUNNABLE) {
		if (ran > span - waited)
			ran = span - waited;
		close_interval(st, now - ran - waited); /* blocked */
		st->sched = PF_SCHED_RUNNABLE;
	}
	close_interval(st, st->last_ts + waited);
	st->sched = PF_SCHED_ON;
}

/* A thread known to be on a CPU now (the current one, or one switching
 * out): its state, caught up with a switch-in that was not seen. */
static __always_inline struct pf_thread_state *on_cpu_state(struct pf_thread_state *st, struct task_struct *t,
							    __u64 now)
{
	if (st && st->sched != PF_SCHED_ON)
		missed_switch_in(st, t, now ? now : bpf_ktime_get_ns());
	return st;
}

/* The state of a thread; NULL once the end-of-trace iterator has it. */
static __always_inline struct pf_thread_state *task_state(struct task_struct *t)
{
	struct pf_thread_state *st = bpf_task_storage_get(&threads, t, NULL, 0);

	return st && !st->claimed ? st : NULL;
}

/* The state of the current thread, created on first sight if its process
 * is traced. *now is the time of the event, or 0: then the clock is read
 * here, and only for a traced thread (the syscall tracepoints fire for every
 * thread on the machine; the others leave before paying for it). */
static __always_inline struct pf_thread_state *current_state_at(__u64 *now)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pf_thread_state *st = bpf_task_storage_get(&threads, t, NULL, 0);
	__u32 tgid;

	if (st) {
		if (st->claimed)
			return NULL;
		if (!*now)
			*now = bpf_ktime_get_ns();
		return on_cpu_state(st, t, *now);
	}
	tgid = bpf_get_current_pid_tgid() >> 32;
	if (!bpf_map_lookup_elem(&traced, &tgid))
		return NULL;
	if (!*now)
		*now = bpf_ktime_get_ns();
	return new_thread(t, tgid, *now);
}

static __always_inline struct pf_thread_state *current_state(__u64 now)
{
	return current_state_at(&now);
}

/* Re-resolve the current thread's category after its context changed. */
static __always_inline void set_ctx(struct pf_thread_state *st, __u32 ctx, __u64 now)
{
	close_interval(st, now);
	st->ctx = ctx;
	st->cat = pf_cat_resolve(st->in_syscall ? st->base : PF_CAT_CPU, ctx);
}

#endif
