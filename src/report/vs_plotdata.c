// SPDX-License-Identifier: GPL-2.0-only
/*
 * vs_plotdata - turns vsock_trace's --json lines into whitespace-separated
 * tables for gnuplot (plots/plot runs it; the tables are described in
 * plots/schema.md):
 *
 *   vs_plotdata readlat [LABEL=]FILE...   read latency per log2 slot, % of reads
 *   vs_plotdata credit FILE               the data sender's credit over time
 *
 * Bad or empty input is an error naming the file, the line and the problem
 * (exit 1), never an empty table: a plot of nothing would look like a result.
 */
#include "vs_jsonr.h"
#include "vs_opts.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUTS 8
#define SLOTS 32

static void usage(void)
{
	printf("Usage: vs_plotdata readlat [LABEL=]FILE...   (vsock_trace readlat --json output)\n"
	       "       vs_plotdata credit FILE               (vsock_trace credit --json INTERVAL output)\n"
	       "\n"
	       "Prints a table for gnuplot on stdout (see plots/schema.md):\n"
	       "  readlat: one row per log2 latency slot: label, lower bound in us, then the %%\n"
	       "           of recvmsg() calls in the slot; with one FILE: total, blocked, copy;\n"
	       "           with several: the total of each FILE.\n"
	       "  credit:  one row per interval of the connection that sent the most data:\n"
	       "           seconds, credit KiB, credit updates received, stalls, stall ms, Mbit/s.\n");
}

/* The lines of a file, each a checked JSON document. */
struct lines {
	char **v;
	size_t n;
};

static void read_lines(const char *path, struct lines *out)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;

	if (!f)
		vs_die("%s: %s", path, strerror(errno));
	out->v = NULL;
	out->n = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		size_t off;
		const char *why;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len)
			continue;
		if (vs_jsonr_check(line, (size_t)len, &off, &why))
			vs_die("%s: line %zu is not JSON (byte %zu: %s)", path, lineno, off, why);
		out->v = realloc(out->v, (out->n + 1) * sizeof(char *));
		if (!out->v || !(out->v[out->n++] = strdup(line)))
			vs_die("out of memory");
	}
	free(line);
	if (f != stdin)
		fclose(f);
	if (!out->n)
		vs_die("%s: empty: no JSON lines (was vsock_trace run with --json?)", path);
}

static bool is_mode(const char *doc, const char *mode)
{
	char m[32];

	return !vs_jsonr_str(doc, "mode", m, sizeof(m)) && !strcmp(m, mode);
}

/* ------------------------------------------------------------ readlat */

struct hist {
	double count[3];		/* total, blocked, copy */
	double slot[3][SLOTS];
};

static const char *const kinds[] = { "total", "blocked", "copy" };
static const char *const kind_titles[] = { "whole call", "waiting for data", "dequeue and copy" };

/* The histograms of the entry with the most reads in the last readlat report that has one. */
static void readlat_of(const char *path, struct hist *h)
{
	struct lines L;
	bool seen_mode = false;

	read_lines(path, &L);
	memset(h, 0, sizeof(*h));
	for (size_t i = L.n; i-- > 0 && !h->count[0];) {
		const char *doc = L.v[i], *list;
		long n;

		if (!is_mode(doc, "readlat"))
			continue;
		seen_mode = true;
		list = vs_jsonr_at(doc, "processes");
		if (!list)
			list = vs_jsonr_at(doc, "sockets");
		n = list ? vs_jsonr_len(list) : -1;
		if (n < 0)
			vs_die("%s: line %zu: a readlat report without a processes or sockets list", path, i + 1);
		for (long e = 0; e < n; e++) {
			const char *ent = vs_jsonr_elem(list, e);
			double c;

			if (vs_jsonr_num(ent, "total.count", &c) || c <= h->count[0])
				continue;
			for (int k = 0; k < 3; k++) {
				const char *slots;
				char key[32];

				snprintf(key, sizeof(key), "%s.log2_us_slots", kinds[k]);
				slots = vs_jsonr_at(ent, key);
				h->count[k] = 0;
				memset(h->slot[k], 0, sizeof(h->slot[k]));
				if (!slots)	/* a kind with no calls is left out */
					continue;
				if (vs_jsonr_len(slots) != SLOTS)
					vs_die("%s: line %zu: %s has %ld slots, expected %d", path, i + 1, key,
					       vs_jsonr_len(slots), SLOTS);
				for (int s = 0; s < SLOTS; s++) {
					if (vs_jsonr_num(vs_jsonr_elem(slots, s), "", &h->slot[k][s]) ||
					    h->slot[k][s] < 0)
						vs_die("%s: line %zu: %s.%d is not a count", path, i + 1, key, s);
					h->count[k] += h->slot[k][s];
				}
			}
		}
	}
	if (!seen_mode)
		vs_die("%s: no readlat report (is this vsock_trace readlat --json output?)", path);
	if (!h->count[0])
		vs_die("%s: the readlat reports count no reads (was a transfer running while it traced?)",
		       path);
	for (size_t i = 0; i < L.n; i++)
		free(L.v[i]);
	free(L.v);
}

