// SPDX-License-Identifier: GPL-2.0-only
/* The image tree and its inclusive/exclusive times (include/pex_tree.h states
 * the invariant): the wall is swept from one image start or end to the next,
 * and each slice goes to the innermost images running in it. */
#include <stdlib.h>
#include <string.h>
#include "pex_tree.h"

static uint64_t clip(uint64_t t, uint64_t wall)
{
	return t < wall ? t : wall;
}

/* The image that process ppid ran at time t: the last one started by then. */
static int image_at(const struct pf_pex_proc *im, size_t n, int ppid, uint64_t t)
{
	int best = -1;

	for (size_t i = 0; i < n; i++)
		if (im[i].pid == ppid && im[i].start_ns <= t && (best < 0 || im[i].start_ns >= im[best].start_ns))
			best = (int)i;
	return best;
}

/* Each image's parent image: the first image of its process hangs under the
 * image its parent ran then; later images (re-execs) follow as siblings. */
static void link_parents(const struct pf_pex_proc *im, size_t n, int *parent)
{
	for (size_t i = 0; i < n; i++) {
		size_t first = i;

		for (size_t j = 0; j < i; j++)
			if (im[j].pid == im[i].pid && im[j].start_ns <= im[first].start_ns) {
				first = j;
				break;
			}
		parent[i] = first != i ? parent[first] : image_at(im, n, im[i].ppid, im[i].start_ns);
		if (parent[i] >= 0 && im[parent[i]].pid == im[i].pid && first == i)
			parent[i] = -1; /* a process is not its own parent */
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sweep [0, wall]: each slice between two boundaries goes to the images
 * running in it that have no child image running, shared equally (the
 * remainder of the division to the first), or to the gap. */
static int sweep(const struct pf_pex_proc *im, size_t n, const int *parent, uint64_t wall, uint64_t *excl,
		 uint64_t *gap)
{
	uint64_t *b = malloc((2 * n + 2) * sizeof(*b));
	char *busy = malloc(n + 1), *inner = malloc(n + 1);
	size_t nb = 0;

	if (!b || !busy || !inner) {
		free(b), free(busy), free(inner);
		return -1;
	}
	b[nb++] = 0;
	b[nb++] = wall;
	for (size_t i = 0; i < n; i++) {
		b[nb++] = clip(im[i].start_ns, wall);
		b[nb++] = clip(im[i].end_ns, wall);
	}
	qsort(b, nb, sizeof(*b), cmp_u64);
	*gap = 0;
	for (size_t k = 0; k + 1 < nb; k++) {
		uint64_t s = b[k], len = b[k + 1] - b[k], k_inner = 0;

		if (!len)
			continue;
		for (size_t i = 0; i < n; i++)
			busy[i] = clip(im[i].start_ns, wall) <= s && s < clip(im[i].end_ns, wall);
		memcpy(inner, busy, n);
		for (size_t i = 0; i < n; i++)
			if (busy[i] && parent[i] >= 0)
				inner[parent[i]] = 0;
		for (size_t i = 0; i < n; i++)
			k_inner += inner[i] != 0;
		if (!k_inner) {
			*gap += len;
			continue;
		}
		for (size_t i = 0, first = 1; i < n; i++)
			if (inner[i]) {
				excl[i] += len / k_inner + (first ? len % k_inner : 0);
				first = 0;
			}
	}
	free(b), free(busy), free(inner);
	return 0;
}

/* Depth-first order from node `at`, children by start time. */
static void order(const struct pf_pex_proc *im, size_t n, const int *parent, int at, int depth, size_t *out,
		  int *depths, size_t *k)
{
	char *done = calloc(n, 1);

	for (;;) {
		int next = -1;

		for (size_t i = 0; i < n; i++)
			if (parent[i] == at && !(done && done[i]) &&
			    (next < 0 || im[i].start_ns < im[next].start_ns))
				next = (int)i;
		if (next < 0 || !done)
			break;
		done[next] = 1;
		depths[*k] = depth;
		out[(*k)++] = (size_t)next;
		order(im, n, parent, next, depth + 1, out, depths, k);
	}
	free(done);
}

int pf_pex_tree_compute(const struct pf_pex_proc *im, size_t n, uint64_t wall, struct pf_pex_tree *t)
{
	int *parent = calloc(n + 1, sizeof(*parent)), *depths = calloc(n + 1, sizeof(*depths));
	uint64_t *excl = calloc(n + 1, sizeof(*excl));
	size_t *seq = calloc(n + 1, sizeof(*seq)), k = 0;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	t->wall_ns = wall;
	t->v = calloc(n + 1, sizeof(*t->v));
	if (!parent || !depths || !excl || !seq || !t->v)
		goto out;
	link_parents(im, n, parent);
	if (sweep(im, n, parent, wall, excl, &t->gap_ns))
		goto out;
	order(im, n, parent, -1, 0, seq, depths, &k);
	/* a parent link in a cycle (a pid reused) leaves images unreached:
	 * they are roots, so that every image's exclusive time is shown */
	for (size_t i = 0; i < n && k < n; i++) {
		int placed = 0;

		for (size_t j = 0; j < k && !placed; j++)
			placed = seq[j] == i;
		if (placed)
			continue;
		parent[i] = -1;
		depths[k] = 0;
		seq[k++] = i;
		order(im, n, parent, (int)i, 1, seq, depths, &k);
	}
	for (size_t j = 0; j < k; j++) {
		struct pf_pex_node *nd = &t->v[j];
		size_t i = seq[j];

		nd->image = i;
		nd->depth = depths[j];
		nd->start_ns = clip(im[i].start_ns, wall);
		nd->end_ns = clip(im[i].end_ns, wall);
		nd->incl_ns = nd->end_ns > nd->start_ns ? nd->end_ns - nd->start_ns : 0;
		nd->excl_ns = excl[i];
		nd->parent = -1;
		for (size_t p = 0; p < j; p++)
			if (parent[i] >= 0 && seq[p] == (size_t)parent[i])
				nd->parent = (int)p;
		pf_pex_image_role(im, n, i, nd->role, sizeof(nd->role));
	}
	t->n = k;
	rc = 0;
out:
	if (rc)
		pf_pex_tree_free(t);
	free(parent), free(depths), free(excl), free(seq);
	return rc;
}

void pf_pex_tree_free(struct pf_pex_tree *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}
