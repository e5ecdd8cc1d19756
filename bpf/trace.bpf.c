// SPDX-License-Identifier: GPL-2.0
/* perfanity trace: the kernel side.
 *
 * Every thread of the traced tree is, at any instant, in exactly one category
 * (include/trace.h). Each transition (syscall enter/exit, exec, exit) closes
 * the current interval and adds it to a per-(tgid, category) counter, so the
 * categories of a thread add up to its lifetime by construction. Per-file time,
 * bytes and ops are aggregated here too, keyed by a hash of the absolute path.
 * Only process lifecycle events and first-seen paths reach user space, through
 * the ring buffer.
 *
 * The programs are here; their helpers are in headers by concern:
 *   maps.bpf.h          maps, globals, scratch and ring-buffer helpers
 *   intervals.bpf.h     --perfetto: the intervals as runs, imports as spans
 *   thread_state.bpf.h  a thread's state and the closing of its intervals
 *   paths.bpf.h         an fd's file, absolute paths and their keys
 *   syscalls.bpf.h      what a syscall works on, and what it adds up
 *   python.bpf.h        the uprobes' handlers (zlib inflate, CPython's compiler and imports)
 *   exec.bpf.h          what an exec tells (a venv-creating process, the loader)
 *   cgroup.bpf.h        --cgroup, --container: processes taken in by their cgroup
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/usdt.bpf.h>
#include "trace.h"

char LICENSE[] SEC("license") = "GPL";
#include "maps.bpf.h"
#include "intervals.bpf.h"
#include "thread_state.bpf.h"
#include "paths.bpf.h"
#include "syscalls.bpf.h"
#include "net.bpf.h"
#include "python.bpf.h"
#include "exec.bpf.h"
#include "cgroup.bpf.h"

/* The entry of a syscall that does not repeat the last one: what it is
 * and works on, its category, and whether its exit will be plain. Apart
 * from the hot path, so that path's frame stays small (no private stack). */
