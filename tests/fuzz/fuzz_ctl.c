// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the control channel's line parser (src/lib/vs_ctl.c):
 * the input is the byte stream a peer sends. Every line vs_ctl_recv()
 * returns goes through the field getters and the endpoint parser, and must
 * come back unchanged after vs_ctl_unread(). Build (make fuzz does this):
 *   clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc/lib \
 *     tests/fuzz/fuzz_ctl.c src/lib/vs_*.c -lm -o build/fuzz/fuzz_ctl
 * Seeds and found inputs: tests/fuzz/corpus/ctl/.
 */
#include "vs_ctl.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int memfd = -1;

static void fields(const char *line)
{
	static const char *const keys[] = { "id", "result", "why", "text", "v", "port", "kernel",
					    "", "=", "a b" };
	char out[64], big[VS_CTL_LINE_MAX + 1], word[16];
	struct vs_ctl_ep ep;
	const char *why;
	uint64_t v;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		vs_ctl_is(line, keys[i]);
		vs_ctl_get(line, keys[i], out, sizeof(out));
		vs_ctl_get(line, keys[i], out, 1);
		vs_ctl_get_u64(line, keys[i], &v);
		vs_ctl_get_rest(line, keys[i], big, sizeof(big));
		vs_ctl_get_rest(line, keys[i], out, sizeof(out));
	}
	/* the line's own first word as a key too */
	snprintf(word, sizeof(word), "%.*s", (int)strcspn(line, " ="), line);
	vs_ctl_get(line, word, out, sizeof(out));
	vs_ctl_get_u64(line, word, &v);
	vs_ctl_parse_vsock(line, &ep, &why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[VS_CTL_LINE_MAX + 1], again[VS_CTL_LINE_MAX + 1];
	struct vs_ctl c;
	int n;

	if (memfd < 0) {
		memfd = memfd_create("fuzz_ctl", MFD_CLOEXEC);
		if (memfd < 0)
			abort();
	}
	if (ftruncate(memfd, 0) || pwrite(memfd, data, size, 0) != (ssize_t)size ||
	    lseek(memfd, 0, SEEK_SET) != 0)
		abort();
	vs_ctl_init(&c, memfd, 0);
	/* a bounded number of lines: each call consumes one or fails */
	for (int i = 0; i < 4096; i++) {
		n = vs_ctl_recv(&c, line, sizeof(line));
		if (n < 0)
			break;
		if ((size_t)n != strlen(line))
			abort();	/* the length returned is the line's */
		fields(line);
		if (vs_ctl_unread(&c, line) == 0) {
			if (vs_ctl_recv(&c, again, sizeof(again)) != n || strcmp(line, again))
				abort();	/* unread must give the same line back */
		}
	}
	return 0;
}
