// SPDX-License-Identifier: GPL-2.0-only
#include "vs_clock.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

uint64_t vs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * VS_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

void vs_sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / VS_NSEC_PER_SEC),
		.tv_nsec = (long)(ns % VS_NSEC_PER_SEC),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint64_t tv_us(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000ULL + (uint64_t)tv->tv_usec;
}

void vs_cpu_now(struct vs_cpu *c)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	c->user_us = tv_us(&ru.ru_utime);
	c->sys_us = tv_us(&ru.ru_stime);
}

struct vs_cpu vs_cpu_delta(const struct vs_cpu *a, const struct vs_cpu *b)
{
	return (struct vs_cpu){
		.user_us = b->user_us - a->user_us,
		.sys_us = b->sys_us - a->sys_us,
	};
}

double vs_cpu_us_per_mb(const struct vs_cpu *d, uint64_t bytes)
{
	if (!bytes)
		return 0.0;
	return (double)(d->user_us + d->sys_us) / ((double)bytes / (1024.0 * 1024.0));
}

double vs_gbps(uint64_t bytes, uint64_t ns)
{
	if (!ns)
		return 0.0;
	return ((double)bytes * 8.0 / 1e9) / ((double)ns / 1e9);
}

int vs_samples_add(struct vs_samples *s, uint64_t x)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint64_t *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = x;
	return 0;
}

int vs_samples_merge(struct vs_samples *dst, const struct vs_samples *src)
{
	for (size_t i = 0; i < src->n; i++)
		if (vs_samples_add(dst, src->v[i]))
			return -1;
	return 0;
}

void vs_samples_free(struct vs_samples *s)
{
	free(s->v);
	*s = (struct vs_samples){ 0 };
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

uint64_t vs_percentile_sorted(const uint64_t *v, size_t n, double p)
{
	double x;
	size_t rank;

	if (!n)
		return 0;
	if (!(p > 0))
		return v[0];
	if (p >= 100)
		return v[n - 1];
	/*
	 * p * n first: exact for whole p, where p / 100.0 * n is not
	 * (7 / 100.0 * 100 is 7.000000000000001, whose ceil is 8). The
	 * relative nudge absorbs the rounding of fractional p (99.9).
	 */
	x = p * (double)n / 100.0;
	rank = (size_t)ceil(x * (1.0 - 1e-12));
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

void vs_samples_summary(struct vs_samples *s, struct vs_summary *sum)
{
	double total = 0;

	*sum = (struct vs_summary){ .n = s->n };
	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(s->v[0]), cmp_u64);
	for (size_t i = 0; i < s->n; i++)
		total += (double)s->v[i];
	sum->min = s->v[0];
	sum->max = s->v[s->n - 1];
	sum->p50 = vs_percentile_sorted(s->v, s->n, 50);
	sum->p90 = vs_percentile_sorted(s->v, s->n, 90);
	sum->p99 = vs_percentile_sorted(s->v, s->n, 99);
	sum->mean = total / (double)s->n;
}

double vs_median(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(v[0]), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}
