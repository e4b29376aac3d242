// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: the pcap reader and vsock packet decoder (src/lib/vs_pcap.c). */
#include <stddef.h>
#include <stdint.h>

#include "vs_pcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vs_pcap_rec r;
	struct vs_vsock_pkt p;
	struct vs_pcap pc;
	char why[256], b[32];

	if (vs_pcap_open(&pc, data, size, why, sizeof(why)))
		return 0;
	while (vs_pcap_next(&pc, &r, why, sizeof(why)) == 1) {
		if (vs_vsock_decode(r.data, r.caplen, r.origlen, &p, why, sizeof(why)))
			continue;
		vs_vsock_flags(&p, b, sizeof(b));
		vs_virtio_op_name(p.op, b, sizeof(b));
		vs_virtio_type_name(p.type, b, sizeof(b));
		vs_vsockmon_op_name(p.mon_op, b, sizeof(b));
	}
	return 0;
}
