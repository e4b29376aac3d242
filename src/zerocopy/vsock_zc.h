/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * vsock zerocopy receive: the user-space view of the API that
 * kernel-patches/ adds to include/uapi/linux/vm_sockets.h (Linux 6.1).
 * The numbers and the struct layout here must equal the patched uapi header;
 * tests/host checks that they do.
 *
 * The API follows TCP zerocopy receive (tcp_zerocopy_receive), as the RFC's
 * reviewers asked:
 *
 *  1. Opt in before connecting:
 *       int on = 1;
 *       setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_ZEROCOPY_RX, &on, sizeof(on));
 *     Allowed on an unconnected or listening SOCK_STREAM/SOCK_SEQPACKET
 *     socket; a listener's setting is inherited by the sockets it accepts.
 *     Errors: EISCONN on a connecting or connected socket, EOPNOTSUPP on other
 *     socket types, EINVAL for optlen < sizeof(int).
 *     getsockopt() of the same option reads the setting back.
 *
 *  2. Map a window: mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0).
 *     Errors: EPERM with PROT_WRITE or PROT_EXEC (the mapping can never become
 *     writable or executable), EINVAL with a non-zero offset or when the
 *     socket has not opted in.
 *
 *  3. Fill it: getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_ZEROCOPY_RECEIVE,
 *     &zc, &len) with zc.address/zc.length set.  The kernel maps whole pages
 *     of received payload, in stream order, at zc.address and returns
 *     zc.length = bytes mapped (a multiple of the page size).  Bytes at the
 *     head of the queue that do not fill a whole page (a short packet, the
 *     tail of a packet) are never mapped: zc.recv_skip_hint says how many to
 *     read with recv() before the next call.  zc.inq is what is still queued.
 *     For SOCK_SEQPACKET a call never maps across the end of a record, and
 *     zc.msg_flags has MSG_EOR when the last mapped byte ends a record (when
 *     a record ends inside skipped bytes, recv() reports MSG_EOR as usual).
 *     Blocks like recv() (SO_RCVTIMEO, O_NONBLOCK -> EAGAIN); at end of
 *     stream it returns 0 with zc.length = 0 and zc.inq = 0, and zc.err
 *     holds a pending socket error as a negative errno (as TCP's
 *     zerocopy receive does), else 0.
 *     Errors: EINVAL (optlen too small, reserved or reserved2 != 0, an
 *     unknown flag, address not page
 *     aligned, length zero or not a page multiple, range not inside one
 *     mapping of this socket, socket not opted in), ENOTCONN (not
 *     connected), EOPNOTSUPP (not STREAM/SEQPACKET), EBUSY (a page of the
 *     previous call is still mapped: release it first).
 *
 *  4. Release: madvise(addr, len, MADV_DONTNEED) (or munmap()) once the data
 *     is consumed, before the next call.  Only payload reaches user space;
 *     a page stays referenced by the socket until released.
 *     Or, TCP-like, set VSOCK_ZEROCOPY_RECEIVE_RELEASE in zc.flags: the call
 *     then first unmaps its own window [zc.address, zc.address + zc.length),
 *     so a window reused from call to call needs no madvise() in between
 *     (pages of the previous call mapped outside that window still give
 *     EBUSY).  Unknown flags or reserved2 != 0 are EINVAL.
 *
 * Credit: as in TCP, mapped bytes are consumed when they are mapped, like
 * bytes read by recv(): the receiver's fwd_cnt advances for them at once and
 * the sender gets their credit back while the pages stay mapped.  Since the
 * next call is EBUSY until they are released, a socket holds at most its
 * vsock buffer (buf_alloc) of queued bytes plus one mapped window.
 */
#ifndef VSOCK_ZC_H
#define VSOCK_ZC_H

#include <linux/types.h>
#include <linux/vm_sockets.h>

#ifndef SO_VM_SOCKETS_ZEROCOPY_RX
#define SO_VM_SOCKETS_ZEROCOPY_RX 9
#endif
#ifndef SO_VM_SOCKETS_ZEROCOPY_RECEIVE
#define SO_VM_SOCKETS_ZEROCOPY_RECEIVE 10

struct vsock_zerocopy_receive {
	__u64 address;		/* in: page-aligned start inside a mmap() of the socket */
	__u32 length;		/* in: bytes to fill (page multiple); out: bytes mapped */
	__u32 recv_skip_hint;	/* out: bytes to read with recv() before the next call */
	__u32 inq;		/* out: bytes still queued after this call */
	__u32 msg_flags;	/* out: MSG_EOR if the mapped bytes end a record */
	__s32 err;		/* out: pending socket error, consumed like recv() */
	__u32 reserved;		/* in: must be 0 */
	__u32 flags;		/* in: VSOCK_ZEROCOPY_RECEIVE_* */
	__u32 reserved2;	/* in: must be 0 */
};
#endif
#ifndef VSOCK_ZEROCOPY_RECEIVE_RELEASE
#define VSOCK_ZEROCOPY_RECEIVE_RELEASE 0x1
#endif

#endif
