// SPDX-License-Identifier: GPL-2.0-only
/* perfanity recommend: priorities, scores, ranking and ties (include/recommend.h). Pure
 * functions of the result JSON, so the unit tests pin the decision logic down. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pf_json.h"
#include "recommend.h"

struct size_priority {
	const char *name, *alias, *key, *what, *missing;
};

/* Docker and installer results do not exist yet: their keys are what a driver would
 * record, so a result that has them is ranked on them and one without says so. */
static const struct size_priority sizes[] = {
	{ "artifact_size", "artifact", "artifact_bytes", "artifact size", "no artifact sizes" },
	{ "pex_root_size", "pex_root", "pex_root_bytes", "PEX_ROOT size", "no PEX_ROOT sizes" },
	{ "image_size", "image", "image_bytes", "image size", "no Docker results" },
	{ "push_bytes", "push", "push_bytes", "push bytes", "no Docker results" },
	{ "network_bytes", "network", "network_bytes", "network bytes", "no installer results" },
	{ 0 }
};

/* the pex and Pants presets' goals, and the docker preset's: image (bare "image" is the
 * image's size: its build time is STEP.image or, summed over the steps, "build") and start */
static const char *const goals[] = { "package", "run", "test", "image", "start", NULL };
static const char *const steps[] = { "clean", "noop", "incremental", NULL };

static int in_list(const char *const *l, const char *s, size_t n)
{
	for (; *l; l++)
		if (strlen(*l) == n && !strncmp(*l, s, n))
			return 1;
	return 0;
}

static int parse_name(const char *s, size_t n, struct rec_priority *p)
{
	const char *dot = memchr(s, '.', n);
	for (const struct size_priority *z = sizes; z->name; z++) {
		if ((strlen(z->name) == n && !strncmp(z->name, s, n)) ||
		    (strlen(z->alias) == n && !strncmp(z->alias, s, n))) {
			p->kind = REC_SIZE;
			p->key = z->key;
			p->what = z->what;
			p->missing = z->missing;
			return 0;
		}
	}
	p->kind = REC_TIME;
	if (!dot && n == 5 && !strncmp(s, "build", 5)) {
		snprintf(p->goal, sizeof(p->goal), "image");
		return 0;
	}
	if (!dot && in_list(goals, s, n)) {
		snprintf(p->goal, sizeof(p->goal), "%.*s", (int)n, s);
		return 0;
	}
	if (dot && in_list(steps, s, dot - s) && in_list(goals, dot + 1, s + n - dot - 1)) {
		snprintf(p->step, sizeof(p->step), "%.*s", (int)(dot - s), s);
		snprintf(p->goal, sizeof(p->goal), "%.*s", (int)(s + n - dot - 1), dot + 1);
		return 0;
	}
	return -1;
}

int rec_parse_prefer(const char *spec, struct rec_priority *out, size_t max, char *err, size_t errlen)
{
	size_t n = 0;
	for (const char *s = spec; ; s++) {
		size_t len = strcspn(s, ","), nlen = strcspn(s, ":,");
		struct rec_priority p = { .weight = 1 };
		snprintf(p.name, sizeof(p.name), "%.*s", (int)nlen, s);
		if (!len || parse_name(s, nlen, &p)) {
			snprintf(err, errlen, "--prefer: unknown priority '%.*s' (expected package, run, test, "
				 "build and start (docker), STEP.GOAL as noop.run, artifact_size, pex_root_size, image_size, push_bytes, "
				 "network_bytes; each optionally :WEIGHT)", (int)nlen, s);
			return -1;
		}
		if (nlen < len) {
			char *end;
			p.weight = strtod(s + nlen + 1, &end);
			if (end != s + len || end == s + nlen + 1 || !(p.weight > 0) || !isfinite(p.weight)) {
				snprintf(err, errlen, "--prefer: %.*s: the weight must be a positive number",
					 (int)len, s);
				return -1;
			}
		}
		if (n == max) {
			snprintf(err, errlen, "--prefer: at most %zu priorities", max);
			return -1;
		}
		out[n++] = p;
		s += len;
		if (!*s)
			return (int)n;
	}
}

static double num(json_t *o, const char *k, double dflt)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : dflt;
}

json_t *rec_find_cell(json_t *config, const char *step, const char *goal)
{
	size_t i;
	json_t *cell;
	json_array_foreach(json_object_get(config, "cells"), i, cell)
		if (!strcmp(pf_json_str(cell, "step", ""), step) && !strcmp(pf_json_str(cell, "goal", ""), goal))
			return cell;
	return NULL;
}

int rec_result_has(json_t *doc, const struct rec_priority *p)
{
	size_t i;
	json_t *config;
	json_array_foreach(json_object_get(doc, "configs"), i, config) {
		if (p->kind == REC_SIZE && json_is_integer(json_object_get(config, p->key)))
			return 1;
		if (p->kind != REC_TIME)
			continue;
		size_t k;
		json_t *cell;
		json_array_foreach(json_object_get(config, "cells"), k, cell)
			if (!strcmp(pf_json_str(cell, "goal", ""), p->goal) && (!p->step[0] || !strcmp(pf_json_str(cell, "step", ""), p->step)) &&
			    strcmp(pf_json_str(cell, "status", ""), "not run"))
				return 1;
	}
	return 0;
}

