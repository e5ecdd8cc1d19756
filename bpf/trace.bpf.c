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
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/usdt.bpf.h>
#include "trace.h"

char LICENSE[] SEC("license") = "GPL";

#define AT_FDCWD -100
#define O_CREAT 0100
#define PACK4(a, b, c, d) (((__u64)(a) << 24) | ((__u64)(b) << 16) | ((__u64)(c) << 8) | (d))
#define SYS_OPENAT2 437
#define ZIP_LOCAL_MAGIC 0x04034b50 /* "PK\3\4" read as a little-endian u32 */
#define ZIP_EOCD_MAGIC 0x06054b50  /* "PK\5\6" */
#define PATH_DEPTH 32       /* components walked up from a dentry */
#define NAME_READ 256       /* NAME_MAX + 1 */

/* Filled by user space before load (src/syscall_class.c). */
const volatile __u16 syscall_class[PF_SC_NR_MAX] = {};

/* Counters user space reports; never dropped silently. */
__u64 lost_events = 0;   /* ring buffer full: an event could not be delivered */
__u64 map_full = 0;      /* an aggregation map was full: time or a file row lost */
/* Bumped whenever a traced thread may have dropped an open file: a thread's
 * cached fd -> file is good only while this has not moved. */
__u64 fd_gen = 0;
/* Set by user space when it sums up: no new thread state from then on. */
__u32 collecting = 0;

#define TASK_RUNNING 0
#define TASK_UNINTERRUPTIBLE 0x2

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

/* Task-local: a traced thread finds its state in its task_struct, without a
 * hash lookup, and every other thread finds nothing as cheaply. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pf_thread_state);
} threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct pf_proc_stat);
} procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384 * 4);
	__type(key, struct pf_cat_key);
	__type(value, __u64);
} cat_ns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct pf_file_stat);
} files SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct pf_archive_stat);
} archives SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PF_SC_NR_MAX);
	__type(key, __u32);
	__type(value, struct pf_syscall_stat);
} syscalls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct pf_import_stat);
} imports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct pf_import_stack);
} import_stacks SEC(".maps");

/* struct file * -> path hash, and the inode it was for: a struct file freed
 * and reused for another file (a mapping's file is never closed, so its
 * entry is not forgotten at close) is told by its inode. LRU: an evicted
 * entry only costs a new walk. */
struct file_key_val {
	__u64 key;
	__u64 inode;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct file_key_val);
} file_keys SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

struct scratch {
	char path[2 * PF_PATH_MAX + NAME_READ];
	struct dentry *comps[PATH_DEPTH];
	union {
		struct pf_ev_exec exec;
		struct pf_ev_path path;
	} ev;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_buf SEC(".maps");

static __always_inline void count(__u64 *counter)
{
	__sync_fetch_and_add(counter, 1);
}

/* The value at key, inserted as *init first if missing (NULL if the map is full). */
static __always_inline void *lookup_or_init(void *map, const void *key, const void *init)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, init, BPF_NOEXIST); /* may lose a race: fine */
	return bpf_map_lookup_elem(map, key);
}

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
	return delta;
}

static __always_inline void flush_thread(struct pf_thread_state *st)
{
	for (int c = 0; c < PF_CAT_MAX; c++)
		if (st->cat_ns[c])
			add_cat(st->tgid, c, st->cat_ns[c]);
}

static __always_inline struct pf_thread_state *new_thread(struct task_struct *t, __u32 tgid, __u64 now)
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
	st->cat = PF_CAT_CPU;
	ps = lookup_or_init(&procs, &tgid, &zero);
	if (ps)
		__sync_fetch_and_add(&ps->threads, 1);
	return st;
}

/* The state of a thread; NULL once the end-of-trace iterator has it. */
static __always_inline struct pf_thread_state *task_state(struct task_struct *t)
{
	struct pf_thread_state *st = bpf_task_storage_get(&threads, t, NULL, 0);

	return st && !st->claimed ? st : NULL;
}

