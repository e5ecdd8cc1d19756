// SPDX-License-Identifier: GPL-2.0-only
/* Syscall names by number, from the C library's SYS_* macros (the Makefile
 * lists them in syscall_names.inc), for the trace's syscall table. */
#include <stddef.h>
#include <sys/syscall.h>
#include "syscall_class.h"
#include "trace.h"

#define X(name) [SYS_##name] = #name,
static const char *const names[PF_SC_NR_MAX] = {
#include "syscall_names.inc"
};
#undef X

const char *pf_syscall_name(unsigned int nr)
{
	return nr < PF_SC_NR_MAX ? names[nr] : NULL;
}
