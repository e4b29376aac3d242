// SPDX-License-Identifier: GPL-2.0-only
/* rx_zerocopy --compare statistics and its zerocopy CSV (see zc_compare.h). */
#include "zc_compare.h"
#include "vs_clock.h"

#include <inttypes.h>
#include <string.h>

/* usec per MiB to seconds per GiB */
#define US_PER_MIB_TO_S_PER_GIB (1024.0 / 1e6)

void zc_cell_stats(const struct zc_cell *c, uint64_t bytes, struct zc_stats *st)
{
	double rate[ZC_MAX_ROUNDS], tmp[ZC_MAX_ROUNDS];
	unsigned int n = c->n < ZC_MAX_ROUNDS ? c->n : ZC_MAX_ROUNDS;

	memset(st, 0, sizeof(*st));
	if (!n)
		return;
	st->runs = n;
	for (unsigned int i = 0; i < n; i++) {
		rate[i] = c->sec[i] > 0 ? bytes * 8.0 / 1e9 / c->sec[i] : 0;
		if (!i || rate[i] < st->gbps_min)
			st->gbps_min = rate[i];
		if (!i || rate[i] > st->gbps_max)
			st->gbps_max = rate[i];
	}
	st->gbps_median = vs_median(rate, n);
	memcpy(tmp, c->sec, n * sizeof(*tmp));
	st->sec_median = vs_median(tmp, n);
	memcpy(tmp, c->cpu, n * sizeof(*tmp));
	st->cpu_us_per_mib = vs_median(tmp, n);
	st->cpu_s_per_gib = st->cpu_us_per_mib * US_PER_MIB_TO_S_PER_GIB;
}

static void csv_row(FILE *f, const char *label, uint64_t buf_size, const char *mode,
		    const struct zc_cell *c, uint64_t bytes)
{
	struct zc_stats st;

	zc_cell_stats(c, bytes, &st);
	fprintf(f, "%s,%" PRIu64 ",%s,%u,", label, buf_size, mode, st.runs);
	if (st.runs)
		fprintf(f, "%.6g,%.6g,%.6g,%.6g\n", st.gbps_median, st.gbps_min, st.gbps_max,
			st.cpu_s_per_gib);
	else
		fprintf(f, ",,,\n");
}

int zc_csv_write(FILE *f, const char *label, uint64_t bytes, const uint64_t *buf_sizes,
		 size_t npoints, const struct zc_cell *copy, const struct zc_cell *zc)
{
	fprintf(f, "%s\n", ZC_CSV_HEADER);
	for (size_t p = 0; p < npoints; p++) {
		csv_row(f, label, buf_sizes[p], "copy", &copy[p], bytes);
		csv_row(f, label, buf_sizes[p], "zerocopy", &zc[p], bytes);
	}
	return fflush(f) || ferror(f) ? -1 : 0;
}
