// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cases about options and kernel features whose behaviour differs between
 * kernels: MSG_ZEROCOPY, credit updates with SO_RCVLOWAT, SIOCOUTQ/SIOCINQ,
 * buffer sizes, the connect timeout. Each asserts what this side's kernel
 * (uname) must do; README lists the expectations per kernel.
 */
#include "cases.h"
#include "vs_clock.h"

#include <errno.h>
#include <linux/errqueue.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>


#define ZC_LEN (16 * 1024)
#define ZC_SENDS 3

/* The first SO_ZEROCOPY for vsock: Linux 6.7 ("vsock: enable setting SO_ZEROCOPY"). */
static bool has_zerocopy(const struct cf_ctx *ctx)
{
	return cf_kernel_at_least(ctx, 6, 7);
}

/* Nothing on the error queue: recvmsg(MSG_ERRQUEUE) says EAGAIN. */
static void expect_empty_errqueue(struct cf_ctx *ctx, int fd)
{
	char control[128];
	struct msghdr msg = { .msg_control = control, .msg_controllen = sizeof(control) };

	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) >= 0)
		cf_fail(ctx, "the error queue holds an entry; none was expected");
	if (errno != EAGAIN)
		cf_fail(ctx, "recvmsg(MSG_ERRQUEUE) on an empty queue: expected EAGAIN, got %s",
			cf_errname(errno));
}

/* Reaps completions from *next until [0, n-1] is covered; returns how many were copies. */
static uint32_t reap_completions(struct cf_ctx *ctx, int fd, uint32_t *next_p, uint32_t n)
{
	uint32_t next = *next_p, copied = 0;

	while (next < n) {
		char control[CMSG_SPACE(sizeof(struct sock_extended_err)) + 64];
		struct msghdr msg = { .msg_control = control, .msg_controllen = sizeof(control) };
		struct sock_extended_err *ee = NULL;
		struct cmsghdr *cm;

		if (!(cf_poll(ctx, fd, 0, ctx->wait_ms) & POLLERR))
			cf_fail(ctx, "MSG_ZEROCOPY: no completion for send %u within %d ms", next,
				ctx->wait_ms);
		if (recvmsg(fd, &msg, MSG_ERRQUEUE) < 0)
			cf_fail(ctx, "recvmsg(MSG_ERRQUEUE): %s", cf_errname(errno));
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
			if (cm->cmsg_level == SOL_VSOCK && cm->cmsg_type == VSOCK_RECVERR)
				ee = (struct sock_extended_err *)CMSG_DATA(cm);
		if (!ee)
			cf_fail(ctx, "error queue entry without a SOL_VSOCK/VSOCK_RECVERR message");
		if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY || ee->ee_errno)
			cf_fail(ctx, "error queue entry: origin %u errno %u, expected a zerocopy "
				"completion", ee->ee_origin, ee->ee_errno);
		if (ee->ee_info != next || ee->ee_data < ee->ee_info || ee->ee_data >= n)
			cf_fail(ctx, "completion for sends %u-%u, expected the range to start at %u "
				"and end before %u", ee->ee_info, ee->ee_data, next, n);
		if (ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
			copied += ee->ee_data - ee->ee_info + 1;
		next = ee->ee_data + 1;
	}
	*next_p = next;
	return copied;
}

/*
 * MSG_ZEROCOPY. Before 6.7, setsockopt(SO_ZEROCOPY) fails with EOPNOTSUPP
 * (sock_setsockopt() allows it for TCP, UDP and RDS only). From 6.7 it is
 * accepted; three sends with MSG_ZEROCOPY each produce a completion on the
 * error queue (SOL_VSOCK, VSOCK_RECVERR, SO_EE_ORIGIN_ZEROCOPY) covering
 * sends 0-2, and the peer receives every byte.
 */
