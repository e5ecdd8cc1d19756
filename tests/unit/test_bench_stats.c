// SPDX-License-Identifier: GPL-2.0-only
/* perfanity bench statistics: median, mean, stddev, min, max, outliers, slope. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>
#include "bench_stats.h"

#define EPS 1e-9

static void odd_count(void **state)
{
	(void)state;
	double x[] = { 3, 1, 2 };
	struct bench_stats s;
	bench_stats_compute(x, 3, &s);
	assert_int_equal(s.n, 3);
	assert_float_equal(s.median, 2, EPS);
	assert_float_equal(s.mean, 2, EPS);
	assert_float_equal(s.stddev, 1, EPS); /* sample stddev: sqrt(2/2) */
	assert_float_equal(s.min, 1, EPS);
	assert_float_equal(s.max, 3, EPS);
	assert_float_equal(s.rel_spread, 0.5, EPS);
	/* the input is left in its order */
	assert_float_equal(x[0], 3, EPS);
}

static void even_count_median_is_midpoint(void **state)
{
	(void)state;
	double x[] = { 4, 1, 3, 2 };
	struct bench_stats s;
	bench_stats_compute(x, 4, &s);
	assert_float_equal(s.median, 2.5, EPS);
	assert_float_equal(s.stddev, sqrt(5.0 / 3), EPS);
}

static void single_sample_has_no_spread(void **state)
{
	(void)state;
	double x[] = { 1.25 };
	struct bench_stats s;
	char buf[128];
	bench_stats_compute(x, 1, &s);
	assert_float_equal(s.median, 1.25, EPS);
	assert_float_equal(s.stddev, 0, EPS);
	assert_null(bench_stats_warning(&s, buf, sizeof(buf)));
}

static void empty_is_all_zero(void **state)
{
	(void)state;
	struct bench_stats s;
	bench_stats_compute(NULL, 0, &s);
	assert_int_equal(s.n, 0);
	assert_float_equal(s.median, 0, EPS);
}

static void outlier_detected_and_warned(void **state)
{
	(void)state;
	double x[] = { 1.00, 1.01, 0.99, 1.02, 0.98, 1.00, 9.0 };
	struct bench_stats s;
	char buf[128];
	bench_stats_compute(x, 7, &s);
	assert_int_equal(s.outliers, 1);
	assert_float_equal(s.median, 1.00, EPS);
	const char *w = bench_stats_warning(&s, buf, sizeof(buf));
	assert_non_null(w);
	assert_non_null(strstr(w, "1 outlier"));
}

static void steady_samples_are_trusted(void **state)
{
	(void)state;
	double x[] = { 1.00, 1.01, 0.99, 1.02, 0.98 };
	struct bench_stats s;
	char buf[128];
	bench_stats_compute(x, 5, &s);
	assert_int_equal(s.outliers, 0);
	assert_null(bench_stats_warning(&s, buf, sizeof(buf)));
}

static void high_spread_warned(void **state)
{
	(void)state;
	double x[] = { 1.0, 1.5, 2.0 };
	struct bench_stats s;
	char buf[128];
	bench_stats_compute(x, 3, &s);
	const char *w = bench_stats_warning(&s, buf, sizeof(buf));
	assert_non_null(w);
	assert_string_equal(w, "relative spread 33% (stddev/mean)");
}

static void slope_of_a_line(void **state)
{
	(void)state;
	double x[] = { 10, 100, 400 }, y[] = { 1.0 + 0.01 * 10, 1.0 + 0.01 * 100, 1.0 + 0.01 * 400 };
	assert_float_equal(bench_slope(x, y, 3), 0.01, 1e-12);
	double same[] = { 5, 5 };
	assert_float_equal(bench_slope(same, y, 2), 0, EPS);
	assert_float_equal(bench_slope(x, y, 1), 0, EPS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(odd_count),
		cmocka_unit_test(even_count_median_is_midpoint),
		cmocka_unit_test(single_sample_has_no_spread),
		cmocka_unit_test(empty_is_all_zero),
		cmocka_unit_test(outlier_detected_and_warned),
		cmocka_unit_test(steady_samples_are_trusted),
		cmocka_unit_test(high_spread_warned),
		cmocka_unit_test(slope_of_a_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
