// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for the naming of sampled frames (stack_symbols.c): this
 * process's own functions and libc's through libdwfl, mappings without a
 * file, kernel addresses through /proc/kallsyms. The expected names are the
 * program's own (its symbols, its kallsyms), not typed-in addresses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "stack_symbols.h"

/* a function of this executable, with a symbol of its own */
__attribute__((noinline)) int pf_test_marker_function(int x)
{
	return x * 3 + 1;
}

static void test_own_function(void **state)
{
	struct pf_symbols *s = pf_symbols_new();
	struct pf_frame_name n;
	uint64_t addr = (uint64_t)(uintptr_t)&pf_test_marker_function;

	(void)state;
	assert_non_null(s);
	assert_int_equal(pf_symbols_note_pid(s, getpid()), 0);
	/* an address inside the function, as a sampled IP is */
	assert_int_equal(pf_symbols_user(s, getpid(), 0, addr + 2, &n), 0);
	assert_string_equal(n.func, "pf_test_marker_function");
	assert_string_equal(n.lib, "test_stack_symbols");
	/* named again from what was remembered: the same */
	memset(&n, 0, sizeof(n));
	assert_int_equal(pf_symbols_user(s, getpid(), 0, addr + 2, &n), 0);
	assert_string_equal(n.func, "pf_test_marker_function");
	assert_string_equal(n.lib, "test_stack_symbols");
	pf_symbols_free(s);
}

static void test_libc_function(void **state)
{
	struct pf_symbols *s = pf_symbols_new();
	struct pf_frame_name n;

	(void)state;
	assert_int_equal(pf_symbols_note_pid(s, getpid()), 0);
	assert_int_equal(pf_symbols_user(s, getpid(), 0, (uint64_t)(uintptr_t)&getppid, &n), 0);
	assert_string_equal(n.lib, "libc.so.6");
	assert_non_null(strstr(n.func, "getppid"));
	pf_symbols_free(s);
}

/* Mappings remembered, not read live: a maps text of a process that is
 * gone names what it had, a file-less mapping by its name. */
static void test_maps_text(void **state)
{
	struct pf_symbols *s = pf_symbols_new();
	struct pf_frame_name n;

	(void)state;
	assert_int_equal(pf_symbols_set_maps(s, 999999, 7,
					     "7fff0000-7fff2000 r-xp 00000000 00:00 0                          [vdso]\n"
					     "10000000-10001000 rw-p 00000000 00:00 0 \n"),
			 0);
	assert_int_not_equal(pf_symbols_user(s, 999999, 7, 0x7fff0010, &n), 0);
	assert_string_equal(n.lib, "[vdso]");
	assert_int_not_equal(pf_symbols_user(s, 999999, 7, 0x10000010, &n), 0);
	assert_string_equal(n.lib, "[anon]");
	assert_int_not_equal(pf_symbols_user(s, 999999, 7, 0x20000000, &n), 0);
	assert_string_equal(n.func, "[unknown]");
	/* a pid never noted */
	assert_int_not_equal(pf_symbols_user(s, 1234567, 7, 0x7fff0010, &n), 0);
	assert_string_equal(n.lib, "[unknown]");
	/* another image of the pid (after an exec): its own mappings, kept apart */
	assert_int_equal(pf_symbols_set_maps(s, 999999, 8, "7fff0000-7fff2000 r-xp 00000000 00:00 0 [vvar]\n"), 0);
	pf_symbols_user(s, 999999, 8, 0x7fff0010, &n);
	assert_string_equal(n.lib, "[vvar]");
	pf_symbols_user(s, 999999, 7, 0x7fff0010, &n);
	assert_string_equal(n.lib, "[vdso]");
	/* an image never seen: the pid's last mappings */
	pf_symbols_user(s, 999999, 9, 0x7fff0010, &n);
	assert_string_equal(n.lib, "[vvar]");
	pf_symbols_free(s);
}

/* A kernel function's address, and one inside it, name it. */
static void test_kernel(void **state)
{
	struct pf_symbols *s = pf_symbols_new();
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[256], want[256] = "", got[256];
	unsigned long long addr = 0;
	char type;

	(void)state;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 && addr && type == 'T' &&
		    !strcmp(name, "schedule")) {
			snprintf(want, sizeof(want), "%s", name);
			break;
		}
	if (f)
		fclose(f);
	if (!want[0]) {
		print_message("skipped: kallsyms has no addresses here (not root)\n");
		pf_symbols_free(s);
		return;
	}
	assert_int_equal(pf_symbols_kernel(s, addr, got, sizeof(got)), 0);
	assert_string_equal(got, want);
	assert_int_equal(pf_symbols_kernel(s, addr + 1, got, sizeof(got)), 0);
	assert_string_equal(got, want);
	assert_int_not_equal(pf_symbols_kernel(s, 16, got, sizeof(got)), 0);
	assert_string_equal(got, "[kernel]");
	pf_symbols_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_function),
		cmocka_unit_test(test_libc_function),
		cmocka_unit_test(test_maps_text),
		cmocka_unit_test(test_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
