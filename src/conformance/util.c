// SPDX-License-Identifier: GPL-2.0-only
/* The helpers cases are written with (conform.h). */
#include "conform.h"
#include "vs_clock.h"
#include "vs_opts.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void cf_child_exit(struct cf_ctx *ctx, enum cf_result r, const char *why)
{
	/*
	 * To the runner: "result why\n", the note, then the control bytes this
	 * child read but did not consume, so no line of the peer's is lost.
	 */
	char head[VS_CTL_LINE_MAX + 512];
	int n = snprintf(head, sizeof(head), "%d %.900s\n%.250s\n", (int)r, why ? why : "",
			 ctx->note);

	if (n > (int)sizeof(head) - 1)
		n = (int)sizeof(head) - 1;
	vs_write_all(ctx->result_fd, head, (size_t)n);
	vs_write_all(ctx->result_fd, ctx->ctl->buf, ctx->ctl->len);
	close(ctx->result_fd);
	/* A pass goes through exit(), so LeakSanitizer checks the case's memory. */
	if (r == CF_PASS)
		exit(0);
	_exit(r == CF_SKIP ? 77 : 1);
}

__attribute__((noreturn)) static void end_with(struct cf_ctx *ctx, enum cf_result r, const char *fmt, va_list ap)
{
	char why[900];

	vsnprintf(why, sizeof(why), fmt, ap);
	/* one line: the runner's protocol and the report are line based */
	for (char *p = why; *p; p++)
		if (*p == '\n')
			*p = ' ';
	cf_child_exit(ctx, r, why);
}

void cf_fail(struct cf_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	end_with(ctx, CF_FAIL, fmt, ap);
}

void cf_skip(struct cf_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	end_with(ctx, CF_SKIP, fmt, ap);
}

