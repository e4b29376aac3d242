// SPDX-License-Identifier: GPL-2.0-only
/*
 * How the two sides agree on a test. A session starts with a STREAM control
 * connection whose first line is "VSPERF1 HELLO key=value..."; the server
 * answers "OK port=P" with a data listener of the test's socket type, the
 * client opens the data connections, and after the transfer each side sends
 * its per-stream results ("RESULT ...", "END") so both can cross-check.
 * A connection that does not start with the magic is a plain upstream
 * vsock_perf sender: its bytes are received and counted as upstream does.
 */
#include "perf.h"
#include "vs_ctl.h"
#include "vs_opts.h"
#include "vs_sock.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How long the data connections may take to arrive, and the results after the transfer. */
#define ACCEPT_TIMEOUT_MS 10000
#define RESULTS_TIMEOUT_MS 60000

static const char *const mode_names[] = { "send", "recv", "bidir", "latency" };

void spec_from_cfg(const struct perf_cfg *cfg, struct perf_spec *spec)
{
	*spec = (struct perf_spec){
		.type = cfg->seqpacket ? SOCK_SEQPACKET : SOCK_STREAM,
		.mode = cfg->latency ? MODE_LATENCY : cfg->bidir ? MODE_BIDIR
			: cfg->reverse ? MODE_RECV : MODE_SEND,
		.streams = cfg->streams,
		.bytes = cfg->bytes,
		.time_ms = (uint64_t)(cfg->time_s * 1000.0 + 0.5),
		.msg = cfg->buf_size,
		.rounds = cfg->rounds,
		.verify = cfg->verify,
		.zerocopy = cfg->zerocopy,
		.inject_error_at = cfg->inject_error_at,
	};
}

static unsigned int conn_count(const struct perf_spec *sp)
{
	return sp->mode == MODE_BIDIR ? 2 * sp->streams : sp->streams;
}

/* The role of the client's i-th data connection; the server takes the mirror. */
static enum stream_role client_role(const struct perf_spec *sp, unsigned int i)
{
	switch (sp->mode) {
	case MODE_SEND:
		return ROLE_SEND;
	case MODE_RECV:
		return ROLE_RECV;
	case MODE_BIDIR:
		return i < sp->streams ? ROLE_SEND : ROLE_RECV;
	default:
		return ROLE_PING;
	}
}

static enum stream_role mirror(enum stream_role r)
{
	static const enum stream_role m[] = {
		[ROLE_SEND] = ROLE_RECV, [ROLE_RECV] = ROLE_SEND,
		[ROLE_PING] = ROLE_PONG, [ROLE_PONG] = ROLE_PING,
	};
	return m[r];
}

static int send_hello(struct vs_ctl *c, const struct perf_spec *sp)
{
	char inject[32] = "";

	if (sp->inject_error_at >= 0)
		snprintf(inject, sizeof(inject), " inject=%" PRId64, sp->inject_error_at);
	return vs_ctl_send(c, PERF_MAGIC "HELLO type=%s mode=%s streams=%u bytes=%" PRIu64
			   " time_ms=%" PRIu64 " msg=%" PRIu64 " rounds=%" PRIu64
			   " verify=%d zerocopy=%d%s",
			   sp->type == SOCK_SEQPACKET ? "seqpacket" : "stream",
			   mode_names[sp->mode], sp->streams, sp->bytes, sp->time_ms, sp->msg,
			   sp->rounds, sp->verify, sp->zerocopy, inject);
}

