/* SPDX-License-Identifier: GPL-2.0-only */
/* Bytecode compilation as a cause: the modules CPython compiled from source
 * during the trace (its .pyc missing, stale, or not writable), against those
 * it loaded as bytecode, and why the compiled ones were not cached. */
#ifndef PF_TRACE_COMPILE_H
#define PF_TRACE_COMPILE_H
#include <stdio.h>
#include <sys/types.h>
#include <jansson.h>
#include "trace_model.h"

struct pf_compile_stats {
	uint64_t ns;                 /* the compile category, all threads */
	uint64_t modules_compiled;   /* imported modules whose source was compiled */
	uint64_t modules_not_compiled; /* imported without compiling: a .pyc, frozen, builtin, extension */
	uint64_t pyc_written;        /* .pyc files written under a __pycache__ */
	uint64_t pycache_created;    /* __pycache__ directories created */
	char pycache_dir[512];       /* the first of them */
	char reason[640];            /* why what was compiled was not cached ("" if nothing was) */
};

/* A Python process just exec'd: note whether its environment forbids
 * writing bytecode (PYTHONDONTWRITEBYTECODE), while it can still be read. */
void pf_trace_note_python_env(struct pf_trace *tr, pid_t pid);
void pf_trace_compile_stats(struct pf_trace *tr, struct pf_compile_stats *cs);
/* "compile": {ns, modules_compiled, modules_not_compiled, pyc_written, pycache_created, reason} */
json_t *pf_trace_compile_json(struct pf_trace *tr);
/* One line of the summary, when anything was compiled. */
void pf_trace_compile_summary(struct pf_trace *tr, FILE *out);
#endif
