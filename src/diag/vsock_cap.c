// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsock_cap - capture vsock packets from a vsockmon device into pcap files
 * (LINKTYPE_VSOCK, 271: what tcpdump and tshark read), and decode them for a
 * vsock developer: ops, SHUTDOWN and SEQPACKET flags, credit fields, lengths.
 */
#include "vs_opts.h"
#include "vs_out.h"
#include "vs_pcap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ARPHRD_VSOCKMON 826

static struct {
	const char *dev, *write, *read;
	uint64_t count;		/* 0: unlimited */
	double duration_s;	/* 0: until Ctrl-C */
	bool port_set, json;
	uint32_t port;
	uint32_t snaplen;
} env = { .dev = "vsockmon0", .snaplen = VS_PCAP_SNAPLEN };

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static void usage(void)
{
	printf("Usage: vsock_cap [-i DEV] [-w FILE] [-c N] [-d SEC] [--port PORT] [--json]\n"
	       "       vsock_cap -r FILE [--port PORT] [--json]\n"
	       "Captures vsock packets from a vsockmon device (virtio transports: loopback, guest,\n"
	       "vhost) and prints them decoded, or writes them to a pcap file (LINKTYPE_VSOCK, 271).\n"
	       "Set the device up first: modprobe vsockmon; ip link add name vsockmon0 type vsockmon;\n"
	       "ip link set vsockmon0 up.\n\n"
	       "  -i, --interface DEV   the vsockmon device (default vsockmon0)\n"
	       "  -w, --write FILE      write the packets to FILE (pcap) instead of decoding them\n"
	       "  -c, --count N         stop after N packets\n"
	       "  -d, --duration SEC    stop after SEC seconds\n"
	       "  -s, --snaplen N       bytes kept of each packet (default and most 256K)\n"
	       "  -r, --read FILE       decode FILE instead of capturing\n"
	       "      --port PORT       only packets from or to this port\n"
	       "      --json            one JSON object per packet, a line each\n"
	       "  -h, --help            this text\n\n"
	       "Decoded lines: TIME SRC -> DST OP TYPE len N flags F buf_alloc B fwd_cnt C\n"
	       "(TIME: seconds since the first packet; flags: RCV|SEND for SHUTDOWN, EOM|EOR for\n"
	       "SEQPACKET RW). With -r the last line counts packets, RW payload bytes and errors.\n");
}

static void parse(int argc, char **argv)
{
	enum { O_PORT = 256, O_JSON };
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' }, { "write", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' }, { "duration", required_argument, NULL, 'd' },
		{ "snaplen", required_argument, NULL, 's' }, { "read", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, O_PORT }, { "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	bool dev_given = false;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:w:c:d:s:r:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (!optarg[0] || strlen(optarg) >= IFNAMSIZ)
				vs_usage_error("--interface '%s': not a network device name", optarg);
			env.dev = optarg;
			dev_given = true;
			break;
		case 'w':
			env.write = optarg;
			break;
		case 'c':
			env.count = vs_opt_uint("--count", optarg, 1, UINT64_MAX);
			break;
		case 'd':
			env.duration_s = vs_opt_seconds("--duration", optarg, 0.001, 86400 * 365);
			break;
		case 's':
			env.snaplen = (uint32_t)vs_opt_size("--snaplen", optarg,
							     VS_VSOCKMON_HDR_LEN + VS_VIRTIO_HDR_LEN,
							     VS_PCAP_SNAPLEN);
			break;
		case 'r':
			env.read = optarg;
			break;
		case O_PORT:
			env.port = (uint32_t)vs_opt_uint("--port", optarg, 0, UINT32_MAX);
			env.port_set = true;
			break;
		case O_JSON:
			env.json = true;
			break;
		case 'h':
			usage();
			exit(0);
		default:	/* ':' or unknown */
			vs_opt_bad(opt, argv);
		}
	}
	if (optind < argc)
		vs_usage_error("unexpected argument '%s'", argv[optind]);
	if (env.read && (env.write || dev_given || env.count || env.duration_s))
		vs_usage_error("-r decodes a file: -i, -w, -c and -d are capture options");
	if (env.write && env.json)
		vs_usage_error("--json decodes; -w writes pcap: give one");
}

/* ------------------------------------------------------------ decoding */

struct decoder {
	bool have_first;
	uint64_t first_ns;
	uint64_t packets, rw_bytes, errors;
};

