/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsock zerocopy receive from user space (the API is src/zerocopy/vsock_zc.h):
 * opting in, the mapping, one receive call, and a reader that drains a
 * connection in copy or zerocopy mode. Used by rx_zerocopy and by the
 * conformance cases of zc_test.
 */
#ifndef RX_ZEROCOPY_H
#define RX_ZEROCOPY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vsock_zc.h"

/* What a kernel without kernel-patches/ says to SO_VM_SOCKETS_ZEROCOPY_RX. */
#define ZC_NO_KERNEL_ERRNO ENOPROTOOPT
#define ZC_NO_KERNEL_MSG "this kernel has no vsock zerocopy receive (kernel-patches/ not applied)"

size_t zc_page_size(void);

/* setsockopt(SO_VM_SOCKETS_ZEROCOPY_RX, on); 0 or -errno. */
int zc_set_rx(int fd, int on);
/* getsockopt(SO_VM_SOCKETS_ZEROCOPY_RX) into *on; 0 or -errno. */
int zc_get_rx(int fd, int *on);
/*
 * Does this kernel have zerocopy receive? Opts a fresh, unconnected STREAM
 * socket in: 1 yes, 0 no (ENOPROTOOPT), -errno when the probe itself failed.
 */
int zc_supported(void);

/* mmap(len, PROT_READ, MAP_SHARED) of the socket; NULL with errno set. */
void *zc_map(int fd, size_t len);
/*
 * One SO_VM_SOCKETS_ZEROCOPY_RECEIVE call for [addr, addr + len); zc is
 * filled in (address, length, flags, reserved 0) and holds the kernel's
 * answer. Returns 0 or -errno; -EOPNOTSUPP when flags are set and the
 * kernel answered with the struct's first version (it knows no flags).
 */
int zc_receive_flags(int fd, void *addr, size_t len, unsigned int flags,
		     struct vsock_zerocopy_receive *zc);
/* zc_receive_flags() without flags. */
int zc_receive(int fd, void *addr, size_t len, struct vsock_zerocopy_receive *zc);
/* madvise(MADV_DONTNEED): gives mapped pages back; 0 or -errno. */
int zc_release(void *addr, size_t len);

/* Called for each piece of data, in stream order; eor: the piece ends a SEQPACKET record. */
typedef void (*zc_data_fn)(void *ctx, const uint8_t *p, size_t n, bool eor);

/*
 * Drains one connected socket. Copy mode reads into buf (buf_len bytes per
 * read()/recvmsg()); zerocopy mode maps into map (win bytes, a page multiple),
 * releases every piece after on_data() saw it (madvise(), or the next call
 * with implicit_release), and reads the bytes of recv_skip_hint into buf.
 */
struct zc_reader {
	int fd;
	bool seqpacket;
	bool zerocopy;
	/* zerocopy: release with the next call (VSOCK_ZEROCOPY_RECEIVE_RELEASE)
	 * instead of madvise() after each piece; the last piece stays mapped
	 * until the window is unmapped
	 */
	bool implicit_release;
	void *map;
	size_t win;
	uint8_t *buf;
	size_t buf_len;
	/* when set (by a signal handler), a call the signal interrupted
	 * returns -EINTR instead of being retried; NULL: always retried
	 */
	const atomic_bool *stop;
	/* counters */
	uint64_t bytes;		/* all payload */
	uint64_t mapped;	/* payload that arrived mapped */
	uint64_t copied;	/* payload read with read()/recvmsg() */
	uint64_t zc_calls;	/* SO_VM_SOCKETS_ZEROCOPY_RECEIVE calls */
	uint64_t reads;		/* read()/recvmsg() calls */
	uint64_t io_ns;		/* time inside those calls (and madvise) */
	const char *failed_call;	/* after an error: which call failed */
};

/*
 * Receives the next chunk and passes it to fn: returns the bytes it
 * delivered (> 0), 0 at end of stream, or -errno (EMSGSIZE: a SEQPACKET
 * record was truncated; EPROTO: the kernel made no progress with data queued).
 */
ssize_t zc_reader_next(struct zc_reader *r, zc_data_fn fn, void *ctx);

#endif
