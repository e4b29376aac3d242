// SPDX-License-Identifier: GPL-2.0-only
/* The position-dependent --verify payload. */
#include "unit.h"
#include "vs_pattern.h"

#include <stdlib.h>

#define SEED 0x5eed1234abcdULL
#define CANARY 0xa5

TEST(fill_then_check)
{
	static const uint64_t offsets[] = { 0, 1, 3, 7, 8, 9, 4095, 4096, 4097,
					    (1ULL << 32) - 3, (1ULL << 40) + 5 };
	static const size_t lens[] = { 0, 1, 7, 8, 9, 4095, 4096, 4097, 100000 };
	const size_t slack = 16;
	uint8_t *buf = malloc(100000 + slack);

	REQUIRE(buf);
	for (size_t o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++)
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			size_t len = lens[l], got;

			memset(buf, CANARY, lens[l] + slack);
			vs_pattern_fill(buf, len, offsets[o], SEED);
			got = vs_pattern_check(buf, len, offsets[o], SEED);
			if (got != len)
				FAIL("offset %" PRIu64 " len %zu: check returned %zu",
				     offsets[o], len, got);
			for (size_t i = len; i < len + slack; i++)
				if (buf[i] != CANARY) {
					FAIL("offset %" PRIu64 " len %zu: fill wrote byte %zu",
					     offsets[o], len, i);
					break;
				}
			/* a buffer checked at the wrong offset fails (unless empty) */
			if (len >= 8 && vs_pattern_check(buf, len, offsets[o] + 8, SEED) == len)
				FAIL("offset %" PRIu64 " len %zu: passes at offset + 8",
				     offsets[o], len);
		}
	free(buf);
}

TEST(chunking_independent)
{
	enum { N = 64 * 1024 };
	uint8_t *whole = malloc(N), *chunked = malloc(N);
	uint32_t rnd = 12345;

	REQUIRE(whole && chunked);
	vs_pattern_fill(whole, N, 0, SEED);
	memset(chunked, 0, N);
	for (size_t done = 0, n; done < N; done += n) {
		rnd = rnd * 1103515245 + 12345;
		n = 1 + (rnd >> 16) % 1000;
		if (n > N - done)
			n = N - done;
		vs_pattern_fill(chunked + done, n, done, SEED);
	}
	CHECK(memcmp(whole, chunked, N) == 0);
	/* any slice equals a fill at the slice's offset */
	for (size_t off = 0; off < 200; off += 13) {
		uint8_t part[777];

		vs_pattern_fill(part, sizeof(part), off * 7, SEED);
		if (memcmp(part, whole + off * 7, sizeof(part)))
			FAIL("slice at %zu differs from the whole fill", off * 7);
	}
	/* a check at an offset agrees with the whole fill, in odd chunks */
	for (size_t done = 0, n = 1; done < N; done += n, n = n * 3 % 5003 + 1) {
		if (n > N - done)
			n = N - done;
		if (vs_pattern_check(whole + done, n, done, SEED) != n) {
			FAIL("check of [%zu, %zu) failed", done, done + n);
			break;
		}
	}
	free(whole);
	free(chunked);
}

/* How many of n bytes are equal in a and b. */
static size_t same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t same = 0;

	for (size_t i = 0; i < n; i++)
		same += a[i] == b[i];
	return same;
}

TEST(seeds_differ)
{
	static const uint64_t seeds[] = { 0, 1, 2, 3, 0xdeadbeef, UINT64_MAX };
	enum { NS = sizeof(seeds) / sizeof(seeds[0]), N = 4096 };
	static uint8_t buf[NS][N];

	for (size_t i = 0; i < NS; i++)
		vs_pattern_fill(buf[i], N, 0, seeds[i]);
	/* unrelated bytes agree 1 time in 256: expect about 16, allow 64 */
	for (size_t i = 0; i < NS; i++)
		for (size_t k = i + 1; k < NS; k++) {
			size_t same = same_bytes(buf[i], buf[k], N);

			if (same > 64)
				FAIL("seeds %" PRIu64 " and %" PRIu64 ": %zu of %d bytes equal",
				     seeds[i], seeds[k], same, N);
		}
	CHECK(vs_pattern_check(buf[1], N, 0, seeds[0]) < 8);
	CHECK_EQ_U64(vs_pattern_check(buf[1], N, 0, seeds[1]), N);
}

