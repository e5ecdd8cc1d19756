/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity bench: summary statistics of a cell's samples (hyperfine-style). */
#ifndef PF_BENCH_STATS_H
#define PF_BENCH_STATS_H
#include <stddef.h>

struct bench_stats {
	size_t n;
	double median, mean, stddev, min, max;
	size_t outliers;   /* samples with a modified Z-score above BENCH_OUTLIER_Z */
	double rel_spread; /* stddev / mean */
};

/* A modified Z-score (MAD based) above this marks an outlier, as hyperfine does. */
#define BENCH_OUTLIER_Z 14.826
/* stddev/mean above this makes a cell untrustworthy. */
#define BENCH_NOISY_REL_SPREAD 0.10

/* x is not modified. With n == 0 every field is 0. stddev is the sample (n-1) one. */
void bench_stats_compute(const double *x, size_t n, struct bench_stats *s);
/* A one-line warning when the cell should not be trusted, or NULL. Writes into buf. */
const char *bench_stats_warning(const struct bench_stats *s, char *buf, size_t len);
/* Least-squares slope of y over x (0 when x does not vary). */
double bench_slope(const double *x, const double *y, size_t n);

#endif