/* The state of the current thread, created on first sight if its process is traced. */
static __always_inline struct pf_thread_state *current_state(__u64 now)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pf_thread_state *st = bpf_task_storage_get(&threads, t, NULL, 0);
	__u32 tgid;

	if (st)
		return st->claimed ? NULL : st;
	tgid = bpf_get_current_pid_tgid() >> 32;
	if (!bpf_map_lookup_elem(&traced, &tgid))
		return NULL;
	return new_thread(t, tgid, now);
}

/* The struct file of the current thread's fd: direct BTF loads down to the
 * table (no helper calls), one read of the slot. */
static __always_inline struct file *fd_file(int fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct files_struct *files = t->files;
	struct fdtable *fdt;
	struct file **fds, *f = NULL;

	if (fd < 0 || !files)
		return NULL;
	fdt = files->fdt;
	if (!fdt || (unsigned int)fd >= fdt->max_fds)
		return NULL;
	fds = fdt->fd;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

static __always_inline __u32 file_mode(struct file *f)
{
	return f ? (BPF_CORE_READ(f, f_inode, i_mode) & PF_S_IFMT) : 0;
}

/* Paths and module names are many and not urgent: they wake the reader only
 * once a good part of the ring buffer is used (it also reads every 100 ms).
 * Lifecycle events wake it at once (forced: with lazy records queued, the
 * ring buffer's adaptive notification would not): an exec may need probes
 * attached. */
#define RB_WAKEUP_BYTES (2 << 20)
static __always_inline __u64 lazy_wakeup(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > RB_WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP
									       : BPF_RB_NO_WAKEUP;
}

static __always_inline struct scratch *get_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch_buf, &zero);
}

/* Path walking and hashing run as bpf_loop() callbacks: each callback is
 * verified once, where an unrolled or bounded loop would be verified per
 * iteration and per call site, past the verifier's budget. */
struct walk_ctx {
	struct dentry *d;
	struct vfsmount *vm;
	struct mount *mnt;
	int n;    /* components collected in scratch.comps, leaf first */
	int off;  /* bytes written to scratch.path */
};

/* One step up from w->d: record the component, or cross a mount point. */
static long walk_up(__u32 i, void *c)
{
	struct walk_ctx *w = c;
	/* locals, not w->x: BPF_CORE_READ must not relocate our own struct */
	struct dentry *d = w->d, *up;
	struct vfsmount *vm = w->vm;
	struct mount *mnt = w->mnt;
	struct scratch *s;

	if (d == BPF_CORE_READ(vm, mnt_root)) {
		struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);

		if (parent == mnt)
			return 1; /* the root of the mount tree */
		w->d = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = parent;
		w->vm = (struct vfsmount *)((char *)parent + bpf_core_field_offset(struct mount, mnt));
		return 0;
	}
	up = BPF_CORE_READ(d, d_parent);
	s = get_scratch();
	if (!s || !up || up == d || w->n >= PATH_DEPTH)
		return 1;
	s->comps[w->n & (PATH_DEPTH - 1)] = d;
	w->n++;
	w->d = up;
	return 0;
}

/* Append "/" + the j-th component from the top to scratch.path. */
static long write_down(__u32 j, void *c)
{
	struct walk_ctx *w = c;
	int i = w->n - 1 - (int)j, off = w->off;
	struct scratch *s = get_scratch();
	const unsigned char *name;
	struct dentry *dd;
	long r;

	if (!s || i < 0 || off < 0 || off > PF_PATH_MAX - NAME_READ - 1)
		return 1;
	s->path[off & (PF_PATH_MAX - 1)] = '/';
	off++;
	dd = s->comps[i & (PATH_DEPTH - 1)];
	name = BPF_CORE_READ(dd, d_name.name);
	r = bpf_probe_read_kernel_str(&s->path[off & (PF_PATH_MAX - 1)], NAME_READ, name);
	if (r > 0)
		off += r - 1;
	w->off = off;
	return 0;
}

/* Write the absolute path of (dentry, vfsmount) into scratch.path; returns
 * its length. Walks up to PATH_DEPTH components, crossing mount points. */
