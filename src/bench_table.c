// SPDX-License-Identifier: GPL-2.0-only
/* Rendering of bench results: the seed's table (text), markdown and CSV, the side-by-side
 * comparison of two runs, and the sweep's slopes. Everything reads the result JSON, so a
 * saved --json file renders exactly like a live run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_table.h"
#include "pf_util.h"

/* A table of strings with a two-level header (groups of columns), before layout.
 * A cell is a number part (right-aligned) and a mark part ("*", "?"; left-aligned) so
 * marks never push numbers out of line. */
struct grid {
	const char *corner[2];
	size_t n_groups;
	char **group_names;
	size_t *group_cols;
	size_t n_cols;
	char **col_names;
	size_t n_rows;
	char **row_labels;
	char **num;  /* n_rows * n_cols */
	char **mark;
};

static void grid_init(struct grid *g, size_t groups, size_t cols, size_t rows)
{
	memset(g, 0, sizeof(*g));
	g->group_names = calloc(groups + 1, sizeof(char *));
	g->group_cols = calloc(groups + 1, sizeof(size_t));
	g->col_names = calloc(cols + 1, sizeof(char *));
	g->row_labels = calloc(rows + 1, sizeof(char *));
	g->num = calloc(rows * cols + 1, sizeof(char *));
	g->mark = calloc(rows * cols + 1, sizeof(char *));
	g->n_cols = cols;
	g->n_rows = rows;
}

static void grid_free(struct grid *g)
{
	for (size_t i = 0; i < g->n_groups; i++)
		free(g->group_names[i]);
	for (size_t i = 0; i < g->n_cols; i++)
		free(g->col_names[i]);
	for (size_t i = 0; i < g->n_rows; i++)
		free(g->row_labels[i]);
	for (size_t i = 0; i < g->n_rows * g->n_cols; i++) {
		free(g->num[i]);
		free(g->mark[i]);
	}
	free(g->group_names);
	free(g->group_cols);
	free(g->col_names);
	free(g->row_labels);
	free(g->num);
	free(g->mark);
}

static void grid_group(struct grid *g, const char *name, size_t cols)
{
	g->group_names[g->n_groups] = strdup(name);
	g->group_cols[g->n_groups++] = cols;
}

static void grid_set(struct grid *g, size_t r, size_t c, const char *num, const char *mark)
{
	free(g->num[r * g->n_cols + c]);
	free(g->mark[r * g->n_cols + c]);
	g->num[r * g->n_cols + c] = strdup(num);
	g->mark[r * g->n_cols + c] = strdup(mark);
}

void bench_human_bytes(long long bytes, char *buf, size_t len)
{
	if (bytes < 0)
		snprintf(buf, len, "-"); /* not measured */
	else
		pf_fmt_bytes_as(buf, len, (uint64_t)bytes, PF_BYTES_SHORT);
}