/* Prints one packet; 0, or -1 when it is malformed (the reason in why). */
static int decode_one(struct decoder *d, uint64_t ts_ns, const uint8_t *data, uint32_t caplen,
		      uint32_t origlen, char *why, size_t wlen)
{
	struct vs_vsock_pkt p;
	char src[48], dst[48], b1[24], b2[24], fl[32];
	double t;

	if (vs_vsock_decode(data, caplen, origlen, &p, why, wlen))
		return -1;
	if (env.port_set && p.src_port != env.port && p.dst_port != env.port)
		return 0;
	if (!d->have_first) {
		d->have_first = true;
		d->first_ns = ts_ns;
	}
	t = (double)(ts_ns - (ts_ns >= d->first_ns ? d->first_ns : ts_ns)) / 1e9;
	d->packets++;
	if (p.virtio && p.op == 5)
		d->rw_bytes += p.len;
	if (env.json) {
		struct vs_json j;

		vs_json_init(&j, stdout, false);
		vs_json_obj_begin(&j, NULL);
		vs_json_double(&j, "time", t);
		vs_json_u64(&j, "src_cid", p.src_cid);
		vs_json_u64(&j, "src_port", p.src_port);
		vs_json_u64(&j, "dst_cid", p.dst_cid);
		vs_json_u64(&j, "dst_port", p.dst_port);
		vs_json_str(&j, "monitor_op", vs_vsockmon_op_name(p.mon_op, b1, sizeof(b1)));
		if (p.virtio) {
			vs_json_str(&j, "op", vs_virtio_op_name(p.op, b1, sizeof(b1)));
			vs_json_str(&j, "type", vs_virtio_type_name(p.type, b2, sizeof(b2)));
			vs_json_u64(&j, "len", p.len);
			vs_json_u64(&j, "flags", p.flags);
			vs_json_str(&j, "flags_text", vs_vsock_flags(&p, fl, sizeof(fl)));
			vs_json_u64(&j, "buf_alloc", p.buf_alloc);
			vs_json_u64(&j, "fwd_cnt", p.fwd_cnt);
		} else {
			vs_json_u64(&j, "transport", p.transport);
		}
		vs_json_u64(&j, "captured_payload", p.payload);
		vs_json_obj_end(&j);
		vs_json_finish(&j);
		return 0;
	}
	snprintf(src, sizeof(src), "%llu:%u", (unsigned long long)p.src_cid, p.src_port);
	snprintf(dst, sizeof(dst), "%llu:%u", (unsigned long long)p.dst_cid, p.dst_port);
	if (p.virtio)
		printf("%12.6f %-16s -> %-16s %-14s %-9s len %-6u flags %-8s buf_alloc %u fwd_cnt %u\n",
		       t, src, dst, vs_virtio_op_name(p.op, b1, sizeof(b1)),
		       vs_virtio_type_name(p.type, b2, sizeof(b2)), p.len, vs_vsock_flags(&p, fl, sizeof(fl)),
		       p.buf_alloc, p.fwd_cnt);
	else
		printf("%12.6f %-16s -> %-16s %-14s transport %u, payload %u bytes\n", t, src, dst,
		       vs_vsockmon_op_name(p.mon_op, b1, sizeof(b1)), p.transport, p.payload_wire);
	return 0;
}