static __always_inline int walk_path(struct scratch *s, struct dentry *d, struct vfsmount *vm)
{
	struct walk_ctx w = { .d = d, .vm = vm, .mnt = container_of(vm, struct mount, mnt) };

	bpf_loop(PATH_DEPTH + 8, walk_up, &w, 0);
	bpf_loop(PATH_DEPTH, write_down, &w, 0);
	if (w.off <= 0) {
		s->path[0] = '/';
		w.off = 1;
	}
	s->path[w.off & (2 * PF_PATH_MAX - 1)] = 0;
	return w.off & (2 * PF_PATH_MAX - 1);
}

struct hash_ctx {
	__u64 h;
	__u32 len;        /* bytes of whole words hashed before the NUL's word */
	__u32 pad;
	__u64 window;     /* the last 8 bytes */
	__u64 flags;      /* PF_FILE_* */
};

/* The path's length: the NUL is in the word that starts at `start`. */
static __always_inline __u32 path_len(struct scratch *s, __u32 start)
{
	__u32 len = start;

#pragma unroll
	for (int b = 0; b < 8; b++) {
		if (!s->path[(start + b) & (PF_PATH_MAX - 1)])
			break;
		len++;
	}
	return len;
}

/* "/venvs/" as the low 7 bytes of a big-endian window of the last bytes */
#define VENVS_MASK 0x00ffffffffffffffULL
#define VENVS_PACKED ((PACK4(0, '/', 'v', 'e') << 32) | PACK4('n', 'v', 's', '/'))

/* One 8-byte word of the path per callback: a path costs len/8 calls. */
static long hash_word(__u32 i, void *c)
{
	struct hash_ctx *hc = c;
	struct scratch *s = get_scratch();
	__u64 w;

	if (!s)
		return 1;
	w = *(__u64 *)&s->path[(i * 8) & (PF_PATH_MAX - 8)];
#pragma unroll
	for (int b = 0; b < 8; b++) {
		unsigned char ch = (w >> (8 * b)) & 0xff; /* little-endian: byte b */

		if (!ch)
			return 1;
		hc->h ^= ch;
		hc->h *= 0x100000001b3ULL;
		/* "/venvs/" in the last 7 bytes: '/' is at both ends of the needle */
		hc->window = (hc->window << 8) | ch;
		if (ch == '/' && (hc->window & VENVS_MASK) == VENVS_PACKED)
			hc->flags |= PF_FILE_VENV;
	}
	hc->len = (i + 1) * 8;
	return 0;
}

static __always_inline bool ends_with4(struct scratch *s, __u32 len, const char *suffix)
{
	if (len < 5)
		return false;
	for (int i = 0; i < 4; i++)
		if (s->path[(len - 4 + i) & (PF_PATH_MAX - 1)] != suffix[i])
			return false;
	return true;
}

/* FNV-1a over the NUL-terminated path in scratch.path; sets *flags. */
static __always_inline __u64 hash_path(struct scratch *s, __u64 *flags)
{
	struct hash_ctx hc = { .h = 0xcbf29ce484222325ULL };

	bpf_loop(PF_PATH_MAX / 8, hash_word, &hc, 0);
	hc.len = path_len(s, hc.len);
	if (ends_with4(s, hc.len, ".pex") || ends_with4(s, hc.len, ".zip") ||
	    ends_with4(s, hc.len, ".whl") || ends_with4(s, hc.len, ".egg"))
		hc.flags |= PF_FILE_ARCHIVE;
	*flags = hc.flags;
	return hc.h ? hc.h : 1;
}

/* Register the path in s->path: creates its file row, and on first sight
 * sends the string to user space. Returns its key. */
static __always_inline __u64 register_path(struct scratch *s, __u32 tgid)
{
	struct pf_file_stat row = {};
	__u64 key = hash_path(s, &row.flags), size;
	long n;

	if (bpf_map_lookup_elem(&files, &key))
		return key;
	if (bpf_map_update_elem(&files, &key, &row, BPF_NOEXIST))
		return bpf_map_lookup_elem(&files, &key) ? key : (count(&map_full), 0);
	s->ev.path.h.type = PF_EV_PATH;
	s->ev.path.h.pid = tgid;
	s->ev.path.h.ts = bpf_ktime_get_ns();
	s->ev.path.hash = key;
	n = bpf_probe_read_kernel_str(s->ev.path.path, sizeof(s->ev.path.path), s->path);
	if (n <= 0)
		n = 1;
	/* only the string's bytes, and no wake-up: see lazy_wakeup() */
	size = offsetof(struct pf_ev_path, path) + (n & (PF_PATH_MAX - 1));
	if (bpf_ringbuf_output(&events, &s->ev.path, size, lazy_wakeup()))
		count(&lost_events);
	return key;
}

