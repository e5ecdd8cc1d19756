// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for the samples' outputs (samples.c): folded lines and the
 * JSON's per-process split. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "samples.h"

static void fill(struct pf_samples *s)
{
	const struct pf_sample_row rows[] = {
		{ .pid = 7, .count = 8, .proc = "python3 (7)", .frames = "<module> (a.py:1);hot (a.py:2)",
		  .py_func = "hot (a.py:2)", .native_func = "_PyEval_EvalFrameDefault", .native_lib = "libpython3.12.so" },
		{ .pid = 7, .count = 2, .proc = "python3 (7)", .frames = "<module> (a.py:1);cold (a.py:9);read_k",
		  .py_func = "cold (a.py:9)", .native_func = "read", .native_lib = "libc.so.6",
		  .kernel_path = "__x64_sys_read -> vfs_read" },
		{ .pid = 9, .count = 5, .proc = "spin (9)", .frames = "" },
	};

	pf_samples_init(s, 99);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(pf_samples_add(s, &rows[i]), 0);
	/* the same frames again (stacks that differed where nothing is named): one row */
	assert_int_equal(pf_samples_add(s, &rows[0]), 0);
	s->rows[0].count -= rows[0].count;
	assert_int_equal(s->nrows, 3);
	s->count = 15;
}

static void test_folded(void **state)
{
	struct pf_samples s;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	(void)state;
	fill(&s);
	assert_int_equal(pf_samples_folded(&s, m), 3);
	fclose(m);
	assert_string_equal(text, "python3 (7);<module> (a.py:1);hot (a.py:2) 8\n"
				  "python3 (7);<module> (a.py:1);cold (a.py:9);read_k 2\n"
				  "spin (9) 5\n");
	free(text);
	pf_samples_free(&s);
}

static uint64_t cpu_of(void *arg, uint32_t pid)
{
	(void)arg;
	return pid == 7 ? 1000 : 0;
}

static void test_json(void **state)
{
	struct pf_samples s;
	json_t *j, *p, *py, *k;

	(void)state;
	fill(&s);
	j = pf_samples_to_json(&s, cpu_of, NULL, 10);
	assert_int_equal(json_integer_value(json_object_get(j, "hz")), 99);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 15);
	assert_int_equal(json_array_size(json_object_get(j, "processes")), 2);
	p = json_array_get(json_object_get(j, "processes"), 0);
	assert_int_equal(json_integer_value(json_object_get(p, "samples")), 10);
	assert_int_equal(json_integer_value(json_object_get(p, "cpu_ns")), 1000);
	py = json_array_get(json_object_get(p, "python_functions"), 0);
	assert_string_equal(json_string_value(json_object_get(py, "function")), "hot (a.py:2)");
	assert_true(json_real_value(json_object_get(py, "share")) == 0.8);
	k = json_object_get(p, "kernel_paths");
	assert_string_equal(json_string_value(json_object_get(json_array_get(k, 0), "path")), "(user mode)");
	assert_string_equal(json_string_value(json_object_get(json_array_get(k, 1), "path")),
			    "__x64_sys_read -> vfs_read");
	p = json_array_get(json_object_get(j, "processes"), 1);
	assert_null(json_object_get(p, "cpu_ns"));
	json_decref(j);
	pf_samples_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
