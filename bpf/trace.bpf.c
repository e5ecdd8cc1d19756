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

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
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

/* struct file * -> path hash. LRU: an evicted entry only costs a new walk. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
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

/* Close the current interval at now: its time goes to the thread's category.
 * Summed in the thread's own state (no map lookup on this hot path); the
 * thread's exit adds the sums to its process. */
static __always_inline __u64 close_interval(struct pf_thread_state *st, __u64 now)
{
	__u64 delta = now - st->last_ts;
	__u32 c = st->cat;

	if (c < PF_CAT_MAX)
		st->cat_ns[c] += delta;
	st->last_ts = now;
	return delta;
}

static __always_inline void flush_thread(struct pf_thread_state *st)
{
	for (int c = 0; c < PF_CAT_MAX; c++)
		if (st->cat_ns[c])
			add_cat(st->tgid, c, st->cat_ns[c]);
}

static __always_inline struct pf_thread_state *new_thread(__u32 tid, __u32 tgid, __u64 now)
{
	struct pf_thread_state st = {};
	struct pf_proc_stat *ps, zero = {};

	st.start_ts = now;
	st.last_ts = now;
	st.tgid = tgid;
	st.cat = PF_CAT_CPU;
	if (bpf_map_update_elem(&threads, &tid, &st, BPF_ANY)) {
		count(&map_full);
		return NULL;
	}
	ps = lookup_or_init(&procs, &tgid, &zero);
	if (ps)
		__sync_fetch_and_add(&ps->threads, 1);
	return bpf_map_lookup_elem(&threads, &tid);
}

/* The state of the current thread, created on first sight if its process is traced. */
static __always_inline struct pf_thread_state *current_state(__u64 now)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = id >> 32;
	struct pf_thread_state *st;

	/* the traced set first: for the rest of the system, one lookup */
	if (!bpf_map_lookup_elem(&traced, &tgid))
		return NULL;
	st = bpf_map_lookup_elem(&threads, &tid);
	return st ? st : new_thread(tid, tgid, now);
}

