/* SPDX-License-Identifier: GPL-2.0-only */
/* The Python-packaging view of a trace: archives, venvs, imports, pex phases,
 * interpreters. Derived from the model; added to the JSON and the summary. */
#ifndef PF_TRACE_PYTHON_H
#define PF_TRACE_PYTHON_H
#include <stdio.h>
#include <jansson.h>
#include "trace_model.h"
#include "pex_phases.h"

struct pf_venv_row {
	char *path;            /* the directory holding pyvenv.cfg */
	uint64_t files_created;
	uint64_t mutations;
	uint64_t ns;           /* file time under it */
};

/* Venvs: directories with a pyvenv.cfg among the trace's files, with what
 * happened under them. *out is malloc'd; returns the count. */
size_t pf_trace_venvs(struct pf_trace *tr, struct pf_venv_row **out);
void pf_venv_rows_free(struct pf_venv_row *v, size_t n);

/* One entry per exec'd image (processes in order, their images in order), so
 * re-execs are visible; a process's first image starts at its fork. Times
 * relative to the trace's start; strings point into tr. Free with free(). */
struct pf_pex_proc *pf_trace_images(const struct pf_trace *tr, size_t *n);

/* Adds "archives", "venvs", "imports", "phases", "interpreters", "probes". */
void pf_trace_python_json(struct pf_trace *tr, json_t *root);
void pf_trace_python_summary(struct pf_trace *tr, FILE *out, int top);

#endif
