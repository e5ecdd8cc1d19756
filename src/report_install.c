// SPDX-License-Identifier: GPL-2.0-only
/* An installer's time in the review's terms (see report_install.h). The figures come
 * from what the trace already has: category totals, the processes, the files, the
 * "compile" summary and "net_peers" (socket bytes by peer, BPF backend). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "report_install.h"

struct install_terms {
	uint64_t net_ns, unpack_ns, write_ns, compile_ns;
	uint64_t bytes_in, bytes_out, bytes_written, pyc_written;
	const char *peer;       /* the peer most bytes came from */
	uint64_t peer_in;
	uint64_t build_ns;      /* compiler processes' thread time */
	int build_procs;
};

static uint64_t total_of(const struct pf_rtrace *t, const struct pf_rcats *cats, const char *name)
{
	for (int i = 0; i < cats->n; i++)
		if (!strcmp(cats->name[i], name))
			return t->totals[i];
	return 0;
}

/* What a C build runs: the driver, the compiler proper, the assembler, the linker, by
 * the file exec'd (a process's comm may still be its parent's), without a target triplet
 * prefix ("x86_64-linux-gnu-") or a version suffix ("-12"). */
int pf_install_is_compiler(const char *exe)
{
	static const char *const tools[] = { "cc", "c++", "gcc", "g++", "clang", "clang++", "cc1", "cc1plus",
					     "as", "ld", "ld.bfd", "ld.gold", "collect2", "lto-wrapper", NULL };
	const char *name = exe ? strrchr(exe, '/') : NULL, *p;
	char base[64];
	size_t n;

	name = name ? name + 1 : exe;
	if (!name)
		return 0;
	if ((p = strstr(name, "-linux-gnu-")))
		name = p + strlen("-linux-gnu-");
	n = strcspn(name, "-");
	if (!n || n >= sizeof(base) || (name[n] && !isdigit((unsigned char)name[n + 1])))
		return 0; /* another tool with a dash in its name */
	memcpy(base, name, n);
	base[n] = 0;
	for (const char *const *t = tools; *t; t++)
		if (!strcmp(base, *t))
			return 1;
	return 0;
}

static uint64_t json_u64(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
}

static void gather(const struct pf_rtrace *t, const struct pf_rcats *cats, struct install_terms *x)
{
	size_t i;
	json_t *p;

	memset(x, 0, sizeof(*x));
	x->net_ns = total_of(t, cats, "net");
	x->unpack_ns = total_of(t, cats, "zip_extract");
	x->write_ns = total_of(t, cats, "file_io");
	x->compile_ns = total_of(t, cats, "compile");
	x->pyc_written = json_u64(json_object_get(t->root, "compile"), "pyc_written");
	for (int k = 0; k < t->nfiles; k++)
		x->bytes_written += t->files[k].bytes_written;
	for (int k = 0; k < t->nprocs; k++) {
		if (pf_install_is_compiler(t->procs[k].exe)) {
			x->build_ns += t->procs[k].thread_ns;
			x->build_procs++;
		}
	}
	json_array_foreach(json_object_get(t->root, "net_peers"), i, p) {
		const char *name = json_string_value(json_object_get(p, "peer"));
		uint64_t in = json_u64(p, "bytes_received");
		x->bytes_in += in;
		x->bytes_out += json_u64(p, "bytes_sent");
		if (name && strcmp(name, "unix") && in > x->peer_in) {
			x->peer = name;
			x->peer_in = in;
		}
	}
}

int pf_install_oneline(const struct pf_rtrace *t, const struct pf_rcats *cats, char *buf, size_t len)
{
	struct install_terms x;
	char a[32], b[32], c[32], d[32], e[32], f[32], g[32];

	gather(t, cats, &x);
	buf[0] = 0;
	if (!x.peer && !x.build_procs) /* neither fetched over TCP nor built: not an install */
		return -1;
	snprintf(buf, len,
		 "net %s (%s in from %s), build %s (%d compiler processes), unpack %s, file writes %s (%s), "
		 "bytecode %s (%llu .pyc)",
		 pf_fmt_s(a, sizeof(a), (double)x.net_ns, 0), pf_fmt_bytes(b, sizeof(b), x.peer_in),
		 x.peer ? x.peer : "no host", pf_fmt_s(c, sizeof(c), (double)x.build_ns, 0), x.build_procs,
		 pf_fmt_s(d, sizeof(d), (double)x.unpack_ns, 0), pf_fmt_s(e, sizeof(e), (double)x.write_ns, 0),
		 pf_fmt_bytes(f, sizeof(f), x.bytes_written), pf_fmt_s(g, sizeof(g), (double)x.compile_ns, 0),
		 (unsigned long long)x.pyc_written);
	return 0;
}

static void peers_table(FILE *f, const struct pf_rtrace *t, int md)
{
	struct pf_table *tab = pf_table_new(5, "lrrrr", "peer", "received", "sent", "time", "calls");
	size_t i;
	json_t *p;

	json_array_foreach(json_object_get(t->root, "net_peers"), i, p) {
		char in[32], out[32], ns[32], calls[32], esc[128];
		const char *name = json_string_value(json_object_get(p, "peer"));
		pf_table_add(tab, pf_md_escape(esc, sizeof(esc), name ? name : "?", md),
			     pf_fmt_bytes(in, sizeof(in), json_u64(p, "bytes_received")),
			     pf_fmt_bytes(out, sizeof(out), json_u64(p, "bytes_sent")),
			     pf_fmt_s(ns, sizeof(ns), (double)json_u64(p, "ns"), 0),
			     pf_fmt_count(calls, sizeof(calls), json_u64(p, "calls")));
	}
	if (pf_table_rows(tab))
		pf_table_print(f, tab, md, md ? "" : "  ");
	pf_table_free(tab);
}

void pf_report_install(FILE *f, const struct pf_rtrace *t, const struct pf_rcats *cats, int md)
{
	char line[1024], esc[1200];

	if (pf_install_oneline(t, cats, line, sizeof(line)))
		return;
	pf_heading(f, md, 2, "Installer terms (all threads)");
	fprintf(f, "%s%s\n\n", md ? "" : "  ", pf_md_escape(esc, sizeof(esc), line, md));
	peers_table(f, t, md);
	fputc('\n', f);
}
