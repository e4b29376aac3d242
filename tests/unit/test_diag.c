// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vsock_diag reply parser (vs_diag_parse) on built replies, state names,
 * and the pcap writer read back by the reader and the packet decoder.
 */
#include "unit.h"
#include "vs_diag.h"
#include "vs_pcap.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/vm_sockets_diag.h>
#include <stdlib.h>

#define SEQ 77

static unsigned char buf[4096];
static size_t len;

/* Appends one netlink message of type with body (aligned as the kernel does). */
static void put(uint16_t type, const void *body, size_t n, uint32_t seq)
{
	struct nlmsghdr h = { .nlmsg_len = (uint32_t)(NLMSG_HDRLEN + n), .nlmsg_type = type,
			      .nlmsg_flags = NLM_F_MULTI, .nlmsg_seq = seq };

	memcpy(buf + len, &h, sizeof(h));
	memcpy(buf + len + NLMSG_HDRLEN, body, n);
	len += NLMSG_ALIGN(h.nlmsg_len);
}

static void put_sock(uint8_t type, uint8_t state, uint32_t sport, uint32_t dport, uint32_t ino)
{
	struct vsock_diag_msg m = { .vdiag_family = 40, .vdiag_type = type, .vdiag_state = state,
				    .vdiag_shutdown = 2, .vdiag_src_cid = 1, .vdiag_src_port = sport,
				    .vdiag_dst_cid = 3, .vdiag_dst_port = dport, .vdiag_ino = ino };

	put(SOCK_DIAG_BY_FAMILY, &m, sizeof(m), SEQ);
}

static void put_done(int32_t err)
{
	put(NLMSG_DONE, &err, sizeof(err), SEQ);
}

static struct vs_diag_sock got[8];
static int ngot;

static int collect(const struct vs_diag_sock *s, void *arg)
{
	(void)arg;
	if (ngot < 8)
		got[ngot] = *s;
	ngot++;
	return 0;
}

static int parse(char *why, size_t wlen)
{
	ngot = 0;
	return vs_diag_parse(buf, len, SEQ, collect, NULL, why, wlen);
}

TEST(two_sockets_then_done)
{
	char why[128] = "";

	len = 0;
	put_sock(1, 10, 1234, 0xffffffff, 100);
	put_sock(5, 1, 1235, 5000, 101);
	CHECK_EQ_INT(parse(why, sizeof(why)), 0);	/* no DONE yet: more to come */
	CHECK_EQ_INT(ngot, 2);
	put_done(0);
	CHECK_EQ_INT(parse(why, sizeof(why)), 1);
	REQUIRE(ngot == 2);
	CHECK_EQ_U64(got[0].type, 1);
	CHECK_EQ_U64(got[0].state, 10);
	CHECK_EQ_U64(got[0].src_port, 1234);
	CHECK_EQ_U64(got[0].dst_port, 0xffffffffu);
	CHECK_EQ_U64(got[0].ino, 100);
	CHECK_EQ_U64(got[1].type, 5);
	CHECK_EQ_U64(got[1].shutdown, 2);
	CHECK_EQ_U64(got[1].src_cid, 1);
	CHECK_EQ_U64(got[1].dst_cid, 3);
	CHECK_EQ_U64(got[1].dst_port, 5000);
}

TEST(kernel_errors)
{
	char why[128];
	struct {
		int32_t error;
		struct nlmsghdr req;
	} e = { -ENOENT, { 0 } };

	len = 0;
	put(NLMSG_ERROR, &e, sizeof(e), SEQ);
	CHECK_EQ_INT(parse(why, sizeof(why)), -ENOENT);
	CHECK_STR(why, "sock_diag: No such file or directory");
	len = 0;
	put_done(-ENOBUFS);	/* a dump cut short */
	CHECK_EQ_INT(parse(why, sizeof(why)), -ENOBUFS);
	len = 0;
	e.error = 0;		/* an acknowledgement, then the end */
	put(NLMSG_ERROR, &e, sizeof(e), SEQ);
	put_done(0);
	CHECK_EQ_INT(parse(why, sizeof(why)), 1);
	CHECK_EQ_INT(ngot, 0);
	len = 0;
	e.error = 5;		/* not an errno */
	put(NLMSG_ERROR, &e, sizeof(e), SEQ);
	CHECK_EQ_INT(parse(why, sizeof(why)), -EBADMSG);
}

