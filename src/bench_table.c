// SPDX-License-Identifier: GPL-2.0-only
/* Rendering of bench results: the seed's table (text), markdown and CSV, the side-by-side
 * comparison of two runs, and the sweep's slopes. Everything reads the result JSON, so a
 * saved --json file renders exactly like a live run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_table.h"
#include "pf_table.h"
#include "pf_util.h"

void bench_human_bytes(long long bytes, char *buf, size_t len)
{
	if (bytes < 0)
		snprintf(buf, len, "-"); /* not measured */
	else
		pf_fmt_bytes_as(buf, len, (uint64_t)bytes, PF_BYTES_SHORT);
}

#define MAX_WARNING_LINES 10

static json_t *find_cell(json_t *config, const char *step, const char *goal)
{
	size_t i;
	json_t *cell;
	json_array_foreach(json_object_get(config, "cells"), i, cell)
		if (!strcmp(json_string_value(json_object_get(cell, "step")) ?: "", step) &&
		    !strcmp(json_string_value(json_object_get(cell, "goal")) ?: "", goal))
			return cell;
	return NULL;
}

static double num(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_number(v) ? json_number_value(v) : -1;
}

static const char *str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key)) ?: "";
}

static int cell_ok(json_t *cell)
{
	return cell && !strcmp(str(cell, "status"), "ok") && num(cell, "median") >= 0;
}

static void cell_number(json_t *cell, int stats, char *buf, size_t len)
{
	if (!cell || !strcmp(str(cell, "status"), "not run"))
		snprintf(buf, len, "-");
	else if (!cell_ok(cell))
		snprintf(buf, len, "FAIL");
	else if (stats && num(cell, "cpu_median") >= 0)
		snprintf(buf, len, "%.2f±%.2f %.2f–%.2f cpu %.2f", num(cell, "median"), num(cell, "stddev"),
			 num(cell, "min"), num(cell, "max"), num(cell, "cpu_median"));
	else if (stats)
		snprintf(buf, len, "%.2f±%.2f %.2f–%.2f", num(cell, "median"), num(cell, "stddev"),
			 num(cell, "min"), num(cell, "max"));
	else
		snprintf(buf, len, "%.2f", num(cell, "median"));
}

/* Columns are step × goal from the matrix, then the two size columns. */
struct columns {
	size_t n_steps, n_goals;
	const char **steps, **goals;
};

static void columns_of(json_t *doc, struct columns *cols)
{
	json_t *matrix = json_object_get(doc, "matrix");
	json_t *steps = json_object_get(matrix, "steps"), *goals = json_object_get(matrix, "goals");
	cols->n_steps = json_array_size(steps);
	cols->n_goals = json_array_size(goals);
	cols->steps = calloc(cols->n_steps + 1, sizeof(char *));
	cols->goals = calloc(cols->n_goals + 1, sizeof(char *));
	for (size_t i = 0; i < cols->n_steps; i++)
		cols->steps[i] = str(json_array_get(steps, i), "name");
	for (size_t i = 0; i < cols->n_goals; i++)
		cols->goals[i] = str(json_array_get(goals, i), "name");
}

static void columns_free(struct columns *cols)
{
	free(cols->steps);
	free(cols->goals);
}

/* The size columns: the pex artifact and PEX_ROOT, or a docker image and its push cost. */
struct size_cols {
	const char *names[2], *keys[2], *legend;
};
static const struct size_cols pex_sizes = {
	{ "artifact", "pex_root" }, { "artifact_bytes", "pex_root_bytes" },
	"artifact = last package output, pex_root = PEX_ROOT after the last run, apparent sizes (bytes in files)"
};
static const struct size_cols docker_sizes = {
	{ "image", "push" }, { "image_bytes", "push_bytes" },
	"image = the last image's layers, push = bytes of its layers not in the image built before it "
	"(uncompressed layer tars, as docker save writes them)"
};

static const struct size_cols *size_cols(json_t *doc)
{
	const char *preset = json_string_value(json_object_get(json_object_get(doc, "matrix"), "preset"));
	return preset && !strcmp(preset, "docker") ? &docker_sizes : &pex_sizes;
}

/* The seed's shape: a row per configuration; a group per step, a column per goal
 * in it (and the size columns when sizes is set). Cell (r, c) of the steps' columns
 * is at table column 1 + c. */
