// SPDX-License-Identifier: GPL-2.0-only
/* The one table renderer (include/pf_table.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "pf_table.h"
#include "pf_util.h"

struct pf_table {
	int ncols;
	char align[PF_TABLE_MAX_COLS + 1];
	char **cells; /* row-major; row 0: the headers */
	char **marks; /* parallel to cells; NULL: none */
	int nrows, cap;
	char *corner;
	int ngroups;
	char *group_names[PF_TABLE_MAX_COLS];
	int group_cols[PF_TABLE_MAX_COLS];
};

/* A row of empty cells; its index in cells' rows (0: the headers), or -1. */
static int grow(struct pf_table *t)
{
	if (t->nrows == t->cap) {
		int cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, (size_t)cap * t->ncols * sizeof(*c));
		if (!c)
			return -1;
		t->cells = c;
		char **m = realloc(t->marks, (size_t)cap * t->ncols * sizeof(*m));
		if (!m)
			return -1;
		t->marks = m;
		t->cap = cap;
	}
	for (int i = 0; i < t->ncols; i++) {
		t->cells[t->nrows * t->ncols + i] = NULL;
		t->marks[t->nrows * t->ncols + i] = NULL;
	}
	return t->nrows++;
}

static void push_row(struct pf_table *t, va_list ap)
{
	int r = grow(t);

	for (int i = 0; r >= 0 && i < t->ncols; i++)
		pf_table_set(t, r - 1, i, va_arg(ap, const char *), NULL);
}

struct pf_table *pf_table_blank(int ncols, const char *align)
{
	struct pf_table *t = calloc(1, sizeof(*t));
	if (!t || ncols < 1 || ncols > PF_TABLE_MAX_COLS) {
		free(t);
		return NULL;
	}
	t->ncols = ncols;
	snprintf(t->align, sizeof(t->align), "%s", align);
	if (grow(t) < 0) {
		pf_table_free(t);
		return NULL;
	}
	return t;
}

struct pf_table *pf_table_new(int ncols, const char *align, ...)
{
	struct pf_table *t = pf_table_blank(ncols, align);
	va_list ap;

	if (!t)
		return NULL;
	va_start(ap, align);
	for (int i = 0; i < ncols; i++)
		pf_table_set(t, -1, i, va_arg(ap, const char *), NULL);
	va_end(ap);
	return t;
}

void pf_table_add(struct pf_table *t, ...)
{
	if (!t)
		return;
	va_list ap;
	va_start(ap, t);
	push_row(t, ap);
	va_end(ap);
}

int pf_table_add_blank(struct pf_table *t)
{
	return t ? grow(t) - 1 : -1;
}

void pf_table_set(struct pf_table *t, int row, int col, const char *text, const char *mark)
{
	if (!t || row < -1 || row + 1 >= t->nrows || col < 0 || col >= t->ncols)
		return;
	int i = (row + 1) * t->ncols + col;
	free(t->cells[i]);
	free(t->marks[i]);
	t->cells[i] = text && text[0] ? strdup(text) : NULL;
	t->marks[i] = mark && mark[0] ? strdup(mark) : NULL;
}

int pf_table_rows(const struct pf_table *t)
{
	return t ? t->nrows - 1 : 0;
}

void pf_table_group(struct pf_table *t, const char *name, int ncols)
{
	if (!t || t->ngroups == PF_TABLE_MAX_COLS)
		return;
	t->group_names[t->ngroups] = strdup(name);
	t->group_cols[t->ngroups++] = ncols;
}

void pf_table_corner(struct pf_table *t, const char *corner)
{
	if (!t)
		return;
	free(t->corner);
	t->corner = strdup(corner);
}

static const char *cell(const struct pf_table *t, int r, int c)
{
	const char *s = t->cells[r * t->ncols + c];
	return s ? s : "";
}

static const char *mark(const struct pf_table *t, int r, int c)
{
	const char *m = t->marks[r * t->ncols + c];
	return m ? m : "";
}

/* Column widths: a column's numbers, its marks, and the whole column. */
struct widths {
	size_t num[PF_TABLE_MAX_COLS], mark[PF_TABLE_MAX_COLS], col[PF_TABLE_MAX_COLS];
	size_t sep[PF_TABLE_MAX_COLS];   /* blanks before the column */
	int group_of[PF_TABLE_MAX_COLS]; /* -1: before the groups */
};

