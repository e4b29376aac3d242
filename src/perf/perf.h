/* SPDX-License-Identifier: GPL-2.0-only */
/* vsock_perf: shared definitions of the tool's parts. */
#ifndef PERF_H
#define PERF_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vs_clock.h"
#include "vsock_trace.h"

#define PERF_VERSION "vsock_perf (vsockscope) 0.1"
#define PERF_MAX_STREAMS 128
/* The first bytes of a session's control connection. */
#define PERF_MAGIC "VSPERF1 "

/* What a run does, from the command line (the client's also goes to the server). */
struct perf_cfg {
	bool sender;		/* --sender given: this side connects */
	uint32_t peer_cid;
	uint32_t port;
	uint64_t bytes;
	uint64_t buf_size;
	bool buf_size_set;
	uint64_t vsk_size;
	uint64_t rcvlowat;
	bool zerocopy;
	bool seqpacket;
	bool reverse;
	bool bidir;
	bool verify;
	bool latency;
	uint64_t rounds;	/* --latency round trips (when no --time) */
	unsigned int streams;
	double time_s;		/* 0: send --bytes */
	double interval_s;	/* 0: no interval lines */
	double handshake_timeout_s;
	bool loop;
	bool json;
	bool compat;		/* upstream wire behaviour: no session */
	int64_t inject_error_at; /* testing aid: corrupt this stream offset (-1: no) */
	double stall_rx_ms;	/* receiving side: stop reading this long after the first read */
	double rx_delay_ms;	/* receiving side: sleep this long after every read */
	bool trace;		/* --trace: the kernel's view beside our own */
	bool trace_kprobe;	/* --trace-kprobe: ... with kprobes */
};

/* A test as both sides agree on it (sent over the control connection). */
enum perf_mode { MODE_SEND, MODE_RECV, MODE_BIDIR, MODE_LATENCY };

struct perf_spec {
	int type;		/* SOCK_STREAM or SOCK_SEQPACKET */
	enum perf_mode mode;	/* from the client's point of view */
	unsigned int streams;
	uint64_t bytes;		/* per stream; ignored when time_ms != 0 */
	uint64_t time_ms;
	uint64_t msg;		/* the sender's write size (the message size for SEQPACKET) */
	uint64_t rounds;
	bool verify;
	bool zerocopy;
	int64_t inject_error_at;
};

enum stream_role { ROLE_SEND, ROLE_RECV, ROLE_PING, ROLE_PONG };

/* One data connection, its worker's settings, counters and results. */
struct stream {
	int id;			/* 1-based, as printed */
	int fd;
	enum stream_role role;
	uint32_t local_cid, local_port, peer_cid, peer_port;
	uint64_t vsk_actual;

	/* settings */
	const struct perf_spec *spec;
	size_t buf_size;	/* write size (sender) or read size (receiver) */
	int rcvlowat;
	uint64_t seed;
	uint64_t deadline_ns;	/* 0: none */
	const atomic_bool *stop;
	uint64_t stall_rx_ns;	/* --stall-rx */
	uint64_t rx_delay_ns;	/* --rx-delay */

	/* live, read by the interval printer */
	_Atomic uint64_t live_bytes;

	/* results */
	uint64_t bytes;
	uint64_t ops;		/* send() or read() calls (reads = POLLIN wakeups) */
	uint64_t io_ns;		/* time inside send()/read() */
	uint64_t start_ns, end_ns;
	uint64_t messages;	/* SEQPACKET records */
	uint64_t boundary_errors;
	int64_t mismatch_at;	/* --verify: first bad offset, -1 none */
	uint8_t mismatch_want, mismatch_got;
	uint64_t zc_completions, zc_copied;
	struct vs_samples rtt_ns;
	bool eof;		/* the receiver saw the end of the stream */
	char error[192];	/* empty: no error */
};

/* The peer's view of one stream, from its RESULT line. */
struct peer_stream {
	bool present;
	uint64_t bytes, ops, io_ns, ns, messages, boundary_errors, vsk;
	int64_t mismatch_at;
	char error[192];
};

struct perf_test {
	const struct perf_cfg *cfg;
	struct perf_spec spec;
	bool is_client;
	bool session;
	int ctl_fd;
	unsigned int nstreams;
	struct stream *streams;
	struct peer_stream *peer;
	struct vs_cpu cpu_start, cpu_end, peer_cpu;
	bool have_peer_cpu;
	uint64_t start_ns, end_ns;
	char peer_error[256];
	bool interrupted;
	/* interval samples for --json */
	struct interval *intervals;
	size_t nintervals, cap_intervals;
};

struct interval {
	double start, end;
	uint64_t *bytes;	/* per stream */
};

/* The kernel's view of this side's data connections (--trace). */
struct trace_view {
	bool kprobe;
	char missing[512];
	unsigned int streams_unseen;	/* streams the tracer has no record of */
	uint64_t rw_tx, rw_rx;		/* RW payload the kernel saw */
	uint64_t counted_tx, counted_rx;	/* what vsock_perf counted */
	uint64_t updates_tx, updates_rx, requests_tx, requests_rx;
	bool peer_stalls;		/* the stalls are the peer's (this side received) */
	uint64_t stalls, stall_ns, stall_max_ns, stalls_by_cause[VST_NR_CAUSES];
	uint64_t data_ready, below_lowat, poll_in, user_pollin;
	struct vst_hist read[3];	/* total, blocked, copy */
};

/* trace.c */
int trace_open(const struct perf_cfg *cfg);
void trace_close(void);
/* Fills v for test t; false when not tracing. */
bool trace_collect(const struct perf_test *t, struct trace_view *v);

/* session.c */
void spec_from_cfg(const struct perf_cfg *cfg, struct perf_spec *spec);
int session_client(const struct perf_cfg *cfg);
int raw_client(const struct perf_cfg *cfg);
/* The receiver: serves one test (or every test with --loop). */
int serve(const struct perf_cfg *cfg);
int session_serve(const struct perf_cfg *cfg, int ctl_fd);
/* Does conn start with PERF_MAGIC? Waits for the first bytes; -1 on error. */
int session_detect(int conn);

/* xfer.c */
extern atomic_bool perf_stop;
void stream_init(struct stream *s, int id, int fd, enum stream_role role,
		 const struct perf_spec *spec, const struct perf_cfg *cfg);
int stream_setup(struct stream *s, const struct perf_cfg *cfg);
/* Runs every stream in its own thread; prints intervals meanwhile. */
void run_streams(struct perf_test *t);
void test_free(struct perf_test *t);
void install_signals(void);

/* report.c */
void report_listening(const struct perf_cfg *cfg);
void report_start(const struct perf_test *t);
void report_interval_header(const struct perf_test *t);
void report_interval(struct perf_test *t, double start, double end, const uint64_t *prev,
		     const uint64_t *cur);
/* Prints the final report; returns the exit status (0, or 1 when a check failed). */
int report_end(const struct perf_test *t);
const char *role_name(enum stream_role r);

#endif
