/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zc_kernel_test CASE: checks the zerocopy receive kernel patches
 * (kernel-patches/) through the API of src/zerocopy/vsock_zc.h, over
 * vsock_loopback inside the test VM (tests/vm/t_zc_kernel.sh runs it).
 * Both ends live in this process (or a forked sender), on CID 1.
 *
 *   api        option rules, mmap() rules and the getsockopt() errnos
 *   stream     a verified 8 MiB STREAM transfer through mapped pages
 *   ebusy      a call before release is EBUSY; the socket stays usable
 *   credit     mapped bytes are credited to the sender when mapped: it can
 *              refill the buffer (not more) while the pages stay mapped
 *   seqpacket  record ends survive mapping (MSG_EOR) and skipped bytes
 *   leak       closing with pages mapped and queued frees them all
 *
 * Exit 0 when the case passed, 1 with a one-line reason when it failed,
 * 77 when the kernel has no zerocopy receive (unpatched), 2 on bad usage.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vs_guard.h"
#include "vs_pattern.h"
#include "../../src/zerocopy/vsock_zc.h"

/* each listener takes the next port, so several can coexist */
static unsigned int port = 5099;
#define SEED 42

static size_t pg;

static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("zc_kernel_test: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

#define CHECK(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)
/* expect call to fail with errno e */
#define EXPECT_ERR(call, e, what) do { \
	errno = 0; \
	CHECK((call) == -1 && errno == (e), "%s: expected %s, got %s", what, \
	      strerrorname_np(e), errno ? strerrorname_np(errno) : "success"); \
} while (0)

static int vsock(int type)
{
	int fd = socket(AF_VSOCK, type, 0);

	CHECK(fd >= 0, "socket(AF_VSOCK): %s", strerror(errno));
	return fd;
}

static int set_zc(int fd, int on)
{
	return setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_ZEROCOPY_RX, &on, sizeof(on));
}

static int listener(int type, bool zc, unsigned long long bufsize)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY,
				 .svm_port = ++port };
	int fd = vsock(type);

	if (zc && set_zc(fd, 1))
		fail("setsockopt(SO_VM_SOCKETS_ZEROCOPY_RX) on a new socket: %s", strerror(errno));
	if (bufsize) {
		CHECK(!setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_MAX_SIZE, &bufsize, sizeof(bufsize)) &&
		      !setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, &bufsize, sizeof(bufsize)),
		      "SO_VM_SOCKETS_BUFFER_SIZE %llu: %s", bufsize, strerror(errno));
	}
	CHECK(!bind(fd, (struct sockaddr *)&a, sizeof(a)), "bind port %u: %s", port, strerror(errno));
	CHECK(!listen(fd, 4), "listen: %s", strerror(errno));
	return fd;
}

/* connects to the newest listener */
static int connect_local(int type)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_LOCAL,
				 .svm_port = port };
	int fd = vsock(type);

	CHECK(!connect(fd, (struct sockaddr *)&a, sizeof(a)), "connect 1:%u: %s", port, strerror(errno));
	return fd;
}

/* a connected pair: *c the client, return the accepted socket */
static int pair(int type, bool zc, unsigned long long bufsize, int *c)
{
	int l = listener(type, zc, bufsize), s;

	*c = connect_local(type);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", strerror(errno));
	close(l);
	return s;
}

static int zc_call(int fd, void *addr, size_t len, struct vsock_zerocopy_receive *zc)
{
	socklen_t zl = sizeof(*zc);

	memset(zc, 0, sizeof(*zc));
	zc->address = (uintptr_t)addr;
	zc->length = len;
	return getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_ZEROCOPY_RECEIVE, zc, &zl);
}

static void *map_window(int fd, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);

	CHECK(p != MAP_FAILED, "mmap(PROT_READ, %zu) of an opted-in socket: %s", len, strerror(errno));
	return p;
}

static void release(void *p, size_t len)
{
	CHECK(!madvise(p, len, MADV_DONTNEED), "madvise(MADV_DONTNEED): %s", strerror(errno));
}

static void send_all(int fd, uint64_t *off, size_t len, int flags)
{
	static char buf[256 * 1024];

	CHECK(len <= sizeof(buf), "send_all: %zu too long", len);
	vs_pattern_fill(buf, len, *off, SEED);
	for (size_t done = 0; done < len;) {
		ssize_t n = send(fd, buf + done, len - done, flags);

		CHECK(n > 0, "send: %s", n ? strerror(errno) : "0 bytes");
		done += n;
	}
	*off += len;
}

