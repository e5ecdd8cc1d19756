// SPDX-License-Identifier: GPL-2.0-only
/* One-line explanations of traces for other subcommands (bench --explain
 * puts one beside each cell): the same path decomposition and causes as the
 * report, condensed. */
#include <stdlib.h>
#include <string.h>
#include "report.h"

/* Load JSON documents as traces sharing one category table. */
static int load_all(json_t **docs, int n, struct pf_rtrace *t, struct pf_rcats *cats, char *buf, size_t len)
{
	for (int i = 0; i < n; i++) {
		char err[256];
		if (pf_report_load(docs[i], "", "trace", cats, &t[i], err, sizeof(err))) {
			snprintf(buf, len, "%s", err);
			for (int j = 0; j <= i; j++)
				pf_report_free(&t[j]);
			return -1;
		}
	}
	for (int i = 0; i < n; i++)
		pf_report_path(&t[i], cats);
	return 0;
}

int pf_report_explain_one(json_t *trace, int top, char *buf, size_t len)
{
	struct pf_rcats cats = { .child_wait = -1, .sleep = -1 };
	struct pf_rtrace t;
	if (!len)
		return -1;
	buf[0] = 0;
	if (load_all(&trace, 1, &t, &cats, buf, len))
		return -1;
	int used[PF_RCAT_MAX] = { 0 };
	size_t o = 0;
	for (int k = 0; k < top && o + 1 < len; k++) {
		int best = -1;
		for (int c = 0; c < cats.n; c++)
			if (!used[c] && t.path_ns[c] > 0 && (best < 0 || t.path_ns[c] > t.path_ns[best]))
				best = c;
		if (best < 0)
			break;
		used[best] = 1;
		char s[32], p[32], note[64];
		int w = snprintf(buf + o, len - o, "%s%s %s (%s)%s", k ? ", " : "", cats.name[best],
				 pf_fmt_s(s, sizeof(s), (double)t.path_ns[best], 0),
				 pf_fmt_pct(p, sizeof(p), (double)t.path_ns[best], (double)t.wall_ns),
				 pf_report_sched_note(&t, cats.name[best], note, sizeof(note)));
		if (w < 0)
			break;
		o += (size_t)w;
	}
	pf_report_free(&t);
	return 0;
}

int pf_report_explain_diff(json_t *a, json_t *b, int top, char *buf, size_t len)
{
	struct pf_rcats cats = { .child_wait = -1, .sleep = -1 };
	struct pf_rtrace t[2];
	json_t *docs[2] = { a, b };
	if (!len)
		return -1;
	buf[0] = 0;
	if (load_all(docs, 2, t, &cats, buf, len))
		return -1;
	struct pf_rcause k[PF_RCAT_MAX + 1];
	int n = pf_report_causes(&t[0], &t[1], &cats, k);
	char s[32];
	int64_t rest = 0;
	size_t o = (size_t)snprintf(buf, len, "%s =",
				    pf_fmt_s(s, sizeof(s), (double)((int64_t)t[1].wall_ns - (int64_t)t[0].wall_ns), 1));
	for (int i = 0; i < n; i++) {
		if (i >= top) {
			rest += k[i].delta_ns;
			continue;
		}
		if (o + 1 >= len)
			break;
		char note[64] = "";
		if (k[i].cat >= 0)
			pf_report_sched_note(&t[k[i].delta_ns < 0 ? 0 : 1], cats.name[k[i].cat], note, sizeof(note));
		int w = snprintf(buf + o, len - o, " %s%s %s%s", i ? (k[i].delta_ns < 0 ? "- " : "+ ")
								: (k[i].delta_ns < 0 ? "-" : "+"),
				 pf_fmt_s(s, sizeof(s), (double)llabs(k[i].delta_ns), 0),
				 k[i].cat < 0 ? "unattributed" : cats.name[k[i].cat], note);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	if (n > top && o + 1 < len)
		o += (size_t)snprintf(buf + o, len - o, " %s%s other causes", rest < 0 ? "- " : "+ ",
				      pf_fmt_s(s, sizeof(s), (double)llabs(rest), 0));
	if (!n && o + 1 < len)
		snprintf(buf + o, len - o, " no difference");
	pf_report_free(&t[0]);
	pf_report_free(&t[1]);
	return 0;
}