/* Key of an open file: cached per struct file, else its path is walked once.
 * A global function: the verifier checks it once, not at every call site. */
__noinline __u64 pf_file_key(__u64 fp, __u32 tgid)
{
	struct file *f = (struct file *)fp;
	struct file_key_val *cached, v;
	struct scratch *s;

	if (!f)
		return 0;
	v.inode = (__u64)BPF_CORE_READ(f, f_inode);
	cached = bpf_map_lookup_elem(&file_keys, &fp);
	if (cached && cached->inode == v.inode)
		return cached->key;
	s = get_scratch();
	if (!s)
		return 0;
	walk_path(s, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt));
	v.key = register_path(s, tgid);
	if (v.key)
		bpf_map_update_elem(&file_keys, &fp, &v, BPF_ANY);
	return v.key;
}

/* Key of a path argument as the process gave it, made absolute against the
 * dirfd or the working directory. Global, like pf_file_key. */
__noinline __u64 pf_user_path_key(__u64 path_arg, __s32 dirfd, __u32 tgid)
{
	struct scratch *s = get_scratch();
	const char *upath = (const char *)path_arg;
	char first = 0;
	int len = 0;

	if (!s || !upath)
		return 0;
	bpf_probe_read_user(&first, 1, upath);
	if (!first && dirfd != AT_FDCWD) /* AT_EMPTY_PATH: the dirfd's own file */
		return pf_file_key((__u64)fd_file(dirfd), tgid);
	if (first != '/') {
		struct file *base = NULL;

		if (dirfd != AT_FDCWD)
			base = fd_file(dirfd);
		if (base) {
			len = walk_path(s, BPF_CORE_READ(base, f_path.dentry), BPF_CORE_READ(base, f_path.mnt));
		} else {
			struct task_struct *t = (struct task_struct *)bpf_get_current_task();

			len = walk_path(s, BPF_CORE_READ(t, fs, pwd.dentry), BPF_CORE_READ(t, fs, pwd.mnt));
		}
		if (len > 1)
			s->path[len++ & (PF_PATH_MAX - 1)] = '/';
		else
			len = 1; /* cwd is "/" */
	}
	if (bpf_probe_read_user_str(&s->path[len & (PF_PATH_MAX - 1)], PF_PATH_MAX, upath) < 0)
		return 0;
	s->path[PF_PATH_MAX - 1] = 0;
	return register_path(s, tgid);
}

/* The type of the current thread's fd. Global: verified once, not at each
 * of the polled fds below. */
__noinline __u32 pf_fd_mode(int fd)
{
	return file_mode(fd_file(fd));
}

/* Whether any of the first fds given to poll/ppoll (arg0 = struct pollfd *)
 * or select/pselect6 (arg1 = fd_set *) is a socket. */
static __always_inline bool polls_socket(struct pt_regs *regs, __u8 is_select)
{
	if (is_select) {
		__u64 bits = 0;
		void *set = (void *)PT_REGS_PARM2_SYSCALL(regs);

		if (set)
			bpf_probe_read_user(&bits, sizeof(bits), set);
		for (int fd = 0; fd < 16; fd++)
			if ((bits >> fd) & 1 && pf_fd_mode(fd) == PF_S_IFSOCK)
				return true;
		return false;
	}
	struct pollfd *pfds = (struct pollfd *)PT_REGS_PARM1_SYSCALL(regs);
	unsigned long nfds = PT_REGS_PARM2_SYSCALL(regs);

	for (int i = 0; i < PF_POLL_FDS_CHECKED; i++) {
		int fd = -1;

		if ((unsigned long)i >= nfds)
			break;
		bpf_probe_read_user(&fd, sizeof(fd), &pfds[i].fd);
		if (pf_fd_mode(fd) == PF_S_IFSOCK)
			return true;
	}
	return false;
}

