// SPDX-License-Identifier: GPL-2.0-only
/* perfanity bench's outputs (include/bench_output.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "perfanity.h"
#include "pf_json.h"
#include "bench_exec.h"
#include "bench_output.h"
#include "bench_table.h"
#include "bench_trace.h"

static int any_failed(json_t *doc)
{
	size_t i, k;
	json_t *config, *cell;
	json_array_foreach(json_object_get(doc, "configs"), i, config)
		json_array_foreach(json_object_get(config, "cells"), k, cell)
			if (!strcmp(pf_json_str(cell, "status", ""), "failed"))
				return 1;
	return 0;
}

static int write_text_file(const char *path, json_t *doc, enum bench_format format, int stats)
{
	struct bench_table_opts o = { format, stats };
	if (!strcmp(path, "-"))
		return 0; /* printed instead of the table */
	FILE *f = fopen(path, "w");
	if (!f) {
		pf_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	bench_table_render(f, doc, &o);
	if (fclose(f)) {
		pf_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Every point's table, then the slopes. Returns whether some cell failed. */
static int print_sweep(json_t *doc, const struct bench_args *a)
{
	struct bench_table_opts topts = { a->stdout_format, a->stats };
	int failed = 0;
	json_t *pt;
	size_t i;
	json_array_foreach(json_object_get(doc, "points"), i, pt) {
		json_t *res = json_object_get(pt, "result");
		printf("%s%s=%d\n", i ? "\n" : "", a->sweep.variable, a->sweep.values[i]);
		bench_table_render(stdout, res, &topts);
		failed |= any_failed(res);
	}
	putchar('\n');
	if (json_array_size(json_object_get(doc, "points")) >= 2)
		bench_table_sweep(stdout, doc, a->stdout_format == BENCH_CSV ? BENCH_TEXT : a->stdout_format);
	return failed;
}

/* The table (and --explain's causes) on stdout, --csv and --markdown files. Returns
 * whether some cell failed or a file could not be written. */
static int print_result(json_t *doc, const struct bench_args *a)
{
	struct bench_table_opts topts = { a->stdout_format, a->stats };
	int failed = 0;
	bench_table_render(stdout, doc, &topts);
	if (a->explain && a->stdout_format == BENCH_TEXT)
		bench_explain_print(stdout, doc);
	if ((a->csv_out && write_text_file(a->csv_out, doc, BENCH_CSV, a->stats)) ||
	    (a->md_out && write_text_file(a->md_out, doc, BENCH_MARKDOWN, a->stats)))
		failed = 1;
	return failed | any_failed(doc);
}

int bench_write_outputs(json_t *doc, const struct bench_args *a)
{
	int failed = 0;
	if (a->explain && !a->sweep.n)
		bench_explain(doc); /* before the work directory and its traces go */
	if (a->json_out && pf_json_write(doc, a->json_out))
		failed = 1;
	failed |= a->sweep.n ? print_sweep(doc, a) : print_result(doc, a);
	fflush(stdout);
	if (bench_interrupted || json_is_true(json_object_get(doc, "interrupted")))
		return PF_EXIT_INTERRUPTED;
	return failed ? PF_EXIT_FAIL : PF_EXIT_OK;
}

/* A result file's name without directory and extensions: the column heading. */
static char *short_name(const char *path)
{
	char *s = pf_xstrdup(pf_base_name(path));
	s[strcspn(s, ".")] = 0;
	return s;
}

int bench_compare(const char *a, const char *b, enum bench_format format)
{
	json_t *ja = pf_json_read(a), *jb = ja ? pf_json_read(b) : NULL;
	int rc = PF_EXIT_USAGE;
	if (!ja || !jb)
		goto out;
	const char *ka = pf_json_str(ja, "kind", ""), *kb = pf_json_str(jb, "kind", "");
	if (strcmp(ka, "bench") || strcmp(kb, "bench")) {
		pf_err("%s: not a bench result (a perfanity bench --json file without --sweep)",
		       strcmp(ka, "bench") ? a : b);
		goto out;
	}
	char *na = short_name(a), *nb = short_name(b);
	int same = !strcmp(na, nb); /* same file names in different directories */
	bench_table_compare(stdout, ja, same ? "A" : na, jb, same ? "B" : nb, format);
	free(na);
	free(nb);
	rc = PF_EXIT_OK;
out:
	json_decref(ja);
	json_decref(jb);
	return rc;
}
