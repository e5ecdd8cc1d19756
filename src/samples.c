// SPDX-License-Identifier: GPL-2.0-only
/* CPU samples as outputs (see samples.h): folded stacks and the JSON's
 * `samples` section, each process's samples split four ways. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "samples.h"
#include "pf_util.h"

void pf_samples_init(struct pf_samples *s, unsigned hz)
{
	memset(s, 0, sizeof(*s));
	s->hz = hz;
	u64map_init(&s->index);
}

static void row_free(struct pf_sample_row *r)
{
	free(r->proc);
	free(r->frames);
	free(r->py_func);
	free(r->native_func);
	free(r->native_lib);
	free(r->kernel_path);
}

void pf_samples_free(struct pf_samples *s)
{
	for (size_t i = 0; i < s->nrows; i++)
		row_free(&s->rows[i]);
	free(s->rows);
	s->rows = NULL;
	s->nrows = s->cap = 0;
	u64map_free(&s->index);
}

static char *dup_or_null(const char *p, int *err)
{
	char *d;

	if (!p)
		return NULL;
	d = strdup(p);
	if (!d)
		*err = 1;
	return d;
}

static uint64_t row_hash(uint32_t pid, const char *frames)
{
	uint64_t h = 14695981039346656037ULL ^ pid;

	for (const char *c = frames; *c; c++) {
		h ^= (unsigned char)*c;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The row already holding pid's stack of these frames, if any. */
static struct pf_sample_row *same_stack(struct pf_samples *s, uint32_t pid, const char *frames, uint64_t h)
{
	uint64_t i;
	struct pf_sample_row *r;

	if (!u64map_get(&s->index, h, &i) || !i || i > s->nrows)
		return NULL;
	r = &s->rows[i - 1];
	return r->pid == pid && !strcmp(r->frames, frames) ? r : NULL;
}

int pf_samples_add(struct pf_samples *s, const struct pf_sample_row *row)
{
	struct pf_sample_row *r;
	const char *frames = row->frames ? row->frames : "";
	uint64_t h = row_hash(row->pid, frames);
	int err = 0;

	r = same_stack(s, row->pid, frames, h);
	if (r) {
		r->count += row->count;
		return 0;
	}

	if (PF_GROW(s->rows, s->cap, s->nrows, 64))
		return -ENOMEM;
	r = &s->rows[s->nrows];
	r->pid = row->pid;
	r->count = row->count;
	r->proc = dup_or_null(row->proc ? row->proc : "?", &err);
	r->frames = dup_or_null(row->frames ? row->frames : "", &err);
	r->py_func = dup_or_null(row->py_func, &err);
	r->native_func = dup_or_null(row->native_func, &err);
	r->native_lib = dup_or_null(row->native_lib, &err);
	r->kernel_path = dup_or_null(row->kernel_path, &err);
	if (err) {
		row_free(r);
		return -ENOMEM;
	}
	s->nrows++;
	if (!u64map_get(&s->index, h, &(uint64_t){ 0 })) /* a collision keeps the first row's slot */
		u64map_put(&s->index, h, s->nrows);
	return 0;
}

int pf_samples_folded(const struct pf_samples *s, FILE *out)
{
	int lines = 0;

	for (size_t i = 0; i < s->nrows; i++) {
		const struct pf_sample_row *r = &s->rows[i];

		if (fprintf(out, "%s%s%s %" PRIu64 "\n", r->proc, r->frames[0] ? ";" : "", r->frames, r->count) < 0)
			return -1;
		lines++;
	}
	return fflush(out) ? -1 : lines;
}

/* Counts by name (and a second name: a function's library), for one process. */
struct tally {
	struct tally_row {
		const char *a, *b;
		uint64_t n;
	} *rows;
	size_t n, cap;
};

