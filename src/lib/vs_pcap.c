// SPDX-License-Identifier: GPL-2.0-only
#include "vs_pcap.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#define MAGIC_USEC	0xa1b2c3d4u
#define MAGIC_NSEC	0xa1b23c4du
#define MAGIC_PCAPNG	0x0a0d0d0au

/* af_vsockmon_hdr.transport / .op, virtio_vsock_hdr.type / .op / .flags */
#define MON_TRANSPORT_VIRTIO	2
#define VIRTIO_TYPE_SEQPACKET	2
#define VIRTIO_OP_SHUTDOWN	4
#define VIRTIO_OP_RW		5

int vs_pcap_write_header(FILE *f, uint32_t snaplen, uint32_t linktype)
{
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} h = { MAGIC_USEC, 2, 4, 0, 0, snaplen, linktype };

	return fwrite(&h, sizeof(h), 1, f) == 1 ? 0 : -(errno ? errno : EIO);
}

int vs_pcap_write_record(FILE *f, uint64_t ts_ns, const void *data, uint32_t caplen,
			 uint32_t origlen)
{
	uint32_t h[4] = {
		(uint32_t)(ts_ns / 1000000000u), (uint32_t)(ts_ns % 1000000000u / 1000u),
		caplen, origlen,
	};

	if (fwrite(h, sizeof(h), 1, f) != 1 || (caplen && fwrite(data, caplen, 1, f) != 1))
		return -(errno ? errno : EIO);
	return 0;
}

