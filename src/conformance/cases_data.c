// SPDX-License-Identifier: GPL-2.0-only
/* Cases about data: MSG_PEEK, SEQPACKET records, timeouts, bad buffers, poll, shutdown. */
#include "cases.h"
#include "vs_clock.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define PEEK_LEN 64

static void msg_peek_client(struct cf_ctx *ctx, int type)
{
	unsigned char buf[PEEK_LEN];
	int fd = cf_connect(ctx, type);

	cf_fill(buf, sizeof(buf), 6);
	cf_expect(ctx, "SRVREADY", NULL, 0);
	cf_send_buf(ctx, fd, buf, sizeof(buf), 0, sizeof(buf));
	cf_expect(ctx, "DONE1", NULL, 0);
	close(fd);
}

static void msg_peek_server(struct cf_ctx *ctx, int type)
{
	unsigned char half[PEEK_LEN / 2], peek[PEEK_LEN], normal[PEEK_LEN];
	int fd = cf_accept(ctx, type);

	cf_recv_buf(ctx, fd, peek, sizeof(peek), MSG_PEEK | MSG_DONTWAIT, -EAGAIN);
	cf_send(ctx, "SRVREADY");
	if (!(cf_poll(ctx, fd, POLLIN, ctx->wait_ms) & POLLIN))
		cf_fail(ctx, "no data arrived");
	/* a stream may show the bytes in pieces: peek until all are there */
	for (int i = 0; type == SOCK_STREAM; i++) {
		ssize_t n = recv(fd, peek, sizeof(peek), MSG_PEEK);

		if (n == (ssize_t)sizeof(peek))
			break;
		if (n <= 0 || i > 1000)
			cf_fail(ctx, "MSG_PEEK: %zd bytes visible, expected %zu", n, sizeof(peek));
		vs_sleep_ns(1000000);
	}
	if (type == SOCK_SEQPACKET && !cf_kernel_at_least(ctx, 6, 6)) {
		/* no MSG_PEEK for SEQPACKET before 6.6; the record stays queued */
		int want = cf_recv_errno(ctx, EOPNOTSUPP);

		cf_recv_buf(ctx, fd, peek, sizeof(peek), MSG_PEEK, -want);
		cf_note(ctx, "before 6.6: MSG_PEEK on SEQPACKET fails with %s, as expected",
			cf_errname(want));
		cf_recv_buf(ctx, fd, normal, sizeof(normal), 0, sizeof(normal));
		if (cf_check(normal, sizeof(normal), 6) != sizeof(normal))
			cf_fail(ctx, "after the refused MSG_PEEK, the record read differs");
		cf_send(ctx, "DONE1");
		close(fd);
		return;
	}
	cf_recv_buf(ctx, fd, half, sizeof(half), MSG_PEEK, sizeof(half));
	cf_recv_buf(ctx, fd, peek, sizeof(peek), MSG_PEEK, sizeof(peek));
	if (memcmp(half, peek, sizeof(half)))
		cf_fail(ctx, "a partial and a full MSG_PEEK returned different bytes");
	if (type == SOCK_SEQPACKET) {
		/* MSG_PEEK | MSG_TRUNC returns the whole record's length */
		cf_recv_buf(ctx, fd, half, sizeof(half), MSG_PEEK | MSG_TRUNC, sizeof(peek));
	}
	cf_recv_buf(ctx, fd, normal, sizeof(normal), 0, sizeof(normal));
	if (memcmp(peek, normal, sizeof(peek)))
		cf_fail(ctx, "MSG_PEEK and the read that followed returned different bytes");
	if (cf_check(normal, sizeof(normal), 6) != sizeof(normal))
		cf_fail(ctx, "the bytes read differ from the bytes sent at offset %zu",
			cf_check(normal, sizeof(normal), 6));
	cf_recv_buf(ctx, fd, peek, sizeof(peek), MSG_PEEK | MSG_DONTWAIT, -EAGAIN);
	cf_send(ctx, "DONE1");
	close(fd);
}

