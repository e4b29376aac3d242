// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data workers: one thread per connection, each a plain blocking loop
 * like upstream vsock_perf's (so its metrics mean the same), while the
 * main thread prints interval lines and handles Ctrl-C.
 */
#include "perf.h"
#include "vs_pattern.h"
#include "vs_sock.h"

#include <errno.h>
#include <linux/errqueue.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A zerocopy completion should follow a send at once; this long is a hang. */
#define ZC_COMPLETION_TIMEOUT_MS 10000

atomic_bool perf_stop;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&perf_stop, true);
}

void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

__attribute__((format(printf, 2, 3)))
static void fail(struct stream *s, const char *fmt, ...)
{
	va_list ap;

	if (s->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
}

void stream_init(struct stream *s, int id, int fd, enum stream_role role,
		 const struct perf_spec *spec, const struct perf_cfg *cfg)
{
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->fd = fd;
	s->role = role;
	s->spec = spec;
	s->stop = &perf_stop;
	s->mismatch_at = -1;
	s->seed = (uint64_t)id;
	s->rcvlowat = (int)cfg->rcvlowat;
	/* The sender writes the agreed message size; a receiver reads with its own --buf-size. */
	s->buf_size = role == ROLE_RECV ? cfg->buf_size : spec->msg;
	s->stall_rx_ns = (uint64_t)(cfg->stall_rx_ms * 1e6);
	s->rx_delay_ns = (uint64_t)(cfg->rx_delay_ms * 1e6);
}

int stream_setup(struct stream *s, const struct perf_cfg *cfg)
{
	bool receives = s->role == ROLE_RECV || s->role == ROLE_PONG || s->role == ROLE_PING;
	int err;

	vs_local_addr(s->fd, &s->local_cid, &s->local_port);
	vs_peer_addr(s->fd, &s->peer_cid, &s->peer_port);
	if (s->local_cid == VMADDR_CID_ANY)	/* auto-bound: name the CID it speaks as */
		vs_local_cid(&s->local_cid);
	err = vs_set_buffer_size(s->fd, cfg->vsk_size, &s->vsk_actual);
	if (err) {
		fail(s, "setsockopt(SO_VM_SOCKETS_BUFFER_SIZE, %llu): %s",
		     (unsigned long long)cfg->vsk_size, strerror(-err));
		return -1;
	}
	if (receives && (err = vs_set_rcvlowat(s->fd, s->rcvlowat))) {
		fail(s, "setsockopt(SO_RCVLOWAT, %d): %s", s->rcvlowat, strerror(-err));
		return -1;
	}
	if (s->spec->zerocopy && s->role == ROLE_SEND) {
		int one = 1;

		if (setsockopt(s->fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)) < 0) {
			fail(s, "--zerocopy: setsockopt(SO_ZEROCOPY): %s: this kernel has no "
			     "MSG_ZEROCOPY for vsock (added in Linux 6.7)", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Waits for and reads one MSG_ZEROCOPY completion notification. */
static int zc_reap(struct stream *s)
{
	char control[CMSG_SPACE(sizeof(struct sock_extended_err)) + 64];
	struct msghdr msg = { .msg_control = control, .msg_controllen = sizeof(control) };
	struct pollfd p = { .fd = s->fd };
	struct cmsghdr *cm;
	int r;

	do
		r = poll(&p, 1, ZC_COMPLETION_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r <= 0 || !(p.revents & POLLERR)) {
		fail(s, "--zerocopy: no completion within %d ms", ZC_COMPLETION_TIMEOUT_MS);
		return -1;
	}
	if (recvmsg(s->fd, &msg, MSG_ERRQUEUE) < 0) {
		fail(s, "--zerocopy: recvmsg(MSG_ERRQUEUE): %s", strerror(errno));
		return -1;
	}
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		struct sock_extended_err *ee = (struct sock_extended_err *)CMSG_DATA(cm);

		if (cm->cmsg_level != SOL_VSOCK || cm->cmsg_type != VSOCK_RECVERR)
			continue;
		if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY || ee->ee_errno) {
			fail(s, "--zerocopy: unexpected error queue entry (origin %u, errno %u)",
			     ee->ee_origin, ee->ee_errno);
			return -1;
		}
		s->zc_completions += ee->ee_data - ee->ee_info + 1;
		if (ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
			s->zc_copied += ee->ee_data - ee->ee_info + 1;
		return 0;
	}
	fail(s, "--zerocopy: completion without a VSOCK_RECVERR message");
	return -1;
}

/*
 * Data buffers are page-aligned mappings of their own. A worker thread's
 * malloc() would carve them from a per-thread arena, whose huge-page-backed
 * heap made every copy 25-40 % slower under QEMU TCG (measured, make bench);
 * MSG_ZEROCOPY wants whole pages of our own anyway.
 */
static void *alloc_buf(size_t len)
{
	void *p = mmap(NULL, len ? len : 1, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void free_buf(void *p, size_t len)
{
	if (p)
		munmap(p, len ? len : 1);
}

static bool time_up(const struct stream *s)
{
	/* the clock is read only for timed runs: it costs a syscall on some VMs */
	return atomic_load_explicit(s->stop, memory_order_relaxed) ||
	       (s->deadline_ns && vs_now_ns() >= s->deadline_ns);
}

static void inject(struct stream *s, uint8_t *data, size_t n)
{
	int64_t at = s->spec->inject_error_at;

	if (at >= 0 && (uint64_t)at >= s->bytes && (uint64_t)at < s->bytes + n)
		data[(uint64_t)at - s->bytes] ^= 0xff;
}

static void run_send(struct stream *s)
{
	const struct perf_spec *sp = s->spec;
	uint64_t limit = sp->time_ms ? UINT64_MAX : sp->bytes;
	/* MSG_EOR marks each SEQPACKET record so the receiver can check it arrives. */
	int flags = (sp->zerocopy ? MSG_ZEROCOPY : 0) | (sp->type == SOCK_SEQPACKET ? MSG_EOR : 0);
	uint8_t *data = alloc_buf(s->buf_size);

	if (!data) {
		fail(s, "cannot allocate a %zu-byte buffer", s->buf_size);
		return;
	}
	s->start_ns = vs_now_ns();
	while (s->bytes < limit && !time_up(s)) {
		size_t n = limit - s->bytes < s->buf_size ? (size_t)(limit - s->bytes) : s->buf_size;
		uint64_t t0;
		ssize_t r;

		if (sp->verify || sp->inject_error_at >= 0) {
			if (sp->verify)
				vs_pattern_fill(data, n, s->bytes, s->seed);
			else
				memset(data, 0, n);
			inject(s, data, n);
		}
		t0 = vs_now_ns();
		r = send(s->fd, data, n, flags);
		s->io_ns += vs_now_ns() - t0;
		s->ops++;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fail(s, "send: %s%s", strerror(errno), vs_sock_err_hint(errno));
			break;
		}
		if (sp->type == SOCK_SEQPACKET && (size_t)r != n) {
			fail(s, "send: a %zu-byte message went out as %zd bytes", n, r);
			break;
		}
		s->bytes += (uint64_t)r;
		s->messages += sp->type == SOCK_SEQPACKET;
		atomic_store_explicit(&s->live_bytes, s->bytes, memory_order_relaxed);
		if (sp->zerocopy && zc_reap(s))
			break;
	}
	s->end_ns = vs_now_ns();
	shutdown(s->fd, SHUT_WR);
	free_buf(data, s->buf_size);
}

/* Checks a received chunk: payload (--verify) and SEQPACKET record bounds. */
static void check_chunk(struct stream *s, const uint8_t *buf, size_t n, int msg_flags,
			bool *short_seen)
{
	const struct perf_spec *sp = s->spec;

	if (sp->verify && s->mismatch_at < 0) {
		size_t bad = vs_pattern_check(buf, n, s->bytes, s->seed);

		if (bad < n) {
			uint8_t want;

			vs_pattern_fill(&want, 1, s->bytes + bad, s->seed);
			s->mismatch_at = (int64_t)(s->bytes + bad);
			s->mismatch_want = want;
			s->mismatch_got = buf[bad];
		}
	}
	if (sp->type != SOCK_SEQPACKET)
		return;
	s->messages++;
	if (msg_flags & MSG_TRUNC) {
		s->boundary_errors++;
		fail(s, "message %llu truncated to the %zu-byte --buf-size (messages are %llu bytes)",
		     (unsigned long long)s->messages, s->buf_size, (unsigned long long)sp->msg);
	} else if (*short_seen || n > sp->msg || !(msg_flags & MSG_EOR)) {
		s->boundary_errors++;
		fail(s, "message %llu: %zu bytes%s, record boundary lost",
		     (unsigned long long)s->messages, n, msg_flags & MSG_EOR ? "" : " without MSG_EOR");
	} else if (n < sp->msg) {
		*short_seen = true;	/* only the last message may be short */
	}
}

static void run_recv(struct stream *s)
{
	const struct perf_spec *sp = s->spec;
	uint8_t *buf = alloc_buf(s->buf_size);
	bool short_seen = false;

	if (!buf) {
		fail(s, "cannot allocate a %zu-byte buffer", s->buf_size);
		return;
	}
	s->start_ns = vs_now_ns();
	for (;;) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN | POLLERR | POLLHUP | POLLRDHUP };
		struct iovec iov = { .iov_base = buf, .iov_len = s->buf_size };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		uint64_t t0;
		ssize_t n;

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR && !atomic_load(s->stop))
				continue;
			if (errno != EINTR)
				fail(s, "poll: %s", strerror(errno));
			break;
		}
		if (!(p.revents & POLLIN)) {
			if (p.revents & POLLERR) {
				int err = 0;
				socklen_t len = sizeof(err);

				getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
				fail(s, "poll: socket error: %s%s", strerror(err), vs_sock_err_hint(err));
			} else {
				s->eof = true;	/* hung up with nothing left to read */
			}
			break;
		}
		t0 = vs_now_ns();
		n = sp->type == SOCK_SEQPACKET ? recvmsg(s->fd, &msg, 0)
					       : read(s->fd, buf, s->buf_size);
		s->io_ns += vs_now_ns() - t0;
		s->ops++;
		if (n == 0) {
			s->eof = true;
			break;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail(s, "read: %s%s", strerror(errno), vs_sock_err_hint(errno));
			break;
		}
		check_chunk(s, buf, (size_t)n, msg.msg_flags, &short_seen);
		s->bytes += (uint64_t)n;
		atomic_store_explicit(&s->live_bytes, s->bytes, memory_order_relaxed);
		if (s->stall_rx_ns && s->ops == 1)
			vs_sleep_ns(s->stall_rx_ns);	/* --stall-rx: a reader that stops */
		if (s->rx_delay_ns)
			vs_sleep_ns(s->rx_delay_ns);	/* --rx-delay: a paced reader */
		if (s->boundary_errors)
			break;
	}
	s->end_ns = vs_now_ns();
	free_buf(buf, s->buf_size);
}

