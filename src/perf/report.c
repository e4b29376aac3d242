// SPDX-License-Identifier: GPL-2.0-only
/*
 * What vsock_perf prints: upstream's lines with upstream's definitions
 * (tx performance over the time spent in send(), rx performance over the
 * receive loop, POLLIN wakeups = reads), iperf3-like interval lines, the
 * peer's view and the cross-checks; or one iperf3-shaped JSON document.
 */
#include "perf.h"
#include "vs_opts.h"
#include "vs_out.h"
#include "vs_sock.h"
#include "vst.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *role_name(enum stream_role r)
{
	static const char *const names[] = {
		[ROLE_SEND] = "send", [ROLE_RECV] = "recv",
		[ROLE_PING] = "ping", [ROLE_PONG] = "echo",
	};
	return names[r];
}

static double sec(uint64_t ns)
{
	return (double)ns / 1e9;
}

void report_listening(const struct perf_cfg *cfg)
{
	if (cfg->json)
		return;
	printf("Run as receiver\n");
	printf("Listen port %u\n", cfg->port);
	printf("RX buffer %" PRIu64 " bytes\n", cfg->buf_size);
	printf("vsock buffer %" PRIu64 " bytes\n", cfg->vsk_size);
	printf("SO_RCVLOWAT %" PRIu64 " bytes\n", cfg->rcvlowat);
	fflush(stdout);
}

static void describe(const struct perf_test *t, char *buf, size_t len)
{
	const struct perf_spec *sp = &t->spec;
	static const char *const modes[] = { "client sends", "client receives (reverse)",
					     "both directions", "request/response latency" };
	char amount[64];

	if (sp->mode == MODE_LATENCY && !sp->time_ms)
		snprintf(amount, sizeof(amount), "%" PRIu64 " round trips of %" PRIu64 " bytes",
			 sp->rounds, sp->msg);
	else if (sp->time_ms)
		snprintf(amount, sizeof(amount), "for %.3g s", (double)sp->time_ms / 1000.0);
	else
		snprintf(amount, sizeof(amount), "%" PRIu64 " bytes per stream", sp->bytes);
	snprintf(buf, len, "%s, %u stream%s, %s, %s, write size %" PRIu64 "%s%s",
		 vs_type_name(sp->type), sp->streams, sp->streams > 1 ? "s" : "",
		 modes[sp->mode], amount, sp->msg, sp->verify ? ", verify" : "",
		 sp->zerocopy ? ", MSG_ZEROCOPY" : "");
}

static void warn_clamped(const struct perf_test *t)
{
	uint64_t want = t->cfg->vsk_size;

	for (unsigned int i = 0; i < t->nstreams; i++) {
		if (t->streams[i].vsk_actual != want) {
			vs_warn("--vsk-size %" PRIu64 ": the kernel set the vsock buffer to %" PRIu64
				" bytes instead", want, t->streams[i].vsk_actual);
			return;
		}
	}
}

void report_start(const struct perf_test *t)
{
	const struct perf_cfg *cfg = t->cfg;
	const struct stream *s0 = &t->streams[0];
	char what[256];

	warn_clamped(t);
	if (cfg->json)
		return;
	if (t->is_client) {
		bool zc = t->spec.zerocopy && t->spec.mode == MODE_SEND;

		printf("Run as sender%s\n", zc ? " MSG_ZEROCOPY" : "");
		printf("Connect to %u:%u\n", cfg->peer_cid, cfg->port);
		if (t->spec.time_ms)
			printf("Send for %.3f sec\n", (double)t->spec.time_ms / 1000.0);
		else if (t->spec.mode == MODE_LATENCY)
			printf("Round trips %" PRIu64 "\n", t->spec.rounds);
		else
			printf("Send %" PRIu64 " bytes\n", t->spec.bytes);
		printf("TX buffer %" PRIu64 " bytes\n", t->spec.msg);
	} else {
		printf("Connection from %u:%u\n", s0->peer_cid, s0->peer_port);
	}
	if (t->session) {
		describe(t, what, sizeof(what));
		printf("Test: %s\n", what);
	} else if (!t->is_client) {
		printf("Test: plain vsock_perf sender (no session: no peer results to check)\n");
	}
	printf("vsock buffer: %" PRIu64 " bytes set\n", s0->vsk_actual);
	fflush(stdout);
}

