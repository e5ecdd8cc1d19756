/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity bench: run the matrix and build the result document. */
#ifndef PF_BENCH_RUN_H
#define PF_BENCH_RUN_H
#include <jansson.h>
#include "bench_matrix.h"

struct bench_env {
	const char *root;       /* perfanity's data: examples/, scripts/ (pf_paths.h) */
	const char *cache;      /* what set-up fetched: wheelhouse/, pants/offline.toml */
	const char *pex;        /* pex executable */
	const char *python;     /* interpreter for PEXes, pex --python and fixtures */
	const char *wheelhouse;
	const char *workdir;    /* all per-config directories live here */
	int quiet;              /* no progress on stderr */
	int dry_run;            /* print rendered commands, run nothing */
	int keep;               /* keep the work directory (artifacts, copies) */
	const char *tracer;     /* --trace: this perfanity, to run goals under `trace` */
	const char *wheel_cache; /* the warm-up's wheels (bench_uses_wheel_cache) */
	unsigned *trace_seq;    /* --trace: numbers the trace files of the work directory
				 * across runs (a sweep's points), so none is overwritten */
};

/* Whether the pex preset resolves from a local directory of wheels built once before
 * any measurement (`pip wheel`, with the user's pip configuration), so that measured
 * cells do not time the network: not when the matrix says network = true, nor when it
 * resolves from find_links only (no_index). */
int bench_uses_wheel_cache(const struct bench_matrix *m);

/* Run every config × step × repetition × goal. Returns the result document (also when
 * interrupted: "interrupted": true, finished cells only), or NULL on a harness error. */
json_t *bench_run(const struct bench_matrix *m, const struct bench_env *env);

/* Summary fields of each cell from its samples (median..., status, warning). */
void bench_finalize_cells(json_t *doc);

/* A one-line warning in buf when the machine is already busy (load average above half
 * its CPUs, or other processes using over a quarter of the CPU time in 0.3 s); returns 1
 * then, else 0. */
int bench_preflight(char *buf, size_t len);

/* Kernel, CPU model, cores, Python and pex versions. */
json_t *bench_machine_info(const char *python, const char *pex);

#endif
