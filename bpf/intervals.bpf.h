/* SPDX-License-Identifier: GPL-2.0 */
/* perfanity trace --perfetto, kernel side: each thread's intervals as runs
 * of one category, and imports as spans, sent to user space for a timeline.
 * Off unless user space sets emit_runs: the verifier then removes every
 * guarded call, so a default trace's hot path is what it was. */
#ifndef PF_INTERVALS_BPF_H
#define PF_INTERVALS_BPF_H

const volatile __u8 emit_runs = 0;
/* A run shorter than this is not sent (counted in run_drops): consecutive
 * same-category intervals are one run already, this bounds what a million
 * alternating short syscalls cost. */
const volatile __u64 run_min_ns = 0;

__u64 import_spans_lost = 0; /* import spans the ring buffer had no room for */

/* Sized by user space: a page when off, tens of MiB with --perfetto. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} runs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384 * 4);
	__type(key, struct pf_cat_key);
	__type(value, struct pf_run_drops);
} run_drops SEC(".maps");

static __always_inline void drop_run(__u32 tgid, __u32 cat, __u64 ns, bool lost)
{
	struct pf_cat_key k = { .tgid = tgid, .cat = cat };
	struct pf_run_drops zero = {}, *d = lookup_or_init(&run_drops, &k, &zero);

	if (!d) {
		count(&map_full);
		return;
	}
	__sync_fetch_and_add(lost ? &d->lost_ns : &d->short_ns, ns);
	__sync_fetch_and_add(lost ? &d->lost_runs : &d->short_runs, 1);
}

/* The run [start, end) of cat on st's thread is over: sent, or counted. */
static __always_inline void send_run(struct pf_thread_state *st, __u32 cat, __u64 start, __u64 end, __u64 key)
{
	struct pf_ev_run *e;

	if (end - start < run_min_ns) {
		drop_run(st->tgid, cat, end - start, false);
		return;
	}
	e = bpf_ringbuf_reserve(&runs, sizeof(*e), 0);
	if (!e) {
		drop_run(st->tgid, cat, end - start, true);
		return;
	}
	e->h.type = PF_EV_RUN;
	e->h.pid = st->tgid;
	e->h.ts = start;
	e->tid = st->tid;
	e->cat = cat;
	e->end = end;
	e->key = key;
	bpf_ringbuf_submit(e, 0);
}

/* close_interval()'s one call, once the interval [last_ts - delta, last_ts)
 * of cat is closed: it extends the
 * thread's run, or ends it and starts the next (file_io: a run per file,
 * the one the syscall closing it works on). Global: verified once, not at
 * each of close_interval()'s many inlined copies. */
__noinline int pf_run_close(struct pf_thread_state *st, __u32 cat, __u64 delta)
{
	__u64 key, from;

	if (!st || cat >= PF_CAT_MAX || !delta)
		return 0; /* an empty interval splits no run */
	from = st->last_ts - delta;
	key = cat == PF_CAT_FILE_IO ? st->file_key : 0;
	if (st->iv_start && st->iv_cat == cat && st->iv_key == key)
		return 0;
	if (st->iv_start)
		send_run(st, st->iv_cat, st->iv_start, from, st->iv_key);
	st->iv_start = from;
	st->iv_cat = cat;
	st->iv_key = key;
	return 0;
}

/* The thread exits: its last run ends where its last interval did. */
__noinline int pf_run_end(struct pf_thread_state *st)
{
	if (st && st->iv_start && st->last_ts > st->iv_start) {
		send_run(st, st->iv_cat, st->iv_start, st->last_ts, st->iv_key);
		st->iv_start = 0;
	}
	return 0;
}

/* An import's span, from import_pop(). */
__noinline int pf_import_span(struct pf_thread_state *st, __u32 depth, __u64 key, __u64 start, __u64 end)
{
	struct pf_ev_import_span *e;

	if (!st)
		return 0;
	e = bpf_ringbuf_reserve(&runs, sizeof(*e), 0);
	if (!e) {
		count(&import_spans_lost);
		return 0;
	}
	e->h.type = PF_EV_IMPORT_SPAN;
	e->h.pid = st->tgid;
	e->h.ts = start;
	e->tid = st->tid;
	e->depth = depth;
	e->end = end;
	e->key = key;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

#endif
