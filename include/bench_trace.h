/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity bench --trace / --explain: measured commands run under the
 * tracer, and each cell's time explained from its traces. */
#ifndef PF_BENCH_TRACE_H
#define PF_BENCH_TRACE_H
#include <stdio.h>
#include <jansson.h>

/* The command line that runs cmd under `tracer trace -q -o trace_file`
 * (through /bin/sh -c when cmd needs a shell). malloc'd. */
/* Whether a command starts or enters Docker containers (docker run, start,
 * exec, compose): bench --trace then traces their processes too (--containers). */
int bench_runs_containers(const char *cmd);
char *bench_trace_wrap(const char *tracer, const char *trace_file, const char *cmd, int needs_shell);
/* What a sample keeps of a trace: {file, wall_ns, exit_code, totals}; NULL if
 * the tracer wrote none (it failed to start: the command's record says why). */
json_t *bench_trace_summary(const char *trace_file);
/* Adds to every measured cell "explain" (its median sample's main causes)
 * and, where its column has a faster cell, "explain_vs_best". */
void bench_explain(json_t *doc);
/* The explanations as text, below the table. */
void bench_explain_print(FILE *f, json_t *doc);

#endif
