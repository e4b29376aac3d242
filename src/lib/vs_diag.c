// SPDX-License-Identifier: GPL-2.0-only
#include "vs_diag.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/vm_sockets_diag.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static const char *const state_names[VS_SS_MAX] = {
	"UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT",
	"UNCONN", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING",
};

const char *vs_diag_state_name(unsigned int state)
{
	return state < VS_SS_MAX ? state_names[state] : "UNKNOWN";
}

int vs_diag_state_parse(const char *name)
{
	static const struct {
		const char *alias;
		int state;
	} aliases[] = {
		{ "established", VS_SS_ESTABLISHED }, { "connected", VS_SS_ESTABLISHED },
		{ "listening", VS_SS_LISTEN }, { "close", VS_SS_CLOSE },
		{ "unconnected", VS_SS_CLOSE }, { "connecting", VS_SS_SYN_SENT },
	};

	for (int i = 1; i < VS_SS_MAX; i++)
		if (!strcasecmp(name, state_names[i]))
			return i;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcasecmp(name, aliases[i].alias))
			return aliases[i].state;
	return -1;
}

char *vs_diag_addr_str(char *buf, size_t len, uint32_t cid, uint32_t port)
{
	char c[12] = "*", p[12] = "*";

	if (cid != UINT32_MAX)
		snprintf(c, sizeof(c), "%u", cid);
	if (port != UINT32_MAX)
		snprintf(p, sizeof(p), "%u", port);
	snprintf(buf, len, "%s:%s", c, p);
	return buf;
}

static int addr_half(const char *s, size_t n, uint32_t *v)
{
	uint64_t x = 0;

	if (n == 1 && s[0] == '*') {
		*v = UINT32_MAX;
		return 0;
	}
	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (x >= UINT32_MAX)	/* UINT32_MAX is written "*" */
		return -1;
	*v = (uint32_t)x;
	return 0;
}

int vs_diag_addr_parse(const char *s, uint32_t *cid, uint32_t *port)
{
	const char *colon = strchr(s, ':');

	if (!colon || strchr(colon + 1, ':'))
		return -1;
	return addr_half(s, (size_t)(colon - s), cid) || addr_half(colon + 1, strlen(colon + 1), port)
		? -1 : 0;
}

size_t vs_diag_build_req(void *buf, size_t cap, uint32_t states, uint32_t seq)
{
	struct {
		struct nlmsghdr nlh;
		struct vsock_diag_req req;
	} m;

	if (cap < sizeof(m))
		return 0;
	memset(&m, 0, sizeof(m));
	m.nlh.nlmsg_len = sizeof(m);
	m.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	m.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	m.nlh.nlmsg_seq = seq;
	m.req.sdiag_family = AF_VSOCK;
	m.req.vdiag_states = states;
	memcpy(buf, &m, sizeof(m));
	return sizeof(m);
}

