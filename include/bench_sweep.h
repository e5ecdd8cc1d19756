/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity bench --sweep: the matrix rerun at each value of deps or dep_size, and each
 * cell's slope over it. */
#ifndef PF_BENCH_SWEEP_H
#define PF_BENCH_SWEEP_H
#include <jansson.h>
#include "bench_cli.h"
#include "bench_run.h"

/* The "bench-sweep" document: every point's result and the slopes (with "interrupted"
 * when Ctrl-C stopped it), or NULL on a harness error. m's swept value is changed. */
json_t *bench_sweep_run(struct bench_matrix *m, const struct bench_env *env, const struct bench_sweep *sw);

#endif