void report_interval_header(const struct perf_test *t)
{
	if (!t->cfg->json)
		printf(VS_INTERVAL_HEADER);
}

static void interval_line(const char *id, double a, double b, uint64_t bytes, const char *dir)
{
	vs_interval_line(stdout, id, a, b, bytes, dir);
}

void report_interval(struct perf_test *t, double start, double end, const uint64_t *prev,
		     const uint64_t *cur)
{
	uint64_t sum = 0;
	struct interval *iv;

	if (t->cfg->json) {
		if (t->nintervals == t->cap_intervals) {
			size_t cap = t->cap_intervals ? 2 * t->cap_intervals : 64;
			struct interval *p = realloc(t->intervals, cap * sizeof(*p));

			if (!p)
				return;	/* out of memory: the interval is left out of the JSON */
			t->intervals = p;
			t->cap_intervals = cap;
		}
		iv = &t->intervals[t->nintervals];
		iv->bytes = malloc(t->nstreams * sizeof(uint64_t));
		if (!iv->bytes)
			return;
		iv->start = start;
		iv->end = end;
		for (unsigned int i = 0; i < t->nstreams; i++)
			iv->bytes[i] = cur[i] - prev[i];
		t->nintervals++;
		return;
	}
	if (start == 0.0)
		report_interval_header(t);
	for (unsigned int i = 0; i < t->nstreams; i++) {
		char id[8];

		snprintf(id, sizeof(id), "%d", t->streams[i].id);
		interval_line(id, start, end, cur[i] - prev[i], role_name(t->streams[i].role));
		sum += cur[i] - prev[i];
	}
	if (t->nstreams > 1)
		interval_line("SUM", start, end, sum, "");
	fflush(stdout);
}

/* Totals over the streams of one role. */
struct totals {
	unsigned int n;
	uint64_t bytes, ops, io_ns, span_ns, max_ns, messages;
	uint64_t first_start, last_end;
	double gbps_sum;	/* sum of per-stream upstream rates */
	uint64_t zc, zc_copied;
};

static struct totals totals(const struct perf_test *t, enum stream_role role)
{
	struct totals x = { .first_start = UINT64_MAX };

	for (unsigned int i = 0; i < t->nstreams; i++) {
		const struct stream *s = &t->streams[i];
		uint64_t ns = s->end_ns - s->start_ns;

		if (s->role != role)
			continue;
		x.n++;
		x.bytes += s->bytes;
		x.ops += s->ops;
		x.io_ns += s->io_ns;
		x.messages += s->messages;
		x.zc += s->zc_completions;
		x.zc_copied += s->zc_copied;
		if (ns > x.max_ns)
			x.max_ns = ns;
		if (s->start_ns < x.first_start)
			x.first_start = s->start_ns;
		if (s->end_ns > x.last_end)
			x.last_end = s->end_ns;
		x.gbps_sum += vs_gbps(s->bytes, role == ROLE_SEND ? s->io_ns : ns);
	}
	x.span_ns = x.n ? x.last_end - x.first_start : 0;
	return x;
}

static void text_send(const char *pfx, uint64_t bytes, double gbps, uint64_t loop_ns,
		      uint64_t io_ns)
{
	printf("%stotal bytes sent: %" PRIu64 "\n", pfx, bytes);
	printf("%stx performance: %f Gbits/s\n", pfx, gbps);
	printf("%stotal time in tx loop: %f sec\n", pfx, sec(loop_ns));
	printf("%stime in 'send()': %f sec\n", pfx, sec(io_ns));
}

static void text_recv(const char *pfx, uint64_t bytes, uint64_t ns, uint64_t io_ns,
		      uint64_t reads)
{
	printf("%stotal bytes received: %" PRIu64 "\n", pfx, bytes);
	printf("%srx performance: %f Gbits/s\n", pfx, vs_gbps(bytes, ns));
	printf("%stotal time in 'read()': %f sec\n", pfx, sec(io_ns));
	printf("%saverage time in 'read()': %f ns\n", pfx, reads ? (double)io_ns / (double)reads : 0.0);
	printf("%sPOLLIN wakeups: %" PRIu64 "\n", pfx, reads);
}