void stream_msg_zerocopy_client(struct cf_ctx *ctx)
{
	int fd = cf_connect(ctx, SOCK_STREAM), one = 1, v = 0;
	socklen_t len = sizeof(v);
	unsigned char *buf = cf_map(ctx, ZC_LEN);
	int r = setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one));

	if (!has_zerocopy(ctx)) {
		if (r == 0)
			cf_fail(ctx, "setsockopt(SO_ZEROCOPY) succeeded on a kernel before 6.7");
		if (errno != EOPNOTSUPP)
			cf_fail(ctx, "setsockopt(SO_ZEROCOPY) before 6.7: expected EOPNOTSUPP, "
				"got %s", cf_errname(errno));
		cf_note(ctx, "before 6.7: SO_ZEROCOPY refused with EOPNOTSUPP as expected");
		cf_send(ctx, "NOZC");
		cf_expect(ctx, "DONE1", NULL, 0);
		cf_unmap(buf, ZC_LEN);
		close(fd);
		return;
	}
	if (r < 0)
		cf_fail(ctx, "setsockopt(SO_ZEROCOPY) on 6.7 or later: %s", cf_errname(errno));
	if (getsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &v, &len) < 0 || v != 1)
		cf_fail(ctx, "SO_ZEROCOPY read back %d (%s), expected 1", v, strerror(errno));
	cf_send(ctx, "ZC");
	for (uint32_t i = 0, next = 0, copied = 0; i < ZC_SENDS; i++) {
		cf_fill(buf, ZC_LEN, 100 + i);
		cf_send_buf(ctx, fd, buf, ZC_LEN, MSG_ZEROCOPY, ZC_LEN);
		/* the pages are the kernel's until completed: reap before refilling */
		copied += reap_completions(ctx, fd, &next, i + 1);
		if (i == ZC_SENDS - 1)
			cf_note(ctx, "%u completions, %u of them copies (SO_EE_CODE_ZEROCOPY_COPIED)",
				ZC_SENDS, copied);
	}
	expect_empty_errqueue(ctx, fd);
	cf_expect(ctx, "DONE1", NULL, 0);
	cf_unmap(buf, ZC_LEN);
	close(fd);
}

void stream_msg_zerocopy_server(struct cf_ctx *ctx)
{
	int fd = cf_accept(ctx, SOCK_STREAM);
	unsigned char *buf = malloc(ZC_LEN);
	char line[VS_CTL_LINE_MAX + 1];

	if (!buf)
		cf_fail(ctx, "out of memory");
	cf_expect(ctx, NULL, line, sizeof(line));
	if (vs_ctl_is(line, "ZC")) {
		for (uint32_t i = 0; i < ZC_SENDS; i++) {
			size_t bad;

			cf_recv_buf(ctx, fd, buf, ZC_LEN, MSG_WAITALL, ZC_LEN);
			bad = cf_check(buf, ZC_LEN, 100 + i);
			if (bad != ZC_LEN)
				cf_fail(ctx, "zerocopy send %u: byte %zu differs", i, bad);
		}
	} else if (!vs_ctl_is(line, "NOZC")) {
		cf_fail(ctx, "control channel: unexpected '%.60s'", line);
	}
	cf_send(ctx, "DONE1");
	free(buf);
	close(fd);
}

/*
 * MSG_ZEROCOPY without SO_ZEROCOPY is ignored on every kernel: the data is
 * copied and sent, and nothing appears on the error queue.
 */
void stream_zerocopy_needs_sockopt_client(struct cf_ctx *ctx)
{
	int fd = cf_connect(ctx, SOCK_STREAM);
	unsigned char *buf = cf_map(ctx, ZC_LEN);

	cf_fill(buf, ZC_LEN, 200);
	cf_send_buf(ctx, fd, buf, ZC_LEN, MSG_ZEROCOPY, ZC_LEN);
	cf_expect(ctx, "RECEIVED", NULL, 0);
	if (cf_poll(ctx, fd, 0, 200) & POLLERR)
		cf_fail(ctx, "POLLERR after a MSG_ZEROCOPY send without SO_ZEROCOPY");
	expect_empty_errqueue(ctx, fd);
	cf_unmap(buf, ZC_LEN);
	close(fd);
}

void stream_zerocopy_needs_sockopt_server(struct cf_ctx *ctx)
{
	int fd = cf_accept(ctx, SOCK_STREAM);
	unsigned char *buf = malloc(ZC_LEN);

	if (!buf)
		cf_fail(ctx, "out of memory");
	cf_recv_buf(ctx, fd, buf, ZC_LEN, MSG_WAITALL, ZC_LEN);
	if (cf_check(buf, ZC_LEN, 200) != ZC_LEN)
		cf_fail(ctx, "the data differs from what was sent");
	cf_send(ctx, "RECEIVED");
	free(buf);
	close(fd);
}

