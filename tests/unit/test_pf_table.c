// SPDX-License-Identifier: GPL-2.0-only
/* The one table renderer (include/pf_table.h): exact text and Markdown of a plain
 * table (report's) and of a grouped one with marks (bench's seed shape). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pf_table.h"

static char *render(const struct pf_table *t, int markdown, const char *indent)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	pf_table_print(f, t, markdown, indent);
	fclose(f);
	return buf;
}

static void plain_table_aligns_and_trims(void **state)
{
	(void)state;
	struct pf_table *t = pf_table_new(3, "lrl", "file", "time", "note");

	pf_table_add(t, "a_b.py", "1.5 s", "");
	pf_table_add(t, "long|name", "12 ms", "x");
	assert_int_equal(pf_table_rows(t), 2);
	char *text = render(t, 0, "  ");
	assert_string_equal(text, "  file        time  note\n"
				  "  a_b.py     1.5 s\n"
				  "  long|name  12 ms  x\n");
	char *md = render(t, 1, NULL);
	assert_string_equal(md, "| file | time | note |\n"
				"| --- | ---: | --- |\n"
				"| a\\_b.py | 1.5 s |  |\n"
				"| long\\|name | 12 ms | x |\n");
	free(text);
	free(md);
	pf_table_free(t);
}

static void groups_and_marks_keep_numbers_in_line(void **state)
{
	(void)state;
	struct pf_table *t = pf_table_blank(4, "lrrr");

	pf_table_corner(t, "step");
	pf_table_set(t, -1, 0, "goal", NULL);
	pf_table_group(t, "clean", 2);
	pf_table_group(t, "size", 1);
	pf_table_set(t, -1, 1, "package", NULL);
	pf_table_set(t, -1, 2, "run", NULL);
	pf_table_set(t, -1, 3, "artifact", NULL);
	int a = pf_table_add_blank(t), b = pf_table_add_blank(t);
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	pf_table_set(t, a, 0, "cfg-a", NULL);
	pf_table_set(t, a, 1, "10.25", "*");
	pf_table_set(t, a, 2, "1.00", "?");
	pf_table_set(t, a, 3, "6.1M", NULL);
	pf_table_set(t, b, 0, "cfg-b", NULL);
	pf_table_set(t, b, 1, "9.50", NULL);
	pf_table_set(t, b, 2, "0.90", "*?");
	pf_table_set(t, b, 3, "6.0M", "*");
	char *text = render(t, 0, NULL);
	assert_string_equal(text, "step   clean            size\n"
				  "goal   package    run   artifact\n"
				  "cfg-a   10.25* 1.00?       6.1M\n"
				  "cfg-b    9.50  0.90*?      6.0M*\n");
	char *md = render(t, 1, NULL);
	assert_string_equal(md, "| step / goal | clean package | clean run | size artifact |\n"
				"| --- | ---: | ---: | ---: |\n"
				"| cfg-a | **10.25** | 1.00? | 6.1M |\n"
				"| cfg-b | 9.50 | **0.90**? | **6.0M** |\n");
	free(text);
	free(md);
	pf_table_free(t);
}

static void out_of_range_is_refused_not_written(void **state)
{
	(void)state;
	assert_null(pf_table_new(0, ""));
	assert_null(pf_table_blank(PF_TABLE_MAX_COLS + 1, "l"));
	struct pf_table *t = pf_table_blank(1, "l");
	pf_table_set(t, 0, 0, "no such row", NULL);
	pf_table_set(t, -1, 1, "no such column", NULL);
	assert_int_equal(pf_table_rows(t), 0);
	pf_table_free(t);
	pf_table_add(NULL, "x");
	pf_table_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_table_aligns_and_trims),
		cmocka_unit_test(groups_and_marks_keep_numbers_in_line),
		cmocka_unit_test(out_of_range_is_refused_not_written),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