void stream_msg_peek_client(struct cf_ctx *ctx) { msg_peek_client(ctx, SOCK_STREAM); }
void stream_msg_peek_server(struct cf_ctx *ctx) { msg_peek_server(ctx, SOCK_STREAM); }
void seqpacket_msg_peek_client(struct cf_ctx *ctx) { msg_peek_client(ctx, SOCK_SEQPACKET); }
void seqpacket_msg_peek_server(struct cf_ctx *ctx) { msg_peek_server(ctx, SOCK_SEQPACKET); }

/*
 * SEQPACKET record bounds: 128 records of 1 byte to 4 pages, their sizes
 * known to both sides from the index. Each recv() must return exactly one
 * record, intact, without MSG_TRUNC. The receiver reads while the sender
 * sends (its 2 MiB buffer is set on the listener, so the accepted socket
 * advertises it from the start).
 */
#define BOUNDS_MSGS 128
#define BOUNDS_MAX (4 * 4096)
#define BOUNDS_BUF (2 * 1024 * 1024)

static size_t bounds_size(int i)
{
	return i % 2 ? 4096 + (size_t)(i * 2654435761u % (BOUNDS_MAX - 4096))
		     : 1 + (size_t)(i * 40503u % 4096);
}

void seqpacket_msg_bounds_client(struct cf_ctx *ctx)
{
	int fd = cf_connect(ctx, SOCK_SEQPACKET);
	unsigned char *buf = malloc(BOUNDS_MAX);

	if (!buf)
		cf_fail(ctx, "out of memory");
	for (int i = 0, sent = 0; i < BOUNDS_MSGS; sent += (int)bounds_size(i), i++) {
		if (!(cf_poll(ctx, fd, POLLOUT, ctx->wait_ms) & POLLOUT))
			cf_fail(ctx, "record %d: no room to send after %d bytes in %d records",
				i + 1, sent, i);
		cf_fill(buf, bounds_size(i), (uint32_t)i);
		cf_send_buf(ctx, fd, buf, bounds_size(i), MSG_EOR, (ssize_t)bounds_size(i));
	}
	cf_send(ctx, "SENDDONE");
	cf_expect(ctx, "DONE1", NULL, 0);
	free(buf);
	close(fd);
}

void seqpacket_msg_bounds_server(struct cf_ctx *ctx)
{
	int lfd = cf_listen(ctx, SOCK_SEQPACKET, ctx->port), fd;
	unsigned char *buf = malloc(BOUNDS_MAX);
	uint64_t got;

	if (!buf)
		cf_fail(ctx, "out of memory");
	cf_setsockopt_u64(ctx, lfd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_MAX_SIZE,
			  "SO_VM_SOCKETS_BUFFER_MAX_SIZE", BOUNDS_BUF);
	cf_setsockopt_u64(ctx, lfd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE,
			  "SO_VM_SOCKETS_BUFFER_SIZE", BOUNDS_BUF);
	cf_send(ctx, "LISTENING");
	fd = cf_accept_on(ctx, lfd);
	close(lfd);
	{
		struct timeval tv = { .tv_sec = ctx->wait_ms / 1000 + 1 };

		if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
			cf_fail(ctx, "setsockopt(SO_RCVTIMEO): %s", strerror(errno));
	}
	got = cf_getsockopt_u64(ctx, fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE,
				"SO_VM_SOCKETS_BUFFER_SIZE");
	if (got != BOUNDS_BUF)
		cf_fail(ctx, "accepted socket's buffer size %llu, the listener's was %d",
			(unsigned long long)got, BOUNDS_BUF);
	for (int i = 0; i < BOUNDS_MSGS; i++) {
		struct iovec iov = { .iov_base = buf, .iov_len = BOUNDS_MAX };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;
		size_t bad;

		/* blocking: POLLIN comes with a record's first packet, not its last */
		n = recvmsg(fd, &msg, 0);
		if (n < 0)
			cf_fail(ctx, "record %d of %d: recvmsg: %s", i + 1, BOUNDS_MSGS,
				errno == EAGAIN ? "it did not arrive in time" : cf_errname(errno));
		if ((size_t)n != bounds_size(i))
			cf_fail(ctx, "record %d: %zd bytes, sent as %zu: record bounds lost", i + 1,
				n, bounds_size(i));
		if (msg.msg_flags & MSG_TRUNC)
			cf_fail(ctx, "record %d: MSG_TRUNC set though it fit", i + 1);
		bad = cf_check(buf, (size_t)n, (uint32_t)i);
		if (bad != (size_t)n)
			cf_fail(ctx, "record %d: byte %zu differs from what was sent", i + 1, bad);
	}
	cf_expect(ctx, "SENDDONE", NULL, 0);
	cf_recv_buf(ctx, fd, buf, BOUNDS_MAX, MSG_DONTWAIT, -EAGAIN);
	cf_send(ctx, "DONE1");
	free(buf);
	close(fd);
}

