/* SPDX-License-Identifier: GPL-2.0 */
/* perfanity trace, kernel side: the user-space probes' handlers (zlib's
 * inflate, CPython's compiler and imports), shared by the perf-event uprobe
 * programs, the USDT ones and the uprobe_multi ones. */
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

/* A new thread's empty import stack: a global, too large for the BPF stack. */
struct pf_import_stack zero_import_stack = {};

static __always_inline struct pf_import_stack *import_stack(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pf_import_stack *stk = lookup_or_init(&import_stacks, &tid, &zero_import_stack);

	if (!stk)
		count(&map_full);
	return stk;
}

/* An import starts: the module named by s->path (a module name from the
 * USDT probe, a file name from PyEval_EvalCode; user space tells them
 * apart) gets a row, said to user space the first time, and a frame. */
static __always_inline __u64 import_row(struct pf_thread_state *st, struct scratch *s, __u64 now)
{
	struct pf_import_stat izero = {};
	__u64 key, flags;

	/* a module name is hashed like a path (same function, same buffer) */
	key = pf_hash_path(&flags);
	if (!bpf_map_lookup_elem(&imports, &key)) {
		if (!bpf_map_update_elem(&imports, &key, &izero, BPF_NOEXIST)) {
			s->ev.path.h.type = PF_EV_MODULE;
			s->ev.path.h.pid = st->tgid;
			s->ev.path.h.ts = now;
			s->ev.path.hash = key;
			bpf_probe_read_kernel_str(s->ev.path.path, 256, s->path);
			if (bpf_ringbuf_output(&events, &s->ev.path, sizeof(s->ev.path), lazy_wakeup()))
				count(&lost_events);
		}
	}
	return key;
}

static __always_inline int import_push(struct pf_thread_state *st, struct pf_import_stack *stk,
				       struct scratch *s, __u64 now)
{
	__u64 key = import_row(st, s, now);
	__u32 d;

	d = stk->depth;
	if (d < PF_IMPORT_DEPTH) {
		stk->f[d & (PF_IMPORT_DEPTH - 1)].start = now;
		stk->f[d & (PF_IMPORT_DEPTH - 1)].key = key;
		stk->f[d & (PF_IMPORT_DEPTH - 1)].child_ns = 0;
	}
	stk->depth = d + 1; /* deeper than the stack: counted, not timed */
	set_ctx(st, st->ctx | PF_CTX_IMPORT, now);
	return 0;
}

/* The innermost import ends: its inclusive and self time. */
static __always_inline int import_pop(void)
{
	__u64 now = bpf_ktime_get_ns();
	struct pf_thread_state *st = current_state(now);
	struct pf_import_stack *stk;
	struct pf_import_stat *is;
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), d;

	if (!st)
		return 0;
	stk = bpf_map_lookup_elem(&import_stacks, &tid);
	if (!stk || !stk->depth)
		return 0;
	d = --stk->depth;
	if (d < PF_IMPORT_DEPTH) {
		struct pf_import_frame *f = &stk->f[d & (PF_IMPORT_DEPTH - 1)];
		__u64 incl = now - f->start;

		is = bpf_map_lookup_elem(&imports, &f->key);
		if (is) {
			__sync_fetch_and_add(&is->ns, incl);
			__sync_fetch_and_add(&is->self_ns, incl > f->child_ns ? incl - f->child_ns : 0);
			__sync_fetch_and_add(&is->count, 1);
		}
		if (d > 0)
			stk->f[(d - 1) & (PF_IMPORT_DEPTH - 1)].child_ns += incl;
		if (emit_runs)
			pf_import_span(st, d, f->key, f->start, now);
	}
	if (!stk->depth)
		set_ctx(st, st->ctx & ~PF_CTX_IMPORT, now);
	return 0;
}

/* CPython's import__find__load__start USDT probe: the module's name. */
static __always_inline int usdt_import_start(const char *name)
{
	__u64 now = bpf_ktime_get_ns();
	struct pf_thread_state *st = current_state(now);
	struct pf_import_stack *stk;
	struct scratch *s;

	if (!st || !(stk = import_stack()) || !(s = get_scratch()))
		return 0;
	s->path[0] = 0;
	bpf_probe_read_user_str(s->path, 256, name);
	return import_push(st, stk, s, now);
}

/* PyImport_ImportModuleLevelObject() entered (+1) or returned (-1): an
 * import statement (or __import__) in progress, cached module or not. */
static __always_inline int import_stmt(int step)
{
	struct pf_import_stack *stk;

	if (!current_state(bpf_ktime_get_ns()) || !(stk = import_stack()))
		return 0;
	if (step > 0)
		stk->stmts++;
	else if (stk->stmts)
		stk->stmts--;
	return 0;
}