__attribute__((format(printf, 3, 4)))
static int bad(char *why, size_t wlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (why && wlen)
		vsnprintf(why, wlen, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

static int kernel_error(int32_t e, char *why, size_t wlen)
{
	if (e >= 0 || e < -4095)
		return bad(why, wlen, "netlink error message with an invalid error %d", e);
	if (why && wlen)
		snprintf(why, wlen, "sock_diag: %s", strerror(-e));
	return e;
}

int vs_diag_parse(const void *buf, size_t len, uint32_t seq, vs_diag_fn fn, void *arg,
		  char *why, size_t wlen)
{
	const unsigned char *p = buf;
	size_t off = 0;

	if (len == 0)
		return bad(why, wlen, "empty netlink reply");
	while (off < len) {
		struct nlmsghdr h;
		size_t left = len - off, body;
		const unsigned char *data;

		if (left < sizeof(h))
			return bad(why, wlen, "truncated netlink header (%zu bytes left)", left);
		memcpy(&h, p + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > left)
			return bad(why, wlen, "netlink message length %u out of bounds (%zu bytes left)",
				   h.nlmsg_len, left);
		if (h.nlmsg_seq != seq)
			return bad(why, wlen, "netlink reply with sequence %u, expected %u",
				   h.nlmsg_seq, seq);
		data = p + off + NLMSG_HDRLEN;
		body = h.nlmsg_len >= NLMSG_HDRLEN ? h.nlmsg_len - NLMSG_HDRLEN : 0;
		switch (h.nlmsg_type) {
		case NLMSG_DONE:
			/* a dump may end with the error that cut it short */
			if (body >= sizeof(int32_t)) {
				int32_t e;

				memcpy(&e, data, sizeof(e));
				if (e < 0)
					return kernel_error(e, why, wlen);
			}
			return 1;
		case NLMSG_ERROR: {
			int32_t e;

			if (body < sizeof(e))
				return bad(why, wlen, "truncated netlink error message");
			memcpy(&e, data, sizeof(e));
			if (e == 0)	/* an acknowledgement */
				break;
			return kernel_error(e, why, wlen);
		}
		case NLMSG_NOOP:
			break;
		case SOCK_DIAG_BY_FAMILY: {
			struct vsock_diag_msg m;
			struct vs_diag_sock s;
			int r;

			if (body < sizeof(m))
				return bad(why, wlen, "vsock_diag message of %zu bytes, expected %zu",
					   body, sizeof(m));
			memcpy(&m, data, sizeof(m));
			if (m.vdiag_family != AF_VSOCK)
				return bad(why, wlen, "vsock_diag message of address family %u",
					   m.vdiag_family);
			memset(&s, 0, sizeof(s));
			s.type = m.vdiag_type;
			s.state = m.vdiag_state;
			s.shutdown = m.vdiag_shutdown;
			s.src_cid = m.vdiag_src_cid;
			s.src_port = m.vdiag_src_port;
			s.dst_cid = m.vdiag_dst_cid;
			s.dst_port = m.vdiag_dst_port;
			s.ino = m.vdiag_ino;
			s.cookie[0] = m.vdiag_cookie[0];
			s.cookie[1] = m.vdiag_cookie[1];
			r = fn ? fn(&s, arg) : 0;
			if (r < 0)
				return r;
			break;
		}
		default:
			return bad(why, wlen, "unexpected netlink message type %u", h.nlmsg_type);
		}
		/* the next message starts aligned; the last one may end unaligned */
		if (NLMSG_ALIGN(h.nlmsg_len) >= left)
			break;
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
	return 0;
}

struct counter {
	vs_diag_fn fn;
	void *arg;
	long n;
};

static int count_one(const struct vs_diag_sock *s, void *arg)
{
	struct counter *c = arg;

	c->n++;
	return c->fn ? c->fn(s, c->arg) : 0;
}

long vs_diag_dump(uint32_t states, vs_diag_fn fn, void *arg, char *why, size_t wlen)
{
	static uint32_t seq_base = 0x56534400;	/* "VSD" */
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct counter c = { fn, arg, 0 };
	struct timeval timeout = { .tv_sec = 10 };
	/* The kernel sizes its dump messages after the reader's buffer (up to 32 KiB). */
	static unsigned char buf[65536] __attribute__((aligned(8)));
	uint32_t seq = ++seq_base;
	size_t n = vs_diag_build_req(buf, sizeof(buf), states, seq);
	int fd, r = 0;

	why[0] = '\0';
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0) {
		snprintf(why, wlen, "socket(NETLINK_SOCK_DIAG): %s", strerror(errno));
		return -1;
	}
	/* the kernel answers at once; a reply that never ends is reported, not waited for */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout))) {
		snprintf(why, wlen, "SO_RCVTIMEO on the netlink socket: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (sendto(fd, buf, n, 0, (struct sockaddr *)&kernel, sizeof(kernel)) != (ssize_t)n) {
		snprintf(why, wlen, "sending the sock_diag request: %s", strerror(errno));
		close(fd);
		return -1;
	}
	while (r == 0) {
		ssize_t got = recv(fd, buf, sizeof(buf), 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(why, wlen, "reading the sock_diag reply: %s", errno == EAGAIN ?
				 "no complete reply after 10 s" : strerror(errno));
			close(fd);
			return -1;
		}
		r = vs_diag_parse(buf, (size_t)got, seq, count_one, &c, why, wlen);
	}
	close(fd);
	if (r == -ENOENT) {
		snprintf(why, wlen, "sock_diag: the kernel has no AF_VSOCK handler (%s): the vsock_diag "
			 "module is not loaded; load it with 'modprobe vsock_diag'", strerror(ENOENT));
		return -1;
	}
	if (r < 0) {	/* the kernel's error, a malformed reply, or fn's own error */
		if (!why[0])
			snprintf(why, wlen, "listing vsock sockets: %s", strerror(-r));
		return -1;
	}
	return c.n;
}
