// SPDX-License-Identifier: GPL-2.0-only
/* Clocks, CPU time, rates and sample statistics. */
#include "unit.h"
#include "vs_clock.h"

#include <stdlib.h>

TEST(monotonic_and_sleep)
{
	uint64_t a = vs_now_ns(), b = vs_now_ns(), c, d;

	CHECK(a > 0);
	CHECK(b >= a);
	vs_sleep_ns(2000000);
	c = vs_now_ns();
	CHECK(c >= b + 2000000);
	CHECK(c - b < 5 * VS_NSEC_PER_SEC);	/* slept about 2 ms, not forever */
	vs_sleep_ns(0);
	d = vs_now_ns();
	CHECK(d >= c);
}

TEST(gbps)
{
	CHECK_DBL(vs_gbps(125000000, 1000000000), 1.0, 1e-12);
	CHECK_DBL(vs_gbps(125000000, 500000000), 2.0, 1e-12);
	CHECK_DBL(vs_gbps(1250000000ULL * 10, 10 * VS_NSEC_PER_SEC), 10.0, 1e-12);
	CHECK_DBL(vs_gbps(0, 1000000000), 0.0, 0);
	CHECK_DBL(vs_gbps(125000000, 0), 0.0, 0);
	CHECK_DBL(vs_gbps(0, 0), 0.0, 0);
}

TEST(cpu_delta_and_per_mb)
{
	struct vs_cpu a = { .user_us = 1000, .sys_us = 50 };
	struct vs_cpu b = { .user_us = 1300, .sys_us = 250 };
	struct vs_cpu d = vs_cpu_delta(&a, &b);

	CHECK_EQ_U64(d.user_us, 300);
	CHECK_EQ_U64(d.sys_us, 200);
	CHECK_DBL(vs_cpu_us_per_mb(&d, 0), 0.0, 0);
	CHECK_DBL(vs_cpu_us_per_mb(&d, 1024 * 1024), 500.0, 1e-9);
	CHECK_DBL(vs_cpu_us_per_mb(&d, 2 * 1024 * 1024), 250.0, 1e-9);
	CHECK_DBL(vs_cpu_us_per_mb(&d, 512 * 1024), 1000.0, 1e-9);
}

TEST(cpu_time_advances)
{
	struct vs_cpu a, b, d;
	uint64_t start = vs_now_ns();
	volatile uint64_t sink = 0;

	vs_cpu_now(&a);
	/* spin until 10 ms of CPU time is used, or give up after 5 s */
	do {
		for (int i = 0; i < 100000; i++)
			sink += (uint64_t)i * 2654435761U;
		vs_cpu_now(&b);
		d = vs_cpu_delta(&a, &b);
	} while (d.user_us + d.sys_us < 10000 && vs_now_ns() - start < 5 * VS_NSEC_PER_SEC);
	CHECK(b.user_us >= a.user_us);
	CHECK(b.sys_us >= a.sys_us);
	CHECK(d.user_us + d.sys_us >= 10000);
	/* and no more CPU than wall-clock time times the CPUs, roughly */
	CHECK(d.user_us + d.sys_us < 64 * (vs_now_ns() - start) / 1000 + 10000);
}

TEST(percentiles_1_to_100)
{
	struct vs_samples s = { 0 };
	struct vs_summary sum;

	/* added out of order: the summary sorts */
	for (uint64_t i = 0; i < 100; i++)
		REQUIRE(vs_samples_add(&s, (i * 37) % 100 + 1) == 0);
	vs_samples_summary(&s, &sum);
	CHECK_EQ_U64(sum.n, 100);
	CHECK_EQ_U64(sum.min, 1);
	CHECK_EQ_U64(sum.max, 100);
	CHECK_EQ_U64(sum.p50, 50);
	CHECK_EQ_U64(sum.p90, 90);
	CHECK_EQ_U64(sum.p99, 99);
	CHECK_DBL(sum.mean, 50.5, 1e-12);
	for (size_t i = 1; i < s.n; i++)
		CHECK(s.v[i - 1] <= s.v[i]);
	/* nearest rank: the p-th percentile of 1..100 is p, for every p */
	for (int p = 1; p <= 100; p++)
		if (vs_percentile_sorted(s.v, s.n, p) != (uint64_t)p)
			FAIL("vs_percentile_sorted(1..100, %d): got %" PRIu64, p,
			     vs_percentile_sorted(s.v, s.n, p));
	CHECK_EQ_U64(vs_percentile_sorted(s.v, s.n, 0), 1);
	CHECK_EQ_U64(vs_percentile_sorted(s.v, s.n, -5), 1);
	CHECK_EQ_U64(vs_percentile_sorted(s.v, s.n, 99.5), 100);
	CHECK_EQ_U64(vs_percentile_sorted(s.v, s.n, 0.5), 1);
	CHECK_EQ_U64(vs_percentile_sorted(s.v, s.n, 250), 100);
	CHECK_EQ_U64(vs_percentile_sorted(s.v, s.n, NAN), 1);
	CHECK_EQ_U64(vs_percentile_sorted(s.v, s.n, 1e-320), 1);
	vs_samples_free(&s);
	CHECK(s.v == NULL && s.n == 0 && s.cap == 0);
}

