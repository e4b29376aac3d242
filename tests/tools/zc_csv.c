// SPDX-License-Identifier: GPL-2.0-only
/*
 * zc_csv LABEL MIB: writes, on stdout, the zerocopy CSV that rx_zerocopy
 * --compare --csv writes (src/zerocopy/zc_compare.c, the same code) for the
 * runs read from stdin, one per line: BUF_SIZE MODE SECONDS CPU_US_PER_MIB
 * (MODE copy or zerocopy; buffer sizes in order of first appearance). It lets
 * a host test check that CSV against plots/plot without any vsock socket.
 */
#include "../../src/zerocopy/zc_compare.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_POINTS 16

int main(int argc, char **argv)
{
	static struct zc_cell cell[2][MAX_POINTS];
	uint64_t sizes[MAX_POINTS], size;
	char mode[16];
	double sec, cpu;
	size_t n = 0, p;
	int m, line = 0, got;

	if (argc != 3) {
		fprintf(stderr, "usage: zc_csv LABEL MIB <runs (BUF_SIZE MODE SECONDS CPU_US_PER_MIB)\n");
		return 2;
	}
	while ((got = scanf("%" SCNu64 " %15s %lf %lf", &size, mode, &sec, &cpu)) == 4) {
		line++;
		m = !strcmp(mode, "zerocopy") ? 1 : !strcmp(mode, "copy") ? 0 : -1;
		for (p = 0; p < n && sizes[p] != size; p++)
			;
		if (m < 0 || (p == n && n == MAX_POINTS)) {
			fprintf(stderr, "zc_csv: line %d: bad mode '%s' or too many sizes\n", line, mode);
			return 1;
		}
		if (p == n)
			sizes[n++] = size;
		if (cell[m][p].n == ZC_MAX_ROUNDS) {
			fprintf(stderr, "zc_csv: line %d: more than %d runs\n", line, ZC_MAX_ROUNDS);
			return 1;
		}
		cell[m][p].sec[cell[m][p].n] = sec;
		cell[m][p].cpu[cell[m][p].n++] = cpu;
	}
	if (got != EOF) {
		fprintf(stderr, "zc_csv: line %d: expected BUF_SIZE MODE SECONDS CPU_US_PER_MIB\n",
			line + 1);
		return 1;
	}
	return zc_csv_write(stdout, argv[1], strtoull(argv[2], NULL, 10) << 20, sizes, n,
			    cell[0], cell[1]) ? 1 : 0;
}
