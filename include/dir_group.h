/* SPDX-License-Identifier: GPL-2.0-only */
/* Which directory a file's time rolls up into: a PEX_ROOT cache area, a
 * site-packages (or dist-packages) directory, a Python's standard library,
 * or else the file's own directory. Shared by the trace summary and the
 * report, so both group alike. */
#ifndef PF_DIR_GROUP_H
#define PF_DIR_GROUP_H
#include <stddef.h>

/* The group of an absolute path, written to buf ("PEX_ROOT/installed_wheels",
 * "/usr/lib/python3/dist-packages", "/etc", ...). Returns buf. */
const char *pf_dir_group(const char *path, char *buf, size_t len);

#define PF_TRACE_DIRS_MAX 256 /* groups kept; the last collects the rest */

/* One group's sums. */
struct pf_dir_sum {
	char dir[256];
	unsigned long long files, ops, ns, fault_ns, bytes_read, bytes_written;
};

/* Add a file's numbers to its group in sums[0..*n) (at most cap groups;
 * files past that go to a last group named "(other directories)"). */
void pf_dir_add(struct pf_dir_sum *sums, size_t *n, size_t cap, const char *path, unsigned long long ops,
		unsigned long long ns, unsigned long long fault_ns, unsigned long long bytes_read,
		unsigned long long bytes_written);
/* Sort by time (syscalls and fault waits) descending. */
void pf_dir_sort(struct pf_dir_sum *sums, size_t n);
#endif
