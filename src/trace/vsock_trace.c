// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsock_trace - the kernel's side of vsock, live: credit, credit stalls,
 * wakeups, read latency, a per-connection top, and a packet log.
 * In the style of bcc's libbpf-tools: `vsock_trace MODE [options] [interval [count]]`.
 */
#include "vs_clock.h"
#include "vs_opts.h"
#include "vs_out.h"
#include "vst.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum mode { M_CREDIT, M_STALLS, M_WAKEUPS, M_READLAT, M_TOP, M_PACKETS, NR_MODES };

static const struct {
	const char *name;
	unsigned int groups;
	const char *what;
} modes[NR_MODES] = {
	[M_CREDIT] = { "credit", VST_G_PACKETS | VST_G_STALLS,
		       "per connection: credit packets each way, the peer's buf_alloc and fwd_cnt, the sender's credit" },
	[M_STALLS] = { "stalls", VST_G_PACKETS | VST_G_STALLS,
		       "credit stalls: count, duration histogram, cause; a live line per stall >= --min-ms" },
	[M_WAKEUPS] = { "wakeups", VST_G_WAKEUPS | VST_G_READS,
			"POLLIN wakeups the kernel decided (and those below SO_RCVLOWAT) against poll() returns and reads" },
	[M_READLAT] = { "readlat", VST_G_READS,
			"recvmsg() latency as log2 histograms: total, blocked waiting for data, copying" },
	[M_TOP] = { "top", VST_G_ALL,
		    "live per-connection view: throughput each way, credit, stalls, wakeups, p99 read latency" },
	[M_PACKETS] = { "packets", VST_G_PACKETS,
			"decoded packet log (ops, flags, len, buf_alloc, fwd_cnt), rate-limited" },
};

static struct {
	enum mode mode;
	struct vst_opts o;
	double interval_s;	/* 0: until Ctrl-C */
	uint64_t count;		/* 0: unlimited */
	double min_ms;
	bool per_socket;
	bool json;
	bool timestamp;
} env = { .min_ms = 10 };

static volatile sig_atomic_t exiting;
/* When the hooks were attached (JSON's elapsed field). */
static uint64_t attached_ns;
/* "interval" for the periodic reports, "summary" for the last one (JSON's report field). */
static const char *report_kind = "interval";

static void on_sigint(int sig)
{
	(void)sig;
	exiting = 1;
}

static void usage(void)
{
	printf("Usage: vsock_trace MODE [options] [interval [count]]\n\nModes:\n");
	for (int m = 0; m < NR_MODES; m++)
		printf("  %-8s %s\n", modes[m].name, modes[m].what);
	printf("\nOptions:\n"
	       "  -p, --pid <pid>       only this process (socket calls; packets are not per process)\n"
	       "  --port <port>         only connections with this local or peer port\n"
	       "  --cid <cid>           only connections with this local or peer CID\n"
	       "  --min-ms <ms>         stalls: print a live line for stalls this long (default 10)\n"
	       "  --rate <n>            packets: at most n packet lines a second (default 1000)\n"
	       "  -S, --per-socket      readlat: a histogram per socket instead of per process\n"
	       "  -T, --timestamp       a time stamp on each interval\n"
	       "  --kprobe              use kprobes even where fentry works\n"
	       "  --json                one JSON object per interval (and the summary), a line each\n"
	       "  -v, --verbose         libbpf's messages\n"
	       "  -h, --help            this text\n"
	       "\ninterval: seconds between reports (default: one summary at Ctrl-C; top: 1);\n"
	       "count: reports before exiting. Needs root (CAP_BPF, CAP_PERFMON).\n");
}

/* ------------------------------------------------------------ connections */

struct snap {
	struct vst_conn_key k;
	struct vst_conn c;
};

struct conns {
	struct snap *v;
	size_t n, cap;
};

static void collect(const struct vst_conn_key *k, const struct vst_conn *c, void *arg)
{
	struct conns *cs = arg;

	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? 2 * cs->cap : 64;
		struct snap *v = realloc(cs->v, cap * sizeof(*v));

		if (!v)
			return;
		cs->v = v;
		cs->cap = cap;
	}
	cs->v[cs->n++] = (struct snap){ *k, *c };
}

