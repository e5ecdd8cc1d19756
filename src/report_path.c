// SPDX-License-Identifier: GPL-2.0-only
/* Wall time along the root's path: the decomposition that makes comparisons
 * add up.
 *
 * Summing categories over every thread double-counts parallel work and
 * counts children that nobody waited for, so it cannot explain wall time.
 * Instead, start from the root process: its own categories cover its
 * lifetime, which is the wall time. The time it spent waiting for children
 * (child_wait, and sleep while children ran: subprocess pipes are waited on
 * with poll/read) is replaced by what those children did, scaled to the
 * waiting it explains, recursively. Each process's time thus enters the
 * path with a factor f in [0, 1] (root 1; a child f(parent) * waited/children),
 * and the path's categories add up to the root's lifetime. Whatever wall
 * time that leaves (tracer start/stop, clock skew) is "unattributed", so
 *   sum(path_ns) + unattributed_ns == wall_ns   exactly.
 *
 * A tree attached to rather than started (pantsd, --pid) does the command's
 * work while the command waits for it: report_load.c hangs it under the
 * command's root, so it enters the path like a child the root waited for.
 *
 * A process with several threads has more thread time than lifetime; the
 * excess is taken from sleep first (helper threads mostly block), then
 * proportionally, so that a process's own vector spans its lifetime. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "pex_phases.h"
#include "pf_util.h"

void pf_report_proc_name(const struct pf_rproc *p, char *buf, size_t len)
{
	const char **argv = p->nimages && p->images[0].argv ? p->images[0].argv : p->argv;
	int argc = p->nimages && p->images[0].argv ? p->images[0].argc : p->argc;
	if (!argc) {
		snprintf(buf, len, "%s", p->comm && p->comm[0] ? p->comm : pf_base_name(p->exe));
		return;
	}
	/* a process title (setproctitle), as pantsd's "pantsd [/build/root]" */
	const char *title = strstr(argv[0], " [");
	if (title && argv[0][0] != '/') {
		snprintf(buf, len, "%.*s", (int)(title - argv[0]), argv[0]);
		return;
	}
	const char *q = "", *q2 = "";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-m") && i + 1 < argc) {
			q = " -m ";
			q2 = argv[i + 1];
			break;
		}
		if (!strcmp(argv[i], "-c")) {
			/* pex runs one of these per interpreter it considers */
			int ident = i + 1 < argc && (strstr(argv[i + 1], "PythonIdentity") ||
						     strstr(argv[i + 1], "from pex import interpreter"));
			q = ident ? " -c (pex interpreter identification)" : " -c";
			break;
		}
		if (argv[i][0] == '-')
			continue;
		int area = pf_pex_classify(argv[i], NULL, NULL, 0);
		q = area >= 0 ? " PEX_ROOT/" : " ";
		q2 = area >= 0 ? pf_pex_area_name(area) : pf_base_name(argv[i]);
		break;
	}
	snprintf(buf, len, "%s%s%s", pf_base_name(argv[0]), q, q2);
}

/* A process's own categories, scaled to span its lifetime (see above). */
static void own_vector(const struct pf_rproc *p, const struct pf_rcats *cats, double *own)
{
	double tot = 0, life = (double)(p->end_ns - p->start_ns);
	for (int c = 0; c < cats->n; c++)
		tot += own[c] = (double)p->cat[c];
	if (tot <= life || tot <= 0)
		return;
	double excess = tot - life;
	if (cats->sleep >= 0) {
		double d = fmin(excess, own[cats->sleep]);
		own[cats->sleep] -= d;
		excess -= d;
		tot -= d;
	}
	if (excess > 0 && tot > 0)
		for (int c = 0; c < cats->n; c++)
			own[c] *= life / tot;
}

