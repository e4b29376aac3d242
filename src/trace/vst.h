/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tracer: loads bpf/vsock_trace.bpf.c, attaches the hooks a caller
 * needs (fentry/fexit, or kprobes when fentry is unavailable or forced) and
 * reads what the kernel aggregated. Shared by vsock_trace and vsock_perf --trace.
 */
#ifndef VST_H
#define VST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "vsock_trace.h"

/* Hook groups; a mode asks for the ones it reads. */
enum {
	VST_G_PACKETS = 1 << 0,	/* the two vsock tracepoints: packets, credit fields */
	VST_G_STALLS = 1 << 1,	/* send blocks and POLLOUT-less polls (+ recvmsg, to see the receiver) */
	VST_G_READS = 1 << 2,	/* recvmsg and dequeue: read latency */
	VST_G_WAKEUPS = 1 << 3,	/* vsock_data_ready and vsock_poll */
	VST_G_ALL = 0xf,
};

struct vst_opts {
	unsigned int groups;
	bool force_kprobe;
	uint32_t pid;		/* 0: all */
	uint32_t port;		/* 0: all */
	bool cid_set;
	uint32_t cid;
	bool packets;		/* stream packet events */
	uint32_t packets_per_sec;
	bool stalls;		/* stream stall events */
	uint64_t min_stall_ns;
	bool verbose;		/* libbpf's own messages on stderr */
};

struct vsock_trace_bpf;

struct vst {
	struct vsock_trace_bpf *skel;
	bool kprobe;		/* the kprobe set is attached, not fentry */
	unsigned int groups_ok;	/* groups whose every hook attached */
	char missing[512];	/* hooks that could not be attached, for the user */
	struct bpf_link *links[40];
	int nlinks;
	struct ring_buffer *rb;
	void (*ev_fn)(const struct vst_event *e, void *arg);
	void *ev_arg;
	struct vst_read_hists *pcpu;	/* a read_hists value per possible CPU */
	int ncpus;
};

/* 0, or -1 with a one-line reason in err (privileges, no BTF, no vsock tracepoints). */
int vst_open(struct vst *t, const struct vst_opts *o, char *err, size_t len);
void vst_close(struct vst *t);

/* Calls fn for every connection the kernel side saw; returns the count or -errno. */
int vst_for_each_conn(struct vst *t,
		      void (*fn)(const struct vst_conn_key *k, const struct vst_conn *c, void *arg),
		      void *arg);
/* Looks one connection up; 0, or -ENOENT. */
int vst_get_conn(struct vst *t, const struct vst_conn_key *k, struct vst_conn *c);

/* Sums the histograms of kind that match pid (0: any) and conn (NULL: any). */
int vst_hist_sum(struct vst *t, uint32_t kind, uint32_t pid, const struct vst_conn_key *conn,
		 struct vst_hist *out);
/* Adds histogram h into sum. */
void vst_hist_add(struct vst_hist *sum, const struct vst_hist *h);
/* The p-th percentile (0..100) of a histogram, in microseconds (upper bound of its slot). */
double vst_hist_percentile_us(const struct vst_hist *h, double p);
/* bcc-style "usecs : count distribution" lines. */
void vst_print_log2_hist(const struct vst_hist *h, const char *unit);

/* Events (packets, stalls) to fn; returns after timeout_ms. */
int vst_poll_events(struct vst *t, int timeout_ms, void (*fn)(const struct vst_event *e, void *arg),
		    void *arg);
/* Packet events dropped by the rate limit so far. */
uint64_t vst_packets_dropped(struct vst *t);

const char *vst_op_name(uint32_t op);
const char *vst_cause_name(uint32_t cause);

#endif