/*
 * Credit updates and SO_RCVLOWAT (upstream's two tests). The receiver has a
 * 128 KiB buffer, full; the sender waits for credit to send one more byte.
 * The receiver reads 64 KiB: 64 KiB of free space is not below the 64 KiB
 * threshold, so no credit update follows on its own. With SO_RCVLOWAT
 * 64 KiB + 1 the reader waits for a byte only a credit update can bring:
 *  - low_rx_bytes (SO_RCVLOWAT set first): the read sends an update because
 *    rx_bytes fell below SO_RCVLOWAT. The fix "virtio/vsock: fix logic
 *    which reduces credit update messages" (6.7) went to the stable trees
 *    (Debian's 6.1.y has it): every kernel must pass, an unfixed one fails;
 *  - set_rcvlowat (SO_RCVLOWAT set after the read): from 6.8 ("virtio/vsock:
 *    send credit update during setting SO_RCVLOWAT") setsockopt sends it.
 * Kernels without the change stall: poll() sees nothing for a second, which
 * is asserted (the case then reads the rest to end the stall).
 */
#define CRED_BUF (128 * 1024)
#define CRED_PKT (64 * 1024)

void stream_cred_upd_client(struct cf_ctx *ctx)
{
	int fd = cf_connect(ctx, SOCK_STREAM);
	char *buf = calloc(1, CRED_BUF + 1), c;

	if (!buf)
		cf_fail(ctx, "out of memory");
	cf_recv_buf(ctx, fd, &c, 1, 0, 1);	/* the receiver is set up */
	cf_send_buf(ctx, fd, buf, CRED_BUF + 1, 0, CRED_BUF + 1);
	cf_expect(ctx, "DONE1", NULL, 0);
	free(buf);
	close(fd);
}

static void cred_upd_server(struct cf_ctx *ctx, bool low_rx_bytes, unsigned int fixed_maj,
			    unsigned int fixed_min)
{
	int fd = cf_accept(ctx, SOCK_STREAM);
	char *buf = malloc(CRED_BUF);
	bool fixed = cf_kernel_at_least(ctx, fixed_maj, fixed_min);
	short ev;

	if (!buf)
		cf_fail(ctx, "out of memory");
	cf_setsockopt_u64(ctx, fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE,
			  "SO_VM_SOCKETS_BUFFER_SIZE", CRED_BUF);
	if (low_rx_bytes)
		cf_setsockopt_int(ctx, fd, SOL_SOCKET, SO_RCVLOWAT, "SO_RCVLOWAT", CRED_PKT + 1);
	cf_send_buf(ctx, fd, "x", 1, 0, 1);
	/* wait until the whole 128 KiB window is queued */
	for (uint64_t end = vs_now_ns() + (uint64_t)ctx->wait_ms * 1000000ULL;;) {
		ssize_t n = recv(fd, buf, CRED_BUF, MSG_PEEK | MSG_DONTWAIT);

		if (n == CRED_BUF)
			break;
		if (n == 0 || (n < 0 && errno != EAGAIN))
			cf_fail(ctx, "MSG_PEEK while the window filled: %s",
				n ? cf_errname(errno) : "end of stream");
		if (vs_now_ns() > end)
			cf_fail(ctx, "the 128 KiB window did not fill (%zd bytes queued)", n);
		vs_sleep_ns(2000000);
	}
	cf_recv_buf(ctx, fd, buf, CRED_PKT, 0, CRED_PKT);
	if (!low_rx_bytes)
		cf_setsockopt_int(ctx, fd, SOL_SOCKET, SO_RCVLOWAT, "SO_RCVLOWAT", CRED_PKT + 1);
	ev = cf_poll(ctx, fd, POLLIN | POLLRDNORM, fixed ? ctx->wait_ms : 1000);
	if (ev & POLLERR)
		cf_fail(ctx, "poll: POLLERR");
	if (fixed) {
		if (!(ev & POLLIN))
			cf_fail(ctx, "no credit update reached the sender: the last byte did not "
				"arrive (poll 0x%x)", ev);
		cf_recv_buf(ctx, fd, buf, CRED_PKT + 1, MSG_DONTWAIT, CRED_PKT + 1);
	} else {
		if (ev)
			cf_fail(ctx, "poll 0x%x: the last byte arrived, but this kernel (before %u.%u) "
				"sends no credit update here", ev, fixed_maj, fixed_min);
		cf_note(ctx, "before %u.%u: the sender stalled without a credit update, as "
			"expected", fixed_maj, fixed_min);
		cf_setsockopt_int(ctx, fd, SOL_SOCKET, SO_RCVLOWAT, "SO_RCVLOWAT", 1);
		cf_recv_buf(ctx, fd, buf, CRED_PKT, 0, CRED_PKT);
		cf_recv_buf(ctx, fd, buf, 1, 0, 1);
	}
	cf_send(ctx, "DONE1");
	free(buf);
	close(fd);
}

