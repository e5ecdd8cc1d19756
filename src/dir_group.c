// SPDX-License-Identifier: GPL-2.0-only
/* Roll-ups of files by directory (see dir_group.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dir_group.h"
#include "pex_phases.h"

/* The length of path up to and including its first directory component
 * equal to name (or, with prefix, starting with it); 0 if none. */
static size_t through_component(const char *path, const char *name, int prefix)
{
	size_t len = strlen(name);

	for (const char *p = strchr(path, '/'); p; p = strchr(p + 1, '/')) {
		const char *c = p + 1, *e = strchr(c, '/');

		if (e && !strncmp(c, name, len) && (prefix || (size_t)(e - c) == len))
			return (size_t)(e - path);
	}
	return 0;
}

const char *pf_dir_group(const char *path, char *buf, size_t len)
{
	int area = pf_pex_classify(path, NULL, NULL, 0);
	const char *slash;
	size_t n;

	if (area >= 0) {
		snprintf(buf, len, "PEX_ROOT/%s", pf_pex_area_name(area));
		return buf;
	}
	n = through_component(path, "site-packages", 0);
	if (!n)
		n = through_component(path, "dist-packages", 0);
	if (!n && !strncmp(path, "/usr/", 5)) /* /usr/lib/python3.11, /usr/local/lib/python3.9 */
		n = through_component(path, "python3", 1);
	if (!n) {
		slash = strrchr(path, '/');
		n = slash && slash != path ? (size_t)(slash - path) : 1;
	}
	snprintf(buf, len, "%.*s", (int)n, path);
	return buf;
}

void pf_dir_add(struct pf_dir_sum *sums, size_t *n, size_t cap, const char *path, unsigned long long ops,
		unsigned long long ns, unsigned long long fault_ns, unsigned long long bytes_read,
		unsigned long long bytes_written)
{
	char dir[256];
	size_t i;

	if (!cap)
		return;
	pf_dir_group(path, dir, sizeof(dir));
	for (i = 0; i < *n && strcmp(sums[i].dir, dir); i++)
		;
	if (i == *n) {
		/* the last slot collects what does not fit */
		const char *name = *n + 1 >= cap ? "(other directories)" : dir;

		i = *n + 1 >= cap ? cap - 1 : *n;
		if (i == *n) {
			memset(&sums[i], 0, sizeof(sums[i]));
			snprintf(sums[i].dir, sizeof(sums[i].dir), "%s", name);
			(*n)++;
		}
	}
	sums[i].files++;
	sums[i].ops += ops;
	sums[i].ns += ns;
	sums[i].fault_ns += fault_ns;
	sums[i].bytes_read += bytes_read;
	sums[i].bytes_written += bytes_written;
}

static int by_time(const void *a, const void *b)
{
	const struct pf_dir_sum *x = a, *y = b;
	unsigned long long tx = x->ns + x->fault_ns, ty = y->ns + y->fault_ns;

	return tx != ty ? (tx < ty ? 1 : -1) : strcmp(x->dir, y->dir);
}

void pf_dir_sort(struct pf_dir_sum *sums, size_t n)
{
	if (n)
		qsort(sums, n, sizeof(*sums), by_time);
}
