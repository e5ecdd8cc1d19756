// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for pex phase recognition, on paths and argv as pex 2.x really
 * produces them (captured with strace from a requests pex, cold PEX_ROOT). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "pex_phases.h"
#include "dir_group.h"

#define R "/tmp/pr"
#define WH "/installed_wheels/3/"

static void test_classify(void **state)
{
	(void)state;
	char e[256];
	size_t rl = 0;
	assert_int_equal(pf_pex_classify(R WH "8641e8/requests-2.34.2-py3-none-any.whl/requests/api.py", &rl, e, sizeof(e)),
			 PF_PEX_INSTALLED_WHEELS);
	assert_int_equal(rl, strlen(R));
	assert_string_equal(e, "requests-2.34.2-py3-none-any.whl");
	/* staging dir and lock file name the same entry as the final dir */
	assert_int_equal(pf_pex_classify(R WH "8641e8/requests-2.34.2-py3-none-any.whl.lck.work/.deps/x.py", &rl, e, sizeof(e)),
			 PF_PEX_INSTALLED_WHEELS);
	assert_string_equal(e, "requests-2.34.2-py3-none-any.whl");
	assert_int_equal(pf_pex_classify(R WH "8641e8/.requests-2.34.2-py3-none-any.whl.atomic_directory.lck", &rl, e, sizeof(e)),
			 PF_PEX_INSTALLED_WHEELS);
	assert_string_equal(e, "requests-2.34.2-py3-none-any.whl");
	assert_int_equal(pf_pex_classify("/root/.cache/pex/bootstraps/0/a88f6c.lck.work/.bootstrap/pex/pth.py", &rl, e, sizeof(e)),
			 PF_PEX_BOOTSTRAPS);
	assert_int_equal(rl, strlen("/root/.cache/pex"));
	assert_string_equal(e, "a88f6c");
	assert_int_equal(pf_pex_classify(R "/venvs/4/cee8/73c7/bin/python", &rl, e, sizeof(e)), PF_PEX_VENVS);
	assert_string_equal(e, "cee8");
	assert_int_equal(pf_pex_classify(R "/unzipped_pexes/4/ab87/__main__.py", NULL, NULL, 0), PF_PEX_UNZIPPED_PEXES);
	assert_int_equal(pf_pex_classify(R "/user_code/0/da39", NULL, NULL, 0), PF_PEX_USER_CODE);
	/* not pex: no version component, relative, unrelated, area is the root */
	assert_int_equal(pf_pex_classify("/srv/venvs/app/bin/python", NULL, NULL, 0), -1);
	assert_int_equal(pf_pex_classify("tmp/pr/venvs/4/x", NULL, NULL, 0), -1);
	assert_int_equal(pf_pex_classify("/usr/lib/python3.11/os.py", NULL, NULL, 0), -1);
	assert_int_equal(pf_pex_classify("/venvs/4/x", NULL, NULL, 0), -1);
	assert_int_equal(pf_pex_classify(NULL, NULL, NULL, 0), -1);
	assert_string_equal(pf_pex_area_name(PF_PEX_ISOLATED), "isolated");
}

static const struct pf_pex_phase *find(const struct pf_pex_phases *ph, const char *name)
{
	for (size_t i = 0; i < ph->n; i++)
		if (!strcmp(ph->v[i].name, name))
			return &ph->v[i];
	return NULL;
}

/* A cold zipapp run: wheels installed, bootstrap extracted, re-exec from
 * unzipped_pexes, one interpreter identified. */
