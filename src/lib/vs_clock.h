/* SPDX-License-Identifier: GPL-2.0-only */
/* Clocks (monotonic time, CPU time) and statistics over samples. */
#ifndef VS_CLOCK_H
#define VS_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define VS_NSEC_PER_SEC 1000000000ULL

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t vs_now_ns(void);
/* Sleep for ns nanoseconds (restarts after signals). */
void vs_sleep_ns(uint64_t ns);

/* CPU time of the whole process (all threads), in microseconds. */
struct vs_cpu {
	uint64_t user_us;
	uint64_t sys_us;
};
void vs_cpu_now(struct vs_cpu *c);
/* b - a */
struct vs_cpu vs_cpu_delta(const struct vs_cpu *a, const struct vs_cpu *b);
/* CPU microseconds per MiB moved (0 when nothing moved). */
double vs_cpu_us_per_mb(const struct vs_cpu *d, uint64_t bytes);

/* Gbit/s as upstream vsock_perf defines it: bits / 1e9 / seconds. */
double vs_gbps(uint64_t bytes, uint64_t ns);

/* A growable set of unsigned samples (e.g. latencies in ns). */
struct vs_samples {
	uint64_t *v;
	size_t n;
	size_t cap;
};

struct vs_summary {
	size_t n;
	uint64_t min, max, p50, p90, p99;
	double mean;
};

/* Returns 0, or -1 when out of memory (the sample is not added). */
int vs_samples_add(struct vs_samples *s, uint64_t x);
/* Appends every sample of src to dst; -1 when out of memory. */
int vs_samples_merge(struct vs_samples *dst, const struct vs_samples *src);
void vs_samples_free(struct vs_samples *s);
/* Sorts the samples in place and fills *sum (all zero when empty). */
void vs_samples_summary(struct vs_samples *s, struct vs_summary *sum);

/* Nearest-rank percentile (p in 0..100) of n sorted values; 0 when n == 0. */
uint64_t vs_percentile_sorted(const uint64_t *v, size_t n, double p);
/* Median of n doubles (sorts v in place); NAN when n == 0. */
double vs_median(double *v, size_t n);

#endif
