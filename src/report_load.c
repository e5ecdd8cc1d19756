// SPDX-License-Identifier: GPL-2.0-only
/* perfanity report: a trace JSON document -> struct pf_rtrace. Validates the
 * parts the report relies on (clear one-line errors for files that are not
 * traces) and tolerates the optional ones: lists issue 4 added, and either
 * way a re-exec chain may be written (an "execs" list, or entries per exec). */
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "pex_phases.h"
#include "pf_json.h"
#include "pf_util.h"

static int cat_index(struct pf_rcats *cats, const char *name)
{
	for (int i = 0; i < cats->n; i++)
		if (!strcmp(cats->name[i], name))
			return i;
	if (cats->n == PF_RCAT_MAX)
		return -1;
	if (!cats->n)
		cats->child_wait = cats->sleep = -1;
	cats->name[cats->n] = name;
	if (!strcmp(name, "child_wait"))
		cats->child_wait = cats->n;
	if (!strcmp(name, "sleep"))
		cats->sleep = cats->n;
	return cats->n++;
}

static uint64_t u64(json_t *o, const char *key)
{
	long long v = pf_json_int(o, key, 0);
	return v > 0 ? (uint64_t)v : 0;
}

/* argv as a NULL-terminated array of strings owned by the JSON. */
static const char **strlist(json_t *a, int *n)
{
	size_t len = json_is_array(a) ? json_array_size(a) : 0;
	const char **v = calloc(len + 1, sizeof(*v));
	int k = 0;
	for (size_t i = 0; v && i < len; i++)
		if (json_is_string(json_array_get(a, i)))
			v[k++] = json_string_value(json_array_get(a, i));
	*n = k;
	return v;
}

static int cmp_file(const void *a, const void *b)
{
	const struct pf_rfile *x = a, *y = b;
	return x->ns == y->ns ? 0 : (x->ns < y->ns ? 1 : -1);
}

static int cmp_archive(const void *a, const void *b)
{
	const struct pf_rarchive *x = a, *y = b;
	return x->ns == y->ns ? 0 : (x->ns < y->ns ? 1 : -1);
}

static int cmp_venv(const void *a, const void *b)
{
	const struct pf_rvenv *x = a, *y = b;
	return x->ns == y->ns ? 0 : (x->ns < y->ns ? 1 : -1);
}

static int cmp_import(const void *a, const void *b)
{
	const struct pf_rimport *x = a, *y = b;
	return x->ns == y->ns ? 0 : (x->ns < y->ns ? 1 : -1);
}

static int cmp_phase(const void *a, const void *b)
{
	const struct pf_rphase *x = a, *y = b;
	return x->ns == y->ns ? 0 : (x->ns < y->ns ? 1 : -1);
}

static int load_proc(json_t *o, struct pf_rtrace *t, struct pf_rcats *cats, struct pf_rproc *p,
		     char *err, size_t errlen)
{
	if (!json_is_object(o) || !json_is_integer(json_object_get(o, "pid"))) {
		snprintf(err, errlen, "a process entry has no integer \"pid\"");
		return -1;
	}
	p->pid = (int)pf_json_int(o, "pid", 0);
	p->ppid = (int)pf_json_int(o, "ppid", 0);
	p->exe = pf_json_str(o, "exe", "");
	p->comm = pf_json_str(o, "comm", "");
	p->argv = strlist(json_object_get(o, "argv"), &p->argc);
	p->start_ns = u64(o, "start_ns");
	p->end_ns = u64(o, "end_ns");
	if (p->end_ns < p->start_ns) /* never ended: it ran until the trace did */
		p->end_ns = t->wall_ns > p->start_ns ? t->wall_ns : p->start_ns;
	p->exit_code = pf_json_int(o, "exit_code", -1);
	p->threads = pf_json_int(o, "threads", 1);
	p->attached = json_is_true(json_object_get(o, "attached"));
	json_t *c = json_object_get(o, "categories");
	const char *k;
	json_t *v;
	uint64_t sum = 0;
	json_object_foreach(c, k, v) {
		int i = cat_index(cats, k);
		if (i >= 0 && json_is_integer(v) && json_integer_value(v) > 0) {
			p->cat[i] += (uint64_t)json_integer_value(v);
			sum += (uint64_t)json_integer_value(v);
		}
	}
	p->thread_ns = json_is_integer(json_object_get(o, "thread_ns")) ? u64(o, "thread_ns") : sum;

	/* Exec images: the "execs" list if there is one, else the entry itself. */
	json_t *ex = json_object_get(o, "execs");
	size_t ne = json_is_array(ex) ? json_array_size(ex) : 0;
	p->images = calloc(ne ? ne : 1, sizeof(*p->images));
	if (!p->images || !p->argv) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < ne; i++) {
		json_t *e = json_array_get(ex, i), *nx = json_array_get(ex, i + 1);
		struct pf_rimage *im = &p->images[p->nimages++];
		im->exe = pf_json_str(e, "exe", "");
		im->argv = strlist(json_object_get(e, "argv"), &im->argc);
		im->start_ns = u64(e, json_object_get(e, "ts_ns") ? "ts_ns" : "start_ns");
		im->end_ns = nx ? u64(nx, json_object_get(nx, "ts_ns") ? "ts_ns" : "start_ns") : p->end_ns;
		if (!im->argv) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (!ne) {
		struct pf_rimage *im = &p->images[p->nimages++];
		im->exe = p->exe;
		im->argv = NULL; /* shares p->argv; see pf_report_free */
		im->argc = p->argc;
		im->start_ns = p->start_ns;
		im->end_ns = p->end_ns;
	}
	return 0;
}