static void test_cold_zipapp(void **state)
{
	(void)state;
	const struct pf_pex_file files[] = {
		{ "/tmp/x.pex", 300000000, 1800000, 0, 900 },
		{ R WH "a9d7/certifi-2026.10.19.post1-py3-none-any.whl.lck.work/.deps/certifi-2026.10.19.post1-py3-none-any.whl/certifi/cacert.pem", 100000000, 0, 300000, 10 },
		{ R WH "a9d7/certifi-2026.10.19.post1-py3-none-any.whl/certifi/core.py", 10000000, 4000, 0, 3 },
		{ R WH "8641/requests-2.34.2-py3-none-any.whl.lck.work/.deps/requests-2.34.2-py3-none-any.whl/requests/api.py", 50000000, 0, 100000, 5 },
		{ R WH "26af/idna-3.20-py3-none-any.whl/idna/core.py", 5000000, 1000, 0, 2 },
		{ R "/bootstraps/0/a88f.lck.work/.bootstrap/pex/pth.py", 40000000, 0, 100000, 4 },
		{ R "/unzipped_pexes/4/ab87/__main__.py", 7000000, 500, 0, 2 },
		{ "/usr/lib/python3.11/os.py", 1000000, 100, 0, 2 },
	};
	const char *a0[] = { "/usr/bin/python3", "/tmp/x.pex", "-c", "import requests" };
	const char *a1[] = { "/usr/bin/python3", R "/unzipped_pexes/4/ab87", "-c", "import requests" };
	const char *a2[] = { "/usr/bin/python3.11", "-s", "-c",
			     "from __future__ import absolute_import\n\nimport os\nimport sys\n\nfrom pex import interpreter\n" };
	const char *a3[] = { "uname", "-p" };
	const struct pf_pex_proc procs[] = {
		{ 100, 1, "/usr/bin/python3", a0, 4, 0, 900000000 },
		{ 101, 100, "/usr/bin/uname", a3, 2, 10000000, 12000000 },
		{ 100, 1, "/usr/bin/python3", a1, 4, 900000000, 2000000000 },
		{ 102, 100, "/usr/bin/python3.11", a2, 4, 1000000000, 1250000000 },
	};
	const struct pf_pex_archive arch[] = { { "/tmp/x.pex", 500000000, 12000000, 400 } };
	struct pf_pex_phases ph;
	assert_int_equal(pf_pex_phases_compute(files, 8, procs, 4, arch, 1, &ph), 0);
	assert_string_equal(ph.pex_root, R);

	/* 2 of the 3 wheels were written: that is the install; 500 ms of
	 * inflating is shared by bytes written: 400000/500000 to the wheels. */
	const struct pf_pex_phase *w = find(&ph, "install 2 wheels into PEX_ROOT/installed_wheels");
	assert_non_null(w);
	assert_int_equal(w->ns, 100000000 + 10000000 + 50000000 + 5000000 + 400000000);
	assert_int_equal(w->pid, 100);
	assert_non_null(strstr(w->detail, R "/installed_wheels: 4 files, 2 written (400000 bytes), "
					    "incl. ~400.0 ms inflating archives"));
	assert_non_null(strstr(w->detail, "certifi-2026.10.19.post1-py3-none-any.whl"));
	assert_non_null(strstr(w->detail, "requests-2.34.2-py3-none-any.whl"));
	assert_null(strstr(w->detail, "idna"));

	const struct pf_pex_phase *b = find(&ph, "extract pex bootstrap into PEX_ROOT/bootstraps");
	assert_non_null(b);
	assert_int_equal(b->ns, 40000000 + 100000000);

	const struct pf_pex_phase *u = find(&ph, "use unzipped pex in PEX_ROOT/unzipped_pexes");
	assert_non_null(u);
	assert_int_equal(u->ns, 7000000);

	const struct pf_pex_phase *r = find(&ph, "bootstrap, then re-exec into PEX_ROOT/unzipped_pexes");
	assert_non_null(r);
	assert_int_equal(r->ns, 900000000);
	assert_int_equal(r->pid, 100);
	assert_non_null(strstr(r->detail, "/tmp/x.pex -c import requests -> /usr/bin/python3 " R "/unzipped_pexes/4/ab87"));

	const struct pf_pex_phase *id = find(&ph, "identify 1 interpreter");
	assert_non_null(id);
	assert_int_equal(id->ns, 250000000);
	assert_int_equal(id->pid, 102);
	assert_null(strchr(id->detail, '\n'));

	/* largest first, and nothing but these five */
	assert_int_equal(ph.n, 5);
	for (size_t i = 1; i < ph.n; i++)
		assert_true(ph.v[i - 1].ns >= ph.v[i].ns);
	assert_ptr_equal(&ph.v[0], r);
	pf_pex_phases_free(&ph);
}

/* venv mode: pex runs "python -m venv" into PEX_ROOT/venvs, then re-execs
 * the venv's python; a warm run only reads the venv. */
