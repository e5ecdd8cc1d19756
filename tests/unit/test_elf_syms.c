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
#include <zlib.h>
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

/* A maps file as the kernel writes it: duplicates, non-exec mappings,
 * anonymous ones, pseudo-files and a deleted file are all ignored. */
static void test_maps_file(void **state)
{
	(void)state;
	if (access(LIBZ, R_OK) || access(PY, R_OK) || !have_readelf())
		skip();
	char path[] = "/tmp/pf_test_maps_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fprintf(f,
		"00400000-0041f000 r--p 00000000 08:01 1234 " PY "\n"
		"0041f000-006d2000 r-xp 0001f000 08:01 1234 " PY "\n"
		"01000000-01100000 rw-p 00000000 00:00 0 [heap]\n"
		"7f0000000000-7f0000003000 r--p 00000000 08:01 99 " LIBZ "\n"
		"7f0000003000-7f0000016000 r-xp 00003000 08:01 99 " LIBZ "\n"
		"7f0000016000-7f000001d000 r--p 00016000 08:01 99 " LIBZ "\n"
		"7f0000100000-7f0000103000 r-xp 00003000 08:01 98 /tmp/gone/libz.so.1 (deleted)\n"
		"7f0000200000-7f0000201000 r-xp 00000000 00:00 0\n"
		"7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0 [vdso]\n");
	fclose(f);
	struct pf_elf_hit *hits = NULL;
	int n = pf_elf_find_in_maps(path, "inflate", &hits);
	unlink(path);
	int py_has = readelf_offset(PY, "inflate") != 0;
	assert_int_equal(n, 1 + py_has);
	int libz_at = py_has; /* maps order: python first */
	assert_string_equal(hits[libz_at].path, LIBZ);
	assert_int_equal(hits[libz_at].file_offset, readelf_offset(LIBZ, "inflate"));
	pf_elf_hits_free(hits, n);
	assert_true(pf_elf_find_in_maps("/nonexistent/maps", "inflate", &hits) < 0);
}

/* This test binary links zlib, so its own process maps a libz exporting inflate. */
static void test_self(void **state)
{
	(void)state;
	assert_non_null(zlibVersion()); /* keep libz needed even with --as-needed */
	struct pf_elf_hit *hits = NULL;
	int n = pf_elf_find_in_pid(getpid(), "inflate", &hits);
	assert_true(n >= 1);
	int found = 0;
	for (int i = 0; i < n; i++)
		found |= strstr(hits[i].path, "libz.so") != NULL && hits[i].file_offset > 0;
	assert_true(found);
	pf_elf_hits_free(hits, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libz_inflate),
		cmocka_unit_test(test_python),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_maps_file),
		cmocka_unit_test(test_self),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
