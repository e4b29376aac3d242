/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rx_zerocopy --compare results: the runs of each buffer size and mode, their
 * statistics, and the zerocopy CSV that plots/plot draws (plots/schema.md).
 */
#ifndef ZC_COMPARE_H
#define ZC_COMPARE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ZC_MAX_ROUNDS 100

/* The header of the zerocopy CSV (plots/schema.md). */
#define ZC_CSV_HEADER "label,buf_size,mode,runs,gbps_median,gbps_min,gbps_max,cpu_s_per_gib"

/* The successful runs of one buffer size in one mode. */
struct zc_cell {
	double sec[ZC_MAX_ROUNDS];	/* receiver seconds */
	double cpu[ZC_MAX_ROUNDS];	/* receiver CPU usec per MiB */
	unsigned int n;
};

/* What the CSV and the JSON report of a cell; rates of runs moving `bytes` each. */
struct zc_stats {
	unsigned int runs;
	double sec_median;
	double gbps_median, gbps_min, gbps_max;	/* Gbit/s = 10^9 bit/s */
	double cpu_us_per_mib;			/* median */
	double cpu_s_per_gib;			/* the same in seconds per GiB */
};

/* Fills *st (every number 0 when the cell holds no run). */
void zc_cell_stats(const struct zc_cell *c, uint64_t bytes, struct zc_stats *st);

/*
 * Writes the zerocopy CSV: the header, then per buffer size (buf_sizes[i],
 * bytes) a copy row (copy[i]) and a zerocopy row (zc[i]). A cell without runs
 * gets runs 0 and empty numbers. Returns 0, or -1 when a write failed.
 */
int zc_csv_write(FILE *f, const char *label, uint64_t bytes, const uint64_t *buf_sizes,
		 size_t npoints, const struct zc_cell *copy, const struct zc_cell *zc);

#endif