void stream_cred_upd_on_low_rx_bytes_server(struct cf_ctx *ctx)
{
	/* a bug fix, backported: Debian's 6.1.y has it, so every kernel here must */
	cred_upd_server(ctx, true, 0, 0);
}

void stream_cred_upd_on_set_rcvlowat_server(struct cf_ctx *ctx)
{
	cred_upd_server(ctx, false, 6, 8);
}

/*
 * SIOCOUTQ: bytes not yet sent by the transport. From 6.11 (vsock_ioctl)
 * it reads 0 once the peer has the data; before, the socket has no ioctl
 * and the call fails with EOPNOTSUPP.
 */
static bool has_siocoutq(const struct cf_ctx *ctx)
{
	return cf_kernel_at_least(ctx, 6, 11);
}

static void siocoutq_client(struct cf_ctx *ctx, int type)
{
	int fd = cf_connect(ctx, type), v = -1;
	unsigned char buf[64];

	cf_fill(buf, sizeof(buf), 31);
	cf_send_buf(ctx, fd, buf, sizeof(buf), 0, sizeof(buf));
	cf_expect(ctx, "RECEIVED", NULL, 0);
	if (!has_siocoutq(ctx)) {
		if (ioctl(fd, SIOCOUTQ, &v) == 0)
			cf_fail(ctx, "ioctl(SIOCOUTQ) succeeded (%d) on a kernel before 6.11", v);
		if (errno != EOPNOTSUPP)
			cf_fail(ctx, "ioctl(SIOCOUTQ) before 6.11: expected EOPNOTSUPP, got %s",
				cf_errname(errno));
		cf_note(ctx, "before 6.11: no SIOCOUTQ (EOPNOTSUPP), as expected");
		close(fd);
		return;
	}
	for (uint64_t end = vs_now_ns() + (uint64_t)ctx->wait_ms * 1000000ULL;;) {
		if (ioctl(fd, SIOCOUTQ, &v) < 0)
			cf_fail(ctx, "ioctl(SIOCOUTQ): %s", cf_errname(errno));
		if (v == 0)
			break;
		if (v < 0 || v > (int)sizeof(buf))
			cf_fail(ctx, "SIOCOUTQ %d with %zu bytes sent", v, sizeof(buf));
		if (vs_now_ns() > end)
			cf_fail(ctx, "SIOCOUTQ still %d after the peer received every byte", v);
		vs_sleep_ns(1000000);
	}
	close(fd);
}

static void siocoutq_server(struct cf_ctx *ctx, int type)
{
	int fd = cf_accept(ctx, type);
	unsigned char buf[64];

	cf_recv_buf(ctx, fd, buf, sizeof(buf), 0, sizeof(buf));
	if (cf_check(buf, sizeof(buf), 31) != sizeof(buf))
		cf_fail(ctx, "the data differs from what was sent");
	cf_send(ctx, "RECEIVED");
	close(fd);
}

void stream_siocoutq_client(struct cf_ctx *ctx) { siocoutq_client(ctx, SOCK_STREAM); }
void stream_siocoutq_server(struct cf_ctx *ctx) { siocoutq_server(ctx, SOCK_STREAM); }
void seqpacket_siocoutq_client(struct cf_ctx *ctx) { siocoutq_client(ctx, SOCK_SEQPACKET); }
void seqpacket_siocoutq_server(struct cf_ctx *ctx) { siocoutq_server(ctx, SOCK_SEQPACKET); }

/*
 * SIOCINQ (FIONREAD): bytes queued for reading. vsock answers it from 6.17
 * on. 6.11-6.16 have vsock_ioctl but not this command: ENOTTY. Before 6.11
 * there is no ioctl at all: EOPNOTSUPP.
 */
