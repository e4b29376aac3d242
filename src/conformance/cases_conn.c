// SPDX-License-Identifier: GPL-2.0-only
/* Cases about connections: refusal, closing from either side, many at once, addresses. */
#include "cases.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* A connect() to a port nobody listens on is reset by the peer's transport. */
void stream_connection_reset_client(struct cf_ctx *ctx)
{
	int fd = cf_socket(ctx, SOCK_STREAM);
	int r = cf_connect_fd(ctx, fd, ctx->port);

	if (r != -ECONNRESET)
		cf_fail(ctx, "connect to %u:%u with no listener: expected ECONNRESET, got %s",
			ctx->peer_cid, ctx->port, r ? cf_errname(-r) : "success");
	close(fd);
}

/* A socket that is only bound (no listen()) refuses the same way. */
void stream_bind_only_client(struct cf_ctx *ctx)
{
	int fd, r;

	cf_expect(ctx, "BOUND", NULL, 0);
	fd = cf_socket(ctx, SOCK_STREAM);
	r = cf_connect_fd(ctx, fd, ctx->port);
	if (r != -ECONNRESET)
		cf_fail(ctx, "connect to a bound, not listening port: expected ECONNRESET, got %s",
			r ? cf_errname(-r) : "success");
	close(fd);
	cf_send(ctx, "DONE1");
}

void stream_bind_only_server(struct cf_ctx *ctx)
{
	union vs_addr a = { .svm = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY } };
	int fd = cf_socket(ctx, SOCK_STREAM);

	a.svm.svm_port = ctx->port;
	if (bind(fd, &a.sa, sizeof(a.svm)) < 0)
		cf_fail(ctx, "bind(any:%u): %s", ctx->port, strerror(errno));
	cf_send(ctx, "BOUND");
	cf_expect(ctx, "DONE1", NULL, 0);
	close(fd);
}

/*
 * The closing side's byte is still delivered; the other side then gets EPIPE
 * on send, the byte, then end of stream.
 */
static void close_writer(struct cf_ctx *ctx, int fd)
{
	cf_send_buf(ctx, fd, "x", 1, 0, 1);
	close(fd);
}

static void close_observer(struct cf_ctx *ctx, int fd)
{
	char c = 0;

	cf_wait_remote_close(ctx, fd);
	cf_send_buf(ctx, fd, "y", 1, MSG_NOSIGNAL, -EPIPE);
	cf_recv_buf(ctx, fd, &c, 1, 0, 1);
	if (c != 'x')
		cf_fail(ctx, "the closing side's last byte arrived as 0x%02x, expected 'x'", c);
	cf_recv_buf(ctx, fd, &c, 1, 0, 0);
	close(fd);
}

void stream_client_close_client(struct cf_ctx *ctx)
{
	close_writer(ctx, cf_connect(ctx, SOCK_STREAM));
}

void stream_client_close_server(struct cf_ctx *ctx)
{
	close_observer(ctx, cf_accept(ctx, SOCK_STREAM));
}

void stream_server_close_client(struct cf_ctx *ctx)
{
	close_observer(ctx, cf_connect(ctx, SOCK_STREAM));
}

void stream_server_close_server(struct cf_ctx *ctx)
{
	close_writer(ctx, cf_accept(ctx, SOCK_STREAM));
}

/* 100 connections open at once, data each way on alternate ones. */
#define MULTICONN 100

void stream_multiconn_client(struct cf_ctx *ctx)
{
	int fds[MULTICONN];

	cf_expect(ctx, "LISTENING", NULL, 0);
	for (int i = 0; i < MULTICONN; i++) {
		int r;

		fds[i] = cf_socket(ctx, SOCK_STREAM);
		r = cf_connect_fd(ctx, fds[i], ctx->port);
		if (r)
			cf_fail(ctx, "connection %d of %d: %s", i + 1, MULTICONN, strerror(-r));
	}
	for (int i = 0; i < MULTICONN; i++) {
		unsigned char b = (unsigned char)i;

		if (i % 2) {
			cf_recv_buf(ctx, fds[i], &b, 1, 0, 1);
			if (b != (unsigned char)(i ^ 0x5a))
				cf_fail(ctx, "connection %d: byte 0x%02x, expected 0x%02x", i + 1,
					b, i ^ 0x5a);
		} else {
			cf_send_buf(ctx, fds[i], &b, 1, 0, 1);
		}
	}
	cf_expect(ctx, "ALLDONE", NULL, 0);
	for (int i = 0; i < MULTICONN; i++)
		close(fds[i]);
}

void stream_multiconn_server(struct cf_ctx *ctx)
{
	int lfd = cf_listen(ctx, SOCK_STREAM, ctx->port), fds[MULTICONN];
	uint32_t ports[MULTICONN];

	cf_send(ctx, "LISTENING");
	for (int i = 0; i < MULTICONN; i++) {
		fds[i] = cf_accept_on(ctx, lfd);
		if (vs_peer_addr(fds[i], NULL, &ports[i]))
			cf_fail(ctx, "getpeername: %s", strerror(errno));
		for (int j = 0; j < i; j++)
			if (ports[j] == ports[i])
				cf_fail(ctx, "connections %d and %d share the peer port %u", j + 1,
					i + 1, ports[i]);
	}
	close(lfd);
	/* accept() returns them in connect order: the client's i-th is our i-th */
	for (int i = 0; i < MULTICONN; i++) {
		unsigned char b = (unsigned char)(i ^ 0x5a);

		if (i % 2) {
			cf_send_buf(ctx, fds[i], &b, 1, 0, 1);
		} else {
			cf_recv_buf(ctx, fds[i], &b, 1, 0, 1);
			if (b != (unsigned char)i)
				cf_fail(ctx, "connection %d: byte 0x%02x, expected 0x%02x", i + 1,
					b, i);
		}
	}
	cf_send(ctx, "ALLDONE");
	for (int i = 0; i < MULTICONN; i++)
		close(fds[i]);
}

