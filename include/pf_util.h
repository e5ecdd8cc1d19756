/* Small helpers used across subcommands, written once. */
#ifndef PF_UTIL_H
#define PF_UTIL_H

/* The last component of a path ("" for NULL). */
const char *pf_base_name(const char *path);

#endif
