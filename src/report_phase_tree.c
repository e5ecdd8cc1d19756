// SPDX-License-Identifier: GPL-2.0-only
/* `report`: pex's phases as a tree of the exec'd images they ran in, with
 * inclusive and exclusive time (src/pex_tree.c), so that nested phases are
 * not added up twice: the exclusive column and the idle line sum to the wall. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pex_tree.h"
#include "pf_util.h"
#include "report.h"

#define TREE_ROWS 25

/* The images of the trace; a process's first image starts at its fork. */
static struct pf_pex_proc *images_of(const struct pf_rtrace *t, size_t *n)
{
	size_t k = 0, cap = 0;
	struct pf_pex_proc *v;

	for (int i = 0; i < t->nprocs; i++)
		cap += (size_t)t->procs[i].nimages;
	v = calloc(cap + 1, sizeof(*v));
	for (int i = 0; v && i < t->nprocs; i++) {
		const struct pf_rproc *p = &t->procs[i];

		for (int j = 0; j < p->nimages; j++) {
			const struct pf_rimage *im = &p->images[j];

			v[k++] = (struct pf_pex_proc){ p->pid, p->ppid, im->exe, im->argv ? im->argv : p->argv,
						       im->argc, j ? im->start_ns : p->start_ns, im->end_ns };
		}
	}
	*n = k;
	return v;
}

static int worth_a_row(const struct pf_pex_node *nd, uint64_t wall)
{
	return nd->role[0] || nd->incl_ns * 100 >= wall;
}

static void add_row(struct pf_table *tb, const struct pf_pex_proc *im, const struct pf_pex_node *nd, int md)
{
	char a[32], b[32], what[PF_PEX_NAME_MAX + 96], cell[PF_PEX_NAME_MAX + 160], esc[2 * sizeof(cell)];
	int ind = nd->depth < 8 ? 2 * nd->depth : 16;

	snprintf(what, sizeof(what), "%s%s%.60s (pid %d)", nd->role, nd->role[0] ? ": " : "",
		 im->argc ? pf_base_name(im->argv[0]) : pf_base_name(im->exe), im->pid);
	snprintf(cell, sizeof(cell), "%*s%s", ind, "", what);
	pf_table_add(tb, pf_fmt_s(a, sizeof(a), (double)nd->incl_ns, 0), pf_fmt_s(b, sizeof(b), (double)nd->excl_ns, 0),
		     pf_md_escape(esc, sizeof(esc), cell, md));
}

void pf_report_phase_tree(FILE *f, const struct pf_rtrace *t, int md)
{
	size_t n = 0, rows = 0, roles = 0;
	struct pf_pex_proc *im = images_of(t, &n);
	struct pf_pex_tree tree;
	char w[32], g[32], title[128];

	if (!im || pf_pex_tree_compute(im, n, t->wall_ns, &tree)) {
		free(im);
		return;
	}
	for (size_t i = 0; i < tree.n; i++)
		roles += tree.v[i].role[0] != 0;
	if (roles) { /* a pex ran: its phases nest */
		snprintf(title, sizeof(title), "pex phases as a tree (wall %s = the exclusive column + %s with nothing running)",
			 pf_fmt_s(w, sizeof(w), (double)tree.wall_ns, 0), pf_fmt_s(g, sizeof(g), (double)tree.gap_ns, 0));
		pf_heading(f, md, 2, title);
		struct pf_table *tb = pf_table_new(3, "rrl", "inclusive", "exclusive", "image");
		for (size_t i = 0; i < tree.n && rows < TREE_ROWS; i++)
			if (worth_a_row(&tree.v[i], tree.wall_ns)) {
				add_row(tb, &im[tree.v[i].image], &tree.v[i], md);
				rows++;
			}
		pf_table_print(f, tb, md, "  ");
		pf_table_free(tb);
		if (rows < tree.n)
			fprintf(f, "%s(%zu images under 1%% of the wall and without a pex role not shown)\n",
				md ? "" : "  ", tree.n - rows);
	}
	pf_pex_tree_free(&tree);
	free(im);
}
