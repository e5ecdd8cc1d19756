// SPDX-License-Identifier: GPL-2.0-only
/* Bytecode compilation as a cause (see trace_compile.h). The kernel side
 * counts, per imported module, compilations (Py_CompileStringObject, while
 * the module is the innermost import); the files tell whether the result was
 * cached: .pyc written, __pycache__ created. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "categories.h"
#include "trace_compile.h"

#define NO_BYTECODE_ENV "PYTHONDONTWRITEBYTECODE="

void pf_trace_note_python_env(struct pf_trace *tr, pid_t pid)
{
	char path[64], buf[65536];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	for (size_t i = 0; i < n; i += strlen(buf + i) + 1)
		if (!strncmp(buf + i, NO_BYTECODE_ENV, strlen(NO_BYTECODE_ENV)) &&
		    buf[i + strlen(NO_BYTECODE_ENV)]) /* set and not empty, as CPython reads it */
			tr->no_bytecode_writes_pid = (uint32_t)pid;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* .pyc written and __pycache__ directories created, from the file rows. */
static void cache_files(struct pf_trace *tr, struct pf_compile_stats *cs)
{
	for (size_t i = 0; i < tr->nfiles; i++) {
		const char *path = pf_trace_path(tr, tr->files[i].hash);

		if (!path)
			continue;
		/* CPython writes NAME.pyc.<id> and renames it into place */
		if (strstr(path, "/__pycache__/") && strstr(path, ".pyc") && tr->files[i].st.bytes_written)
			cs->pyc_written++;
		if (ends_with(path, "/__pycache__") && tr->files[i].st.mutations) {
			if (!cs->pycache_created++)
				snprintf(cs->pycache_dir, sizeof(cs->pycache_dir), "%s", path);
		}
	}
}

/* Why compiled modules were not cached, from what the trace saw. */
static void explain(const struct pf_trace *tr, struct pf_compile_stats *cs)
{
	if (!cs->modules_compiled)
		return;
	if (tr->no_bytecode_writes_pid)
		snprintf(cs->reason, sizeof(cs->reason),
			 "PYTHONDONTWRITEBYTECODE is set (pid %u): no .pyc is written, every run compiles again",
			 tr->no_bytecode_writes_pid);
	else if (!cs->pyc_written)
		snprintf(cs->reason, sizeof(cs->reason),
			 "no .pyc written: python -B, or a __pycache__ that cannot be written (read-only)");
	else if (cs->pycache_created)
		snprintf(cs->reason, sizeof(cs->reason), "__pycache__ missing (%llu created, first %s)",
			 (unsigned long long)cs->pycache_created, cs->pycache_dir);
	else
		snprintf(cs->reason, sizeof(cs->reason),
			 "stale .pyc: the source changed since it was cached (timestamp or hash)");
}

void pf_trace_compile_stats(struct pf_trace *tr, struct pf_compile_stats *cs)
{
	memset(cs, 0, sizeof(*cs));
	for (size_t i = 0; i < tr->nprocs; i++)
		cs->ns += tr->procs[i].cat_ns[PF_CAT_COMPILE];
	for (size_t i = 0; i < tr->nimports; i++) {
		if (tr->imports[i].st.compiled)
			cs->modules_compiled++;
		else if (tr->imports[i].st.count)
			cs->modules_not_compiled++;
	}
	cache_files(tr, cs);
	explain(tr, cs);
}

json_t *pf_trace_compile_json(struct pf_trace *tr)
{
	struct pf_compile_stats cs;

	pf_trace_compile_stats(tr, &cs);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:s}", "ns", (json_int_t)cs.ns, "modules_compiled",
			 (json_int_t)cs.modules_compiled, "modules_not_compiled", (json_int_t)cs.modules_not_compiled,
			 "pyc_written", (json_int_t)cs.pyc_written, "pycache_created",
			 (json_int_t)cs.pycache_created, "reason", cs.reason);
}

void pf_trace_compile_summary(struct pf_trace *tr, FILE *out)
{
	struct pf_compile_stats cs;

	pf_trace_compile_stats(tr, &cs);
	if (!cs.modules_compiled && !cs.ns)
		return;
	fprintf(out, "compile: %.3f s compiling %llu imported modules (%llu imported without)%s%s\n", cs.ns / 1e9,
		(unsigned long long)cs.modules_compiled, (unsigned long long)cs.modules_not_compiled,
		cs.reason[0] ? ": " : "", cs.reason);
}
