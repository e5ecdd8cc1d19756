// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for perfanity report: fixture traces built in memory with
 * jansson; the critical-path decomposition, the causes (which must add up
 * to the wall-time difference exactly) and the rendered text/Markdown. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "perfanity.h"
#include "report.h"
#include "report_pants.h"


static const char *const CATS[] = { "cpu", "file_io", "net", "exec", "child_wait", "sleep", "other",
				    "zip_extract", "venv_create", "import" };
#define NCATS 10
#define MS 1000000LL

/* categories object from ms values in CATS order */
static json_t *cats_ms(const long long ms[NCATS])
{
	json_t *o = json_object();
	for (int i = 0; i < NCATS; i++)
		json_object_set_new(o, CATS[i], json_integer(ms[i] * MS));
	return o;
}

static json_t *proc(int pid, int ppid, json_t *argv, long long start_ms, long long end_ms, int threads,
		    const long long ms[NCATS])
{
	long long sum = 0;
	for (int i = 0; i < NCATS; i++)
		sum += ms[i] * MS;
	return json_pack("{s:i, s:i, s:o, s:s, s:I, s:I, s:i, s:i, s:I, s:o}", "pid", pid, "ppid", ppid, "argv", argv,
			 "exe", json_string_value(json_array_get(argv, 0)), "start_ns", start_ms * MS, "end_ns",
			 end_ms * MS, "exit_code", 0, "threads", threads, "thread_ns", sum, "categories", cats_ms(ms));
}

static json_t *trace(json_t *command, long long wall_ms, json_t *procs, json_t *files)
{
	json_t *cl = json_array(), *tot = json_object();
	for (int i = 0; i < NCATS; i++) {
		long long s = 0;
		size_t k;
		json_t *p;
		json_array_append_new(cl, json_string(CATS[i]));
		json_array_foreach(procs, k, p)
			s += json_integer_value(json_object_get(json_object_get(p, "categories"), CATS[i]));
		json_object_set_new(tot, CATS[i], json_integer(s));
	}
	return json_pack("{s:i, s:s, s:o, s:i, s:I, s:i, s:o, s:o, s:o, s:o}", "version", 1, "backend", "bpf",
			 "command", command, "exit_code", 0, "wall_ns", wall_ms * MS, "lost_events", 0,
			 "categories", cl, "totals", tot, "processes", procs, "files", files ? files : json_array());
}

#define R "/tmp/pr"

/* Baseline: a venv run, one process: 500 ms = cpu 300 + file_io 100 + exec 20 + import 80. */
static json_t *venv_trace(void)
{
	const long long root[NCATS] = { 300, 100, 0, 20, 0, 0, 0, 0, 0, 80 };
	json_t *t = trace(json_pack("[s,s,s]", "/tmp/venv/bin/python", "-m", "app"), 500,
			  json_pack("[o]", proc(100, 1, json_pack("[s,s,s]", "/tmp/venv/bin/python", "-m", "app"),
						 0, 500, 1, root)),
			  json_pack("[{s:s, s:I, s:i, s:i, s:i}]", "path", "/tmp/venv/lib/python3.11/site-packages/app.py",
				    "ns", 20 * MS, "bytes_read", 5000, "bytes_written", 0, "ops", 4));
	json_object_set_new(t, "imports", json_pack("[{s:s,s:I,s:i},{s:s,s:I,s:i}]", "module", "requests", "ns",
						    60 * MS, "count", 1, "module", "urllib3", "ns", 20 * MS, "count", 1));
	return t;
}

/* A cold zipapp run: 1,900 ms. The root (re-execs from unzipped_pexes)
 * waits 150 ms for an interpreter-identification child (120 ms own +
 * waits 30 ms for uname). Inflating 1,020 members of x.pex. */