/* Parses and checks a HELLO line; on error fills why for the ERR reply. */
static int parse_hello(const char *line, struct perf_spec *sp, char *why, size_t len)
{
	uint64_t streams, verify, zc, inject;
	char type[16], mode[16];
	int m;

	*sp = (struct perf_spec){ .inject_error_at = -1 };
	if (strncmp(line, PERF_MAGIC "HELLO ", strlen(PERF_MAGIC "HELLO "))) {
		snprintf(why, len, "not a HELLO line");
		return -1;
	}
	line += strlen(PERF_MAGIC) - 1;	/* keep the blank: keys follow " " */
	if (vs_ctl_get(line, "type", type, sizeof(type)) ||
	    vs_ctl_get(line, "mode", mode, sizeof(mode)) ||
	    vs_ctl_get_u64(line, "streams", &streams) || vs_ctl_get_u64(line, "bytes", &sp->bytes) ||
	    vs_ctl_get_u64(line, "time_ms", &sp->time_ms) || vs_ctl_get_u64(line, "msg", &sp->msg) ||
	    vs_ctl_get_u64(line, "rounds", &sp->rounds) || vs_ctl_get_u64(line, "verify", &verify) ||
	    vs_ctl_get_u64(line, "zerocopy", &zc)) {
		snprintf(why, len, "HELLO lacks a field or has a malformed one");
		return -1;
	}
	if (!strcmp(type, "stream"))
		sp->type = SOCK_STREAM;
	else if (!strcmp(type, "seqpacket"))
		sp->type = SOCK_SEQPACKET;
	else {
		snprintf(why, len, "unknown socket type '%s'", type);
		return -1;
	}
	for (m = 0; m < 4 && strcmp(mode, mode_names[m]); m++)
		;
	if (m == 4) {
		snprintf(why, len, "unknown mode '%s'", mode);
		return -1;
	}
	sp->mode = (enum perf_mode)m;
	if (streams < 1 || streams > PERF_MAX_STREAMS || sp->msg < 1 || sp->msg > (1ULL << 30)) {
		snprintf(why, len, "streams=%" PRIu64 " or msg=%" PRIu64 " out of range",
			 streams, sp->msg);
		return -1;
	}
	sp->streams = (unsigned int)streams;
	sp->verify = verify;
	sp->zerocopy = zc;
	if (!vs_ctl_get_u64(line, "inject", &inject))
		sp->inject_error_at = (int64_t)inject;
	return 0;
}

static void send_results(struct vs_ctl *c, const struct perf_test *t, const char *err)
{
	struct vs_cpu d = vs_cpu_delta(&t->cpu_start, &t->cpu_end);

	if (err) {
		vs_ctl_send(c, "ERR %s", err);
		return;
	}
	for (unsigned int i = 0; i < t->nstreams; i++) {
		const struct stream *s = &t->streams[i];

		vs_ctl_send(c, "RESULT stream=%d bytes=%" PRIu64 " ops=%" PRIu64 " io_ns=%" PRIu64
			    " ns=%" PRIu64 " msgs=%" PRIu64 " berr=%" PRIu64 " vsk=%" PRIu64
			    " mismatch=%" PRId64, s->id, s->bytes, s->ops, s->io_ns,
			    s->end_ns - s->start_ns, s->messages, s->boundary_errors,
			    s->vsk_actual, s->mismatch_at);
		if (s->error[0])
			vs_ctl_send(c, "STREAMERR %d %s", s->id, s->error);
	}
	vs_ctl_send(c, "CPU user_us=%" PRIu64 " sys_us=%" PRIu64, d.user_us, d.sys_us);
	vs_ctl_send(c, "END");
}

/* Reads the peer's results into t; a failure is kept in t->peer_error. */
static void recv_results(struct vs_ctl *c, struct perf_test *t)
{
	char line[VS_CTL_LINE_MAX + 1], v[24];
	int n;

	c->timeout_ms = RESULTS_TIMEOUT_MS;
	while ((n = vs_ctl_recv(c, line, sizeof(line))) >= 0) {
		uint64_t id;

		if (vs_ctl_is(line, "END"))
			return;
		if (vs_ctl_is(line, "ERR")) {
			snprintf(t->peer_error, sizeof(t->peer_error), "%.200s", line + 4);
			return;
		}
		if (vs_ctl_is(line, "CPU")) {
			t->have_peer_cpu = !vs_ctl_get_u64(line, "user_us", &t->peer_cpu.user_us) &&
					   !vs_ctl_get_u64(line, "sys_us", &t->peer_cpu.sys_us);
			continue;
		}
		if (vs_ctl_is(line, "STREAMERR")) {
			char *end;

			id = strtoull(line + 10, &end, 10);
			if (id >= 1 && id <= t->nstreams && *end == ' ')
				snprintf(t->peer[id - 1].error, sizeof(t->peer[id - 1].error), "%.180s",
					 end + 1);
			continue;
		}
		if (vs_ctl_is(line, "RESULT") && !vs_ctl_get_u64(line, "stream", &id) &&
		    id >= 1 && id <= t->nstreams) {
			struct peer_stream *p = &t->peer[id - 1];

			vs_ctl_get_u64(line, "bytes", &p->bytes);
			vs_ctl_get_u64(line, "ops", &p->ops);
			vs_ctl_get_u64(line, "io_ns", &p->io_ns);
			vs_ctl_get_u64(line, "ns", &p->ns);
			vs_ctl_get_u64(line, "msgs", &p->messages);
			vs_ctl_get_u64(line, "berr", &p->boundary_errors);
			vs_ctl_get_u64(line, "vsk", &p->vsk);
			p->mismatch_at = vs_ctl_get(line, "mismatch", v, sizeof(v)) ? -1
					 : strtoll(v, NULL, 10);
			p->present = true;
			continue;
		}
		snprintf(t->peer_error, sizeof(t->peer_error),
			 "unexpected line on the control connection: '%.60s'", line);
		return;
	}
	snprintf(t->peer_error, sizeof(t->peer_error),
		 "no results from the peer (%s): the transfer cannot be confirmed",
		 n == -ETIMEDOUT ? "timed out" : n == -EPIPE ? "it closed the control connection"
						   : strerror(-n));
}