TEST(percentiles_other_sizes)
{
	uint64_t v[1000];

	for (size_t i = 0; i < 1000; i++)
		v[i] = i + 1;
	/* p99.9 of 1..1000 is 999; p90 of 1..10 is 9; p50 of 1..3 is 2 */
	CHECK_EQ_U64(vs_percentile_sorted(v, 1000, 99.9), 999);
	CHECK_EQ_U64(vs_percentile_sorted(v, 1000, 99), 990);
	CHECK_EQ_U64(vs_percentile_sorted(v, 10, 90), 9);
	CHECK_EQ_U64(vs_percentile_sorted(v, 3, 50), 2);
	CHECK_EQ_U64(vs_percentile_sorted(v, 2, 50), 1);
	CHECK_EQ_U64(vs_percentile_sorted(v, 0, 50), 0);
	for (size_t n = 1; n <= 1000; n++)
		for (int p = 1; p <= 100; p++) {
			uint64_t want = ((uint64_t)p * n + 99) / 100;	/* ceil(p*n/100) */

			if (vs_percentile_sorted(v, n, p) != want) {
				FAIL("vs_percentile_sorted(1..%zu, %d): got %" PRIu64
				     ", expected %" PRIu64, n, p,
				     vs_percentile_sorted(v, n, p), want);
				return;
			}
		}
}

TEST(summary_single_and_empty)
{
	struct vs_samples s = { 0 };
	struct vs_summary sum;

	vs_samples_summary(&s, &sum);
	CHECK_EQ_U64(sum.n, 0);
	CHECK(sum.min == 0 && sum.max == 0 && sum.p50 == 0 && sum.p90 == 0 &&
	      sum.p99 == 0 && sum.mean == 0);

	REQUIRE(vs_samples_add(&s, 4242) == 0);
	vs_samples_summary(&s, &sum);
	CHECK_EQ_U64(sum.n, 1);
	CHECK_EQ_U64(sum.min, 4242);
	CHECK_EQ_U64(sum.max, 4242);
	CHECK_EQ_U64(sum.p50, 4242);
	CHECK_EQ_U64(sum.p90, 4242);
	CHECK_EQ_U64(sum.p99, 4242);
	CHECK_DBL(sum.mean, 4242, 0);
	vs_samples_free(&s);
}

TEST(samples_grow)
{
	struct vs_samples s = { 0 };
	struct vs_summary sum;

	for (uint64_t i = 0; i < 5000; i++)
		REQUIRE(vs_samples_add(&s, 5000 - i) == 0);
	CHECK_EQ_U64(s.n, 5000);
	CHECK(s.cap >= 5000);
	CHECK_EQ_U64(s.v[0], 5000);
	CHECK_EQ_U64(s.v[4999], 1);
	vs_samples_summary(&s, &sum);
	CHECK_EQ_U64(sum.min, 1);
	CHECK_EQ_U64(sum.max, 5000);
	CHECK_EQ_U64(sum.p50, 2500);
	CHECK_EQ_U64(sum.p99, 4950);
	CHECK_DBL(sum.mean, 2500.5, 1e-9);
	vs_samples_free(&s);
}

TEST(samples_merge)
{
	struct vs_samples a = { 0 }, b = { 0 }, e = { 0 };
	struct vs_summary sum;

	REQUIRE(vs_samples_add(&a, 1) == 0);
	REQUIRE(vs_samples_add(&a, 2) == 0);
	REQUIRE(vs_samples_add(&a, 3) == 0);
	REQUIRE(vs_samples_add(&b, 10) == 0);
	REQUIRE(vs_samples_add(&b, 20) == 0);
	CHECK_EQ_INT(vs_samples_merge(&a, &b), 0);
	REQUIRE(a.n == 5);
	CHECK_EQ_U64(a.v[3], 10);
	CHECK_EQ_U64(a.v[4], 20);
	CHECK_EQ_U64(b.n, 2);	/* the source is left alone */
	CHECK_EQ_U64(b.v[0], 10);
	CHECK_EQ_INT(vs_samples_merge(&a, &e), 0);	/* empty source */
	CHECK_EQ_U64(a.n, 5);
	CHECK_EQ_INT(vs_samples_merge(&e, &a), 0);	/* into empty */
	CHECK_EQ_U64(e.n, 5);
	vs_samples_summary(&e, &sum);
	CHECK_EQ_U64(sum.max, 20);
	CHECK_DBL(sum.mean, 36.0 / 5, 1e-12);
	vs_samples_free(&a);
	vs_samples_free(&b);
	vs_samples_free(&e);
}

TEST(median)
{
	double odd[] = { 5, 1, 3 };
	double even[] = { 4, 1, 3, 2 };
	double one[] = { -7.5 };
	double dup[] = { 2, 2, 2, 9, 2 };

	CHECK_DBL(vs_median(odd, 3), 3.0, 0);
	CHECK_DBL(vs_median(even, 4), 2.5, 0);
	CHECK_DBL(vs_median(one, 1), -7.5, 0);
	CHECK_DBL(vs_median(dup, 5), 2.0, 0);
	CHECK(isnan(vs_median(NULL, 0)));
	CHECK(isnan(vs_median(odd, 0)));
	/* sorted in place */
	CHECK(odd[0] == 1 && odd[1] == 3 && odd[2] == 5);
}

int main(void)
{
	RUN(monotonic_and_sleep);
	RUN(gbps);
	RUN(cpu_delta_and_per_mb);
	RUN(cpu_time_advances);
	RUN(percentiles_1_to_100);
	RUN(percentiles_other_sizes);
	RUN(summary_single_and_empty);
	RUN(samples_grow);
	RUN(samples_merge);
	RUN(median);
	return unit_exit();
}