/* receive exactly len bytes by recv(), verifying them at stream offset *off */
static void recv_verify(int fd, uint64_t *off, size_t len, int *flags)
{
	char buf[65536];

	*flags = 0;
	while (len) {
		struct iovec iov = { buf, len < sizeof(buf) ? len : sizeof(buf) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(fd, &m, 0);
		size_t bad;

		CHECK(n > 0, "recv of %zu skipped bytes: %s", len, n ? strerror(errno) : "end of stream");
		bad = vs_pattern_check(buf, n, *off, SEED);
		CHECK(bad == (size_t)n, "recv: wrong byte at stream offset %llu",
		      (unsigned long long)(*off + bad));
		*off += n;
		len -= n;
		*flags |= m.msg_flags;
	}
}

static void verify_mapped(const void *p, size_t len, uint64_t *off)
{
	size_t bad = vs_pattern_check(p, len, *off, SEED);

	CHECK(bad == len, "mapped page: wrong byte at stream offset %llu",
	      (unsigned long long)(*off + bad));
	*off += len;
}

static void case_api(void)
{
	struct vsock_zerocopy_receive zc;
	int l, c, s, plain_c, plain_s, on;
	socklen_t ol = sizeof(on);
	char *w;

	/* option: reads back, inherited, refused once connected */
	l = listener(SOCK_STREAM, true, 0);
	CHECK(!getsockopt(l, AF_VSOCK, SO_VM_SOCKETS_ZEROCOPY_RX, &on, &ol) && on == 1 && ol == sizeof(int),
	      "getsockopt(SO_VM_SOCKETS_ZEROCOPY_RX) on the listener: %s, value %d", strerror(errno), on);
	short tiny = 1;
	EXPECT_ERR(setsockopt(l, AF_VSOCK, SO_VM_SOCKETS_ZEROCOPY_RX, &tiny, sizeof(tiny)), EINVAL,
		   "setsockopt with optlen 2");
	c = connect_local(SOCK_STREAM);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", strerror(errno));
	on = 0;
	CHECK(!getsockopt(s, AF_VSOCK, SO_VM_SOCKETS_ZEROCOPY_RX, &on, &ol) && on == 1,
	      "the accepted socket did not inherit SO_VM_SOCKETS_ZEROCOPY_RX (value %d)", on);
	EXPECT_ERR(set_zc(c, 1), EISCONN, "setsockopt(SO_VM_SOCKETS_ZEROCOPY_RX) on a connected socket");
	EXPECT_ERR(set_zc(s, 0), EISCONN, "setsockopt(SO_VM_SOCKETS_ZEROCOPY_RX) on an accepted socket");

	/* mmap rules */
	errno = 0;
	CHECK(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0) == MAP_FAILED && errno == EPERM,
	      "writable mmap: expected EPERM, got %s", errno ? strerror(errno) : "a mapping");
	errno = 0;
	CHECK(mmap(NULL, pg, PROT_READ | PROT_EXEC, MAP_SHARED, s, 0) == MAP_FAILED && errno == EPERM,
	      "executable mmap: expected EPERM, got %s", errno ? strerror(errno) : "a mapping");
	errno = 0;
	CHECK(mmap(NULL, pg, PROT_READ, MAP_SHARED, s, pg) == MAP_FAILED && errno == EINVAL,
	      "mmap at offset 1 page: expected EINVAL, got %s", errno ? strerror(errno) : "a mapping");
	errno = 0;
	CHECK(mmap(NULL, pg, PROT_READ, MAP_SHARED, c, 0) == MAP_FAILED && errno == EINVAL,
	      "mmap of a socket that did not opt in: expected EINVAL, got %s", errno ? strerror(errno) : "a mapping");
	w = map_window(s, 4 * pg);
	EXPECT_ERR(mprotect(w, pg, PROT_READ | PROT_WRITE), EACCES, "mprotect(PROT_WRITE) of the window");

	/* getsockopt argument errnos */
	socklen_t small = sizeof(zc) - 4;
	memset(&zc, 0, sizeof(zc));
	zc.address = (uintptr_t)w;
	zc.length = pg;
	EXPECT_ERR(getsockopt(s, AF_VSOCK, SO_VM_SOCKETS_ZEROCOPY_RECEIVE, &zc, &small), EINVAL, "optlen too small");
	zc.reserved = 1;
	socklen_t zl = sizeof(zc);
	EXPECT_ERR(getsockopt(s, AF_VSOCK, SO_VM_SOCKETS_ZEROCOPY_RECEIVE, &zc, &zl), EINVAL, "reserved != 0");
	EXPECT_ERR(zc_call(s, w + 1, pg, &zc), EINVAL, "unaligned address");
	EXPECT_ERR(zc_call(s, w, 0, &zc), EINVAL, "length 0");
	EXPECT_ERR(zc_call(s, w, pg + 1, &zc), EINVAL, "length not a page multiple");
	EXPECT_ERR(zc_call(s, w, 8 * pg, &zc), EINVAL, "range beyond the mapping");
	EXPECT_ERR(zc_call(s, &zc, pg, &zc), EINVAL, "address outside any mapping of the socket");
	plain_s = pair(SOCK_STREAM, false, 0, &plain_c);
	EXPECT_ERR(zc_call(plain_s, w, pg, &zc), EINVAL, "socket that did not opt in");

	/* a listener is not connected */
	int l2 = listener(SOCK_STREAM, true, 0);
	char *w2 = map_window(l2, pg);
	EXPECT_ERR(zc_call(l2, w2, pg, &zc), ENOTCONN, "listening socket");
	munmap(w2, pg);
	close(l2);

	/* nonblocking with nothing queued */
	struct timeval tv = { 0, 200000 };
	CHECK(!setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), "SO_RCVTIMEO: %s", strerror(errno));
	EXPECT_ERR(zc_call(s, w, pg, &zc), EAGAIN, "nothing queued, SO_RCVTIMEO 200 ms");

	/* the socket is still usable after all of these */
	uint64_t so = 0, ro = 0;
	int flags;
	send_all(c, &so, 3 * pg, 0);
	size_t got = 0;
	while (got < 3 * pg) {
		CHECK(!zc_call(s, w, 4 * pg, &zc), "zerocopy receive after the errors: %s", strerror(errno));
		verify_mapped(w, zc.length, &ro);
		got += zc.length;
		if (zc.recv_skip_hint) {
			recv_verify(s, &ro, zc.recv_skip_hint, &flags);
			got += zc.recv_skip_hint;
		}
		release(w, 4 * pg);
	}
	CHECK(got == 3 * pg && ro == 3 * pg, "received %zu bytes, sent %llu", got, (unsigned long long)so);

	/* DGRAM: no such option (when the kernel has a datagram transport at all) */
	int d = socket(AF_VSOCK, SOCK_DGRAM, 0);
	if (d >= 0) {
		EXPECT_ERR(set_zc(d, 1), EOPNOTSUPP, "SO_VM_SOCKETS_ZEROCOPY_RX on a SOCK_DGRAM socket");
		close(d);
	}
	munmap(w, 4 * pg);
	close(c); close(s); close(l); close(plain_c); close(plain_s);
}

