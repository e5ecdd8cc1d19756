/* SPDX-License-Identifier: GPL-2.0 */
/* perfanity trace, kernel side: what a syscall works on (its fd's file,
 * a polled socket, a path) and what it adds to the file rows, the
 * archives and the syscall table. */
#ifndef PF_SYSCALLS_BPF_H
#define PF_SYSCALLS_BPF_H

/* Whether any of the first fds given to poll/ppoll (a0 = struct pollfd *,
 * a1 = nfds) or select/pselect6 (a1 = fd_set *) is a socket. Global: verified
 * once, not in the path of every syscall. */
__noinline int pf_polls_socket(__u64 a0, __u64 a1, __u32 is_select)
{
	if (is_select) {
		__u64 bits = 0;
		void *set = (void *)a1;

		if (set)
			bpf_probe_read_user(&bits, sizeof(bits), set);
		for (int fd = 0; fd < 16; fd++)
			if ((bits >> fd) & 1 && pf_fd_mode(fd) == PF_S_IFSOCK)
				return 1;
		return 0;
	}
	struct pollfd *pfds = (struct pollfd *)a0;

	for (int i = 0; i < PF_POLL_FDS_CHECKED; i++) {
		int fd = -1;

		if ((__u64)i >= a1)
			break;
		bpf_probe_read_user(&fd, sizeof(fd), &pfds[i].fd);
		if (pf_fd_mode(fd) == PF_S_IFSOCK)
			return 1;
	}
	return 0;
}

/* An fd syscall's file: its type (returned) and, for files, its key in
 * st->file_key. The thread's last file is cached (see fd_gen): a loop of
 * calls on one fd pays for one slot read. */
static __always_inline __u32 fd_syscall_file(struct pf_thread_state *st, int fd, __u64 a1, __u16 sc)
{
	__u64 gen = fd_gen;

	st->fd = fd;
	st->buf = (sc & PF_SC_BUF1) ? a1 : 0;
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

/* Whether the syscall being entered needs nothing at its exit but the
 * closing of its interval and additions to sums: no file row to look up
 * (none, or the one the thread's fd sums are on, and not one of its first
 * reads), no path, no mutation, no archive or venv to refine its category
 * (the tests syscall_ctx makes, answered at entry), no socket, no fd dropped. Decided
 * here, so that the exits of a loop of calls on one fd skip every test. */
static __always_inline bool exit_is_plain(struct pf_thread_state *st, __u16 sc, __u64 now)
{
	__u8 cls = sc & PF_SC_CLASS_MASK;

	if (cls == PF_SC_PATH || cls == PF_SC_OPEN || cls == PF_SC_CLOSE || (sc & PF_SC_FDS_GONE) ||
	    st->mutates || st->cat == PF_CAT_ZIP_EXTRACT)
		return false;
	/* socket I/O: its bytes go to the peer's row (count_peer) */
	if (cls == PF_SC_NET || (cls == PF_SC_FD && (st->fc_mode & PF_S_IFMT) == PF_S_IFSOCK))
		return false;
	if (!st->file_key)
		return true;
	return st->file_key == st->acc_key && !(st->acc_flags & (PF_FILE_ARCHIVE | PF_FILE_VENV)) &&
	       (!(sc & PF_SC_WRITES) || now - st->last_extract_ts >= PF_EXTRACT_WINDOW_NS) &&
	       (!(sc & PF_SC_READS) || !st->buf || st->acc_seen + st->acc_ops >= 8);
}

/* A plain exit (exit_is_plain) of a call that the next one may repeat:
 * an fd call, or one whose category its number alone decides. Not while
 * the loader runs: each of its syscalls' addresses is looked at. */
static __always_inline void remember_plain_call(struct pf_thread_state *st)
{
	__u8 cls = st->sc & PF_SC_CLASS_MASK;

	st->rep = 0;
	if (st->ctx & PF_CTX_LOADER)
		return;
	if (cls != PF_SC_FD && cls != PF_SC_OTHER && cls != PF_SC_SLEEP && cls != PF_SC_CHILD_WAIT)
		return;
	st->rep = st->nr + 1;
	st->rep_cat = st->cat;
	st->rep_ctx = st->ctx;
	st->rep_cpu_cat = pf_cat_resolve(PF_CAT_CPU, st->ctx);
	st->rep_key = st->file_key;
	st->rep_extract_ts = st->last_extract_ts;
	st->rep_fd = cls == PF_SC_FD;
}

/* Whether the syscall entered repeats the last one, whose exit was plain:
 * the same number, fd and file (the fd cache still valid), context and
 * extraction window. Then everything exit_is_plain looked at is as it was
 * (a file row's first reads are looked at once: its count only grows), and
 * the entry only starts the interval. */
static __always_inline bool repeats_plain_call(struct pf_thread_state *st, long nr, int fd)
{
	if (st->rep != (__u64)nr + 1 || st->ctx != st->rep_ctx || st->last_extract_ts != st->rep_extract_ts)
		return false;
	return !st->rep_fd || (fd == st->fc_fd && fd_gen == st->fc_gen);
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

/* A syscall in zip extraction: its time, and the archive's bytes read. */
static __always_inline void count_archive_call(struct pf_thread_state *st, __u64 key, long ret, __u64 delta)
{
	struct pf_archive_stat *as = bpf_map_lookup_elem(&archives, &st->archive_key);

	if (!as)
		return;
	__sync_fetch_and_add(&as->ns, delta);
	if (ret > 0 && (st->sc & PF_SC_READS) && key == st->archive_key)
		__sync_fetch_and_add(&as->bytes_read, ret);
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

#endif
