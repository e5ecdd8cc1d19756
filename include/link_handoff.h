/* SPDX-License-Identifier: GPL-2.0-only */
/* Removing a uprobe_multi link waits for the kernel's grace periods (about
 * 30 ms a link, in parallel), and a process cannot finish exiting before the
 * last reference to a link it holds is dropped. The user waits for none of
 * it if a child takes the links over: it holds its own references, waits for
 * perfanity to exit, then drops them and pays the wait, while perfanity is
 * already done (a process per link: their waits run side by side). The
 * probes stay attached those few tens of milliseconds,
 * firing in no traced process (the tree is over) and counting nothing. */
#ifndef PF_LINK_HANDOFF_H
#define PF_LINK_HANDOFF_H
#include <stddef.h>
#include <sys/types.h>

/* Give the links fds[0..n) to a child as described, and close them here.
 * Returns the child's pid, or -1 (the fds are then untouched: close them
 * yourself). The child keeps nothing else: no stdout or stderr, so that
 * whoever reads perfanity's output does not wait for it either. */
pid_t pf_link_handoff(const int *fds, size_t n);

#endif