static struct pf_table *seed_table(const struct columns *cols, const struct size_cols *sizes)
{
	size_t ncols = 1 + cols->n_steps * cols->n_goals + (sizes ? 2 : 0);
	char align[PF_TABLE_MAX_COLS + 1];
	struct pf_table *t;
	int c = 1;

	if (ncols > PF_TABLE_MAX_COLS)
		return NULL;
	memset(align, 'r', ncols);
	align[0] = 'l';
	align[ncols] = 0;
	t = pf_table_blank((int)ncols, align);
	pf_table_corner(t, "step");
	pf_table_set(t, -1, 0, "goal", NULL);
	for (size_t s = 0; s < cols->n_steps; s++) {
		pf_table_group(t, cols->steps[s], (int)cols->n_goals);
		for (size_t k = 0; k < cols->n_goals; k++)
			pf_table_set(t, -1, c++, cols->goals[k], NULL);
	}
	if (sizes) {
		pf_table_group(t, "size", 2);
		pf_table_set(t, -1, c++, sizes->names[0], NULL);
		pf_table_set(t, -1, c++, sizes->names[1], NULL);
	}
	return t;
}

static void print_table(FILE *out, struct pf_table *t, enum bench_format format)
{
	pf_table_print(out, t, format == BENCH_MARKDOWN, NULL);
	pf_table_free(t);
}

static void print_csv(FILE *out, json_t *doc)
{
	fputs("config,step,goal,status,n,median,mean,stddev,min,max,exit_code,warning\n", out);
	size_t i, k;
	json_t *config, *cell;
	json_array_foreach(json_object_get(doc, "configs"), i, config) {
		json_array_foreach(json_object_get(config, "cells"), k, cell) {
			fprintf(out, "\"%s\",%s,%s,%s,%lld", str(config, "label"), str(cell, "step"),
				str(cell, "goal"), str(cell, "status"),
				(long long)json_integer_value(json_object_get(cell, "n")));
			static const char *const keys[] = { "median", "mean", "stddev", "min", "max" };
			for (int q = 0; q < 5; q++) {
				if (cell_ok(cell))
					fprintf(out, ",%.6f", num(cell, keys[q]));
				else
					fputs(",", out);
			}
			json_t *ec = json_object_get(cell, "exit_code");
			if (json_is_integer(ec))
				fprintf(out, ",%lld", (long long)json_integer_value(ec));
			else
				fputs(",", out);
			fprintf(out, ",\"%s\"\n", str(cell, "warning"));
		}
	}
}

static int first_line_len(const char *s)
{
	return (int)strcspn(s, "\n");
}