/* A file name (a Python str) into s->path, through the header sizes the
 * cookie carries (a str's characters follow its header: ASCII or compact).
 * Returns whether it names a module: a file, or "<frozen NAME>"; not
 * "<string>", "<stdin>" and the like (exec() of compiled source). */
static __always_inline bool module_file(struct scratch *s, void *str, __u64 cookie)
{
	__u32 state = 0;
	__u64 hdr;

	s->path[0] = 0;
	if (!str || bpf_probe_read_user(&state, sizeof(state), str + 32))
		return false;
	/* PyASCIIObject.state: interned:2, kind:3, compact:1, ascii:1 */
	if (!(state & (1u << 5)) || ((state >> 2) & 7) != 1)
		return false; /* not compact, or not one byte a character */
	hdr = state & (1u << 6) ? PF_UP_EVAL_ASCII(cookie) : PF_UP_EVAL_COMPACT(cookie);
	if (bpf_probe_read_user_str(s->path, 256, str + hdr) <= 1)
		return false;
	if (s->path[0] != '<')
		return true;
	return s->path[1] == 'f' && s->path[2] == 'r' && s->path[3] == 'o' && s->path[4] == 'z' &&
	       s->path[5] == 'e' && s->path[6] == 'n' && s->path[7] == ' ';
}

/* The code object's co_filename, at the offset the cookie carries. */
static __always_inline bool code_filename(struct scratch *s, void *code, __u64 cookie)
{
	void *str = NULL;

	s->path[0] = 0;
	if (bpf_probe_read_user(&str, sizeof(str), code + PF_UP_EVAL_FILENAME(cookie)))
		return false;
	return module_file(s, str, cookie);
}

/* PyEval_EvalCode(co, globals, locals): importlib runs each module's body
 * through it (so does importlib.import_module(), which the USDT probes miss).
 * It counts as an import when one is in progress on the thread, an import
 * statement or a module body: the main script, runpy's __main__ and exec()
 * at the top level are no imports. */
static __always_inline int eval_enter(void *code, __u64 cookie)
{
	__u64 now = bpf_ktime_get_ns();
	struct pf_thread_state *st = current_state(now);
	struct pf_import_stack *stk;
	struct scratch *s;
	bool module;
	__u32 e;

	if (!st || !(stk = import_stack()) || !(s = get_scratch()))
		return 0;
	e = stk->evals++;
	module = (stk->stmts || stk->depth) && code_filename(s, code, cookie);
	if (e >= 64)
		return 0;
	if (!module) {
		stk->eval_imports &= ~(1ULL << e);
		return 0;
	}
	stk->eval_imports |= 1ULL << e;
	return import_push(st, stk, s, now);
}

static __always_inline int eval_exit(void)
{
	struct pf_import_stack *stk;
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), e;

	if (!current_state(bpf_ktime_get_ns()))
		return 0;
	stk = bpf_map_lookup_elem(&import_stacks, &tid);
	if (!stk || !stk->evals)
		return 0;
	e = --stk->evals;
	if (e < 64 && (stk->eval_imports & (1ULL << e)))
		return import_pop();
	return 0;
}

/* CPython's Py_CompileStringObject(str, filename, ...): source compiled to
 * bytecode, which an import does when the module has no usable .pyc. The
 * compilation is the module's whose file it compiles when the cookie
 * carries the str layout (PyEval_EvalCode is probed: the module's own frame
 * only starts after it is compiled); else the innermost import's (USDT). */
static __always_inline int compile_enter(void *filename, __u64 cookie)
{
	__u64 now = bpf_ktime_get_ns();
	struct pf_thread_state *st = current_state(now);
	struct pf_import_stack *stk;
	struct scratch *s;

	if (!st)
		return 0;
	if (PF_UP_EVAL_ASCII(cookie) && (stk = import_stack()) && (s = get_scratch()))
		stk->compile_key = module_file(s, filename, cookie) ? import_row(st, s, now) : 0;
	st->compile_start = now;
	set_ctx(st, st->ctx | PF_CTX_COMPILE, now);
	return 0;
}

static __always_inline int compile_exit(void)
{
	__u64 now = bpf_ktime_get_ns();
	struct pf_thread_state *st = current_state(now);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pf_import_stack *stk;
	struct pf_import_stat *is;

	if (!st || !(st->ctx & PF_CTX_COMPILE))
		return 0;
	stk = bpf_map_lookup_elem(&import_stacks, &tid);
	if (stk && stk->compile_key) {
		is = bpf_map_lookup_elem(&imports, &stk->compile_key);
		stk->compile_key = 0;
	} else {
		is = innermost_import();
	}
	if (is) {
		__sync_fetch_and_add(&is->compile_ns, now - st->compile_start);
		__sync_fetch_and_add(&is->compiled, 1);
	}
	set_ctx(st, st->ctx & ~PF_CTX_COMPILE, now);
	return 0;
}

#endif
