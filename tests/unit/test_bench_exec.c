// SPDX-License-Identifier: GPL-2.0-only
/* bench_exec's time to the first output line (the docker preset's start goal): a command
 * that prints, then keeps running, has its first line long before its exit; one that
 * prints nothing has none. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "bench_exec.h"

static char out_path[] = "/tmp/pf-test-exec-XXXXXX";

static void first_line_before_exit(void **state)
{
	(void)state;
	struct bench_exec_result r;
	/* the line is written at once, the exit a second later */
	assert_int_equal(bench_exec("echo ready; sleep 1", NULL, NULL, out_path, "/dev/null", 30, &r), 0);
	assert_int_equal(r.exit_code, 0);
	assert_true(r.seconds >= 1.0);
	assert_true(r.first_line >= 0 && r.first_line < r.seconds / 2);
}

static void no_line_no_time(void **state)
{
	(void)state;
	struct bench_exec_result r;
	assert_int_equal(bench_exec("printf partial", NULL, NULL, out_path, "/dev/null", 30, &r), 0);
	assert_true(r.first_line < 0);
	assert_int_equal(bench_exec("true", NULL, NULL, NULL, NULL, 30, &r), 0);
	assert_true(r.first_line < 0);
}

int main(void)
{
	int fd = mkstemp(out_path);
	if (fd < 0)
		return 1;
	close(fd);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_line_before_exit),
		cmocka_unit_test(no_line_no_time),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(out_path);
	return rc;
}
