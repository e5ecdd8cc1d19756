// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for the image tree (include/pex_tree.h): its shape, each node's
 * inclusive and exclusive time, and the invariant that exclusive times plus
 * the gap are the wall, exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "pex_tree.h"

#define MS 1000000ull
#define R "/tmp/pr"

static uint64_t excl_sum(const struct pf_pex_tree *t)
{
	uint64_t s = t->gap_ns;

	for (size_t i = 0; i < t->n; i++)
		s += t->v[i].excl_ns;
	return s;
}

/* A pex run with a venv execution mode, cold: bootstrap (creating the venv
 * in a child), re-exec into the venv, which identifies two interpreters side
 * by side; the trace lasts 100 ms past it. */
static void test_nested_phases(void **state)
{
	const char *boot[] = { "/usr/bin/python3", "/tmp/app.pex" };
	const char *venv[] = { "/usr/bin/python3.11", "-m", "venv", R "/venvs/4/ab/cd.lck.work" };
	const char *run[] = { R "/venvs/4/ab/cd/bin/python", R "/venvs/4/ab/cd/pex" };
	const char *ident[] = { "/usr/bin/python3.11", "-c", "from pex import interpreter" };
	const struct pf_pex_proc im[] = {
		{ 10, 1, boot[0], boot, 2, 0, 300 * MS },
		{ 11, 10, venv[0], venv, 4, 100 * MS, 250 * MS },
		{ 10, 1, run[0], run, 2, 300 * MS, 900 * MS },
		{ 12, 10, ident[0], ident, 3, 400 * MS, 500 * MS },
		{ 13, 10, ident[0], ident, 3, 450 * MS, 550 * MS },
	};
	struct pf_pex_tree t;

	(void)state;
	assert_int_equal(pf_pex_tree_compute(im, 5, 1000 * MS, &t), 0);
	assert_int_equal(t.n, 5);
	/* depth first, children by start: the re-exec is the bootstrap's sibling */
	const size_t order[] = { 0, 1, 2, 3, 4 };
	const int depth[] = { 0, 1, 0, 1, 1 }, parent[] = { -1, 0, -1, 2, 2 };
	/* the bootstrap's own time is its span less its child's; the two
	 * identifications share the 50 ms they overlap */
	const uint64_t excl[] = { 150 * MS, 150 * MS, 450 * MS, 75 * MS, 75 * MS };
	const uint64_t incl[] = { 300 * MS, 150 * MS, 600 * MS, 100 * MS, 100 * MS };
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(t.v[i].image, order[i]);
		assert_int_equal(t.v[i].depth, depth[i]);
		assert_int_equal(t.v[i].parent, parent[i]);
		assert_int_equal(t.v[i].excl_ns, excl[i]);
		assert_int_equal(t.v[i].incl_ns, incl[i]);
	}
	assert_int_equal(t.gap_ns, 100 * MS);
	assert_int_equal(excl_sum(&t), 1000 * MS);
	assert_string_equal(t.v[0].role, "bootstrap, then re-exec into PEX_ROOT/venvs");
	assert_string_equal(t.v[1].role, "create venv (python -m venv)");
	assert_string_equal(t.v[2].role, "run from PEX_ROOT/venvs");
	assert_string_equal(t.v[3].role, "identify interpreter");
	pf_pex_tree_free(&t);
}

/* Three images side by side share a slice to the nanosecond; an image still
 * running at the end is clipped to the wall; a pid reused as its own
 * grandparent (a cycle of parent links) still shows every image. */
static void test_exact_shares_and_odd_inputs(void **state)
{
	const char *a[] = { "x" };
	const struct pf_pex_proc im[] = {
		{ 1, 0, "x", a, 1, 0, 100 },
		{ 2, 0, "x", a, 1, 0, 100 },
		{ 3, 0, "x", a, 1, 0, 500 },
	};
	const struct pf_pex_proc cyc[] = {
		{ 5, 6, "x", a, 1, 10, 50 },
		{ 6, 5, "x", a, 1, 10, 50 },
	};
	struct pf_pex_tree t;

	(void)state;
	assert_int_equal(pf_pex_tree_compute(im, 3, 200, &t), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.v[0].excl_ns + t.v[1].excl_ns + t.v[2].excl_ns, 200);
	assert_int_equal(t.v[0].excl_ns, 34);
	assert_int_equal(t.v[2].excl_ns, 33 + 100);
	assert_int_equal(t.v[2].end_ns, 200);
	assert_int_equal(t.gap_ns, 0);
	pf_pex_tree_free(&t);
	assert_int_equal(pf_pex_tree_compute(cyc, 2, 60, &t), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(excl_sum(&t), 60);
	pf_pex_tree_free(&t);
	assert_int_equal(pf_pex_tree_compute(NULL, 0, 60, &t), 0);
	assert_int_equal(t.n, 0);
	assert_int_equal(t.gap_ns, 60);
	pf_pex_tree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_phases),
		cmocka_unit_test(test_exact_shares_and_odd_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