static int cmp_snap(const void *a, const void *b)
{
	const struct snap *x = a, *y = b;

	return memcmp(&x->k, &y->k, sizeof(x->k));
}

static void snapshot(struct vst *t, struct conns *cs)
{
	cs->n = 0;
	if (vst_for_each_conn(t, collect, cs) < 0)
		vs_warn("reading the connection map: %m");
	if (cs->n)	/* cs->v is NULL until the first connection: no qsort(NULL, 0) */
		qsort(cs->v, cs->n, sizeof(*cs->v), cmp_snap);
}

static const struct vst_conn *find(const struct conns *cs, const struct vst_conn_key *k)
{
	struct snap key = { .k = *k };
	const struct snap *s = cs->n ? bsearch(&key, cs->v, cs->n, sizeof(*cs->v), cmp_snap) : NULL;

	return s ? &s->c : NULL;
}

/* cid:port; "*" for a local CID no packet has shown yet (socket hooks do not carry it). */
static char *addr(char *buf, size_t len, uint32_t cid, uint32_t port)
{
	if (cid == 0)
		snprintf(buf, len, "*:%u", port);
	else
		snprintf(buf, len, "%d:%u", cid == UINT32_MAX ? -1 : (int)cid, port);
	return buf;
}

/* The sender's credit: exact from the kernel when known, else from counted bytes (~). */
static int64_t credit_of(const struct vst_conn *c, bool *exact)
{
	*exact = c->credit_valid;
	if (c->credit_valid)
		return c->credit;
	return (int64_t)c->peer_buf_alloc - (int64_t)((uint32_t)c->tx_bytes - c->peer_fwd_cnt);
}

static void json_conn_key(struct vs_json *j, const struct vst_conn_key *k, const struct vst_conn *c)
{
	vs_json_u64(j, "local_cid", c->lcid);
	vs_json_u64(j, "local_port", k->lport);
	vs_json_u64(j, "peer_cid", k->pcid);
	vs_json_u64(j, "peer_port", k->pport);
	vs_json_u64(j, "pid", c->pid);
	vs_json_str(j, "comm", c->comm);
}

static void json_begin(struct vs_json *j, const char *kind)
{
	vs_json_init(j, stdout, false);
	vs_json_obj_begin(j, NULL);
	vs_json_str(j, "mode", modes[env.mode].name);
	vs_json_str(j, "report", kind);
	vs_json_double(j, "time", (double)time(NULL));
	vs_json_double(j, "elapsed", (double)(vs_now_ns() - attached_ns) / 1e9);
}

/* A report is a table for people or, with --json, one object with a list. */
static bool table_begin(struct vs_json *j, const char *kind, const char *list)
{
	if (!env.json)
		return false;
	json_begin(j, kind);
	vs_json_arr_begin(j, list);
	return true;
}

static void table_end(struct vs_json *j)
{
	if (!env.json)
		return;
	vs_json_arr_end(j);
	vs_json_obj_end(j);
	vs_json_finish(j);
}

/* ------------------------------------------------------------ mode reports */

