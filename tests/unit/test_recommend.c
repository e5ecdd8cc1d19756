// SPDX-License-Identifier: GPL-2.0-only
/* perfanity recommend: priorities, ranking, ties, the worst case over machines, macros. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "recommend.h"

#define EPS 1e-9

/* A result with two steps and one goal; each config: name, then per step median, min, max,
 * then artifact bytes. */
static json_t *config(const char *label, const char *mode, const char *layout, double noop_med,
		      double noop_min, double noop_max, double clean_med, long long artifact)
{
	json_t *c = json_pack("{s:s, s:{s:s, s:s}, s:I, s:[{s:s, s:s, s:s, s:f, s:f, s:f},"
			      " {s:s, s:s, s:s, s:f, s:f, s:f}]}",
			      "label", label, "params", "execution_mode", mode, "layout", layout,
			      "artifact_bytes", (json_int_t)artifact, "cells",
			      "step", "clean", "goal", "run", "status", "ok", "median", clean_med, "min", clean_med,
			      "max", clean_med,
			      "step", "noop", "goal", "run", "status", "ok", "median", noop_med, "min", noop_min,
			      "max", noop_max);
	assert_non_null(c);
	return c;
}

static json_t *result(void)
{
	json_t *doc = json_pack("{s:s, s:{s:[{s:s}, {s:s}], s:[{s:s}]}, s:[]}", "kind", "bench", "matrix",
				"steps", "name", "clean", "name", "noop", "goals", "name", "run", "configs");
	json_t *cs = json_object_get(doc, "configs");
	/* venv/loose: fastest noop run, clearly; zipapp/zipapp (pex's defaults): slow, small */
	json_array_append_new(cs, config("a@venv,loose", "venv", "loose", 1.0, 0.95, 1.05, 3.0, 3000));
	json_array_append_new(cs, config("b@venv,packed", "venv", "packed", 1.02, 0.98, 1.10, 3.0, 2000));
	json_array_append_new(cs, config("c@zipapp,zipapp", "zipapp", "zipapp", 2.0, 1.9, 2.1, 4.0, 1000));
	return doc;
}

static size_t prefer(const char *spec, struct rec_priority *p)
{
	char err[256];
	int n = rec_parse_prefer(spec, p, REC_MAX_PRIORITIES, err, sizeof(err));
	assert_true(n > 0);
	return (size_t)n;
}

static void parses_priorities(void **state)
{
	(void)state;
	struct rec_priority p[REC_MAX_PRIORITIES];
	assert_int_equal(prefer("package,noop.run:2,artifact,network_bytes", p), 4);
	assert_string_equal(p[0].goal, "package");
	assert_string_equal(p[0].step, "");
	assert_string_equal(p[1].step, "noop");
	assert_string_equal(p[1].goal, "run");
	assert_float_equal(p[1].weight, 2, EPS);
	assert_int_equal(p[2].kind, REC_SIZE);
	assert_string_equal(p[2].key, "artifact_bytes");
	assert_string_equal(p[3].missing, "no installer results");
	/* the docker preset's goals: build (its image goal), start, STEP.image; bare image is a size */
	assert_int_equal(prefer("build,start,clean.image,image", p), 4);
	assert_string_equal(p[0].goal, "image");
	assert_string_equal(p[1].goal, "start");
	assert_string_equal(p[2].step, "clean");
	assert_string_equal(p[2].goal, "image");
	assert_int_equal(p[3].kind, REC_SIZE);
	assert_string_equal(p[3].key, "image_bytes");
}

static void refuses_unknown_priority_and_bad_weight(void **state)
{
	(void)state;
	struct rec_priority p[REC_MAX_PRIORITIES];
	char err[256];
	assert_int_equal(rec_parse_prefer("speed", p, REC_MAX_PRIORITIES, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown priority 'speed'"));
	assert_int_equal(rec_parse_prefer("run:0", p, REC_MAX_PRIORITIES, err, sizeof(err)), -1);
	assert_int_equal(rec_parse_prefer("run:x", p, REC_MAX_PRIORITIES, err, sizeof(err)), -1);
	assert_int_equal(rec_parse_prefer("warm.run", p, REC_MAX_PRIORITIES, err, sizeof(err)), -1);
	assert_int_equal(rec_parse_prefer("run,", p, REC_MAX_PRIORITIES, err, sizeof(err)), -1);
}

static void goal_sums_its_steps(void **state)
{
	(void)state;
	json_t *doc = result();
	struct rec_priority p[REC_MAX_PRIORITIES];
	prefer("run", p);
	struct rec_value v = rec_config_value(doc, json_array_get(json_object_get(doc, "configs"), 0), p);
	assert_true(v.ok);
	assert_float_equal(v.value, 4.0, EPS);
	assert_float_equal(v.lo, 3.95, EPS);
	assert_float_equal(v.hi, 4.05, EPS);
	json_decref(doc);
}

static void ranks_and_calls_overlap_a_tie(void **state)
{
	(void)state;
	json_t *doc = result();
	struct rec_priority p[REC_MAX_PRIORITIES];
	struct rec_entry *e;
	size_t n = rec_rank(doc, p, prefer("noop.run", p), &e);
	assert_int_equal(n, 3);
	assert_string_equal(e[0].label, "a@venv,loose");
	assert_string_equal(e[1].label, "b@venv,packed");
	assert_float_equal(e[0].score, 1.0, EPS);
	assert_float_equal(e[2].score, 2.0, EPS);
	assert_true(rec_tie(&e[0], &e[1]));   /* 0.95-1.05 and 0.98-1.10 overlap */
	assert_false(rec_tie(&e[0], &e[2]));  /* 1.9-2.1: a clear win */
	free(e);
	json_decref(doc);
}

static void sizes_rank_without_spread(void **state)
{
	(void)state;
	json_t *doc = result();
	struct rec_priority p[REC_MAX_PRIORITIES];
	struct rec_entry *e;
	size_t n = rec_rank(doc, p, prefer("artifact_size", p), &e);
	assert_int_equal(n, 3);
	assert_string_equal(e[0].label, "c@zipapp,zipapp");
	assert_false(rec_tie(&e[0], &e[1]));
	free(e);
	json_decref(doc);
}

/* Weights trade units: run twice as important as size still picks the fast one; size
 * ten times as important picks the small one. */
static void weights_trade_priorities(void **state)
{
	(void)state;
	json_t *doc = result();
	struct rec_priority p[REC_MAX_PRIORITIES];
	struct rec_entry *e;
	rec_rank(doc, p, prefer("noop.run:2,artifact", p), &e);
	assert_string_equal(e[0].label, "b@venv,packed"); /* (2*1.02 + 2)/3 < (2 + 3)/3 */
	free(e);
	rec_rank(doc, p, prefer("noop.run,artifact:10", p), &e);
	assert_string_equal(e[0].label, "c@zipapp,zipapp");
	free(e);
	json_decref(doc);
}

static void failed_cells_are_not_ranked(void **state)
{
	(void)state;
	json_t *doc = result();
	json_t *cell = json_array_get(json_object_get(json_array_get(json_object_get(doc, "configs"), 0), "cells"), 1);
	json_object_set_new(cell, "status", json_string("failed"));
	struct rec_priority p[REC_MAX_PRIORITIES];
	struct rec_entry *e;
	size_t n = rec_rank(doc, p, prefer("run", p), &e);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].label, "b@venv,packed");
	free(e);
	json_decref(doc);
}

