// SPDX-License-Identifier: GPL-2.0-only
/* Control channel endpoints: the TCP and vsock transports (vs_ctl.h). */
#include "vs_ctl.h"
#include "vs_clock.h"
#include "vs_opts.h"
#include "vs_sock.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* getaddrinfo's errors as errno values a caller can print with strerror. */
static int gai_errno(int r)
{
	switch (r) {
	case EAI_SYSTEM:
		return errno ? errno : EIO;
	case EAI_NONAME:
#ifdef EAI_NODATA
	case EAI_NODATA:
#endif
		return EHOSTUNREACH;
	case EAI_MEMORY:
		return ENOMEM;
	default:
		return EINVAL;
	}
}

static int tcp_open(const struct vs_ctl_ep *ep, bool server)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = server ? AI_PASSIVE : 0,
	};
	struct addrinfo *res, *ai;
	char port[16];
	int fd = -1, err = EADDRNOTAVAIL, r;

	snprintf(port, sizeof(port), "%u", ep->port);
	r = getaddrinfo(ep->host[0] ? ep->host : NULL, port, &hints, &res);
	if (r)
		return -gai_errno(r);
	for (ai = res; ai; ai = ai->ai_next) {
		int one = 1;

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (server) {
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (!bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 4))
				break;
		} else {
			int r2;

			do
				r2 = connect(fd, ai->ai_addr, ai->ai_addrlen);
			while (r2 < 0 && errno == EINTR);
			if (!r2) {
				/* one short line per round trip: no Nagle delay */
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				break;
			}
		}
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd >= 0 ? fd : -err;
}

static int tcp_listen(const struct vs_ctl_ep *ep)
{
	return tcp_open(ep, true);
}

static int tcp_connect(const struct vs_ctl_ep *ep)
{
	return tcp_open(ep, false);
}

static int vsock_listen(const struct vs_ctl_ep *ep)
{
	union vs_addr a = { .svm = { .svm_family = AF_VSOCK } };
	int fd, err;

	a.svm.svm_cid = ep->cid;
	a.svm.svm_port = ep->port;
	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, &a.sa, sizeof(a.svm)) < 0 || listen(fd, 4) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int vsock_connect(const struct vs_ctl_ep *ep)
{
	return vs_connect(SOCK_STREAM, ep->cid, ep->port);
}

const struct vs_ctl_transport vs_ctl_tcp = { "tcp", tcp_listen, tcp_connect };
const struct vs_ctl_transport vs_ctl_vsock = { "vsock", vsock_listen, vsock_connect };

int vs_ctl_parse_vsock(const char *s, struct vs_ctl_ep *ep, const char **why)
{
	const char *colon = strrchr(s, ':');
	char cid[32];
	uint64_t port;

	if (!colon) {
		*why = "expected CID:PORT";
		return -1;
	}
	if ((size_t)(colon - s) >= sizeof(cid) || colon == s) {
		*why = "expected CID:PORT (bad CID)";
		return -1;
	}
	memcpy(cid, s, (size_t)(colon - s));
	cid[colon - s] = '\0';
	memset(ep, 0, sizeof(*ep));
	ep->t = &vs_ctl_vsock;
	if (vs_parse_cid(cid, &ep->cid, why))
		return -1;
	if (vs_parse_uint(colon + 1, 1, UINT32_MAX - 1, &port, why))
		return -1;
	ep->port = (uint32_t)port;
	return 0;
}

int vs_ctl_connect(const struct vs_ctl_ep *ep, int timeout_ms)
{
	uint64_t end = vs_now_ns() + (uint64_t)timeout_ms * 1000000ULL;

	for (;;) {
		int fd = ep->t->connect(ep);

		if (fd >= 0 || (fd != -ECONNREFUSED && fd != -ECONNRESET && fd != -ENODEV))
			return fd;
		if (vs_now_ns() >= end)
			return fd;
		vs_sleep_ns(50 * 1000000ULL);
	}
}

int vs_ctl_accept(int lfd, int timeout_ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return -ETIMEDOUT;
	if (r < 0)
		return -errno;
	return vs_accept(lfd);
}

const char *vs_ctl_ep_str(const struct vs_ctl_ep *ep, char *buf, size_t len)
{
	if (ep->t == &vs_ctl_vsock)
		snprintf(buf, len, "vsock %d:%u", ep->cid == VMADDR_CID_ANY ? -1 : (int)ep->cid,
			 ep->port);
	else
		snprintf(buf, len, "tcp %s%s%s:%u", strchr(ep->host, ':') ? "[" : "",
			 ep->host[0] ? ep->host : "any", strchr(ep->host, ':') ? "]" : "", ep->port);
	return buf;
}
