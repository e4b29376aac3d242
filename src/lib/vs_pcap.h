/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pcap files of vsock packets (LINKTYPE_VSOCK, 271: each packet starts with
 * struct af_vsockmon_hdr, then the transport header, then the payload; see
 * include/uapi/linux/vsockmon.h): the writer, a reader over a buffer and a
 * packet decoder. Readers check every length, so hostile files get an
 * error, never a read out of bounds.
 */
#ifndef VS_PCAP_H
#define VS_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VS_LINKTYPE_VSOCK	271
#define VS_PCAP_SNAPLEN		262144	/* what we write; the largest record we read */
#define VS_PCAP_HDR_LEN		24
#define VS_PCAP_REC_HDR_LEN	16
#define VS_VSOCKMON_HDR_LEN	32	/* struct af_vsockmon_hdr */
#define VS_VIRTIO_HDR_LEN	44	/* struct virtio_vsock_hdr */

/* Writer (microsecond pcap, host byte order); 0 or -errno. */
int vs_pcap_write_header(FILE *f, uint32_t snaplen, uint32_t linktype);
int vs_pcap_write_record(FILE *f, uint64_t ts_ns, const void *data, uint32_t caplen,
			 uint32_t origlen);

/* Reader over a whole file in memory. */
struct vs_pcap {
	const uint8_t *buf;
	size_t len, off;
	bool swapped;		/* written on a machine of the other byte order */
	bool nsec;		/* nanosecond time stamps */
	uint32_t snaplen, linktype;
	uint64_t records;	/* records returned so far */
};

struct vs_pcap_rec {
	uint64_t ts_ns;
	uint32_t caplen, origlen;
	const uint8_t *data;	/* caplen bytes inside the buffer */
};

/* Checks the file header; 0, or -1 with a one-line reason in why. */
int vs_pcap_open(struct vs_pcap *p, const void *buf, size_t len, char *why, size_t wlen);
/* The next record: 1, 0 at the end of the file, or -1 with the reason in why. */
int vs_pcap_next(struct vs_pcap *p, struct vs_pcap_rec *r, char *why, size_t wlen);

/* One captured vsock packet. */
struct vs_vsock_pkt {
	uint64_t src_cid, dst_cid;
	uint32_t src_port, dst_port;
	uint16_t mon_op;	/* enum af_vsockmon_op */
	uint16_t transport;	/* enum af_vsockmon_transport */
	uint16_t hdr_len;	/* transport header bytes */
	bool virtio;		/* the fields below come from a struct virtio_vsock_hdr */
	uint16_t type, op;
	uint32_t len, flags, buf_alloc, fwd_cnt;
	uint32_t payload;	/* payload bytes in the capture */
	uint32_t payload_wire;	/* payload bytes of the packet (from its original length) */
};

/*
 * Decodes a LINKTYPE_VSOCK packet of caplen captured bytes (origlen on the
 * wire); 0, or -1 with the reason in why.
 */
int vs_vsock_decode(const void *data, size_t caplen, size_t origlen, struct vs_vsock_pkt *p,
		    char *why, size_t wlen);

/* REQUEST, RESPONSE, RST, SHUTDOWN, RW, CREDIT_UPDATE, CREDIT_REQUEST, INVALID, or "OP_<n>". */
const char *vs_virtio_op_name(unsigned int op, char *buf, size_t len);
/* CONNECT, DISCONNECT, CONTROL, PAYLOAD, UNKNOWN, or "MONOP_<n>". */
const char *vs_vsockmon_op_name(unsigned int op, char *buf, size_t len);
/* STREAM, SEQPACKET, DGRAM, or "TYPE_<n>". */
const char *vs_virtio_type_name(unsigned int type, char *buf, size_t len);
/*
 * The flags for people: SHUTDOWN's RCV|SEND, SEQPACKET RW's EOM|EOR, "-" for
 * none; bits without a meaning for the op are added in hex.
 */
char *vs_vsock_flags(const struct vs_vsock_pkt *p, char *buf, size_t len);

#endif
