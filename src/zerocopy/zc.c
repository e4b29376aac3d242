// SPDX-License-Identifier: GPL-2.0-only
/* The zerocopy receive calls of vsock_zc.h, and a reader for both receive modes. */
#include "rx_zerocopy.h"
#include "vs_clock.h"
#include "vs_sock.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

size_t zc_page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (size_t)p : 4096;
}

int zc_set_rx(int fd, int on)
{
	if (setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_ZEROCOPY_RX, &on, sizeof(on)) < 0)
		return -errno;
	return 0;
}

int zc_get_rx(int fd, int *on)
{
	socklen_t len = sizeof(*on);

	if (getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_ZEROCOPY_RX, on, &len) < 0)
		return -errno;
	return 0;
}

int zc_supported(void)
{
	int fd = vs_socket(SOCK_STREAM), err;

	if (fd < 0)
		return fd;
	err = zc_set_rx(fd, 1);
	close(fd);
	if (err == -ZC_NO_KERNEL_ERRNO)
		return 0;
	return err ? err : 1;
}

void *zc_map(int fd, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static bool stopped(const atomic_bool *stop)
{
	return stop && atomic_load(stop);
}

/* zc_receive_flags(); an interrupted call is retried unless *stop is set. */
static int receive_call(int fd, void *addr, size_t len, unsigned int flags,
			struct vsock_zerocopy_receive *zc, const atomic_bool *stop)
{
	socklen_t optlen = sizeof(*zc);
	int r;

	*zc = (struct vsock_zerocopy_receive){
		.address = (uintptr_t)addr, .length = (__u32)len, .flags = flags,
	};
	do
		r = getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_ZEROCOPY_RECEIVE, zc, &optlen);
	while (r < 0 && errno == EINTR && !stopped(stop));
	if (r < 0)
		return -errno;
	/* a kernel of the struct's first version read no flags */
	if (flags && optlen < sizeof(*zc))
		return -EOPNOTSUPP;
	return 0;
}

int zc_receive_flags(int fd, void *addr, size_t len, unsigned int flags,
		     struct vsock_zerocopy_receive *zc)
{
	return receive_call(fd, addr, len, flags, zc, NULL);
}

int zc_receive(int fd, void *addr, size_t len, struct vsock_zerocopy_receive *zc)
{
	return zc_receive_flags(fd, addr, len, 0, zc);
}

int zc_release(void *addr, size_t len)
{
	return madvise(addr, len, MADV_DONTNEED) < 0 ? -errno : 0;
}

/* One read()/recvmsg() of up to len bytes into r->buf. */
static ssize_t read_some(struct zc_reader *r, size_t len, zc_data_fn fn, void *ctx)
{
	struct iovec iov = { .iov_base = r->buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	uint64_t t0 = vs_now_ns();
	ssize_t n;

	do
		n = recvmsg(r->fd, &msg, 0);
	while (n < 0 && errno == EINTR && !stopped(r->stop));
	r->io_ns += vs_now_ns() - t0;
	r->reads++;
	if (n < 0) {
		r->failed_call = r->seqpacket ? "recvmsg" : "read";
		return -errno;
	}
	if (n == 0)
		return 0;
	if (r->seqpacket && (msg.msg_flags & MSG_TRUNC)) {
		r->failed_call = "recvmsg";
		return -EMSGSIZE;
	}
	fn(ctx, r->buf, (size_t)n, r->seqpacket && (msg.msg_flags & MSG_EOR));
	r->copied += (uint64_t)n;
	r->bytes += (uint64_t)n;
	return n;
}

/*
 * The bytes of recv_skip_hint. STREAM reads exactly that many; SEQPACKET
 * reads the rest of the record in one recvmsg() (a shorter buffer would
 * truncate it), so it may take more than the hint.
 */
static ssize_t read_skipped(struct zc_reader *r, size_t skip, zc_data_fn fn, void *ctx)
{
	size_t done = 0;

	while (done < skip) {
		size_t want = r->seqpacket ? r->buf_len
			      : skip - done < r->buf_len ? skip - done : r->buf_len;
		ssize_t n = read_some(r, want, fn, ctx);

		if (n <= 0) {
			if (n == 0) {	/* the kernel promised these bytes */
				r->failed_call = "read";
				return -EPROTO;
			}
			return n;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static ssize_t zc_next(struct zc_reader *r, zc_data_fn fn, void *ctx)
{
	struct vsock_zerocopy_receive zc;
	uint64_t t0 = vs_now_ns();
	ssize_t got = 0, n;
	int err;

	err = receive_call(r->fd, r->map, r->win,
			   r->implicit_release ? VSOCK_ZEROCOPY_RECEIVE_RELEASE : 0, &zc, r->stop);
	r->io_ns += vs_now_ns() - t0;
	r->zc_calls++;
	if (err) {
		r->failed_call = err == -EOPNOTSUPP && r->implicit_release
			? "getsockopt(SO_VM_SOCKETS_ZEROCOPY_RECEIVE) with VSOCK_ZEROCOPY_RECEIVE_RELEASE "
			  "(this kernel knows no flags)"
			: "getsockopt(SO_VM_SOCKETS_ZEROCOPY_RECEIVE)";
		return err;
	}
	if (zc.err) {
		r->failed_call = "getsockopt(SO_VM_SOCKETS_ZEROCOPY_RECEIVE) (pending error)";
		return -zc.err;
	}
	if (zc.length) {
		fn(ctx, r->map, zc.length, r->seqpacket && (zc.msg_flags & MSG_EOR));
		r->mapped += zc.length;
		r->bytes += zc.length;
		got = zc.length;
		if (!r->implicit_release) {
			t0 = vs_now_ns();
			err = zc_release(r->map, zc.length);
			r->io_ns += vs_now_ns() - t0;
			if (err) {
				r->failed_call = "madvise(MADV_DONTNEED)";
				return err;
			}
		}
	}
	if (zc.recv_skip_hint) {
		n = read_skipped(r, zc.recv_skip_hint, fn, ctx);
		if (n < 0)
			return n;
		got += n;
	}
	if (!got && zc.inq) {
		r->failed_call = "getsockopt(SO_VM_SOCKETS_ZEROCOPY_RECEIVE) (no bytes mapped "
				 "and no recv_skip_hint while bytes are queued)";
		return -EPROTO;
	}
	return got;
}

ssize_t zc_reader_next(struct zc_reader *r, zc_data_fn fn, void *ctx)
{
	r->failed_call = NULL;
	return r->zerocopy ? zc_next(r, fn, ctx) : read_some(r, r->buf_len, fn, ctx);
}
