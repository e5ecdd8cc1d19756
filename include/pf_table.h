/* SPDX-License-Identifier: GPL-2.0-only */
/* The one table renderer: report's tables and bench's seed-shaped table, aligned for
 * a terminal or as a Markdown pipe table.
 *
 * A table is a header row and rows of cells, with an alignment per column ('l' or
 * 'r'). Optionally:
 *  - groups: a line of group names above the header, each over its columns, which
 *    are the ones after the first (the row labels), in order; the first column's
 *    header then has a corner above it (bench: "step" over "goal");
 *  - marks: a cell's mark ("*" best, "?" noisy) is kept apart from its number, so
 *    right-aligned numbers stay in line whatever their marks; in Markdown a mark with
 *    '*' makes the number bold and other marks follow it.
 * Text: columns two spaces apart; with groups, one space inside a group and three
 * between groups. Trailing blanks are trimmed, so golden files stay clean. */
#ifndef PF_TABLE_H
#define PF_TABLE_H
#include <stdio.h>

#define PF_TABLE_MAX_COLS 64

struct pf_table;
/* ncols (1..PF_TABLE_MAX_COLS) columns aligned by align ("lrr"), then ncols headers
 * (char *). NULL when out of memory or ncols is out of range: every call accepts it. */
struct pf_table *pf_table_new(int ncols, const char *align, ...);
void pf_table_add(struct pf_table *t, ...); /* ncols cells (char *; NULL is empty) */
int pf_table_rows(const struct pf_table *t);
/* A group of the next ncols columns (the first group starts at the second column). */
void pf_table_group(struct pf_table *t, const char *name, int ncols);
/* What the group line shows above the first column. */
void pf_table_corner(struct pf_table *t, const char *corner);
/* For tables built a cell at a time: ncols columns with empty headers; a row of
 * empty cells (its index, counted from 0 after the header); and a cell's text and
 * mark (NULL: none), row -1 being the header. */
struct pf_table *pf_table_blank(int ncols, const char *align);
int pf_table_add_blank(struct pf_table *t);
void pf_table_set(struct pf_table *t, int row, int col, const char *text, const char *mark);
void pf_table_print(FILE *f, const struct pf_table *t, int markdown, const char *indent);
void pf_table_free(struct pf_table *t);

#endif