/* One request or response: a whole message (SEQPACKET) or len stream bytes. */
static ssize_t recv_msg(struct stream *s, void *buf, size_t len)
{
	ssize_t n;

	if (s->spec->type != SOCK_SEQPACKET)
		return vs_read_full(s->fd, buf, len);
	do
		n = recv(s->fd, buf, len, MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n > len)
		return -EMSGSIZE;
	return n;
}

static void run_ping(struct stream *s)
{
	size_t len = s->buf_size;
	uint8_t *req = alloc_buf(len), *resp = alloc_buf(len);
	uint64_t rounds = s->spec->time_ms ? UINT64_MAX : s->spec->rounds;

	if (!req || !resp) {
		fail(s, "cannot allocate %zu-byte buffers", len);
		goto out;
	}
	s->start_ns = vs_now_ns();
	for (uint64_t r = 0; r < rounds && !time_up(s); r++) {
		uint64_t t0 = vs_now_ns();
		ssize_t n;

		vs_pattern_fill(req, len, s->bytes, s->seed);
		n = vs_write_all(s->fd, req, len);
		if (n < 0) {
			fail(s, "send: %s", strerror((int)-n));
			break;
		}
		n = recv_msg(s, resp, len);
		if (n != (ssize_t)len) {
			fail(s, "round trip %llu: %s", (unsigned long long)r + 1,
			     n < 0 ? strerror((int)-n) : "short response");
			break;
		}
		s->io_ns += vs_now_ns() - t0;
		if (vs_samples_add(&s->rtt_ns, vs_now_ns() - t0)) {
			fail(s, "out of memory for latency samples");
			break;
		}
		if (s->spec->verify && s->mismatch_at < 0) {
			size_t bad = vs_pattern_check(resp, len, s->bytes, s->seed);

			if (bad < len) {
				s->mismatch_at = (int64_t)(s->bytes + bad);
				s->mismatch_want = req[bad];
				s->mismatch_got = resp[bad];
			}
		}
		s->ops++;
		s->bytes += len;
		atomic_store_explicit(&s->live_bytes, s->bytes, memory_order_relaxed);
	}
	s->end_ns = vs_now_ns();
	shutdown(s->fd, SHUT_WR);
out:
	free_buf(req, len);
	free_buf(resp, len);
}

