/* SPDX-License-Identifier: GPL-2.0-only */
/* Category names (enum pf_cat in trace.h). */
#ifndef PF_CATEGORIES_H
#define PF_CATEGORIES_H
const char *pf_cat_name(unsigned int cat);
/* -1 if unknown */
int pf_cat_from_name(const char *name);
#endif