static void defaults_and_missing_results(void **state)
{
	(void)state;
	json_t *doc = result();
	struct rec_priority p[REC_MAX_PRIORITIES];
	assert_string_equal(json_string_value(json_object_get(rec_defaults_config(doc), "label")), "c@zipapp,zipapp");
	prefer("image_size,test,noop.run", p);
	assert_false(rec_result_has(doc, &p[0]));
	assert_false(rec_result_has(doc, &p[1]));
	assert_true(rec_result_has(doc, &p[2]));
	json_decref(doc);
}

/* Machine 1 prefers a (b 10% behind), machine 2 prefers c (a 50% behind, b 5%): the
 * worst case picks b, never more than 1.10x off. */
static void minimax_over_machines(void **state)
{
	(void)state;
	struct rec_entry m1[] = { { .label = "a", .score = 1.0 }, { .label = "b", .score = 1.1 },
				  { .label = "c", .score = 2.0 } };
	struct rec_entry m2[] = { { .label = "c", .score = 1.0 }, { .label = "b", .score = 1.05 },
				  { .label = "a", .score = 1.5 } };
	struct rec_entry *ranks[] = { m1, m2 };
	size_t n[] = { 3, 3 }, where = 9;
	double worst = 0;
	assert_string_equal(rec_minimax(ranks, n, 2, &worst, &where), "b");
	assert_float_equal(worst, 1.1, EPS);
	assert_int_equal(where, 0);
}

static void macros_carry_the_parameters(void **state)
{
	(void)state;
	json_t *params = json_pack("{s:s, s:s, s:s, s:s}", "execution_mode", "venv", "layout", "packed",
				   "compress", "false", "pantsd", "true");
	char *opts = rec_pex_options(params), *fields = rec_build_fields(params, ""),
	     *macro = rec_pants_macro(params, "the best");
	assert_string_equal(opts, "--venv prepend --layout packed --no-compress");
	assert_non_null(strstr(fields, "execution_mode=\"venv\",\nlayout=\"packed\",\n"));
	assert_non_null(strstr(fields, "# compress=false: no pex_binary field"));
	assert_non_null(strstr(macro, "def recommended_pex_binary(**kwargs):\n"
				      "    kwargs.setdefault(\"execution_mode\", \"venv\")\n"
				      "    kwargs.setdefault(\"layout\", \"packed\")\n"
				      "    pex_binary(**kwargs)\n"));
	free(opts);
	free(fields);
	free(macro);
	json_decref(params);
}

/* Results without "params" (older ones) still say their parameters in the label. */
static void params_from_label(void **state)
{
	(void)state;
	json_t *c = json_pack("{s:s, s:{}}", "label", "simple:bin@execution_mode=venv,layout=loose pantsd=true", "params");
	json_t *p = rec_config_params(c);
	assert_int_equal(json_object_size(p), 2);
	assert_string_equal(json_string_value(json_object_get(p, "execution_mode")), "venv");
	assert_string_equal(json_string_value(json_object_get(p, "layout")), "loose");
	json_decref(p);
	json_decref(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_priorities),
		cmocka_unit_test(refuses_unknown_priority_and_bad_weight),
		cmocka_unit_test(goal_sums_its_steps),
		cmocka_unit_test(ranks_and_calls_overlap_a_tie),
		cmocka_unit_test(sizes_rank_without_spread),
		cmocka_unit_test(weights_trade_priorities),
		cmocka_unit_test(failed_cells_are_not_ranked),
		cmocka_unit_test(defaults_and_missing_results),
		cmocka_unit_test(minimax_over_machines),
		cmocka_unit_test(macros_carry_the_parameters),
		cmocka_unit_test(params_from_label),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
