/* SPDX-License-Identifier: GPL-2.0-only */
/* uprobe_multi links (Linux 6.6): many uprobes of one file in one link, so
 * that removing them waits for one grace period, not one per probe. Debian's
 * libbpf 1.1.2 predates the API: the link is created with bpf(2) directly. */
#ifndef PF_UPROBE_MULTI_H
#define PF_UPROBE_MULTI_H
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define PF_BPF_TRACE_UPROBE_MULTI 48 /* enum bpf_attach_type BPF_TRACE_UPROBE_MULTI */

/* Whether the running kernel has them (by its version: 6.6 or later). */
bool pf_uprobe_multi_supported(void);

/* Attach prog_fd (loaded with expected attach type PF_BPF_TRACE_UPROBE_MULTI)
 * at the n file offsets of path, each with its cookie, as return probes if
 * retprobe. Returns the link's fd, or -errno. */
int pf_uprobe_multi_attach(int prog_fd, const char *path, const unsigned long *offsets,
			   const __u64 *cookies, size_t n, bool retprobe);
#endif
