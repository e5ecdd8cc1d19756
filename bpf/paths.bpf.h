/* SPDX-License-Identifier: GPL-2.0 */
/* perfanity trace, kernel side: files and their paths. An fd's struct file
 * and type, absolute paths walked from dentries, hashed into the keys of the
 * file rows, sent to user space the first time. */
#ifndef PF_PATHS_BPF_H
#define PF_PATHS_BPF_H

/* The struct file of the current thread's fd: direct BTF loads down to the
 * table (no helper calls), one read of the slot. Global: each load costs the
 * verifier a search of the kernel's BTF, once per program this way. */
__noinline __u64 pf_fd_file(int fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct files_struct *files = t->files;
	struct fdtable *fdt;
	struct file **fds, *f = NULL;

	if (fd < 0 || !files)
		return 0;
	fdt = files->fdt;
	if (!fdt || (unsigned int)fd >= fdt->max_fds)
		return 0;
	fds = fdt->fd;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return (__u64)f;
}

static __always_inline struct file *fd_file(int fd)
{
	return (struct file *)pf_fd_file(fd);
}

static __always_inline __u32 file_mode(struct file *f)
{
	return f ? (BPF_CORE_READ(f, f_inode, i_mode) & PF_S_IFMT) : 0;
}

/* Path walking and hashing run as bpf_loop() callbacks: each callback is
 * verified once, where an unrolled or bounded loop would be verified per
 * iteration and per call site, past the verifier's budget. */
struct walk_ctx {
	struct dentry *d;
	struct vfsmount *vm;
	struct mount *mnt;
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
	if (!s || !up || up == d || s->walk_n >= PATH_DEPTH)
		return 1;
	s->comps[s->walk_n & (PATH_DEPTH - 1)] = d;
	s->walk_n++;
	w->d = up;
	return 0;
}

/* Append "/" + the j-th component from the top to scratch.path. */
static long write_down(__u32 j, void *c)
{
	struct scratch *s = get_scratch();
	const unsigned char *name;
	struct dentry *dd;
	int i, off;
	long r;

	if (!s)
		return 1;
	i = s->walk_n - 1 - (int)j;
	off = s->walk_off;
	if (i < 0 || off < 0 || off > PF_PATH_MAX - NAME_READ - 1)
		return 1;
	s->path[off & (PF_PATH_MAX - 1)] = '/';
	off++;
	dd = s->comps[i & (PATH_DEPTH - 1)];
	name = BPF_CORE_READ(dd, d_name.name);
	r = bpf_probe_read_kernel_str(&s->path[off & (PF_PATH_MAX - 1)], NAME_READ, name);
	if (r > 0)
		off += r - 1;
	s->walk_off = off;
	return 0;
}

/* Write the absolute path of (dentry, vfsmount) into scratch.path; returns
 * its length. Walks up to PATH_DEPTH components, crossing mount points.
 * Global, like the path's hashing: verified once per program, not per caller. */
__noinline int pf_walk_path(__u64 dentry, __u64 vfsmount)
{
	struct vfsmount *vm = (struct vfsmount *)vfsmount;
	struct walk_ctx w = { .d = (struct dentry *)dentry, .vm = vm, .mnt = container_of(vm, struct mount, mnt) };
	struct scratch *s = get_scratch();
	int off;

	if (!s)
		return 0;
	s->walk_n = 0;
	s->walk_off = 0;
	bpf_loop(PATH_DEPTH + 8, walk_up, &w, 0);
	bpf_loop(PATH_DEPTH, write_down, &w, 0);
	off = s->walk_off;
	if (off <= 0) {
		s->path[0] = '/';
		off = 1;
	}
	off &= 2 * PF_PATH_MAX - 1;
	s->path[off] = 0;
	return off;
}

/* "/venvs/" as the low 7 bytes of a big-endian window of the last bytes */
#define VENVS_MASK 0x00ffffffffffffffULL
#define VENVS_PACKED ((PACK4(0, '/', 'v', 'e') << 32) | PACK4('n', 'v', 's', '/'))

/* One 8-byte word of the path per callback: a path costs len/8 calls. The
 * state is in scratch.hash (see there). */