static void report_credit(const struct conns *cs)
{
	struct vs_json j;
	char l[32], p[32];

	if (!table_begin(&j, report_kind, "conns"))
		printf("%-16s %-16s %12s %12s %7s %7s %7s %7s %10s %10s %11s\n", "LOCAL", "PEER",
		       "TX_RW_BYTES", "RX_RW_BYTES", "UPD_TX", "UPD_RX", "REQ_TX", "REQ_RX",
		       "PEER_BUF", "PEER_FWD", "CREDIT");
	for (size_t i = 0; i < cs->n; i++) {
		const struct vst_conn_key *k = &cs->v[i].k;
		const struct vst_conn *c = &cs->v[i].c;
		bool exact;
		int64_t credit = credit_of(c, &exact);

		if (env.json) {
			vs_json_obj_begin(&j, NULL);
			json_conn_key(&j, k, c);
			vs_json_u64(&j, "tx_rw_bytes", c->tx_bytes);
			vs_json_u64(&j, "rx_rw_bytes", c->rx_bytes);
			vs_json_u64(&j, "credit_updates_tx", c->tx_pkts[VST_OP_CREDIT_UPDATE]);
			vs_json_u64(&j, "credit_updates_rx", c->rx_pkts[VST_OP_CREDIT_UPDATE]);
			vs_json_u64(&j, "credit_requests_tx", c->tx_pkts[VST_OP_CREDIT_REQUEST]);
			vs_json_u64(&j, "credit_requests_rx", c->rx_pkts[VST_OP_CREDIT_REQUEST]);
			vs_json_u64(&j, "peer_buf_alloc", c->peer_buf_alloc);
			vs_json_u64(&j, "peer_fwd_cnt", c->peer_fwd_cnt);
			vs_json_i64(&j, "credit", credit);
			vs_json_bool(&j, "credit_exact", exact);
			vs_json_u64(&j, "stalls", c->stalls);
			vs_json_double(&j, "stall_ms", (double)c->stall_ns / 1e6);
			vs_json_obj_end(&j);
			continue;
		}
		printf("%-16s %-16s %12llu %12llu %7llu %7llu %7" "llu"
		       " %7llu %10u %10u %10lld%s\n",
		       addr(l, sizeof(l), c->lcid, k->lport), addr(p, sizeof(p), k->pcid, k->pport),
		       c->tx_bytes, c->rx_bytes, c->tx_pkts[VST_OP_CREDIT_UPDATE],
		       c->rx_pkts[VST_OP_CREDIT_UPDATE], c->tx_pkts[VST_OP_CREDIT_REQUEST],
		       c->rx_pkts[VST_OP_CREDIT_REQUEST], c->peer_buf_alloc, c->peer_fwd_cnt, (long long)credit,
		       exact ? " " : "~");
	}
	table_end(&j);
}

static void report_stalls(struct vst *t, const struct conns *cs)
{
	struct vst_hist h;
	struct vs_json j;
	char l[32], p[32];

	vst_hist_sum(t, VST_HIST_STALL, 0, NULL, &h);
	if (env.json) {
		json_begin(&j, report_kind);
		vs_json_u64(&j, "stalls", h.count);
		vs_json_double(&j, "total_ms", (double)h.total_ns / 1e6);
		vs_json_arr_begin(&j, "conns");
	} else {
		printf("%-16s %-16s %-12s %7s %7s %10s %10s  %s\n", "LOCAL", "PEER", "COMM", "PID",
		       "STALLS", "TOTAL_MS", "MAX_MS", "BY CAUSE");
	}
	for (size_t i = 0; i < cs->n; i++) {
		const struct vst_conn_key *k = &cs->v[i].k;
		const struct vst_conn *c = &cs->v[i].c;

		if (!c->stalls)
			continue;
		if (env.json) {
			vs_json_obj_begin(&j, NULL);
			json_conn_key(&j, k, c);
			vs_json_u64(&j, "stalls", c->stalls);
			vs_json_double(&j, "total_ms", (double)c->stall_ns / 1e6);
			vs_json_double(&j, "max_ms", (double)c->stall_max_ns / 1e6);
			vs_json_obj_begin(&j, "by_cause");
			vs_json_u64(&j, "unknown", c->stalls_by_cause[VST_CAUSE_UNKNOWN]);
			vs_json_u64(&j, "in_flight", c->stalls_by_cause[VST_CAUSE_IN_FLIGHT]);
			vs_json_u64(&j, "receiver_not_reading", c->stalls_by_cause[VST_CAUSE_NOT_READING]);
			vs_json_u64(&j, "no_update", c->stalls_by_cause[VST_CAUSE_NO_UPDATE]);
			vs_json_obj_end(&j);
			vs_json_obj_end(&j);
			continue;
		}
		printf("%-16s %-16s %-12s %7u %7llu %10.3f %10.3f  not-reading %llu, no-update %"
		       "llu" ", in-flight %llu, unknown %llu\n",
		       addr(l, sizeof(l), c->lcid, k->lport), addr(p, sizeof(p), k->pcid, k->pport),
		       c->comm, c->pid, c->stalls, (double)c->stall_ns / 1e6, (double)c->stall_max_ns / 1e6,
		       c->stalls_by_cause[VST_CAUSE_NOT_READING], c->stalls_by_cause[VST_CAUSE_NO_UPDATE],
		       c->stalls_by_cause[VST_CAUSE_IN_FLIGHT], c->stalls_by_cause[VST_CAUSE_UNKNOWN]);
	}
	if (env.json) {
		vs_json_arr_end(&j);
		vs_json_obj_end(&j);
		vs_json_finish(&j);
		return;
	}
	printf("\nstall durations (%llu stalls, %.3f ms in all):\n", h.count,
	       (double)h.total_ns / 1e6);
	vst_print_log2_hist(&h, "usecs");
}