/* a forked sender: writes total bytes of the pattern in chunks of wsize, then closes */
static pid_t sender(int type, int fd, size_t total, size_t wsize)
{
	pid_t pid = fork();

	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		uint64_t off = 0;

		while (off < total) {
			size_t n = total - off < wsize ? total - off : wsize;

			send_all(fd, &off, n, type == SOCK_SEQPACKET ? MSG_EOR : 0);
		}
		close(fd);
		_exit(0);
	}
	close(fd);
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st), "the sender failed");
}

static void case_stream(void)
{
	const size_t total = 8 << 20, win = 64 * pg;
	struct vsock_zerocopy_receive zc;
	uint64_t off = 0, mapped = 0, copied = 0;
	int c, s = pair(SOCK_STREAM, true, 0, &c), flags;
	char *w = map_window(s, win);
	/* odd write sizes: pages split across packets, partial pages to skip */
	pid_t pid = sender(SOCK_STREAM, c, total, 65536 + 1000);

	for (;;) {
		CHECK(!zc_call(s, w, win, &zc), "zerocopy receive at offset %llu: %s",
		      (unsigned long long)off, strerror(errno));
		CHECK(zc.length % pg == 0 && zc.length <= win, "mapped %u bytes", zc.length);
		if (!zc.length && !zc.recv_skip_hint) {
			CHECK(zc.inq == 0 && zc.err == 0, "end of stream with inq %u err %d", zc.inq, zc.err);
			break;
		}
		verify_mapped(w, zc.length, &off);
		mapped += zc.length;
		release(w, win);
		if (zc.recv_skip_hint) {
			recv_verify(s, &off, zc.recv_skip_hint, &flags);
			copied += zc.recv_skip_hint;
		}
	}
	reap(pid);
	CHECK(off == total, "received %llu bytes, sent %zu", (unsigned long long)off, total);
	CHECK(mapped >= total / 2, "only %llu of %zu bytes were mapped", (unsigned long long)mapped, total);
	printf("stream: %zu bytes verified, %llu mapped, %llu by recv()\n", total,
	       (unsigned long long)mapped, (unsigned long long)copied);
	munmap(w, win);
	close(s);
}

