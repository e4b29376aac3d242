// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: the vsock_diag netlink reply parser (src/lib/vs_diag.c). */
#include <stddef.h>
#include <stdint.h>

#include "vs_diag.h"

static int each(const struct vs_diag_sock *s, void *arg)
{
	/* touch every field, so a bad copy shows under the sanitizers */
	*(uint64_t *)arg += s->type + s->state + s->shutdown + s->src_cid + s->src_port +
			    s->dst_cid + s->dst_port + s->ino + s->cookie[0] + s->cookie[1];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256];
	uint64_t sum = 0;

	/* the sequence number vs_diag_dump() would use first */
	vs_diag_parse(data, size, 0x56534401, each, &sum, why, sizeof(why));
	vs_diag_state_name(size & 0xff);
	return 0;
}