static void report_wakeups(const struct conns *cs)
{
	struct vs_json j;
	char l[32], p[32];

	if (!table_begin(&j, report_kind, "conns"))
		printf("%-16s %-16s %-12s %7s %11s %11s %11s %9s\n", "LOCAL", "PEER", "COMM", "PID",
		       "DATA_READY", "BELOW_LOWAT", "POLLIN_RET", "READS");
	for (size_t i = 0; i < cs->n; i++) {
		const struct vst_conn_key *k = &cs->v[i].k;
		const struct vst_conn *c = &cs->v[i].c;

		if (!c->data_ready && !c->data_ready_below_lowat && !c->poll_in && !c->reads)
			continue;
		if (env.json) {
			vs_json_obj_begin(&j, NULL);
			json_conn_key(&j, k, c);
			vs_json_u64(&j, "data_ready", c->data_ready);
			vs_json_u64(&j, "data_ready_below_lowat", c->data_ready_below_lowat);
			vs_json_u64(&j, "pollin_returns", c->poll_in);
			vs_json_u64(&j, "reads", c->reads);
			vs_json_obj_end(&j);
			continue;
		}
		printf("%-16s %-16s %-12s %7u %11llu %11llu %11llu %9llu\n",
		       addr(l, sizeof(l), c->lcid, k->lport), addr(p, sizeof(p), k->pcid, k->pport),
		       c->comm, c->pid, c->data_ready, c->data_ready_below_lowat, c->poll_in, c->reads);
	}
	table_end(&j);
}

static void print_readlat(struct vst *t, uint32_t pid, const struct vst_conn_key *k, const char *who,
			  struct vs_json *j)
{
	static const char *const names[] = { "total", "blocked", "copy" };

	for (uint32_t kind = VST_HIST_READ; kind <= VST_HIST_READ_COPY; kind++) {
		struct vst_hist h;

		vst_hist_sum(t, kind, pid, k, &h);
		if (!h.count)
			continue;
		if (j) {
			vs_json_obj_begin(j, names[kind]);
			vs_json_u64(j, "count", h.count);
			vs_json_double(j, "mean_us", (double)h.total_ns / 1e3 / (double)h.count);
			vs_json_double(j, "p50_us", vst_hist_percentile_us(&h, 50));
			vs_json_double(j, "p99_us", vst_hist_percentile_us(&h, 99));
			vs_json_arr_begin(j, "log2_us_slots");
			for (int i = 0; i < VST_MAX_SLOTS; i++)
				vs_json_u64(j, NULL, h.slots[i]);
			vs_json_arr_end(j);
			vs_json_obj_end(j);
			continue;
		}
		printf("\n%s: recvmsg() %s time, %llu calls, mean %.1f us, p50 <= %.0f us, "
		       "p99 <= %.0f us\n", who, names[kind], h.count,
		       (double)h.total_ns / 1e3 / (double)h.count, vst_hist_percentile_us(&h, 50),
		       vst_hist_percentile_us(&h, 99));
		vst_print_log2_hist(&h, "usecs");
	}
}

