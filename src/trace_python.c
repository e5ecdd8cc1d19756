// SPDX-License-Identifier: GPL-2.0-only
/* Archives, venvs, imports, pex phases and interpreters of a trace. */
#include <stdlib.h>
#include <string.h>
#include "pex_phases.h"
#include "pex_tree.h"
#include "py_module_name.h"
#include "trace_compile.h"
#include "trace_python.h"

static const char *archive_name(const struct pf_trace *tr, uint64_t hash)
{
	const char *p = hash ? pf_trace_path(tr, hash) : NULL;

	return p ? p : "(inflated without an archive read)";
}

size_t pf_trace_venvs(struct pf_trace *tr, struct pf_venv_row **out)
{
	struct pf_venv_row *v = NULL;
	size_t n = 0;

	for (size_t i = 0; i < tr->nfiles; i++) {
		const char *p = pf_trace_path(tr, tr->files[i].hash);
		size_t len = p ? strlen(p) : 0;
		struct pf_venv_row *nv;

		/* a venv built in this trace: its pyvenv.cfg was written (a stat or
		 * read of one is an interpreter looking, not building) */
		if (len < 11 || strcmp(p + len - 11, "/pyvenv.cfg") ||
		    !(tr->files[i].st.bytes_written || tr->files[i].st.mutations))
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[n] = (struct pf_venv_row){ .path = strndup(p, len - 11) };
		if (!v[n].path)
			break;
		n++;
	}
	/* everything under each venv directory counts towards it */
	for (size_t k = 0; k < n; k++) {
		size_t dl = strlen(v[k].path);

		for (size_t i = 0; i < tr->nfiles; i++) {
			const struct pf_file_row *f = &tr->files[i];
			const char *p = pf_trace_path(tr, f->hash);

			if (!p || strncmp(p, v[k].path, dl) || (p[dl] != '/' && p[dl]))
				continue;
			v[k].ns += f->st.ns;
			v[k].mutations += f->st.mutations;
			if (f->st.mutations || f->st.bytes_written)
				v[k].files_created++;
		}
	}
	*out = v;
	return n;
}