/* The whole file in memory (also from a pipe). */
static uint8_t *slurp(const char *path, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	size_t cap = 0, n = 0;
	uint8_t *buf = NULL;

	if (fd < 0)
		vs_die("%s: %s", path, strerror(errno));
	for (;;) {
		ssize_t got;

		if (n == cap) {
			uint8_t *b;

			cap = cap ? 2 * cap : 65536;
			b = realloc(buf, cap);
			if (!b)
				vs_die("%s: out of memory", path);
			buf = b;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			vs_die("reading %s: %s", path, strerror(errno));
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (fd)
		close(fd);
	*len = n;
	return buf;
}

static int read_file(const char *path)
{
	struct decoder d = { 0 };
	struct vs_pcap_rec r;
	struct vs_pcap p;
	char why[256];
	size_t len;
	uint8_t *buf = slurp(path, &len);
	int got;

	if (vs_pcap_open(&p, buf, len, why, sizeof(why)))
		vs_die("%s: %s", path, why);
	if (p.linktype != VS_LINKTYPE_VSOCK)
		vs_die("%s: link type %u, not LINKTYPE_VSOCK (%d): not a vsockmon capture", path,
		       p.linktype, VS_LINKTYPE_VSOCK);
	while ((got = vs_pcap_next(&p, &r, why, sizeof(why))) == 1) {
		char pw[200];

		if (decode_one(&d, r.ts_ns, r.data, r.caplen, r.origlen, pw, sizeof(pw))) {
			fflush(stdout);
			fprintf(stderr, "%s: %s: record %llu: %s\n", vs_prog(), path,
				(unsigned long long)p.records, pw);
			d.errors++;
		}
	}
	fflush(stdout);
	if (got < 0) {
		fprintf(stderr, "%s: %s: %s\n", vs_prog(), path, why);
		d.errors++;
	}
	if (!env.json)
		printf("packets: %llu, RW payload bytes: %llu, errors: %llu\n",
		       (unsigned long long)d.packets, (unsigned long long)d.rw_bytes,
		       (unsigned long long)d.errors);
	free(buf);
	return d.errors ? 1 : 0;
}

/* ------------------------------------------------------------ capture */

/* The device must exist, be a vsockmon device and be up; else a one-line hint. */
static int open_device(void)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	char path[128], type[16] = "";
	struct ifreq ifr = { 0 };
	unsigned int idx = if_nametoindex(env.dev);
	int fd, one = 1, rcvbuf = 64 << 20;
	FILE *f;

	if (!idx) {
		if (access("/sys/module/vsockmon", F_OK))
			vs_die("vsockmon is not available: the vsockmon module is not loaded and %s does "
			       "not exist (modprobe vsockmon; ip link add name %s type vsockmon; ip link "
			       "set %s up)", env.dev, env.dev, env.dev);
		vs_die("no device %s (ip link add name %s type vsockmon; ip link set %s up)", env.dev,
		       env.dev, env.dev);
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/type", env.dev);
	f = fopen(path, "re");
	if (f) {
		if (!fgets(type, sizeof(type), f))
			type[0] = '\0';
		fclose(f);
	}
	if (atoi(type) != ARPHRD_VSOCKMON)
		vs_die("%s is not a vsockmon device (link type %d, expected %d)", env.dev, atoi(type),
		       ARPHRD_VSOCKMON);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		vs_die("socket(AF_PACKET): %s%s", strerror(errno),
		       errno == EPERM ? ": capturing needs root (CAP_NET_RAW)" : "");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", env.dev);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		vs_die("%s: SIOCGIFFLAGS: %s", env.dev, strerror(errno));
	if (!(ifr.ifr_flags & IFF_UP))
		vs_die("%s is down: no packet reaches it (ip link set %s up)", env.dev, env.dev);
	sll.sll_ifindex = (int)idx;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		vs_die("binding to %s: %s", env.dev, strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)))
		vs_die("SO_TIMESTAMPNS: %s", strerror(errno));
	/* 64 KiB RW packets overflow the default receive buffer within a burst */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		vs_warn("SO_RCVBUF %d: %s: packets may be dropped in bursts", rcvbuf, strerror(errno));
	return fd;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int capture(void)
{
	static uint8_t buf[VS_PCAP_SNAPLEN];
	union {
		char b[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	struct decoder d = { 0 };
	struct tpacket_stats st = { 0 };
	socklen_t sl = sizeof(st);
	uint64_t n = 0, end;
	FILE *out = NULL;
	int fd = open_device();

	if (env.write) {
		out = strcmp(env.write, "-") ? fopen(env.write, "we") : stdout;
		if (!out)
			vs_die("%s: %s", env.write, strerror(errno));
		if (vs_pcap_write_header(out, env.snaplen, VS_LINKTYPE_VSOCK) || fflush(out))
			vs_die("writing %s: %s", env.write, strerror(errno));
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	end = env.duration_s ? realtime_ns() + (uint64_t)(env.duration_s * 1e9) : UINT64_MAX;
	/* the line tests and scripts wait for: from here on, packets are captured */
	fprintf(stderr, "%s: capturing on %s, link type VSOCK (%d), snapshot length %u bytes\n",
		vs_prog(), env.dev, VS_LINKTYPE_VSOCK, env.snaplen);
	while (!exiting && (!env.count || n < env.count)) {
		struct iovec iov = { buf, env.snaplen };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
				    .msg_controllen = sizeof(ctl.b) };
		struct pollfd pfd = { fd, POLLIN, 0 };
		uint64_t now = realtime_ns(), ts = 0;
		int wait_ms = end == UINT64_MAX ? 200 : (int)((end > now ? end - now : 0) / 1000000);
		ssize_t got;

		if (now >= end)
			break;
		if (poll(&pfd, 1, wait_ms < 200 ? wait_ms : 200) <= 0)
			continue;
		got = recvmsg(fd, &m, MSG_TRUNC | MSG_DONTWAIT);
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vs_die("reading from %s: %s", env.dev, strerror(errno));
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
			    c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
				struct timespec t;

				memcpy(&t, CMSG_DATA(c), sizeof(t));
				ts = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
			}
		if (!ts)
			ts = realtime_ns();
		{
			uint32_t orig = (uint32_t)got, cap = orig < env.snaplen ? orig : env.snaplen;

			if (out) {
				if (env.port_set) {
					struct vs_vsock_pkt p;

					if (!vs_vsock_decode(buf, cap, orig, &p, NULL, 0) &&
					    p.src_port != env.port && p.dst_port != env.port)
						continue;
				}
				if (vs_pcap_write_record(out, ts, buf, cap, orig))
					vs_die("writing %s: %s", env.write, strerror(errno));
			} else {
				char why[200];
				uint64_t before = d.packets;

				if (decode_one(&d, ts, buf, cap, orig, why, sizeof(why))) {
					fflush(stdout);
					vs_warn("packet %llu: %s", (unsigned long long)n + 1, why);
				} else if (d.packets == before) {
					continue;	/* filtered out */
				}
				fflush(stdout);
			}
		}
		n++;
	}
	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl))
		st.tp_drops = 0;
	close(fd);
	if (out && out != stdout && fclose(out))
		vs_die("writing %s: %s", env.write, strerror(errno));
	if (out == stdout)
		fflush(stdout);
	fprintf(stderr, "%s: %llu packets captured%s%s, %u dropped by the kernel\n", vs_prog(),
		(unsigned long long)n, env.write ? " to " : "", env.write ? env.write : "",
		st.tp_drops);
	return st.tp_drops ? 1 : 0;
}

int main(int argc, char **argv)
{
	vs_set_prog(argv[0]);
	parse(argc, argv);
	return env.read ? read_file(env.read) : capture();
}
