// SPDX-License-Identifier: GPL-2.0-only
/* The trace's syscall table (see trace_syscalls.h). The kernel sums it per
 * CPU; the backend adds the CPUs up into tr->syscalls. */
#include <stdlib.h>
#include "syscall_class.h"
#include "trace_syscalls.h"

static int by_ns_desc(const void *a, const void *b, void *arg)
{
	const struct pf_syscall_stat *s = arg;
	const struct pf_syscall_stat *x = &s[*(const unsigned *)a], *y = &s[*(const unsigned *)b];

	if (x->ns != y->ns)
		return x->ns < y->ns ? 1 : -1;
	return *(const unsigned *)a < *(const unsigned *)b ? -1 : 1;
}

/* The numbers of the syscalls called, by time descending; returns how many. */
static unsigned called(const struct pf_trace *tr, unsigned order[PF_SC_NR_MAX])
{
	unsigned n = 0;

	for (unsigned nr = 0; nr < PF_SC_NR_MAX; nr++)
		if (tr->syscalls[nr].calls)
			order[n++] = nr;
	qsort_r(order, n, sizeof(*order), by_ns_desc, (void *)tr->syscalls);
	return n;
}

static const char *name_of(unsigned nr, char *buf, size_t len)
{
	const char *name = pf_syscall_name(nr);

	if (name)
		return name;
	snprintf(buf, len, "syscall_%u", nr);
	return buf;
}

json_t *pf_trace_syscalls_json(const struct pf_trace *tr)
{
	unsigned order[PF_SC_NR_MAX], n = called(tr, order);
	json_t *a = json_array();
	char buf[32];

	for (unsigned i = 0; i < n; i++) {
		const struct pf_syscall_stat *s = &tr->syscalls[order[i]];

		json_array_append_new(a, json_pack("{s:s, s:i, s:I, s:I, s:I, s:I}", "name",
						   name_of(order[i], buf, sizeof(buf)), "nr", (int)order[i],
						   "calls", (json_int_t)s->calls, "errors", (json_int_t)s->errors,
						   "ns", (json_int_t)s->ns, "bytes", (json_int_t)s->bytes));
	}
	return a;
}

void pf_trace_print_syscalls(const struct pf_trace *tr, FILE *out)
{
	unsigned order[PF_SC_NR_MAX], n = called(tr, order);
	uint64_t ns = 0, calls = 0, errors = 0;
	char name[32], errs[32];

	for (unsigned i = 0; i < n; i++) {
		ns += tr->syscalls[order[i]].ns;
		calls += tr->syscalls[order[i]].calls;
		errors += tr->syscalls[order[i]].errors;
	}
	fprintf(out, "syscalls (all threads, entry to exit):\n");
	fprintf(out, "  %6s %11s %11s %9s %9s %12s  %s\n", "% time", "seconds", "usecs/call", "calls", "errors",
		"bytes", "syscall");
	for (unsigned i = 0; i < n; i++) {
		const struct pf_syscall_stat *s = &tr->syscalls[order[i]];

		fprintf(out, "  %6.2f %11.6f %11llu %9llu %9s %12llu  %s\n", ns ? 100.0 * s->ns / ns : 0.0,
			s->ns / 1e9, (unsigned long long)(s->ns / 1000 / s->calls), (unsigned long long)s->calls,
			s->errors ? (snprintf(errs, sizeof(errs), "%llu", (unsigned long long)s->errors), errs) : "",
			(unsigned long long)s->bytes, name_of(order[i], name, sizeof(name)));
	}
	fprintf(out, "  %6s %11.6f %11s %9llu %9llu %12s  %s\n", "100.00", ns / 1e9, "",
		(unsigned long long)calls, (unsigned long long)errors, "", "total");
}
