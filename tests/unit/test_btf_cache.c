// SPDX-License-Identifier: GPL-2.0-only
/* The cached minimal BTF (btf_cache.h): its name follows the object and the
 * kernel, and it is made by bpftool or not at all. The object here is the
 * trace skeleton's own, so bpftool relocates what perfanity loads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "btf_cache.h"
#include "trace.h" /* the types the skeleton names */
#include "trace.skel.h"

static void name_follows_the_object(void **state)
{
	(void)state;
	size_t size;
	const unsigned char *obj = trace_bpf__elf_bytes(&size);
	unsigned char *changed = malloc(size);
	char a[64], b[64], c[64];

	assert_non_null(changed);
	memcpy(changed, obj, size);
	changed[size - 1] ^= 1;
	assert_int_equal(pf_btf_cache_name(obj, size, a, sizeof(a)), 0);
	assert_int_equal(pf_btf_cache_name(obj, size, b, sizeof(b)), 0);
	assert_int_equal(pf_btf_cache_name(changed, size, c, sizeof(c)), 0);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), strlen("core-0123456789abcdef.btf"));
	assert_memory_equal(a, "core-", 5);
	assert_string_equal(a + strlen(a) - 4, ".btf");
	assert_int_equal(pf_btf_cache_name(obj, size, a, 8), -1); /* no room: no name */
	free(changed);
}

static void made_once_by_bpftool(void **state)
{
	(void)state;
	char dir[] = "/tmp/pf-btf-XXXXXX", path[4096], again[4096];
	size_t size;
	const void *obj = trace_bpf__elf_bytes(&size);
	struct stat st, st2;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(pf_btf_cache_get(dir, obj, size, path, sizeof(path)), 0);
	assert_int_equal(stat(path, &st), 0);
	/* the types a few structs need, not the kernel's megabytes */
	assert_true(st.st_size > 0 && st.st_size < 64 * 1024);
	assert_int_equal(pf_btf_cache_get(dir, obj, size, again, sizeof(again)), 0);
	assert_string_equal(path, again);
	assert_int_equal(stat(again, &st2), 0);
	assert_int_equal(st.st_ino, st2.st_ino); /* found, not made again */
	unlink(path);
	assert_int_equal(rmdir(dir), 0); /* no temporary file left beside it */
}

static void no_bpftool_no_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/pf-btf-XXXXXX", path[4096];
	char *saved = strdup(getenv("PATH") ? getenv("PATH") : "");
	size_t size;
	const void *obj = trace_bpf__elf_bytes(&size);

	assert_non_null(mkdtemp(dir));
	setenv("PATH", dir, 1);
	assert_int_equal(pf_btf_cache_get(dir, obj, size, path, sizeof(path)), -1);
	setenv("PATH", saved, 1);
	free(saved);
	assert_int_equal(rmdir(dir), 0); /* empty: nothing half-made */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(name_follows_the_object),
		cmocka_unit_test(made_once_by_bpftool),
		cmocka_unit_test(no_bpftool_no_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