TEST(malformed_replies)
{
	char why[128];
	uint32_t huge = 0xfffffff0;

	len = 0;
	CHECK_EQ_INT(parse(why, sizeof(why)), -EBADMSG);
	CHECK_STR(why, "empty netlink reply");
	put_sock(1, 10, 1, 2, 3);
	len -= 10;		/* the socket's message cut short */
	CHECK_EQ_INT(parse(why, sizeof(why)), -EBADMSG);
	CHECK(strstr(why, "out of bounds") != NULL);
	len = 0;
	put_sock(1, 10, 1, 2, 3);
	memcpy(buf, &huge, 4);	/* nlmsg_len far past the buffer */
	CHECK_EQ_INT(parse(why, sizeof(why)), -EBADMSG);
	CHECK_EQ_INT(ngot, 0);
	len = 0;
	put(SOCK_DIAG_BY_FAMILY, "\x28\x01\x0a", 3, SEQ);	/* too short for a vsock_diag_msg */
	CHECK_EQ_INT(parse(why, sizeof(why)), -EBADMSG);
	CHECK(strstr(why, "vsock_diag message of 3 bytes") != NULL);
	len = 0;
	put_sock(1, 10, 1, 2, 3);
	buf[NLMSG_HDRLEN] = 2;	/* AF_INET */
	CHECK_EQ_INT(parse(why, sizeof(why)), -EBADMSG);
	len = 0;
	put(SOCK_DIAG_BY_FAMILY, &(struct vsock_diag_msg){ .vdiag_family = 40 },
	    sizeof(struct vsock_diag_msg), SEQ + 1);	/* another request's reply */
	CHECK_EQ_INT(parse(why, sizeof(why)), -EBADMSG);
	CHECK(strstr(why, "sequence 78, expected 77") != NULL);
	len = 0;
	put(99, "", 0, SEQ);
	CHECK_EQ_INT(parse(why, sizeof(why)), -EBADMSG);
	len = 3;		/* less than a header */
	CHECK_EQ_INT(parse(why, sizeof(why)), -EBADMSG);
}

static int stop_at_first(const struct vs_diag_sock *s, void *arg)
{
	(void)s;
	(void)arg;
	return -ENOMEM;
}

TEST(callback_error_stops)
{
	char why[128];

	len = 0;
	put_sock(1, 10, 1, 2, 3);
	put_done(0);
	CHECK_EQ_INT(vs_diag_parse(buf, len, SEQ, stop_at_first, NULL, why, sizeof(why)), -ENOMEM);
}