static void latency_summary(const struct perf_test *t, struct vs_summary *sum)
{
	struct vs_samples all = { 0 };

	for (unsigned int i = 0; i < t->nstreams; i++)
		if (vs_samples_merge(&all, &t->streams[i].rtt_ns))
			break;
	vs_samples_summary(&all, sum);
	vs_samples_free(&all);
}

/* Cross-checks; each problem is printed (stderr) and counted. */
__attribute__((format(printf, 2, 3)))
static void problem(int *n, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "vsock_perf: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	(*n)++;
}

static int check(const struct perf_test *t, const struct trace_view *tv)
{
	int n = 0;

	if (tv && tv->streams_unseen)
		problem(&n, "--trace: the kernel showed no packets of %u data stream%s", tv->streams_unseen,
			tv->streams_unseen > 1 ? "s" : "");
	if (tv && tv->rw_tx != tv->counted_tx)
		problem(&n, "--trace: the kernel saw %" PRIu64 " RW bytes sent, vsock_perf counted %" PRIu64,
			(uint64_t)tv->rw_tx, tv->counted_tx);
	if (tv && tv->rw_rx != tv->counted_rx)
		problem(&n, "--trace: the kernel saw %" PRIu64 " RW bytes received, vsock_perf counted %"
			PRIu64, (uint64_t)tv->rw_rx, tv->counted_rx);

	if (t->interrupted)
		problem(&n, "interrupted: the results are partial");
	for (unsigned int i = 0; i < t->nstreams; i++) {
		const struct stream *s = &t->streams[i];
		const struct peer_stream *p = &t->peer[i];
		bool receiving = s->role == ROLE_RECV || s->role == ROLE_PONG;

		if (s->error[0])
			problem(&n, "stream %d: %s", s->id, s->error);
		if (s->mismatch_at >= 0)
			problem(&n, "stream %d: --verify: first mismatch at offset %" PRId64
				" (expected 0x%02x, got 0x%02x)", s->id, s->mismatch_at,
				s->mismatch_want, s->mismatch_got);
		if (receiving && !s->eof && !s->error[0] && !t->interrupted)
			problem(&n, "stream %d: the stream did not end cleanly", s->id);
		if (s->role == ROLE_RECV && t->session && !t->spec.time_ms &&
		    s->bytes != t->spec.bytes)
			problem(&n, "stream %d: short transfer: received %" PRIu64 " of %" PRIu64
				" bytes", s->id, s->bytes, t->spec.bytes);
		if (!t->session || t->peer_error[0])
			continue;
		if (!p->present) {
			problem(&n, "stream %d: the peer sent no result for it", s->id);
			continue;
		}
		if (p->error[0])
			problem(&n, "stream %d: peer: %s", s->id, p->error);
		if (p->bytes != s->bytes)
			problem(&n, "stream %d: this side %s %" PRIu64 " bytes, the peer %s %" PRIu64,
				s->id, receiving ? "received" : "sent", s->bytes,
				receiving ? "sent" : "received", p->bytes);
		if (p->mismatch_at >= 0)
			problem(&n, "stream %d: the receiver found corrupted data at offset %" PRId64,
				s->id, p->mismatch_at);
	}
	if (t->peer_error[0])
		problem(&n, "peer: %s", t->peer_error);
	return n;
}