void pf_venv_rows_free(struct pf_venv_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

struct pf_pex_proc *pf_trace_images(const struct pf_trace *tr, size_t *n)
{
	size_t np = 0, cap = 0;
	struct pf_pex_proc *procs;

	for (size_t i = 0; i < tr->nprocs; i++)
		cap += tr->procs[i].nexecs ? tr->procs[i].nexecs : 1;
	procs = calloc(cap + 1, sizeof(*procs));
	for (size_t i = 0; procs && i < tr->nprocs; i++) {
		const struct pf_proc *p = &tr->procs[i];

		for (size_t e = 0; e < (p->nexecs ? p->nexecs : 1); e++) {
			char **argv = p->nexecs ? p->execs[e].argv : p->inherited_argv;
			int argc = 0;

			while (argv && argv[argc])
				argc++;
			procs[np++] = (struct pf_pex_proc){
				.pid = (int)p->pid, .ppid = (int)p->ppid,
				.exe = p->nexecs ? p->execs[e].exe : p->inherited_exe,
				.argv = (const char *const *)argv, .argc = argc,
				.start_ns = (e ? p->execs[e].ts : p->start_ts) - tr->t0,
				.end_ns = (e + 1 < p->nexecs ? p->execs[e + 1].ts : p->end_ts) - tr->t0,
			};
		}
	}
	*n = np;
	return procs;
}

/* The images as a tree, inclusive and exclusive (include/pex_tree.h). */
static json_t *phase_tree_json(const struct pf_pex_proc *procs, size_t np, uint64_t wall)
{
	struct pf_pex_tree t;
	json_t *nodes = json_array();

	if (pf_pex_tree_compute(procs, np, wall, &t))
		return json_pack("{s:I, s:I, s:o}", "wall_ns", (json_int_t)wall, "gap_ns", (json_int_t)wall, "nodes", nodes);
	for (size_t i = 0; i < t.n; i++) {
		const struct pf_pex_node *nd = &t.v[i];
		const struct pf_pex_proc *im = &procs[nd->image];

		json_array_append_new(nodes, json_pack("{s:i, s:i, s:i, s:s, s:s, s:I, s:I, s:I}", "pid", im->pid,
						       "parent", nd->parent, "depth", nd->depth, "exe", im->exe ? im->exe : "",
						       "role", nd->role, "start_ns", (json_int_t)nd->start_ns,
						       "incl_ns", (json_int_t)nd->incl_ns, "excl_ns", (json_int_t)nd->excl_ns));
	}
	json_t *o = json_pack("{s:I, s:I, s:o}", "wall_ns", (json_int_t)t.wall_ns, "gap_ns", (json_int_t)t.gap_ns,
			      "nodes", nodes);
	pf_pex_tree_free(&t);
	return o;
}

static json_t *phases_json(struct pf_trace *tr, json_t *root)
{
	struct pf_pex_file *files = calloc(tr->nfiles + 1, sizeof(*files));
	size_t np = 0;
	struct pf_pex_proc *procs = pf_trace_images(tr, &np);
	struct pf_pex_archive *arch = calloc(tr->narchives + 1, sizeof(*arch));
	struct pf_pex_phases ph = { 0 };
	json_t *a = json_array();

	if (!files || !procs || !arch)
		goto out;
	json_object_set_new(root, "phase_tree", phase_tree_json(procs, np, tr->t_end - tr->t0));
	for (size_t i = 0; i < tr->nfiles; i++) {
		const struct pf_file_row *f = &tr->files[i];

		files[i] = (struct pf_pex_file){ pf_trace_path(tr, f->hash), f->st.ns, f->st.bytes_read,
						 f->st.bytes_written, f->st.ops };
		if (!files[i].path)
			files[i].path = "?";
	}
	for (size_t i = 0; i < tr->narchives; i++)
		arch[i] = (struct pf_pex_archive){ archive_name(tr, tr->archives[i].hash), tr->archives[i].st.ns,
						   tr->archives[i].st.bytes_inflated, tr->archives[i].st.members };
	if (pf_pex_phases_compute(files, tr->nfiles, procs, np, arch, tr->narchives, &ph))
		goto out;
	for (size_t i = 0; i < ph.n; i++)
		json_array_append_new(a, json_pack("{s:i, s:s, s:s, s:I}", "pid", ph.v[i].pid, "name", ph.v[i].name,
						   "detail", ph.v[i].detail, "ns", (json_int_t)ph.v[i].ns));
	pf_pex_phases_free(&ph);
out:
	free(files);
	free(procs);
	free(arch);
	return a;
}

void pf_trace_python_json(struct pf_trace *tr, json_t *root)
{
	json_t *archives = json_array(), *venvs = json_array(), *imports = json_array(),
	       *interps = json_array(), *probes = json_array();
	struct pf_venv_row *v;
	size_t nv;

	pf_trace_sort_archives(tr);
	for (size_t i = 0; i < tr->narchives; i++) {
		const struct pf_archive_row *r = &tr->archives[i];

		json_array_append_new(archives, json_pack("{s:s, s:I, s:I, s:I, s:I}",
			"path", archive_name(tr, r->hash), "members", (json_int_t)r->st.members,
			"bytes_inflated", (json_int_t)r->st.bytes_inflated,
			"bytes_read", (json_int_t)r->st.bytes_read, "ns", (json_int_t)r->st.ns));
	}
	nv = pf_trace_venvs(tr, &v);
	for (size_t i = 0; i < nv; i++)
		json_array_append_new(venvs, json_pack("{s:s, s:I, s:I, s:I}", "path", v[i].path,
			"files_created", (json_int_t)v[i].files_created, "mutations", (json_int_t)v[i].mutations,
			"ns", (json_int_t)v[i].ns));
	pf_venv_rows_free(v, nv);
	pf_trace_sort_imports(tr);
	for (size_t i = 0; i < tr->nimports; i++) {
		const struct pf_import_row *r = &tr->imports[i];
		const char *m = pf_trace_module(tr, r->hash);
		char name[256];
		json_t *row;

		if (!r->st.count)
			continue; /* started but never finished within the trace */
		pf_py_module_name(m ? m : "?", name, sizeof(name));
		row = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "module", name,
			"ns", (json_int_t)r->st.ns, "self_ns", (json_int_t)r->st.self_ns,
			"count", (json_int_t)r->st.count, "compile_ns", (json_int_t)r->st.compile_ns,
			"compiled", (json_int_t)r->st.compiled);
		if (m && pf_py_is_module_file(m)) /* timed by PyEval_EvalCode: its code's file */
			json_object_set_new(row, "file", json_string(m));
		json_array_append_new(imports, row);
	}
	for (size_t i = 0; i < tr->ninterps; i++)
		json_array_append_new(interps, json_pack("{s:s, s:b, s:s, s:s}", "exe", tr->interps[i].exe,
			"usdt", tr->interps[i].usdt, "imports", tr->interps[i].imports,
			"imports_file", tr->interps[i].imports_file));
	for (size_t i = 0; i < tr->nprobes; i++)
		json_array_append_new(probes, json_pack("{s:s, s:s}", "kind", tr->probes[i].kind,
			"path", tr->probes[i].path));
	json_object_set_new(root, "archives", archives);
	json_object_set_new(root, "venvs", venvs);
	json_object_set_new(root, "imports", imports);
	json_object_set_new(root, "phases", phases_json(tr, root));
	json_object_set_new(root, "interpreters", interps);
	json_object_set_new(root, "probes", probes);
	json_object_set_new(root, "compile", pf_trace_compile_json(tr));
}