/* getsockname/getpeername on both ends agree with each other and with --peer-cid. */
void stream_addresses_client(struct cf_ctx *ctx)
{
	int fd = cf_connect(ctx, SOCK_STREAM);
	uint32_t pcid, pport, lport;

	if (vs_peer_addr(fd, &pcid, &pport) || vs_local_addr(fd, NULL, &lport))
		cf_fail(ctx, "getpeername/getsockname: %s", strerror(errno));
	if (pcid != ctx->peer_cid || pport != ctx->port)
		cf_fail(ctx, "getpeername: %u:%u, expected %u:%u", pcid, pport, ctx->peer_cid,
			ctx->port);
	cf_send_u64(ctx, "MYPORT", lport);
	cf_expect(ctx, "CHECKED", NULL, 0);
	close(fd);
}

void stream_addresses_server(struct cf_ctx *ctx)
{
	int fd = cf_accept(ctx, SOCK_STREAM);
	uint32_t pport, lport;
	uint64_t want;

	if (vs_peer_addr(fd, NULL, &pport) || vs_local_addr(fd, NULL, &lport))
		cf_fail(ctx, "getpeername/getsockname: %s", strerror(errno));
	want = cf_expect_u64(ctx, "MYPORT");
	if (pport != want)
		cf_fail(ctx, "getpeername port %u, the client's getsockname says %llu", pport,
			(unsigned long long)want);
	if (lport != ctx->port)
		cf_fail(ctx, "accepted socket's local port %u, expected the listener's %u", lport,
			ctx->port);
	cf_send(ctx, "CHECKED");
	close(fd);
}

/*
 * bind() to a fixed local port then connect, twice in a row with a new
 * socket each time: the first socket's port must be free again once it is
 * closed and the server has seen the close.
 */
void stream_double_bind_connect_client(struct cf_ctx *ctx)
{
	for (int i = 0; i < 2; i++) {
		union vs_addr a = { .svm = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY } };
		int fd, r;

		cf_expect(ctx, "LISTENING", NULL, 0);
		fd = cf_socket(ctx, SOCK_STREAM);
		a.svm.svm_port = ctx->port + 1;
		if (bind(fd, &a.sa, sizeof(a.svm)) < 0)
			cf_fail(ctx, "round %d: bind(any:%u): %s", i + 1, ctx->port + 1,
				cf_errname(errno));
		r = cf_connect_fd(ctx, fd, ctx->port);
		if (r)
			cf_fail(ctx, "round %d: connect from port %u: %s", i + 1, ctx->port + 1,
				cf_errname(-r));
		close(fd);
		cf_expect(ctx, "CLOSED", NULL, 0);
	}
}

void stream_double_bind_connect_server(struct cf_ctx *ctx)
{
	int lfd = cf_listen(ctx, SOCK_STREAM, ctx->port);

	for (int i = 0; i < 2; i++) {
		int fd;
		uint32_t pport;

		cf_send(ctx, "LISTENING");
		fd = cf_accept_on(ctx, lfd);
		if (vs_peer_addr(fd, NULL, &pport))
			cf_fail(ctx, "getpeername: %s", strerror(errno));
		if (pport != ctx->port + 1)
			cf_fail(ctx, "round %d: the peer's port is %u, it bound %u", i + 1, pport,
				ctx->port + 1);
		cf_wait_remote_close(ctx, fd);
		close(fd);
		cf_send(ctx, "CLOSED");
	}
	close(lfd);
}

/* virtio-vsock has no datagram transport: socket(SOCK_DGRAM) fails with ENODEV. */
void dgram_unsupported_client(struct cf_ctx *ctx)
{
	int fd = socket(AF_VSOCK, SOCK_DGRAM, 0);

	if (fd >= 0)
		cf_fail(ctx, "socket(AF_VSOCK, SOCK_DGRAM) succeeded: a datagram transport "
			"(VMCI?) is loaded, this suite expects virtio only");
	if (errno != ENODEV)
		cf_fail(ctx, "socket(AF_VSOCK, SOCK_DGRAM): expected ENODEV, got %s",
			cf_errname(errno));
}

/* A second connect() on a connected socket fails with EISCONN. */
void stream_connect_twice_client(struct cf_ctx *ctx)
{
	int fd = cf_connect(ctx, SOCK_STREAM), r;

	r = cf_connect_fd(ctx, fd, ctx->port);
	if (r != -EISCONN)
		cf_fail(ctx, "connect() on a connected socket: expected EISCONN, got %s",
			r ? cf_errname(-r) : "success");
	cf_send(ctx, "DONE1");
	close(fd);
}

void stream_connect_twice_server(struct cf_ctx *ctx)
{
	int fd = cf_accept(ctx, SOCK_STREAM);

	cf_expect(ctx, "DONE1", NULL, 0);
	close(fd);
}