static void text_trace(const struct trace_view *v)
{
	const struct vst_hist *r = v->read;

	printf("trace: kernel view (%s and the vsock tracepoints)%s%s\n",
	       v->kprobe ? "kprobes" : "fentry/fexit", v->missing[0] ? "; not traced: " : "", v->missing);
	printf("trace: RW bytes the kernel saw: sent %" PRIu64 ", received %" PRIu64 " (%s)\n",
	       (uint64_t)v->rw_tx, (uint64_t)v->rw_rx,
	       v->rw_tx == v->counted_tx && v->rw_rx == v->counted_rx ? "equal to vsock_perf's counts"
								       : "MISMATCH with vsock_perf's counts");
	printf("trace: credit updates: received %" PRIu64 ", sent %" PRIu64 "; credit requests: "
	       "received %" PRIu64 ", sent %" PRIu64 "\n", (uint64_t)v->updates_rx,
	       (uint64_t)v->updates_tx, (uint64_t)v->requests_rx, (uint64_t)v->requests_tx);
	printf("trace: credit stalls%s: %" PRIu64 ", %.3f ms in all, longest %.3f ms (receiver not reading %"
	       PRIu64 ", update held back %" PRIu64 ", window in flight %" PRIu64 ", unknown %" PRIu64 ")\n",
	       v->peer_stalls ? " of the sender (the peer)" : "", (uint64_t)v->stalls,
	       (double)v->stall_ns / 1e6, (double)v->stall_max_ns / 1e6,
	       (uint64_t)v->stalls_by_cause[VST_CAUSE_NOT_READING],
	       (uint64_t)v->stalls_by_cause[VST_CAUSE_NO_UPDATE],
	       (uint64_t)v->stalls_by_cause[VST_CAUSE_IN_FLIGHT],
	       (uint64_t)v->stalls_by_cause[VST_CAUSE_UNKNOWN]);
	if (v->user_pollin || v->data_ready)
		printf("trace: POLLIN wakeups: the kernel woke the reader %" PRIu64 " times (%" PRIu64
		       " more arrivals stayed below SO_RCVLOWAT), poll() returned POLLIN %" PRIu64
		       " times, vsock_perf counted %" PRIu64 "\n", (uint64_t)v->data_ready,
		       (uint64_t)v->below_lowat, (uint64_t)v->poll_in, (uint64_t)v->user_pollin);
	if (r[0].count)
		printf("trace: read latency over %" PRIu64 " recvmsg() calls: p50 <= %.0f us, p99 <= %.0f us"
		       " (waiting for data p99 <= %.0f us, copying p99 <= %.0f us)\n",
		       (uint64_t)r[0].count, vst_hist_percentile_us(&r[0], 50),
		       vst_hist_percentile_us(&r[0], 99), vst_hist_percentile_us(&r[1], 99),
		       vst_hist_percentile_us(&r[2], 99));
}

static void text_end(const struct perf_test *t, int problems, const struct trace_view *tv)
{
	struct totals tx = totals(t, ROLE_SEND), rx = totals(t, ROLE_RECV);
	struct totals ping = totals(t, ROLE_PING), pong = totals(t, ROLE_PONG);
	struct vs_cpu cpu = vs_cpu_delta(&t->cpu_start, &t->cpu_end);
	uint64_t moved = tx.bytes + rx.bytes + ping.bytes + pong.bytes;
	bool multi = t->nstreams > 1;

	for (unsigned int i = 0; multi && i < t->nstreams; i++) {
		const struct stream *s = &t->streams[i];
		char pfx[16];

		snprintf(pfx, sizeof(pfx), "[%3d] ", s->id);
		if (s->role == ROLE_SEND)
			text_send(pfx, s->bytes, vs_gbps(s->bytes, s->io_ns), s->end_ns - s->start_ns,
				  s->io_ns);
		else if (s->role == ROLE_RECV)
			text_recv(pfx, s->bytes, s->end_ns - s->start_ns, s->io_ns, s->ops);
	}
	if (tx.n)
		text_send("", tx.bytes, tx.gbps_sum, tx.max_ns, tx.io_ns);
	if (rx.n)
		text_recv("", rx.bytes, rx.span_ns, rx.io_ns, rx.ops);
	if (ping.n) {
		struct vs_summary s;

		latency_summary(t, &s);
		printf("latency: %zu round trips of %" PRIu64 " bytes: min %.1f us, p50 %.1f us, "
		       "p99 %.1f us, max %.1f us, mean %.1f us\n", s.n, t->spec.msg,
		       (double)s.min / 1e3, (double)s.p50 / 1e3, (double)s.p99 / 1e3,
		       (double)s.max / 1e3, s.mean / 1e3);
	}
	if (pong.n)
		printf("echoed %" PRIu64 " requests of %" PRIu64 " bytes\n", pong.ops, t->spec.msg);
	if (t->spec.type == SOCK_SEQPACKET)
		printf("messages: %" PRIu64 " %s\n", tx.messages + rx.messages,
		       rx.n ? "received, record boundaries checked" : "sent");
	if (t->spec.verify && (rx.n || ping.n))
		printf("verify: %" PRIu64 " bytes checked\n", rx.bytes + ping.bytes);
	if (t->spec.zerocopy && tx.n)
		printf("zerocopy completions: %" PRIu64 " (%" PRIu64 " fell back to copying)\n",
		       tx.zc, tx.zc_copied);
	if (t->spec.time_ms || multi)
		printf("wall-clock rate: %f Gbits/s over %f sec\n", vs_gbps(moved, t->end_ns - t->start_ns),
		       sec(t->end_ns - t->start_ns));
	vs_print_cpu(stdout, "", &cpu, moved);
	if (t->have_peer_cpu)
		vs_print_cpu(stdout, "peer ", &t->peer_cpu, moved);
	if (tv)
		text_trace(tv);
	if (t->session && !problems)
		printf("check: the peer confirmed every stream's byte count%s\n",
		       t->spec.verify ? " and the payload" : "");
}

