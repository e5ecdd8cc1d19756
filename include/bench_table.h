/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity bench: render results (the result JSON) as the seed's table, markdown, CSV. */
#ifndef PF_BENCH_TABLE_H
#define PF_BENCH_TABLE_H
#include <stdio.h>
#include <jansson.h>

enum bench_format { BENCH_TEXT, BENCH_MARKDOWN, BENCH_CSV };

struct bench_table_opts {
	enum bench_format format;
	int stats; /* median±stddev min–max instead of the median alone */
};

/* One result document (as written by --json): table, legend and warnings. */
int bench_table_render(FILE *out, json_t *doc, const struct bench_table_opts *opts);
/* Two result documents side by side, with ratios b/a. */
int bench_table_compare(FILE *out, json_t *a, const char *name_a, json_t *b,
			const char *name_b, enum bench_format format);
/* A sweep document: slope (seconds per dependency) of every cell. */
int bench_table_sweep(FILE *out, json_t *sweep, enum bench_format format);
/* A size cell: "6.1M" (pf_fmt_bytes_as, PF_BYTES_SHORT), "-" when negative (not measured). */
void bench_human_bytes(long long bytes, char *buf, size_t len);

#endif