static void run_pong(struct stream *s)
{
	size_t len = s->spec->msg;
	uint8_t *buf = alloc_buf(len);

	if (!buf) {
		fail(s, "cannot allocate a %zu-byte buffer", len);
		return;
	}
	s->start_ns = vs_now_ns();
	for (;;) {
		ssize_t n = recv_msg(s, buf, len);

		if (n == 0) {
			s->eof = true;
			break;
		}
		if (n != (ssize_t)len) {
			fail(s, "request %llu: %s", (unsigned long long)s->ops + 1,
			     n < 0 ? strerror((int)-n) : "short request");
			break;
		}
		n = vs_write_all(s->fd, buf, len);
		if (n < 0) {
			fail(s, "send: %s", strerror((int)-n));
			break;
		}
		s->ops++;
		s->bytes += len;
		atomic_store_explicit(&s->live_bytes, s->bytes, memory_order_relaxed);
	}
	s->end_ns = vs_now_ns();
	free_buf(buf, len);
}

struct runner {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int done;
};

struct worker {
	struct stream *s;
	struct runner *r;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	switch (w->s->role) {
	case ROLE_SEND:
		run_send(w->s);
		break;
	case ROLE_RECV:
		run_recv(w->s);
		break;
	case ROLE_PING:
		run_ping(w->s);
		break;
	case ROLE_PONG:
		run_pong(w->s);
		break;
	}
	/* A failed worker hangs up, so its peer is not left blocked on it. */
	if (w->s->error[0])
		shutdown(w->s->fd, SHUT_RDWR);
	pthread_mutex_lock(&w->r->lock);
	w->r->done++;
	pthread_cond_signal(&w->r->cond);
	pthread_mutex_unlock(&w->r->lock);
	return NULL;
}