static long hash_word(__u32 i, void *c)
{
	struct scratch *s = get_scratch();
	__u64 w, h, window, flags;

	if (!s)
		return 1;
	w = *(__u64 *)&s->path[(i * 8) & (PF_PATH_MAX - 8)];
	h = s->hash.h;
	window = s->hash.window;
	flags = s->hash.flags;
#pragma unroll
	for (int b = 0; b < 8; b++) {
		unsigned char ch = (w >> (8 * b)) & 0xff; /* little-endian: byte b */

		if (!ch) {
			s->hash.len = i * 8 + b;
			break;
		}
		h ^= ch;
		h *= 0x100000001b3ULL;
		/* "/venvs/" in the last 7 bytes: '/' is at both ends of the needle */
		window = (window << 8) | ch;
		if (ch == '/' && (window & VENVS_MASK) == VENVS_PACKED)
			flags |= PF_FILE_VENV;
	}
	s->hash.h = h;
	s->hash.window = window;
	s->hash.flags = flags;
	if (s->hash.len != PF_PATH_MAX)
		return 1;
	return 0;
}

/* The last four bytes of a path, as one little-endian word. */
#define LE4(a, b, c, d) ((__u32)(a) | (__u32)(b) << 8 | (__u32)(c) << 16 | (__u32)(d) << 24)

/* FNV-1a over the NUL-terminated path in scratch.path; sets *flags. */
__noinline __u64 pf_hash_path(__u64 *flags)
{
	struct scratch *s = get_scratch();
	__u32 len, tail;

	if (!s || !flags)
		return 0;
	s->hash.h = 0xcbf29ce484222325ULL;
	s->hash.window = 0;
	s->hash.flags = 0;
	s->hash.len = PF_PATH_MAX; /* until the NUL is seen */
	bpf_loop(PF_PATH_MAX / 8, hash_word, NULL, 0);
	len = s->hash.len;
	if (len >= 5) {
		tail = *(__u32 *)&s->path[(len - 4) & (PF_PATH_MAX - 1)];
		if (tail == LE4('.', 'p', 'e', 'x') || tail == LE4('.', 'z', 'i', 'p') ||
		    tail == LE4('.', 'w', 'h', 'l') || tail == LE4('.', 'e', 'g', 'g'))
			s->hash.flags |= PF_FILE_ARCHIVE;
	}
	*flags = s->hash.flags;
	return s->hash.h ? s->hash.h : 1;
}

/* Register the path in scratch.path: creates its file row, and on first
 * sight sends the string to user space. Returns its key. Global. */
__noinline __u64 pf_register_path(__u32 tgid)
{
	struct pf_file_stat row = {};
	struct scratch *s;
	__u64 key = pf_hash_path(&row.flags), size;
	long n;

	if (!key)
		return 0;
	if (bpf_map_lookup_elem(&files, &key))
		return key;
	if (bpf_map_update_elem(&files, &key, &row, BPF_NOEXIST))
		return bpf_map_lookup_elem(&files, &key) ? key : (count(&map_full), 0);
	s = get_scratch();
	if (!s)
		return key;
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

	if (!f)
		return 0;
	v.inode = (__u64)BPF_CORE_READ(f, f_inode);
	cached = bpf_map_lookup_elem(&file_keys, &fp);
	if (cached && cached->inode == v.inode)
		return cached->key;
	pf_walk_path((__u64)BPF_CORE_READ(f, f_path.dentry), (__u64)BPF_CORE_READ(f, f_path.mnt));
	v.key = pf_register_path(tgid);
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
			len = pf_walk_path((__u64)BPF_CORE_READ(base, f_path.dentry), (__u64)BPF_CORE_READ(base, f_path.mnt));
		} else {
			struct task_struct *t = (struct task_struct *)bpf_get_current_task();

			len = pf_walk_path((__u64)BPF_CORE_READ(t, fs, pwd.dentry), (__u64)BPF_CORE_READ(t, fs, pwd.mnt));
		}
		if (len > 1)
			s->path[len++ & (PF_PATH_MAX - 1)] = '/';
		else
			len = 1; /* cwd is "/" */
	}
	if (bpf_probe_read_user_str(&s->path[len & (PF_PATH_MAX - 1)], PF_PATH_MAX, upath) < 0)
		return 0;
	s->path[PF_PATH_MAX - 1] = 0;
	return pf_register_path(tgid);
}

/* The type of the current thread's fd. Global: verified once, not at each
 * of the polled fds below. */
__noinline __u32 pf_fd_mode(int fd)
{
	return file_mode(fd_file(fd));
}

#endif