/* Whether entry a comes before entry b: by start, then by position. A chain
 * links only forward in this order, so no input, however malformed (an end
 * before its start), makes a cycle of it. */
static int starts_before(const struct pf_rtrace *t, int a, int b)
{
	int64_t sa = t->procs[a].start_ns, sb = t->procs[b].start_ns;
	return sa < sb || (sa == sb && a < b);
}

/* Processes that are each other's ancestors (two entries of equal start, each
 * with the other's pid as its ppid: only a malformed trace) would have the
 * tree walked forever: the link that closes such a loop is cut. */
static void break_parent_cycles(struct pf_rtrace *t)
{
	for (int i = 0; i < t->nprocs; i++) {
		int a = t->procs[i].parent, steps = 0;

		while (a >= 0 && a != i && steps++ < t->nprocs)
			a = t->procs[a].parent;
		if (a == i)
			t->procs[i].parent = -1;
	}
}

/* Tree links. A pid seen twice is either a re-exec written as separate
 * entries (same ppid, the later one starting as the earlier ends) or a
 * reused pid; a child's parent is the latest entry of its ppid that had
 * started when the child did. */
static void link_procs(struct pf_rtrace *t, int has_execs)
{
	for (int i = 0; i < t->nprocs; i++) {
		struct pf_rproc *p = &t->procs[i];
		p->next_same_pid = -1;
		p->chain_head = i;
		p->parent = -1;
	}
	for (int i = 0; i < t->nprocs && !has_execs; i++) {
		struct pf_rproc *p = &t->procs[i];
		int best = -1;
		for (int j = 0; j < t->nprocs; j++) {
			struct pf_rproc *q = &t->procs[j];
			if (j == i || q->pid != p->pid || q->ppid != p->ppid || q->start_ns < p->end_ns ||
			    q->chain_head != j || !starts_before(t, i, j))
				continue;
			if (best < 0 || q->start_ns < t->procs[best].start_ns)
				best = j;
		}
		if (best >= 0 && p->next_same_pid < 0) {
			p->next_same_pid = best;
			t->procs[best].chain_head = p->chain_head;
		}
	}
	/* chain_head may have been set before the head itself was linked */
	for (int i = 0; i < t->nprocs; i++) {
		int h = i, guard = 0;
		while (t->procs[h].chain_head != h && guard++ < t->nprocs)
			h = t->procs[h].chain_head;
		t->procs[i].chain_head = h;
	}
	for (int i = 0; i < t->nprocs; i++) {
		struct pf_rproc *p = &t->procs[i];
		int best = -1;
		for (int j = 0; j < t->nprocs; j++) {
			struct pf_rproc *q = &t->procs[j];
			if (q->pid != p->ppid || t->procs[j].chain_head == p->chain_head ||
			    q->start_ns > p->start_ns)
				continue;
			if (best < 0 || q->start_ns > t->procs[best].start_ns)
				best = j;
		}
		p->parent = best >= 0 ? t->procs[best].chain_head : -1;
	}
	break_parent_cycles(t);
	/* A tree attached to (pantsd, --pid) works for the command while the
	 * command waits for it: it hangs under the command's root, as its children do. */
	int cmd_root = -1;
	for (int i = 0; i < t->nprocs && cmd_root < 0; i++)
		if (t->procs[i].parent < 0 && !t->procs[i].attached && t->procs[i].chain_head == i)
			cmd_root = i;
	for (int i = 0; i < t->nprocs && cmd_root >= 0; i++)
		if (t->procs[i].parent < 0 && t->procs[i].attached && t->procs[i].chain_head == i)
			t->procs[i].parent = cmd_root;
}