/* An fd syscall's file: its type (returned) and, for files, its key in
 * st->file_key. The thread's last file is cached (see fd_gen): a loop of
 * calls on one fd pays for one slot read. */
static __always_inline __u32 fd_syscall_file(struct pf_thread_state *st, struct pt_regs *regs, __u16 sc)
{
	int fd = (int)PT_REGS_PARM1_SYSCALL(regs);
	__u64 gen = fd_gen;

	st->fd = fd;
	st->buf = (sc & PF_SC_BUF1) ? PT_REGS_PARM2_SYSCALL(regs) : 0;
	if (fd != st->fc_fd || gen != st->fc_gen || !st->fc_file) {
		struct file *f = fd_file(fd);

		st->fc_fd = fd;
		st->fc_file = (__u64)f;
		st->fc_gen = gen;
		st->fc_mode = file_mode(f);
		st->fc_key = pf_fd_category(st->fc_mode) == PF_CAT_FILE_IO ? pf_file_key((__u64)f, st->tgid) : 0;
	}
	st->path_arg = st->fc_file; /* CLOSE: the struct file to forget at exit */
	st->file_key = st->fc_key;
	return st->fc_mode;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(pf_sys_enter, struct pt_regs *regs, long nr)
{
	__u64 now = bpf_ktime_get_ns();
	struct pf_thread_state *st = current_state(now);
	__u32 base, mode = 0;
	int socket_polled = 0;
	__u16 sc;

	if (!st)
		return 0;
	close_interval(st, now);
	sc = (unsigned long)nr < PF_SC_NR_MAX ? syscall_class[nr & (PF_SC_NR_MAX - 1)] : PF_SC_OTHER;
	if (st->ctx & PF_CTX_LOADER) {
		/* the loader's phase ends with the first syscall made from
		 * outside ld.so's mapping: the program (or its libc) is running */
		__u64 ip = PT_REGS_IP(regs);

		if (ip - st->loader_base >= st->loader_size)
			st->ctx &= ~PF_CTX_LOADER;
	}

	st->sc = sc;
	st->nr = (__u32)nr;
	st->in_syscall = 1;
	st->sc_start = now;
	st->mutates = !!(sc & PF_SC_MUTATES);
	st->file_key = 0;
	st->path_arg = 0;
	switch (sc & PF_SC_CLASS_MASK) {
	case PF_SC_PATH:
	case PF_SC_OPEN: {
		/* where the (dirfd, path) pair starts: arg0, or arg1 for symlink */
		unsigned long a0 = PT_REGS_PARM1_SYSCALL(regs), a1 = PT_REGS_PARM2_SYSCALL(regs),
			      a2 = PT_REGS_PARM3_SYSCALL(regs);
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
		mode = fd_syscall_file(st, regs, sc);
		break;
	case PF_SC_POLL:
		socket_polled = polls_socket(regs, sc & PF_SC_SELECT);
		break;
	}
	base = pf_sc_category(sc, mode, socket_polled);
	st->base = base;
	st->cat = pf_cat_resolve(base, st->ctx);
	return 0;
}

/* Flags that hold for this one syscall on this file: reading an archive,
 * writing what was just inflated, or mutating a venv. */
static __always_inline __u32 syscall_ctx(struct pf_thread_state *st, __u64 file_flags, __u64 key,
					 __u64 now)
{
	__u32 ctx = 0;

	if (file_flags & PF_FILE_ARCHIVE) {
		/* reading an open archive (read, lseek, fstat, its open), not
		 * stat-ing a path that may not exist, nor writing one */
		__u16 cls = st->sc & PF_SC_CLASS_MASK;

		if ((cls == PF_SC_FD || cls == PF_SC_OPEN || cls == PF_SC_CLOSE) &&
		    !(st->sc & PF_SC_WRITES) && !st->mutates) {
			ctx |= PF_CTX_ARCHIVE;
			st->archive_key = key;
			st->last_extract_ts = now;
		}
	} else if ((st->sc & PF_SC_WRITES) && st->last_extract_ts &&
		   now - st->last_extract_ts < PF_EXTRACT_WINDOW_NS) {
		ctx |= PF_CTX_ARCHIVE; /* writing out a member just inflated */
	}
	if ((file_flags & PF_FILE_VENV) && (st->mutates || (st->sc & PF_SC_WRITES)))
		ctx |= PF_CTX_VENV;
	return ctx;
}

/* Whether this read, one of a file's first (seen: its calls so far),
 * returned a zip local header or end-of-central-directory record: an
 * archive by its content (zipfile reads the latter first). Later reads are
 * not looked at, so a loop of small reads pays nothing for this. */
static __always_inline bool reads_zip_magic(struct pf_thread_state *st, long ret, __u64 seen)
{
	__u32 magic = 0;

	if (!st->buf || !(st->sc & PF_SC_READS) || ret < 4 || seen >= 8)
		return false;
	bpf_probe_read_user(&magic, sizeof(magic), (void *)st->buf);
	return magic == ZIP_LOCAL_MAGIC || magic == ZIP_EOCD_MAGIC;
}

static __always_inline void flush_fd_sums(struct pf_thread_state *st)
{
	struct pf_file_stat *fs;

	if (!st->acc_ops)
		return;
	fs = bpf_map_lookup_elem(&files, &st->acc_key);
	if (fs) {
		__sync_fetch_and_add(&fs->ns, st->acc_ns);
		__sync_fetch_and_add(&fs->ops, st->acc_ops);
		__sync_fetch_and_add(&fs->bytes_read, st->acc_read);
		__sync_fetch_and_add(&fs->bytes_written, st->acc_written);
	} else {
		count(&map_full);
	}
	st->acc_ns = st->acc_ops = st->acc_read = st->acc_written = 0;
}

/* An fd call on file key: the thread's sums move to it if they were on
 * another file. Returns the file's flags. */
static __always_inline __u64 fd_sums_on(struct pf_thread_state *st, __u64 key, long ret)
{
	struct pf_file_stat *fs;

	if (key != st->acc_key) {
		flush_fd_sums(st);
		fs = bpf_map_lookup_elem(&files, &key);
		st->acc_key = key;
		st->acc_flags = fs ? fs->flags : 0;
		st->acc_seen = fs ? fs->ops : 0;
	}
	if (!(st->acc_flags & PF_FILE_ARCHIVE) && reads_zip_magic(st, ret, st->acc_seen + st->acc_ops)) {
		fs = bpf_map_lookup_elem(&files, &key);
		if (fs)
			__sync_fetch_and_or(&fs->flags, PF_FILE_ARCHIVE);
		st->acc_flags |= PF_FILE_ARCHIVE;
	}
	return st->acc_flags;
}

/* Time, ops and bytes of a syscall on a file: fd calls summed in the thread,
 * path calls (each on another file, mostly) straight into the file's row. */
static __always_inline void count_file_call(struct pf_thread_state *st, __u64 key, bool by_fd,
					    long ret, __u64 delta)
{
	struct pf_file_stat *fs;
	__u64 rd = ret > 0 && (st->sc & PF_SC_READS) ? ret : 0;
	__u64 wr = ret > 0 && (st->sc & PF_SC_WRITES) ? ret : 0;

	if (by_fd) {
		st->acc_ns += delta;
		st->acc_ops++;
		st->acc_read += rd;
		st->acc_written += wr;
		if (!(ret >= 0 && st->mutates))
			return;
	}
	fs = bpf_map_lookup_elem(&files, &key);
	if (!fs)
		return;
	if (!by_fd) {
		__sync_fetch_and_add(&fs->ns, delta);
		__sync_fetch_and_add(&fs->ops, 1);
		if (rd)
			__sync_fetch_and_add(&fs->bytes_read, rd);
		if (wr)
			__sync_fetch_and_add(&fs->bytes_written, wr);
	}
	if (ret >= 0 && st->mutates)
		__sync_fetch_and_add(&fs->mutations, 1);
}

/* The syscall table: this CPU's row of the syscall's number. */
static __always_inline void count_syscall(struct pf_thread_state *st, long ret, __u64 delta)
{
	__u32 nr = st->nr;
	struct pf_syscall_stat *s = bpf_map_lookup_elem(&syscalls, &nr);

	if (!s)
		return; /* a number past the table */
	s->calls++;
	s->ns += delta;
	if (ret < 0 && ret >= -4095)
		s->errors++;
	else if (ret > 0 && (st->sc & (PF_SC_READS | PF_SC_WRITES)))
		s->bytes += ret;
}

/* The file a path call worked on (or an open opened): its key, and its flags. */
static __always_inline __u64 path_call_file(struct pf_thread_state *st, __u8 cls, long ret, __u64 *flags)
{
	struct pf_file_stat *fs;
	__u64 key;

	if (cls == PF_SC_OPEN && ret >= 0)
		key = pf_file_key((__u64)fd_file((int)ret), st->tgid);
	else
		key = pf_user_path_key(st->path_arg, st->dirfd, st->tgid);
	fs = key ? bpf_map_lookup_elem(&files, &key) : NULL;
	if (!fs)
		return 0;
	if (!(fs->flags & PF_FILE_ARCHIVE) && reads_zip_magic(st, ret, fs->ops))
		__sync_fetch_and_or(&fs->flags, PF_FILE_ARCHIVE);
	*flags = fs->flags;
	return key;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pf_sys_exit, struct pt_regs *regs, long ret)
{
	__u64 now = bpf_ktime_get_ns();
	struct pf_thread_state *st = current_state(now);
	__u64 delta, key, flags = 0;
	bool by_fd;
	__u8 cls;

	if (!st)
		return 0;
	if (!st->in_syscall) {
		close_interval(st, now); /* e.g. a new child returning from fork */
		goto out;
	}
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
	if (st->cat == PF_CAT_ZIP_EXTRACT && st->archive_key) {
		struct pf_archive_stat *as = bpf_map_lookup_elem(&archives, &st->archive_key);

		if (as) {
			__sync_fetch_and_add(&as->ns, delta);
			if (ret > 0 && (st->sc & PF_SC_READS) && key == st->archive_key)
				__sync_fetch_and_add(&as->bytes_read, ret);
		}
	}
	if (cls == PF_SC_CLOSE && ret == 0) {
		/* the struct file may be freed and reused: forget its key */
		__u64 fp = st->path_arg;

		if (fp)
			bpf_map_delete_elem(&file_keys, &fp);
	}
	if (st->sc & PF_SC_FDS_GONE)
		__sync_fetch_and_add(&fd_gen, 1);
out:
	/* the syscall may have changed the mappings: look the next fault up */
	st->fault_lo = st->fault_hi = 0;
	st->in_syscall = 0;
	st->file_key = 0;
	st->base = PF_CAT_CPU;
	st->cat = pf_cat_resolve(PF_CAT_CPU, st->ctx);
	return 0;
}

/* Re-resolve the current thread's category after its context changed. */
static __always_inline void set_ctx(struct pf_thread_state *st, __u32 ctx, __u64 now)
{
	close_interval(st, now);
	st->ctx = ctx;
	st->cat = pf_cat_resolve(st->in_syscall ? st->base : PF_CAT_CPU, ctx);
}

/* zlib's inflate(z_stream *strm, int flush): attached in every libz (and
 * static copy) the tree maps; filtered here by the traced set. */
static __always_inline int inflate_enter(void *strm)
{
	__u64 now = bpf_ktime_get_ns(), out = 0;
	struct pf_thread_state *st = current_state(now);

	if (!st)
		return 0;
	/* z_stream: next_in, avail_in, total_in, next_out, avail_out, total_out */
	bpf_probe_read_user(&out, sizeof(out), (char *)strm + 40);
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
		bpf_probe_read_user(&out, sizeof(out), (char *)st->strm + 40);
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
	switch (bpf_get_attach_cookie(ctx)) {
	case PF_UP_INFLATE:
		return inflate_enter(arg0);
	case PF_UP_INFLATE_INIT:
		return inflate_init();
	case PF_UP_COMPILE:
		return compile_enter();
	}
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(pf_uprobe_multi_return)
{
	switch (bpf_get_attach_cookie(ctx)) {
	case PF_UP_INFLATE:
		return inflate_exit();
	case PF_UP_COMPILE:
		return compile_exit();
	}
	return 0;
}

/* A new thread's empty import stack: a global, too large for the BPF stack. */
struct pf_import_stack zero_import_stack = {};

/* CPython's import__find__load__start(const char *modulename). */
SEC("usdt")
int BPF_USDT(pf_import_start, const char *name)
{
	__u64 now = bpf_ktime_get_ns();
	struct pf_thread_state *st = current_state(now);
	struct pf_import_stack *stk;
	__u64 key, flags;
	struct pf_import_stat izero = {};
	struct scratch *s;
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), d;

	if (!st)
		return 0;
	stk = lookup_or_init(&import_stacks, &tid, &zero_import_stack);
	if (!stk) {
		count(&map_full);
		return 0;
	}
	s = get_scratch();
	if (!s)
		return 0;
	/* a module name is hashed like a path (same function, same buffer) */
	s->path[0] = 0;
	bpf_probe_read_user_str(s->path, 256, name);
	key = hash_path(s, &flags);
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

/* import__find__load__done(const char *modulename, int found). */
SEC("usdt")
int BPF_USDT(pf_import_done, const char *name, int found)
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
	}
	if (!stk->depth)
		set_ctx(st, st->ctx & ~PF_CTX_IMPORT, now);
	return 0;
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
		st->sched = PF_SCHED_RUNNABLE;
	}
	return 0;
}

