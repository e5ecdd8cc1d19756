/* SPDX-License-Identifier: GPL-2.0-only */
/* The processes of a trace as a tree of exec'd images over time, with
 * inclusive and exclusive wall time: where nested phases (a pex re-exec, a
 * venv created by a child, interpreters identified) sit inside each other.
 *
 * Invariant (tested exactly): the exclusive times of all nodes plus the gap
 * (instants when no image ran) add up to the wall, to the nanosecond. At each
 * instant the wall goes to the innermost images running then (those with no
 * child image running), shared equally when several run side by side; an
 * image's inclusive time is its own span. */
#ifndef PF_PEX_TREE_H
#define PF_PEX_TREE_H
#include <stddef.h>
#include <stdint.h>
#include "pex_phases.h"

struct pf_pex_node {
	size_t image;      /* index into the images given */
	int parent;        /* node index; -1 for a root */
	int depth;
	uint64_t start_ns, end_ns; /* clipped to [0, wall] */
	uint64_t incl_ns, excl_ns;
	char role[PF_PEX_NAME_MAX]; /* what pex did in it ("" if nothing recognised) */
};

struct pf_pex_tree {
	struct pf_pex_node *v; /* depth-first, children by start time */
	size_t n;
	uint64_t wall_ns, gap_ns;
};

/* images: one per exec'd image, as for pf_pex_phases_compute(), relative to
 * the trace's start; an image's parent is the image its parent process ran
 * when the process started (its first image's start). Returns 0, or -1 on
 * allocation failure. */
int pf_pex_tree_compute(const struct pf_pex_proc *images, size_t n, uint64_t wall_ns, struct pf_pex_tree *out);
void pf_pex_tree_free(struct pf_pex_tree *t);

#endif