static struct perf_test *test_new(const struct perf_cfg *cfg, bool client, int ctl_fd)
{
	struct perf_test *t = calloc(1, sizeof(*t));

	if (!t)
		vs_die("out of memory");
	t->cfg = cfg;
	t->is_client = client;
	t->ctl_fd = ctl_fd;
	return t;
}

static void alloc_streams(struct perf_test *t, unsigned int n)
{
	t->nstreams = n;
	t->streams = calloc(n, sizeof(*t->streams));
	t->peer = calloc(n, sizeof(*t->peer));
	if (!t->streams || !t->peer)
		vs_die("out of memory for %u streams", n);
	for (unsigned int i = 0; i < n; i++)
		t->streams[i].fd = -1;
}

static void discard(struct perf_test *t)
{
	test_free(t);
	free(t);
}

/*
 * Sets the streams up, runs them, exchanges results over the control
 * connection c (NULL without a session) and reports; returns the exit status.
 * A setup failure ends the test, and the peer is told why.
 */
static int run_test(struct perf_test *t, struct vs_ctl *c)
{
	int rc;

	for (unsigned int i = 0; i < t->nstreams; i++) {
		if (stream_setup(&t->streams[i], t->cfg)) {
			if (c)
				send_results(c, t, t->streams[i].error);
			fprintf(stderr, "vsock_perf: %s\n", t->streams[i].error);
			discard(t);
			return 1;
		}
	}
	report_start(t);
	run_streams(t);
	if (c) {
		send_results(c, t, NULL);
		recv_results(c, t);
	}
	rc = report_end(t);
	discard(t);
	return rc;
}

int session_client(const struct perf_cfg *cfg)
{
	struct perf_test *t;
	struct vs_ctl c;
	char line[VS_CTL_LINE_MAX + 1];
	uint64_t port;
	int fd, n;

	fd = vs_connect(SOCK_STREAM, cfg->peer_cid, cfg->port);
	if (fd < 0)
		vs_die("connect to %u:%u: %s", cfg->peer_cid, cfg->port, strerror(-fd));
	t = test_new(cfg, true, fd);
	t->session = true;
	spec_from_cfg(cfg, &t->spec);
	vs_ctl_init(&c, fd, (int)(cfg->handshake_timeout_s * 1000));
	if (send_hello(&c, &t->spec))
		vs_die("sending the session handshake to %u:%u: %s", cfg->peer_cid, cfg->port,
		       strerror(errno));
	n = vs_ctl_recv(&c, line, sizeof(line));
	if (n == -ETIMEDOUT || n == -EPIPE)
		vs_die("%u:%u %s the vsock_perf session handshake%s: if it runs upstream's "
		       "vsock_perf, add --compat", cfg->peer_cid, cfg->port,
		       n == -EPIPE ? "closed the connection without answering" : "did not answer",
		       n == -EPIPE ? "" : " in time (--handshake-timeout)");
	if (n < 0)
		vs_die("reading the session handshake reply: %s", strerror(-n));
	if (vs_ctl_is(line, "ERR"))
		vs_die("the receiver refused the test: %s", line + 4);
	if (!vs_ctl_is(line, "OK") || vs_ctl_get_u64(line, "port", &port) || port > UINT32_MAX)
		vs_die("malformed handshake reply: '%.60s'", line);

	alloc_streams(t, conn_count(&t->spec));
	for (unsigned int i = 0; i < t->nstreams; i++) {
		int dfd = vs_connect(t->spec.type, cfg->peer_cid, (uint32_t)port);

		if (dfd < 0) {
			vs_ctl_send(&c, "ERR client could not connect data stream %u", i + 1);
			vs_die("connect data stream %u to %u:%" PRIu64 ": %s", i + 1, cfg->peer_cid,
			       port, strerror(-dfd));
		}
		stream_init(&t->streams[i], (int)i + 1, dfd, client_role(&t->spec, i), &t->spec, cfg);
	}
	return run_test(t, &c);
}

