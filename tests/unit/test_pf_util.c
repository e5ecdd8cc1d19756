// SPDX-License-Identifier: GPL-2.0-only
/* The small helpers every subcommand shares (pf_util.h): each is written once, so each
 * output keeps exactly the spelling it had when it had its own copy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "pf_util.h"

static void base_name(void **state)
{
	(void)state;
	assert_string_equal(pf_base_name("/usr/bin/python3"), "python3");
	assert_string_equal(pf_base_name("pants"), "pants");
	assert_string_equal(pf_base_name("dir/"), "");
	assert_string_equal(pf_base_name(NULL), "");
}

static void xstrdup_never_null(void **state)
{
	(void)state;
	char *a = pf_xstrdup("abc"), *b = pf_xstrdup(NULL);
	assert_string_equal(a, "abc");
	assert_string_equal(b, "");
	free(a);
	free(b);
}

static void clock_is_monotonic(void **state)
{
	(void)state;
	uint64_t a = pf_now_ns(), b = pf_now_ns();
	assert_true(a > 0 && b >= a);
	assert_true(pf_now_s() >= a / 1e9);
}

/* Table columns: one per code point, whatever its bytes. */
static void text_width(void **state)
{
	(void)state;
	assert_int_equal(pf_text_width("median"), 6);
	assert_int_equal(pf_text_width("0.41±0.02 0.39–0.44"), 19);
	assert_int_equal(pf_text_width(""), 0);
	assert_int_equal(pf_text_width(NULL), 0);
}

/* Each style is the spelling one output has always used. */
static void bytes_styles(void **state)
{
	(void)state;
	char b[32];
	/* report */
	assert_string_equal(pf_fmt_bytes(b, sizeof(b), 999), "999 B");
	assert_string_equal(pf_fmt_bytes(b, sizeof(b), 1024), "1.0 KiB");
	assert_string_equal(pf_fmt_bytes(b, sizeof(b), 5600000), "5.3 MiB");
	assert_string_equal(pf_fmt_bytes(b, sizeof(b), 3ULL << 40), "3.0 TiB");
	/* bench table cells */
	assert_string_equal(pf_fmt_bytes_as(b, sizeof(b), 0, PF_BYTES_SHORT), "0B");
	assert_string_equal(pf_fmt_bytes_as(b, sizeof(b), 1023, PF_BYTES_SHORT), "1023B");
	assert_string_equal(pf_fmt_bytes_as(b, sizeof(b), 6400000, PF_BYTES_SHORT), "6.1M");
	/* trace summary: a unit from 10 of it, at most MiB */
	assert_string_equal(pf_fmt_bytes_as(b, sizeof(b), 10239, PF_BYTES_TENS), "10239 B");
	assert_string_equal(pf_fmt_bytes_as(b, sizeof(b), 10240, PF_BYTES_TENS), "10.0 KiB");
	assert_string_equal(pf_fmt_bytes_as(b, sizeof(b), (10ULL << 20) - 1, PF_BYTES_TENS), "10240.0 KiB");
	assert_string_equal(pf_fmt_bytes_as(b, sizeof(b), 10ULL << 20, PF_BYTES_TENS), "10.0 MiB");
	assert_string_equal(pf_fmt_bytes_as(b, sizeof(b), 20ULL << 30, PF_BYTES_TENS), "20480.0 MiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(base_name),          cmocka_unit_test(xstrdup_never_null),
		cmocka_unit_test(clock_is_monotonic), cmocka_unit_test(text_width),
		cmocka_unit_test(bytes_styles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