/* A goal alone is that goal summed over every step the result ran: the time a user
 * spends on it in a day that has each once. */
struct rec_value rec_config_value(json_t *doc, json_t *config, const struct rec_priority *p)
{
	struct rec_value v = { 0 };
	if (p->kind == REC_SIZE) {
		json_t *b = json_object_get(config, p->key);
		if (json_is_integer(b))
			v = (struct rec_value){ 1, (double)json_integer_value(b), (double)json_integer_value(b),
						(double)json_integer_value(b) };
		return v;
	}
	size_t i;
	json_t *step;
	v.ok = 1;
	int any = 0;
	json_array_foreach(json_object_get(json_object_get(doc, "matrix"), "steps"), i, step) {
		if (p->step[0] && strcmp(p->step, pf_json_str(step, "name", "")))
			continue;
		json_t *cell = rec_find_cell(config, pf_json_str(step, "name", ""), p->goal);
		if (!cell || !strcmp(pf_json_str(cell, "status", ""), "not run"))
			continue;
		double med = num(cell, "median", -1);
		if (strcmp(pf_json_str(cell, "status", ""), "ok") || med < 0)
			v.ok = 0;
		v.value += med;
		v.lo += num(cell, "min", med);
		v.hi += num(cell, "max", med);
		any = 1;
	}
	v.ok &= any;
	return v;
}

static int by_score(const void *a, const void *b)
{
	const struct rec_entry *x = a, *y = b;
	return (x->score > y->score) - (x->score < y->score);
}

/* Priorities in different units are made comparable by dividing each by its best
 * value: a configuration 10% slower to run and 50% larger scores 1.1*w1 + 1.5*w2. */
size_t rec_rank(json_t *doc, const struct rec_priority *p, size_t np, struct rec_entry **out)
{
	json_t *configs = json_object_get(doc, "configs"), *config;
	size_t n = 0, i;
	struct rec_entry *e = calloc(json_array_size(configs) + 1, sizeof(*e));
	json_array_foreach(configs, i, config) {
		struct rec_entry x = { .config = config, .label = pf_json_str(config, "label", "") };
		int ok = 1;
		for (size_t k = 0; k < np; k++) {
			x.v[k] = rec_config_value(doc, config, &p[k]);
			ok &= x.v[k].ok;
		}
		if (ok)
			e[n++] = x;
	}
	double wsum = 0;
	for (size_t k = 0; k < np; k++)
		wsum += p[k].weight;
	for (size_t k = 0; k < np; k++) {
		double best = INFINITY;
		for (i = 0; i < n; i++)
			best = fmin(best, e[i].v[k].value);
		/* A best of 0 (nothing left in PEX_ROOT) has no ratio: every config then counts
		 * as best on it, rather than dividing by zero. */
		double scale = best > 0 ? p[k].weight / best / wsum : 0, flat = best > 0 ? 0 : p[k].weight / wsum;
		for (i = 0; i < n; i++) {
			e[i].score += e[i].v[k].value * scale + flat;
			e[i].lo += e[i].v[k].lo * scale + flat;
			e[i].hi += e[i].v[k].hi * scale + flat;
		}
	}
	qsort(e, n, sizeof(*e), by_score);
	*out = e;
	return n;
}

int rec_tie(const struct rec_entry *a, const struct rec_entry *b)
{
	if (a->score == b->score)
		return 1;
	return a->score < b->score ? a->hi >= b->lo : b->hi >= a->lo;
}

static double score_of(const struct rec_entry *r, size_t n, const char *label)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(r[i].label, label))
			return r[i].score;
	return -1;
}

const char *rec_minimax(struct rec_entry *const *ranks, const size_t *n, size_t machines,
			double *worst, size_t *where)
{
	const char *choice = NULL;
	for (size_t i = 0; machines && i < n[0]; i++) {
		const char *label = ranks[0][i].label;
		double w = 0;
		size_t at = 0;
		int everywhere = 1;
		for (size_t m = 0; m < machines && everywhere; m++) {
			double s = score_of(ranks[m], n[m], label);
			everywhere = s >= 0 && n[m] && ranks[m][0].score > 0;
			if (everywhere && s / ranks[m][0].score > w) {
				w = s / ranks[m][0].score;
				at = m;
			}
		}
		if (everywhere && (!choice || w < *worst)) {
			choice = label;
			*worst = w;
			*where = at;
		}
	}
	return choice;
}

json_t *rec_defaults_config(json_t *doc)
{
	size_t i;
	json_t *config;
	json_array_foreach(json_object_get(doc, "configs"), i, config) {
		json_t *params = rec_config_params(config);
		const char *mode = pf_json_str(params, "execution_mode", ""), *layout = pf_json_str(params, "layout", "");
		/* a matrix without parameters has nothing to compare */
		int dflt = json_object_size(params) && (!*mode || !strcmp(mode, "zipapp")) &&
			   (!*layout || !strcmp(layout, "zipapp"));
		json_decref(params);
		if (dflt)
			return config;
	}
	return NULL;
}