static void sample(struct perf_test *t, uint64_t *out)
{
	for (unsigned int i = 0; i < t->nstreams; i++)
		out[i] = atomic_load_explicit(&t->streams[i].live_bytes, memory_order_relaxed);
}

void run_streams(struct perf_test *t)
{
	struct runner r = { .lock = PTHREAD_MUTEX_INITIALIZER };
	unsigned int n = t->nstreams;
	pthread_t *tids = calloc(n, sizeof(*tids));
	struct worker *w = calloc(n, sizeof(*w));
	uint64_t *prev = calloc(n, sizeof(*prev)), *cur = calloc(n, sizeof(*cur));
	uint64_t interval_ns = (uint64_t)(t->cfg->interval_s * 1e9), next, last;
	pthread_condattr_t ca;
	bool shut = false;

	if (!tids || !w || !prev || !cur) {
		fprintf(stderr, "%s: out of memory starting %u streams\n", "vsock_perf", n);
		exit(1);
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r.cond, &ca);

	vs_cpu_now(&t->cpu_start);
	t->start_ns = last = vs_now_ns();
	next = interval_ns ? last + interval_ns : UINT64_MAX;
	for (unsigned int i = 0; i < n; i++) {
		struct stream *s = &t->streams[i];

		if (t->spec.time_ms && (s->role == ROLE_SEND || s->role == ROLE_PING))
			s->deadline_ns = t->start_ns + t->spec.time_ms * 1000000ULL;
		w[i] = (struct worker){ .s = s, .r = &r };
		if (pthread_create(&tids[i], NULL, worker_main, &w[i])) {
			fprintf(stderr, "vsock_perf: cannot start a thread for stream %u\n", i + 1);
			exit(1);
		}
	}

	pthread_mutex_lock(&r.lock);
	while (r.done < n) {
		uint64_t now = vs_now_ns(), wake = now + 100000000ULL;
		struct timespec ts;

		if (next < wake)
			wake = next;
		ts.tv_sec = (time_t)(wake / VS_NSEC_PER_SEC);
		ts.tv_nsec = (long)(wake % VS_NSEC_PER_SEC);
		pthread_cond_timedwait(&r.cond, &r.lock, &ts);
		if (atomic_load(&perf_stop) && !shut) {
			/* Ctrl-C: unblock every worker; the report says the run was cut short. */
			shut = true;
			t->interrupted = true;
			for (unsigned int i = 0; i < n; i++)
				shutdown(t->streams[i].fd, SHUT_RDWR);
		}
		now = vs_now_ns();
		if (now >= next && r.done < n) {
			pthread_mutex_unlock(&r.lock);
			sample(t, cur);
			report_interval(t, (double)(last - t->start_ns) / 1e9,
					(double)(now - t->start_ns) / 1e9, prev, cur);
			memcpy(prev, cur, n * sizeof(*cur));
			last = now;
			next += interval_ns;
			pthread_mutex_lock(&r.lock);
		}
	}
	pthread_mutex_unlock(&r.lock);
	for (unsigned int i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	t->end_ns = vs_now_ns();
	vs_cpu_now(&t->cpu_end);
	/* The last, partial interval, when it is long enough to mean something. */
	if (interval_ns && t->end_ns - last >= interval_ns / 10 && last != t->start_ns) {
		sample(t, cur);
		report_interval(t, (double)(last - t->start_ns) / 1e9,
				(double)(t->end_ns - t->start_ns) / 1e9, prev, cur);
	}
	pthread_cond_destroy(&r.cond);
	pthread_condattr_destroy(&ca);
	free(tids);
	free(w);
	free(prev);
	free(cur);
}

void test_free(struct perf_test *t)
{
	for (unsigned int i = 0; i < t->nstreams; i++) {
		if (t->streams[i].fd >= 0)
			close(t->streams[i].fd);
		vs_samples_free(&t->streams[i].rtt_ns);
	}
	for (size_t i = 0; i < t->nintervals; i++)
		free(t->intervals[i].bytes);
	free(t->intervals);
	free(t->streams);
	free(t->peer);
	if (t->ctl_fd >= 0)
		close(t->ctl_fd);
}
