/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AF_VSOCK socket helpers. Functions return a file descriptor or 0 on
 * success and -errno on failure, so the caller can name what failed.
 */
#ifndef VS_SOCK_H
#define VS_SOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <linux/vm_sockets.h>

#ifndef SOL_VSOCK
#define SOL_VSOCK 287
#endif
#ifndef VSOCK_RECVERR
#define VSOCK_RECVERR 1
#endif
#ifndef VMADDR_CID_LOCAL
#define VMADDR_CID_LOCAL 1
#endif
/* MSG_ZEROCOPY and its completions, for libcs that lack them. */
#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif
#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif
#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif

union vs_addr {
	struct sockaddr sa;
	struct sockaddr_vm svm;
};

/* "STREAM", "SEQPACKET", "DGRAM" or "?" */
const char *vs_type_name(int type);

/*
 * What an errno of a connected vsock socket means beyond strerror(), for a
 * one-line message: "" or " (...)". ENOBUFS is Linux (6.12 and later stable
 * kernels) resetting a connection whose receive queue held more packets than
 * its vsock buffer size allows, counting each packet's overhead (README: "Small
 * writes and ENOBUFS"); EPIPE and ECONNRESET follow on the other side.
 */
const char *vs_sock_err_hint(int err);

/* A blocking AF_VSOCK socket of TYPE connected to cid:port. */
int vs_connect(int type, uint32_t cid, uint32_t port);
/* The two halves of vs_connect(), for options that must be set before connecting. */
int vs_socket(int type);
int vs_connect_fd(int fd, uint32_t cid, uint32_t port);
/* A listening socket bound to VMADDR_CID_ANY:port (VMADDR_PORT_ANY picks one). */
int vs_listen(int type, uint32_t port, int backlog);
/* accept() that restarts after signals. */
int vs_accept(int lfd);
/*
 * accept() once a connection waits, within timeout_ms (-1: no limit):
 * -ETIMEDOUT after it; a signal ends the wait (-EINTR) when *stop is set.
 */
int vs_accept_timeout(int lfd, int timeout_ms, const atomic_bool *stop);

int vs_local_addr(int fd, uint32_t *cid, uint32_t *port);
int vs_peer_addr(int fd, uint32_t *cid, uint32_t *port);

/*
 * Sets SO_VM_SOCKETS_BUFFER_MAX_SIZE then _SIZE to want and reads the size
 * back into *got: the kernel clamps silently, so callers compare.
 */
int vs_set_buffer_size(int fd, uint64_t want, uint64_t *got);
int vs_get_buffer_size(int fd, uint64_t *got);
int vs_set_rcvlowat(int fd, int bytes);
/* SO_VM_SOCKETS_CONNECT_TIMEOUT, in seconds. */
int vs_set_connect_timeout(int fd, double seconds);

/*
 * Does an AF_VSOCK socket listen on port (any CID)? Asks sock_diag over
 * netlink (the vsock_diag module), so it creates no vsock socket: 1 yes,
 * 0 no, -errno when the query fails (-ENOENT: vsock_diag is not loaded).
 */
int vs_vsock_listening(uint32_t port);

/* The local CID from /dev/vsock (IOCTL_VM_SOCKETS_GET_LOCAL_CID). */
int vs_local_cid(uint32_t *cid);

/* Write all of buf (restarting after signals and short writes). */
ssize_t vs_write_all(int fd, const void *buf, size_t len);
/* Read exactly len bytes; returns fewer only at end of stream. */
ssize_t vs_read_full(int fd, void *buf, size_t len);

#endif