static void pad(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

/* Trailing blanks are trimmed so golden files and diffs stay clean. */
static void put_line(FILE *out, char *buf, size_t len)
{
	while (len && buf[len - 1] == ' ')
		len--;
	fwrite(buf, 1, len, out);
	fputc('\n', out);
}

#define COL_SEP 1
#define MAX_WARNING_LINES 10
#define GROUP_SEP 3

static void grid_print_text(FILE *out, const struct grid *g)
{
	size_t lw = pf_text_width(g->corner[0]);
	if (pf_text_width(g->corner[1]) > lw)
		lw = pf_text_width(g->corner[1]);
	for (size_t r = 0; r < g->n_rows; r++)
		if (pf_text_width(g->row_labels[r]) > lw)
			lw = pf_text_width(g->row_labels[r]);
	size_t *numw = calloc(g->n_cols + 1, sizeof(size_t));
	size_t *markw = calloc(g->n_cols + 1, sizeof(size_t));
	size_t *colw = calloc(g->n_cols + 1, sizeof(size_t));
	for (size_t c = 0; c < g->n_cols; c++) {
		for (size_t r = 0; r < g->n_rows; r++) {
			size_t nw = pf_text_width(g->num[r * g->n_cols + c]), mw = pf_text_width(g->mark[r * g->n_cols + c]);
			numw[c] = nw > numw[c] ? nw : numw[c];
			markw[c] = mw > markw[c] ? mw : markw[c];
		}
		colw[c] = numw[c] + markw[c];
		if (pf_text_width(g->col_names[c]) > colw[c])
			colw[c] = pf_text_width(g->col_names[c]);
	}
	char *line = NULL;
	size_t len = 0;
	FILE *f;
	/* Header 1: group names, left-aligned over their columns. */
	f = open_memstream(&line, &len);
	fputs(g->corner[0], f);
	pad(f, lw - pf_text_width(g->corner[0]));
	for (size_t grp = 0, c = 0; grp < g->n_groups; grp++) {
		size_t span = 0;
		for (size_t k = 0; k < g->group_cols[grp]; k++, c++)
			span += colw[c] + (k ? COL_SEP : 0);
		pad(f, grp ? GROUP_SEP : 2);
		fputs(g->group_names[grp], f);
		if (span > pf_text_width(g->group_names[grp]))
			pad(f, span - pf_text_width(g->group_names[grp]));
	}
	fclose(f);
	put_line(out, line, len);
	free(line);
	/* Header 2 and rows: column names and cells, right-aligned. */
	for (size_t r = 0; r <= g->n_rows; r++) {
		line = NULL;
		f = open_memstream(&line, &len);
		const char *label = r ? g->row_labels[r - 1] : g->corner[1];
		fputs(label, f);
		pad(f, lw - pf_text_width(label));
		for (size_t grp = 0, c = 0; grp < g->n_groups; grp++) {
			for (size_t k = 0; k < g->group_cols[grp]; k++, c++) {
				pad(f, k ? COL_SEP : grp ? GROUP_SEP : 2);
				if (!r) {
					pad(f, colw[c] - pf_text_width(g->col_names[c]));
					fputs(g->col_names[c], f);
					continue;
				}
				const char *num = g->num[(r - 1) * g->n_cols + c];
				const char *mark = g->mark[(r - 1) * g->n_cols + c];
				num = num ? num : "";
				mark = mark ? mark : "";
				pad(f, colw[c] - numw[c] - markw[c]);
				pad(f, numw[c] - pf_text_width(num));
				fputs(num, f);
				fputs(mark, f);
				pad(f, markw[c] - pf_text_width(mark));
			}
		}
		fclose(f);
		put_line(out, line, len);
		free(line);
	}
	free(numw);
	free(markw);
	free(colw);
}

static void grid_print_markdown(FILE *out, const struct grid *g)
{
	fprintf(out, "| %s / %s |", g->corner[0], g->corner[1]);
	for (size_t grp = 0, c = 0; grp < g->n_groups; grp++)
		for (size_t k = 0; k < g->group_cols[grp]; k++, c++)
			fprintf(out, " %s%s%s |", g->group_names[grp], g->group_names[grp][0] ? " " : "",
				g->col_names[c]);
	fputs("\n|---|", out);
	for (size_t c = 0; c < g->n_cols; c++)
		fputs("---:|", out);
	fputc('\n', out);
	for (size_t r = 0; r < g->n_rows; r++) {
		fprintf(out, "| %s |", g->row_labels[r]);
		for (size_t c = 0; c < g->n_cols; c++) {
			const char *num = g->num[r * g->n_cols + c] ? g->num[r * g->n_cols + c] : "";
			const char *mark = g->mark[r * g->n_cols + c] ? g->mark[r * g->n_cols + c] : "";
			int best = strchr(mark, '*') != NULL;
			fprintf(out, " %s%s%s%s |", best ? "**" : "", num, best ? "**" : "",
				strchr(mark, '?') ? "?" : "");
		}
		fputc('\n', out);
	}
}

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

static void setup_headers(struct grid *g, const struct columns *cols, const struct size_cols *sizes)
{
	g->corner[0] = "step";
	g->corner[1] = "goal";
	size_t c = 0;
	for (size_t s = 0; s < cols->n_steps; s++) {
		grid_group(g, cols->steps[s], cols->n_goals);
		for (size_t k = 0; k < cols->n_goals; k++)
			g->col_names[c++] = strdup(cols->goals[k]);
	}
	if (sizes) {
		grid_group(g, "size", 2);
		g->col_names[c++] = strdup(sizes->names[0]);
		g->col_names[c++] = strdup(sizes->names[1]);
	}
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
	size_t rows = json_array_size(configs), ncols = cols.n_steps * cols.n_goals + 2;
	struct grid g;
	grid_init(&g, cols.n_steps + 1, ncols, rows);
	setup_headers(&g, &cols, size_cols(doc));
	char buf[128];
	int any_best = 0, any_noisy = 0;
	for (size_t r = 0; r < rows; r++)
		g.row_labels[r] = strdup(str(json_array_get(configs, r), "label"));
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
				grid_set(&g, r, c, buf, mark);
			}
		}
	}
	/* Size columns: the last artifact built and PEX_ROOT after the last run (or the docker
	 * image and its push cost); smallest marked. */
	const char *const *size_keys = size_cols(doc)->keys;
	for (int q = 0; q < 2; q++) {
		size_t c = cols.n_steps * cols.n_goals + q, n_ok = 0;
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
			grid_set(&g, r, c, buf, is_best ? "*" : "");
		}
	}
	if (opts->format == BENCH_MARKDOWN)
		grid_print_markdown(out, &g);
	else
		grid_print_text(out, &g);
	grid_free(&g);
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
	size_t n = json_array_size(labels), ncols = cols.n_steps * cols.n_goals;
	struct grid g;
	grid_init(&g, cols.n_steps, ncols, 3 * n);
	setup_headers(&g, &cols, NULL);
	char buf[128], lab[512];
	for (size_t r = 0; r < n; r++) {
		const char *label = json_string_value(json_array_get(labels, r));
		json_t *ca = config_by_label(a, label), *cb = config_by_label(b, label);
		snprintf(lab, sizeof(lab), "%s [%s]", label, name_a);
		g.row_labels[3 * r] = strdup(lab);
		snprintf(lab, sizeof(lab), "%*s[%s]", (int)strlen(label) + 1, "", name_b);
		g.row_labels[3 * r + 1] = strdup(lab);
		snprintf(lab, sizeof(lab), "%*sratio", (int)strlen(label) + 1, "");
		g.row_labels[3 * r + 2] = strdup(lab);
		for (size_t s = 0, col = 0; s < cols.n_steps; s++) {
			for (size_t k = 0; k < cols.n_goals; k++, col++) {
				json_t *xa = ca ? find_cell(ca, cols.steps[s], cols.goals[k]) : NULL;
				json_t *xb = cb ? find_cell(cb, cols.steps[s], cols.goals[k]) : NULL;
				cell_number(xa, 0, buf, sizeof(buf));
				grid_set(&g, 3 * r, col, buf, "");
				cell_number(xb, 0, buf, sizeof(buf));
				grid_set(&g, 3 * r + 1, col, buf, "");
				if (cell_ok(xa) && cell_ok(xb) && num(xa, "median") > 0)
					snprintf(buf, sizeof(buf), "%.2fx", num(xb, "median") / num(xa, "median"));
				else
					snprintf(buf, sizeof(buf), "-");
				grid_set(&g, 3 * r + 2, col, buf, "");
			}
		}
	}
	if (format == BENCH_MARKDOWN)
		grid_print_markdown(out, &g);
	else
		grid_print_text(out, &g);
	fprintf(out, "seconds (medians); ratio = %s / %s\n", name_b, name_a);
	grid_free(&g);
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
	size_t rows = json_array_size(slopes), ncols = cols.n_steps * cols.n_goals;
	struct grid g;
	grid_init(&g, cols.n_steps, ncols, rows);
	setup_headers(&g, &cols, NULL);
	char buf[64];
	for (size_t r = 0; r < rows; r++) {
		json_t *row = json_array_get(slopes, r);
		g.row_labels[r] = strdup(str(row, "label"));
		for (size_t s = 0, c = 0; s < cols.n_steps; s++) {
			for (size_t k = 0; k < cols.n_goals; k++, c++) {
				char key[128];
				snprintf(key, sizeof(key), "%s/%s", cols.steps[s], cols.goals[k]);
				json_t *v = json_object_get(json_object_get(row, "seconds_per_unit"), key);
				if (json_is_number(v))
					snprintf(buf, sizeof(buf), "%.1f", 1000 * json_number_value(v));
				else
					snprintf(buf, sizeof(buf), "-");
				grid_set(&g, r, c, buf, "");
			}
		}
	}
	if (format == BENCH_MARKDOWN)
		grid_print_markdown(out, &g);
	else
		grid_print_text(out, &g);
	fprintf(out, "milliseconds per added %s (least-squares slope of the medians over %s)\n",
		str(sweep, "unit"), str(sweep, "variable"));
	grid_free(&g);
	columns_free(&cols);
	return 0;
}