/* A 32-byte record read with a 16-byte buffer and MSG_TRUNC: 32, MSG_TRUNC, rest dropped. */
#define TRUNC_LEN 32

void seqpacket_msg_trunc_client(struct cf_ctx *ctx)
{
	int fd = cf_connect(ctx, SOCK_SEQPACKET);
	char buf[TRUNC_LEN];

	cf_fill(buf, sizeof(buf), 9);
	cf_send_buf(ctx, fd, buf, sizeof(buf), 0, sizeof(buf));
	cf_send_buf(ctx, fd, "next", 4, 0, 4);
	cf_send(ctx, "SENDDONE");
	cf_expect(ctx, "DONE1", NULL, 0);
	close(fd);
}

void seqpacket_msg_trunc_server(struct cf_ctx *ctx)
{
	int fd = cf_accept(ctx, SOCK_SEQPACKET);
	char buf[TRUNC_LEN / 2];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	cf_expect(ctx, "SENDDONE", NULL, 0);
	n = recvmsg(fd, &msg, MSG_TRUNC);
	if (n != TRUNC_LEN)
		cf_fail(ctx, "recvmsg(MSG_TRUNC) into %zu bytes: returned %zd (%s), expected "
			"the record's length %d", sizeof(buf), n, n < 0 ? cf_errname(errno) : "",
			TRUNC_LEN);
	if (!(msg.msg_flags & MSG_TRUNC))
		cf_fail(ctx, "msg_flags 0x%x lacks MSG_TRUNC", msg.msg_flags);
	if (cf_check(buf, sizeof(buf), 9) != sizeof(buf))
		cf_fail(ctx, "the truncated record's first bytes differ from what was sent");
	/* the rest of the record is gone: the next read is the next record (once
	 * delivered: SENDDONE may have overtaken it on a TCP control channel)
	 */
	memset(buf, 0, sizeof(buf));
	if (!(cf_poll(ctx, fd, POLLIN, ctx->wait_ms) & POLLIN))
		cf_fail(ctx, "the record after the truncated one did not arrive within %d ms",
			ctx->wait_ms);
	cf_recv_buf(ctx, fd, buf, sizeof(buf), MSG_DONTWAIT, 4);
	if (memcmp(buf, "next", 4))
		cf_fail(ctx, "after a truncated record, the next read returned '%.4s'", buf);
	cf_send(ctx, "DONE1");
	close(fd);
}

/*
 * MSG_EOR: the receiver's msg_flags carry MSG_EOR exactly for the records
 * the sender passed it with (both kernels: the SEQEOR bit travels in the
 * packet header since 5.16); every send() is still one record.
 */
#define EOR_MSGS 16

static bool eor_pattern(int i)
{
	return (0x9d2c >> i) & 1;
}

void seqpacket_msg_eor_client(struct cf_ctx *ctx)
{
	int fd = cf_connect(ctx, SOCK_SEQPACKET);

	for (int i = 0; i < EOR_MSGS; i++) {
		unsigned char b = (unsigned char)i;

		cf_send_buf(ctx, fd, &b, 1, eor_pattern(i) ? MSG_EOR : 0, 1);
	}
	cf_send(ctx, "SENDDONE");
	cf_expect(ctx, "DONE1", NULL, 0);
	close(fd);
}

