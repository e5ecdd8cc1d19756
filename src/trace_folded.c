// SPDX-License-Identifier: GPL-2.0-only
/* The trace model as folded stacks (trace_folded.h). Each run of a thread
 * is cut where its imports start and end, so that each piece has one stack:
 * the process, the category, the modules being imported, the file. */
#include <stdlib.h>
#include <string.h>
#include "categories.h"
#include "pf_util.h"
#include "py_module_name.h"
#include "trace_folded.h"
#include "u64map.h"

#define STACK_MAX 4096
#define SPAN_DEPTH 64

/* Distinct stacks and their nanoseconds, found by a hash of the text. */
struct stack {
	char *text;
	uint64_t ns;
};

struct stacks {
	struct u64map index; /* hash -> index + 1 (a colliding text gets a row of its own, unindexed) */
	struct stack *v;
	size_t n, cap;
	int oom;
};

static uint64_t hash_text(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void add_stack(struct stacks *st, const char *text, uint64_t ns)
{
	uint64_t h = hash_text(text), i;
	bool known = u64map_get(&st->index, h, &i);

	if (!ns || st->oom)
		return;
	if (known && !strcmp(st->v[i - 1].text, text)) {
		st->v[i - 1].ns += ns;
		return;
	}
	if (PF_GROW(st->v, st->cap, st->n, 256)) {
		st->oom = 1;
		return;
	}
	st->v[st->n] = (struct stack){ strdup(text), ns };
	if (!st->v[st->n++].text || (!known && u64map_put(&st->index, h, st->n)))
		st->oom = 1;
}

/* Appends ";name" with the folded format's separators taken out of it. */
static void push_frame(char *buf, size_t *len, const char *name)
{
	if (*len && *len < STACK_MAX - 1)
		buf[(*len)++] = ';';
	for (const char *p = name; *p && *len < STACK_MAX - 1; p++)
		buf[(*len)++] = *p == ';' ? ':' : *p == '\n' ? ' ' : *p;
	buf[*len] = 0;
}

static void proc_frame(const struct pf_trace *tr, uint32_t pid, char *buf, size_t *len)
{
	const struct pf_proc *p = pf_trace_proc((struct pf_trace *)tr, pid);
	char name[128];
	const char *comm = p && p->comm ? p->comm : "?", *slash = strrchr(comm, '/');

	snprintf(name, sizeof(name), "%s (%u)", slash && slash[1] ? slash + 1 : comm, pid);
	*len = 0;
	push_frame(buf, len, name);
}

/* One piece of a run: [process, category, modules..., file]. */
static void add_piece(struct stacks *st, const struct pf_trace *tr, const struct pf_run *r,
		      const struct pf_span *const *open, int depth, uint64_t ns)
{
	char buf[STACK_MAX], mod[256];
	size_t len;
	const char *path = r->key ? pf_trace_path(tr, r->key) : NULL;

	proc_frame(tr, r->pid, buf, &len);
	push_frame(buf, &len, pf_cat_name(r->cat));
	for (int d = 0; d < depth; d++) {
		const char *key = pf_trace_module(tr, open[d]->key);

		pf_py_module_name(key ? key : "?", mod, sizeof(mod));
		push_frame(buf, &len, mod);
	}
	if (path)
		push_frame(buf, &len, path);
	add_stack(st, buf, ns);
}

/* The runs of one thread (runs[0..nr)), cut by its spans (spans[0..ns)). */
static void thread_stacks(struct stacks *st, const struct pf_trace *tr, const struct pf_run *runs, size_t nr,
			  const struct pf_span *spans, size_t ns)
{
	const struct pf_span *open[SPAN_DEPTH];
	int depth = 0;
	size_t j = 0;

	for (size_t i = 0; i < nr; i++) {
		uint64_t pos = runs[i].start, next;

		while (pos < runs[i].end) {
			while (depth && open[depth - 1]->end <= pos)
				depth--;
			for (; j < ns && spans[j].start <= pos; j++)
				if (spans[j].end > pos && depth < SPAN_DEPTH)
					open[depth++] = &spans[j];
			next = runs[i].end;
			if (depth && open[depth - 1]->end < next)
				next = open[depth - 1]->end;
			if (j < ns && spans[j].start < next)
				next = spans[j].start;
			add_piece(st, tr, &runs[i], open, depth, next - pos);
			pos = next;
		}
	}
}

/* Every thread's runs, and per process and category what they leave of it. */
static void timeline_stacks(struct stacks *st, struct pf_trace *tr, uint64_t *left)
{
	const struct pf_timeline *tl = &tr->tl;
	size_t s = 0;

	for (size_t i = 0, k; i < tl->nruns; i = k) {
		uint32_t tid = tl->runs[i].tid;
		size_t s_end;

		for (k = i; k < tl->nruns && tl->runs[k].tid == tid; k++) {
			const struct pf_run *r = &tl->runs[k];
			size_t pi;
			uint64_t v;

			if (r->cat < PF_CAT_MAX && u64map_get(&tr->proc_index, r->pid, &v) && (pi = v) < tr->nprocs)
				left[pi * PF_CAT_MAX + r->cat] -= r->end - r->start;
		}
		while (s < tl->nspans && tl->spans[s].tid < tid)
			s++;
		for (s_end = s; s_end < tl->nspans && tl->spans[s_end].tid == tid; s_end++)
			;
		thread_stacks(st, tr, &tl->runs[i], k - i, &tl->spans[s], s_end - s);
		s = s_end;
	}
}

static int by_text(const void *a, const void *b)
{
	return strcmp(((const struct stack *)a)->text, ((const struct stack *)b)->text);
}

/* Per process, what its runs leave of each category (all of it without runs). */
static uint64_t *category_left(const struct pf_trace *tr)
{
	uint64_t *left = calloc(tr->nprocs * PF_CAT_MAX + 1, sizeof(*left));

	for (size_t i = 0; left && i < tr->nprocs; i++)
		memcpy(&left[i * PF_CAT_MAX], tr->procs[i].cat_ns, sizeof(tr->procs[i].cat_ns));
	return left;
}

static void left_stacks(struct stacks *st, const struct pf_trace *tr, const uint64_t *left)
{
	char buf[STACK_MAX];
	size_t len;

	for (size_t i = 0; i < tr->nprocs; i++)
		for (unsigned c = 0; c < PF_CAT_MAX; c++) {
			uint64_t ns = left[i * PF_CAT_MAX + c];

			if (!ns || ns > tr->procs[i].cat_ns[c]) /* more runs than time: none left */
				continue;
			proc_frame(tr, tr->procs[i].pid, buf, &len);
			push_frame(buf, &len, pf_cat_name(c));
			add_stack(st, buf, ns);
		}
}

int pf_model_folded(struct pf_trace *tr, FILE *out)
{
	struct stacks st = { 0 };
	uint64_t *left = category_left(tr);
	int rc;

	if (!left)
		return -1;
	u64map_init(&st.index);
	pf_timeline_sort(&tr->tl);
	timeline_stacks(&st, tr, left);
	left_stacks(&st, tr, left);
	if (st.n)
		qsort(st.v, st.n, sizeof(*st.v), by_text);
	for (size_t k = 0; k < st.n; k++)
		if (st.v[k].ns >= 500) /* a line rounds to at least 1 µs */
			fprintf(out, "%s %llu\n", st.v[k].text, (unsigned long long)((st.v[k].ns + 500) / 1000));
	rc = st.oom ? -1 : 0;
	for (size_t k = 0; k < st.n; k++)
		free(st.v[k].text);
	free(st.v);
	free(left);
	u64map_free(&st.index);
	return rc;
}

json_t *pf_model_folded_json(struct pf_trace *tr)
{
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	json_t *a = json_array();

	if (!mem || pf_model_folded(tr, mem) | fclose(mem)) {
		free(text);
		return a;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		json_array_append_new(a, json_string(line));
	free(text);
	return a;
}
