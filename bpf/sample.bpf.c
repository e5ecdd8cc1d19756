// SPDX-License-Identifier: GPL-2.0
/* perfanity trace --sample: the kernel side of CPU samples with stacks.
 *
 * A perf event per CPU (cpu-clock at the chosen frequency) runs pf_sample on
 * whatever that CPU runs; only threads of the traced tree (the main object's
 * `traced` map, shared with it) are counted. Each sample is counted here,
 * under (process, kernel stack, native stack, Python stack): user space reads
 * the counts and the stacks once, at the end, and names the frames.
 * Loaded only with --sample, so that the default trace costs nothing more.
 *
 *   pystack.bpf.h  the Python stack, walked from the thread's PyThreadState
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "sample.h"

#define E2BIG 7
#define EFAULT 14

char LICENSE[] SEC("license") = "GPL";

/* Counted, never dropped silently: samples seen, and those not counted
 * (a map full; a stack that could not be stored still counts, its id < 0). */
__u64 samples = 0;
__u64 lost = 0;
__u64 lost_stacks = 0;

/* The main object's set of traced processes (bpf_map__reuse_fd). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

/* Preallocated (a stack map cannot be otherwise): 8 MB, which creating
 * and freeing costs a few ms; a minute at 99 Hz on 2 CPUs is 12,000
 * samples, far fewer distinct stacks. A stack that finds its bucket taken
 * is counted in lost_stacks, the sample still counted. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 8192);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PF_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct pf_sample_key);
	__type(value, __u64);
} counts SEC(".maps");

/* Python stacks by a hash of their code objects. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct pf_py_stack);
} pystacks SEC(".maps");

/* A code object's names, read the first time a sample meets it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct pf_code_key);
	__type(value, struct pf_code_info);
} codes SEC(".maps");

/* The processes running CPython, with where their interpreter keeps things:
 * filled by user space when it finds the interpreter mapped. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct pf_py_offsets);
} py_procs SEC(".maps");

struct sample_scratch {
	struct pf_py_stack stack;
	struct pf_code_info info;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sample_scratch);
} scratch SEC(".maps");

#include "pystack.bpf.h"

static __always_inline __u64 stack_hash(const struct pf_py_stack *s, __u32 d)
{
	__u64 h = 14695981039346656037ULL; /* FNV-1a over the code addresses */

	for (__u32 i = 0; i < PF_PY_DEPTH && i < d; i++) {
		h ^= s->code[i];
		h *= 1099511628211ULL;
		h ^= s->name[i];
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

struct name_walk {
	__u32 tgid, d;
};

/* One code object named (bpf_loop's callback). */
static long name_code(__u64 i, struct name_walk *w)
{
	const struct pf_py_offsets *o = bpf_map_lookup_elem(&py_procs, &w->tgid);
	__u32 zero = 0;
	struct sample_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	struct pf_code_key k = { .tgid = w->tgid };

	if (!o || !s || i >= w->d)
		return 1;
	k.code = s->stack.code[i & (PF_PY_DEPTH - 1)];
	k.name = s->stack.name[i & (PF_PY_DEPTH - 1)];
	if (bpf_map_lookup_elem(&codes, &k))
		return 0;
	s->info.firstlineno = 0;
	bpf_probe_read_user(&s->info.firstlineno, sizeof(s->info.firstlineno), (void *)(k.code + o->co_firstlineno));
	py_str(o, k.name, s->info.name, sizeof(s->info.name));
	py_str(o, read_uptr(k.code + o->co_filename), s->info.file, sizeof(s->info.file));
	/* full: the frames are still counted, shown unnamed */
	return bpf_map_update_elem(&codes, &k, &s->info, BPF_NOEXIST) == -E2BIG;
}

/* Each code object of the scratch's stack named, once per process. */
static __always_inline void name_codes(__u32 tgid, __u32 d)
{
	struct name_walk w = { .tgid = tgid, .d = d };

	bpf_loop(PF_PY_DEPTH, name_code, &w, 0);
}

static __always_inline __u64 python_stack(__u32 tgid)
{
	const struct pf_py_offsets *o = bpf_map_lookup_elem(&py_procs, &tgid);
	struct sample_scratch *s;
	__u32 zero = 0, d;
	__u64 h;

	if (!o || !(s = bpf_map_lookup_elem(&scratch, &zero)))
		return 0;
	d = (__u32)py_walk(o, tgid);
	if (!d)
		return 0;
	h = stack_hash(&s->stack, d);
	if (!bpf_map_lookup_elem(&pystacks, &h) && bpf_map_update_elem(&pystacks, &h, &s->stack, BPF_NOEXIST) == -E2BIG)
		return 0;
	name_codes(tgid, d);
	return h;
}

SEC("perf_event")
int pf_sample(struct bpf_perf_event_data *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct pf_sample_key k = {};
	__u64 one = 1, *n;

	if (!tgid || !bpf_map_lookup_elem(&traced, &tgid))
		return 0;
	__sync_fetch_and_add(&samples, 1);
	k.tgid = tgid;
	/* the native frames are named from the mappings of the image that ran */
	k.image = BPF_CORE_READ((struct task_struct *)bpf_get_current_task_btf(), mm, exe_file, f_inode, i_ino);
	k.kstack = bpf_get_stackid(ctx, &stacks, 0);
	k.ustack = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	/* -EFAULT: no such stack (a kernel stack in user mode); else lost */
	if ((k.kstack < 0 && k.kstack != -EFAULT) || (k.ustack < 0 && k.ustack != -EFAULT))
		__sync_fetch_and_add(&lost_stacks, 1);
	k.pystack = python_stack(tgid);
	n = bpf_map_lookup_elem(&counts, &k);
	if (n) {
		__sync_fetch_and_add(n, 1);
		return 0;
	}
	if (bpf_map_update_elem(&counts, &k, &one, BPF_NOEXIST)) {
		n = bpf_map_lookup_elem(&counts, &k); /* another CPU put it in first */
		if (n)
			__sync_fetch_and_add(n, 1);
		else
			__sync_fetch_and_add(&lost, 1);
	}
	return 0;
}