void seqpacket_msg_eor_server(struct cf_ctx *ctx)
{
	int fd = cf_accept(ctx, SOCK_SEQPACKET);

	cf_expect(ctx, "SENDDONE", NULL, 0);
	for (int i = 0; i < EOR_MSGS; i++) {
		unsigned char buf[8];
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		/* sent, but maybe not delivered yet: SENDDONE may take another path
		 * (a TCP control channel) and overtake the records
		 */
		if (!(cf_poll(ctx, fd, POLLIN, ctx->wait_ms) & POLLIN))
			cf_fail(ctx, "record %d: not readable within %d ms", i + 1, ctx->wait_ms);
		n = recvmsg(fd, &msg, MSG_DONTWAIT);

		if (n != 1 || buf[0] != i)
			cf_fail(ctx, "record %d: %zd bytes (%s), expected 1 byte 0x%02x", i + 1, n,
				n < 0 ? cf_errname(errno) : "", i);
		if (!!(msg.msg_flags & MSG_EOR) != eor_pattern(i))
			cf_fail(ctx, "record %d: MSG_EOR %s, but the sender %s it", i + 1,
				msg.msg_flags & MSG_EOR ? "set" : "not set",
				eor_pattern(i) ? "passed" : "did not pass");
	}
	cf_send(ctx, "DONE1");
	close(fd);
}

/* SO_RCVTIMEO: a read with no data fails with EAGAIN after the timeout, not before. */
#define RCVTIMEO_MS 1000
#define RCVTIMEO_SLACK_MS 2000	/* TCG guests are slow; a missing timeout is a hang */

static void rcvtimeo_client(struct cf_ctx *ctx, int type)
{
	int fd = cf_connect(ctx, type);
	struct timeval tv = { .tv_sec = RCVTIMEO_MS / 1000 }, back;
	socklen_t len = sizeof(back);
	uint64_t t0, ms;
	char c;
	ssize_t n;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		cf_fail(ctx, "setsockopt(SO_RCVTIMEO): %s", strerror(errno));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &back, &len) < 0 ||
	    back.tv_sec != tv.tv_sec || back.tv_usec != 0)
		cf_fail(ctx, "SO_RCVTIMEO read back differs from the value set");
	t0 = vs_now_ns();
	n = read(fd, &c, 1);
	ms = (vs_now_ns() - t0) / 1000000;
	if (n != -1 || errno != EAGAIN)
		cf_fail(ctx, "read with no data and SO_RCVTIMEO: expected EAGAIN, got %s",
			n < 0 ? cf_errname(errno) : "data");
	if (ms < RCVTIMEO_MS - 50)
		cf_fail(ctx, "read gave up after %llu ms, before the %d ms SO_RCVTIMEO",
			(unsigned long long)ms, RCVTIMEO_MS);
	if (ms > RCVTIMEO_MS + RCVTIMEO_SLACK_MS)
		cf_fail(ctx, "read gave up after %llu ms, the SO_RCVTIMEO was %d ms",
			(unsigned long long)ms, RCVTIMEO_MS);
	cf_send(ctx, "WAITDONE");
	close(fd);
}

static void rcvtimeo_server(struct cf_ctx *ctx, int type)
{
	int fd = cf_accept(ctx, type);

	cf_expect(ctx, "WAITDONE", NULL, 0);
	close(fd);
}

void stream_rcvtimeo_client(struct cf_ctx *ctx) { rcvtimeo_client(ctx, SOCK_STREAM); }
void stream_rcvtimeo_server(struct cf_ctx *ctx) { rcvtimeo_server(ctx, SOCK_STREAM); }
void seqpacket_rcvtimeo_client(struct cf_ctx *ctx) { rcvtimeo_client(ctx, SOCK_SEQPACKET); }
void seqpacket_rcvtimeo_server(struct cf_ctx *ctx) { rcvtimeo_server(ctx, SOCK_SEQPACKET); }

