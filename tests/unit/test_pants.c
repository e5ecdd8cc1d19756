// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of src/pants.c: which commands run Pants with its daemon, and
 * where a build root is. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "pants.h"

static void test_uses_pantsd(void **state)
{
	char *a1[] = { "/x/.venv-pants/bin/pants", "package", "::", NULL };
	char *a2[] = { "pants", "--no-pantsd", "package", "::", NULL };
	char *a3[] = { "pants", "--pantsd=false", "run", "a:b", NULL };
	char *a4[] = { "python3.9", "-m", "pants", "test", "::", NULL };
	char *a5[] = { "pantsd", "x", NULL };
	char *a6[] = { "make", "pants", NULL };

	(void)state;
	unsetenv("PANTS_PANTSD");
	assert_true(pf_pants_uses_pantsd(a1));
	assert_false(pf_pants_uses_pantsd(a2));
	assert_false(pf_pants_uses_pantsd(a3));
	assert_true(pf_pants_uses_pantsd(a4));
	assert_false(pf_pants_uses_pantsd(a5));
	assert_false(pf_pants_uses_pantsd(a6));
	assert_false(pf_pants_uses_pantsd(NULL));
	setenv("PANTS_PANTSD", "False", 1);
	assert_false(pf_pants_uses_pantsd(a1));
	unsetenv("PANTS_PANTSD");
}

static void test_buildroot(void **state)
{
	char tmpl[] = "/tmp/pf-pants-XXXXXX", path[512], root[512];
	char *dir = mkdtemp(tmpl);

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/src/app/deep", dir);
	assert_int_equal(system(strcat(strcpy(root, "mkdir -p "), path)), 0);
	/* no pants.toml anywhere up to / (assuming /tmp has none) */
	assert_int_equal(pf_pants_buildroot(path, root, sizeof(root)), -1);
	snprintf(root, sizeof(root), "%s/pants.toml", dir);
	fclose(fopen(root, "w"));
	assert_int_equal(pf_pants_buildroot(path, root, sizeof(root)), 0);
	assert_string_equal(root, dir);
	assert_int_equal(pf_pants_buildroot(dir, root, sizeof(root)), 0);
	assert_string_equal(root, dir);
	/* too small a buffer is a failure, not a cut path */
	assert_int_equal(pf_pants_buildroot(path, root, 8), -1);
	assert_int_equal(pf_pants_buildroot("/nonexistent/dir", root, sizeof(root)), -1);
	/* no pantsd has run there */
	assert_int_equal(pf_pantsd_find(dir), 0);
	assert_int_equal(pf_pantsd_stop(dir, 1), 0);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uses_pantsd),
		cmocka_unit_test(test_buildroot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
