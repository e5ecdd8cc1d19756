// SPDX-License-Identifier: GPL-2.0-only
/* Which syscall is which kind of work: the table the BPF program classifies
 * syscalls with (one 16-bit word per number, see PF_SC_* in include/trace.h).
 * Built from glibc's SYS_* names so it follows the architecture. */
#include <sys/syscall.h>
#include "trace.h"
#include "syscall_class.h"

struct sc_rule {
	long nr;
	unsigned short cls;
};

#define R(name, cls) { SYS_##name, (cls) }

static const struct sc_rule rules[] = {
	/* Opens: the resulting fd is named by the opened file's path. */
#ifdef SYS_open
	R(open, PF_SC_OPEN),
#endif
#ifdef SYS_creat
	R(creat, PF_SC_OPEN | PF_SC_MUTATES),
#endif
	R(openat, PF_SC_OPEN | PF_SC_DIRFD),
#ifdef SYS_openat2
	R(openat2, PF_SC_OPEN | PF_SC_DIRFD),
#endif
	/* Path lookups and mutations. */
#ifdef SYS_stat
	R(stat, PF_SC_PATH),
	R(lstat, PF_SC_PATH),
	R(access, PF_SC_PATH),
	R(readlink, PF_SC_PATH),
	R(mkdir, PF_SC_PATH | PF_SC_MUTATES),
	R(rmdir, PF_SC_PATH | PF_SC_MUTATES),
	R(unlink, PF_SC_PATH | PF_SC_MUTATES),
	R(rename, PF_SC_PATH | PF_SC_MUTATES),
	R(link, PF_SC_PATH | PF_SC_MUTATES),
	R(symlink, PF_SC_PATH | PF_SC_SHIFT1 | PF_SC_MUTATES), /* arg0: the target */
	R(chmod, PF_SC_PATH | PF_SC_MUTATES),
	R(chown, PF_SC_PATH | PF_SC_MUTATES),
	R(lchown, PF_SC_PATH | PF_SC_MUTATES),
	R(utimes, PF_SC_PATH | PF_SC_MUTATES),
	R(mknod, PF_SC_PATH | PF_SC_MUTATES),
#endif
	R(newfstatat, PF_SC_PATH | PF_SC_DIRFD),
	R(statx, PF_SC_PATH | PF_SC_DIRFD),
	R(faccessat, PF_SC_PATH | PF_SC_DIRFD),
#ifdef SYS_faccessat2
	R(faccessat2, PF_SC_PATH | PF_SC_DIRFD),
#endif
	R(readlinkat, PF_SC_PATH | PF_SC_DIRFD),
	R(mkdirat, PF_SC_PATH | PF_SC_DIRFD | PF_SC_MUTATES),
	R(unlinkat, PF_SC_PATH | PF_SC_DIRFD | PF_SC_MUTATES),
	R(renameat, PF_SC_PATH | PF_SC_DIRFD | PF_SC_MUTATES),
	R(renameat2, PF_SC_PATH | PF_SC_DIRFD | PF_SC_MUTATES),
	R(linkat, PF_SC_PATH | PF_SC_DIRFD | PF_SC_MUTATES),
	R(symlinkat, PF_SC_PATH | PF_SC_SHIFT1 | PF_SC_DIRFD | PF_SC_MUTATES),
	R(fchmodat, PF_SC_PATH | PF_SC_DIRFD | PF_SC_MUTATES),
	R(fchownat, PF_SC_PATH | PF_SC_DIRFD | PF_SC_MUTATES),
	R(utimensat, PF_SC_PATH | PF_SC_DIRFD | PF_SC_MUTATES),
	R(mknodat, PF_SC_PATH | PF_SC_DIRFD | PF_SC_MUTATES),
	R(truncate, PF_SC_PATH | PF_SC_MUTATES),
	R(statfs, PF_SC_PATH),
	R(chdir, PF_SC_PATH),
	R(chroot, PF_SC_PATH),
	R(getxattr, PF_SC_PATH),
	R(lgetxattr, PF_SC_PATH),
	R(setxattr, PF_SC_PATH),
	R(lsetxattr, PF_SC_PATH),
	R(listxattr, PF_SC_PATH),
	R(llistxattr, PF_SC_PATH),
	/* fd-based: what the fd is decides file_io, net, sleep (pipes) or other. */
	R(read, PF_SC_FD | PF_SC_READS | PF_SC_BUF1),
	R(write, PF_SC_FD | PF_SC_WRITES | PF_SC_BUF1),
	R(pread64, PF_SC_FD | PF_SC_READS | PF_SC_BUF1),
	R(pwrite64, PF_SC_FD | PF_SC_WRITES | PF_SC_BUF1),
	R(readv, PF_SC_FD | PF_SC_READS),
	R(writev, PF_SC_FD | PF_SC_WRITES),
	R(preadv, PF_SC_FD | PF_SC_READS),
	R(pwritev, PF_SC_FD | PF_SC_WRITES),
	R(preadv2, PF_SC_FD | PF_SC_READS),
	R(pwritev2, PF_SC_FD | PF_SC_WRITES),
	R(lseek, PF_SC_FD),
	R(fstat, PF_SC_FD),
	R(fstatfs, PF_SC_FD),
	R(getdents64, PF_SC_FD),
#ifdef SYS_getdents
	R(getdents, PF_SC_FD),
#endif
	R(fsync, PF_SC_FD),
	R(fdatasync, PF_SC_FD),
	R(sync_file_range, PF_SC_FD),
	R(ftruncate, PF_SC_FD | PF_SC_MUTATES),
	R(fallocate, PF_SC_FD | PF_SC_MUTATES),
	R(fadvise64, PF_SC_FD),
	R(readahead, PF_SC_FD),
	R(fchmod, PF_SC_FD | PF_SC_MUTATES),
	R(fchown, PF_SC_FD | PF_SC_MUTATES),
	R(fchdir, PF_SC_FD),
	R(flock, PF_SC_FD),
	R(fgetxattr, PF_SC_FD),
	R(fsetxattr, PF_SC_FD),
	R(flistxattr, PF_SC_FD),
	R(sendfile, PF_SC_FD | PF_SC_WRITES),
	R(copy_file_range, PF_SC_FD | PF_SC_READS),
	R(splice, PF_SC_FD),
	R(ioctl, PF_SC_FD),
	R(fcntl, PF_SC_FD),
	R(close, PF_SC_CLOSE | PF_SC_FDS_GONE),
	/* Drop an open file without being a close of their argument. */
#ifdef SYS_dup2
	R(dup2, PF_SC_OTHER | PF_SC_FDS_GONE),
#endif
	R(dup3, PF_SC_OTHER | PF_SC_FDS_GONE),
#ifdef SYS_close_range
	R(close_range, PF_SC_OTHER | PF_SC_FDS_GONE),
#endif
	/* Sockets. The single-message calls return bytes (the syscall table's
	 * `bytes`); the mmsg ones return a count of messages. */
	R(socket, PF_SC_NET),
	R(socketpair, PF_SC_NET),
	R(connect, PF_SC_NET),
	R(accept, PF_SC_NET),
	R(accept4, PF_SC_NET),
	R(bind, PF_SC_NET),
	R(listen, PF_SC_NET),
	R(sendto, PF_SC_NET | PF_SC_WRITES),
	R(recvfrom, PF_SC_NET | PF_SC_READS),
	R(sendmsg, PF_SC_NET | PF_SC_WRITES),
	R(recvmsg, PF_SC_NET | PF_SC_READS),
	R(sendmmsg, PF_SC_NET),
	R(recvmmsg, PF_SC_NET),
	R(shutdown, PF_SC_NET),
	R(getsockopt, PF_SC_NET),
	R(setsockopt, PF_SC_NET),
	R(getsockname, PF_SC_NET),
	R(getpeername, PF_SC_NET),
	/* Waiting for children. */
	R(wait4, PF_SC_CHILD_WAIT),
	R(waitid, PF_SC_CHILD_WAIT),
	/* Blocking waits. */
	R(futex, PF_SC_SLEEP),
	R(nanosleep, PF_SC_SLEEP),
	R(clock_nanosleep, PF_SC_SLEEP),
#ifdef SYS_pause
	R(pause, PF_SC_SLEEP),
#endif
	R(rt_sigsuspend, PF_SC_SLEEP),
	R(rt_sigtimedwait, PF_SC_SLEEP),
	R(epoll_pwait, PF_SC_SLEEP),
#ifdef SYS_epoll_wait
	R(epoll_wait, PF_SC_SLEEP),
#endif
#ifdef SYS_epoll_pwait2
	R(epoll_pwait2, PF_SC_SLEEP),
#endif
	R(sched_yield, PF_SC_SLEEP),
	/* Polls: net if a socket is among the polled fds. */
#ifdef SYS_poll
	R(poll, PF_SC_POLL),
#endif
	R(ppoll, PF_SC_POLL),
#ifdef SYS_select
	R(select, PF_SC_POLL | PF_SC_SELECT),
#endif
	R(pselect6, PF_SC_POLL | PF_SC_SELECT),
	/* Exec. */
	R(execve, PF_SC_EXEC),
	R(execveat, PF_SC_EXEC),
	/* Memory and process set-up: other. */
	R(mmap, PF_SC_OTHER),
	R(mprotect, PF_SC_OTHER),
	R(munmap, PF_SC_OTHER),
	R(brk, PF_SC_OTHER),
#ifdef SYS_arch_prctl
	R(arch_prctl, PF_SC_OTHER),
#endif
	R(set_tid_address, PF_SC_OTHER),
	R(set_robust_list, PF_SC_OTHER),
#ifdef SYS_rseq
	R(rseq, PF_SC_OTHER),
#endif
	R(prlimit64, PF_SC_OTHER),
	R(uname, PF_SC_OTHER),
};

void pf_syscall_class_fill(unsigned short *table, size_t n)
{
	for (size_t i = 0; i < n; i++)
		table[i] = PF_SC_OTHER;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].nr >= 0 && (size_t)rules[i].nr < n)
			table[rules[i].nr] = rules[i].cls;
}