static void measure(const struct pf_table *t, struct widths *w)
{
	memset(w, 0, sizeof(*w));
	for (int c = 0, g = 0, left = 0; c < t->ncols; c++) {
		for (int r = 1; r < t->nrows; r++) {
			size_t nw = pf_text_width(cell(t, r, c)), mw = pf_text_width(mark(t, r, c));
			w->num[c] = nw > w->num[c] ? nw : w->num[c];
			w->mark[c] = mw > w->mark[c] ? mw : w->mark[c];
		}
		size_t hw = pf_text_width(cell(t, 0, c));
		w->col[c] = w->num[c] + w->mark[c] > hw ? w->num[c] + w->mark[c] : hw;
		/* groups cover the columns after the first, in order */
		w->group_of[c] = -1;
		if (c && t->ngroups) {
			while (!left && g < t->ngroups)
				left = t->group_cols[g++];
			if (left) {
				w->group_of[c] = g - 1;
				left--;
			}
		}
		w->sep[c] = !c ? 0 : !t->ngroups || c == 1 ? 2 : w->group_of[c] != w->group_of[c - 1] ? 3 : 1;
	}
}

static void pad(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

/* One line from a memstream, its trailing blanks trimmed. */
static void put_line(FILE *out, const char *indent, char *buf, size_t len)
{
	while (len && buf[len - 1] == ' ')
		len--;
	fputs(indent ? indent : "", out);
	fwrite(buf, 1, len, out);
	fputc('\n', out);
}

static void print_groups(FILE *out, const struct pf_table *t, const struct widths *w, const char *indent)
{
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);
	const char *corner = t->corner ? t->corner : "";

	fputs(corner, f);
	pad(f, w->col[0] - (pf_text_width(corner) < w->col[0] ? pf_text_width(corner) : w->col[0]));
	for (int c = 1; c < t->ncols; c++) {
		int g = w->group_of[c];
		if (g < 0 || (c > 1 && w->group_of[c - 1] == g))
			continue;
		size_t span = 0, name = pf_text_width(t->group_names[g]);
		for (int k = c; k < t->ncols && w->group_of[k] == g; k++)
			span += w->col[k] + (k > c ? w->sep[k] : 0);
		pad(f, w->sep[c]);
		fputs(t->group_names[g], f);
		pad(f, span > name ? span - name : 0);
	}
	fclose(f);
	put_line(out, indent, line, len);
	free(line);
}

static void print_cell(FILE *f, const struct pf_table *t, const struct widths *w, int r, int c)
{
	const char *s = cell(t, r, c), *m = r ? mark(t, r, c) : "";
	size_t sw = pf_text_width(s), mw = pf_text_width(m);

	if (t->align[c] != 'r') {
		fputs(s, f);
		fputs(m, f);
		pad(f, w->col[c] - sw - mw);
	} else if (!r) {
		pad(f, w->col[c] - sw);
		fputs(s, f);
	} else {
		/* numbers right-aligned among themselves, marks left-aligned after them */
		pad(f, w->col[c] - w->mark[c] - sw);
		fputs(s, f);
		fputs(m, f);
		pad(f, w->mark[c] - mw);
	}
}

static void print_text(FILE *out, const struct pf_table *t, const char *indent)
{
	struct widths w;

	measure(t, &w);
	if (t->ngroups)
		print_groups(out, t, &w, indent);
	for (int r = 0; r < t->nrows; r++) {
		char *line = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&line, &len);

		for (int c = 0; c < t->ncols; c++) {
			pad(f, w.sep[c]);
			print_cell(f, t, &w, r, c);
		}
		fclose(f);
		put_line(out, indent, line, len);
		free(line);
	}
}

static void print_markdown(FILE *f, const struct pf_table *t)
{
	char esc[2048], head[512];
	struct widths w;

	measure(t, &w);
	for (int c = 0; c < t->ncols; c++) {
		const char *h = cell(t, 0, c);
		if (!c && t->corner)
			snprintf(head, sizeof(head), "%s / %s", t->corner, h);
		else if (w.group_of[c] >= 0 && t->group_names[w.group_of[c]][0])
			snprintf(head, sizeof(head), "%s %s", t->group_names[w.group_of[c]], h);
		else
			snprintf(head, sizeof(head), "%s", h);
		fprintf(f, "| %s ", pf_md_escape(esc, sizeof(esc), head, 1));
	}
	fputs("|\n", f);
	for (int c = 0; c < t->ncols; c++)
		fputs(t->align[c] == 'r' ? "| ---: " : "| --- ", f);
	fputs("|\n", f);
	for (int r = 1; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			const char *m = mark(t, r, c);
			int bold = strchr(m, '*') != NULL;
			fprintf(f, "| %s%s%s%s ", bold ? "**" : "", pf_md_escape(esc, sizeof(esc), cell(t, r, c), 1),
				bold ? "**" : "", strchr(m, '?') ? "?" : "");
		}
		fputs("|\n", f);
	}
}

void pf_table_print(FILE *f, const struct pf_table *t, int markdown, const char *indent)
{
	if (!t)
		return;
	if (markdown)
		print_markdown(f, t);
	else
		print_text(f, t, indent);
}

void pf_table_free(struct pf_table *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->nrows * t->ncols; i++) {
		free(t->cells[i]);
		free(t->marks[i]);
	}
	for (int g = 0; g < t->ngroups; g++)
		free(t->group_names[g]);
	free(t->cells);
	free(t->marks);
	free(t->corner);
	free(t);
}