void pf_trace_python_summary(struct pf_trace *tr, FILE *out, int top)
{
	struct pf_venv_row *v;
	size_t nv, shown = 0;

	pf_trace_sort_archives(tr);
	if (tr->narchives)
		fprintf(out, "archives (zip_extract):\n");
	for (size_t i = 0; i < tr->narchives && (int)i < top; i++) {
		const struct pf_archive_row *r = &tr->archives[i];

		fprintf(out, "  %8.3f s %6llu members  %10llu bytes inflated  %s\n", r->st.ns / 1e9,
			(unsigned long long)r->st.members, (unsigned long long)r->st.bytes_inflated,
			archive_name(tr, r->hash));
	}
	nv = pf_trace_venvs(tr, &v);
	if (nv)
		fprintf(out, "venvs:\n");
	for (size_t i = 0; i < nv; i++)
		fprintf(out, "  %8.3f s %6llu files created  %s\n", v[i].ns / 1e9,
			(unsigned long long)v[i].files_created, v[i].path);
	pf_venv_rows_free(v, nv);
	pf_trace_compile_summary(tr, out);
	pf_trace_sort_imports(tr);
	if (tr->nimports)
		fprintf(out, "top imports (inclusive):\n");
	for (size_t i = 0; i < tr->nimports && (int)shown < top; i++) {
		const struct pf_import_row *r = &tr->imports[i];
		const char *m = pf_trace_module(tr, r->hash);
		char name[256];

		if (!r->st.count)
			continue;
		pf_py_module_name(m ? m : "?", name, sizeof(name));
		fprintf(out, "  %8.3f s  self %8.3f s  %s\n", r->st.ns / 1e9, r->st.self_ns / 1e9, name);
		shown++;
	}
	for (size_t i = 0; i < tr->ninterps; i++)
		if (!strcmp(tr->interps[i].imports, "none"))
			fprintf(out, "note: %s has neither an exported PyEval_EvalCode this kernel can probe nor "
				     "CPython USDT probes: its imports are not timed\n", tr->interps[i].exe);
}