/* poll() until at least want bytes are queued (SO_RCVLOWAT), up to 5 s */
static void wait_queued(int s, int want)
{
	struct pollfd p = { s, POLLIN, 0 };

	CHECK(!setsockopt(s, SOL_SOCKET, SO_RCVLOWAT, &want, sizeof(want)), "SO_RCVLOWAT %d: %s",
	      want, strerror(errno));
	CHECK(poll(&p, 1, 5000) == 1, "%d bytes were not queued within 5 s", want);
	want = 1;
	setsockopt(s, SOL_SOCKET, SO_RCVLOWAT, &want, sizeof(want));
}

static void case_ebusy(void)
{
	struct vsock_zerocopy_receive zc;
	uint64_t so = 0, ro = 0;
	int c, s = pair(SOCK_STREAM, true, 0, &c), flags;
	char *w = map_window(s, 8 * pg);

	send_all(c, &so, 8 * pg, 0);
	wait_queued(s, 8 * pg);
	CHECK(!zc_call(s, w, 4 * pg, &zc) && zc.length == 4 * pg,
	      "first call: %s, %u bytes mapped", strerror(errno), zc.length);
	CHECK(zc.inq == 4 * pg, "inq %u after mapping 4 of 8 pages", zc.inq);
	verify_mapped(w, zc.length, &ro);
	EXPECT_ERR(zc_call(s, w + 4 * pg, 4 * pg, &zc), EBUSY, "second call before release");
	/* releasing only part of the batch is not enough */
	release(w, 2 * pg);
	EXPECT_ERR(zc_call(s, w + 4 * pg, 4 * pg, &zc), EBUSY, "call with half of the batch released");
	/* recv() still works meanwhile */
	recv_verify(s, &ro, 100, &flags);
	release(w + 2 * pg, 2 * pg);
	/* the head is no longer page-aligned: the rest of that page is skipped */
	CHECK(!zc_call(s, w, 8 * pg, &zc), "call after release: %s", strerror(errno));
	CHECK(zc.length == 0 && zc.recv_skip_hint == pg - 100 && zc.inq == 4 * pg - 100,
	      "after recv() of 100 bytes: mapped %u, skip %u, inq %u (expected 0, %zu, %zu)",
	      zc.length, zc.recv_skip_hint, zc.inq, pg - 100, 4 * pg - 100);
	recv_verify(s, &ro, zc.recv_skip_hint, &flags);
	CHECK(!zc_call(s, w, 8 * pg, &zc) && zc.length == 3 * pg && !zc.recv_skip_hint && !zc.inq,
	      "the last 3 pages: %s, mapped %u, skip %u, inq %u", strerror(errno), zc.length,
	      zc.recv_skip_hint, zc.inq);
	verify_mapped(w, zc.length, &ro);
	CHECK(ro == so, "received %llu of %llu bytes", (unsigned long long)ro, (unsigned long long)so);
	release(w, 8 * pg);
	close(c);
	CHECK(!zc_call(s, w, 8 * pg, &zc) && zc.length == 0 && zc.recv_skip_hint == 0 && zc.inq == 0,
	      "end of stream: %s, length %u skip %u inq %u", strerror(errno), zc.length, zc.recv_skip_hint, zc.inq);
	munmap(w, 8 * pg);
	close(s);
}

/*
 * nonblocking 4 KiB sends of the pattern at *off whenever poll() says POLLOUT, until want
 * bytes went out or no credit came for 5 s; the bytes sent (more than want when the
 * sender got more credit)
 */