static void json_sum(struct vs_json *j, const char *key, const struct totals *x, bool send)
{
	uint64_t ns = send ? x->max_ns : x->span_ns;

	vs_json_obj_begin(j, key);
	vs_json_u64(j, "streams", x->n);
	vs_json_u64(j, "bytes", x->bytes);
	vs_json_double(j, "seconds", sec(ns));
	vs_json_double(j, "bits_per_second", vs_gbps(x->bytes, ns) * 1e9);
	vs_json_double(j, send ? "tx_performance_gbps" : "rx_performance_gbps",
		       send ? x->gbps_sum : vs_gbps(x->bytes, ns));
	vs_json_double(j, send ? "time_in_send_sec" : "time_in_read_sec", sec(x->io_ns));
	vs_json_u64(j, send ? "send_calls" : "pollin_wakeups", x->ops);
	vs_json_obj_end(j);
}

static void json_trace(struct vs_json *j, const struct trace_view *v)
{
	static const char *const parts[] = { "read_latency_us", "read_blocked_us", "read_copy_us" };

	vs_json_obj_begin(j, "trace");
	vs_json_str(j, "hooks", v->kprobe ? "kprobe" : "fentry");
	vs_json_str(j, "missing", v->missing[0] ? v->missing : NULL);
	vs_json_u64(j, "rw_bytes_sent", v->rw_tx);
	vs_json_u64(j, "rw_bytes_received", v->rw_rx);
	vs_json_bool(j, "rw_bytes_match", v->rw_tx == v->counted_tx && v->rw_rx == v->counted_rx);
	vs_json_u64(j, "credit_updates_received", v->updates_rx);
	vs_json_u64(j, "credit_updates_sent", v->updates_tx);
	vs_json_u64(j, "credit_requests_received", v->requests_rx);
	vs_json_u64(j, "credit_requests_sent", v->requests_tx);
	vs_json_obj_begin(j, "stalls");
	vs_json_bool(j, "of_peer", v->peer_stalls);
	vs_json_u64(j, "count", v->stalls);
	vs_json_double(j, "total_ms", (double)v->stall_ns / 1e6);
	vs_json_double(j, "max_ms", (double)v->stall_max_ns / 1e6);
	vs_json_u64(j, "receiver_not_reading", v->stalls_by_cause[VST_CAUSE_NOT_READING]);
	vs_json_u64(j, "no_update", v->stalls_by_cause[VST_CAUSE_NO_UPDATE]);
	vs_json_u64(j, "in_flight", v->stalls_by_cause[VST_CAUSE_IN_FLIGHT]);
	vs_json_u64(j, "unknown", v->stalls_by_cause[VST_CAUSE_UNKNOWN]);
	vs_json_obj_end(j);
	vs_json_obj_begin(j, "wakeups");
	vs_json_u64(j, "kernel_data_ready", v->data_ready);
	vs_json_u64(j, "kernel_below_rcvlowat", v->below_lowat);
	vs_json_u64(j, "poll_pollin_returns", v->poll_in);
	vs_json_u64(j, "user_space_pollin", v->user_pollin);
	vs_json_obj_end(j);
	for (int i = 0; i < 3; i++) {
		vs_json_obj_begin(j, parts[i]);
		vs_json_u64(j, "count", v->read[i].count);
		vs_json_double(j, "p50", vst_hist_percentile_us(&v->read[i], 50));
		vs_json_double(j, "p99", vst_hist_percentile_us(&v->read[i], 99));
		vs_json_obj_end(j);
	}
	vs_json_obj_end(j);
}