static void tally_add(struct tally *t, const char *a, const char *b, uint64_t n)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->rows[i].a, a) && (!b || !strcmp(t->rows[i].b, b))) {
			t->rows[i].n += n;
			return;
		}
	if (PF_GROW(t->rows, t->cap, t->n, 16))
		return; /* only a top list shortened */
	t->rows[t->n++] = (struct tally_row){ a, b, n };
}

static int tally_cmp(const void *x, const void *y)
{
	const struct tally_row *a = x, *b = y;

	return a->n < b->n ? 1 : a->n > b->n ? -1 : strcmp(a->a, b->a);
}

/* The top rows as [{a_key: a, (b_key: b,) samples, share}]. */
static json_t *tally_json(struct tally *t, const char *a_key, const char *b_key, uint64_t total, int top)
{
	json_t *arr = json_array();

	if (t->n) /* rows is NULL when there are none */
		qsort(t->rows, t->n, sizeof(*t->rows), tally_cmp);
	for (size_t i = 0; i < t->n && (int)i < top; i++) {
		json_t *o = json_pack("{s:s, s:I, s:f}", a_key, t->rows[i].a, "samples", (json_int_t)t->rows[i].n,
				      "share", total ? (double)t->rows[i].n / (double)total : 0.0);

		if (b_key)
			json_object_set_new(o, b_key, json_string(t->rows[i].b));
		json_array_append_new(arr, o);
	}
	free(t->rows);
	memset(t, 0, sizeof(*t));
	return arr;
}

static json_t *process_json(const struct pf_samples *s, uint32_t pid, uint64_t (*cpu_ns)(void *, uint32_t),
			    void *arg, int top)
{
	struct tally py = { 0 }, libs = { 0 }, funcs = { 0 }, kpaths = { 0 };
	uint64_t total = 0;
	const char *proc = "?";
	json_t *o;

	for (size_t i = 0; i < s->nrows; i++) {
		const struct pf_sample_row *r = &s->rows[i];

		if (r->pid != pid)
			continue;
		proc = r->proc;
		total += r->count;
		tally_add(&py, r->py_func ? r->py_func : "(no Python frame)", NULL, r->count);
		tally_add(&libs, r->native_lib ? r->native_lib : "(no user stack)", NULL, r->count);
		if (r->native_func)
			tally_add(&funcs, r->native_func, r->native_lib ? r->native_lib : "", r->count);
		tally_add(&kpaths, r->kernel_path ? r->kernel_path : "(user mode)", NULL, r->count);
	}
	o = json_pack("{s:I, s:s, s:I}", "pid", (json_int_t)pid, "process", proc, "samples", (json_int_t)total);
	if (cpu_ns && cpu_ns(arg, pid))
		json_object_set_new(o, "cpu_ns", json_integer((json_int_t)cpu_ns(arg, pid)));
	json_object_set_new(o, "python_functions", tally_json(&py, "function", NULL, total, top));
	json_object_set_new(o, "native_libraries", tally_json(&libs, "library", NULL, total, top));
	json_object_set_new(o, "native_functions", tally_json(&funcs, "function", "library", total, top));
	json_object_set_new(o, "kernel_paths", tally_json(&kpaths, "path", NULL, total, top));
	return o;
}

static int seen_before(const struct pf_samples *s, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (s->rows[j].pid == s->rows[i].pid)
			return 1;
	return 0;
}

json_t *pf_samples_to_json(const struct pf_samples *s, uint64_t (*cpu_ns)(void *, uint32_t), void *arg, int top)
{
	json_t *procs = json_array();

	for (size_t i = 0; i < s->nrows; i++)
		if (!seen_before(s, i))
			json_array_append_new(procs, process_json(s, s->rows[i].pid, cpu_ns, arg, top));
	return json_pack("{s:I, s:I, s:I, s:I, s:o}", "hz", (json_int_t)s->hz, "count", (json_int_t)s->count, "lost",
			 (json_int_t)s->lost, "lost_stacks", (json_int_t)s->lost_stacks, "processes", procs);
}