static void report_readlat(struct vst *t, const struct conns *cs)
{
	uint32_t seen[256];
	size_t nseen = 0;
	struct vs_json j;
	char who[96], l[32], p[32];

	if (env.json) {
		json_begin(&j, report_kind);
		vs_json_arr_begin(&j, env.per_socket ? "sockets" : "processes");
	}
	for (size_t i = 0; i < cs->n; i++) {
		const struct vst_conn *c = &cs->v[i].c;
		bool dup = false;

		if (!c->reads)
			continue;
		if (env.per_socket) {
			snprintf(who, sizeof(who), "%s -> %s (%s %u)",
				 addr(l, sizeof(l), c->lcid, cs->v[i].k.lport),
				 addr(p, sizeof(p), cs->v[i].k.pcid, cs->v[i].k.pport), c->comm, c->pid);
		} else {
			for (size_t s = 0; s < nseen; s++)
				dup |= seen[s] == c->pid;
			if (dup || nseen == 256)
				continue;
			seen[nseen++] = c->pid;
			snprintf(who, sizeof(who), "%s %u", c->comm, c->pid);
		}
		if (env.json) {
			vs_json_obj_begin(&j, NULL);
			json_conn_key(&j, &cs->v[i].k, c);
			print_readlat(t, env.per_socket ? 0 : c->pid, env.per_socket ? &cs->v[i].k : NULL,
				      who, &j);
			vs_json_obj_end(&j);
		} else {
			print_readlat(t, env.per_socket ? 0 : c->pid, env.per_socket ? &cs->v[i].k : NULL,
				      who, NULL);
		}
	}
	table_end(&j);
}

static void report_top(struct vst *t, const struct conns *cs, const struct conns *prev, double secs)
{
	struct vs_json j;
	char l[32], p[32];

	if (env.json) {
		json_begin(&j, report_kind);
		vs_json_double(&j, "seconds", secs);
		vs_json_arr_begin(&j, "conns");
	} else {
		printf("%-16s %-16s %-12s %7s %9s %9s %10s %7s %9s %9s\n", "LOCAL", "PEER", "COMM", "PID",
		       "TX_Mbps", "RX_Mbps", "CREDIT", "STALLS", "WAKEUPS", "P99_RD_us");
	}
	for (size_t i = 0; i < cs->n; i++) {
		const struct vst_conn_key *k = &cs->v[i].k;
		const struct vst_conn *c = &cs->v[i].c, *o = find(prev, k);
		uint64_t dtx = c->tx_bytes - (o ? o->tx_bytes : 0), drx = c->rx_bytes - (o ? o->rx_bytes : 0);
		uint64_t dst = c->stalls - (o ? o->stalls : 0);
		uint64_t dwk = c->data_ready - (o ? o->data_ready : 0);
		struct vst_hist h;
		bool exact;
		int64_t credit = credit_of(c, &exact);
		double tx = (double)dtx * 8 / 1e6 / secs, rx = (double)drx * 8 / 1e6 / secs;

		if (!dtx && !drx && !dst && !dwk)
			continue;	/* idle this interval */
		vst_hist_sum(t, VST_HIST_READ, 0, k, &h);
		if (env.json) {
			vs_json_obj_begin(&j, NULL);
			json_conn_key(&j, k, c);
			vs_json_double(&j, "tx_mbps", tx);
			vs_json_double(&j, "rx_mbps", rx);
			vs_json_i64(&j, "credit", credit);
			vs_json_u64(&j, "stalls", dst);
			vs_json_u64(&j, "wakeups", dwk);
			vs_json_double(&j, "p99_read_us", vst_hist_percentile_us(&h, 99));
			vs_json_obj_end(&j);
			continue;
		}
		printf("%-16s %-16s %-12s %7u %9.1f %9.1f %9lld%s %7llu %9llu %9.0f\n",
		       addr(l, sizeof(l), c->lcid, k->lport), addr(p, sizeof(p), k->pcid, k->pport),
		       c->comm, c->pid, tx, rx, (long long)credit, exact ? " " : "~", (unsigned long long)dst, (unsigned long long)dwk,
		       vst_hist_percentile_us(&h, 99));
	}
	table_end(&j);
}

/* ------------------------------------------------------------ events */

