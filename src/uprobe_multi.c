// SPDX-License-Identifier: GPL-2.0-only
/* uprobe_multi links through bpf(2) (see uprobe_multi.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include "uprobe_multi.h"

#define PF_F_UPROBE_MULTI_RETURN (1U << 0)

/* BPF_LINK_CREATE's attributes for an uprobe_multi link, as the kernel lays
 * them out (union bpf_attr, link_create.uprobe_multi). */
struct link_create_uprobe_multi {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__aligned_u64 path;
	__aligned_u64 offsets;
	__aligned_u64 ref_ctr_offsets;
	__aligned_u64 cookies;
	__u32 cnt;
	__u32 multi_flags;
	__u32 pid;
};

bool pf_uprobe_multi_supported(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 6);
}

int pf_uprobe_multi_attach(int prog_fd, const char *path, const unsigned long *offsets,
			   const __u64 *cookies, size_t n, bool retprobe)
{
	union {
		union bpf_attr attr; /* the size the kernel expects, zeroed past our fields */
		struct link_create_uprobe_multi um;
	} a;
	__u64 offs[16];
	long fd;

	if (!n || n > sizeof(offs) / sizeof(offs[0]))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		offs[i] = offsets[i];
	memset(&a, 0, sizeof(a));
	a.um.prog_fd = (__u32)prog_fd;
	a.um.attach_type = PF_BPF_TRACE_UPROBE_MULTI;
	a.um.path = (__u64)(unsigned long)path;
	a.um.offsets = (__u64)(unsigned long)offs;
	a.um.cookies = (__u64)(unsigned long)cookies;
	a.um.cnt = (__u32)n;
	a.um.multi_flags = retprobe ? PF_F_UPROBE_MULTI_RETURN : 0;
	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : (int)fd;
}