void cf_note(struct cf_ctx *ctx, const char *fmt, ...)
{
	size_t used = strlen(ctx->note);
	va_list ap;

	if (used && used + 2 < sizeof(ctx->note)) {
		strcat(ctx->note, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(ctx->note + used, sizeof(ctx->note) - used, fmt, ap);
	va_end(ap);
}

bool cf_kernel_at_least(const struct cf_ctx *ctx, unsigned int maj, unsigned int min)
{
	return ctx->kver >= KV(maj, min);
}

int cf_send_errno(const struct cf_ctx *ctx, int err)
{
	return cf_kernel_at_least(ctx, 6, 3) ? err : ENOMEM;
}

int cf_recv_errno(const struct cf_ctx *ctx, int err)
{
	return cf_kernel_at_least(ctx, 6, 4) ? err : ENOMEM;
}

const char *cf_errname(int err)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
		{ 0, "success" }, { EAGAIN, "EAGAIN" }, { EPIPE, "EPIPE" }, { EFAULT, "EFAULT" },
		{ ENOMEM, "ENOMEM" }, { EMSGSIZE, "EMSGSIZE" }, { ECONNRESET, "ECONNRESET" },
		{ ECONNREFUSED, "ECONNREFUSED" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ ENOTTY, "ENOTTY" }, { EINVAL, "EINVAL" }, { EADDRINUSE, "EADDRINUSE" },
		{ ENOTCONN, "ENOTCONN" }, { ENODEV, "ENODEV" }, { ERANGE, "ERANGE" },
		{ ETIMEDOUT, "ETIMEDOUT" }, { EINTR, "EINTR" }, { EISCONN, "EISCONN" },
		{ ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" }, { ENOPROTOOPT, "ENOPROTOOPT" },
		{ EADDRNOTAVAIL, "EADDRNOTAVAIL" }, { EBADF, "EBADF" }, { ENOBUFS, "ENOBUFS" },
		{ EALREADY, "EALREADY" }, { EINPROGRESS, "EINPROGRESS" }, { EPERM, "EPERM" },
	};
	static char buf[24];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == err)
			return names[i].name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

void cf_send(struct cf_ctx *ctx, const char *fmt, ...)
{
	char line[VS_CTL_LINE_MAX + 1];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vs_ctl_vsend(ctx->ctl, line, sizeof(line), fmt, ap);
	va_end(ap);
	if (r)
		cf_fail(ctx, "control channel: sending '%s': %s", line, strerror(-r));
}

void cf_expect(struct cf_ctx *ctx, const char *word, char *out, size_t cap)
{
	char line[VS_CTL_LINE_MAX + 1];
	int n;

	ctx->ctl->timeout_ms = ctx->wait_ms;
	n = vs_ctl_recv(ctx->ctl, line, sizeof(line));
	if (n < 0)
		cf_fail(ctx, "control channel: waiting for '%s': %s", word ? word : "a line",
			n == -ETIMEDOUT ? "timed out" : n == -EPIPE ? "the peer closed it"
			: strerror(-n));
	if (word && !vs_ctl_is(line, word)) {
		/* most likely the peer's runner ending the case: keep it for ours */
		vs_ctl_unread(ctx->ctl, line);
		if (vs_ctl_is(line, "DONE"))
			cf_fail(ctx, "the %s side ended the case while this side waited for '%s'",
				!strcmp(ctx->role, "client") ? "server" : "client", word);
		cf_fail(ctx, "control channel: expected '%s', got '%.80s'", word, line);
	}
	if (out)
		snprintf(out, cap, "%s", line);
}

void cf_send_u64(struct cf_ctx *ctx, const char *word, uint64_t v)
{
	cf_send(ctx, "%s v=%llu", word, (unsigned long long)v);
}

uint64_t cf_expect_u64(struct cf_ctx *ctx, const char *word)
{
	char line[VS_CTL_LINE_MAX + 1];
	uint64_t v;

	cf_expect(ctx, word, line, sizeof(line));
	if (vs_ctl_get_u64(line, "v", &v))
		cf_fail(ctx, "control channel: malformed '%.80s'", line);
	return v;
}

int cf_socket(struct cf_ctx *ctx, int type)
{
	int fd = socket(AF_VSOCK, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		cf_fail(ctx, "socket(AF_VSOCK, %s): %s", vs_type_name(type), strerror(errno));
	return fd;
}

int cf_listen(struct cf_ctx *ctx, int type, uint32_t port)
{
	union vs_addr a = { .svm = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY } };
	int fd = cf_socket(ctx, type);

	a.svm.svm_port = port;
	if (bind(fd, &a.sa, sizeof(a.svm)) < 0)
		cf_fail(ctx, "bind(%s, any:%u): %s", vs_type_name(type), port, strerror(errno));
	if (listen(fd, 128) < 0)
		cf_fail(ctx, "listen(%s port %u): %s", vs_type_name(type), port, strerror(errno));
	return fd;
}

int cf_accept_on(struct cf_ctx *ctx, int lfd)
{
	uint32_t cid = 0;
	int fd = vs_ctl_accept(lfd, ctx->wait_ms);

	if (fd < 0)
		cf_fail(ctx, "accept: %s", fd == -ETIMEDOUT ? "no connection arrived in time"
			: strerror(-fd));
	if (vs_peer_addr(fd, &cid, NULL))
		cf_fail(ctx, "getpeername of an accepted socket: %s", strerror(errno));
	if (cid != ctx->peer_cid)
		cf_fail(ctx, "accepted a connection from CID %u, expected the peer CID %u", cid,
			ctx->peer_cid);
	return fd;
}

int cf_accept(struct cf_ctx *ctx, int type)
{
	int lfd = cf_listen(ctx, type, ctx->port), fd;

	cf_send(ctx, "LISTENING");
	fd = cf_accept_on(ctx, lfd);
	close(lfd);
	return fd;
}

int cf_connect_fd(struct cf_ctx *ctx, int fd, uint32_t port)
{
	union vs_addr a = { .svm = { .svm_family = AF_VSOCK } };

	a.svm.svm_cid = ctx->peer_cid;
	a.svm.svm_port = port;
	while (connect(fd, &a.sa, sizeof(a.svm)) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

int cf_connect(struct cf_ctx *ctx, int type)
{
	int fd, r;

	cf_expect(ctx, "LISTENING", NULL, 0);
	fd = cf_socket(ctx, type);
	r = cf_connect_fd(ctx, fd, ctx->port);
	if (r)
		cf_fail(ctx, "connect(%s) to %u:%u: %s", vs_type_name(type), ctx->peer_cid,
			ctx->port, strerror(-r));
	return fd;
}

static void check_io(struct cf_ctx *ctx, const char *what, size_t len, int flags,
		     ssize_t got, int err, ssize_t expect)
{
	if (expect < 0 && got < 0 && err == -expect)
		return;
	if (expect < 0)
		cf_fail(ctx, "%s(%zu bytes, flags 0x%x): expected %s, got %s", what, len, flags,
			cf_errname((int)-expect), got < 0 ? cf_errname(err) : "success");
	if (got < 0)
		cf_fail(ctx, "%s(%zu bytes, flags 0x%x): %s (%s), expected %zd bytes", what, len,
			flags, cf_errname(err), strerror(err), expect);
	cf_fail(ctx, "%s(%zu bytes, flags 0x%x): %zd bytes, expected %zd", what, len, flags,
		got, expect);
}

void cf_send_buf(struct cf_ctx *ctx, int fd, const void *buf, size_t len, int flags,
		 ssize_t expect)
{
	size_t done = 0;
	ssize_t n;

	do {
		n = send(fd, (const char *)buf + done, len - done, flags);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	} while (expect >= 0 && done < (size_t)expect);
	if (n < 0 || expect < 0)
		check_io(ctx, "send", len, flags, n < 0 ? -1 : (ssize_t)done, errno, expect);
	else if ((ssize_t)done != expect)
		check_io(ctx, "send", len, flags, (ssize_t)done, 0, expect);
}

void cf_recv_buf(struct cf_ctx *ctx, int fd, void *buf, size_t len, int flags,
		 ssize_t expect)
{
	size_t done = 0;
	ssize_t n;

	do {
		n = recv(fd, (char *)buf + done, len - done, flags);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	} while (expect >= 0 && done < (size_t)expect && !(flags & MSG_PEEK));
	if (flags & MSG_PEEK && n > 0)
		done = (size_t)n;
	if (n < 0 || expect < 0)
		check_io(ctx, "recv", len, flags, n < 0 ? -1 : (ssize_t)done, errno, expect);
	else if ((ssize_t)done != expect)
		check_io(ctx, "recv", len, flags, (ssize_t)done, 0, expect);
}

short cf_poll(struct cf_ctx *ctx, int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	uint64_t end = vs_now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	int r;

	for (;;) {
		r = poll(&p, 1, timeout_ms);
		if (r >= 0 || errno != EINTR)
			break;
		uint64_t now = vs_now_ns();

		timeout_ms = now >= end ? 0 : (int)((end - now) / 1000000ULL);
	}
	if (r < 0)
		cf_fail(ctx, "poll: %s", strerror(errno));
	return r ? p.revents : 0;
}

void cf_wait_remote_close(struct cf_ctx *ctx, int fd)
{
	short ev = cf_poll(ctx, fd, POLLRDHUP, ctx->wait_ms);

	if (!(ev & POLLRDHUP))
		cf_fail(ctx, "the peer did not close the connection in time (poll: 0x%x)", ev);
}

void cf_setsockopt_int(struct cf_ctx *ctx, int fd, int level, int opt, const char *name, int v)
{
	if (setsockopt(fd, level, opt, &v, sizeof(v)) < 0)
		cf_fail(ctx, "setsockopt(%s, %d): %s", name, v, strerror(errno));
}

void cf_setsockopt_u64(struct cf_ctx *ctx, int fd, int level, int opt, const char *name,
		       uint64_t v)
{
	unsigned long long x = v;

	if (setsockopt(fd, level, opt, &x, sizeof(x)) < 0)
		cf_fail(ctx, "setsockopt(%s, %llu): %s", name, x, strerror(errno));
}

uint64_t cf_getsockopt_u64(struct cf_ctx *ctx, int fd, int level, int opt, const char *name)
{
	unsigned long long x = 0;
	socklen_t len = sizeof(x);

	if (getsockopt(fd, level, opt, &x, &len) < 0)
		cf_fail(ctx, "getsockopt(%s): %s", name, strerror(errno));
	if (len != sizeof(x))
		cf_fail(ctx, "getsockopt(%s): length %u, expected %zu", name, len, sizeof(x));
	return x;
}

void cf_fill(void *buf, size_t len, uint32_t seed)
{
	unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)((i * 31 + seed * 7 + (i >> 8)) ^ (seed >> 3));
}

size_t cf_check(const void *buf, size_t len, uint32_t seed)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)((i * 31 + seed * 7 + (i >> 8)) ^ (seed >> 3)))
			return i;
	return len;
}

void *cf_map(struct cf_ctx *ctx, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		cf_fail(ctx, "mmap of %zu bytes: %s", len, strerror(errno));
	return p;
}

void cf_unmap(void *p, size_t len)
{
	munmap(p, len);
}
