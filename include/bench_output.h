/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity bench: what is done with a result — the table on stdout, --json, --csv,
 * --markdown, --explain's causes — and --compare of two results. */
#ifndef PF_BENCH_OUTPUT_H
#define PF_BENCH_OUTPUT_H
#include <jansson.h>
#include "bench_cli.h"

#define PF_EXIT_INTERRUPTED 130

/* Writes everything a's options ask for about doc (a bench or a bench-sweep document).
 * Returns the exit status: 130 interrupted, 1 some cell failed or a file could not be
 * written, else 0. */
int bench_write_outputs(json_t *doc, const struct bench_args *a);
/* --compare A.json B.json: side by side on stdout. Returns the exit status. */
int bench_compare(const char *a, const char *b, enum bench_format format);

#endif
