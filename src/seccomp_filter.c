// SPDX-License-Identifier: GPL-2.0-only
/* Building (libseccomp) and installing the seccomp backend's filter. */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "perfanity.h"
#include "trace.h"
#include "seccomp_filter.h"

/* libseccomp writes the program to an fd: a memfd, read back into memory,
 * so the child only has to hand it to the kernel. */
static int export_prog(scmp_filter_ctx ctx, struct sock_fprog *prog)
{
	int fd = memfd_create("pf-seccomp", MFD_CLOEXEC);
	off_t size;
	void *buf;

	if (fd < 0 || seccomp_export_bpf(ctx, fd) || (size = lseek(fd, 0, SEEK_CUR)) <= 0)
		goto fail;
	buf = malloc((size_t)size);
	if (!buf || pread(fd, buf, (size_t)size, 0) != size) {
		free(buf);
		goto fail;
	}
	close(fd);
	prog->len = (unsigned short)(size / sizeof(struct sock_filter));
	prog->filter = buf;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

int pf_seccomp_build(const unsigned short *classes, unsigned n, struct sock_fprog *prog)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc = -1;

	if (!ctx) {
		pf_err("seccomp: cannot make a filter (libseccomp)");
		return -1;
	}
	/* another ABI's syscalls (32-bit programs) run untraced rather than killed */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW))
		goto out;
	/* a binary search over syscall numbers, not ~90 comparisons in a row:
	 * what every untraced syscall pays */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (unsigned nr = 0; nr < n; nr++)
		if ((classes[nr] & PF_SC_CLASS_MASK) != PF_SC_OTHER &&
		    seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), (int)nr, 0))
			goto out;
	rc = export_prog(ctx, prog);
out:
	if (rc)
		pf_err("seccomp: cannot build the filter: %s", strerror(errno ? errno : EINVAL));
	seccomp_release(ctx);
	return rc;
}

int pf_seccomp_install(const struct sock_fprog *prog)
{
	if (!syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog))
		return 0;
	if (errno != EACCES)
		return errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog))
		return errno;
	return 0;
}