static __noinline void classify_syscall(struct pf_thread_state *st, struct pt_regs *regs, long nr, __u64 now)
{
	/* the arguments, read once and first: each load from regs costs the
	 * verifier a search of the kernel's BTF, per path it checks */
	unsigned long a0 = PT_REGS_PARM1_SYSCALL(regs), a1 = PT_REGS_PARM2_SYSCALL(regs),
		      a2 = PT_REGS_PARM3_SYSCALL(regs), ip = PT_REGS_IP(regs);
	__u32 base, mode = 0;
	int socket_polled = 0;
	__u16 sc;

	st->rep = 0;
	sc = (unsigned long)nr < PF_SC_NR_MAX ? syscall_class[nr & (PF_SC_NR_MAX - 1)] : PF_SC_OTHER;
	if (st->ctx & PF_CTX_LOADER) {
		/* the loader's phase ends with the first syscall made from
		 * outside ld.so's mapping: the program (or its libc) is running */
		if (ip - st->loader_base >= st->loader_size)
			st->ctx &= ~PF_CTX_LOADER;
	}

	st->sc = sc;
	st->nr = (__u32)nr;
	st->mutates = !!(sc & PF_SC_MUTATES);
	st->file_key = 0;
	st->path_arg = 0;
	switch (sc & PF_SC_CLASS_MASK) {
	case PF_SC_PATH:
	case PF_SC_OPEN: {
		/* where the (dirfd, path) pair starts: arg0, or arg1 for symlink */
		unsigned long flags;

		if (sc & PF_SC_SHIFT1) {
			a0 = a1;
			a1 = a2;
		}
		if (sc & PF_SC_DIRFD) {
			st->dirfd = (int)a0;
			st->path_arg = a1;
			flags = a2;
		} else {
			st->dirfd = AT_FDCWD;
			st->path_arg = a0;
			flags = a1;
		}
		if ((sc & PF_SC_CLASS_MASK) == PF_SC_OPEN && (flags & O_CREAT) && nr != SYS_OPENAT2)
			st->mutates = 1;
		break;
	}
	case PF_SC_FD:
	case PF_SC_CLOSE:
		mode = fd_syscall_file(st, (int)a0, a1, sc);
		break;
	case PF_SC_POLL:
		socket_polled = pf_polls_socket(a0, a1, sc & PF_SC_SELECT);
		break;
	case PF_SC_NET: /* send/recv-like: the socket, for count_peer() at exit */
		st->fd = (int)a0;
		break;
	}
	base = pf_sc_category(sc, mode, socket_polled);
	st->base = base;
	st->cat = pf_cat_resolve(base, st->ctx);
	st->plain_exit = exit_is_plain(st, sc, now);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(pf_sys_enter, struct pt_regs *regs, long nr)
{
	int fd = (int)PT_REGS_PARM1_SYSCALL(regs);
	__u64 now = 0;
	struct pf_thread_state *st = current_state_at(&now);

	if (!st)
		return 0;
	close_interval(st, now);
	st->sc_start = now;
	st->in_syscall = 1;
	if (repeats_plain_call(st, nr, fd)) {
		/* (base stays the last exit's PF_CAT_CPU: only a context
		 * change reads it, and a thread in a syscall makes none) */
		st->cat = st->rep_cat;
		st->file_key = st->rep_key;
		st->plain_exit = 2;
	} else {
		classify_syscall(st, regs, nr, now);
	}
	return 0;
}

/* The exit of a syscall that needs more than sums (exit_is_plain): its file
 * row looked up (or its path's), its category refined by that file, its
 * socket peer, its archive, its fd dropped. Global: verified once, apart
 * from the hot path, whose load it would otherwise multiply. */
__noinline int pf_sys_exit_full(struct pf_thread_state *st, long ret, __u64 now)
{
	__u64 delta, key, flags = 0;
	bool by_fd;
	__u8 cls;

	if (!st)
		return 0;
	cls = st->sc & PF_SC_CLASS_MASK;
	by_fd = cls == PF_SC_FD || cls == PF_SC_CLOSE;
	key = st->file_key;
	if (by_fd && key)
		flags = fd_sums_on(st, key, ret);
	else if (cls == PF_SC_OPEN || cls == PF_SC_PATH)
		key = path_call_file(st, cls, ret, &flags);
	/* now that the file is known, the syscall's category may be refined */
	if (key && st->base == PF_CAT_FILE_IO)
		st->cat = pf_cat_resolve(PF_CAT_FILE_IO, st->ctx | syscall_ctx(st, flags, key, now));
	close_interval(st, now);
	/* the whole syscall: on a CPU, waiting for one, and blocked */
	delta = now - st->sc_start;
	if (key)
		count_file_call(st, key, by_fd, ret, delta);
	count_syscall(st, ret, delta);
	pf_count_peer(st, ret, delta);
	if (st->cat == PF_CAT_ZIP_EXTRACT && st->archive_key)
		count_archive_call(st, key, ret, delta);
	if (cls == PF_SC_CLOSE && ret == 0 && st->path_arg) {
		/* the struct file may be freed and reused: forget its key */
		__u64 fp = st->path_arg;

		bpf_map_delete_elem(&file_keys, &fp);
	}
	if (st->sc & PF_SC_FDS_GONE)
		__sync_fetch_and_add(&fd_gen, 1);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pf_sys_exit, struct pt_regs *regs, long ret)
{
	__u64 now = 0, delta;
	struct pf_thread_state *st;

	st = current_state_at(&now);
	if (!st)
		return 0;
	if (!st->in_syscall) {
		close_interval(st, now); /* e.g. a new child returning from fork */
	} else if (st->plain_exit) {
		close_interval(st, now);
		delta = now - st->sc_start;
		if (st->file_key)
			count_file_call(st, st->file_key, true, ret, delta);
		count_syscall(st, ret, delta);
		if (st->plain_exit == 2) {
			st->cat = st->rep_cpu_cat;
			goto done;
		}
		remember_plain_call(st);
	} else {
		pf_sys_exit_full(st, ret, now);
	}
	st->base = PF_CAT_CPU;
	st->cat = pf_cat_resolve(PF_CAT_CPU, st->ctx);
done:
	/* the syscall may have changed the mappings: look the next fault up */
	st->fault_lo = st->fault_hi = 0;
	st->in_syscall = 0;
	st->plain_exit = 0;
	st->file_key = 0;
	return 0;
}

/* bench/overhead.py --floor (PERFANITY_BENCH_FLOOR): in place of the two
 * above, programs that stop at once (PF_FLOOR_EMPTY), or once they have
 * the thread's state and the time (PF_FLOOR_STATE): what the tracepoints,
 * and then the lookups every design needs, cost before any of the work.
 * Loaded only then: the programs above hold no test of it. */
const volatile __u8 bench_floor = 0;

static __always_inline int floor_only(void)
{
	__u64 now = 0;

	if (bench_floor == PF_FLOOR_STATE)
		current_state_at(&now);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(pf_floor_sys_enter)
{
	return floor_only();
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pf_floor_sys_exit)
{
	return floor_only();
}

/* Perf-event uprobes, one program each (kernels without uprobe_multi). */
SEC("uprobe")
int BPF_KPROBE(pf_inflate_enter, void *strm)
{
	return inflate_enter(strm);
}

SEC("uretprobe")
int BPF_KRETPROBE(pf_inflate_exit)
{
	return inflate_exit();
}

SEC("uprobe")
int BPF_KPROBE(pf_inflate_init)
{
	return inflate_init();
}

/* uprobe_multi links (one per binary and direction, whatever the number of
 * probes: one removal to wait for at the end): the cookie says which. */
SEC("uprobe")
int BPF_KPROBE(pf_uprobe_multi_entry, void *arg0)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);

	switch (PF_UP_KIND(cookie)) {
	case PF_UP_INFLATE:
		return inflate_enter(arg0);
	case PF_UP_INFLATE_INIT:
		return inflate_init();
	case PF_UP_COMPILE:
		return compile_enter((void *)PT_REGS_PARM2(ctx), cookie);
	case PF_UP_EVAL:
		return eval_enter(arg0, cookie);
	case PF_UP_IMPORT_STMT:
		return import_stmt(1);
	}
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(pf_uprobe_multi_return)
{
	switch (PF_UP_KIND(bpf_get_attach_cookie(ctx))) {
	case PF_UP_INFLATE:
		return inflate_exit();
	case PF_UP_COMPILE:
		return compile_exit();
	case PF_UP_EVAL:
		return eval_exit();
	case PF_UP_IMPORT_STMT:
		return import_stmt(-1);
	}
	return 0;
}

/* CPython's import__find__load__start(const char *modulename). */
SEC("usdt")
int BPF_USDT(pf_import_start, const char *name)
{
	return usdt_import_start(name);
}

/* import__find__load__done(const char *modulename, int found). */
SEC("usdt")
int BPF_USDT(pf_import_done, const char *name, int found)
{
	return import_pop();
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(pf_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 tid = BPF_CORE_READ(child, pid), tgid = BPF_CORE_READ(child, tgid);
	__u64 now = bpf_ktime_get_ns();
	__u8 one = 1;
	struct pf_thread_state *st;

	if (!bpf_map_lookup_elem(&traced, &ptgid))
		return 0;
	if (tid == tgid) {
		struct pf_ev_fork *e;

		if (bpf_map_update_elem(&traced, &tgid, &one, BPF_ANY))
			count(&map_full);
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (e) {
			e->h.type = PF_EV_FORK;
			e->h.pid = tgid;
			e->h.ts = now;
			e->ppid = ptgid;
			e->adopted = 0;
			BPF_CORE_READ_STR_INTO(&e->comm, child, comm);
			bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
		} else {
			count(&lost_events);
		}
	}
	st = new_thread(child, tgid, now);
	if (st) {
		/* it returns from fork like its parent: in the clone syscall,
		 * runnable until the scheduler first picks it */
		st->in_syscall = 1;
		st->sc = PF_SC_OTHER;
		st->cat = PF_CAT_OTHER;
		/* not a call of its own (the parent's clone is counted): no row */
		st->nr = PF_SC_NR_MAX;
		st->sc_start = now;
		st->sched = PF_SCHED_RUNNABLE;
	}
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(pf_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tid = BPF_CORE_READ(p, pid), tgid = BPF_CORE_READ(p, tgid);
	__u64 now = bpf_ktime_get_ns();
	struct pf_thread_state *st;
	struct scratch *s;
	struct mm_struct *mm;
	unsigned long start, end;
	__u32 n;

	if (!bpf_map_lookup_elem(&traced, &tgid) && !adopt_by_cgroup(p, tgid, now))
		return 0;
	/* a non-leader thread that execs takes the leader's pid; its state is
	 * in its task_struct and follows it */
	if ((__u32)old_pid != tid) {
		__u32 old = old_pid;

		bpf_map_delete_elem(&import_stacks, &old);
	}
	/* close-on-exec files are gone: no cached fd -> file survives */
	__sync_fetch_and_add(&fd_gen, 1);
	st = current_state(now);
	if (st) {
		close_interval(st, now);
		st->ctx = 0; /* nothing of the old image survives exec */
		st->archive_key = 0;
		st->last_extract_ts = 0;
		if (loader_range(p, bprm, &st->loader_base, &st->loader_size))
			st->ctx = PF_CTX_LOADER; /* dynamically linked: ld.so runs first */
		st->cat = PF_CAT_EXEC;    /* what is left of execve itself */
	}
	bpf_map_delete_elem(&import_stacks, &tid);
	s = get_scratch();
	if (!s)
		return 0;
	s->ev.exec.h.type = PF_EV_EXEC;
	s->ev.exec.h.pid = tgid;
	s->ev.exec.h.ts = now;
	/* the executable as resolved (symlinks followed), absolute */
	pf_walk_path((__u64)BPF_CORE_READ(bprm, file, f_path.dentry), (__u64)BPF_CORE_READ(bprm, file, f_path.mnt));
	bpf_probe_read_kernel_str(s->ev.exec.filename, sizeof(s->ev.exec.filename), s->path);
	mm = BPF_CORE_READ(p, mm);
	start = BPF_CORE_READ(mm, arg_start);
	end = BPF_CORE_READ(mm, arg_end);
	n = end > start ? end - start : 0;
	if (n > PF_ARGS_MAX - 1)
		n = PF_ARGS_MAX - 1;
	n &= PF_ARGS_MAX - 1;
	s->ev.exec.args_len = 0;
	if (n && !bpf_probe_read_user(s->ev.exec.args, n, (void *)start))
		s->ev.exec.args_len = n;
	if (st && creates_venv(s->ev.exec.args_len))
		st->ctx |= PF_CTX_VENV_PROC;
	/* forced: paths queued without a wake-up would make the adaptive
	 * notification skip this one, and its probes would come late */
	if (bpf_ringbuf_output(&events, &s->ev.exec, sizeof(s->ev.exec), BPF_RB_FORCE_WAKEUP))
		count(&lost_events);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(pf_exit, struct task_struct *p, bool group_dead)
{
	__u32 tid = BPF_CORE_READ(p, pid), tgid = BPF_CORE_READ(p, tgid);
	__u64 now = bpf_ktime_get_ns();
	struct pf_thread_state *st = bpf_task_storage_get(&threads, p, NULL, 0);
	struct pf_proc_stat *ps;
	struct pf_ev_exit *e;

	if (!st)
		return 0;
	ps = bpf_map_lookup_elem(&procs, &tgid);
	/* unless the end-of-trace iterator wrote this state out already */
	if (!__sync_val_compare_and_swap(&st->claimed, 0, PF_CLAIM_EXITED)) {
		on_cpu_state(st, p, now);
		close_interval(st, now);
		if (emit_runs)
			pf_run_end(st);
		flush_thread(st);
		flush_fd_sums(st);
		if (ps)
			__sync_fetch_and_add(&ps->thread_ns, now - st->start_ts);
	}
	bpf_task_storage_delete(&threads, p);
	bpf_map_delete_elem(&import_stacks, &tid);
	if (!group_dead)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		e->h.type = PF_EV_EXIT;
		e->h.pid = tgid;
		e->h.ts = now;
		e->exit_code = BPF_CORE_READ(p, exit_code);
		e->threads = ps ? ps->threads : 0;
		e->thread_ns = ps ? ps->thread_ns : 0;
		bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	} else {
		count(&lost_events);
	}
	bpf_map_delete_elem(&traced, &tgid);
	return 0;
}

/* The scheduler's view: a thread switched out is runnable (preempted) or
 * blocked, and the interval it leaves is closed in the category it was in;
 * one switched in closes its wait (runqueue, a syscall's block, a fault's). */
SEC("tp_btf/sched_switch")
int BPF_PROG(pf_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	struct pf_thread_state *st = task_state(prev);
	__u64 now = 0;

	if (st) {
		now = bpf_ktime_get_ns();
		on_cpu_state(st, prev, now);
		close_interval(st, now);
		mark_off_cpu(st, prev);
		if (preempt || prev_state == TASK_RUNNING)
			st->sched = PF_SCHED_RUNNABLE;
		else
			st->sched = prev_state & TASK_UNINTERRUPTIBLE ? PF_SCHED_BLOCKED_D : PF_SCHED_BLOCKED_S;
	}
	st = task_state(next);
	if (st) {
		close_interval(st, now ? now : bpf_ktime_get_ns());
		st->sched = PF_SCHED_ON;
	}
	return 0;
}

/* A blocked thread woken: from now on it waits for a CPU. */
SEC("tp_btf/sched_wakeup")
int BPF_PROG(pf_sched_wakeup, struct task_struct *p)
{
	struct pf_thread_state *st = task_state(p);

	if (!st || st->sched == PF_SCHED_ON || st->sched == PF_SCHED_RUNNABLE)
		return 0;
	close_interval(st, bpf_ktime_get_ns());
	st->sched = PF_SCHED_RUNNABLE;
	return 0;
}

struct fault_vma_ctx {
	__u64 lo, hi, file;
};

static long fault_vma(struct task_struct *t, struct vm_area_struct *vma, void *c)
{
	struct fault_vma_ctx *fc = c;

	fc->lo = vma->vm_start;
	fc->hi = vma->vm_end;
	fc->file = (__u64)BPF_CORE_READ(vma, vm_file); /* a number, not a pointer to follow */
	return 0;
}

/* A page fault in user space: counted on the file mapped at the address, if
 * any, whose row then takes the fault's disk wait (fault_io). The thread's
 * last mapping is remembered until its next syscall. */
SEC("tp_btf/page_fault_user")
int BPF_PROG(pf_page_fault, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pf_thread_state *st = on_cpu_state(task_state(t), t, 0);
	struct pf_file_stat *fs;

	if (!st)
		return 0;
	if (address - st->fault_lo >= st->fault_hi - st->fault_lo) {
		struct fault_vma_ctx fc = {};

		if (bpf_find_vma(t, address, fault_vma, &fc, 0) || !fc.hi) {
			fc.lo = address;
			fc.hi = address + 1;
		}
		st->fault_lo = fc.lo;
		st->fault_hi = fc.hi;
		st->fault_key = fc.file ? pf_file_key(fc.file, st->tgid) : 0;
	}
	if (!st->fault_key)
		return 0;
	fs = bpf_map_lookup_elem(&files, &st->fault_key);
	if (fs)
		__sync_fetch_and_add(&fs->faults, 1);
	return 0;
}

/* At the end: every thread state still in a task, written out once for user
 * space to close (claimed, so that a thread exiting meanwhile does not also
 * flush it, and ignored by the programs from then on). A retried write
 * (the reader's buffer was full) writes the same state again. */
SEC("iter/task")
int pf_dump_threads(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct pf_thread_state *st;

	if (!t)
		return 0;
	st = bpf_task_storage_get(&threads, t, NULL, 0);
	if (!st || __sync_val_compare_and_swap(&st->claimed, 0, PF_CLAIM_DUMPED) == PF_CLAIM_EXITED)
		return 0;
	bpf_seq_write(ctx->meta->seq, st, sizeof(*st));
	return 0;
}