/* Recognising a process that exists to create a venv from its argv: an
 * argument that is exactly "venv" (python -m venv, uv venv, pex3 venv) or ends
 * in "virtualenv". Not "--venv": that is pex building a venv-mode PEX. */
struct argscan_ctx {
	__u64 last8;  /* the last 8 bytes of the current argument */
	__u32 len;    /* its length so far */
	__u32 found;
	__u32 n;      /* bytes to scan */
};

#define ARG_VENV PACK4('v', 'e', 'n', 'v')
#define ARG_RTUALENV ((PACK4('r', 't', 'u', 'a') << 32) | PACK4('l', 'e', 'n', 'v'))

static long argscan_byte(__u32 i, void *c)
{
	struct argscan_ctx *a = c;
	struct scratch *s = get_scratch();
	char ch;

	if (!s || i > a->n)
		return 1;
	ch = i == a->n ? 0 : s->ev.exec.args[i & (PF_ARGS_MAX - 1)];
	if (ch) {
		a->last8 = (a->last8 << 8) | (unsigned char)ch;
		a->len++;
		return 0;
	}
	if ((a->len == 4 && (a->last8 & 0xffffffff) == ARG_VENV) ||
	    (a->len >= 10 && a->last8 == ARG_RTUALENV)) {
		a->found = 1;
		return 1;
	}
	a->last8 = 0;
	a->len = 0;
	return 0;
}

