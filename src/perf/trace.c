// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsock_perf --trace: the kernel's view of this side's data connections,
 * read from the tracer (src/trace/vst.h) after the transfer, and the
 * cross-check of the RW bytes the kernel saw against what vsock_perf counted.
 */
#include "perf.h"
#include "vs_opts.h"
#include "vst.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct vst tracer;
static bool tracing;

int trace_open(const struct perf_cfg *cfg)
{
	struct vst_opts o = { .groups = VST_G_ALL, .force_kprobe = cfg->trace_kprobe };
	char err[512];

	if (vst_open(&tracer, &o, err, sizeof(err)))
		vs_die("--trace: %s", err);
	if (tracer.missing[0])
		vs_warn("--trace: not traced on this kernel: %s", tracer.missing);
	tracing = true;
	return 0;
}

void trace_close(void)
{
	if (tracing)
		vst_close(&tracer);
	tracing = false;
}

static struct vst_conn_key key_of(const struct stream *s)
{
	return (struct vst_conn_key){ .lport = s->local_port, .pcid = s->peer_cid, .pport = s->peer_port };
}

/* Stalls of the sender of stream s: this side, or the peer when it is traced here. */
static void add_stalls(struct trace_view *v, const struct vst_conn *c)
{
	v->stalls += c->stalls;
	v->stall_ns += c->stall_ns;
	if (c->stall_max_ns > v->stall_max_ns)
		v->stall_max_ns = c->stall_max_ns;
	for (int i = 0; i < VST_NR_CAUSES; i++)
		v->stalls_by_cause[i] += c->stalls_by_cause[i];
}

bool trace_collect(const struct perf_test *t, struct trace_view *v)
{
	memset(v, 0, sizeof(*v));
	if (!tracing)
		return false;
	v->kprobe = tracer.kprobe;
	snprintf(v->missing, sizeof(v->missing), "%s", tracer.missing);
	for (unsigned int i = 0; i < t->nstreams; i++) {
		const struct stream *s = &t->streams[i];
		struct vst_conn_key k = key_of(s);
		bool sends = s->role == ROLE_SEND || s->role == ROLE_PING || s->role == ROLE_PONG;
		bool receives = s->role != ROLE_SEND;
		struct vst_conn c, peer;
		struct vst_hist h;

		if (vst_get_conn(&tracer, &k, &c)) {
			v->streams_unseen++;
			continue;
		}
		v->rw_tx += c.tx_bytes;
		v->rw_rx += c.rx_bytes;
		if (sends)
			v->counted_tx += s->bytes;
		if (receives)
			v->counted_rx += s->bytes;
		v->updates_tx += c.tx_pkts[VST_OP_CREDIT_UPDATE];
		v->updates_rx += c.rx_pkts[VST_OP_CREDIT_UPDATE];
		v->requests_tx += c.tx_pkts[VST_OP_CREDIT_REQUEST];
		v->requests_rx += c.rx_pkts[VST_OP_CREDIT_REQUEST];
		if (sends) {
			add_stalls(v, &c);
		} else {
			/* the sender is the peer: in loopback it is in this kernel too */
			struct vst_conn_key pk = { .lport = k.pport, .pcid = c.lcid, .pport = k.lport };

			if (!vst_get_conn(&tracer, &pk, &peer)) {
				add_stalls(v, &peer);
				v->peer_stalls = true;
			}
		}
		if (receives) {
			v->data_ready += c.data_ready;
			v->below_lowat += c.data_ready_below_lowat;
			v->poll_in += c.poll_in;
			v->user_pollin += s->ops;
		}
		for (uint32_t kind = VST_HIST_READ; kind <= VST_HIST_READ_COPY; kind++) {
			vst_hist_sum(&tracer, kind, (uint32_t)getpid(), &k, &h);
			vst_hist_add(&v->read[kind - VST_HIST_READ], &h);
		}
	}
	return true;
}
