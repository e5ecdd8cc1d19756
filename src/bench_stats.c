// SPDX-License-Identifier: GPL-2.0-only
/* Summary statistics of a cell's samples: what hyperfine reports, and when to distrust it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_sorted(const double *s, size_t n)
{
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

void bench_stats_compute(const double *x, size_t n, struct bench_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->n = n;
	if (!n)
		return;
	double *sorted = malloc(n * sizeof(*sorted));
	double *dev = malloc(n * sizeof(*dev));
	if (!sorted || !dev) {
		free(sorted);
		free(dev);
		return;
	}
	memcpy(sorted, x, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->median = median_sorted(sorted, n);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	s->mean = sum / n;
	if (n > 1) {
		double ss = 0;
		for (size_t i = 0; i < n; i++)
			ss += (x[i] - s->mean) * (x[i] - s->mean);
		s->stddev = sqrt(ss / (n - 1));
	}
	s->rel_spread = s->mean > 0 ? s->stddev / s->mean : 0;
	/* Modified Z-score (Iglewicz & Hoaglin), robust to the outliers it looks for. */
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(x[i] - s->median);
	qsort(dev, n, sizeof(*dev), cmp_double);
	double mad = median_sorted(dev, n);
	if (mad > 0)
		for (size_t i = 0; i < n; i++)
			if (0.6745 * fabs(x[i] - s->median) / mad > BENCH_OUTLIER_Z)
				s->outliers++;
	free(sorted);
	free(dev);
}

const char *bench_stats_warning(const struct bench_stats *s, char *buf, size_t len)
{
	if (s->n < 2)
		return NULL;
	if (s->outliers && s->rel_spread > BENCH_NOISY_REL_SPREAD)
		snprintf(buf, len, "%zu outlier(s) and relative spread %.0f%%", s->outliers,
			 100 * s->rel_spread);
	else if (s->outliers)
		snprintf(buf, len, "%zu outlier(s)", s->outliers);
	else if (s->rel_spread > BENCH_NOISY_REL_SPREAD)
		snprintf(buf, len, "relative spread %.0f%% (stddev/mean)", 100 * s->rel_spread);
	else
		return NULL;
	return buf;
}

double bench_slope(const double *x, const double *y, size_t n)
{
	if (n < 2)
		return 0;
	double mx = 0, my = 0;
	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= n;
	my /= n;
	double sxy = 0, sxx = 0;
	for (size_t i = 0; i < n; i++) {
		sxy += (x[i] - mx) * (y[i] - my);
		sxx += (x[i] - mx) * (x[i] - mx);
	}
	return sxx > 0 ? sxy / sxx : 0;
}