/* The last non-empty line of a stderr tail: usually the error itself. */
static void last_line(const char *s, char *buf, size_t len)
{
	const char *end = s + strlen(s);
	while (end > s && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	const char *start = end;
	while (start > s && start[-1] != '\n')
		start--;
	snprintf(buf, len, "%.*s", (int)(end - start), start);
}

int bench_table_render(FILE *out, json_t *doc, const struct bench_table_opts *opts)
{
	if (opts->format == BENCH_CSV) {
		print_csv(out, doc);
		return 0;
	}
	struct columns cols;
	columns_of(doc, &cols);
	json_t *configs = json_object_get(doc, "configs");
	size_t rows = json_array_size(configs);
	struct pf_table *g = seed_table(&cols, size_cols(doc));
	char buf[128];
	int any_best = 0, any_noisy = 0;
	for (size_t r = 0; r < rows; r++)
		pf_table_set(g, pf_table_add_blank(g), 0, str(json_array_get(configs, r), "label"), NULL);
	for (size_t s = 0, c = 0; s < cols.n_steps; s++) {
		for (size_t k = 0; k < cols.n_goals; k++, c++) {
			/* The best cell: lowest median among measured ones (marked when there is a choice). */
			double best = -1;
			size_t n_ok = 0;
			for (size_t r = 0; r < rows; r++) {
				json_t *cell = find_cell(json_array_get(configs, r), cols.steps[s], cols.goals[k]);
				if (cell_ok(cell)) {
					n_ok++;
					if (best < 0 || num(cell, "median") < best)
						best = num(cell, "median");
				}
			}
			for (size_t r = 0; r < rows; r++) {
				json_t *cell = find_cell(json_array_get(configs, r), cols.steps[s], cols.goals[k]);
				char mark[4] = "";
				cell_number(cell, opts->stats, buf, sizeof(buf));
				if (cell_ok(cell) && n_ok > 1 && num(cell, "median") == best) {
					strcat(mark, "*");
					any_best = 1;
				}
				if (cell_ok(cell) && str(cell, "warning")[0]) {
					strcat(mark, "?");
					any_noisy = 1;
				}
				pf_table_set(g, (int)r, (int)(1 + c), buf, mark);
			}
		}
	}
	/* Size columns: the last artifact built and PEX_ROOT after the last run (or the docker
	 * image and its push cost); smallest marked. */
	const char *const *size_keys = size_cols(doc)->keys;
	for (int q = 0; q < 2; q++) {
		size_t c = 1 + cols.n_steps * cols.n_goals + q, n_ok = 0;
		long long best = -1;
		for (size_t r = 0; r < rows; r++) {
			json_t *v = json_object_get(json_array_get(configs, r), size_keys[q]);
			if (json_is_integer(v)) {
				n_ok++;
				if (best < 0 || json_integer_value(v) < best)
					best = json_integer_value(v);
			}
		}
		for (size_t r = 0; r < rows; r++) {
			json_t *v = json_object_get(json_array_get(configs, r), size_keys[q]);
			bench_human_bytes(json_is_integer(v) ? json_integer_value(v) : -1, buf, sizeof(buf));
			int is_best = json_is_integer(v) && n_ok > 1 && json_integer_value(v) == best;
			any_best |= is_best;
			pf_table_set(g, (int)r, (int)c, buf, is_best ? "*" : "");
		}
	}
	print_table(out, g, opts->format);
	columns_free(&cols);

	json_t *matrix = json_object_get(doc, "matrix");
	fprintf(out, "%sseconds, median of %lld repetition(s)%s", opts->format == BENCH_MARKDOWN ? "\n" : "",
		(long long)json_integer_value(json_object_get(matrix, "repetitions")),
		opts->stats ? " (median±stddev min–max, and cpu: user+sys seconds, which move far less with "
			      "other load)" : "");
	if (json_integer_value(json_object_get(matrix, "warmup")))
		fprintf(out, " after %lld warmup run(s)", (long long)json_integer_value(json_object_get(matrix, "warmup")));
	fprintf(out, "; %s in MiB (M)%s%s\n", size_cols(doc)->legend, any_best ? "; * best in column" : "", any_noisy ? "; ? noisy (see warnings)" : "");
	if (json_is_true(json_object_get(doc, "interrupted")))
		fputs("interrupted: cells marked - did not run\n", out);
	/* Failures, then warnings, one line each, so the table can be trusted or questioned.
	 * Failures are all listed; warnings up to a screenful (all are in the JSON). */
	size_t i, k, n_warn = 0;
	json_t *config, *cell;
	json_array_foreach(configs, i, config) {
		json_array_foreach(json_object_get(config, "cells"), k, cell) {
			const char *st = str(cell, "status");
			if (!strcmp(st, "failed")) {
				char why[256];
				last_line(str(cell, "stderr_tail"), why, sizeof(why));
				fprintf(out, "failed: %s %s/%s: %sexit %lld%s%.*s\n", str(config, "label"),
					str(cell, "step"), str(cell, "goal"),
					json_is_true(json_object_get(cell, "timed_out")) ? "timed out, " : "",
					(long long)json_integer_value(json_object_get(cell, "exit_code")),
					why[0] ? ": " : "", first_line_len(why), why);
			}
		}
	}
	json_array_foreach(configs, i, config) {
		json_array_foreach(json_object_get(config, "cells"), k, cell) {
			if (strcmp(str(cell, "status"), "ok") || !str(cell, "warning")[0])
				continue;
			if (n_warn++ < MAX_WARNING_LINES)
				fprintf(out, "warning: %s %s/%s: %s\n", str(config, "label"), str(cell, "step"),
					str(cell, "goal"), str(cell, "warning"));
		}
	}
	if (n_warn > MAX_WARNING_LINES)
		fprintf(out, "warning: %zu more noisy cell(s), marked ? (details in --json)\n",
			n_warn - MAX_WARNING_LINES);
	return 0;
}

static json_t *config_by_label(json_t *doc, const char *label)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(doc, "configs"), i, c)
		if (!strcmp(str(c, "label"), label))
			return c;
	return NULL;
}