/* A SEQPACKET message one byte larger than the socket's buffer size: EMSGSIZE (6.1: ENOMEM). */
void seqpacket_bigmsg_client(struct cf_ctx *ctx)
{
	int fd = cf_connect(ctx, SOCK_SEQPACKET);
	uint64_t size = cf_getsockopt_u64(ctx, fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE,
					  "SO_VM_SOCKETS_BUFFER_SIZE");
	char *buf = calloc(1, size + 1);

	if (!buf)
		cf_fail(ctx, "out of memory");
	cf_send_buf(ctx, fd, buf, size + 1, 0, -cf_send_errno(ctx, EMSGSIZE));
	/* exactly the buffer size still goes */
	cf_send_buf(ctx, fd, buf, size, 0, (ssize_t)size);
	cf_send_u64(ctx, "SENT", size);
	cf_expect(ctx, "DONE1", NULL, 0);
	free(buf);
	close(fd);
}

void seqpacket_bigmsg_server(struct cf_ctx *ctx)
{
	int fd = cf_accept(ctx, SOCK_SEQPACKET);
	uint64_t size = cf_expect_u64(ctx, "SENT");
	char *buf = malloc(size + 1);

	if (!buf)
		cf_fail(ctx, "out of memory");
	/* the refused message left nothing behind: the first record is the full one */
	cf_recv_buf(ctx, fd, buf, size + 1, 0, (ssize_t)size);
	cf_send(ctx, "DONE1");
	free(buf);
	close(fd);
}

/*
 * recv() into NULL: EFAULT (before 6.4: ENOMEM); a stream keeps the data, a
 * SEQPACKET record is dropped.
 */
#define INV_LEN 512

static void inv_buf_client(struct cf_ctx *ctx, int type)
{
	unsigned char data[INV_LEN];
	int fd = cf_connect(ctx, type);

	cf_expect(ctx, "SENDDONE", NULL, 0);
	if (!(cf_poll(ctx, fd, POLLIN, ctx->wait_ms) & POLLIN))
		cf_fail(ctx, "no data arrived");
	cf_recv_buf(ctx, fd, NULL, sizeof(data), 0, -cf_recv_errno(ctx, EFAULT));
	if (type == SOCK_STREAM) {
		cf_recv_buf(ctx, fd, data, sizeof(data), MSG_DONTWAIT, sizeof(data));
		if (cf_check(data, sizeof(data), 15) != sizeof(data))
			cf_fail(ctx, "after EFAULT, the data read differs from what was sent");
	} else {
		cf_recv_buf(ctx, fd, data, sizeof(data), MSG_DONTWAIT, -EAGAIN);
	}
	cf_send(ctx, "DONE1");
	close(fd);
}

static void inv_buf_server(struct cf_ctx *ctx, int type)
{
	unsigned char data[INV_LEN];
	int fd = cf_accept(ctx, type);

	cf_fill(data, sizeof(data), 15);
	cf_send_buf(ctx, fd, data, sizeof(data), 0, sizeof(data));
	cf_send(ctx, "SENDDONE");
	cf_expect(ctx, "DONE1", NULL, 0);
	close(fd);
}

void stream_inv_buf_client(struct cf_ctx *ctx) { inv_buf_client(ctx, SOCK_STREAM); }
void stream_inv_buf_server(struct cf_ctx *ctx) { inv_buf_server(ctx, SOCK_STREAM); }
void seqpacket_inv_buf_client(struct cf_ctx *ctx) { inv_buf_client(ctx, SOCK_SEQPACKET); }
void seqpacket_inv_buf_server(struct cf_ctx *ctx) { inv_buf_server(ctx, SOCK_SEQPACKET); }

/*
 * send() from an unmapped buffer fails and sends nothing. The errno is
 * ENOMEM, not EFAULT, on 6.1 and 6.12: virtio_transport_send_pkt_info()
 * reports every failure to build a packet (the copy from user space
 * included) as -ENOMEM. A valid send() after it arrives intact.
 */
