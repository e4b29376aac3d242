/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A position-dependent payload for --verify: the byte at stream offset o
 * depends on o and a per-stream seed, so a lost, repeated, reordered or
 * altered byte shows up at its offset.
 */
#ifndef VS_PATTERN_H
#define VS_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/* Fill buf with the pattern bytes for offsets [offset, offset + len). */
void vs_pattern_fill(void *buf, size_t len, uint64_t offset, uint64_t seed);
/* Index in buf of the first byte that differs from the pattern, or len. */
size_t vs_pattern_check(const void *buf, size_t len, uint64_t offset, uint64_t seed);

#endif
