// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for the CPython layout read from ELF files (py_layout.c) and
 * the module names of import rows (py_module_name.c). The expected offsets
 * come from the interpreter itself (ctypes finds co_filename's pointer in a
 * code object and a str's first character), not typed in. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "py_layout.h"
#include "py_module_name.h"

/* What `python` says: co_filename's offset and an ASCII str's header size. */
static int ground_truth(const char *python, unsigned *co_filename, unsigned *ascii_hdr)
{
	char cmd[1024];
	FILE *p;
	int n;

	snprintf(cmd, sizeof(cmd),
		 "%s -c 'import ctypes, struct\n"
		 "co = compile(\"1\", \"pf_probe_file\", \"exec\")\n"
		 "raw = ctypes.string_at(id(co), 256)\n"
		 "off = [i for i in range(0, 256, 8) if struct.unpack_from(\"Q\", raw, i)[0] == id(co.co_filename)][0]\n"
		 "print(off, ctypes.string_at(id(co.co_filename), 96).index(b\"pf_probe_file\"))' 2>/dev/null",
		 python);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fscanf(p, "%u %u", co_filename, ascii_hdr);
	pclose(p);
	return n == 2 ? 0 : -1;
}

static void check_build(const char *python, const char *elf_file)
{
	struct pf_py_layout l;
	unsigned off, hdr;

	if (access(python, X_OK) || access(elf_file, R_OK) || ground_truth(python, &off, &hdr)) {
		print_message("skipped: %s not usable here\n", python);
		return;
	}
	assert_int_equal(pf_py_layout_read(elf_file, &l), 0);
	assert_int_equal(l.major, 3);
	assert_int_equal(l.co_filename, off);
	assert_int_equal(l.ascii_hdr, hdr);
}

static void test_debian_python311(void **state)
{
	(void)state;
	check_build("/usr/bin/python3.11", "/usr/bin/python3.11");
}

/* pyenv's shared builds: the layout is in libpython, not the executable. */
static void test_pyenv_shared_builds(void **state)
{
	static const char *const v[] = { "3.8.18", "3.9.18", "3.10.13", "3.11.7", "3.12.1", "3.13.0" };
	const char *home = getenv("HOME");

	(void)state;
	for (size_t i = 0; home && i < sizeof(v) / sizeof(v[0]); i++) {
		char py[512], lib[512], found[512];
		int minor = atoi(v[i] + 2);

		snprintf(py, sizeof(py), "%s/.pyenv/versions/%s/bin/python3.%d", home, v[i], minor);
		snprintf(lib, sizeof(lib), "%s/.pyenv/versions/%s/lib/libpython3.%d.so.1.0", home, v[i], minor);
		if (access(lib, R_OK))
			continue;
		assert_int_equal(pf_py_libpython(py, found, sizeof(found)), 0);
		assert_string_equal(found, lib);
		check_build(py, lib);
	}
}

static void test_not_python(void **state)
{
	struct pf_py_layout l;
	char out[256];

	(void)state;
	assert_int_not_equal(pf_py_layout_read("/bin/true", &l), 0);
	assert_int_not_equal(pf_py_libpython("/bin/true", out, sizeof(out)), 0);
	assert_int_not_equal(pf_py_layout_read("/nonexistent", &l), 0);
}

static void test_version_from_name(void **state)
{
	int ma = 0, mi = 0;

	(void)state;
	assert_int_equal(pf_py_version_from_name("/x/libpython3.12.so.1.0", &ma, &mi), 0);
	assert_int_equal(ma * 100 + mi, 312);
	assert_int_equal(pf_py_version_from_name("/usr/bin/python3.9", &ma, &mi), 0);
	assert_int_equal(ma * 100 + mi, 309);
	assert_int_not_equal(pf_py_version_from_name("/usr/bin/python3", &ma, &mi), 0);
}

static void expect_name(const char *key, const char *want)
{
	char out[256];

	pf_py_module_name(key, out, sizeof(out));
	assert_string_equal(out, want);
}

static void test_module_names(void **state)
{
	char dir[] = "/tmp/pf-unit-pkgXXXXXX", path[512];
	FILE *f;

	(void)state;
	expect_name("<frozen importlib._bootstrap_external>", "importlib._bootstrap_external");
	expect_name("json.decoder", "json.decoder"); /* a USDT row: already a name */
	expect_name("/usr/lib/python3.11/json/decoder.py", "json.decoder");
	expect_name("/usr/lib/python3.11/json/__init__.py", "json");
	expect_name("/v/lib/python3.12/site-packages/pex/pex.py", "pex.pex");
	expect_name("/usr/lib/python3/dist-packages/_distutils_hack/__init__.py", "_distutils_hack");
	expect_name("/r/lib/python3.9/lib-dynload/_json.cpython-39-x86_64-linux-gnu.so", "lib-dynload._json");
	assert_true(pf_py_is_module_file("<frozen os>"));
	assert_true(pf_py_is_module_file("/a/b.py"));
	assert_false(pf_py_is_module_file("os.path"));
	/* outside any known root: packages are found on disk */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pkg", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/pkg/__init__.py", dir);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	snprintf(path, sizeof(path), "%s/pkg/mod.py", dir);
	expect_name(path, "pkg.mod");
	snprintf(path, sizeof(path), "%s/pkg/__init__.py", dir);
	expect_name(path, "pkg");
	unlink(path);
	/* inside a zip archive (a .pex): hidden directories and wheels are roots */
	snprintf(path, sizeof(path), "%s/app.pex", dir);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	snprintf(path, sizeof(path), "%s/app.pex/.bootstrap/pex/fs/lock.py", dir);
	expect_name(path, "pex.fs.lock");
	snprintf(path, sizeof(path), "%s/app.pex/.deps/foo-1.0-py3-none-any.whl/foo/__init__.py", dir);
	expect_name(path, "foo");
	snprintf(path, sizeof(path), "%s/app.pex/app.py", dir);
	expect_name(path, "app");
	snprintf(path, sizeof(path), "%s/app.pex", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/pkg", dir);
	rmdir(path);
	rmdir(dir);
	expect_name("/nowhere/at/all/script.py", "script");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_python311), cmocka_unit_test(test_pyenv_shared_builds),
		cmocka_unit_test(test_not_python), cmocka_unit_test(test_version_from_name),
		cmocka_unit_test(test_module_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