static void send_bad_buf_client(struct cf_ctx *ctx, int type)
{
	unsigned char data[INV_LEN];
	int fd = cf_connect(ctx, type);
	void *hole = cf_map(ctx, 4096);

	cf_unmap(hole, 4096);
	cf_send_buf(ctx, fd, hole, sizeof(data), MSG_NOSIGNAL, -ENOMEM);
	cf_fill(data, sizeof(data), 17);
	cf_send_buf(ctx, fd, data, sizeof(data), 0, sizeof(data));
	cf_send(ctx, "SENDDONE");
	cf_expect(ctx, "DONE1", NULL, 0);
	close(fd);
}

static void send_bad_buf_server(struct cf_ctx *ctx, int type)
{
	unsigned char data[INV_LEN + 1];
	int fd = cf_accept(ctx, type);

	cf_expect(ctx, "SENDDONE", NULL, 0);
	if (!(cf_poll(ctx, fd, POLLIN, ctx->wait_ms) & POLLIN))
		cf_fail(ctx, "no data arrived");
	if (type == SOCK_STREAM) {
		cf_recv_buf(ctx, fd, data, INV_LEN, MSG_WAITALL, INV_LEN);
	} else {
		/* one record of INV_LEN: the failed send left no record behind */
		cf_recv_buf(ctx, fd, data, sizeof(data), 0, INV_LEN);
	}
	if (cf_check(data, INV_LEN, 17) != INV_LEN)
		cf_fail(ctx, "the bytes after the failed send() differ from the valid ones sent");
	cf_recv_buf(ctx, fd, data, sizeof(data), MSG_DONTWAIT, -EAGAIN);
	cf_send(ctx, "DONE1");
	close(fd);
}

void stream_send_bad_buf_client(struct cf_ctx *ctx) { send_bad_buf_client(ctx, SOCK_STREAM); }
void stream_send_bad_buf_server(struct cf_ctx *ctx) { send_bad_buf_server(ctx, SOCK_STREAM); }
void seqpacket_send_bad_buf_client(struct cf_ctx *ctx) { send_bad_buf_client(ctx, SOCK_SEQPACKET); }
void seqpacket_send_bad_buf_server(struct cf_ctx *ctx) { send_bad_buf_server(ctx, SOCK_SEQPACKET); }

/*
 * A record read into a buffer with an unmapped page in the middle fails
 * with EFAULT (before 6.4: ENOMEM) and is dropped; the next record reads intact.
 */
void seqpacket_inv_rec_buffer_client(struct cf_ctx *ctx)
{
	size_t len = 3 * 4096;
	unsigned char *a = malloc(len), *b = malloc(len);
	int fd = cf_connect(ctx, SOCK_SEQPACKET);

	if (!a || !b)
		cf_fail(ctx, "out of memory");
	memset(a, 'a', len);
	memset(b, 'b', len);
	cf_send_buf(ctx, fd, a, len, 0, (ssize_t)len);
	cf_send_buf(ctx, fd, b, len, 0, (ssize_t)len);
	cf_send(ctx, "SENDDONE");
	cf_expect(ctx, "DONE1", NULL, 0);
	free(a);
	free(b);
	close(fd);
}

void seqpacket_inv_rec_buffer_server(struct cf_ctx *ctx)
{
	size_t len = 3 * 4096;
	int fd = cf_accept(ctx, SOCK_SEQPACKET);
	unsigned char *broken = cf_map(ctx, len), *good = cf_map(ctx, len);

	cf_unmap(broken + 4096, 4096);
	cf_expect(ctx, "SENDDONE", NULL, 0);
	cf_recv_buf(ctx, fd, broken, len, 0, -cf_recv_errno(ctx, EFAULT));
	cf_recv_buf(ctx, fd, good, len, MSG_DONTWAIT, (ssize_t)len);
	for (size_t i = 0; i < len; i++)
		if (good[i] != 'b')
			cf_fail(ctx, "second record: byte %zu is 0x%02x, expected 'b'", i, good[i]);
	cf_send(ctx, "DONE1");
	cf_unmap(broken, 4096);
	cf_unmap(broken + 2 * 4096, 4096);
	cf_unmap(good, len);
	close(fd);
}