static size_t send_credit(int fd, uint64_t *off, size_t want)
{
	struct pollfd p = { fd, POLLOUT, 0 };
	char b[4096];
	size_t done = 0;

	while (done < want && poll(&p, 1, 5000) == 1 && (p.revents & POLLOUT)) {
		size_t before = done;
		ssize_t n;

		for (;;) {
			vs_pattern_fill(b, sizeof(b), *off, SEED);
			n = send(fd, b, sizeof(b), MSG_DONTWAIT);
			if (n < 0)
				break;
			*off += n;
			done += n;
		}
		CHECK(errno == EAGAIN, "send: %s", strerror(errno));
		if (done == before)
			break;
	}
	return done;
}

/*
 * mapped bytes are consumed when mapped (like bytes read by recv()): while they stay
 * mapped the sender gets their credit back, one more buffer and no more; after the
 * release the next call maps the bytes sent meanwhile
 */
static void case_credit(void)
{
	const int buf = 64 * 1024;
	struct vsock_zerocopy_receive zc;
	uint64_t so = 0, ro = 0;
	int c, s = pair(SOCK_STREAM, true, buf, &c);
	char *w = map_window(s, buf);
	char b[4096] = { 0 };
	size_t more;

	send_all(c, &so, buf, 0);
	wait_queued(s, buf);
	errno = 0;
	CHECK(send(c, b, sizeof(b), MSG_DONTWAIT) == -1 && errno == EAGAIN,
	      "send into the full %d-byte buffer: expected EAGAIN, got %s", buf,
	      errno ? strerror(errno) : "success");
	CHECK(!zc_call(s, w, buf, &zc) && zc.length == (unsigned)buf && zc.inq == 0,
	      "mapping the whole buffer: %s, %u bytes, inq %u", strerror(errno), zc.length, zc.inq);
	verify_mapped(w, zc.length, &ro);
	/* the pages stay mapped, and the sender refills the buffer */
	more = send_credit(c, &so, buf);
	CHECK(more == (size_t)buf, "while %d bytes stayed mapped the sender could send %zu bytes "
	      "within 5 s (expected %d: their credit, no more)", buf, more, buf);
	usleep(300000);
	errno = 0;
	CHECK(send(c, b, sizeof(b), MSG_DONTWAIT) == -1 && errno == EAGAIN,
	      "send with a full buffer and %d bytes mapped: expected EAGAIN, got %s", buf,
	      errno ? strerror(errno) : "success");
	wait_queued(s, buf);
	EXPECT_ERR(zc_call(s, w, buf, &zc), EBUSY, "call with the first window still mapped");
	release(w, buf);
	CHECK(!zc_call(s, w, buf, &zc) && zc.length == (unsigned)buf && zc.inq == 0,
	      "after the release: %s, %u bytes mapped, inq %u (expected %d, 0)", strerror(errno),
	      zc.length, zc.inq, buf);
	verify_mapped(w, zc.length, &ro);
	CHECK(ro == so, "received %llu of %llu bytes", (unsigned long long)ro, (unsigned long long)so);
	munmap(w, buf);
	close(c);
	close(s);
}

/* SEQPACKET: records of these sizes, each sent with MSG_EOR */
static void case_seqpacket(void)
{
	const size_t sizes[] = { 3 * 4096, 4096 + 100, 50, 5 * 4096, 4096, 2 * 4096 - 1 };
	const size_t n = sizeof(sizes) / sizeof(sizes[0]);
	struct vsock_zerocopy_receive zc;
	uint64_t so = 0, ro = 0;
	int c, s = pair(SOCK_SEQPACKET, true, 0, &c), flags;
	char *w = map_window(s, 16 * pg);
	size_t rec = 0, inrec = 0, mapped = 0;

	CHECK(pg == 4096, "page size %zu: the record sizes assume 4096", pg);
	for (size_t i = 0; i < n; i++)
		send_all(c, &so, sizes[i], MSG_EOR);
	close(c);
	while (rec < n) {
		CHECK(!zc_call(s, w, 16 * pg, &zc), "record %zu: %s", rec, strerror(errno));
		CHECK(zc.length || zc.recv_skip_hint, "record %zu: nothing mapped or to skip", rec);
		verify_mapped(w, zc.length, &ro);
		inrec += zc.length;
		mapped += zc.length;
		release(w, 16 * pg);
		if (zc.msg_flags & MSG_EOR) {
			CHECK(!zc.recv_skip_hint, "record %zu ended in the mapped bytes, skip %u",
			      rec, zc.recv_skip_hint);
		} else {
			CHECK(zc.recv_skip_hint, "record %zu: no MSG_EOR and no bytes to skip", rec);
			recv_verify(s, &ro, zc.recv_skip_hint, &flags);
			inrec += zc.recv_skip_hint;
			if (!(flags & MSG_EOR))
				continue;
		}
		CHECK(inrec == sizes[rec], "record %zu: %zu bytes, sent %zu", rec, inrec, sizes[rec]);
		rec++;
		inrec = 0;
	}
	CHECK(ro == so, "received %llu of %llu bytes", (unsigned long long)ro, (unsigned long long)so);
	CHECK(mapped == 3 * 4096 + 4096 + 5 * 4096 + 4096 + 4096, "mapped %zu bytes", mapped);
	munmap(w, 16 * pg);
	close(s);
}