__attribute__((format(printf, 3, 4)))
static int fail(char *why, size_t wlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (why && wlen)
		vsnprintf(why, wlen, fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t rd32(const uint8_t *b, bool swap)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static uint16_t rd16(const uint8_t *b, bool swap)
{
	uint16_t v;

	memcpy(&v, b, 2);
	return swap ? __builtin_bswap16(v) : v;
}

/* Little-endian fields of the vsock headers (__le16/32/64), whatever the host. */
static uint16_t le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t le64(const uint8_t *b)
{
	return (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
}

int vs_pcap_open(struct vs_pcap *p, const void *buf, size_t len, char *why, size_t wlen)
{
	const uint8_t *b = buf;
	uint32_t magic;
	uint16_t major;

	memset(p, 0, sizeof(*p));
	if (len < 4)
		return fail(why, wlen, "not a pcap file: %zu bytes, shorter than the magic number", len);
	memcpy(&magic, b, 4);
	if (magic == MAGIC_PCAPNG)
		return fail(why, wlen, "a pcapng file: only pcap is read (convert it with "
			    "'editcap -F pcap IN OUT')");
	if (magic == MAGIC_USEC || magic == MAGIC_NSEC) {
		p->swapped = false;
	} else if (__builtin_bswap32(magic) == MAGIC_USEC || __builtin_bswap32(magic) == MAGIC_NSEC) {
		p->swapped = true;
		magic = __builtin_bswap32(magic);
	} else {
		return fail(why, wlen, "not a pcap file: magic number 0x%08x", magic);
	}
	if (len < VS_PCAP_HDR_LEN)
		return fail(why, wlen, "truncated pcap file header: %zu bytes of %d", len,
			    VS_PCAP_HDR_LEN);
	p->nsec = magic == MAGIC_NSEC;
	major = rd16(b + 4, p->swapped);
	if (major != 2)
		return fail(why, wlen, "pcap version %u.%u, expected 2.4", major,
			    rd16(b + 6, p->swapped));
	p->snaplen = rd32(b + 16, p->swapped);
	p->linktype = rd32(b + 20, p->swapped) & 0x03ffffff;	/* upper bits: FCS info */
	p->buf = b;
	p->len = len;
	p->off = VS_PCAP_HDR_LEN;
	return 0;
}

int vs_pcap_next(struct vs_pcap *p, struct vs_pcap_rec *r, char *why, size_t wlen)
{
	size_t left = p->len - p->off;
	const uint8_t *h = p->buf + p->off;
	uint64_t n = p->records + 1;
	uint32_t sec, frac;

	if (left == 0)
		return 0;
	if (left < VS_PCAP_REC_HDR_LEN)
		return fail(why, wlen, "record %llu: truncated record header (%zu bytes of %d)",
			    (unsigned long long)n, left, VS_PCAP_REC_HDR_LEN);
	sec = rd32(h, p->swapped);
	frac = rd32(h + 4, p->swapped);
	r->caplen = rd32(h + 8, p->swapped);
	r->origlen = rd32(h + 12, p->swapped);
	if (r->caplen > VS_PCAP_SNAPLEN && r->caplen > p->snaplen)
		return fail(why, wlen, "record %llu: captured length %u exceeds the snapshot length %u",
			    (unsigned long long)n, r->caplen, p->snaplen);
	if (r->caplen > left - VS_PCAP_REC_HDR_LEN)
		return fail(why, wlen, "record %llu: truncated: %u bytes captured, %zu left in the file",
			    (unsigned long long)n, r->caplen, left - VS_PCAP_REC_HDR_LEN);
	if (r->origlen < r->caplen)
		return fail(why, wlen, "record %llu: original length %u is below the captured length %u",
			    (unsigned long long)n, r->origlen, r->caplen);
	if (frac >= (p->nsec ? 1000000000u : 1000000u))
		return fail(why, wlen, "record %llu: time stamp fraction %u out of range",
			    (unsigned long long)n, frac);
	r->ts_ns = (uint64_t)sec * 1000000000u + (p->nsec ? frac : (uint64_t)frac * 1000u);
	r->data = h + VS_PCAP_REC_HDR_LEN;
	p->off += VS_PCAP_REC_HDR_LEN + r->caplen;
	p->records = n;
	return 1;
}

int vs_vsock_decode(const void *data, size_t caplen, size_t origlen, struct vs_vsock_pkt *p,
		    char *why, size_t wlen)
{
	const uint8_t *b = data;
	size_t after;

	memset(p, 0, sizeof(*p));
	if (origlen < caplen)
		return fail(why, wlen, "original length %zu below the captured length %zu", origlen,
			    caplen);
	if (caplen < VS_VSOCKMON_HDR_LEN)
		return fail(why, wlen, "truncated vsockmon header: %zu bytes of %d", caplen,
			    VS_VSOCKMON_HDR_LEN);
	p->src_cid = le64(b);
	p->dst_cid = le64(b + 8);
	p->src_port = le32(b + 16);
	p->dst_port = le32(b + 20);
	p->mon_op = le16(b + 24);
	p->transport = le16(b + 26);
	p->hdr_len = le16(b + 28);
	if (p->hdr_len > caplen - VS_VSOCKMON_HDR_LEN)
		return fail(why, wlen, "truncated transport header: %u bytes announced, %zu captured",
			    p->hdr_len, caplen - VS_VSOCKMON_HDR_LEN);
	after = VS_VSOCKMON_HDR_LEN + (size_t)p->hdr_len;
	p->payload = (uint32_t)(caplen - after);
	p->payload_wire = (uint32_t)(origlen - after > UINT32_MAX ? UINT32_MAX : origlen - after);
	if (p->transport != MON_TRANSPORT_VIRTIO)
		return 0;
	if (p->hdr_len != VS_VIRTIO_HDR_LEN)
		return fail(why, wlen, "virtio transport header of %u bytes, expected %d", p->hdr_len,
			    VS_VIRTIO_HDR_LEN);
	b += VS_VSOCKMON_HDR_LEN;
	p->virtio = true;
	/* the virtio header repeats the addresses; the vsockmon header's are shown */
	p->len = le32(b + 24);
	p->type = le16(b + 28);
	p->op = le16(b + 30);
	p->flags = le32(b + 32);
	p->buf_alloc = le32(b + 36);
	p->fwd_cnt = le32(b + 40);
	if (p->len != p->payload_wire)
		return fail(why, wlen, "%s header says len %u, the packet carries %u payload bytes",
			    p->op == VIRTIO_OP_RW ? "RW" : "virtio", p->len, p->payload_wire);
	return 0;
}

static const char *name_of(const char *const *names, unsigned int n, unsigned int v,
			   const char *prefix, char *buf, size_t len)
{
	if (v < n && names[v])
		return names[v];
	snprintf(buf, len, "%s%u", prefix, v);
	return buf;
}

const char *vs_virtio_op_name(unsigned int op, char *buf, size_t len)
{
	static const char *const names[] = {
		"INVALID", "REQUEST", "RESPONSE", "RST", "SHUTDOWN", "RW", "CREDIT_UPDATE",
		"CREDIT_REQUEST",
	};
	return name_of(names, 8, op, "OP_", buf, len);
}

const char *vs_vsockmon_op_name(unsigned int op, char *buf, size_t len)
{
	static const char *const names[] = { "UNKNOWN", "CONNECT", "DISCONNECT", "CONTROL", "PAYLOAD" };

	return name_of(names, 5, op, "MONOP_", buf, len);
}

const char *vs_virtio_type_name(unsigned int type, char *buf, size_t len)
{
	static const char *const names[] = { NULL, "STREAM", "SEQPACKET", "DGRAM" };

	return name_of(names, 4, type, "TYPE_", buf, len);
}

char *vs_vsock_flags(const struct vs_vsock_pkt *p, char *buf, size_t len)
{
	const char *n1 = NULL, *n2 = NULL;
	uint32_t known = 0, rest;
	size_t o = 0;

	if (!p->virtio) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (p->op == VIRTIO_OP_SHUTDOWN) {
		n1 = "RCV";
		n2 = "SEND";
		known = 3;
	} else if (p->op == VIRTIO_OP_RW && p->type == VIRTIO_TYPE_SEQPACKET) {
		n1 = "EOM";
		n2 = "EOR";
		known = 3;
	}
	buf[0] = '\0';
	if (p->flags & known & 1)
		o += (size_t)snprintf(buf + o, len - o, "%s", n1);
	if (o < len && p->flags & known & 2)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "|" : "", n2);
	rest = p->flags & ~known;
	if (o < len && rest)
		o += (size_t)snprintf(buf + o, len - o, "%s0x%x", o ? "|" : "", rest);
	if (!o)
		snprintf(buf, len, "-");
	return buf;
}