/* pex phases from the files and exec images, when the tracer wrote none. */
static int compute_phases(struct pf_rtrace *t)
{
	int nimg = 0;
	for (int i = 0; i < t->nprocs; i++)
		nimg += t->procs[i].nimages;
	struct pf_pex_file *pf = calloc(t->nfiles + 1, sizeof(*pf));
	struct pf_pex_proc *pp = calloc(nimg + 1, sizeof(*pp));
	struct pf_pex_archive *pa = calloc(t->narchives + 1, sizeof(*pa));
	struct pf_pex_phases *ph = calloc(1, sizeof(*ph));
	int rc = -1;
	if (!pf || !pp || !pa || !ph)
		goto out;
	for (int i = 0; i < t->nfiles; i++)
		pf[i] = (struct pf_pex_file){ t->files[i].path, t->files[i].ns, t->files[i].bytes_read,
					      t->files[i].bytes_written, t->files[i].ops };
	int k = 0;
	for (int i = 0; i < t->nprocs; i++) {
		const struct pf_rproc *p = &t->procs[i];
		for (int j = 0; j < p->nimages; j++) {
			const struct pf_rimage *im = &p->images[j];
			pp[k++] = (struct pf_pex_proc){ p->pid, p->ppid, im->exe,
							im->argv ? im->argv : p->argv, im->argc,
							im->start_ns, im->end_ns };
		}
	}
	for (int i = 0; i < t->narchives; i++)
		pa[i] = (struct pf_pex_archive){ t->archives[i].path, t->archives[i].ns,
						 t->archives[i].bytes_inflated, t->archives[i].members };
	if (pf_pex_phases_compute(pf, t->nfiles, pp, k, pa, t->narchives, ph))
		goto out;
	t->phases = calloc(ph->n + 1, sizeof(*t->phases));
	if (!t->phases) {
		pf_pex_phases_free(ph);
		goto out;
	}
	for (size_t i = 0; i < ph->n; i++)
		t->phases[i] = (struct pf_rphase){ ph->v[i].pid, ph->v[i].name, ph->v[i].detail, ph->v[i].ns };
	t->nphases = (int)ph->n;
	t->phases_computed = 1;
	t->phases_owner = ph;
	ph = NULL;
	rc = 0;
out:
	free(pf);
	free(pp);
	free(pa);
	free(ph);
	return rc;
}