/* "1us", "512us", "1ms", "1s": the lower bound of slot s (2^s microseconds). */
static void slot_label(int s, char *buf, size_t len)
{
	double us = ldexp(1.0, s);

	if (s == 0)	/* slot 0 also holds everything below 1 us */
		snprintf(buf, len, "<2us");
	else if (us < 1000)
		snprintf(buf, len, "%.0fus", us);
	else if (us < 1e6)
		snprintf(buf, len, "%.3gms", us / 1e3);
	else
		snprintf(buf, len, "%.3gs", us / 1e6);
}

static int cmd_readlat(int n, char **args)
{
	struct hist h[MAX_INPUTS];
	const char *label[MAX_INPUTS];
	int lo = SLOTS, hi = -1, cols = n == 1 ? 3 : 1;

	if (n < 1)
		vs_usage_error("readlat needs at least one FILE");
	if (n > MAX_INPUTS)
		vs_usage_error("readlat takes at most %d files", MAX_INPUTS);
	for (int i = 0; i < n; i++) {
		char *eq = strchr(args[i], '=');
		const char *path = eq ? eq + 1 : args[i];

		if (eq) {
			*eq = '\0';
			if (!*args[i] || strpbrk(args[i], " \t\""))
				vs_usage_error("readlat: label '%s': empty or with blanks or quotes", args[i]);
		}
		label[i] = eq ? args[i] : path;
		readlat_of(path, &h[i]);
		for (int k = 0; k < cols; k++)
			for (int s = 0; s < SLOTS; s++)
				if (h[i].slot[k][s] > 0) {
					lo = s < lo ? s : lo;
					hi = s > hi ? s : hi;
				}
	}
	printf("# vs_plotdata readlat: %% of recvmsg() calls per log2 slot [2^i, 2^(i+1)) us\n");
	printf("slot lower_us");
	for (int i = 0; i < n; i++)
		for (int k = 0; k < cols; k++)
			printf(" \"%s (%.0f calls)\"", n > 1 ? label[i] : kind_titles[k], h[i].count[k]);
	printf("\n");
	for (int s = lo; s <= hi; s++) {
		char sl[16];

		slot_label(s, sl, sizeof(sl));
		printf("%s %.0f", sl, ldexp(1.0, s));
		for (int i = 0; i < n; i++)
			for (int k = 0; k < cols; k++)
				printf(" %.3f", h[i].count[k] ? 100.0 * h[i].slot[k][s] / h[i].count[k] : 0.0);
		printf("\n");
	}
	return 0;
}

/* ------------------------------------------------------------ credit */