static json_t *zipapp_trace(void)
{
	const long long root[NCATS] = { 400, 200, 0, 50, 150, 0, 0, 900, 0, 200 };
	const long long ident[NCATS] = { 100, 0, 0, 20, 30, 0, 0, 0, 0, 0 };
	const long long uname[NCATS] = { 20, 0, 0, 10, 0, 0, 0, 0, 0, 0 };
	json_t *r = proc(200, 1, json_pack("[s,s]", "/usr/bin/python3", R "/unzipped_pexes/4/ab87"), 0, 1900, 1, root);
	json_object_set_new(r, "execs", json_pack("[{s:i,s:s,s:[s,s]},{s:I,s:s,s:[s,s]}]",
		"ts_ns", 0, "exe", "/usr/bin/python3", "argv", "/usr/bin/python3", "/tmp/x.pex",
		"ts_ns", 800 * MS, "exe", "/usr/bin/python3", "argv", "/usr/bin/python3", R "/unzipped_pexes/4/ab87"));
	json_t *procs = json_pack("[o,o,o]", r,
		proc(201, 200, json_pack("[s,s,s,s]", "/usr/bin/python3.11", "-s", "-c",
					 "from __future__ import absolute_import\n\nfrom pex import interpreter"),
		     300, 450, 1, ident),
		proc(202, 201, json_pack("[s,s]", "uname", "-p"), 400, 430, 1, uname));
	json_t *files = json_pack("[{s:s,s:I,s:i,s:i,s:i},{s:s,s:I,s:i,s:i,s:i},{s:s,s:I,s:i,s:i,s:i},{s:s,s:I,s:i,s:i,s:i}]",
		"path", "/tmp/x.pex", "ns", 300 * MS, "bytes_read", 1800000, "bytes_written", 0, "ops", 900,
		"path", R "/installed_wheels/3/8641/requests-2.34.2-py3-none-any.whl.lck.work/requests/api.py",
		"ns", 100 * MS, "bytes_read", 0, "bytes_written", 300000, "ops", 10,
		"path", R "/installed_wheels/3/a9d7/certifi-2026.10.19.post1-py3-none-any.whl.lck.work/certifi/cacert.pem",
		"ns", 50 * MS, "bytes_read", 0, "bytes_written", 200000, "ops", 10,
		"path", R "/bootstraps/0/a88f.lck.work/.bootstrap/pex/pth.py",
		"ns", 40 * MS, "bytes_read", 0, "bytes_written", 100000, "ops", 4);
	json_t *t = trace(json_pack("[s,s]", "python3", "/tmp/x.pex"), 1900, procs, files);
	json_object_set_new(t, "archives", json_pack("[{s:s,s:i,s:i,s:I}]", "path", "/tmp/x.pex", "members", 1020,
						     "bytes_inflated", 5600000, "ns", 900 * MS));
	json_object_set_new(t, "imports", json_pack("[{s:s,s:I,s:i},{s:s,s:I,s:i},{s:s,s:I,s:i}]",
		"module", "requests", "ns", 120 * MS, "count", 1, "module", "urllib3", "ns", 50 * MS, "count", 1,
		"module", "pex.pex_bootstrapper", "ns", 30 * MS, "count", 1));
	return t;
}

static int cat(const struct pf_rcats *c, const char *name)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->name[i], name))
			return i;
	fail_msg("no category %s", name);
	return -1;
}

static void load(json_t *j, const char *path, const char *label, struct pf_rcats *cats, struct pf_rtrace *t)
{
	char err[256] = "";
	int rc = pf_report_load(j, path, label, cats, t, err, sizeof(err));
	json_decref(j);
	if (rc)
		fail_msg("load: %s", err);
}

/* Render into a string (open_memstream). */
static char *render(struct pf_rtrace *t, int n, const struct pf_rcats *cats, int md)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	if (n == 1)
		pf_report_single(f, t, cats, md);
	else
		pf_report_compare(f, t, n, cats, md);
	fclose(f);
	return buf;
}

static void assert_contains(const char *hay, const char *needle)
{
	assert_non_null(hay);
	if (!strstr(hay, needle))
		fail_msg("expected to find:\n  %s\nin:\n%s", needle, hay ? hay : "(null)");
}

static void test_path_decomposition(void **state)
{
	(void)state;
	struct pf_rcats cats = { .child_wait = -1, .sleep = -1 };
	struct pf_rtrace t;
	load(zipapp_trace(), "zipapp/packed.json", NULL, &cats, &t);
	pf_report_path(&t, &cats);
	assert_int_equal(t.root_proc, 0);
	/* child_wait replaced by the child's work: 150 ms of the root's wait =
	 * identification's 120 ms own (cpu 100, exec 20) + uname's 30 ms. */
	assert_int_equal(t.path_ns[cat(&cats, "child_wait")], 0);
	assert_int_equal(t.path_ns[cat(&cats, "cpu")], (400 + 100 + 20) * MS);
	assert_int_equal(t.path_ns[cat(&cats, "exec")], (50 + 20 + 10) * MS);
	assert_int_equal(t.path_ns[cat(&cats, "zip_extract")], 900 * MS);
	assert_int_equal(t.unattributed_ns, 0);
	int64_t sum = t.unattributed_ns;
	for (int c = 0; c < cats.n; c++)
		sum += t.path_ns[c];
	assert_int_equal(sum, (int64_t)t.wall_ns);
	assert_true(t.procs[1].path_factor == 1.0 && t.procs[2].path_factor == 1.0);
	assert_string_equal(t.procs[1].key, "python3.11 -c (pex interpreter identification)");
	assert_string_equal(t.procs[0].key, "python3 x.pex"); /* named by the first exec */
	pf_report_free(&t);
}