/* poll() with SO_RCVLOWAT 128: 1 byte queued is not readable; 128 are. */
#define LOWAT 128

void stream_poll_rcvlowat_client(struct cf_ctx *ctx)
{
	int fd = cf_connect(ctx, SOCK_STREAM);
	char buf[LOWAT];
	short ev;

	cf_setsockopt_int(ctx, fd, SOL_SOCKET, SO_RCVLOWAT, "SO_RCVLOWAT", LOWAT);
	cf_expect(ctx, "SRVSENT", NULL, 0);
	ev = cf_poll(ctx, fd, POLLIN | POLLRDNORM, 1000);
	if (ev)
		cf_fail(ctx, "poll with 1 byte queued and SO_RCVLOWAT %d: revents 0x%x, expected "
			"none", LOWAT, ev);
	cf_send(ctx, "CLNSENT");
	ev = cf_poll(ctx, fd, POLLIN | POLLRDNORM, ctx->wait_ms);
	if (ev != (POLLIN | POLLRDNORM))
		cf_fail(ctx, "poll with %d bytes queued: revents 0x%x, expected POLLIN|POLLRDNORM",
			LOWAT, ev);
	cf_recv_buf(ctx, fd, buf, sizeof(buf), MSG_DONTWAIT, LOWAT);
	cf_send(ctx, "POLLDONE");
	close(fd);
}

void stream_poll_rcvlowat_server(struct cf_ctx *ctx)
{
	int fd = cf_accept(ctx, SOCK_STREAM);
	char buf[LOWAT - 1] = { 0 };

	cf_send_buf(ctx, fd, "x", 1, 0, 1);
	cf_send(ctx, "SRVSENT");
	cf_expect(ctx, "CLNSENT", NULL, 0);
	cf_send_buf(ctx, fd, buf, sizeof(buf), 0, sizeof(buf));
	cf_expect(ctx, "POLLDONE", NULL, 0);
	close(fd);
}

/*
 * EPIPE after the connection was shut down for writing, with SIGPIPE unless
 * MSG_NOSIGNAL: from 6.7 ("vsock: send SIGPIPE on write to shutdowned
 * socket"); before, EPIPE comes without any SIGPIPE.
 */
static volatile sig_atomic_t got_sigpipe;

static void on_sigpipe(int sig)
{
	(void)sig;
	got_sigpipe = 1;
}

/* send() until it fails (the shutdown may still be in flight); the error and the signal. */
static void expect_epipe(struct cf_ctx *ctx, int fd, int flags, bool want_signal)
{
	uint64_t end = vs_now_ns() + (uint64_t)ctx->wait_ms * 1000000ULL;
	ssize_t n;

	got_sigpipe = 0;
	while ((n = send(fd, "A", 1, flags)) >= 0 || errno == EINTR) {
		if (vs_now_ns() > end)
			cf_fail(ctx, "send() kept succeeding after the shutdown");
		vs_sleep_ns(10 * 1000000ULL);
	}
	if (errno != EPIPE)
		cf_fail(ctx, "send after shutdown: expected EPIPE, got %s", cf_errname(errno));
	if (want_signal && !got_sigpipe)
		cf_fail(ctx, "send after shutdown failed with EPIPE but raised no SIGPIPE");
	if (!want_signal && got_sigpipe)
		cf_fail(ctx, "send(%s) after shutdown raised SIGPIPE%s",
			flags & MSG_NOSIGNAL ? "MSG_NOSIGNAL" : "flags 0",
			flags & MSG_NOSIGNAL ? "" : ", which kernels before 6.7 do not");
	if (!want_signal && !(flags & MSG_NOSIGNAL))
		cf_note(ctx, "before 6.7: EPIPE without SIGPIPE, as expected");
}

static void catch_sigpipe(void)
{
	struct sigaction sa = { .sa_handler = on_sigpipe };

	sigaction(SIGPIPE, &sa, NULL);
}

