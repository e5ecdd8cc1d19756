/* SPDX-License-Identifier: GPL-2.0 */
/* CPU samples, kernel side: the sampled thread's Python stack, walked from
 * its thread state through the offsets user space found for the process's
 * interpreter (struct pf_py_offsets, include/sample.h). Everything read is
 * user memory, read with bpf_probe_read_user: a torn read (the interpreter
 * changing its frames under us) gives a wrong frame or a short stack, never
 * a fault. */
#ifndef PF_PYSTACK_BPF_H
#define PF_PYSTACK_BPF_H

static __always_inline __u64 read_uptr(__u64 addr)
{
	__u64 v = 0;

	if (bpf_probe_read_user(&v, sizeof(v), (void *)addr))
		return 0;
	return v;
}

/* The thread's pthread_t: pthread_self() is the TCB, which x86-64's glibc
 * and musl keep in the fs base. CPython stores pthread_self() in each thread
 * state's thread_id, which is how the sampled thread's state is found. */
static __always_inline __u64 current_pthread(void)
{
#if defined(__TARGET_ARCH_x86)
	struct task_struct *t = bpf_get_current_task_btf();

	return BPF_CORE_READ(t, thread.fsbase);
#else
	return 0; /* elsewhere: no Python stacks (said in the README) */
#endif
}

/* The sampled thread's PyThreadState. Found by walking the main
 * interpreter's list of thread states for the one whose thread_id is this
 * thread's pthread_t, rather than taking the GIL holder: a thread on a CPU
 * need not hold the GIL (it may run C code that released it), and from
 * 3.12 the "current thread state" is a thread-local, not a global.
 * Global functions (here and below): each is verified once, on its own,
 * not once per path of its caller. */
__noinline __u64 pf_py_tstate(__u64 interp, __u64 pthread, __u32 next_off, __u32 id_off, __u32 head_off)
{
	__u64 ts;

	if (!interp || !pthread)
		return 0;
	ts = read_uptr(interp + head_off);
	for (int i = 0; i < PF_PY_THREADS && ts; i++) {
		if (read_uptr(ts + id_off) == pthread)
			return ts;
		ts = read_uptr(ts + next_off);
	}
	return 0;
}

struct frame_walk {
	__u64 f;
	__u32 d;
	__u16 owner_off, code_off, back_off, name_off;
};

/* One frame (bpf_loop's callback: verified once, whatever the depth). */
static long py_frame(__u64 i, struct frame_walk *w)
{
	__u32 zero = 0;
	struct sample_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	__u8 owner = 0;
	__u64 code;

	if (!s || !w->f || w->d >= PF_PY_DEPTH)
		return 1;
	if (w->owner_off)
		bpf_probe_read_user(&owner, 1, (void *)(w->f + w->owner_off));
	code = owner == PF_PY_OWNED_BY_CSTACK ? 0 : read_uptr(w->f + w->code_off);
	if (code) {
		s->stack.code[w->d & (PF_PY_DEPTH - 1)] = code;
		s->stack.name[w->d++ & (PF_PY_DEPTH - 1)] = read_uptr(code + w->name_off);
	}
	w->f = read_uptr(w->f + w->back_off);
	return 0;
}

/* The code objects of the frames from f outwards into the per-CPU scratch,
 * innermost first; returns how many. Frames the C stack owns (entry shims)
 * are skipped. */
__noinline int pf_py_frames(__u64 f, __u32 tgid)
{
	const struct pf_py_offsets *o = bpf_map_lookup_elem(&py_procs, &tgid);
	__u32 zero = 0;
	struct sample_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	struct frame_walk w = { .f = f };

	if (!o || !s)
		return 0;
	w.owner_off = o->frame_owner;
	w.code_off = o->frame_code;
	w.back_off = o->frame_back;
	w.name_off = o->co_name;
	bpf_loop(PF_PY_DEPTH + 8, py_frame, &w, 0);
	s->stack.depth = w.d;
	return (int)w.d;
}

/* The sampled thread's Python frames into the scratch; how many. */
static __always_inline int py_walk(const struct pf_py_offsets *o, __u32 tgid)
{
	__u64 ts = pf_py_tstate(read_uptr(o->runtime + o->interp_head), current_pthread(), o->tstate_next,
				o->tstate_thread_id, o->threads_head), f;

	if (!ts)
		return 0;
	f = read_uptr(ts + o->tstate_frame);
	if (o->frame_kind == PF_PY_CFRAME && f)
		f = read_uptr(f + o->cframe_current);
	return f ? pf_py_frames(f, tgid) : 0;
}

/* A str's characters (ASCII compact strs only: names and file names are) */
static __always_inline void py_str(const struct pf_py_offsets *o, __u64 str, char *out, __u32 n)
{
	__u32 state = 0;

	out[0] = '?';
	out[1] = 0;
	/* PyASCIIObject.state, after refcnt, type, length and hash: compact:5, ascii:6 */
	if (!str || bpf_probe_read_user(&state, sizeof(state), (void *)(str + 32)))
		return;
	if ((state & (3u << 5)) != (3u << 5))
		return;
	bpf_probe_read_user_str(out, n, (void *)(str + o->str_ascii));
}

#endif
