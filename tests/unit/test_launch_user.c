// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of who the traced command runs as (src/launch_user.c): --user
 * by name or uid, sudo's SUDO_* variables, and what is left alone. Uses the
 * machine's passwd database: root and nobody exist on every Debian. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <cmocka.h>
#include "perfanity.h"
#include "launch_user.h"

static const struct passwd *nobody(void)
{
	const struct passwd *pw = getpwnam("nobody");

	assert_non_null(pw);
	return pw;
}

static const char *env_of(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static void test_user_by_name_and_uid(void **state)
{
	struct passwd pw = *nobody();
	struct pf_run_as ra;
	char uid[32];

	(void)state;
	setenv("HOME", "/root", 1);
	assert_int_equal(pf_run_as_resolve("nobody", 0, &ra), 0);
	assert_true(ra.active);
	assert_int_equal(ra.uid, pw.pw_uid);
	assert_int_equal(ra.gid, pw.pw_gid);
	assert_true(ra.ngroups >= 1);
	assert_int_equal(ra.groups[0], pw.pw_gid);
	assert_string_equal(env_of(ra.envp, "HOME"), pw.pw_dir);
	assert_string_equal(env_of(ra.envp, "USER"), "nobody");
	assert_string_equal(env_of(ra.envp, "LOGNAME"), "nobody");
	pf_run_as_free(&ra);
	snprintf(uid, sizeof(uid), "%u", (unsigned)pw.pw_uid);
	assert_int_equal(pf_run_as_resolve(uid, 0, &ra), 0);
	assert_int_equal(ra.uid, pw.pw_uid);
	pf_run_as_free(&ra);
}

static void test_user_unchanged_or_refused(void **state)
{
	struct pf_run_as ra;

	(void)state;
	/* root, or the user perfanity already runs as: nothing to switch */
	assert_int_equal(pf_run_as_resolve("root", 0, &ra), 0);
	assert_false(ra.active);
	assert_int_equal(pf_run_as_resolve("0", 0, &ra), 0);
	assert_false(ra.active);
	assert_int_equal(pf_run_as_resolve("nobody", nobody()->pw_uid, &ra), 0);
	assert_false(ra.active);
	assert_int_equal(pf_run_as_resolve("no-such-user-pf", 0, &ra), PF_EXIT_USAGE);
	assert_int_equal(pf_run_as_resolve("", 0, &ra), PF_EXIT_USAGE);
	/* another user without root: the switch would fail, said up front */
	assert_int_equal(pf_run_as_resolve("root", 1000, &ra), PF_EXIT_USAGE);
}

static void test_sudo_vars(void **state)
{
	struct passwd pw = *nobody();
	struct pf_run_as ra;
	char uid[32];

	(void)state;
	snprintf(uid, sizeof(uid), "%u", (unsigned)pw.pw_uid);
	setenv("SUDO_UID", uid, 1);
	setenv("SUDO_GID", "4242", 1);
	setenv("SUDO_USER", "nobody", 1);
	assert_int_equal(pf_run_as_resolve(NULL, 0, &ra), 0);
	assert_true(ra.active);
	assert_int_equal(ra.uid, pw.pw_uid);
	assert_int_equal(ra.gid, 4242); /* the group sudo was run with */
	pf_run_as_free(&ra);
	/* not root: the SUDO_* of an outer sudo are not ours to act on */
	assert_int_equal(pf_run_as_resolve(NULL, 1000, &ra), 0);
	assert_false(ra.active);
	/* --user root wins over sudo */
	assert_int_equal(pf_run_as_resolve("root", 0, &ra), 0);
	assert_false(ra.active);
	setenv("SUDO_UID", "0", 1);
	assert_int_equal(pf_run_as_resolve(NULL, 0, &ra), 0);
	assert_false(ra.active);
	setenv("SUDO_UID", "x1", 1);
	assert_int_equal(pf_run_as_resolve(NULL, 0, &ra), PF_EXIT_USAGE);
	setenv("SUDO_UID", uid, 1);
	setenv("SUDO_GID", "", 1);
	assert_int_equal(pf_run_as_resolve(NULL, 0, &ra), PF_EXIT_USAGE);
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
	unsetenv("SUDO_USER");
	assert_int_equal(pf_run_as_resolve(NULL, 0, &ra), 0);
	assert_false(ra.active);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_by_name_and_uid),
		cmocka_unit_test(test_user_unchanged_or_refused),
		cmocka_unit_test(test_sudo_vars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