#define LIST(name) \
	json_t *name = json_object_get(root, #name); \
	size_t n_##name = json_is_array(name) ? json_array_size(name) : 0

int pf_report_load(json_t *root, const char *path, const char *label, struct pf_rcats *cats,
		   struct pf_rtrace *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->root = json_incref(root);
	t->path = path ? path : "";
	if (label)
		snprintf(t->label, sizeof(t->label), "%s", label);
	if (!json_is_object(root)) {
		snprintf(err, errlen, "not a perfanity trace (top level is not an object)");
		return -1;
	}
	json_t *procs = json_object_get(root, "processes");
	if (!json_is_integer(json_object_get(root, "version")) || !json_is_array(procs) ||
	    !json_is_integer(json_object_get(root, "wall_ns"))) {
		snprintf(err, errlen, "not a perfanity trace (needs \"version\", \"wall_ns\" and a \"processes\" list)");
		return -1;
	}
	if (pf_json_int(root, "version", 0) < 1) {
		snprintf(err, errlen, "unsupported trace version %lld", pf_json_int(root, "version", 0));
		return -1;
	}
	t->wall_ns = u64(root, "wall_ns");
	t->cpus = (int)pf_json_int(root, "cpus", 0);
	json_t *comp = json_object_get(root, "compile");
	t->modules_compiled = (uint64_t)pf_json_int(comp, "modules_compiled", 0);
	t->compile_reason = pf_json_str(comp, "reason", "");
	t->lost_events = u64(root, "lost_events");
	t->exit_code = pf_json_int(root, "exit_code", -1);
	t->backend = pf_json_str(root, "backend", "?");
	t->unseen = strlist(json_object_get(root, "unseen"), &t->nunseen);
	t->partial = strlist(json_object_get(root, "partial"), &t->npartial);
	t->command = strlist(json_object_get(root, "command"), &t->ncommand);

	/* Shared category order: the trace's declared list first. */
	json_t *cl = json_object_get(root, "categories");
	for (size_t i = 0; i < json_array_size(cl); i++)
		if (json_is_string(json_array_get(cl, i)))
			cat_index(cats, json_string_value(json_array_get(cl, i)));
	json_t *tot = json_object_get(root, "totals");
	const char *k;
	json_t *v;
	json_object_foreach(tot, k, v) {
		int i = cat_index(cats, k);
		if (i >= 0 && json_is_integer(v) && json_integer_value(v) > 0)
			t->totals[i] = (uint64_t)json_integer_value(v);
	}

	int has_execs = 0;
	t->nprocs = (int)json_array_size(procs);
	t->procs = calloc(t->nprocs + 1, sizeof(*t->procs));
	if (!t->procs || !t->command) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < t->nprocs; i++) {
		json_t *o = json_array_get(procs, i);
		has_execs |= json_is_array(json_object_get(o, "execs"));
		if (load_proc(o, t, cats, &t->procs[i], err, errlen))
			return -1;
	}
	link_procs(t, has_execs);

	LIST(files);
	t->files = calloc(n_files + 1, sizeof(*t->files));
	LIST(archives);
	t->archives = calloc(n_archives + 1, sizeof(*t->archives));
	LIST(venvs);
	t->venvs = calloc(n_venvs + 1, sizeof(*t->venvs));
	LIST(imports);
	t->imports = calloc(n_imports + 1, sizeof(*t->imports));
	LIST(phases);
	if (!t->files || !t->archives || !t->venvs || !t->imports) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n_files; i++) {
		json_t *o = json_array_get(files, i);
		t->files[t->nfiles++] = (struct pf_rfile){ pf_json_str(o, "path", "?"), u64(o, "ns"),
			u64(o, "bytes_read"), u64(o, "bytes_written"), u64(o, "ops"), u64(o, "faults"),
			u64(o, "fault_ns") };
	}
	for (size_t i = 0; i < n_archives; i++) {
		json_t *o = json_array_get(archives, i);
		t->archives[t->narchives++] = (struct pf_rarchive){ pf_json_str(o, "path", "?"),
			u64(o, "members"), u64(o, "bytes_inflated"), u64(o, "ns") };
	}
	for (size_t i = 0; i < n_venvs; i++) {
		json_t *o = json_array_get(venvs, i);
		t->venvs[t->nvenvs++] = (struct pf_rvenv){ pf_json_str(o, "path", "?"),
			u64(o, "files_created"), u64(o, "ns") };
	}
	t->has_imports = json_is_array(imports);
	for (size_t i = 0; i < n_imports; i++) {
		json_t *o = json_array_get(imports, i);
		t->imports[t->nimports++] = (struct pf_rimport){ pf_json_str(o, "module", "?"),
			u64(o, "ns"), u64(o, "self_ns"), u64(o, "count") };
	}
	/* Interpreters whose imports are not timed: "imports": "none", or, in a
	 * trace from before that field, no USDT probes. */
	json_t *interps = json_object_get(root, "interpreters");
	for (size_t i = 0; i < json_array_size(interps); i++) {
		json_t *o = json_array_get(interps, i);
		const char *how = pf_json_str(o, "imports", NULL);

		if (how ? strcmp(how, "none") : !json_is_false(json_object_get(o, "usdt")))
			continue;
		size_t used = strlen(t->imports_note);
		snprintf(t->imports_note + used, sizeof(t->imports_note) - used, "%s%s", used ? ", " : "",
			 pf_json_str(o, "exe", "?"));
	}
	qsort(t->files, t->nfiles, sizeof(*t->files), cmp_file);
	qsort(t->archives, t->narchives, sizeof(*t->archives), cmp_archive);
	qsort(t->imports, t->nimports, sizeof(*t->imports), cmp_import);
	qsort(t->venvs, t->nvenvs, sizeof(*t->venvs), cmp_venv);

	if (json_is_array(phases)) {
		t->phases = calloc(n_phases + 1, sizeof(*t->phases));
		if (!t->phases) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (size_t i = 0; i < n_phases; i++) {
			json_t *o = json_array_get(phases, i);
			t->phases[t->nphases++] = (struct pf_rphase){ (int)pf_json_int(o, "pid", 0),
				pf_json_str(o, "name", "?"), pf_json_str(o, "detail", ""), u64(o, "ns") };
		}
		qsort(t->phases, t->nphases, sizeof(*t->phases), cmp_phase);
	} else if (compute_phases(t)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void pf_report_free(struct pf_rtrace *t)
{
	for (int i = 0; t->procs && i < t->nprocs; i++) {
		struct pf_rproc *p = &t->procs[i];
		for (int j = 0; p->images && j < p->nimages; j++)
			free(p->images[j].argv);
		free(p->images);
		free(p->argv);
	}
	free(t->procs);
	free(t->command);
	free(t->unseen);
	free(t->partial);
	free(t->files);
	free(t->archives);
	free(t->venvs);
	free(t->imports);
	free(t->phases);
	if (t->phases_owner) {
		pf_pex_phases_free(t->phases_owner);
		free(t->phases_owner);
	}
	json_decref(t->root);
	memset(t, 0, sizeof(*t));
}

/* Stem of a path: base name without ".json"; with_dir prefixes its directory's name. */
static void stem(const char *path, int with_dir, char *buf, size_t len)
{
	const char *b = pf_base_name(path);
	size_t n = strlen(b);
	if (n > 5 && !strcmp(b + n - 5, ".json"))
		n -= 5;
	if (with_dir && b > path) {
		const char *d = b - 1, *ds = d;
		while (ds > path && ds[-1] != '/')
			ds--;
		if (d > ds) {
			snprintf(buf, len, "%.*s/%.*s", (int)(d - ds), ds, (int)n, b);
			return;
		}
	}
	snprintf(buf, len, "%.*s", (int)n, b);
}

/* From the command: program, and the first argument that is not an option. */
static void command_label(const struct pf_rtrace *t, char *buf, size_t len)
{
	if (!t->ncommand) {
		snprintf(buf, len, "trace");
		return;
	}
	const char *arg = NULL;
	for (int i = 1; i < t->ncommand && !arg; i++)
		if (t->command[i][0] != '-')
			arg = t->command[i];
	snprintf(buf, len, "%s%s%s", pf_base_name(t->command[0]), arg ? " " : "", arg ? pf_base_name(arg) : "");
}

static int label_clash(struct pf_rtrace *t, int n, int i)
{
	for (int j = 0; j < n; j++)
		if (j != i && !strcmp(t[j].label, t[i].label))
			return 1;
	return 0;
}

void pf_report_label(struct pf_rtrace *t, int n)
{
	int given[64] = { 0 }, clash[64];
	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++)
		given[i] = t[i].label[0] != 0;
	/* Try ever more specific names for the traces whose names clash, all
	 * of a clashing group at once so they stay parallel ("a/x" vs "b/x"). */
	for (int level = 0; level < 4; level++) {
		int any = 0;
		for (int i = 0; i < n; i++)
			any |= clash[i] = !level || label_clash(t, n, i);
		if (!any)
			break;
		for (int i = 0; i < n; i++) {
			if (given[i] || !clash[i])
				continue;
			if (level == 0 || level == 1)
				stem(t[i].path[0] ? t[i].path : "trace", level == 1, t[i].label, sizeof(t[i].label));
			else if (level == 2)
				command_label(&t[i], t[i].label, sizeof(t[i].label));
			else {
				char tmp[sizeof(t[i].label)];
				snprintf(tmp, sizeof(tmp), "%s", t[i].label);
				snprintf(t[i].label, sizeof(t[i].label), "#%d %.100s", i + 1, tmp);
			}
		}
	}
}