static __always_inline bool creates_venv(__u32 args_len)
{
	struct argscan_ctx a = { .n = args_len };

	bpf_loop(PF_ARGS_MAX, argscan_byte, &a, 0);
	return a.found;
}

#define AT_BASE 7
/* Where the new image's ELF interpreter (ld.so) is mapped: its base from the
 * auxiliary vector, its extent from the interpreter file's size (it is mapped
 * as one span about that long). False for a static program. */
static __always_inline bool loader_range(struct task_struct *p, struct linux_binprm *bprm,
					 __u64 *base, __u64 *size)
{
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	struct file *interp = NULL;
	unsigned long auxv[2];

	if (bpf_core_field_exists(bprm->interpreter))
		interp = BPF_CORE_READ(bprm, interpreter);
	*base = 0;
	for (int i = 0; i < 20; i++) {
		if (bpf_probe_read_kernel(auxv, sizeof(auxv), &mm->saved_auxv[2 * i]) || !auxv[0])
			break;
		if (auxv[0] == AT_BASE) {
			*base = auxv[1];
			break;
		}
	}
	if (!*base)
		return false;
	*size = interp ? BPF_CORE_READ(interp, f_inode, i_size) : 0;
	if (!*size)
		*size = 1 << 18;
	return true;
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

	if (!bpf_map_lookup_elem(&traced, &tgid))
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
	walk_path(s, BPF_CORE_READ(bprm, file, f_path.dentry), BPF_CORE_READ(bprm, file, f_path.mnt));
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
		close_interval(st, now);
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
		close_interval(st, now);
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
	struct pf_thread_state *st = task_state(t);
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