/* Parallel children, a multi-threaded process, sleep used as waiting, a
 * child never waited for, and wall time beyond the root's life. */
static void test_path_scaling(void **state)
{
	(void)state;
	struct pf_rcats cats = { .child_wait = -1, .sleep = -1 };
	struct pf_rtrace t;
	/* root 1000 ms: cpu 400, sleep 200 (polling pipes), child_wait 400;
	 * two parallel children of 500 ms each (1000 ms of child time): the
	 * root's 600 ms of waiting explains 60% of each. */
	const long long root[NCATS] = { 400, 0, 0, 0, 400, 200, 0, 0, 0, 0 };
	const long long kid[NCATS] = { 500, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	/* 3 threads over 200 ms = 600 ms thread time: 350 sleep, 250 file_io */
	const long long mt[NCATS] = { 0, 250, 0, 0, 0, 350, 0, 0, 0, 0 };
	const long long late[NCATS] = { 100, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	json_t *procs = json_pack("[o,o,o,o]",
		proc(10, 1, json_pack("[s]", "make"), 0, 1000, 1, root),
		proc(11, 10, json_pack("[s,s]", "cc", "a.c"), 100, 600, 1, kid),
		proc(12, 10, json_pack("[s,s]", "cc", "b.c"), 100, 600, 3, mt),
		proc(13, 10, json_pack("[s]", "daemon"), 1000, 1100, 1, late));
	load(trace(json_pack("[s]", "make"), 1050, procs, NULL), "m.json", NULL, &cats, &t);
	pf_report_path(&t, &cats);
	/* process 12: 600 ms thread time over 500 ms life: 100 ms excess off sleep */
	/* children total = 500 + 500; waited 600 -> factor 0.6 */
	assert_true(t.procs[1].path_factor > 0.5999 && t.procs[1].path_factor < 0.6001);
	assert_true(t.procs[3].path_factor == 0); /* started when the root ended */
	assert_int_equal(t.path_ns[cat(&cats, "child_wait")], 0);
	assert_int_equal(t.path_ns[cat(&cats, "cpu")], (400 + 300) * MS);
	assert_int_equal(t.path_ns[cat(&cats, "file_io")], 150 * MS);
	assert_int_equal(t.path_ns[cat(&cats, "sleep")], 150 * MS);
	assert_int_equal(t.unattributed_ns, 50 * MS);
	pf_report_free(&t);
}

/* A re-exec written as two entries of the same pid (no "execs" lists). */
static void test_separate_entry_chain(void **state)
{
	(void)state;
	struct pf_rcats cats = { .child_wait = -1, .sleep = -1 };
	struct pf_rtrace t;
	const long long a[NCATS] = { 300, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	const long long b[NCATS] = { 200, 0, 0, 0, 100, 0, 0, 0, 0, 0 };
	const long long c[NCATS] = { 100, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	json_t *procs = json_pack("[o,o,o]",
		proc(50, 1, json_pack("[s,s]", "/usr/bin/python3", "/tmp/v.pex"), 0, 300, 1, a),
		proc(50, 1, json_pack("[s,s]", R "/venvs/4/cee8/73c7/bin/python", "-I"), 300, 600, 1, b),
		proc(51, 50, json_pack("[s]", "child"), 400, 500, 1, c));
	load(trace(json_pack("[s,s]", "python3", "/tmp/v.pex"), 600, procs, NULL), "v.json", NULL, &cats, &t);
	pf_report_path(&t, &cats);
	assert_int_equal(t.procs[1].chain_head, 0);
	assert_int_equal(t.procs[0].next_same_pid, 1);
	assert_int_equal(t.procs[2].parent, 0);
	assert_int_equal(t.path_ns[cat(&cats, "cpu")], 600 * MS);
	assert_int_equal(t.unattributed_ns, 0);
	/* computed phases see the re-exec into the venv */
	int found = 0;
	for (int i = 0; i < t.nphases; i++)
		found |= !strcmp(t.phases[i].name, "bootstrap, then re-exec into PEX_ROOT/venvs") &&
			 t.phases[i].ns == (uint64_t)(300 * MS);
	assert_true(found);
	char *out = render(&t, 1, &cats, 0);
	assert_contains(out, "pid 50: /usr/bin/python3 /tmp/v.pex (0.30 s) -> " R "/venvs/4/cee8/73c7/bin/python -I (0.30 s)");
	free(out);
	pf_report_free(&t);
}

static void test_causes_add_up(void **state)
{
	(void)state;
	struct pf_rcats cats = { .child_wait = -1, .sleep = -1 };
	struct pf_rtrace t[2];
	load(venv_trace(), "venv/packed.json", NULL, &cats, &t[0]);
	load(zipapp_trace(), "zipapp/packed.json", NULL, &cats, &t[1]);
	/* the wall time has 40 ms that the root does not cover */
	t[1].wall_ns += 40 * MS;
	pf_report_label(t, 2);
	assert_string_equal(t[0].label, "venv/packed");
	assert_string_equal(t[1].label, "zipapp/packed");
	pf_report_path(&t[0], &cats);
	pf_report_path(&t[1], &cats);
	struct pf_rcause k[PF_RCAT_MAX + 1];
	int n = pf_report_causes(&t[0], &t[1], &cats, k);
	int64_t sum = 0;
	for (int i = 0; i < n; i++)
		sum += k[i].delta_ns;
	assert_int_equal(sum, (int64_t)t[1].wall_ns - (int64_t)t[0].wall_ns);
	assert_int_equal(n, 6);
	/* ranked: zip_extract +900, cpu +220, import +120, file_io +100, exec +60, unattributed +40 */
	assert_int_equal(k[0].cat, cat(&cats, "zip_extract"));
	assert_int_equal(k[0].delta_ns, 900 * MS);
	assert_int_equal(k[1].cat, cat(&cats, "cpu"));
	assert_int_equal(k[1].delta_ns, 220 * MS);
	assert_int_equal(k[2].delta_ns, 120 * MS);
	assert_int_equal(k[3].delta_ns, 100 * MS);
	assert_int_equal(k[4].delta_ns, 60 * MS);
	assert_int_equal(k[5].cat, -1);
	assert_int_equal(k[5].delta_ns, 40 * MS);
	assert_contains(k[0].why, "inflating 1,020 members (5.3 MiB) of x.pex vs 0 members in venv/packed");
	assert_contains(k[0].why, "install 2 wheels into PEX_ROOT/installed_wheels 0.90 s");
	assert_contains(k[1].why, "python3.11 -c (pex interpreter identification) +0.10 s, root process +0.10 s, uname +20.0 ms");
	assert_contains(k[2].why, "requests +60.0 ms");
	assert_contains(k[3].why, "/tmp/x.pex +0.30 s");
	assert_contains(k[4].why, "4 vs 1 execs, 3 vs 1 processes");

	char *out = render(t, 2, &cats, 0);
	assert_contains(out, "zipapp/packed vs venv/packed: +1.44 s (+288.0%) = +0.90 s zip_extract + 0.22 s cpu"
			     " + 0.12 s import + 0.10 s file_io + 60.0 ms exec + 40.0 ms unattributed");
	assert_contains(out, "  1. +0.90 s zip_extract: zipapp/packed: inflating 1,020 members");
	free(out);

	/* the other way round: everything negative, still adding up */
	n = pf_report_causes(&t[1], &t[0], &cats, k);
	sum = 0;
	for (int i = 0; i < n; i++)
		sum += k[i].delta_ns;
	assert_int_equal(sum, (int64_t)t[0].wall_ns - (int64_t)t[1].wall_ns);
	assert_int_equal(k[0].delta_ns, -900 * MS);
	out = render((struct pf_rtrace[]){ t[1], t[0] }, 2, &cats, 1);
	assert_contains(out, "**venv/packed vs zipapp/packed: -1.44 s (-74.2%) = -0.90 s zip\\_extract - 0.22 s cpu");
	assert_contains(out, "| category | zipapp/packed | venv/packed |\n| --- | ---: | ---: |\n| wall | 1.94 s | 0.50 s |");
	free(out);
	pf_report_free(&t[0]);
	pf_report_free(&t[1]);
}

static void test_single_text(void **state)
{
	(void)state;
	struct pf_rcats cats = { .child_wait = -1, .sleep = -1 };
	struct pf_rtrace t;
	load(zipapp_trace(), "/x/zipapp.json", NULL, &cats, &t);
	pf_report_label(&t, 1);
	assert_string_equal(t.label, "zipapp");
	pf_report_path(&t, &cats);
	char *out = render(&t, 1, &cats, 0);
	assert_contains(out, "perfanity report: zipapp\n");
	assert_contains(out, "wall 1.90 s, exit code 0, 3 processes, 3 threads, backend bpf\n");
	assert_contains(out, "  zip_extract        0.90 s      47.4%              0.90 s      47.4%\n");
	assert_contains(out, "  child_wait         0.18 s       9.5%                0 ns       0.0%\n");
	assert_contains(out, "  total              2.08 s     109.5%              1.90 s     100.0%\n");
	/* the tree: children indented under their parent */
	assert_contains(out, "  200  /usr/bin/python3 " R "/unzipped_pexes/4/ab87");
	assert_contains(out, "  201    /usr/bin/python3.11 -s -c from __future__ import absolute_import");
	assert_contains(out, "  202      uname -p ");
	assert_contains(out, "pid 200: /usr/bin/python3 /tmp/x.pex (0.80 s) -> /usr/bin/python3 " R "/unzipped_pexes/4/ab87 (1.10 s)");
	/* pex phases computed from the paths: 150 ms of file time + 750 ms of
	 * the 900 ms inflating (500,000 of 600,000 bytes written) */
	assert_contains(out, "install 2 wheels into PEX_ROOT/installed_wheels: 0.90 s (pid 200)");
	assert_contains(out, "extract pex bootstrap into PEX_ROOT/bootstraps: 0.19 s (pid 200)");
	assert_contains(out, "identify 1 interpreter: 0.15 s (pid 201)");
	assert_contains(out, "   0.30 s  900  1.7 MiB        0 B  /tmp/x.pex\n");
	assert_contains(out, "  0.90 s    1,020   5.3 MiB  /tmp/x.pex\n");
	assert_contains(out, "Top imports (3 modules)");
	free(out);

	out = render(&t, 1, &cats, 1);
	assert_contains(out, "## perfanity report: zipapp\n");
	assert_contains(out, "| zip\\_extract | 0.90 s | 47.4% | 0.90 s | 47.4% |\n");
	assert_contains(out, "- install 2 wheels into PEX\\_ROOT/installed\\_wheels: 0.90 s (pid 200)\n");
	free(out);
	pf_report_free(&t);
}

/* A JSON with phases of its own: used as they are, not recomputed. */
static void test_json_phases(void **state)
{
	(void)state;
	struct pf_rcats cats = { .child_wait = -1, .sleep = -1 };
	struct pf_rtrace t;
	json_t *j = zipapp_trace();
	json_object_set_new(j, "phases", json_pack("[{s:i,s:s,s:s,s:I}]", "pid", 200, "name",
						   "install 20 wheels into PEX_ROOT/installed_wheels", "detail", "d",
						   "ns", 610 * MS));
	load(j, "p.json", NULL, &cats, &t);
	assert_int_equal(t.nphases, 1);
	assert_false(t.phases_computed);
	pf_report_path(&t, &cats);
	char *out = render(&t, 1, &cats, 0);
	assert_contains(out, "install 20 wheels into PEX_ROOT/installed_wheels: 0.61 s (pid 200)");
	free(out);
	pf_report_free(&t);
}

/* An interpreter whose imports were not timed: the report says so. A trace
 * from before "imports" says it with "usdt": false; a newer one with
 * "imports": "none" ("PyEval_EvalCode" is timed, USDT or not). */
static void test_imports_note(void **state)
{
	(void)state;
	struct pf_rcats cats = { .child_wait = -1, .sleep = -1 };
	struct pf_rtrace t;
	json_t *j = zipapp_trace();
	json_object_set_new(j, "interpreters",
			    json_pack("[{s:s,s:b},{s:s,s:b},{s:s,s:b,s:s},{s:s,s:b,s:s}]", "exe", "/usr/bin/python3.11",
				      "usdt", 1, "exe", "/opt/py/bin/python3.12", "usdt", 0, "exe", "/opt/py/bin/python3.9",
				      "usdt", 0, "imports", "PyEval_EvalCode", "exe", "/opt/py/bin/python3.7", "usdt", 0,
				      "imports", "none"));
	json_array_append_new(json_object_get(j, "imports"),
			      json_pack("{s:s,s:I,s:I,s:i}", "module", "json", "ns", 9 * MS, "self_ns", 4 * MS, "count", 2));
	load(j, "n.json", NULL, &cats, &t);
	pf_report_path(&t, &cats);
	char *out = render(&t, 1, &cats, 0);
	assert_contains(out, "not timed in /opt/py/bin/python3.12, /opt/py/bin/python3.7 (neither PyEval_EvalCode");
	assert_null(strstr(out, "not timed in /usr/bin/python3.11")); /* the list is exactly these two */
	assert_contains(out, " 9.0 ms  4.0 ms      2  json\n");
	free(out);
	pf_report_free(&t);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct pf_rcats cats = { .child_wait = -1, .sleep = -1 };
	struct pf_rtrace t;
	char err[256];
	json_t *j = json_pack("{s:i}", "x", 1);
	assert_int_equal(pf_report_load(j, "x.json", NULL, &cats, &t, err, sizeof(err)), -1);
	assert_contains(err, "not a perfanity trace");
	pf_report_free(&t);
	json_decref(j);
	j = json_pack("{s:i, s:i, s:[{s:s}]}", "version", 1, "wall_ns", 5, "processes", "pid", "x");
	assert_int_equal(pf_report_load(j, "x.json", NULL, &cats, &t, err, sizeof(err)), -1);
	assert_contains(err, "\"pid\"");
	pf_report_free(&t);
	json_decref(j);
	/* minimal valid trace: no optional lists at all */
	j = json_pack("{s:i, s:i, s:[]}", "version", 1, "wall_ns", 5, "processes");
	assert_int_equal(pf_report_load(j, "x.json", NULL, &cats, &t, err, sizeof(err)), 0);
	pf_report_path(&t, &cats);
	assert_int_equal(t.root_proc, -1);
	assert_int_equal(t.unattributed_ns, 5);
	char *out = render(&t, 1, &cats, 0);
	assert_contains(out, "wall 5 ns");
	free(out);
	pf_report_free(&t);
	json_decref(j);
}

/* Run do_report with stdout to /dev/null and stderr captured into err. */
static int run_report(int argc, char **argv, char *err, size_t errlen)
{
	char path[] = "/tmp/pf_test_report_err_XXXXXX";
	int efd = mkstemp(path);
	assert_true(efd >= 0);
	fflush(stdout);
	fflush(stderr);
	int so = dup(1), se = dup(2), devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, 1);
	dup2(efd, 2);
	int rc = do_report(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	close(devnull);
	ssize_t n = pread(efd, err, errlen - 1, 0);
	err[n > 0 ? n : 0] = 0;
	close(efd);
	unlink(path);
	return rc;
}

/* The subcommand: exit codes and one-line messages. */
static void test_cli(void **state)
{
	(void)state;
	char good[] = "/tmp/pf_test_report_XXXXXX", bad[] = "/tmp/pf_test_report_bad_XXXXXX", err[1024];
	int fd = mkstemp(good);
	assert_true(fd >= 0);
	json_t *j = venv_trace();
	assert_int_equal(json_dumpfd(j, fd, 0), 0);
	close(fd);
	json_decref(j);
	fd = mkstemp(bad);
	assert_true(write(fd, "{\"version\": 1", 13) == 13);
	close(fd);

	char *a1[] = { "report", good, NULL };
	assert_int_equal(run_report(2, a1, err, sizeof(err)), PF_EXIT_OK);
	assert_string_equal(err, "");
	char *a2[] = { "report", "--markdown", "--label", "A", "--label", "B", good, good, NULL };
	assert_int_equal(run_report(8, a2, err, sizeof(err)), PF_EXIT_OK);
	/* options may follow the traces, as in "report A.json B.json --markdown" */
	char *a2b[] = { "report", good, good, "--markdown", NULL };
	assert_int_equal(run_report(4, a2b, err, sizeof(err)), PF_EXIT_OK);
	assert_string_equal(err, "");
	char *a3[] = { "report", good, bad, NULL };
	assert_int_equal(run_report(3, a3, err, sizeof(err)), PF_EXIT_USAGE);
	assert_contains(err, bad);
	int lines = 0;
	for (char *c = err; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 1); /* one line, naming the file */
	char *a4[] = { "report", "/nonexistent/t.json", NULL };
	assert_int_equal(run_report(2, a4, err, sizeof(err)), PF_EXIT_USAGE);
	assert_contains(err, "cannot read /nonexistent/t.json: No such file or directory\n");
	char *a5[] = { "report", NULL };
	assert_int_equal(run_report(1, a5, err, sizeof(err)), PF_EXIT_USAGE);
	assert_contains(err, "no trace given");
	char *a6[] = { "report", "--label", "A", "--label", "B", good, NULL };
	assert_int_equal(run_report(6, a6, err, sizeof(err)), PF_EXIT_USAGE);
	assert_contains(err, "2 labels for 1 traces");
	unlink(good);
	unlink(bad);
}

/* The one-line explanations bench --explain uses. */
static void test_explain(void **state)
{
	(void)state;
	char buf[512];
	json_t *a = venv_trace(), *b = zipapp_trace();
	assert_int_equal(pf_report_explain_one(b, 2, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "zip_extract 0.90 s (47.4%), cpu 0.52 s (27.4%)");
	assert_int_equal(pf_report_explain_diff(a, b, 2, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "+1.40 s = +0.90 s zip_extract + 0.22 s cpu + 0.28 s other causes");
	assert_int_equal(pf_report_explain_diff(b, a, 9, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "-1.40 s = -0.90 s zip_extract - 0.22 s cpu - 0.12 s import - 0.10 s file_io"
				 " - 60.0 ms exec");
	assert_int_equal(pf_report_explain_diff(a, a, 3, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "+0 ns = no difference");
	json_t *bad = json_pack("{s:i}", "x", 1);
	assert_int_equal(pf_report_explain_one(bad, 2, buf, sizeof(buf)), -1);
	assert_non_null(strstr(buf, "not a perfanity trace"));
	json_decref(bad);
	json_decref(a);
	json_decref(b);
}

/* The scheduler's categories said as causes, with their evidence. */
static void test_sched_cause(void **state)
{
	(void)state;
	struct pf_rfile files[2] = {
		{ .path = "/lib/libbig.so", .faults = 30, .fault_ns = 9000000 },
		{ .path = "/data/big.bin", .faults = 436, .fault_ns = 57700000 },
	};
	struct pf_rtrace t = { .cpus = 2, .files = files, .nfiles = 2 };
	char b[512];
	assert_string_equal(pf_report_sched_cause(&t, "runqueue", 4.02e9, b, sizeof(b)),
			    "CPU-starved: 4.02 s waiting for a CPU on 2 CPUs");
	assert_string_equal(pf_report_sched_cause(&t, "fault_io", 66.7e6, b, sizeof(b)),
			    "page faults: 66.7 ms waiting for the disk, mostly in /data/big.bin (436 faults)");
	assert_string_equal(pf_report_sched_cause(&t, "cpu", 1e9, b, sizeof(b)), "");
	assert_string_equal(pf_report_sched_note(&t, "runqueue", b, sizeof(b)), " (CPU-starved on 2 CPUs)");
	t.cpus = 0; /* a trace from before CPUs were recorded */
	assert_string_equal(pf_report_sched_cause(&t, "runqueue", 4.02e9, b, sizeof(b)),
			    "CPU-starved: 4.02 s waiting for a CPU on this machine");
}

static void test_format(void **state)
{
	(void)state;
	char b[64];
	assert_string_equal(pf_fmt_s(b, sizeof(b), 1.31e9, 1), "+1.31 s");
	assert_string_equal(pf_fmt_s(b, sizeof(b), -2.5e7, 1), "-25.0 ms");
	assert_string_equal(pf_fmt_s(b, sizeof(b), 1500, 0), "2 us");
	assert_string_equal(pf_fmt_count(b, sizeof(b), 1020), "1,020");
	assert_string_equal(pf_fmt_count(b, sizeof(b), 1234567), "1,234,567");
	assert_string_equal(pf_fmt_count(b, sizeof(b), 12), "12");
	assert_string_equal(pf_fmt_bytes(b, sizeof(b), 5600000), "5.3 MiB");
	assert_string_equal(pf_fmt_bytes(b, sizeof(b), 999), "999 B");
	assert_string_equal(pf_md_escape(b, sizeof(b), "a_b|c", 1), "a\\_b\\|c");
	assert_string_equal(pf_md_escape(b, sizeof(b), "a_b\nc", 0), "a_b c");
}

/* A Pants client waiting 1 s on an attached pantsd (2 threads: 0.2 s cpu, 1.5 s
 * sleep), which ran one pex build (0.6 s cpu) in a sandbox. The attached tree hangs
 * under the client: its sleep is replaced by pantsd's work, pantsd's by the build. */
static json_t *pants_trace(void)
{
	const long long client[NCATS] = { 0, 0, 0, 0, 0, 1000, 0, 0, 0, 0 };
	const long long pantsd[NCATS] = { 200, 0, 0, 0, 0, 1500, 0, 0, 0, 0 };
	const long long pex[NCATS] = { 600, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	json_t *procs = json_array(), *p;
	json_array_append_new(procs, proc(10, 1, json_pack("[s,s,s]", "/v/bin/python3.9", "/v/bin/pants", "package"),
					  0, 1000, 1, client));
	p = proc(20, 1, json_pack("[s,s,s]", "pantsd [/b]", "", ""), 0, 1000, 2, pantsd);
	json_object_set_new(p, "attached", json_true());
	json_object_set_new(p, "exit_code", json_null());
	json_array_append_new(procs, p);
	p = proc(30, 20, json_pack("[s,s,s,s,s]", "/usr/bin/python3.9", "./pex-2.1.137.pex", "--tmpdir", "--output-file",
				   "simple/bin@layout=loose.pex"), 200, 800, 1, pex);
	json_object_set_new(p, "attached", json_true());
	json_array_append_new(procs, p);
	json_t *files = json_pack("[{s:s, s:I, s:I, s:I, s:I}, {s:s, s:I, s:I, s:I, s:I}]",
				  "path", "/c/lmdb/files/0/a", "ns", MS, "bytes_read", 4096LL, "bytes_written", 0LL, "ops", 2LL,
				  "path", "/tmp/pants-sandbox-Ab12/simple/bin@layout=loose.pex", "ns", MS,
				  "bytes_read", 0LL, "bytes_written", 1000LL, "ops", 3LL);
	return trace(json_pack("[s,s,s]", "/v/bin/pants", "--local-store-dir=/c/lmdb", "package"), 1000, procs, files);
}

static void test_pants(void **state)
{
	(void)state;
	struct pf_rcats cats = { .child_wait = -1, .sleep = -1 };
	struct pf_rtrace t;
	struct pf_pants_run r;
	char buf[192];
	load(pants_trace(), "pants.json", NULL, &cats, &t);
	pf_report_path(&t, &cats);
	/* the command is the root, not the attached pantsd that started as early */
	assert_int_equal(t.root_proc, 0);
	assert_int_equal(t.procs[1].parent, 0);
	assert_int_equal(t.path_ns[cat(&cats, "cpu")], (200 + 600) * MS);
	assert_int_equal(t.path_ns[cat(&cats, "sleep")], 200 * MS); /* pantsd's wait not explained by the build */
	assert_int_equal(t.unattributed_ns, 0);
	pf_pants_analyse(&t, &r);
	assert_true(r.is_pants);
	assert_int_equal(r.pantsd, 1);
	assert_true(r.pantsd_attached);
	assert_int_equal(r.nexecs, 1);
	assert_string_equal(r.execs[0].label, "pex: build simple/bin@layout=loose.pex");
	assert_int_equal(llround(r.execs[0].path_ns), 600 * MS);
	assert_string_equal(r.store.prefix, "/c/lmdb");
	assert_int_equal(r.store.bytes_read, 4096);
	assert_int_equal(r.sandboxes, 1);
	char *out = render(&t, 1, &cats, 0);
	assert_contains(out, "pantsd (pid 20) was already running: attached to, warm");
	assert_contains(out, "local store /c/lmdb: read 4.0 KiB (hits), wrote 0 B (new entries) in 1 files");
	assert_contains(out, "1 sandboxes (pants-sandbox-*) used");
	free(out);
	pf_report_free(&t);
	/* labels: what a process Pants ran does */
	const char *pytest[] = { "/x/python3.11", "./pytest_runner.pex_pex_shim.sh", "--color=no", "simple/tests/test_web.py" };
	pf_pants_exec_label(pytest, 4, buf, sizeof(buf));
	assert_string_equal(buf, "pytest: test_web.py");
	const char *ident[] = { "/usr/bin/python3.11", "-s", "-c", "import sys" };
	pf_pants_exec_label(ident, 4, buf, sizeof(buf));
	assert_string_equal(buf, "interpreter check (python3.11)");
	const char *pyenv[] = { "/usr/bin/env", "bash", "/root/.pyenv/bin/pyenv", "root" };
	pf_pants_exec_label(pyenv, 4, buf, sizeof(buf));
	assert_string_equal(buf, "pyenv lookup");
	const char *uname[] = { "/usr/bin/uname", "-p" };
	pf_pants_exec_label(uname, 2, buf, sizeof(buf));
	assert_string_equal(buf, "platform probe (uname)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_decomposition),
		cmocka_unit_test(test_path_scaling),
		cmocka_unit_test(test_separate_entry_chain),
		cmocka_unit_test(test_causes_add_up),
		cmocka_unit_test(test_single_text),
		cmocka_unit_test(test_json_phases),
		cmocka_unit_test(test_imports_note),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_sched_cause),
		cmocka_unit_test(test_pants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