int bench_table_compare(FILE *out, json_t *a, const char *name_a, json_t *b,
			const char *name_b, enum bench_format format)
{
	struct columns cols;
	columns_of(a, &cols);
	/* Rows: every config of a (then those only b has), each as a, b and b/a. */
	json_t *labels = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(a, "configs"), i, c)
		json_array_append_new(labels, json_string(str(c, "label")));
	json_array_foreach(json_object_get(b, "configs"), i, c)
		if (!config_by_label(a, str(c, "label")))
			json_array_append_new(labels, json_string(str(c, "label")));
	size_t n = json_array_size(labels);
	struct pf_table *g = seed_table(&cols, NULL);
	char buf[128], lab[512];
	for (size_t r = 0; r < n; r++) {
		const char *label = json_string_value(json_array_get(labels, r));
		json_t *ca = config_by_label(a, label), *cb = config_by_label(b, label);
		int ra = pf_table_add_blank(g), rb = pf_table_add_blank(g), rr = pf_table_add_blank(g);
		snprintf(lab, sizeof(lab), "%s [%s]", label, name_a);
		pf_table_set(g, ra, 0, lab, NULL);
		snprintf(lab, sizeof(lab), "%*s[%s]", (int)strlen(label) + 1, "", name_b);
		pf_table_set(g, rb, 0, lab, NULL);
		snprintf(lab, sizeof(lab), "%*sratio", (int)strlen(label) + 1, "");
		pf_table_set(g, rr, 0, lab, NULL);
		for (size_t s = 0, col = 0; s < cols.n_steps; s++) {
			for (size_t k = 0; k < cols.n_goals; k++, col++) {
				json_t *xa = ca ? find_cell(ca, cols.steps[s], cols.goals[k]) : NULL;
				json_t *xb = cb ? find_cell(cb, cols.steps[s], cols.goals[k]) : NULL;
				cell_number(xa, 0, buf, sizeof(buf));
				pf_table_set(g, ra, (int)(1 + col), buf, NULL);
				cell_number(xb, 0, buf, sizeof(buf));
				pf_table_set(g, rb, (int)(1 + col), buf, NULL);
				if (cell_ok(xa) && cell_ok(xb) && num(xa, "median") > 0)
					snprintf(buf, sizeof(buf), "%.2fx", num(xb, "median") / num(xa, "median"));
				else
					snprintf(buf, sizeof(buf), "-");
				pf_table_set(g, rr, (int)(1 + col), buf, NULL);
			}
		}
	}
	print_table(out, g, format);
	fprintf(out, "seconds (medians); ratio = %s / %s\n", name_b, name_a);
	columns_free(&cols);
	json_decref(labels);
	return 0;
}

int bench_table_sweep(FILE *out, json_t *sweep, enum bench_format format)
{
	json_t *points = json_object_get(sweep, "points");
	json_t *first = json_object_get(json_array_get(points, 0), "result");
	if (!first)
		return -1;
	struct columns cols;
	columns_of(first, &cols);
	json_t *slopes = json_object_get(sweep, "slopes");
	size_t rows = json_array_size(slopes);
	struct pf_table *g = seed_table(&cols, NULL);
	char buf[64];
	for (size_t r = 0; r < rows; r++) {
		json_t *row = json_array_get(slopes, r);
		pf_table_set(g, pf_table_add_blank(g), 0, str(row, "label"), NULL);
		for (size_t s = 0, c = 0; s < cols.n_steps; s++) {
			for (size_t k = 0; k < cols.n_goals; k++, c++) {
				char key[128];
				snprintf(key, sizeof(key), "%s/%s", cols.steps[s], cols.goals[k]);
				json_t *v = json_object_get(json_object_get(row, "seconds_per_unit"), key);
				if (json_is_number(v))
					snprintf(buf, sizeof(buf), "%.1f", 1000 * json_number_value(v));
				else
					snprintf(buf, sizeof(buf), "-");
				pf_table_set(g, (int)r, (int)(1 + c), buf, NULL);
			}
		}
	}
	print_table(out, g, format);
	fprintf(out, "milliseconds per added %s (least-squares slope of the medians over %s)\n",
		str(sweep, "unit"), str(sweep, "variable"));
	columns_free(&cols);
	return 0;
}