void stream_siocinq_client(struct cf_ctx *ctx)
{
	int fd = cf_connect(ctx, SOCK_STREAM), v = -1, r, err;

	cf_expect(ctx, "SENT", NULL, 0);
	if (!(cf_poll(ctx, fd, POLLIN, ctx->wait_ms) & POLLIN))
		cf_fail(ctx, "no data arrived");
	r = ioctl(fd, SIOCINQ, &v);
	err = errno;
	if (cf_kernel_at_least(ctx, 6, 17)) {
		if (r < 0)
			cf_fail(ctx, "ioctl(SIOCINQ) on 6.17 or later: %s", cf_errname(err));
		if (v != 100)
			cf_fail(ctx, "SIOCINQ %d with 100 bytes queued", v);
	} else {
		int want = has_siocoutq(ctx) ? ENOTTY : EOPNOTSUPP;

		if (r == 0)
			cf_fail(ctx, "ioctl(SIOCINQ) succeeded (%d) on a kernel before 6.17", v);
		if (err != want)
			cf_fail(ctx, "ioctl(SIOCINQ) before 6.17: expected %s, got %s",
				cf_errname(want), cf_errname(err));
		cf_note(ctx, "before 6.17: no SIOCINQ (%s), as expected", cf_errname(want));
	}
	cf_send(ctx, "DONE1");
	close(fd);
}

void stream_siocinq_server(struct cf_ctx *ctx)
{
	int fd = cf_accept(ctx, SOCK_STREAM);
	char buf[100] = { 0 };

	cf_send_buf(ctx, fd, buf, sizeof(buf), 0, sizeof(buf));
	cf_send(ctx, "SENT");
	cf_expect(ctx, "DONE1", NULL, 0);
	close(fd);
}

/*
 * SO_VM_SOCKETS_BUFFER_{SIZE,MIN_SIZE,MAX_SIZE} read back. Defaults 262144,
 * 128, 262144. A size above the maximum is clamped silently (setsockopt
 * returns 0): reported in the note. virtio caps a connected socket's size
 * at 4 GiB - 1 (VIRTIO_VSOCK_MAX_BUF_SIZE), silently too.
 */
static uint64_t bufsize(struct cf_ctx *ctx, int fd, int opt)
{
	return cf_getsockopt_u64(ctx, fd, AF_VSOCK, opt, "SO_VM_SOCKETS_BUFFER_*");
}

static void expect_size(struct cf_ctx *ctx, int fd, int opt, const char *name, uint64_t want,
			const char *when)
{
	uint64_t got = bufsize(ctx, fd, opt);

	if (got != want)
		cf_fail(ctx, "%s %s: read back %llu, expected %llu", name, when,
			(unsigned long long)got, (unsigned long long)want);
}

static void buffer_size_client(struct cf_ctx *ctx, int type)
{
	int fd = cf_connect(ctx, type);
	const uint64_t big = 1 << 20, huge = 8ULL << 30;

	expect_size(ctx, fd, SO_VM_SOCKETS_BUFFER_SIZE, "BUFFER_SIZE", 262144, "by default");
	expect_size(ctx, fd, SO_VM_SOCKETS_BUFFER_MIN_SIZE, "BUFFER_MIN_SIZE", 128, "by default");
	expect_size(ctx, fd, SO_VM_SOCKETS_BUFFER_MAX_SIZE, "BUFFER_MAX_SIZE", 262144,
		    "by default");
	cf_setsockopt_u64(ctx, fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, "BUFFER_SIZE", 131072);
	expect_size(ctx, fd, SO_VM_SOCKETS_BUFFER_SIZE, "BUFFER_SIZE", 131072, "after setting it");
	/* above the maximum: accepted, clamped */
	cf_setsockopt_u64(ctx, fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, "BUFFER_SIZE", big);
	expect_size(ctx, fd, SO_VM_SOCKETS_BUFFER_SIZE, "BUFFER_SIZE", 262144,
		    "set to 1 MiB above the 256 KiB maximum (the kernel clamps)");
	cf_note(ctx, "BUFFER_SIZE 1048576 silently clamped to 262144 (the maximum)");
	cf_setsockopt_u64(ctx, fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_MAX_SIZE, "BUFFER_MAX_SIZE", big);
	cf_setsockopt_u64(ctx, fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, "BUFFER_SIZE", big);
	expect_size(ctx, fd, SO_VM_SOCKETS_BUFFER_SIZE, "BUFFER_SIZE", big,
		    "after raising the maximum first");
	/* a maximum below the size pulls the size down */
	cf_setsockopt_u64(ctx, fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_MAX_SIZE, "BUFFER_MAX_SIZE",
			  65536);
	expect_size(ctx, fd, SO_VM_SOCKETS_BUFFER_SIZE, "BUFFER_SIZE", 65536,
		    "after lowering the maximum to 64 KiB");
	cf_setsockopt_u64(ctx, fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_MAX_SIZE, "BUFFER_MAX_SIZE", huge);
	cf_setsockopt_u64(ctx, fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, "BUFFER_SIZE", huge);
	expect_size(ctx, fd, SO_VM_SOCKETS_BUFFER_SIZE, "BUFFER_SIZE", 0xffffffffULL,
		    "set to 8 GiB (virtio's limit is 4 GiB - 1)");
	cf_note(ctx, "BUFFER_SIZE 8 GiB silently clamped to 4294967295 (virtio)");
	/* still a working connection */
	cf_send_buf(ctx, fd, "ok", 2, 0, 2);
	cf_expect(ctx, "DONE1", NULL, 0);
	close(fd);
}