static int cmd_credit(int n, char **args)
{
	double best = -1, lport = 0, pport = 0;
	double prev_upd = 0, prev_st = 0, prev_ms = 0, prev_tx = 0, prev_t = 0;
	const char *path;
	struct lines L;
	size_t rows = 0, reports = 0;

	if (n != 1)
		vs_usage_error("credit takes one FILE");
	path = args[0];
	read_lines(path, &L);
	/* The data connection: the one that sent the most RW bytes by the last report. */
	for (size_t i = 0; i < L.n; i++) {
		const char *list;
		long m;

		if (!is_mode(L.v[i], "credit"))
			continue;
		reports++;
		list = vs_jsonr_at(L.v[i], "conns");
		m = list ? vs_jsonr_len(list) : -1;
		if (m < 0)
			vs_die("%s: line %zu: a credit report without a conns list", path, i + 1);
		for (long e = 0; e < m; e++) {
			const char *c = vs_jsonr_elem(list, e);
			double tx, lp, pp;

			if (vs_jsonr_num(c, "tx_rw_bytes", &tx) || vs_jsonr_num(c, "local_port", &lp) ||
			    vs_jsonr_num(c, "peer_port", &pp))
				vs_die("%s: line %zu: conns.%ld lacks tx_rw_bytes, local_port or peer_port",
				       path, i + 1, e);
			if (tx > best) {
				best = tx;
				lport = lp;
				pport = pp;
			}
		}
	}
	if (!reports)
		vs_die("%s: no credit report (is this vsock_trace credit --json INTERVAL output?)", path);
	if (best <= 0)
		vs_die("%s: no connection sent data while it traced", path);
	printf("# vs_plotdata credit: the sender of local port %.0f -> peer port %.0f\n", lport, pport);
	printf("seconds credit_kib credit_updates_rx stalls stall_ms mbps\n");
	for (size_t i = 0; i < L.n; i++) {
		const char *list;
		double t;
		long m;

		char kind[16];

		/* The summary at Ctrl-C repeats the last interval's state: intervals only. */
		if (!is_mode(L.v[i], "credit") ||
		    (!vs_jsonr_str(L.v[i], "report", kind, sizeof(kind)) && strcmp(kind, "interval")))
			continue;
		if (vs_jsonr_num(L.v[i], "elapsed", &t))
			vs_die("%s: line %zu: no elapsed time (vsock_trace older than the plots?)", path, i + 1);
		list = vs_jsonr_at(L.v[i], "conns");
		m = vs_jsonr_len(list);
		for (long e = 0; e < m; e++) {
			const char *c = vs_jsonr_elem(list, e);
			double lp, pp, credit, upd, st, ms, tx;

			if (vs_jsonr_num(c, "local_port", &lp) || vs_jsonr_num(c, "peer_port", &pp) ||
			    lp != lport || pp != pport)
				continue;
			if (vs_jsonr_num(c, "credit", &credit) ||
			    vs_jsonr_num(c, "credit_updates_rx", &upd) || vs_jsonr_num(c, "stalls", &st) ||
			    vs_jsonr_num(c, "stall_ms", &ms) || vs_jsonr_num(c, "tx_rw_bytes", &tx))
				vs_die("%s: line %zu: conns.%ld lacks credit, credit_updates_rx, stalls, "
				       "stall_ms or tx_rw_bytes", path, i + 1, e);
			printf("%.3f %.3f %.0f %.0f %.3f %.3f\n", t, credit / 1024, upd - prev_upd,
			       st - prev_st, ms - prev_ms,
			       t > prev_t ? (tx - prev_tx) * 8 / 1e6 / (t - prev_t) : 0.0);
			prev_upd = upd;
			prev_st = st;
			prev_ms = ms;
			prev_tx = tx;
			prev_t = t;
			rows++;
		}
	}
	if (rows < 2)
		vs_die("%s: the sending connection shows in %zu report%s: a timeline needs two or more "
		       "(a shorter interval?)", path, rows, rows == 1 ? "" : "s");
	return 0;
}

int main(int argc, char **argv)
{
	vs_set_prog(argv[0]);
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage();
		return 0;
	}
	if (argc < 2)
		vs_usage_error("no table kind given (readlat, credit)");
	if (!strcmp(argv[1], "readlat"))
		return cmd_readlat(argc - 2, argv + 2);
	if (!strcmp(argv[1], "credit"))
		return cmd_credit(argc - 2, argv + 2);
	vs_usage_error("unknown table kind '%s' (readlat, credit)", argv[1]);
}
