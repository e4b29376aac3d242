/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Listing AF_VSOCK sockets through NETLINK_SOCK_DIAG (the vsock_diag module,
 * what `ss --vsock` uses). The reply parser takes a buffer, so it can be
 * tested and fuzzed without a socket; every length in a reply is checked.
 */
#ifndef VS_DIAG_H
#define VS_DIAG_H

#include <stddef.h>
#include <stdint.h>

/* sk_state values vsock uses (the TCP ones), as bits for a state filter. */
enum {
	VS_SS_ESTABLISHED = 1,
	VS_SS_SYN_SENT = 2,
	VS_SS_CLOSE = 7,	/* bound or unbound, not connected: ss says UNCONN */
	VS_SS_LISTEN = 10,
	VS_SS_CLOSING = 11,
	VS_SS_MAX = 12,
};
#define VS_SS_ALL ((1u << VS_SS_MAX) - 1)
/* ss's default: every state but LISTEN and UNCONN (and TIME-WAIT, SYN-RECV). */
#define VS_SS_CONN (VS_SS_ALL & ~((1u << VS_SS_LISTEN) | (1u << VS_SS_CLOSE) | (1u << 6) | (1u << 3)))

/* One socket of a reply (struct vsock_diag_msg, host order). */
struct vs_diag_sock {
	uint8_t type;		/* SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM */
	uint8_t state;		/* sk_state */
	uint8_t shutdown;	/* RCV_SHUTDOWN 1 | SEND_SHUTDOWN 2 */
	uint32_t src_cid, src_port, dst_cid, dst_port;
	uint32_t ino;
	uint32_t cookie[2];
};

/* Called for each socket: 0 to go on, or a negative errno to stop with it. */
typedef int (*vs_diag_fn)(const struct vs_diag_sock *s, void *arg);

/*
 * Builds the dump request for the states in mask (bit 1 << state) into buf;
 * returns its length, or 0 when cap is too small.
 */
size_t vs_diag_build_req(void *buf, size_t cap, uint32_t states, uint32_t seq);

/*
 * Parses one datagram of a dump reply with sequence number seq: calls fn for
 * each socket (fn's error stops the parse and is returned). Returns 0
 * when more datagrams follow, 1 after NLMSG_DONE, or a negative errno: the
 * kernel's error (e.g. -ENOENT: no vsock_diag), or -EBADMSG for a malformed
 * reply, with a one-line reason in why.
 */
int vs_diag_parse(const void *buf, size_t len, uint32_t seq, vs_diag_fn fn, void *arg,
		  char *why, size_t wlen);

/*
 * Dumps the sockets in the states of mask through fn. Returns the number of
 * sockets, or -1 with a one-line reason in why (with the hint to load
 * vsock_diag when the kernel has no handler for AF_VSOCK).
 */
long vs_diag_dump(uint32_t states, vs_diag_fn fn, void *arg, char *why, size_t wlen);

/* cid:port as ss prints it, "*" for VMADDR_CID_ANY and VMADDR_PORT_ANY; returns buf. */
char *vs_diag_addr_str(char *buf, size_t len, uint32_t cid, uint32_t port);
/*
 * The other way: "*" or a number for each half; 0, or -1 for anything else.
 * (Reads ss's output, which a test compares with ours.)
 */
int vs_diag_addr_parse(const char *s, uint32_t *cid, uint32_t *port);

/* ss's names: ESTAB, SYN-SENT, UNCONN, LISTEN, CLOSING...; "UNKNOWN" otherwise. */
const char *vs_diag_state_name(unsigned int state);
/* The state with that name (case-insensitive; also "established", "connected"...), or -1. */
int vs_diag_state_parse(const char *name);

#endif
