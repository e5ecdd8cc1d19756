/* SPDX-License-Identifier: GPL-2.0 */
/* perfanity trace, kernel side: the user-space probes' handlers (zlib's
 * inflate, CPython's compiler), shared by the perf-event uprobe programs and
 * the uprobe_multi ones. */
#ifndef PF_PYTHON_BPF_H
#define PF_PYTHON_BPF_H

/* zlib's z_stream (zlib.h) as far as total_out: a user-space struct, so no
 * CO-RE; its layout is zlib's ABI, the same in every LP64 build. */
struct pf_z_stream {
	void *next_in;
	unsigned int avail_in;
	unsigned long total_in;
	void *next_out;
	unsigned int avail_out;
	unsigned long total_out;
};

/* zlib's inflate(z_stream *strm, int flush): attached in every libz (and
 * static copy) the tree maps; filtered here by the traced set. */
static __always_inline int inflate_enter(void *strm)
{
	__u64 now = bpf_ktime_get_ns(), out = 0;
	struct pf_thread_state *st = current_state(now);

	if (!st)
		return 0;
	bpf_probe_read_user(&out, sizeof(out), &((struct pf_z_stream *)strm)->total_out);
	st->strm = (__u64)strm;
	st->total_out = out;
	st->inflate_start = now;
	set_ctx(st, st->ctx | PF_CTX_INFLATE, now);
	return 0;
}

static __always_inline int inflate_exit(void)
{
	__u64 now = bpf_ktime_get_ns(), out = 0;
	struct pf_thread_state *st = current_state(now);
	struct pf_archive_stat *as, zero = {};
	__u64 key;

	if (!st || !(st->ctx & PF_CTX_INFLATE))
		return 0;
	if (st->strm)
		bpf_probe_read_user(&out, sizeof(out), &((struct pf_z_stream *)st->strm)->total_out);
	key = st->archive_key; /* the archive this thread read last, 0 if none */
	as = lookup_or_init(&archives, &key, &zero);
	if (as) {
		__sync_fetch_and_add(&as->ns, now - st->inflate_start);
		if (out > st->total_out)
			__sync_fetch_and_add(&as->bytes_inflated, out - st->total_out);
	}
	st->last_extract_ts = now;
	set_ctx(st, st->ctx & ~PF_CTX_INFLATE, now);
	return 0;
}

/* inflateInit2_(): one member (or stream) about to be decompressed. */
static __always_inline int inflate_init(void)
{
	__u64 now = bpf_ktime_get_ns();
	struct pf_thread_state *st = current_state(now);
	struct pf_archive_stat *as, zero = {};
	__u64 key;

	if (!st)
		return 0;
	key = st->archive_key;
	as = lookup_or_init(&archives, &key, &zero);
	if (as)
		__sync_fetch_and_add(&as->members, 1);
	return 0;
}

/* The row of the module the current thread is importing innermost, if any. */
static __always_inline struct pf_import_stat *innermost_import(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), d;
	struct pf_import_stack *stk = bpf_map_lookup_elem(&import_stacks, &tid);

	if (!stk || !stk->depth)
		return NULL;
	d = stk->depth - 1;
	if (d >= PF_IMPORT_DEPTH)
		return NULL;
	return bpf_map_lookup_elem(&imports, &stk->f[d & (PF_IMPORT_DEPTH - 1)].key);
}

/* CPython's Py_CompileStringObject(): source compiled to bytecode, which an
 * import does when the module has no usable .pyc. */
static __always_inline int compile_enter(void)
{
	__u64 now = bpf_ktime_get_ns();
	struct pf_thread_state *st = current_state(now);

	if (!st)
		return 0;
	st->compile_start = now;
	set_ctx(st, st->ctx | PF_CTX_COMPILE, now);
	return 0;
}

static __always_inline int compile_exit(void)
{
	__u64 now = bpf_ktime_get_ns();
	struct pf_thread_state *st = current_state(now);
	struct pf_import_stat *is;

	if (!st || !(st->ctx & PF_CTX_COMPILE))
		return 0;
	is = innermost_import();
	if (is) {
		__sync_fetch_and_add(&is->compile_ns, now - st->compile_start);
		__sync_fetch_and_add(&is->compiled, 1);
	}
	set_ctx(st, st->ctx & ~PF_CTX_COMPILE, now);
	return 0;
}

#endif