TEST(flipped_byte_found)
{
	enum { N = 20000 };
	static const size_t ks[] = { 0, 1, 7, 8, 4095, 4096, 4097, 8191, 12345, N - 1 };
	uint8_t *buf = malloc(N);

	REQUIRE(buf);
	for (size_t t = 0; t < sizeof(ks) / sizeof(ks[0]); t++) {
		for (int bit = 0; bit < 8; bit += 7) {
			vs_pattern_fill(buf, N, 1000003, SEED);
			buf[ks[t]] ^= (uint8_t)(1u << bit);
			CHECK_EQ_U64(vs_pattern_check(buf, N, 1000003, SEED), ks[t]);
		}
	}
	free(buf);
}

TEST(lost_and_repeated_byte_found)
{
	enum { N = 10000 };
	uint8_t *buf = malloc(N + 1);
	size_t at;

	REQUIRE(buf);
	/* the stream lost byte 0: what arrives is bytes 1.. */
	vs_pattern_fill(buf, N, 1, SEED);
	CHECK_EQ_U64(vs_pattern_check(buf, N, 0, SEED), 0);
	/* lost a byte at 5000: the check stops there or within a few bytes */
	vs_pattern_fill(buf, 5000, 0, SEED);
	vs_pattern_fill(buf + 5000, N - 5000, 5001, SEED);
	at = vs_pattern_check(buf, N, 0, SEED);
	CHECK(at >= 5000 && at < 5004);
	/* byte 3000 arrived twice */
	vs_pattern_fill(buf, 3001, 0, SEED);
	vs_pattern_fill(buf + 3001, N - 3001, 3000, SEED);
	at = vs_pattern_check(buf, N, 0, SEED);
	CHECK(at >= 3001 && at < 3005);
	/* two 8-byte words swapped (reordered) */
	vs_pattern_fill(buf, N, 0, SEED);
	memcpy(buf + 4000, buf + 4008, 8);
	vs_pattern_fill(buf + 4008, 8, 4000, SEED);
	at = vs_pattern_check(buf, N, 0, SEED);
	CHECK(at >= 4000 && at < 4004);
	free(buf);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

TEST(not_periodic)
{
	enum { N = 1 << 20, BLOCK = 4096 };
	uint8_t *buf = malloc(N);
	uint64_t *words = malloc(N);
	size_t hits = 0;

	REQUIRE(buf && words);
	vs_pattern_fill(buf, N, 0, SEED);
	/* the first 4 KiB block appears nowhere else in the window */
	for (size_t p = 1; p + BLOCK <= N; p++) {
		size_t i = 0;

		while (i < BLOCK && buf[i] == buf[p + i])
			i++;
		hits += i == BLOCK;
	}
	CHECK_EQ_U64(hits, 0);
	/* nor does any 4 KiB-aligned block repeat the one before it */
	for (size_t p = BLOCK; p + BLOCK <= N; p += BLOCK)
		if (!memcmp(buf + p - BLOCK, buf + p, BLOCK))
			FAIL("block at %zu repeats the one before", p);
	/* every 8-byte word of the window is distinct */
	memcpy(words, buf, N);
	qsort(words, N / 8, sizeof(words[0]), cmp_u64);
	hits = 0;
	for (size_t i = 1; i < N / 8; i++)
		hits += words[i] == words[i - 1];
	CHECK_EQ_U64(hits, 0);
	/* and the bytes look uniform: each value 4096 times, give or take */
	{
		size_t count[256] = { 0 }, lo = N, hi = 0;

		for (size_t i = 0; i < N; i++)
			count[buf[i]]++;
		for (int v = 0; v < 256; v++) {
			lo = count[v] < lo ? count[v] : lo;
			hi = count[v] > hi ? count[v] : hi;
		}
		CHECK(lo > 3500 && hi < 4700);
	}
	free(buf);
	free(words);
}

int main(void)
{
	RUN(fill_then_check);
	RUN(chunking_independent);
	RUN(seeds_differ);
	RUN(flipped_byte_found);
	RUN(lost_and_repeated_byte_found);
	RUN(not_periodic);
	return unit_exit();
}