void pf_report_path(struct pf_rtrace *t, const struct pf_rcats *cats)
{
	int n = t->nprocs;
	double (*own)[PF_RCAT_MAX] = calloc(n + 1, sizeof(*own));
	double *tot = calloc(n + 1, sizeof(double)), *ratio = calloc(n + 1, sizeof(double));
	double *take_cw = calloc(n + 1, sizeof(double)), *take_sl = calloc(n + 1, sizeof(double));
	double *children = calloc(n + 1, sizeof(double));
	uint64_t *end = calloc(n + 1, sizeof(uint64_t));
	char *done = calloc(n + 1, 1);
	int *stack = calloc(n + 1, sizeof(int));
	memset(t->path_cat, 0, sizeof(t->path_cat));
	memset(t->path_ns, 0, sizeof(t->path_ns));
	t->root_proc = -1;
	if (!own || !tot || !ratio || !take_cw || !take_sl || !children || !end || !done || !stack)
		goto out;

	/* Own vectors, summed over re-exec chains written as separate entries. */
	for (int i = 0; i < n; i++) {
		struct pf_rproc *p = &t->procs[i];
		double v[PF_RCAT_MAX] = { 0 };
		int h = p->chain_head;
		own_vector(p, cats, v);
		for (int c = 0; c < cats->n; c++) {
			own[h][c] += v[c];
			tot[h] += v[c];
		}
		if (p->end_ns > end[h])
			end[h] = p->end_ns;
		p->path_factor = 0;
		memset(p->path_cat, 0, sizeof(p->path_cat));
		pf_report_proc_name(&t->procs[h], p->key, sizeof(p->key));
	}
	/* Children that can have been waited for: started before the parent ended. */
	for (int i = 0; i < n; i++) {
		const struct pf_rproc *p = &t->procs[i];
		if (p->chain_head == i && p->parent >= 0 && p->start_ns < end[p->parent])
			children[p->parent] += tot[i];
	}
	for (int h = 0; h < n; h++) {
		if (t->procs[h].chain_head != h)
			continue;
		double L = children[h];
		take_cw[h] = cats->child_wait >= 0 ? fmin(own[h][cats->child_wait], L) : 0;
		take_sl[h] = cats->sleep >= 0 ? fmin(own[h][cats->sleep], L - take_cw[h]) : 0;
		ratio[h] = L > 0 ? (take_cw[h] + take_sl[h]) / L : 0;
		if (t->procs[h].parent < 0 &&
		    (t->root_proc < 0 || t->procs[h].start_ns < t->procs[t->root_proc].start_ns ||
		     (t->procs[h].start_ns == t->procs[t->root_proc].start_ns && tot[h] > tot[t->root_proc])))
			t->root_proc = h;
	}
	if (t->root_proc < 0)
		goto residual;

	/* f top-down: walk up to a process whose f is known (a parent's factor is
	 * its own times its parent's ratio). done: 1 known, 2 on the stack. */
	t->procs[t->root_proc].path_factor = 1;
	done[t->root_proc] = 1;
	for (int h = 0; h < n; h++) {
		int sp = 0, x = h;
		while (x >= 0 && !done[x] && sp < n) {
			if (t->procs[x].chain_head != x) {
				x = t->procs[x].chain_head;
				continue;
			}
			done[x] = 2;
			stack[sp++] = x;
			x = t->procs[x].parent;
		}
		/* x: known ancestor (or none, or a cycle: factor 0) */
		double f = (x >= 0 && done[x] == 1) ? t->procs[x].path_factor : 0;
		while (sp--) {
			int k = stack[sp], par = t->procs[k].parent;
			int waited = par >= 0 && t->procs[k].start_ns < end[par];
			f = (waited && f > 0) ? f * ratio[par] : 0;
			t->procs[k].path_factor = f;
			done[k] = 1;
		}
	}
	for (int i = 0; i < n; i++) {
		struct pf_rproc *p = &t->procs[i];
		if (p->chain_head != i) {
			p->path_factor = t->procs[p->chain_head].path_factor;
			continue;
		}
		for (int c = 0; c < cats->n; c++) {
			double v = own[i][c];
			if (c == cats->child_wait)
				v -= take_cw[i];
			if (c == cats->sleep)
				v -= take_sl[i];
			p->path_cat[c] = p->path_factor * v;
			t->path_cat[c] += p->path_cat[c];
		}
	}
residual:;
	int64_t sum = 0;
	for (int c = 0; c < cats->n; c++) {
		t->path_ns[c] = llround(t->path_cat[c]);
		sum += t->path_ns[c];
	}
	t->unattributed_ns = (int64_t)t->wall_ns - sum;
out:
	free(own);
	free(tot);
	free(ratio);
	free(take_cw);
	free(take_sl);
	free(children);
	free(end);
	free(done);
	free(stack);
}