static void test_venv(void **state)
{
	(void)state;
	const char *v0[] = { "/usr/bin/python3", "/tmp/xv.pex" };
	const char *v1[] = { "/usr/bin/python3.11", "-I", "-m", "venv", R "/venvs/4/cee8/73c7.lck.work",
			     "--without-pip", "--prompt", "xv.pex" };
	const char *v2[] = { R "/venvs/4/cee8/73c7/bin/python", "-I", R "/venvs/4/cee8/73c7" };
	const struct pf_pex_proc procs[] = {
		{ 7, 1, "/usr/bin/python3", v0, 2, 0, 600000000 },
		{ 8, 7, "/usr/bin/python3.11", v1, 8, 100000000, 400000000 },
		{ 7, 1, "/usr/bin/python3.11", v2, 3, 600000000, 900000000 },
	};
	const struct pf_pex_file files[] = {
		{ R "/venvs/4/cee8/73c7.lck.work/lib/python3.11/site-packages/requests/api.py", 20000000, 0, 5000, 3 },
		{ R "/venvs/4/cee8/73c7.lck.work/pyvenv.cfg", 1000000, 0, 100, 2 },
	};
	struct pf_pex_phases ph;
	assert_int_equal(pf_pex_phases_compute(files, 2, procs, 3, NULL, 0, &ph), 0);
	const struct pf_pex_phase *c = find(&ph, "create venv (python -m venv) in PEX_ROOT/venvs");
	assert_non_null(c);
	assert_int_equal(c->ns, 300000000);
	assert_int_equal(c->pid, 8);
	assert_string_equal(c->detail, "pid 8: " R "/venvs/4/cee8/73c7.lck.work");
	const struct pf_pex_phase *p = find(&ph, "populate 1 venv in PEX_ROOT/venvs");
	assert_non_null(p);
	assert_int_equal(p->ns, 21000000);
	assert_int_equal(p->pid, 7);
	assert_non_null(find(&ph, "bootstrap, then re-exec into PEX_ROOT/venvs"));
	pf_pex_phases_free(&ph);

	/* warm: reads only */
	const struct pf_pex_file warm[] = {
		{ R "/venvs/4/cee8/73c7/lib/python3.11/site-packages/requests/api.py", 2000000, 5000, 0, 3 },
	};
	assert_int_equal(pf_pex_phases_compute(warm, 1, NULL, 0, NULL, 0, &ph), 0);
	assert_int_equal(ph.n, 1);
	assert_string_equal(ph.v[0].name, "run from 1 venv in PEX_ROOT/venvs");
	assert_int_equal(ph.v[0].pid, 0);
	pf_pex_phases_free(&ph);
}

static void test_not_pex(void **state)
{
	(void)state;
	const struct pf_pex_file files[] = { { "/etc/passwd", 10, 10, 0, 1 } };
	const char *a[] = { "cat", "/etc/passwd" };
	const struct pf_pex_proc procs[] = { { 5, 1, "/usr/bin/cat", a, 2, 0, 10 } };
	struct pf_pex_phases ph;
	assert_int_equal(pf_pex_phases_compute(files, 1, procs, 1, NULL, 0, &ph), 0);
	assert_int_equal(ph.n, 0);
	assert_string_equal(ph.pex_root, "");
	pf_pex_phases_free(&ph);
	assert_int_equal(pf_pex_phases_compute(NULL, 0, NULL, 0, NULL, 0, &ph), 0);
	assert_int_equal(ph.n, 0);
	pf_pex_phases_free(&ph);
}

/* Directory roll-ups: PEX_ROOT areas, site-packages, the stdlib, else the
 * file's directory; sums add up and the last slot collects the overflow. */
static void test_dir_group(void **state)
{
	(void)state;
	char b[256];
	assert_string_equal(pf_dir_group("/root/.pex/installed_wheels/0/abc/six-1.16.0.whl/six.py", b, sizeof(b)),
			    "PEX_ROOT/installed_wheels");
	assert_string_equal(pf_dir_group("/v/lib/python3.11/site-packages/httpie/core.py", b, sizeof(b)),
			    "/v/lib/python3.11/site-packages");
	assert_string_equal(pf_dir_group("/usr/lib/python3/dist-packages/yaml/x.py", b, sizeof(b)),
			    "/usr/lib/python3/dist-packages");
	assert_string_equal(pf_dir_group("/usr/lib/python3.11/json/decoder.py", b, sizeof(b)), "/usr/lib/python3.11");
	assert_string_equal(pf_dir_group("/usr/bin/python3", b, sizeof(b)), "/usr/bin");
	assert_string_equal(pf_dir_group("/etc", b, sizeof(b)), "/");

	struct pf_dir_sum sums[3];
	size_t n = 0;
	pf_dir_add(sums, &n, 3, "/a/x", 1, 10, 0, 5, 0);
	pf_dir_add(sums, &n, 3, "/a/y", 2, 20, 5, 5, 0);
	pf_dir_add(sums, &n, 3, "/b/x", 1, 100, 0, 0, 7);
	pf_dir_add(sums, &n, 3, "/c/x", 1, 1, 0, 0, 0);
	pf_dir_add(sums, &n, 3, "/d/x", 1, 2, 0, 0, 0);
	assert_int_equal(n, 3);
	pf_dir_sort(sums, n);
	assert_string_equal(sums[0].dir, "/b");
	assert_string_equal(sums[1].dir, "/a");
	assert_int_equal(sums[1].files, 2);
	assert_int_equal(sums[1].ops, 3);
	assert_int_equal(sums[1].ns, 30);
	assert_int_equal(sums[1].fault_ns, 5);
	assert_int_equal(sums[1].bytes_read, 10);
	assert_string_equal(sums[2].dir, "(other directories)");
	assert_int_equal(sums[2].files, 2);
	assert_int_equal(sums[2].ns, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_dir_group),
		cmocka_unit_test(test_cold_zipapp),
		cmocka_unit_test(test_venv),
		cmocka_unit_test(test_not_pex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