TEST(request)
{
	struct {
		struct nlmsghdr h;
		struct vsock_diag_req r;
	} m;

	CHECK_EQ_U64(vs_diag_build_req(&m, sizeof(m) - 1, 1u << 10, 9), 0);
	REQUIRE(vs_diag_build_req(&m, sizeof(m), 1u << 10, 9) == sizeof(m));
	CHECK_EQ_U64(m.h.nlmsg_len, sizeof(m));
	CHECK_EQ_U64(m.h.nlmsg_type, SOCK_DIAG_BY_FAMILY);
	CHECK_EQ_U64(m.h.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	CHECK_EQ_U64(m.h.nlmsg_seq, 9);
	CHECK_EQ_U64(m.r.sdiag_family, 40);
	CHECK_EQ_U64(m.r.vdiag_states, 1u << 10);
}

TEST(addresses)
{
	char b[32];
	uint32_t c = 0, p = 0;

	CHECK_STR(vs_diag_addr_str(b, sizeof(b), 1, 1234), "1:1234");
	CHECK_STR(vs_diag_addr_str(b, sizeof(b), UINT32_MAX, 1234), "*:1234");
	CHECK_STR(vs_diag_addr_str(b, sizeof(b), UINT32_MAX, UINT32_MAX), "*:*");
	CHECK_EQ_INT(vs_diag_addr_parse("3:4294967294", &c, &p), 0);
	CHECK_EQ_U64(c, 3);
	CHECK_EQ_U64(p, 4294967294u);
	CHECK_EQ_INT(vs_diag_addr_parse("*:*", &c, &p), 0);
	CHECK_EQ_U64(c, UINT32_MAX);
	CHECK_EQ_U64(p, UINT32_MAX);
	CHECK_EQ_INT(vs_diag_addr_parse("1:4294967295", &c, &p), -1);
	CHECK_EQ_INT(vs_diag_addr_parse("1:99999999999", &c, &p), -1);
	CHECK_EQ_INT(vs_diag_addr_parse("1234", &c, &p), -1);
	CHECK_EQ_INT(vs_diag_addr_parse(":1", &c, &p), -1);
	CHECK_EQ_INT(vs_diag_addr_parse("1:", &c, &p), -1);
	CHECK_EQ_INT(vs_diag_addr_parse("1:2:3", &c, &p), -1);
	CHECK_EQ_INT(vs_diag_addr_parse("x:1", &c, &p), -1);
	CHECK_EQ_INT(vs_diag_addr_parse("**:1", &c, &p), -1);
}

TEST(state_names)
{
	CHECK_STR(vs_diag_state_name(1), "ESTAB");
	CHECK_STR(vs_diag_state_name(2), "SYN-SENT");
	CHECK_STR(vs_diag_state_name(7), "UNCONN");
	CHECK_STR(vs_diag_state_name(10), "LISTEN");
	CHECK_STR(vs_diag_state_name(11), "CLOSING");
	CHECK_STR(vs_diag_state_name(200), "UNKNOWN");
	CHECK_EQ_INT(vs_diag_state_parse("listen"), 10);
	CHECK_EQ_INT(vs_diag_state_parse("ESTAB"), 1);
	CHECK_EQ_INT(vs_diag_state_parse("established"), 1);
	CHECK_EQ_INT(vs_diag_state_parse("unconn"), 7);
	CHECK_EQ_INT(vs_diag_state_parse("syn-sent"), 2);
	CHECK_EQ_INT(vs_diag_state_parse("UNKNOWN"), -1);
	CHECK_EQ_INT(vs_diag_state_parse(""), -1);
	CHECK_EQ_INT(vs_diag_state_parse("bogus"), -1);
	/* ss's default: connected states, no listener, no unconnected socket */
	CHECK((VS_SS_CONN & (1u << 1)) && (VS_SS_CONN & (1u << 11)));
	CHECK(!(VS_SS_CONN & (1u << 10)) && !(VS_SS_CONN & (1u << 7)));
}

/* A SEQPACKET RW packet with EOM|EOR as vsockmon delivers it: 32 + 44 + payload bytes. */
static size_t packet(unsigned char *p, uint32_t payload)
{
	unsigned char mon[32] = { 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
				  0x39, 0x30, 0, 0, 0xd2, 0x04, 0, 0, 4, 0, 2, 0, 44, 0, 0, 0 };
	unsigned char hdr[44] = { 0 };

	memcpy(hdr, mon, 24);		/* the same addresses */
	hdr[24] = (unsigned char)payload;
	hdr[25] = (unsigned char)(payload >> 8);
	hdr[28] = 2;			/* SEQPACKET */
	hdr[30] = 5;			/* RW */
	hdr[32] = 3;			/* EOM | EOR */
	hdr[37] = 0x10;			/* buf_alloc 4096 */
	hdr[40] = 7;			/* fwd_cnt 7 */
	memcpy(p, mon, 32);
	memcpy(p + 32, hdr, 44);
	memset(p + 76, 'x', payload);
	return 76 + payload;
}

TEST(pcap_round_trip)
{
	unsigned char pkt[256], *file = NULL;
	size_t n = packet(pkt, 100), flen = 0;
	FILE *f = open_memstream((char **)&file, &flen);
	struct vs_pcap_rec r;
	struct vs_vsock_pkt p;
	struct vs_pcap pc;
	char why[128], fl[32];

	REQUIRE(f != NULL);
	CHECK_EQ_INT(vs_pcap_write_header(f, VS_PCAP_SNAPLEN, VS_LINKTYPE_VSOCK), 0);
	CHECK_EQ_INT(vs_pcap_write_record(f, 5000000123456ull, pkt, (uint32_t)n, (uint32_t)n), 0);
	/* a record cut to the headers, the payload only counted */
	CHECK_EQ_INT(vs_pcap_write_record(f, 5000000999999ull, pkt, 76, (uint32_t)n), 0);
	fclose(f);
	CHECK_EQ_U64(flen, 24 + 16 + n + 16 + 76);
	REQUIRE(vs_pcap_open(&pc, file, flen, why, sizeof(why)) == 0);
	CHECK_EQ_U64(pc.linktype, 271);
	CHECK_EQ_U64(pc.snaplen, VS_PCAP_SNAPLEN);
	CHECK(!pc.nsec && !pc.swapped);
	REQUIRE(vs_pcap_next(&pc, &r, why, sizeof(why)) == 1);
	CHECK_EQ_U64(r.ts_ns, 5000000123000ull);	/* microseconds */
	CHECK_EQ_U64(r.caplen, n);
	REQUIRE(vs_vsock_decode(r.data, r.caplen, r.origlen, &p, why, sizeof(why)) == 0);
	CHECK(p.virtio);
	CHECK_EQ_U64(p.src_cid, 1);
	CHECK_EQ_U64(p.dst_cid, 2);
	CHECK_EQ_U64(p.src_port, 12345);
	CHECK_EQ_U64(p.dst_port, 1234);
	CHECK_EQ_U64(p.mon_op, 4);
	CHECK_EQ_U64(p.op, 5);
	CHECK_EQ_U64(p.type, 2);
	CHECK_EQ_U64(p.len, 100);
	CHECK_EQ_U64(p.payload, 100);
	CHECK_EQ_U64(p.buf_alloc, 4096);
	CHECK_EQ_U64(p.fwd_cnt, 7);
	CHECK_STR(vs_vsock_flags(&p, fl, sizeof(fl)), "EOM|EOR");
	REQUIRE(vs_pcap_next(&pc, &r, why, sizeof(why)) == 1);
	REQUIRE(vs_vsock_decode(r.data, r.caplen, r.origlen, &p, why, sizeof(why)) == 0);
	CHECK_EQ_U64(p.payload, 0);
	CHECK_EQ_U64(p.payload_wire, 100);
	CHECK_EQ_INT(vs_pcap_next(&pc, &r, why, sizeof(why)), 0);
	/* the same file cut one byte short: an error naming the record */
	REQUIRE(vs_pcap_open(&pc, file, flen - 1, why, sizeof(why)) == 0);
	CHECK_EQ_INT(vs_pcap_next(&pc, &r, why, sizeof(why)), 1);
	CHECK_EQ_INT(vs_pcap_next(&pc, &r, why, sizeof(why)), -1);
	CHECK_STR(why, "record 2: truncated: 76 bytes captured, 75 left in the file");
	free(file);
}

TEST(names)
{
	char b[24];

	CHECK_STR(vs_virtio_op_name(6, b, sizeof(b)), "CREDIT_UPDATE");
	CHECK_STR(vs_virtio_op_name(8, b, sizeof(b)), "OP_8");
	CHECK_STR(vs_virtio_type_name(0, b, sizeof(b)), "TYPE_0");
	CHECK_STR(vs_virtio_type_name(2, b, sizeof(b)), "SEQPACKET");
	CHECK_STR(vs_vsockmon_op_name(4, b, sizeof(b)), "PAYLOAD");
	CHECK_STR(vs_vsockmon_op_name(65535, b, sizeof(b)), "MONOP_65535");
}

int main(void)
{
	RUN(two_sockets_then_done);
	RUN(kernel_errors);
	RUN(malformed_replies);
	RUN(callback_error_stops);
	RUN(request);
	RUN(addresses);
	RUN(state_names);
	RUN(pcap_round_trip);
	RUN(names);
	return unit_exit();
}