static long memfree_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = -1;

	CHECK(f, "/proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
			break;
	fclose(f);
	CHECK(kb > 0, "no MemFree in /proc/meminfo");
	return kb;
}

/* one connection: 64 pages sent, 32 mapped and kept mapped, 32 left queued; then both ends
 * close before the window is unmapped
 */
static void leak_round(void)
{
	struct vsock_zerocopy_receive zc;
	uint64_t so = 0, ro = 0;
	int c, s = pair(SOCK_STREAM, true, 0, &c);
	char *w = map_window(s, 32 * pg);

	send_all(c, &so, 64 * pg, 0);
	wait_queued(s, 64 * pg);
	CHECK(!zc_call(s, w, 32 * pg, &zc) && zc.length == 32 * pg, "leak round: %s, mapped %u",
	      strerror(errno), zc.length);
	verify_mapped(w, zc.length, &ro);
	close(c);
	close(s);
	munmap(w, 32 * pg);
}

/* pages mapped or queued at close go back to the allocator: 64 connections that would each
 * leak 64 pages (256 KiB, 16 MiB in all) leave MemFree within 4 MiB of where it was
 */
static void case_leak(void)
{
	long before, after;
	int i;

	for (i = 0; i < 8; i++)	/* warm up slabs and page tables */
		leak_round();
	sleep(1);
	before = memfree_kb();
	for (i = 0; i < 64; i++)
		leak_round();
	sleep(1);	/* the loopback worker frees what is still in flight */
	after = memfree_kb();
	printf("leak: MemFree %ld kB before, %ld kB after 64 connections\n", before, after);
	CHECK(before - after < 4096, "MemFree fell by %ld kB over 64 connections closed with pages "
	      "mapped and queued: pages leak", before - after);
}

int main(int argc, char **argv)
{
	static const struct { const char *name; void (*fn)(void); } cases[] = {
		{ "api", case_api }, { "stream", case_stream }, { "ebusy", case_ebusy },
		{ "credit", case_credit }, { "seqpacket", case_seqpacket }, { "leak", case_leak },
	};
	int fd, on = 0;
	socklen_t ol = sizeof(on);

	if (argc != 2) {
		fprintf(stderr, "usage: zc_kernel_test api|stream|ebusy|credit|seqpacket|leak\n");
		return 2;
	}
	if (!vs_in_testvm()) {
		fprintf(stderr, "zc_kernel_test: refusing to run outside the test VM (no %s)\n",
			VS_TESTVM_MARKER);
		return 3;
	}
	pg = (size_t)sysconf(_SC_PAGESIZE);
	signal(SIGPIPE, SIG_IGN);
	fd = vsock(SOCK_STREAM);
	if (getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_ZEROCOPY_RX, &on, &ol)) {
		printf("SKIP: this kernel has no zerocopy receive (SO_VM_SOCKETS_ZEROCOPY_RX: %s)\n",
		       strerror(errno));
		return 77;
	}
	close(fd);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!strcmp(argv[1], cases[i].name)) {
			cases[i].fn();
			printf("%s: ok\n", argv[1]);
			return 0;
		}
	}
	fprintf(stderr, "zc_kernel_test: unknown case '%s'\n", argv[1]);
	return 2;
}
