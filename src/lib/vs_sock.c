// SPDX-License-Identifier: GPL-2.0-only
#include "vs_sock.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/vm_sockets_diag.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>

const char *vs_sock_err_hint(int err)
{
	switch (err) {
	case ENOBUFS:
		return " (the kernel dropped a packet and reset the connection: this socket's receive "
		       "queue held too many small packets for its vsock buffer size; see README, "
		       "'Small writes and ENOBUFS')";
	case EPIPE:
	case ECONNRESET:
		return " (the peer closed or reset the connection)";
	default:
		return "";
	}
}

const char *vs_type_name(int type)
{
	switch (type) {
	case SOCK_STREAM:
		return "STREAM";
	case SOCK_SEQPACKET:
		return "SEQPACKET";
	case SOCK_DGRAM:
		return "DGRAM";
	default:
		return "?";
	}
}

static union vs_addr make_addr(uint32_t cid, uint32_t port)
{
	union vs_addr a = { .svm = { .svm_family = AF_VSOCK } };

	a.svm.svm_cid = cid;
	a.svm.svm_port = port;
	return a;
}

int vs_socket(int type)
{
	int fd = socket(AF_VSOCK, type | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

int vs_connect_fd(int fd, uint32_t cid, uint32_t port)
{
	union vs_addr a = make_addr(cid, port);

	while (connect(fd, &a.sa, sizeof(a.svm)) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int vs_connect(int type, uint32_t cid, uint32_t port)
{
	int fd = vs_socket(type), err;

	if (fd < 0)
		return fd;
	err = vs_connect_fd(fd, cid, port);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int vs_listen(int type, uint32_t port, int backlog)
{
	union vs_addr a = make_addr(VMADDR_CID_ANY, port);
	int fd, err;

	fd = socket(AF_VSOCK, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, &a.sa, sizeof(a.svm)) < 0 || listen(fd, backlog) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int vs_accept(int lfd)
{
	int fd;

	do
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	return fd < 0 ? -errno : fd;
}

int vs_accept_timeout(int lfd, int timeout_ms, const atomic_bool *stop)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR && !(stop && atomic_load(stop)));
	if (r == 0)
		return -ETIMEDOUT;
	if (r < 0)
		return -errno;
	return vs_accept(lfd);
}

static int addr_of(int fd, uint32_t *cid, uint32_t *port, bool peer)
{
	union vs_addr a;
	socklen_t len = sizeof(a.svm);
	int r = peer ? getpeername(fd, &a.sa, &len) : getsockname(fd, &a.sa, &len);

	if (r < 0)
		return -errno;
	if (cid)
		*cid = a.svm.svm_cid;
	if (port)
		*port = a.svm.svm_port;
	return 0;
}

int vs_local_addr(int fd, uint32_t *cid, uint32_t *port)
{
	return addr_of(fd, cid, port, false);
}

int vs_peer_addr(int fd, uint32_t *cid, uint32_t *port)
{
	return addr_of(fd, cid, port, true);
}

int vs_get_buffer_size(int fd, uint64_t *got)
{
	unsigned long long v = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, &v, &len) < 0)
		return -errno;
	*got = v;
	return 0;
}

int vs_set_buffer_size(int fd, uint64_t want, uint64_t *got)
{
	unsigned long long v = want;

	if (setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_MAX_SIZE, &v, sizeof(v)) < 0)
		return -errno;
	if (setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, &v, sizeof(v)) < 0)
		return -errno;
	return vs_get_buffer_size(fd, got);
}

int vs_set_rcvlowat(int fd, int bytes)
{
	if (setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof(bytes)) < 0)
		return -errno;
	return 0;
}

int vs_set_connect_timeout(int fd, double seconds)
{
	struct timeval tv = {
		.tv_sec = (time_t)seconds,
		.tv_usec = (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6),
	};

	if (setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}

int vs_local_cid(uint32_t *cid)
{
	unsigned int v = 0;
	int fd = open("/dev/vsock", O_RDONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, IOCTL_VM_SOCKETS_GET_LOCAL_CID, &v) < 0)
		err = -errno;
	close(fd);
	if (!err)
		*cid = v;
	return err;
}

ssize_t vs_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t vs_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, p + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int vs_vsock_listening(uint32_t port)
{
	struct {
		struct nlmsghdr nlh;
		struct vsock_diag_req req;
	} q = {
		.nlh = { .nlmsg_len = sizeof(q), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.req = { .sdiag_family = AF_VSOCK, .vdiag_states = 1U << 10 /* TCP_LISTEN */ },
	};
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	long buf[8192 / sizeof(long)];
	int fd, found = 0, err = 0;
	bool done = false;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &q, sizeof(q), 0, (struct sockaddr *)&nl, sizeof(nl)) < 0)
		err = -errno;
	while (!err && !done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EPROTO;
			break;
		}
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			const struct vsock_diag_msg *m = NLMSG_DATA(h);

			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				err = e->error ? e->error : -EPROTO;
				break;
			}
			if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY && m->vdiag_state == 10 &&
			    m->vdiag_src_port == port)
				found = 1;
		}
	}
	close(fd);
	return err ? err : found;
}
