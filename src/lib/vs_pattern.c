// SPDX-License-Identifier: GPL-2.0-only
#include "vs_pattern.h"

#include <string.h>

/* splitmix64's finaliser: every word index maps to a well-mixed word. */
static uint64_t word_at(uint64_t index, uint64_t seed)
{
	uint64_t z = index + seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint8_t byte_at(uint64_t off, uint64_t seed)
{
	return (uint8_t)(word_at(off >> 3, seed) >> ((off & 7) * 8));
}

void vs_pattern_fill(void *buf, size_t len, uint64_t offset, uint64_t seed)
{
	uint8_t *p = buf;
	size_t i = 0;

	for (; i < len && ((offset + i) & 7); i++)
		p[i] = byte_at(offset + i, seed);
	for (; i + 8 <= len; i += 8) {
		uint64_t w = word_at((offset + i) >> 3, seed);

		/* little-endian byte order, as byte_at() defines it */
		for (int b = 0; b < 8; b++)
			p[i + b] = (uint8_t)(w >> (8 * b));
	}
	for (; i < len; i++)
		p[i] = byte_at(offset + i, seed);
}

size_t vs_pattern_check(const void *buf, size_t len, uint64_t offset, uint64_t seed)
{
	const uint8_t *p = buf;
	uint8_t want[4096];

	for (size_t done = 0; done < len;) {
		size_t n = len - done < sizeof(want) ? len - done : sizeof(want);

		vs_pattern_fill(want, n, offset + done, seed);
		if (memcmp(want, p + done, n)) {
			for (size_t i = 0; i < n; i++)
				if (want[i] != p[done + i])
					return done + i;
		}
		done += n;
	}
	return len;
}