int session_serve(const struct perf_cfg *cfg, int ctl_fd)
{
	char line[VS_CTL_LINE_MAX + 1], why[192];
	struct perf_test *t = test_new(cfg, false, ctl_fd);
	struct vs_ctl c;
	uint32_t port;
	int lfd, n;

	t->session = true;
	vs_ctl_init(&c, ctl_fd, ACCEPT_TIMEOUT_MS);
	n = vs_ctl_recv(&c, line, sizeof(line));
	if (n < 0 || parse_hello(line, &t->spec, why, sizeof(why))) {
		if (n < 0)
			snprintf(why, sizeof(why), "%s", strerror(-n));
		vs_ctl_send(&c, "ERR %s", why);
		fprintf(stderr, "vsock_perf: bad session handshake: %s\n", why);
		discard(t);
		return 1;
	}
	alloc_streams(t, conn_count(&t->spec));
	lfd = vs_listen(t->spec.type, VMADDR_PORT_ANY, (int)t->nstreams);
	if (lfd < 0 || vs_local_addr(lfd, NULL, &port)) {
		snprintf(why, sizeof(why), "receiver cannot listen for %s data connections: %s",
			 vs_type_name(t->spec.type), strerror(lfd < 0 ? -lfd : errno));
		vs_ctl_send(&c, "ERR %s", why);
		vs_die("%s", why);
	}
	vs_ctl_send(&c, "OK port=%u", port);
	for (unsigned int i = 0; i < t->nstreams; i++) {
		int dfd = vs_accept_timeout(lfd, ACCEPT_TIMEOUT_MS, &perf_stop);

		if (dfd < 0) {
			fprintf(stderr, "vsock_perf: data stream %u of %u did not arrive: %s\n", i + 1,
				t->nstreams, strerror(-dfd));
			close(lfd);
			discard(t);
			return 1;
		}
		stream_init(&t->streams[i], (int)i + 1, dfd,
			    mirror(client_role(&t->spec, i)), &t->spec, cfg);
	}
	close(lfd);
	return run_test(t, &c);
}

int session_detect(int conn)
{
	size_t magic = strlen(PERF_MAGIC);
	char buf[16];

	for (;;) {
		struct pollfd p = { .fd = conn, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR && !atomic_load(&perf_stop))
				continue;
			return -1;
		}
		n = recv(conn, buf, magic, MSG_PEEK);
		if (n < 0)
			return errno == EINTR ? 0 : -1;
		if (n == 0 || memcmp(buf, PERF_MAGIC, (size_t)n))
			return 0;	/* plain data (or an empty stream) */
		if ((size_t)n == magic)
			return 1;
		vs_sleep_ns(1000000);	/* a prefix of the magic so far: wait for more */
	}
}

/* --compat: exactly upstream's sender on the wire (no handshake, no results). */
int raw_client(const struct perf_cfg *cfg)
{
	struct perf_test *t;
	int fd;

	fd = vs_connect(SOCK_STREAM, cfg->peer_cid, cfg->port);
	if (fd < 0)
		vs_die("connect to %u:%u: %s", cfg->peer_cid, cfg->port, strerror(-fd));
	t = test_new(cfg, true, -1);
	spec_from_cfg(cfg, &t->spec);
	alloc_streams(t, 1);
	stream_init(&t->streams[0], 1, fd, ROLE_SEND, &t->spec, cfg);
	return run_test(t, NULL);
}

/* A connection from a plain (upstream) sender: receive and count, as upstream does. */
static int raw_receive(const struct perf_cfg *cfg, int fd)
{
	struct perf_test *t = test_new(cfg, false, -1);

	t->spec = (struct perf_spec){
		.type = SOCK_STREAM, .mode = MODE_SEND, .streams = 1,
		.msg = cfg->buf_size, .inject_error_at = -1,
	};
	alloc_streams(t, 1);
	stream_init(&t->streams[0], 1, fd, ROLE_RECV, &t->spec, cfg);
	return run_test(t, NULL);
}

int serve(const struct perf_cfg *cfg)
{
	int lfd, rc = 0;

	lfd = vs_listen(SOCK_STREAM, cfg->port, 16);
	if (lfd < 0)
		vs_die("listen on port %u: %s", cfg->port, strerror(-lfd));
	report_listening(cfg);
	do {
		int fd = vs_accept_timeout(lfd, -1, &perf_stop), kind;

		if (fd < 0) {
			if (atomic_load(&perf_stop))
				break;
			vs_die("accept on port %u: %s", cfg->port, strerror(-fd));
		}
		kind = session_detect(fd);
		if (kind < 0) {
			fprintf(stderr, "vsock_perf: reading a new connection: %s\n", strerror(errno));
			close(fd);
			rc = 1;
			continue;
		}
		rc = kind ? session_serve(cfg, fd) : raw_receive(cfg, fd);
		fflush(stdout);
	} while (cfg->loop && !atomic_load(&perf_stop));
	close(lfd);
	return rc;
}