void stream_shutwr_client(struct cf_ctx *ctx)
{
	int fd = cf_connect(ctx, SOCK_STREAM);

	catch_sigpipe();
	if (shutdown(fd, SHUT_WR) < 0)
		cf_fail(ctx, "shutdown(SHUT_WR): %s", strerror(errno));
	expect_epipe(ctx, fd, 0, cf_kernel_at_least(ctx, 6, 7));
	expect_epipe(ctx, fd, MSG_NOSIGNAL, false);
	/* reading still works: the server's byte */
	cf_expect(ctx, "SENT", NULL, 0);
	{
		char c;

		cf_recv_buf(ctx, fd, &c, 1, 0, 1);
	}
	cf_send(ctx, "CLIENTDONE");
	close(fd);
}

void stream_shutwr_server(struct cf_ctx *ctx)
{
	int fd = cf_accept(ctx, SOCK_STREAM);
	char c;

	/* the peer's SHUT_WR is an end of stream here */
	cf_wait_remote_close(ctx, fd);
	cf_recv_buf(ctx, fd, &c, 1, MSG_DONTWAIT, 0);
	cf_send_buf(ctx, fd, "z", 1, 0, 1);
	cf_send(ctx, "SENT");
	cf_expect(ctx, "CLIENTDONE", NULL, 0);
	close(fd);
}

void stream_shutrd_client(struct cf_ctx *ctx)
{
	int fd = cf_connect(ctx, SOCK_STREAM);

	catch_sigpipe();
	cf_expect(ctx, "SHUTRDDONE", NULL, 0);
	expect_epipe(ctx, fd, 0, cf_kernel_at_least(ctx, 6, 7));
	expect_epipe(ctx, fd, MSG_NOSIGNAL, false);
	cf_send(ctx, "CLIENTDONE");
	close(fd);
}

void stream_shutrd_server(struct cf_ctx *ctx)
{
	int fd = cf_accept(ctx, SOCK_STREAM);
	char c;

	if (shutdown(fd, SHUT_RD) < 0)
		cf_fail(ctx, "shutdown(SHUT_RD): %s", strerror(errno));
	/* a read after SHUT_RD returns end of stream at once */
	cf_recv_buf(ctx, fd, &c, 1, 0, 0);
	cf_send(ctx, "SHUTRDDONE");
	cf_expect(ctx, "CLIENTDONE", NULL, 0);
	close(fd);
}

/*
 * Two writes that land in one receive buffer (virtio merges small packets
 * into the last skb): a partial read, then the rest of both, nothing more.
 */
void stream_skb_merge_client(struct cf_ctx *ctx)
{
	int fd = cf_connect(ctx, SOCK_STREAM);

	cf_send_buf(ctx, fd, "HELLO", 5, 0, 5);
	cf_send(ctx, "SEND0");
	cf_expect(ctx, "REPLY0", NULL, 0);
	cf_send_buf(ctx, fd, "WORLD", 5, 0, 5);
	cf_send(ctx, "SEND1");
	cf_expect(ctx, "REPLY1", NULL, 0);
	close(fd);
}

void stream_skb_merge_server(struct cf_ctx *ctx)
{
	int fd = cf_accept(ctx, SOCK_STREAM);
	char buf[64] = { 0 };

	cf_expect(ctx, "SEND0", NULL, 0);
	cf_recv_buf(ctx, fd, buf, 2, 0, 2);
	cf_send(ctx, "REPLY0");
	cf_expect(ctx, "SEND1", NULL, 0);
	cf_recv_buf(ctx, fd, buf + 2, 8, 0, 8);
	cf_recv_buf(ctx, fd, buf + 10, sizeof(buf) - 10, MSG_DONTWAIT, -EAGAIN);
	if (memcmp(buf, "HELLOWORLD", 10))
		cf_fail(ctx, "read '%.10s', expected 'HELLOWORLD'", buf);
	cf_send(ctx, "REPLY1");
	close(fd);
}
