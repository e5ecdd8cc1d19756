// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for the flame graph renderer (include/flame_svg.h), on given
 * folded stacks: widths proportional to the counts, children stacked on
 * their parent and inside its span, frames merged by name, one tower per
 * root frame, names escaped for XML, malformed lines skipped. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "flame_svg.h"

struct frame {
	char name[128];
	double x, y, w;
};

static char *render(const char *folded)
{
	char *svg = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&svg, &len);

	assert_non_null(f);
	assert_int_equal(pf_flame_svg(f, folded, "t & <title>", "us"), 0);
	fclose(f);
	return svg;
}

/* The frame whose <title> starts with name (as escaped in the SVG). */
static int find(const char *svg, const char *name, struct frame *fr)
{
	char want[160];
	const char *p;

	snprintf(want, sizeof(want), "<title>%s (", name);
	p = strstr(svg, want);
	if (!p)
		return -1;
	snprintf(fr->name, sizeof(fr->name), "%s", name);
	p = strstr(p, "<rect ");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "<rect x=\"%lf\" y=\"%lf\" width=\"%lf\"", &fr->x, &fr->y, &fr->w), 3);
	return 0;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_widths_nesting_towers(void **state)
{
	/* two processes: a (1) 300 + 100 = 400, b (2) 100; total 500 */
	char *svg = render("a (1);cpu 200\n"
			   "a (1);file_io;/x 100\n"
			   "b (2);cpu 100\n"
			   "a (1);cpu 100\n");
	struct frame all, a, b, acpu, afile, x, bcpu;

	(void)state;
	assert_int_equal(find(svg, "all", &all), 0);
	assert_int_equal(find(svg, "a (1)", &a), 0);
	assert_int_equal(find(svg, "b (2)", &b), 0);
	assert_int_equal(find(svg, "/x", &x), 0);
	assert_int_equal(find(svg, "file_io", &afile), 0);
	/* "cpu" twice: a's (first, by name order) and b's */
	assert_int_equal(count(svg, "<title>cpu ("), 2);
	assert_non_null(strstr(svg, "<title>cpu (300 us, 60.00%)"));
	assert_non_null(strstr(svg, "<title>cpu (100 us, 20.00%)"));
	assert_int_equal(find(svg, "cpu", &acpu), 0);
	assert_int_equal(find(strstr(svg, "<title>b (2)"), "cpu", &bcpu), 0);
	/* widths proportional to counts */
	assert_true(all.w > 1000);
	assert_true(abs((int)(a.w * 100 - all.w * 80)) < 100);
	assert_true(abs((int)(b.w * 100 - all.w * 20)) < 100);
	assert_true(abs((int)(acpu.w - 3 * afile.w)) < 1);
	assert_true(abs((int)(x.w - afile.w)) < 1);
	/* towers side by side on the base: a then b */
	assert_true(a.y == b.y && a.y < all.y);
	assert_true(a.x == all.x && b.x >= a.x + a.w - 0.01);
	/* nesting: a child one frame up, inside its parent's span */
	assert_true(acpu.y == a.y - PF_FLAME_FRAME_H && x.y == afile.y - PF_FLAME_FRAME_H);
	assert_true(afile.x >= a.x && afile.x + afile.w <= a.x + a.w + 0.01);
	assert_true(bcpu.x >= b.x && bcpu.x + bcpu.w <= b.x + b.w + 0.01);
	/* the whole of a's span is cpu and file_io, nothing else */
	assert_true(abs((int)(acpu.w + afile.w - a.w)) < 1);
	/* the script: zoom, search, its ready marker */
	assert_non_null(strstr(svg, "data-flame-ready"));
	assert_non_null(strstr(svg, "class=\"ui pf-search\""));
	free(svg);
}

static void test_escaping_and_bad_lines(void **state)
{
	char *svg = render("p<&>\"'q (7);import;\"json\" 10\n"
			   "no count here\n"
			   "x;y notanumber\n"
			   "bad\xff utf8 (8);cpu 10\n"
			   "\n"
			   "z (9);cpu 0\n");
	struct frame f;

	(void)state;
	assert_int_equal(find(svg, "p&lt;&amp;&gt;&quot;&#39;q (7)", &f), 0);
	assert_int_equal(find(svg, "&quot;json&quot;", &f), 0);
	assert_int_equal(find(svg, "bad? utf8 (8)", &f), 0);
	assert_null(strstr(svg, "notanumber"));
	assert_null(strstr(svg, "no count"));
	assert_null(strstr(svg, "z (9)"));
	assert_non_null(strstr(svg, "t &amp; &lt;title&gt;"));
	assert_null(strstr(svg, "<&"));
	assert_int_equal(count(svg, "<g class=\"f\""), 6); /* all; p, import, json; bad, cpu */
	free(svg);
}

static void test_empty(void **state)
{
	char *svg = render("");

	(void)state;
	assert_non_null(strstr(svg, "no samples"));
	assert_non_null(strstr(svg, "</svg>"));
	free(svg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_widths_nesting_towers),
		cmocka_unit_test(test_escaping_and_bad_lines),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
