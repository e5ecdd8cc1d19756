// SPDX-License-Identifier: GPL-2.0-only
/* Output helpers of perfanity report: human units and headings (its tables are
 * pf_table's), so the single and comparison views are written once for both formats. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

char *pf_fmt_s(char *buf, size_t len, double ns, int sign)
{
	double a = fabs(ns);
	const char *sg = sign ? (ns < 0 ? "-" : "+") : (ns < 0 ? "-" : "");
	/* Seconds with two decimals where that is meaningful, finer below 0.1 s
	 * so short traces do not print as a column of zeros. */
	if (a >= 1e8)
		snprintf(buf, len, "%s%.2f s", sg, a / 1e9);
	else if (a >= 1e6)
		snprintf(buf, len, "%s%.1f ms", sg, a / 1e6);
	else if (a >= 1e3)
		snprintf(buf, len, "%s%.0f us", sg, a / 1e3);
	else
		snprintf(buf, len, "%s%.0f ns", sg, a);
	return buf;
}

char *pf_fmt_count(char *buf, size_t len, uint64_t n)
{
	char tmp[32];
	int l = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)n);
	size_t o = 0;
	for (int i = 0; i < l && o + 1 < len; i++) {
		if (i && (l - i) % 3 == 0 && o + 2 < len)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o < len ? o : len - 1] = 0;
	return buf;
}

char *pf_fmt_pct(char *buf, size_t len, double part, double whole)
{
	if (whole <= 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", 100.0 * part / whole);
	return buf;
}

void pf_heading(FILE *f, int markdown, int level, const char *title)
{
	if (markdown) {
		fprintf(f, "\n%.*s %s\n\n", level + 1, "######", title);
		return;
	}
	fprintf(f, "\n%s\n", title);
	size_t n = strlen(title);
	for (size_t i = 0; i < n; i++)
		fputc(level <= 1 ? '=' : '-', f);
	fputc('\n', f);
}
