// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for ELF symbol lookup, against Debian's libz and python3.11.
 * The expected offsets are computed independently from `readelf` output
 * (symbol value, then the PT_LOAD segment holding it), not hard-coded, so
 * a Debian update of either file does not break the test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "elf_syms.h"

#define LIBZ "/lib/x86_64-linux-gnu/libz.so.1"
#define PY "/usr/bin/python3.11"

/* Expected file offset of a defined FUNC symbol per readelf, or 0 if the
 * file does not define it. */
static unsigned long readelf_offset(const char *path, const char *sym)
{
	char cmd[512], line[512];
	unsigned long vaddr = 0;
	snprintf(cmd, sizeof(cmd), "readelf -Ws --dyn-syms '%s' 2>/dev/null", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char val[32], type[32], ndx[32], name[256];
		/*   Num:    Value          Size Type    Bind   Vis      Ndx Name */
		if (sscanf(line, "%*s %31s %*s %31s %*s %*s %31s %255s", val, type, ndx, name) != 4)
			continue;
		char *at = strchr(name, '@'); /* versioned dynsym names: inflate@@ZLIB_1.2.0 */
		if (at)
			*at = 0;
		if (!strcmp(name, sym) && !strcmp(type, "FUNC") && strcmp(ndx, "UND"))
			vaddr = strtoul(val, NULL, 16);
	}
	pclose(p);
	if (!vaddr)
		return 0;
	snprintf(cmd, sizeof(cmd), "readelf -lW '%s'", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	unsigned long off = 0;
	while (fgets(line, sizeof(line), p)) {
		unsigned long o, va, pa, fsz;
		if (sscanf(line, " LOAD 0x%lx 0x%lx 0x%lx 0x%lx", &o, &va, &pa, &fsz) == 4 &&
		    vaddr >= va && vaddr < va + fsz)
			off = vaddr - va + o;
	}
	pclose(p);
	assert_true(off != 0);
	return off;
}

static int have_readelf(void)
{
	return system("readelf --version >/dev/null 2>&1") == 0;
}

static void test_libz_inflate(void **state)
{
	(void)state;
	if (access(LIBZ, R_OK) || !have_readelf())
		skip();
	unsigned long off = 0, want = readelf_offset(LIBZ, "inflate");
	assert_true(want != 0);
	assert_int_equal(pf_elf_sym_offset(LIBZ, "inflate", &off), 0);
	assert_int_equal(off, want);
	/* other exported functions agree too; an absent one is -ENOENT */
	assert_int_equal(pf_elf_sym_offset(LIBZ, "inflateEnd", &off), 0);
	assert_int_equal(off, readelf_offset(LIBZ, "inflateEnd"));
	assert_int_equal(pf_elf_sym_offset(LIBZ, "no_such_function_here", &off), -ENOENT);
}

/* python3.11 is not PIE (vaddr 0x400000-based), so offset != vaddr: this
 * checks the segment conversion. Debian's links zlib dynamically: inflate
 * is an undefined reference there and must not be reported. */
static void test_python(void **state)
{
	(void)state;
	if (access(PY, R_OK) || !have_readelf())
		skip();
	unsigned long off = 0, want = readelf_offset(PY, "Py_Initialize");
	assert_true(want != 0);
	assert_int_equal(pf_elf_sym_offset(PY, "Py_Initialize", &off), 0);
	assert_int_equal(off, want);
	unsigned long zwant = readelf_offset(PY, "inflate");
	int rc = pf_elf_sym_offset(PY, "inflate", &off);
	if (zwant) {
		assert_int_equal(rc, 0);
		assert_int_equal(off, zwant);
	} else {
		assert_int_equal(rc, -ENOENT);
	}
}

static void test_errors(void **state)
{
	(void)state;
	unsigned long off;
	assert_int_equal(pf_elf_sym_offset("/nonexistent/libz.so", "inflate", &off), -ENOENT);
	assert_int_equal(pf_elf_sym_offset("/etc/passwd", "inflate", &off), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libz_inflate),
		cmocka_unit_test(test_python),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