static void buffer_size_server(struct cf_ctx *ctx, int type)
{
	int fd = cf_accept(ctx, type);
	char buf[2];

	cf_recv_buf(ctx, fd, buf, sizeof(buf), MSG_WAITALL, 2);
	cf_send(ctx, "DONE1");
	close(fd);
}

void stream_buffer_size_client(struct cf_ctx *ctx) { buffer_size_client(ctx, SOCK_STREAM); }
void stream_buffer_size_server(struct cf_ctx *ctx) { buffer_size_server(ctx, SOCK_STREAM); }
void seqpacket_buffer_size_client(struct cf_ctx *ctx) { buffer_size_client(ctx, SOCK_SEQPACKET); }
void seqpacket_buffer_size_server(struct cf_ctx *ctx) { buffer_size_server(ctx, SOCK_SEQPACKET); }

/*
 * SO_VM_SOCKETS_CONNECT_TIMEOUT: default 2 s; 2.5 s reads back exactly
 * (HZ divides it); 0 means the default again; tv_usec >= 1000000 and a
 * negative tv_sec are refused with ERANGE. No traffic.
 */
static struct timeval get_ct(struct cf_ctx *ctx, int fd)
{
	struct timeval tv = { 0 };
	socklen_t len = sizeof(tv);

	if (getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv, &len) < 0)
		cf_fail(ctx, "getsockopt(SO_VM_SOCKETS_CONNECT_TIMEOUT): %s", strerror(errno));
	return tv;
}

static void expect_ct(struct cf_ctx *ctx, int fd, long sec, long usec, const char *when)
{
	struct timeval tv = get_ct(ctx, fd);

	if (tv.tv_sec != sec || tv.tv_usec != usec)
		cf_fail(ctx, "connect timeout %s: %ld.%06ld s, expected %ld.%06ld s", when,
			(long)tv.tv_sec, (long)tv.tv_usec, sec, usec);
}

static void set_ct_refused(struct cf_ctx *ctx, int fd, long sec, long usec)
{
	struct timeval tv = { .tv_sec = sec, .tv_usec = usec };

	if (setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv, sizeof(tv)) == 0)
		cf_fail(ctx, "connect timeout %ld s %ld us accepted; expected ERANGE", sec, usec);
	if (errno != ERANGE)
		cf_fail(ctx, "connect timeout %ld s %ld us: expected ERANGE, got %s", sec, usec,
			cf_errname(errno));
}

void connect_timeout_option_client(struct cf_ctx *ctx)
{
	int fd = cf_socket(ctx, SOCK_STREAM), r;

	expect_ct(ctx, fd, 2, 0, "by default");
	r = vs_set_connect_timeout(fd, 2.5);
	if (r)
		cf_fail(ctx, "setting a 2.5 s connect timeout: %s", strerror(-r));
	expect_ct(ctx, fd, 2, 500000, "after setting 2.5 s");
	r = vs_set_connect_timeout(fd, 0);
	if (r)
		cf_fail(ctx, "setting a 0 s connect timeout: %s", strerror(-r));
	expect_ct(ctx, fd, 2, 0, "after setting 0 (the default again)");
	set_ct_refused(ctx, fd, 1, 1000000);
	set_ct_refused(ctx, fd, -1, 0);
	expect_ct(ctx, fd, 2, 0, "after refused values");
	close(fd);
}
