// SPDX-License-Identifier: GPL-2.0-only
/* Output helpers of perfanity report: human units, and tables that render
 * either aligned for a terminal or as Markdown pipe tables, so the single
 * and comparison views are written once for both formats. */
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

char *pf_md_escape(char *buf, size_t len, const char *s, int markdown)
{
	size_t o = 0;
	if (!len)
		return buf;
	for (; s && *s && o + 2 < len; s++) {
		/* newlines never belong in a cell or a list item */
		char c = (*s == '\n' || *s == '\t' || *s == '\r') ? ' ' : *s;
		if (markdown && strchr("\\|*_`<>[]", c))
			buf[o++] = '\\';
		buf[o++] = c;
	}
	buf[o] = 0;
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

struct pf_table {
	int ncols;
	char align[16];
	char **cells; /* row-major; row 0 = headers */
	int nrows, cap;
};

static int table_push_row(struct pf_table *t, va_list ap)
{
	if (t->nrows == t->cap) {
		int cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, (size_t)cap * t->ncols * sizeof(*c));
		if (!c)
			return -1;
		t->cells = c;
		t->cap = cap;
	}
	for (int i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);
		t->cells[t->nrows * t->ncols + i] = strdup(s ? s : "");
	}
	t->nrows++;
	return 0;
}

struct pf_table *pf_table_new(int ncols, const char *align, ...)
{
	struct pf_table *t = calloc(1, sizeof(*t));
	if (!t || ncols < 1 || ncols > 15) {
		free(t);
		return NULL;
	}
	t->ncols = ncols;
	snprintf(t->align, sizeof(t->align), "%s", align);
	va_list ap;
	va_start(ap, align);
	table_push_row(t, ap);
	va_end(ap);
	return t;
}

void pf_table_add(struct pf_table *t, ...)
{
	if (!t)
		return;
	va_list ap;
	va_start(ap, t);
	table_push_row(t, ap);
	va_end(ap);
}

int pf_table_rows(const struct pf_table *t)
{
	return t ? t->nrows - 1 : 0;
}

void pf_table_print(FILE *f, struct pf_table *t, int markdown, const char *indent)
{
	if (!t)
		return;
	char esc[2048];
	if (markdown) {
		for (int r = 0; r < t->nrows; r++) {
			for (int c = 0; c < t->ncols; c++)
				fprintf(f, "| %s ", pf_md_escape(esc, sizeof(esc), t->cells[r * t->ncols + c], 1));
			fputs("|\n", f);
			if (!r) {
				for (int c = 0; c < t->ncols; c++)
					fputs(t->align[c] == 'r' ? "| ---: " : "| --- ", f);
				fputs("|\n", f);
			}
		}
		return;
	}
	int w[16] = { 0 };
	for (int r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++) {
			int cw = (int)pf_text_width(t->cells[r * t->ncols + c]);
			if (cw > w[c])
				w[c] = cw;
		}
	for (int r = 0; r < t->nrows; r++) {
		fputs(indent ? indent : "", f);
		for (int c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];
			int pad = w[c] - (int)pf_text_width(s);
			int last = c == t->ncols - 1;
			if (t->align[c] == 'r')
				fprintf(f, "%*s%s", pad, "", s);
			else
				fprintf(f, "%s%*s", s, last ? 0 : pad, "");
			if (!last)
				fputs("  ", f);
		}
		fputc('\n', f);
	}
}

void pf_table_free(struct pf_table *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
