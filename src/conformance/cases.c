// SPDX-License-Identifier: GPL-2.0-only
/*
 * The case list. A case's ID is its position here plus one: append new
 * cases at the end and never remove or reorder one (retire it with
 * .reserved instead), so IDs given to --pick and --skip stay valid.
 */
#include "cases.h"

#define CASE(n, d, c, s) { .name = #n, .desc = d, .client = c, .server = s }
#define PAIR(n, d) CASE(n, d, n##_client, n##_server)
#define RESERVED(n, d, why) { .name = #n, .desc = d, .reserved = why }

const struct cf_case cf_cases[] = {
	/* 1 */ CASE(stream_connection_reset, "connect() with no listener: ECONNRESET",
		  stream_connection_reset_client, NULL),
	/* 2 */ PAIR(stream_bind_only, "connect() to a port bound without listen(): ECONNRESET"),
	/* 3 */ PAIR(stream_client_close, "client closes: its byte arrives, then EPIPE and EOF"),
	/* 4 */ PAIR(stream_server_close, "server closes: its byte arrives, then EPIPE and EOF"),
	/* 5 */ PAIR(stream_multiconn, "100 connections at once, data each way"),
	/* 6 */ PAIR(stream_addresses, "getsockname/getpeername agree on both ends and with --peer-cid"),
	/* 7 */ PAIR(stream_double_bind_connect, "bind() the same local port then connect, twice"),
	/* 8 */ CASE(dgram_unsupported, "SOCK_DGRAM over virtio: ENODEV",
		  dgram_unsupported_client, NULL),
	/* 9 */ PAIR(stream_connect_twice, "connect() on a connected socket: EISCONN"),
	/* 10 */ PAIR(stream_msg_peek, "MSG_PEEK: empty EAGAIN, partial and full peek equal the read"),
	/* 11 */ PAIR(seqpacket_msg_peek, "MSG_PEEK on records, MSG_PEEK|MSG_TRUNC gives the length"),
	/* 12 */ PAIR(seqpacket_msg_bounds, "128 records of 1 B to 16 KiB: one recv() each, intact"),
	/* 13 */ PAIR(seqpacket_msg_trunc, "MSG_TRUNC: full length, flag set, rest of record dropped"),
	/* 14 */ PAIR(seqpacket_msg_eor, "MSG_EOR arrives exactly on the records sent with it"),
	/* 15 */ PAIR(stream_rcvtimeo, "SO_RCVTIMEO 1 s: EAGAIN after the timeout, not before"),
	/* 16 */ PAIR(seqpacket_rcvtimeo, "SO_RCVTIMEO on SEQPACKET"),
	/* 17 */ PAIR(seqpacket_bigmsg, "a record above the buffer size: EMSGSIZE, nothing sent"),
	/* 18 */ PAIR(stream_inv_buf, "recv() into NULL: EFAULT, the stream keeps its data"),
	/* 19 */ PAIR(seqpacket_inv_buf, "recv() into NULL: EFAULT, the record is dropped"),
	/* 20 */ PAIR(stream_send_bad_buf, "send() from unmapped memory: ENOMEM, nothing sent"),
	/* 21 */ PAIR(seqpacket_send_bad_buf, "SEQPACKET send() from unmapped memory: ENOMEM, no record"),
	/* 22 */ PAIR(seqpacket_inv_rec_buffer, "a record read into a buffer with a hole: EFAULT, next intact"),
	/* 23 */ PAIR(stream_poll_rcvlowat, "poll() honours SO_RCVLOWAT"),
	/* 24 */ PAIR(stream_shutwr, "SHUT_WR: EPIPE with SIGPIPE (none with MSG_NOSIGNAL), peer EOF"),
	/* 25 */ PAIR(stream_shutrd, "peer's SHUT_RD: EPIPE and SIGPIPE; its read returns EOF"),
	/* 26 */ PAIR(stream_skb_merge, "two writes merged in the receive queue read back in order"),
	/* 27 */ PAIR(stream_msg_zerocopy, "MSG_ZEROCOPY: completions (6.7+) or EOPNOTSUPP (before)"),
	/* 28 */ PAIR(stream_zerocopy_needs_sockopt, "MSG_ZEROCOPY without SO_ZEROCOPY: plain send"),
	/* 29 */ CASE(stream_cred_upd_on_low_rx_bytes, "credit update when rx bytes < SO_RCVLOWAT (6.7+)",
		   stream_cred_upd_client, stream_cred_upd_on_low_rx_bytes_server),
	/* 30 */ CASE(stream_cred_upd_on_set_rcvlowat, "credit update on setting SO_RCVLOWAT (6.8+)",
		   stream_cred_upd_client, stream_cred_upd_on_set_rcvlowat_server),
	/* 31 */ PAIR(stream_siocoutq, "SIOCOUTQ reaches 0 (6.11+) or EOPNOTSUPP (before)"),
	/* 32 */ PAIR(seqpacket_siocoutq, "SIOCOUTQ on SEQPACKET"),
	/* 33 */ PAIR(stream_siocinq, "SIOCINQ: bytes queued (6.17+) or the kernel's errno"),
	/* 34 */ PAIR(stream_buffer_size, "buffer size options read back, silent clamps reported"),
	/* 35 */ PAIR(seqpacket_buffer_size, "buffer size options on SEQPACKET"),
	/* 36 */ CASE(connect_timeout_option, "SO_VM_SOCKETS_CONNECT_TIMEOUT: default, set, ERANGE",
		   connect_timeout_option_client, NULL),
	/* 37 */ PAIR(diag_no_sockets, "vsock_diag and ss list none of the case's sockets when none is open"),
	/* 38 */ PAIR(diag_listener, "vsock_diag lists a listener once: LISTEN, *:port, its inode; as ss"),
	/* 39 */ PAIR(diag_connection, "vsock_diag lists both ends ESTAB with each other's cid:port; as ss"),
};

const unsigned int cf_ncases = sizeof(cf_cases) / sizeof(cf_cases[0]);