static void print_event(const struct vst_event *e, void *arg)
{
	char l[32], p[32];

	(void)arg;
	if (e->type == VST_EV_STALL) {
		if (env.json) {
			struct vs_json j;

			json_begin(&j, "stall");
			vs_json_u64(&j, "local_port", e->conn.lport);
			vs_json_u64(&j, "peer_cid", e->conn.pcid);
			vs_json_u64(&j, "peer_port", e->conn.pport);
			vs_json_u64(&j, "pid", e->pid);
			vs_json_str(&j, "comm", e->comm);
			vs_json_double(&j, "ms", (double)e->dur_ns / 1e6);
			vs_json_str(&j, "cause", vst_cause_name(e->cause));
			vs_json_obj_end(&j);
			vs_json_finish(&j);
		} else {
			printf("STALL %-12s %7u port %u -> %s  %9.3f ms  %s\n", e->comm, e->pid,
			       e->conn.lport, addr(p, sizeof(p), e->conn.pcid, e->conn.pport),
			       (double)e->dur_ns / 1e6, vst_cause_name(e->cause));
		}
	} else if (e->type == VST_EV_PACKET) {
		const char *dir = e->dir ? "rx" : "tx";

		snprintf(l, sizeof(l), "port %u", e->conn.lport);
		if (env.json) {
			struct vs_json j;

			json_begin(&j, "packet");
			vs_json_double(&j, "ts", (double)e->ts_ns / 1e9);
			vs_json_str(&j, "dir", dir);
			vs_json_u64(&j, "local_port", e->conn.lport);
			vs_json_u64(&j, "peer_cid", e->conn.pcid);
			vs_json_u64(&j, "peer_port", e->conn.pport);
			vs_json_str(&j, "op", vst_op_name(e->op));
			vs_json_u64(&j, "len", e->len);
			vs_json_u64(&j, "flags", e->flags);
			if (e->dir) {
				vs_json_u64(&j, "buf_alloc", e->buf_alloc);
				vs_json_u64(&j, "fwd_cnt", e->fwd_cnt);
			}
			vs_json_obj_end(&j);
			vs_json_finish(&j);
		} else if (e->dir) {
			printf("%14.6f rx %-11s <- %-14s %-14s len %-6u flags %#x buf_alloc %u fwd_cnt %u\n",
			       (double)e->ts_ns / 1e9, l, addr(p, sizeof(p), e->conn.pcid, e->conn.pport),
			       vst_op_name(e->op), e->len, e->flags, e->buf_alloc, e->fwd_cnt);
		} else {
			printf("%14.6f tx %-11s -> %-14s %-14s len %-6u flags %#x\n",
			       (double)e->ts_ns / 1e9, l, addr(p, sizeof(p), e->conn.pcid, e->conn.pport),
			       vst_op_name(e->op), e->len, e->flags);
		}
	}
	fflush(stdout);
}

/* ------------------------------------------------------------ main */

static void report(struct vst *t, struct conns *cs, struct conns *prev, double secs, bool final)
{
	report_kind = final ? "summary" : "interval";
	snapshot(t, cs);
	if (env.timestamp && !env.json) {
		time_t now = time(NULL);
		char ts[16];

		strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
		printf("%s\n", ts);
	}
	switch (env.mode) {
	case M_CREDIT:
		report_credit(cs);
		break;
	case M_STALLS:
		report_stalls(t, cs);
		break;
	case M_WAKEUPS:
		report_wakeups(cs);
		break;
	case M_READLAT:
		report_readlat(t, cs);
		break;
	case M_TOP:
		report_top(t, cs, prev, secs);
		break;
	case M_PACKETS:
		if (final && !env.json)
			printf("packet lines dropped by the rate limit: %llu\n",
			       (unsigned long long)vst_packets_dropped(t));
		break;
	default:
		break;
	}
	if (!env.json)
		printf("\n");
	fflush(stdout);
}

