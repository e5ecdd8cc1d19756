// SPDX-License-Identifier: GPL-2.0-only
/* Per-program verifier statistics for --verbose (see trace_verifier_log.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "trace_verifier_log.h"

#define MAX_PROGS 32
#define LOG_SIZE (64 * 1024) /* room for the error and the state it was in */
#define LOG_STATS 4          /* BPF_LOG_STATS */

static char logs[MAX_PROGS][LOG_SIZE];

void pf_verifier_log_setup(struct bpf_object *obj)
{
	struct bpf_program *prog;
	int i = 0;

	bpf_object__for_each_program(prog, obj) {
		if (i == MAX_PROGS)
			break;
		logs[i][0] = 0;
		bpf_program__set_log_buf(prog, logs[i++], LOG_SIZE);
		bpf_program__set_log_level(prog, LOG_STATS);
	}
}

struct prog_cost {
	const char *name;
	unsigned long usec, insns;
};

static int slowest_first(const void *a, const void *b)
{
	const struct prog_cost *x = a, *y = b;

	return x->usec < y->usec ? 1 : x->usec > y->usec ? -1 : 0;
}

void pf_verifier_log_print_costs(struct bpf_object *obj, FILE *out)
{
	struct prog_cost c[MAX_PROGS];
	struct bpf_program *prog;
	unsigned long total = 0;
	size_t n = 0;

	bpf_object__for_each_program(prog, obj) {
		size_t sz = 0;
		const char *l = bpf_program__log_buf(prog, &sz), *t, *p;

		if (n == MAX_PROGS || !l || !(t = strstr(l, "verification time ")))
			continue;
		c[n] = (struct prog_cost){ bpf_program__name(prog), strtoul(t + 18, NULL, 10), 0 };
		if ((p = strstr(l, "processed ")))
			c[n].insns = strtoul(p + 10, NULL, 10);
		total += c[n++].usec;
	}
	qsort(c, n, sizeof(*c), slowest_first);
	fprintf(out, "perfanity: trace: the verifier took %.1f ms for %zu programs:", total / 1e3, n);
	for (size_t i = 0; i < n; i++)
		fprintf(out, " %s %.1f ms (%lu insns)%s", c[i].name, c[i].usec / 1e3, c[i].insns, i + 1 < n ? "," : "\n");
	if (!n)
		fputc('\n', out);
}

void pf_verifier_log_print_failure(struct bpf_object *obj, FILE *out)
{
	struct bpf_program *prog, *last = NULL;
	const char *log = NULL;

	bpf_object__for_each_program(prog, obj) {
		size_t sz = 0;
		const char *l = bpf_program__log_buf(prog, &sz);

		if (l && *l) {
			last = prog;
			log = l;
		}
	}
	if (last) {
		size_t n = strnlen(log, LOG_SIZE);

		fprintf(out, "--- verifier log of %s (tail) ---\n%s\n", bpf_program__name(last),
			log + (n > 6000 ? n - 6000 : 0));
	}
}
