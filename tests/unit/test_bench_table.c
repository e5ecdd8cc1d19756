// SPDX-License-Identifier: GPL-2.0-only
/* perfanity bench rendering against golden outputs (tests/unit/golden/bench_*):
 * the seed-shaped table, --stats, markdown, CSV, --compare and the sweep's slopes.
 * UPDATE_GOLDEN=1 rewrites the golden files from the current output (review the diff). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "bench_table.h"

/* Golden files live next to this source file, wherever the test is run from. */
static char *golden_path(const char *name)
{
	const char *src = __FILE__;
	const char *slash = strrchr(src, '/');
	char *p;
	if (asprintf(&p, "%.*sgolden/%s", slash ? (int)(slash - src + 1) : 0, src, name) < 0)
		return NULL;
	return p;
}

static json_t *load(const char *name)
{
	char *p = golden_path(name);
	json_error_t e;
	json_t *j = json_load_file(p, 0, &e);
	if (!j)
		fail_msg("%s: %s", p, e.text);
	free(p);
	return j;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

static void check_golden(const char *name, const char *got)
{
	char *p = golden_path(name);
	if (getenv("UPDATE_GOLDEN")) {
		FILE *f = fopen(p, "w");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
	}
	char *want = slurp(p);
	if (!want)
		fail_msg("missing golden file %s (UPDATE_GOLDEN=1 creates it)", p);
	if (strcmp(want, got))
		fail_msg("%s differs.\n--- want\n%s--- got\n%s", p, want, got);
	free(want);
	free(p);
}

static void render_doc(const char *golden, enum bench_format format, int stats)
{
	json_t *doc = load("bench_result.json");
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct bench_table_opts o = { format, stats };
	assert_int_equal(bench_table_render(f, doc, &o), 0);
	fclose(f);
	check_golden(golden, out);
	free(out);
	json_decref(doc);
}

static void text_table(void **state) { (void)state; render_doc("bench_table.txt", BENCH_TEXT, 0); }
static void text_table_stats(void **state) { (void)state; render_doc("bench_table_stats.txt", BENCH_TEXT, 1); }
static void markdown_table(void **state) { (void)state; render_doc("bench_table.md", BENCH_MARKDOWN, 0); }
static void csv_table(void **state) { (void)state; render_doc("bench_table.csv", BENCH_CSV, 0); }

static void compare_two_runs(void **state)
{
	(void)state;
	json_t *a = load("bench_result.json"), *b = load("bench_result_b.json");
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_int_equal(bench_table_compare(f, a, "linux", b, "wsl", BENCH_TEXT), 0);
	fclose(f);
	check_golden("bench_compare.txt", out);
	free(out);
	json_decref(a);
	json_decref(b);
}

static void sweep_slopes(void **state)
{
	(void)state;
	json_t *s = load("bench_sweep.json");
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_int_equal(bench_table_sweep(f, s, BENCH_TEXT), 0);
	fclose(f);
	check_golden("bench_sweep.txt", out);
	free(out);
	json_decref(s);
}

/* Under load every cell may warn: the table lists ten and counts the rest. */
static void many_warnings_are_summarized(void **state)
{
	(void)state;
	json_t *doc = load("bench_result.json");
	size_t i, k, ok = 0;
	json_t *config, *cell;
	json_array_foreach(json_object_get(doc, "configs"), i, config)
		json_array_foreach(json_object_get(config, "cells"), k, cell)
			if (!strcmp(json_string_value(json_object_get(cell, "status")), "ok")) {
				json_object_set_new(cell, "warning", json_string("relative spread 50% (stddev/mean)"));
				ok++;
			}
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct bench_table_opts o = { BENCH_TEXT, 0 };
	bench_table_render(f, doc, &o);
	fclose(f);
	size_t lines = 0;
	for (char *p = strstr(out, "\nwarning: "); p; p = strstr(p + 1, "\nwarning: "))
		lines++;
	assert_int_equal(lines, 11);
	char want[128];
	snprintf(want, sizeof(want), "warning: %zu more noisy cell(s), marked ? (details in --json)\n", ok - 10);
	assert_non_null(strstr(out, want));
	free(out);
	json_decref(doc);
}

/* Size cells: the short byte style, and "-" for what was not measured. */
static void human_sizes(void **state)
{
	(void)state;
	char buf[32];
	bench_human_bytes(6400000, buf, sizeof(buf));
	assert_string_equal(buf, "6.1M");
	bench_human_bytes(-1, buf, sizeof(buf));
	assert_string_equal(buf, "-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_table),
		cmocka_unit_test(text_table_stats),
		cmocka_unit_test(markdown_table),
		cmocka_unit_test(csv_table),
		cmocka_unit_test(compare_two_runs),
		cmocka_unit_test(sweep_slopes),
		cmocka_unit_test(many_warnings_are_summarized),
		cmocka_unit_test(human_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