static __always_inline struct file *fd_file(int fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds, *f = NULL;

	if (fd < 0 || !fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

static __always_inline __u32 file_mode(struct file *f)
{
	return f ? (BPF_CORE_READ(f, f_inode, i_mode) & PF_S_IFMT) : 0;
}

/* Paths and module names are many and not urgent: they wake the reader only
 * once a good part of the ring buffer is used (it also reads every 100 ms).
 * Lifecycle events wake it at once: an exec may need probes attached. */
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
	__u64 key, *cached;
	struct scratch *s;

	if (!f)
		return 0;
	cached = bpf_map_lookup_elem(&file_keys, &fp);
	if (cached)
		return *cached;
	s = get_scratch();
	if (!s)
		return 0;
	walk_path(s, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt));
	key = register_path(s, tgid);
	if (key)
		bpf_map_update_elem(&file_keys, &fp, &key, BPF_ANY);
	return key;
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

/* Whether any of the first fds given to poll/ppoll (arg0 = struct pollfd *)
 * or select/pselect6 (arg1 = fd_set *) is a socket. */
static __always_inline bool polls_socket(struct pt_regs *regs, __u8 is_select)
{
	if (is_select) {
		__u64 bits = 0;
		void *set = (void *)PT_REGS_PARM2_CORE_SYSCALL(regs);

		if (set)
			bpf_probe_read_user(&bits, sizeof(bits), set);
		for (int fd = 0; fd < 16; fd++)
			if ((bits >> fd) & 1 && file_mode(fd_file(fd)) == PF_S_IFSOCK)
				return true;
		return false;
	}
	struct pollfd *pfds = (struct pollfd *)PT_REGS_PARM1_CORE_SYSCALL(regs);
	unsigned long nfds = PT_REGS_PARM2_CORE_SYSCALL(regs);

	for (int i = 0; i < PF_POLL_FDS_CHECKED; i++) {
		int fd = -1;

		if ((unsigned long)i >= nfds)
			break;
		bpf_probe_read_user(&fd, sizeof(fd), &pfds[i].fd);
		if (file_mode(fd_file(fd)) == PF_S_IFSOCK)
			return true;
	}
	return false;
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
		__u64 ip = BPF_CORE_READ(regs, ip);

		if (ip - st->loader_base >= st->loader_size)
			st->ctx &= ~PF_CTX_LOADER;
	}

	st->sc = sc;
	st->in_syscall = 1;
	st->mutates = !!(sc & PF_SC_MUTATES);
	st->file_key = 0;
	st->path_arg = 0;
	switch (sc & PF_SC_CLASS_MASK) {
	case PF_SC_PATH:
	case PF_SC_OPEN: {
		/* where the (dirfd, path) pair starts: arg0, or arg1 for symlink */
		unsigned long a0 = PT_REGS_PARM1_CORE_SYSCALL(regs), a1 = PT_REGS_PARM2_CORE_SYSCALL(regs),
			      a2 = PT_REGS_PARM3_CORE_SYSCALL(regs);
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
	case PF_SC_CLOSE: {
		struct file *f;

		st->fd = (int)PT_REGS_PARM1_CORE_SYSCALL(regs);
		st->buf = (sc & PF_SC_BUF1) ? PT_REGS_PARM2_CORE_SYSCALL(regs) : 0;
		f = fd_file(st->fd);
		st->path_arg = (__u64)f; /* CLOSE: the struct file to forget at exit */
		mode = file_mode(f);
		if (pf_fd_category(mode) == PF_CAT_FILE_IO)
			st->file_key = pf_file_key((__u64)f, st->tgid);
		break;
	}
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
static __always_inline __u32 syscall_ctx(struct pf_thread_state *st, struct pf_file_stat *fs,
					 __u64 key, __u64 now)
{
	__u32 ctx = 0;

	if (!fs)
		return 0;
	if (fs->flags & PF_FILE_ARCHIVE) {
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
	if ((fs->flags & PF_FILE_VENV) && (st->mutates || (st->sc & PF_SC_WRITES)))
		ctx |= PF_CTX_VENV;
	return ctx;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pf_sys_exit, struct pt_regs *regs, long ret)
{
	__u64 now = bpf_ktime_get_ns();
	struct pf_thread_state *st = current_state(now);
	struct pf_file_stat *fs = NULL;
	__u64 delta, key;
	__u8 cls;

	if (!st)
		return 0;
	if (!st->in_syscall) {
		close_interval(st, now); /* e.g. a new child returning from fork */
		goto out;
	}
	cls = st->sc & PF_SC_CLASS_MASK;
	key = st->file_key;
	if (cls == PF_SC_OPEN && ret >= 0)
		key = pf_file_key((__u64)fd_file((int)ret), st->tgid);
	else if (cls == PF_SC_OPEN || cls == PF_SC_PATH)
		key = pf_user_path_key(st->path_arg, st->dirfd, st->tgid);
	if (key)
		fs = bpf_map_lookup_elem(&files, &key);
	/* an archive by its content: one of a file's first reads returns a zip
	 * local header or end-of-central-directory record (zipfile reads the
	 * latter first); later reads are not looked at, so a loop of small reads
	 * pays nothing for this */
	if (fs && st->buf && (st->sc & PF_SC_READS) && ret >= 4 && fs->ops < 8 &&
	    !(fs->flags & PF_FILE_ARCHIVE)) {
		__u32 magic = 0;

		bpf_probe_read_user(&magic, sizeof(magic), (void *)st->buf);
		if (magic == ZIP_LOCAL_MAGIC || magic == ZIP_EOCD_MAGIC)
			__sync_fetch_and_or(&fs->flags, PF_FILE_ARCHIVE);
	}
	/* now that the file is known, the syscall's category may be refined */
	if (fs && st->base == PF_CAT_FILE_IO)
		st->cat = pf_cat_resolve(PF_CAT_FILE_IO, st->ctx | syscall_ctx(st, fs, key, now));
	delta = close_interval(st, now);
	if (fs) {
		__sync_fetch_and_add(&fs->ns, delta);
		__sync_fetch_and_add(&fs->ops, 1);
		if (ret > 0 && (st->sc & PF_SC_READS))
			__sync_fetch_and_add(&fs->bytes_read, ret);
		if (ret > 0 && (st->sc & PF_SC_WRITES))
			__sync_fetch_and_add(&fs->bytes_written, ret);
		if (ret >= 0 && st->mutates)
			__sync_fetch_and_add(&fs->mutations, 1);
	}
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
out:
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
SEC("uprobe")
int BPF_KPROBE(pf_inflate_enter, void *strm)
{
	__u64 now = bpf_ktime_get_ns(), out = 0;
	struct pf_thread_state *st = current_state(now);

	if (!st)
		return 0;
	/* z_stream: next_in, avail_in, total_in, next_out, avail_out, total_out */
	bpf_probe_read_user(&out, sizeof(out), (char *)strm + 40);
	st->strm = (__u64)strm;
	st->total_out = out;
	set_ctx(st, st->ctx | PF_CTX_INFLATE, now);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(pf_inflate_exit, int ret)
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
		__sync_fetch_and_add(&as->ns, now - st->last_ts);
		if (out > st->total_out)
			__sync_fetch_and_add(&as->bytes_inflated, out - st->total_out);
	}
	st->last_extract_ts = now;
	set_ctx(st, st->ctx & ~PF_CTX_INFLATE, now);
	return 0;
}

/* inflateInit2_(): one member (or stream) about to be decompressed. */
SEC("uprobe")
int BPF_KPROBE(pf_inflate_init)
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

/* CPython's import__find__load__start(const char *modulename). */
SEC("usdt")
int BPF_USDT(pf_import_start, const char *name)
{
	__u64 now = bpf_ktime_get_ns();
	struct pf_thread_state *st = current_state(now);
	struct pf_import_stack *stk, zero = {};
	__u64 key, flags;
	struct pf_import_stat izero = {};
	struct scratch *s;
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), d;

	if (!st)
		return 0;
	stk = lookup_or_init(&import_stacks, &tid, &zero);
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
			bpf_ringbuf_submit(e, 0);
		} else {
			count(&lost_events);
		}
	}
	st = new_thread(tid, tgid, now);
	if (st) {
		/* it returns from fork like its parent: in the clone syscall */
		st->in_syscall = 1;
		st->sc = PF_SC_OTHER;
		st->cat = PF_CAT_OTHER;
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
	if ((__u32)old_pid != tid) {
		/* a non-leader thread exec'd and took over the leader's pid */
		__u32 old = old_pid;
		struct pf_thread_state *o = bpf_map_lookup_elem(&threads, &old);

		if (o) {
			bpf_map_update_elem(&threads, &tid, o, BPF_ANY);
			bpf_map_delete_elem(&threads, &old);
		}
	}
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
	if (bpf_ringbuf_output(&events, &s->ev.exec, sizeof(s->ev.exec), 0))
		count(&lost_events);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(pf_exit, struct task_struct *p, bool group_dead)
{
	__u32 tid = BPF_CORE_READ(p, pid), tgid = BPF_CORE_READ(p, tgid);
	__u64 now = bpf_ktime_get_ns();
	struct pf_thread_state *st = bpf_map_lookup_elem(&threads, &tid);
	struct pf_proc_stat *ps;
	struct pf_ev_exit *e;

	if (!st)
		return 0;
	close_interval(st, now);
	flush_thread(st);
	ps = bpf_map_lookup_elem(&procs, &tgid);
	if (ps)
		__sync_fetch_and_add(&ps->thread_ns, now - st->start_ts);
	bpf_map_delete_elem(&threads, &tid);
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
		bpf_ringbuf_submit(e, 0);
	} else {
		count(&lost_events);
	}
	bpf_map_delete_elem(&traced, &tgid);
	return 0;
}