static void json_end(const struct perf_test *t, int problems, const struct trace_view *tv)
{
	const struct perf_cfg *cfg = t->cfg;
	struct totals tx = totals(t, ROLE_SEND), rx = totals(t, ROLE_RECV);
	struct totals ping = totals(t, ROLE_PING), pong = totals(t, ROLE_PONG);
	struct vs_cpu cpu = vs_cpu_delta(&t->cpu_start, &t->cpu_end);
	uint64_t moved = tx.bytes + rx.bytes + ping.bytes + pong.bytes;
	struct vs_json j;

	vs_json_init(&j, stdout, true);
	vs_json_obj_begin(&j, NULL);
	vs_json_obj_begin(&j, "start");
	vs_json_str(&j, "version", PERF_VERSION);
	vs_json_obj_begin(&j, "timestamp");
	vs_json_u64(&j, "timesecs", (uint64_t)time(NULL));
	vs_json_obj_end(&j);
	vs_json_str(&j, "role", t->is_client ? "client" : "server");
	vs_json_bool(&j, "session", t->session);
	if (t->is_client) {
		vs_json_obj_begin(&j, "connecting_to");
		vs_json_u64(&j, "cid", cfg->peer_cid);
		vs_json_u64(&j, "port", cfg->port);
		vs_json_obj_end(&j);
	}
	vs_json_arr_begin(&j, "connected");
	for (unsigned int i = 0; i < t->nstreams; i++) {
		const struct stream *s = &t->streams[i];

		vs_json_obj_begin(&j, NULL);
		vs_json_u64(&j, "stream", (uint64_t)s->id);
		vs_json_str(&j, "direction", role_name(s->role));
		vs_json_u64(&j, "local_cid", s->local_cid);
		vs_json_u64(&j, "local_port", s->local_port);
		vs_json_u64(&j, "remote_cid", s->peer_cid);
		vs_json_u64(&j, "remote_port", s->peer_port);
		vs_json_u64(&j, "vsk_size", s->vsk_actual);
		vs_json_obj_end(&j);
	}
	vs_json_arr_end(&j);
	vs_json_obj_begin(&j, "test_start");
	vs_json_str(&j, "protocol", vs_type_name(t->spec.type));
	vs_json_u64(&j, "num_streams", t->spec.streams);
	vs_json_u64(&j, "blksize", t->spec.msg);
	vs_json_u64(&j, "bytes", t->spec.time_ms ? 0 : t->spec.bytes);
	vs_json_double(&j, "duration", (double)t->spec.time_ms / 1000.0);
	vs_json_bool(&j, "reverse", t->spec.mode == MODE_RECV);
	vs_json_bool(&j, "bidir", t->spec.mode == MODE_BIDIR);
	vs_json_bool(&j, "latency", t->spec.mode == MODE_LATENCY);
	vs_json_bool(&j, "verify", t->spec.verify);
	vs_json_bool(&j, "zerocopy", t->spec.zerocopy);
	vs_json_u64(&j, "vsk_size_requested", cfg->vsk_size);
	vs_json_u64(&j, "rcvlowat", cfg->rcvlowat);
	vs_json_u64(&j, "read_size", cfg->buf_size);
	vs_json_obj_end(&j);
	vs_json_obj_end(&j);

	vs_json_arr_begin(&j, "intervals");
	for (size_t k = 0; k < t->nintervals; k++) {
		const struct interval *iv = &t->intervals[k];
		uint64_t sum = 0;

		vs_json_obj_begin(&j, NULL);
		vs_json_arr_begin(&j, "streams");
		for (unsigned int i = 0; i < t->nstreams; i++) {
			vs_json_obj_begin(&j, NULL);
			vs_json_u64(&j, "stream", (uint64_t)t->streams[i].id);
			vs_json_str(&j, "direction", role_name(t->streams[i].role));
			vs_json_double(&j, "start", iv->start);
			vs_json_double(&j, "end", iv->end);
			vs_json_double(&j, "seconds", iv->end - iv->start);
			vs_json_u64(&j, "bytes", iv->bytes[i]);
			vs_json_double(&j, "bits_per_second",
				       vs_gbps(iv->bytes[i], (uint64_t)((iv->end - iv->start) * 1e9)) * 1e9);
			vs_json_obj_end(&j);
			sum += iv->bytes[i];
		}
		vs_json_arr_end(&j);
		vs_json_obj_begin(&j, "sum");
		vs_json_double(&j, "start", iv->start);
		vs_json_double(&j, "end", iv->end);
		vs_json_u64(&j, "bytes", sum);
		vs_json_double(&j, "bits_per_second",
			       vs_gbps(sum, (uint64_t)((iv->end - iv->start) * 1e9)) * 1e9);
		vs_json_obj_end(&j);
		vs_json_obj_end(&j);
	}
	vs_json_arr_end(&j);

	vs_json_obj_begin(&j, "end");
	vs_json_arr_begin(&j, "streams");
	for (unsigned int i = 0; i < t->nstreams; i++) {
		const struct stream *s = &t->streams[i];
		const struct peer_stream *p = &t->peer[i];
		uint64_t ns = s->end_ns - s->start_ns;

		vs_json_obj_begin(&j, NULL);
		vs_json_u64(&j, "stream", (uint64_t)s->id);
		vs_json_str(&j, "direction", role_name(s->role));
		vs_json_u64(&j, "bytes", s->bytes);
		vs_json_double(&j, "seconds", sec(ns));
		vs_json_double(&j, "bits_per_second", vs_gbps(s->bytes, ns) * 1e9);
		vs_json_u64(&j, "calls", s->ops);
		vs_json_double(&j, "time_in_io_sec", sec(s->io_ns));
		if (t->spec.type == SOCK_SEQPACKET)
			vs_json_u64(&j, "messages", s->messages);
		if (s->mismatch_at >= 0)
			vs_json_i64(&j, "verify_first_mismatch", s->mismatch_at);
		if (s->role == ROLE_SEND && t->spec.zerocopy) {
			vs_json_u64(&j, "zerocopy_completions", s->zc_completions);
			vs_json_u64(&j, "zerocopy_copied", s->zc_copied);
		}
		vs_json_str(&j, "error", s->error[0] ? s->error : NULL);
		if (p->present) {
			vs_json_obj_begin(&j, "peer");
			vs_json_u64(&j, "bytes", p->bytes);
			vs_json_double(&j, "seconds", sec(p->ns));
			vs_json_u64(&j, "calls", p->ops);
			vs_json_double(&j, "time_in_io_sec", sec(p->io_ns));
			vs_json_u64(&j, "vsk_size", p->vsk);
			vs_json_str(&j, "error", p->error[0] ? p->error : NULL);
			vs_json_obj_end(&j);
		}
		vs_json_obj_end(&j);
	}
	vs_json_arr_end(&j);
	if (tx.n)
		json_sum(&j, "sum_sent", &tx, true);
	if (rx.n)
		json_sum(&j, "sum_received", &rx, false);
	if (ping.n) {
		struct vs_summary s;

		latency_summary(t, &s);
		vs_json_obj_begin(&j, "latency_us");
		vs_json_u64(&j, "count", s.n);
		vs_json_u64(&j, "message_bytes", t->spec.msg);
		vs_json_double(&j, "min", (double)s.min / 1e3);
		vs_json_double(&j, "p50", (double)s.p50 / 1e3);
		vs_json_double(&j, "p90", (double)s.p90 / 1e3);
		vs_json_double(&j, "p99", (double)s.p99 / 1e3);
		vs_json_double(&j, "max", (double)s.max / 1e3);
		vs_json_double(&j, "mean", s.mean / 1e3);
		vs_json_obj_end(&j);
	}
	vs_json_obj_begin(&j, "cpu_utilization");
	vs_json_cpu(&j, "local", &cpu, moved);
	if (t->have_peer_cpu)
		vs_json_cpu(&j, "remote", &t->peer_cpu, moved);
	vs_json_obj_end(&j);
	if (tv)
		json_trace(&j, tv);
	vs_json_bool(&j, "interrupted", t->interrupted);
	vs_json_str(&j, "peer_error", t->peer_error[0] ? t->peer_error : NULL);
	vs_json_u64(&j, "problems", (uint64_t)problems);
	vs_json_obj_end(&j);
	vs_json_obj_end(&j);
	vs_json_finish(&j);
}

int report_end(const struct perf_test *t)
{
	struct trace_view tv;
	const struct trace_view *traced = trace_collect(t, &tv) ? &tv : NULL;
	int problems = check(t, traced);

	if (t->cfg->json)
		json_end(t, problems, traced);
	else
		text_end(t, problems, traced);
	fflush(stdout);
	return problems ? 1 : 0;
}
