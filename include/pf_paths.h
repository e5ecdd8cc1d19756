/* SPDX-License-Identifier: GPL-2.0-only */
/* Where perfanity finds what it reads at run time (the example project, its helper
 * scripts) and where set-up keeps what it fetches (the example's wheelhouse, Pants'
 * offline settings): an installed copy's share directory, or a source checkout. */
#ifndef PF_PATHS_H
#define PF_PATHS_H

struct pf_paths {
	char *data;    /* holds examples/ and scripts/ */
	char *cache;   /* holds wheelhouse/ and pants/ (may not exist yet) */
	int installed; /* data is PREFIX/share/perfanity, beside PREFIX/bin/perfanity */
};

/* Looks, in order, at $PERFANITY_ROOT (a checkout), the executable's
 * ../share/perfanity (an installed copy), and the directories above the executable
 * (build/perfanity in a checkout). An installed copy's cache is $PERFANITY_CACHE, else
 * $XDG_CACHE_HOME/perfanity, else ~/.cache/perfanity; a checkout's is its .cache.
 * Returns 0, or -1 with a one-line reason in err. */
int pf_paths_find(struct pf_paths *p, char *err, unsigned errlen);
void pf_paths_free(struct pf_paths *p);

/* The absolute path of an executable NAME found on $PATH (NAME itself if it holds a
 * '/' and is executable), or NULL. Caller frees. */
char *pf_which(const char *name);

#endif