static void parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' }, { "port", required_argument, NULL, 'P' },
		{ "cid", required_argument, NULL, 'C' }, { "min-ms", required_argument, NULL, 'm' },
		{ "rate", required_argument, NULL, 'r' }, { "per-socket", no_argument, NULL, 'S' },
		{ "timestamp", no_argument, NULL, 'T' }, { "kprobe", no_argument, NULL, 'K' },
		{ "json", no_argument, NULL, 'j' }, { "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	int opt, m;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":p:STvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			env.o.pid = (uint32_t)vs_opt_uint("--pid", optarg, 1, UINT32_MAX);
			break;
		case 'P':
			env.o.port = (uint32_t)vs_opt_uint("--port", optarg, 1, UINT32_MAX - 1);
			break;
		case 'C':
			env.o.cid = vs_opt_cid("--cid", optarg);
			env.o.cid_set = true;
			break;
		case 'm':
			env.min_ms = vs_opt_ms("--min-ms", optarg, 0, 3.6e6);
			break;
		case 'r':
			env.o.packets_per_sec = (uint32_t)vs_opt_uint("--rate", optarg, 1, 1000000);
			break;
		case 'S':
			env.per_socket = true;
			break;
		case 'T':
			env.timestamp = true;
			break;
		case 'K':
			env.o.force_kprobe = true;
			break;
		case 'j':
			env.json = true;
			break;
		case 'v':
			env.o.verbose = true;
			break;
		case 'h':
			usage();
			exit(0);
		default:
			vs_opt_bad(opt, argv);
		}
	}
	if (optind >= argc)
		vs_usage_error("no mode given (credit, stalls, wakeups, readlat, top, packets)");
	for (m = 0; m < NR_MODES && strcmp(argv[optind], modes[m].name); m++)
		;
	if (m == NR_MODES)
		vs_usage_error("unknown mode '%s' (credit, stalls, wakeups, readlat, top, packets)",
			       argv[optind]);
	env.mode = (enum mode)m;
	optind++;
	if (optind < argc)
		env.interval_s = vs_opt_seconds("interval", argv[optind++], 0.01, 86400);
	if (optind < argc)
		env.count = vs_opt_uint("count", argv[optind++], 1, UINT64_MAX);
	if (optind < argc)
		vs_usage_error("unexpected argument '%s'", argv[optind]);
	if (env.mode == M_TOP && !env.interval_s)
		env.interval_s = 1;
	env.o.groups = modes[env.mode].groups;
	env.o.packets = env.mode == M_PACKETS;
	env.o.stalls = env.mode == M_STALLS;
	env.o.min_stall_ns = (uint64_t)(env.min_ms * 1e6);
}

int main(int argc, char **argv)
{
	struct conns cs = { 0 }, prev = { 0 };
	struct vst t;
	char err[512];
	uint64_t last, reports = 0;
	bool events;

	vs_set_prog(argv[0]);
	parse(argc, argv);
	events = env.mode == M_PACKETS || env.mode == M_STALLS;
	if (vst_open(&t, &env.o, err, sizeof(err)))
		vs_die("%s", err);
	signal(SIGINT, on_sigint);
	signal(SIGTERM, on_sigint);
	if (t.missing[0])
		vs_warn("not traced on this kernel: %s", t.missing);
	if ((t.groups_ok & modes[env.mode].groups) != modes[env.mode].groups)
		vs_warn("%s: partial results: some hooks are missing (above)", modes[env.mode].name);
	/* The banner says the hooks are attached; with --json it goes to stderr. */
	fprintf(env.json ? stderr : stdout, "Tracing vsock %s with %s%s... Hit Ctrl-C to end.\n%s",
		modes[env.mode].name, t.kprobe ? "kprobes" : "fentry/fexit",
		env.o.groups & VST_G_PACKETS ? " and the vsock tracepoints" : "", env.json ? "" : "\n");
	fflush(stdout);
	last = attached_ns = vs_now_ns();
	while (!exiting) {
		uint64_t now = vs_now_ns(), next = env.interval_s ?
			last + (uint64_t)(env.interval_s * 1e9) : UINT64_MAX;
		int wait_ms = next == UINT64_MAX ? 200 : (int)((next > now ? next - now : 0) / 1000000);

		if (events) {
			int r = vst_poll_events(&t, wait_ms < 200 ? wait_ms : 200, print_event, NULL);

			if (r < 0 && r != -EINTR) {
				vs_warn("reading events: %s", strerror(-r));
				break;
			}
		} else {
			vs_sleep_ns((uint64_t)(wait_ms < 200 ? wait_ms : 200) * 1000000);
		}
		now = vs_now_ns();
		if (now < next)
			continue;
		report(&t, &cs, &prev, (double)(now - last) / 1e9, false);
		{
			struct conns tmp = prev;

			prev = cs;
			cs = tmp;
		}
		last = now;
		if (env.count && ++reports >= env.count)
			break;
	}
	if (exiting || !env.interval_s) {
		if (events)
			vst_poll_events(&t, 0, print_event, NULL);
		report(&t, &cs, &prev, (double)(vs_now_ns() - last) / 1e9, true);
	}
	free(cs.v);
	free(prev.v);
	vst_close(&t);
	return 0;
}
