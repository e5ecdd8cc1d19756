// SPDX-License-Identifier: GPL-2.0-only
/* One-line errors, the same shape everywhere: "perfanity: <subcommand>: message". */
#include <stdarg.h>
#include <stdio.h>
#include "perfanity.h"

const char *pf_progname = "perfanity";
static const char *subcommand;

void pf_set_subcommand(const char *name)
{
	subcommand = name;
}

void pf_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", pf_progname);
	if (subcommand)
		fprintf(stderr, "%s: ", subcommand);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
