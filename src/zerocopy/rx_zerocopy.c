// SPDX-License-Identifier: GPL-2.0-only
/*
 * rx_zerocopy - vsock receive throughput, copy against zerocopy receive
 * (src/zerocopy/vsock_zc.h), after the test tool of the 2022 RFC series
 * "virtio/vsock: experimental zerocopy receive": the server sends --mb MiB
 * in writes of --tx pages, the client receives them with read() of --rx
 * pages or, with --zerocopy, through an --rx page mapping of the socket.
 * --compare runs both modes at 8/32/64/256/512 pages and prints the table.
 *
 * One control connection (STREAM, --port) carries any number of transfers:
 * the client sends "RXZC1 RUN key=value..." for each, the server answers
 * "OK port=P mb=N tx=P" with a data listener of the right socket type, and
 * after the transfer both sides send "RESULT ..." so each reports the other.
 */
#include "rx_zerocopy.h"
#include "zc_compare.h"
#include "vs_clock.h"
#include "vs_ctl.h"
#include "vs_guard.h"
#include "vs_opts.h"
#include "vs_out.h"
#include "vs_pattern.h"
#include "vs_sock.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#define RZ_VERSION "rx_zerocopy (vsockscope) 0.1"
#define RZ_MAGIC "RXZC1"
#define DEFAULT_PORT 1234
#define DEFAULT_MB 256
#define DEFAULT_PAGES 16
#define MAX_PAGES 16384
#define MAX_MB (1024 * 1024)
#define DEFAULT_ROUNDS 3
#define MAX_ROUNDS ZC_MAX_ROUNDS
#define MIB (1024 * 1024ULL)
/* The vsock buffer default; a SEQPACKET record must fit the peer's buffer. */
#define VSK_DEFAULT (256 * 1024ULL)
#define CTL_TIMEOUT_MS 10000
/* A transfer of up to 1 TiB at TCG speeds: results may take long. */
#define RESULT_TIMEOUT_MS -1
/* after SIGINT/SIGTERM: the peer's result if it comes soon, not a wait without end */
#define STOPPED_RESULT_TIMEOUT_MS 3000

/* set by SIGINT/SIGTERM */
static atomic_bool stop;

static const unsigned int compare_pages[] = { 8, 32, 64, 256, 512 };
#define NPOINTS (sizeof(compare_pages) / sizeof(compare_pages[0]))

struct cfg {
	bool client;
	uint32_t port;
	uint32_t peer_cid;
	uint64_t mb, rx, tx;	/* mb, tx: 0 = the server's */
	bool zerocopy, seqpacket, verify, json, compare, loop;
	bool madvise_release;	/* --release madvise */
	uint64_t vsk_size;	/* --vsk-size: the receiving socket's vsock buffer (0: default) */
	double interval_s;
	unsigned int rounds;
	const char *csv;	/* --compare: the zerocopy CSV goes here */
	const char *label;	/* its label column */
};

/* One transfer, as the two sides agree on it. */
struct spec {
	int type;
	bool zerocopy, verify;
	bool madvise_release;	/* the client's own: not sent to the server */
	uint64_t vsk_size;	/* the client's own too: its receive buffer (0: default) */
	uint64_t mb, rx, tx;
};

/* One side's view of a transfer. */
struct side {
	uint64_t bytes, ns;
	struct vs_cpu cpu;
	uint64_t mapped, copied, calls, reads, records;
	int64_t mismatch;	/* --verify: first bad offset, -1 none */
	char error[200];
};

/* The receiving client's running checks, fed by zc_reader_next(). */
struct checker {
	const struct spec *sp;
	uint64_t offset;	/* stream offset of the next byte */
	uint64_t record;	/* bytes of the record under way */
	uint64_t records;
	bool short_seen;	/* a short record was seen: it must be the last */
	int64_t mismatch;
	uint8_t want, got;
	char error[200];
};

static size_t page;

/* ------------------------------------------------------------------ usage */

static void usage(void)
{
	printf("Usage: rx_zerocopy --mode server [--port P] [--mb N] [--tx PAGES] [--loop]\n"
	       "       rx_zerocopy --mode client --peer-cid CID [--port P] [--zerocopy] [--mb N]\n"
	       "                   [--rx PAGES] [--tx PAGES] [--seqpacket] [--verify]\n"
	       "                   [--release implicit|madvise]\n"
	       "       rx_zerocopy --mode client --peer-cid CID --compare [--mb N] [--rounds N]\n"
	       "                   [--release implicit|madvise] [--csv FILE [--label TEXT]]\n"
	       "\n"
	       "vsock receive throughput, copy against zerocopy receive (vsock_zc.h). The server\n"
	       "sends --mb MiB in writes of --tx pages; the client receives them with read()s of\n"
	       "--rx pages or, with --zerocopy, by mapping them into an --rx page window of the\n"
	       "socket (mmap + getsockopt(SO_VM_SOCKETS_ZEROCOPY_RECEIVE)). Both sides\n"
	       "report seconds, Gbit/s, CPU user/sys and CPU usec per MiB, their own and the peer's.\n"
	       "\n"
	       "  --mode client|server  which side this is (required)\n"
	       "  --port <port>         the server's control port (default %d)\n"
	       "  --peer-cid <cid>      client: the server's CID (1 = local loopback)\n"
	       "  --mb <n>              MiB to transfer (default %d); the client's value wins,\n"
	       "                        a server's applies to clients that give none\n"
	       "  --tx <pages>          the server's write size in pages (default %d); as --mb\n"
	       "  --rx <pages>          client: read() size, or the zerocopy mapping, in pages\n"
	       "                        (default %d)\n"
	       "  --zerocopy            client: zerocopy receive; fails on a kernel without it\n"
	       "  --release <how>       zerocopy: how mapped pages are given back: 'implicit'\n"
	       "                        (default: the next call unmaps the window,\n"
	       "                        VSOCK_ZEROCOPY_RECEIVE_RELEASE) or 'madvise'\n"
	       "                        (madvise(MADV_DONTNEED) after each call)\n"
	       "  --vsk-size <bytes>KMG client: the receiving socket's vsock buffer\n"
	       "                        (SO_VM_SOCKETS_BUFFER_SIZE; default the kernel's 256K)\n"
	       "  --seqpacket           client: SOCK_SEQPACKET; each write is a record, checked\n"
	       "  --verify              client: position-dependent payload, every byte checked\n"
	       "  --compare             client: copy and zerocopy at rx = tx = 8/32/64/256/512\n"
	       "                        pages, A/B interleaved, one connection per point\n"
	       "  --rounds <n>          --compare: rounds, the table shows medians (default %d)\n"
	       "  --csv <file>          --compare: also write the results as the zerocopy CSV\n"
	       "                        of plots/ (plots/schema.md); '-' is stdout\n"
	       "  --label <text>        --csv: its label column (default the kernel release)\n"
	       "  --loop                server: keep serving clients until interrupted\n"
	       "  --interval <sec>      interval lines every <sec> (default 1, 0 = none)\n"
	       "  --json                one JSON document instead of text\n"
	       "  --help, -h            this text\n"
	       "  --version             the version\n"
	       "\n"
	       "Exit status: 0 success, 1 failure or a failed check (short transfer, corrupted\n"
	       "payload, lost record boundary), 2 bad command line.\n",
	       DEFAULT_PORT, DEFAULT_MB, DEFAULT_PAGES, DEFAULT_PAGES, DEFAULT_ROUNDS);
}

enum opt {
	OPT_HELP = 'H', OPT_MODE = 256, OPT_PORT, OPT_PEER, OPT_MB, OPT_RX, OPT_TX, OPT_ZEROCOPY,
	OPT_SEQPACKET, OPT_VERIFY, OPT_COMPARE, OPT_ROUNDS, OPT_LOOP, OPT_INTERVAL, OPT_JSON,
	OPT_VERSION, OPT_CSV, OPT_LABEL, OPT_RELEASE, OPT_VSK, OPT_MAX,
};

static const struct option longopts[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "peer-cid", required_argument, NULL, OPT_PEER },
	{ "mb", required_argument, NULL, OPT_MB },
	{ "rx", required_argument, NULL, OPT_RX },
	{ "tx", required_argument, NULL, OPT_TX },
	{ "zerocopy", no_argument, NULL, OPT_ZEROCOPY },
	{ "seqpacket", no_argument, NULL, OPT_SEQPACKET },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "compare", no_argument, NULL, OPT_COMPARE },
	{ "rounds", required_argument, NULL, OPT_ROUNDS },
	{ "loop", no_argument, NULL, OPT_LOOP },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "release", required_argument, NULL, OPT_RELEASE },
	{ "vsk-size", required_argument, NULL, OPT_VSK },
	{ 0 },
};

static const char *name_of(int val)
{
	return vs_opt_name(longopts, val);
}

/* Options of one side, or that --compare sets itself, are refused, not ignored. */
static void check_combinations(const struct cfg *c, const bool *given)
{
	static const int client_only[] = {
		OPT_PEER, OPT_RX, OPT_ZEROCOPY, OPT_SEQPACKET, OPT_VERIFY, OPT_COMPARE, OPT_ROUNDS,
		OPT_CSV, OPT_LABEL, OPT_RELEASE, OPT_VSK,
	};
	static const int not_compare[] = { OPT_RX, OPT_TX, OPT_ZEROCOPY, OPT_INTERVAL };

	if (!given[OPT_MODE])
		vs_usage_error("missing --mode client|server");
	for (size_t i = 0; !c->client && i < sizeof(client_only) / sizeof(int); i++)
		if (given[client_only[i]])
			vs_usage_error("%s is a client option (the server takes each transfer "
				       "from the client)", name_of(client_only[i]));
	if (c->client && c->loop)
		vs_usage_error("--loop is a server option");
	if (c->client && !given[OPT_PEER])
		vs_usage_error("--mode client needs --peer-cid (1 = local loopback)");
	for (size_t i = 0; c->compare && i < sizeof(not_compare) / sizeof(int); i++)
		if (given[not_compare[i]])
			vs_usage_error("%s does not go with --compare (it runs both modes at "
				       "rx = tx = 8/32/64/256/512 pages)", name_of(not_compare[i]));
	if (given[OPT_ROUNDS] && !c->compare)
		vs_usage_error("--rounds goes with --compare");
	if (given[OPT_CSV] && !c->compare)
		vs_usage_error("--csv goes with --compare");
	if (given[OPT_LABEL] && !given[OPT_CSV])
		vs_usage_error("--label goes with --csv");
	if (c->client && given[OPT_RELEASE] && !c->zerocopy && !c->compare)
		vs_usage_error("--release goes with --zerocopy or --compare");
	if (c->csv && !strcmp(c->csv, "-") && c->json)
		vs_usage_error("--csv - does not go with --json (both would write to stdout)");
}

/* ------------------------------------------------------------- buffers */

static void *alloc_pages(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static const char *type_word(int type)
{
	return type == SOCK_SEQPACKET ? "seqpacket" : "stream";
}

static uint64_t total_bytes(const struct spec *sp)
{
	return sp->mb * MIB;
}

/* ------------------------------------------------------------ reports */

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

static void describe(const struct spec *sp, char *buf, size_t len)
{
	snprintf(buf, len, "%s, %s receive%s, %" PRIu64 " MiB, rx %" PRIu64 " pages%s, tx %" PRIu64
		 " pages%s%s", vs_type_name(sp->type), sp->zerocopy ? "zerocopy" : "copy",
		 !sp->zerocopy ? "" : sp->madvise_release ? " (madvise release)" : " (implicit release)",
		 sp->mb, sp->rx, sp->zerocopy ? " (mapping)" : "", sp->tx,
		 sp->verify ? ", verify" : "", sp->vsk_size ? ", receive buffer set" : "");
}

/* Interval lines while a transfer runs (text), or kept for the JSON document. */
struct ticker {
	bool json;
	const char *dir;
	uint64_t interval_ns, start, last, next, last_bytes;
	double *iv;		/* start, end, bytes triples for --json */
	size_t n, cap;
};

static void ticker_start(struct ticker *t, double interval_s, bool json, const char *dir)
{
	*t = (struct ticker){ .json = json, .dir = dir, .interval_ns = (uint64_t)(interval_s * 1e9) };
	t->start = t->last = vs_now_ns();
	t->next = t->interval_ns ? t->start + t->interval_ns : UINT64_MAX;
}

static void ticker_emit(struct ticker *t, uint64_t now, uint64_t bytes)
{
	double a = secs(t->last - t->start), b = secs(now - t->start);

	if (t->json) {
		if (t->n + 3 > t->cap) {
			size_t cap = t->cap ? 2 * t->cap : 96;
			double *p = realloc(t->iv, cap * sizeof(*p));

			if (!p)
				return;	/* out of memory: the interval is left out */
			t->iv = p;
			t->cap = cap;
		}
		t->iv[t->n++] = a;
		t->iv[t->n++] = b;
		t->iv[t->n++] = (double)(bytes - t->last_bytes);
	} else {
		if (t->last == t->start)
			printf(VS_INTERVAL_HEADER);
		vs_interval_line(stdout, "1", a, b, bytes - t->last_bytes, t->dir);
		fflush(stdout);
	}
	t->last = now;
	t->last_bytes = bytes;
}

static void ticker_tick(struct ticker *t, uint64_t bytes)
{
	uint64_t now;

	if (t->next == UINT64_MAX)
		return;
	now = vs_now_ns();
	if (now < t->next)
		return;
	ticker_emit(t, now, bytes);
	while (t->next <= now)
		t->next += t->interval_ns;
}

/* The last, partial interval, when it is long enough to mean something. */
static void ticker_end(struct ticker *t, uint64_t bytes)
{
	uint64_t now = vs_now_ns();

	if (t->interval_ns && t->last != t->start && now - t->last >= t->interval_ns / 10)
		ticker_emit(t, now, bytes);
}

static void json_intervals(struct vs_json *j, const struct ticker *t)
{
	vs_json_arr_begin(j, "intervals");
	for (size_t i = 0; i + 2 < t->n; i += 3) {
		vs_json_obj_begin(j, NULL);
		vs_json_double(j, "start", t->iv[i]);
		vs_json_double(j, "end", t->iv[i + 1]);
		vs_json_u64(j, "bytes", (uint64_t)t->iv[i + 2]);
		vs_json_obj_end(j);
	}
	vs_json_arr_end(j);
}

/* One transfer as one JSON document (iperf3-shaped: start, intervals, end). */
static void json_report(const struct spec *sp, bool client, const struct side *me,
			const struct side *peer, const struct ticker *tk, bool ok)
{
	struct vs_json j;

	vs_json_init(&j, stdout, false);
	vs_json_obj_begin(&j, NULL);
	vs_json_obj_begin(&j, "start");
	vs_json_str(&j, "mode", client ? "client" : "server");
	vs_json_str(&j, "type", vs_type_name(sp->type));
	vs_json_bool(&j, "zerocopy", sp->zerocopy);
	if (client && sp->zerocopy)
		vs_json_str(&j, "release", sp->madvise_release ? "madvise" : "implicit");
	if (client && sp->vsk_size)
		vs_json_u64(&j, "vsk_size", sp->vsk_size);
	vs_json_u64(&j, "bytes", total_bytes(sp));
	vs_json_u64(&j, "rx_pages", sp->rx);
	vs_json_u64(&j, "tx_pages", sp->tx);
	vs_json_bool(&j, "verify", sp->verify);
	vs_json_obj_end(&j);
	json_intervals(&j, tk);
	vs_json_obj_begin(&j, "end");
	vs_json_u64(&j, "bytes", me->bytes);
	vs_json_double(&j, "seconds", secs(me->ns));
	vs_json_double(&j, "gbps", vs_gbps(me->bytes, me->ns));
	vs_json_cpu(&j, "cpu", &me->cpu, me->bytes);
	vs_json_u64(&j, "peer_bytes", peer->bytes);
	vs_json_cpu(&j, "peer_cpu", &peer->cpu, peer->bytes);
	if (client) {
		vs_json_u64(&j, "mapped_bytes", me->mapped);
		vs_json_u64(&j, "copied_bytes", me->copied);
		vs_json_u64(&j, "receive_calls", me->calls);
		vs_json_u64(&j, "reads", me->reads);
		if (sp->type == SOCK_SEQPACKET)
			vs_json_u64(&j, "records", me->records);
		vs_json_i64(&j, "mismatch_at", me->mismatch);
	}
	vs_json_str(&j, "error", me->error[0] ? me->error : peer->error);
	vs_json_bool(&j, "ok", ok);
	vs_json_obj_end(&j);
	vs_json_obj_end(&j);
	vs_json_finish(&j);
}

/* ----------------------------------------------------- control messages */

static int send_result(struct vs_ctl *c, const struct side *s)
{
	if (s->error[0])
		return vs_ctl_send(c, "ERR %s", s->error);
	return vs_ctl_send(c, "RESULT bytes=%" PRIu64 " ns=%" PRIu64 " user_us=%" PRIu64
			   " sys_us=%" PRIu64 " mapped=%" PRIu64 " copied=%" PRIu64 " calls=%"
			   PRIu64 " reads=%" PRIu64 " records=%" PRIu64 " mismatch=%" PRId64,
			   s->bytes, s->ns, s->cpu.user_us, s->cpu.sys_us, s->mapped, s->copied,
			   s->calls, s->reads, s->records, s->mismatch);
}

/* Reads the peer's RESULT (or ERR) into *p; its problem goes to p->error. */
static void recv_result(struct vs_ctl *c, struct side *p)
{
	char line[VS_CTL_LINE_MAX + 1], v[24];
	int n;

	*p = (struct side){ .mismatch = -1 };
	c->timeout_ms = atomic_load(&stop) ? STOPPED_RESULT_TIMEOUT_MS : RESULT_TIMEOUT_MS;
	n = vs_ctl_recv(c, line, sizeof(line));
	if (n < 0) {
		snprintf(p->error, sizeof(p->error), "no result from the peer: %s",
			 n == -EPIPE ? "it closed the control connection" : strerror(-n));
		return;
	}
	if (vs_ctl_is(line, "ERR")) {
		snprintf(p->error, sizeof(p->error), "%.190s", line + 4);
		return;
	}
	if (!vs_ctl_is(line, "RESULT") || vs_ctl_get_u64(line, "bytes", &p->bytes) ||
	    vs_ctl_get_u64(line, "ns", &p->ns) ||
	    vs_ctl_get_u64(line, "user_us", &p->cpu.user_us) ||
	    vs_ctl_get_u64(line, "sys_us", &p->cpu.sys_us) || vs_ctl_get(line, "mismatch", v, sizeof(v))) {
		snprintf(p->error, sizeof(p->error), "malformed result from the peer: '%.60s'", line);
		return;
	}
	vs_ctl_get_u64(line, "mapped", &p->mapped);
	vs_ctl_get_u64(line, "copied", &p->copied);
	vs_ctl_get_u64(line, "calls", &p->calls);
	vs_ctl_get_u64(line, "reads", &p->reads);
	vs_ctl_get_u64(line, "records", &p->records);
	p->mismatch = strtoll(v, NULL, 10);
}

/* ---------------------------------------------------------------- server */

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop, true);
}

/* Parses "RXZC1 RUN ..." into sp (0 = the server's mb/tx); -1 with why. */
static int parse_run(const char *line, struct spec *sp, char *why, size_t len)
{
	uint64_t verify, zc;
	char type[16];

	*sp = (struct spec){ 0 };
	if (vs_ctl_get(line, "type", type, sizeof(type)) || vs_ctl_get_u64(line, "mb", &sp->mb) ||
	    vs_ctl_get_u64(line, "tx", &sp->tx) || vs_ctl_get_u64(line, "rx", &sp->rx) ||
	    vs_ctl_get_u64(line, "verify", &verify) || vs_ctl_get_u64(line, "zerocopy", &zc)) {
		snprintf(why, len, "RUN lacks a field or has a malformed one");
		return -1;
	}
	if (!strcmp(type, "stream")) {
		sp->type = SOCK_STREAM;
	} else if (!strcmp(type, "seqpacket")) {
		sp->type = SOCK_SEQPACKET;
	} else {
		snprintf(why, len, "unknown socket type '%s'", type);
		return -1;
	}
	if (sp->mb > MAX_MB || sp->tx > MAX_PAGES || sp->rx > MAX_PAGES) {
		snprintf(why, len, "mb=%" PRIu64 ", tx=%" PRIu64 " or rx=%" PRIu64 " out of range",
			 sp->mb, sp->tx, sp->rx);
		return -1;
	}
	sp->verify = verify;
	sp->zerocopy = zc;
	return 0;
}

static void server_send(int fd, const struct spec *sp, const struct cfg *cfg, struct side *me,
			struct ticker *tk)
{
	size_t wlen = sp->tx * page;
	uint64_t total = total_bytes(sp);
	int flags = sp->type == SOCK_SEQPACKET ? MSG_EOR : 0;
	uint8_t *buf = alloc_pages(wlen);
	struct vs_cpu c0, c1;
	uint64_t t0;

	if (!buf) {
		snprintf(me->error, sizeof(me->error), "cannot allocate a %zu-byte buffer", wlen);
		return;
	}
	memset(buf, 0, wlen);
	ticker_start(tk, cfg->interval_s, cfg->json, "send");
	vs_cpu_now(&c0);
	t0 = vs_now_ns();
	while (me->bytes < total && !stop) {
		size_t n = total - me->bytes < wlen ? (size_t)(total - me->bytes) : wlen;
		ssize_t r;

		if (sp->verify)
			vs_pattern_fill(buf, n, me->bytes, 1);
		r = send(fd, buf, n, flags);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(me->error, sizeof(me->error), "send after %" PRIu64 " bytes: %s",
				 me->bytes, strerror(errno));
			break;
		}
		if (sp->type == SOCK_SEQPACKET && (size_t)r != n) {
			snprintf(me->error, sizeof(me->error),
				 "send: a %zu-byte record went out as %zd bytes", n, r);
			break;
		}
		me->bytes += (uint64_t)r;
		me->records += sp->type == SOCK_SEQPACKET;
		ticker_tick(tk, me->bytes);
	}
	me->ns = vs_now_ns() - t0;
	vs_cpu_now(&c1);
	me->cpu = vs_cpu_delta(&c0, &c1);
	ticker_end(tk, me->bytes);
	if (stop && !me->error[0])
		snprintf(me->error, sizeof(me->error), "interrupted after %" PRIu64 " bytes", me->bytes);
	shutdown(fd, SHUT_WR);
	munmap(buf, wlen);
}

static int server_report(const struct cfg *cfg, const struct spec *sp, uint32_t cid,
			 uint32_t port, const struct side *me, const struct side *peer,
			 const struct ticker *tk)
{
	uint64_t total = total_bytes(sp);
	bool ok = !me->error[0] && !peer->error[0] && me->bytes == total && peer->bytes == total &&
		  peer->mismatch < 0;
	char what[200];

	describe(sp, what, sizeof(what));
	if (cfg->json) {
		json_report(sp, false, me, peer, tk, ok);
	} else {
		printf("Connection from %u:%u: %s\n", cid, port, what);
		printf("sent: %" PRIu64 " bytes in %.3f sec, %.3f Gbits/s\n", me->bytes, secs(me->ns),
		       vs_gbps(me->bytes, me->ns));
		vs_print_cpu(stdout, "", &me->cpu, me->bytes);
		if (!peer->error[0]) {
			printf("peer: received %" PRIu64 " bytes in %.3f sec (mapped %" PRIu64
			       ", read %" PRIu64 ")\n", peer->bytes, secs(peer->ns), peer->mapped,
			       peer->copied);
			vs_print_cpu(stdout, "peer ", &peer->cpu, peer->bytes);
		}
		fflush(stdout);
	}
	if (me->error[0])
		fprintf(stderr, "rx_zerocopy: %s\n", me->error);
	if (peer->error[0])
		fprintf(stderr, "rx_zerocopy: the client: %s\n", peer->error);
	else if (peer->mismatch >= 0)
		fprintf(stderr, "rx_zerocopy: the client found corrupted data at offset %" PRId64 "\n",
			peer->mismatch);
	else if (ok)
		return 0;
	else
		fprintf(stderr, "rx_zerocopy: short transfer: %" PRIu64 " of %" PRIu64
			" bytes sent, %" PRIu64 " received\n", me->bytes, total, peer->bytes);
	return 1;
}

/* One RUN on the control connection c; returns the exit status. */
static int serve_run(const struct cfg *cfg, struct vs_ctl *c, const char *line)
{
	struct side me = { .mismatch = -1 }, peer;
	struct ticker tk = { 0 };
	struct spec sp;
	char why[200];
	uint32_t port, cid = 0, pport = 0;
	uint64_t got;
	int lfd, fd, rc, err = 0;

	if (parse_run(line, &sp, why, sizeof(why))) {
		vs_ctl_send(c, "ERR %s", why);
		fprintf(stderr, "rx_zerocopy: bad request from the client: %s\n", why);
		return 1;
	}
	if (!sp.mb)
		sp.mb = cfg->mb;
	if (!sp.tx)
		sp.tx = cfg->tx;
	if (sp.type == SOCK_SEQPACKET && !sp.zerocopy && sp.rx < sp.tx) {
		snprintf(why, sizeof(why), "--seqpacket: records are %" PRIu64 " pages (--tx) but "
			 "the client reads %" PRIu64 " (--rx): they would be truncated; use --rx %"
			 PRIu64 " or more", sp.tx, sp.rx, sp.tx);
		vs_ctl_send(c, "ERR %s", why);
		fprintf(stderr, "rx_zerocopy: refused a transfer: %s\n", why);
		return 1;
	}
	lfd = vs_listen(sp.type, VMADDR_PORT_ANY, 1);
	if (lfd < 0 || vs_local_addr(lfd, NULL, &port)) {
		snprintf(why, sizeof(why), "the server cannot listen for a %s data connection: %s",
			 vs_type_name(sp.type), strerror(lfd < 0 ? -lfd : errno));
		vs_ctl_send(c, "ERR %s", why);
		fprintf(stderr, "rx_zerocopy: %s\n", why);
		if (lfd >= 0)
			close(lfd);
		return 1;
	}
	vs_ctl_send(c, "OK port=%u mb=%" PRIu64 " tx=%" PRIu64, port, sp.mb, sp.tx);
	fd = vs_accept_timeout(lfd, CTL_TIMEOUT_MS, &stop);
	close(lfd);
	if (fd < 0) {
		fprintf(stderr, "rx_zerocopy: the data connection did not arrive: %s\n",
			strerror(-fd));
		return 1;
	}
	vs_peer_addr(fd, &cid, &pport);
	/* Linux caps a sender's credit, and a record, at its own buffer size too */
	if (sp.type == SOCK_SEQPACKET && sp.tx * page > VSK_DEFAULT &&
	    (err = vs_set_buffer_size(fd, sp.tx * page, &got)) == 0 && got < sp.tx * page)
		err = -ENOBUFS;
	if (err)
		snprintf(me.error, sizeof(me.error), "--seqpacket: a record of %" PRIu64 " bytes "
			 "needs a vsock buffer that large: %s", sp.tx * page, strerror(-err));
	else
		server_send(fd, &sp, cfg, &me, &tk);
	if (me.error[0])	/* the client must not wait for data that will not come */
		shutdown(fd, SHUT_RDWR);
	send_result(c, &me);
	recv_result(c, &peer);
	close(fd);
	rc = server_report(cfg, &sp, cid, pport, &me, &peer, &tk);
	free(tk.iv);
	return rc;
}

/* Serves one client: RUN after RUN until BYE or the end of the connection. */
static int serve_client(const struct cfg *cfg, int ctl)
{
	char line[VS_CTL_LINE_MAX + 1];
	struct vs_ctl c;
	int rc = 0, n;

	vs_ctl_init(&c, ctl, -1);
	while (!stop && (n = vs_ctl_recv(&c, line, sizeof(line))) >= 0) {
		if (vs_ctl_is(line, "BYE"))
			break;
		if (!vs_ctl_is(line, RZ_MAGIC) || strncmp(line + strlen(RZ_MAGIC), " RUN ", 5)) {
			vs_ctl_send(&c, "ERR not an rx_zerocopy request");
			fprintf(stderr, "rx_zerocopy: not an rx_zerocopy client: '%.40s'\n", line);
			rc = 1;
			break;
		}
		rc |= serve_run(cfg, &c, line + strlen(RZ_MAGIC));
		c.timeout_ms = -1;
	}
	close(ctl);
	return rc;
}

static int run_server(const struct cfg *cfg)
{
	int lfd = vs_listen(SOCK_STREAM, cfg->port, 4), rc = 0;

	if (lfd < 0)
		vs_die("listen on port %u: %s", cfg->port, strerror(-lfd));
	if (!cfg->json) {
		printf("Run as server: port %u, %" PRIu64 " MiB, tx %" PRIu64
		       " pages unless the client says otherwise\n", cfg->port, cfg->mb, cfg->tx);
		fflush(stdout);
	}
	do {
		int fd = vs_accept_timeout(lfd, -1, &stop);

		if (fd < 0) {
			if (stop)
				break;
			vs_die("accept on port %u: %s", cfg->port, strerror(-fd));
		}
		rc = serve_client(cfg, fd);
	} while (cfg->loop && !stop);
	close(lfd);
	return rc;
}

/* ---------------------------------------------------------------- client */

static void on_data(void *ctx, const uint8_t *p, size_t n, bool eor)
{
	struct checker *k = ctx;
	const struct spec *sp = k->sp;

	if (sp->verify && k->mismatch < 0) {
		size_t bad = vs_pattern_check(p, n, k->offset, 1);

		if (bad < n) {
			k->mismatch = (int64_t)(k->offset + bad);
			vs_pattern_fill(&k->want, 1, k->offset + bad, 1);
			k->got = p[bad];
		}
	}
	k->offset += n;
	if (sp->type != SOCK_SEQPACKET)
		return;
	k->record += n;
	if (k->record > sp->tx * page && !k->error[0])
		snprintf(k->error, sizeof(k->error), "record %" PRIu64 " has more than the %" PRIu64
			 " bytes written: record boundary lost", k->records + 1, sp->tx * page);
	if (!eor)
		return;
	k->records++;
	if (k->short_seen && !k->error[0])
		snprintf(k->error, sizeof(k->error), "record %" PRIu64 " follows a short record: "
			 "record boundary lost", k->records);
	if (k->record < sp->tx * page)
		k->short_seen = true;	/* only the last record may be short */
	k->record = 0;
}

/* The data connection of one transfer, opted in to zerocopy before connect() when asked. */
static int client_connect(const struct cfg *cfg, const struct spec *sp, uint32_t port,
			  char *why, size_t len)
{
	int fd = vs_socket(sp->type), err = 0;
	uint64_t got;

	if (fd < 0) {
		snprintf(why, len, "socket(AF_VSOCK, %s): %s", vs_type_name(sp->type), strerror(-fd));
		return -1;
	}
	if (sp->zerocopy && (err = zc_set_rx(fd, 1))) {
		if (err == -ZC_NO_KERNEL_ERRNO)
			snprintf(why, len, "--zerocopy: %s", ZC_NO_KERNEL_MSG);
		else
			snprintf(why, len, "--zerocopy: setsockopt(SO_VM_SOCKETS_ZEROCOPY_RX): %s",
				 strerror(-err));
	} else if (sp->type == SOCK_SEQPACKET && sp->tx * page > VSK_DEFAULT &&
		   (err = vs_set_buffer_size(fd, sp->tx * page, &got)) == 0 && got < sp->tx * page) {
		err = -ENOBUFS;
		snprintf(why, len, "--seqpacket: a record of %" PRIu64 " bytes needs a vsock buffer "
			 "that large; the kernel set %" PRIu64, sp->tx * page, got);
	} else if (err) {
		snprintf(why, len, "setsockopt(SO_VM_SOCKETS_BUFFER_SIZE, %" PRIu64 "): %s",
			 sp->tx * page, strerror(-err));
	} else if (sp->vsk_size && (err = vs_set_buffer_size(fd, sp->vsk_size, &got))) {
		snprintf(why, len, "--vsk-size %" PRIu64 ": setsockopt(SO_VM_SOCKETS_BUFFER_SIZE): %s",
			 sp->vsk_size, strerror(-err));
	} else if (sp->vsk_size && got != sp->vsk_size) {
		err = -ERANGE;
		snprintf(why, len, "--vsk-size %" PRIu64 ": the kernel set the vsock buffer to %" PRIu64
			 " bytes", sp->vsk_size, got);
	} else if ((err = vs_connect_fd(fd, cfg->peer_cid, port))) {
		snprintf(why, len, "connect the data connection to %u:%u: %s", cfg->peer_cid, port,
			 strerror(-err));
	}
	if (err) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Receives one transfer on fd into *me. */
static void client_receive(int fd, const struct cfg *cfg, const struct spec *sp, struct side *me,
			   struct ticker *tk)
{
	size_t win = sp->rx * page;
	/* SEQPACKET reads the rest of a record at once: the buffer holds a whole one */
	size_t blen = sp->type == SOCK_SEQPACKET && sp->tx > sp->rx ? sp->tx * page : win;
	struct checker k = { .sp = sp, .mismatch = -1 };
	struct zc_reader r = {
		.fd = fd, .seqpacket = sp->type == SOCK_SEQPACKET, .zerocopy = sp->zerocopy,
		.implicit_release = sp->zerocopy && !sp->madvise_release,
		.win = win, .buf_len = blen, .stop = &stop,
	};
	struct vs_cpu c0, c1;
	uint64_t t0;
	ssize_t n;

	r.buf = alloc_pages(blen);
	if (!r.buf) {
		snprintf(me->error, sizeof(me->error), "cannot allocate a %zu-byte buffer", blen);
		return;
	}
	if (sp->zerocopy && !(r.map = zc_map(fd, win))) {
		snprintf(me->error, sizeof(me->error), "--zerocopy: mmap of a %zu-byte window: %s",
			 win, strerror(errno));
		munmap(r.buf, blen);
		return;
	}
	ticker_start(tk, cfg->interval_s, cfg->json, sp->zerocopy ? "recv zerocopy" : "recv");
	vs_cpu_now(&c0);
	t0 = vs_now_ns();
	while ((n = zc_reader_next(&r, on_data, &k)) > 0 && !stop) {
		ticker_tick(tk, r.bytes);
		if (k.error[0])
			break;
	}
	me->ns = vs_now_ns() - t0;
	vs_cpu_now(&c1);
	me->cpu = vs_cpu_delta(&c0, &c1);
	ticker_end(tk, r.bytes);
	if (n < 0 && !(n == -EINTR && stop))
		snprintf(me->error, sizeof(me->error), "%s after %" PRIu64 " bytes: %s",
			 r.failed_call, r.bytes,
			 n == -EMSGSIZE ? "a record was truncated" : strerror((int)-n));
	else if (k.error[0])
		snprintf(me->error, sizeof(me->error), "%s", k.error);
	else if (stop)
		snprintf(me->error, sizeof(me->error), "interrupted after %" PRIu64 " bytes", r.bytes);
	me->bytes = r.bytes;
	me->mapped = r.mapped;
	me->copied = r.copied;
	me->calls = r.zc_calls;
	me->reads = r.reads;
	me->records = k.records;
	me->mismatch = k.mismatch;
	if (k.mismatch >= 0)
		fprintf(stderr, "rx_zerocopy: --verify: first mismatch at offset %" PRId64
			" (expected 0x%02x, got 0x%02x)\n", k.mismatch, k.want, k.got);
	if (r.map)
		munmap(r.map, win);
	munmap(r.buf, blen);
}

/* One transfer: RUN, OK, the data, the results. 0, or 1 with me->error set. */
static int client_run(const struct cfg *cfg, struct vs_ctl *c, struct spec *sp, struct side *me,
		      struct side *peer, struct ticker *tk, bool announce)
{
	char what[200];
	char line[VS_CTL_LINE_MAX + 1];
	uint64_t port;
	int fd, n;

	*me = (struct side){ .mismatch = -1 };
	*peer = (struct side){ .mismatch = -1 };
	c->timeout_ms = CTL_TIMEOUT_MS;
	if (vs_ctl_send(c, RZ_MAGIC " RUN type=%s mb=%" PRIu64 " tx=%" PRIu64 " rx=%" PRIu64
			" verify=%d zerocopy=%d", type_word(sp->type), sp->mb, sp->tx, sp->rx,
			sp->verify, sp->zerocopy))
		vs_die("sending a request to the server: %s", strerror(errno));
	n = vs_ctl_recv(c, line, sizeof(line));
	if (n < 0)
		vs_die("%u:%u did not answer the request (%s): is an rx_zerocopy server there?",
		       cfg->peer_cid, cfg->port, n == -EPIPE ? "it closed the connection"
		       : strerror(-n));
	if (vs_ctl_is(line, "ERR"))
		vs_die("the server refused the transfer: %s", line + 4);
	if (!vs_ctl_is(line, "OK") || vs_ctl_get_u64(line, "port", &port) || port > UINT32_MAX ||
	    vs_ctl_get_u64(line, "mb", &sp->mb) || vs_ctl_get_u64(line, "tx", &sp->tx) ||
	    !sp->mb || !sp->tx || sp->tx > MAX_PAGES)
		vs_die("malformed answer from the server: '%.60s'", line);
	if (announce) {	/* the server's mb and tx are known from here on */
		describe(sp, what, sizeof(what));
		printf("Test: %s, server %u:%u\n", what, cfg->peer_cid, cfg->port);
		fflush(stdout);
	}
	fd = client_connect(cfg, sp, (uint32_t)port, me->error, sizeof(me->error));
	if (fd < 0)
		return 1;
	client_receive(fd, cfg, sp, me, tk);
	/* a server still blocked in send() (the client was interrupted) fails and reports */
	close(fd);
	recv_result(c, peer);
	send_result(c, me);
	return 0;
}

/* The problems of a transfer as seen from the client, one line each; 0 when none. */
static int client_problems(const struct spec *sp, const struct side *me, const struct side *peer,
			   bool print)
{
	uint64_t total = total_bytes(sp);
	int bad = 0;

	if (me->error[0] && ++bad && print)
		fprintf(stderr, "rx_zerocopy: %s\n", me->error);
	if (peer->error[0] && ++bad && print)
		fprintf(stderr, "rx_zerocopy: the server: %s\n", peer->error);
	if (me->mismatch >= 0 && ++bad && print)
		fprintf(stderr, "rx_zerocopy: the payload was corrupted at offset %" PRId64 "\n",
			me->mismatch);
	if (!bad && (me->bytes != total || peer->bytes != total) && ++bad && print)
		fprintf(stderr, "rx_zerocopy: short transfer: the server sent %" PRIu64
			" bytes of %" PRIu64 ", this client received %" PRIu64 "\n", peer->bytes,
			total, me->bytes);
	return bad;
}

static void spec_from_cfg(const struct cfg *cfg, struct spec *sp)
{
	*sp = (struct spec){
		.type = cfg->seqpacket ? SOCK_SEQPACKET : SOCK_STREAM, .zerocopy = cfg->zerocopy,
		.verify = cfg->verify, .madvise_release = cfg->madvise_release,
		.vsk_size = cfg->vsk_size, .mb = cfg->mb,
		.rx = cfg->rx, .tx = cfg->tx,
	};
}

static int connect_ctl(const struct cfg *cfg, struct vs_ctl *c)
{
	int fd = vs_connect(SOCK_STREAM, cfg->peer_cid, cfg->port);

	if (fd < 0)
		vs_die("connect to %u:%u: %s", cfg->peer_cid, cfg->port, strerror(-fd));
	vs_ctl_init(c, fd, CTL_TIMEOUT_MS);
	return fd;
}

static void client_report(const struct cfg *cfg, const struct spec *sp, const struct side *me,
			  const struct side *peer, const struct ticker *tk, bool ok)
{
	if (cfg->json) {
		json_report(sp, true, me, peer, tk, ok);
		return;
	}
	printf("total bytes received: %" PRIu64 "\n", me->bytes);
	printf("seconds: %.3f\n", secs(me->ns));
	printf("rx performance: %.3f Gbits/s\n", vs_gbps(me->bytes, me->ns));
	vs_print_cpu(stdout, "", &me->cpu, me->bytes);
	if (!peer->error[0])
		vs_print_cpu(stdout, "peer ", &peer->cpu, peer->bytes);
	if (sp->zerocopy)
		printf("zerocopy: %" PRIu64 " bytes mapped in %" PRIu64 " receive calls, %" PRIu64
		       " bytes read in %" PRIu64 " recv() calls (recv_skip_hint)\n", me->mapped,
		       me->calls, me->copied, me->reads);
	if (sp->type == SOCK_SEQPACKET && ok)
		printf("records: %" PRIu64 " received, record boundaries checked\n", me->records);
	if (ok)
		printf("check: the server sent %" PRIu64 " bytes, all received%s\n", peer->bytes,
		       sp->verify ? " and verified" : "");
	fflush(stdout);
}

static int run_client(const struct cfg *cfg)
{
	struct side me, peer;
	struct ticker tk = { 0 };
	struct spec sp;
	struct vs_ctl c;
	int fd, rc;

	spec_from_cfg(cfg, &sp);
	fd = connect_ctl(cfg, &c);
	client_run(cfg, &c, &sp, &me, &peer, &tk, !cfg->json);
	vs_ctl_send(&c, "BYE");
	close(fd);
	rc = client_problems(&sp, &me, &peer, true) ? 1 : 0;
	client_report(cfg, &sp, &me, &peer, &tk, !rc);
	free(tk.iv);
	return rc;
}

/* ---------------------------------------------------------------- compare */

static double median_of(const double *v, unsigned int n)
{
	double tmp[MAX_ROUNDS];

	memcpy(tmp, v, n * sizeof(*v));
	return vs_median(tmp, n);
}

static void table_row(const char *name, const struct zc_cell *cells, bool cpu)
{
	printf("%-24s", name);
	for (size_t p = 0; p < NPOINTS; p++) {
		const struct zc_cell *c = &cells[p];

		if (!c->n)
			printf(" | %8s", "n/a");
		else if (cpu)
			printf(" | %8.2f", median_of(c->cpu, c->n) / 1000.0);
		else
			printf(" | %8.3f", median_of(c->sec, c->n));
	}
	printf("\n");
}

static void compare_table(const struct cfg *cfg, const struct zc_cell (*cell)[NPOINTS],
			  const char *type)
{
	printf("\n%s, %" PRIu64 " MiB per point, median of %u round%s; rx = tx buffer in pages\n",
	       type, cfg->mb, cfg->rounds, cfg->rounds > 1 ? "s" : "");
	printf("%-24s", "");
	for (size_t p = 0; p < NPOINTS; p++)
		printf(" | %8u", compare_pages[p]);
	printf("\n");
	table_row("zerocopy: seconds", cell[1], false);
	table_row("copy: seconds", cell[0], false);
	printf("%-24s", "zerocopy/copy");
	for (size_t p = 0; p < NPOINTS; p++) {
		if (!cell[0][p].n || !cell[1][p].n)
			printf(" | %8s", "n/a");
		else
			printf(" | %8.3f", median_of(cell[1][p].sec, cell[1][p].n) /
			       median_of(cell[0][p].sec, cell[0][p].n));
	}
	printf("\n");
	table_row("zerocopy: rx cpu ms/MiB", cell[1], true);
	table_row("copy: rx cpu ms/MiB", cell[0], true);
}

/* The JSON carries the numbers of the CSV (zc_compare.h), and each run's seconds. */
static void compare_json(const struct cfg *cfg, const struct zc_cell (*cell)[NPOINTS],
			 bool zc, int rc)
{
	static const char *const modes[] = { "copy", "zerocopy" };
	struct vs_json j;

	vs_json_init(&j, stdout, false);
	vs_json_obj_begin(&j, NULL);
	vs_json_obj_begin(&j, "compare");
	vs_json_str(&j, "type", cfg->seqpacket ? "SEQPACKET" : "STREAM");
	vs_json_u64(&j, "mb", cfg->mb);
	vs_json_u64(&j, "rounds", cfg->rounds);
	vs_json_bool(&j, "zerocopy_available", zc);
	vs_json_arr_begin(&j, "points");
	for (size_t p = 0; p < NPOINTS; p++) {
		vs_json_obj_begin(&j, NULL);
		vs_json_u64(&j, "pages", compare_pages[p]);
		vs_json_u64(&j, "buf_size", compare_pages[p] * page);
		for (int m = 0; m < 2; m++) {
			const struct zc_cell *c = &cell[m][p];
			struct zc_stats st;

			if (!c->n) {
				vs_json_null(&j, modes[m]);
				continue;
			}
			zc_cell_stats(c, cfg->mb * MIB, &st);
			vs_json_obj_begin(&j, modes[m]);
			vs_json_u64(&j, "runs", st.runs);
			vs_json_arr_begin(&j, "seconds");
			for (unsigned int i = 0; i < c->n; i++)
				vs_json_double(&j, NULL, c->sec[i]);
			vs_json_arr_end(&j);
			vs_json_double(&j, "median_s", st.sec_median);
			vs_json_double(&j, "gbps_median", st.gbps_median);
			vs_json_double(&j, "gbps_min", st.gbps_min);
			vs_json_double(&j, "gbps_max", st.gbps_max);
			vs_json_double(&j, "rx_usec_per_mb", st.cpu_us_per_mib);
			vs_json_double(&j, "cpu_s_per_gib", st.cpu_s_per_gib);
			vs_json_obj_end(&j);
		}
		if (cell[0][p].n && cell[1][p].n)
			vs_json_double(&j, "ratio", median_of(cell[1][p].sec, cell[1][p].n) /
				       median_of(cell[0][p].sec, cell[0][p].n));
		vs_json_obj_end(&j);
	}
	vs_json_arr_end(&j);
	vs_json_bool(&j, "ok", rc == 0);
	vs_json_obj_end(&j);
	vs_json_obj_end(&j);
	vs_json_finish(&j);
}

/* --csv: the zerocopy CSV of plots/ (plots/schema.md); 0, or 1 with a message. */
static int compare_csv(const struct cfg *cfg, FILE *f, const struct zc_cell (*cell)[NPOINTS])
{
	uint64_t sizes[NPOINTS];
	struct utsname u;
	const char *label = cfg->label;

	if (!label)
		label = uname(&u) ? "unknown" : u.release;
	for (size_t p = 0; p < NPOINTS; p++)
		sizes[p] = compare_pages[p] * page;
	if (zc_csv_write(f, label, cfg->mb * MIB, sizes, NPOINTS, cell[0], cell[1]) ||
	    (f != stdout && fclose(f))) {
		fprintf(stderr, "rx_zerocopy: --csv '%s': writing failed: %s\n", cfg->csv,
			strerror(errno));
		return 1;
	}
	return 0;
}

static int run_compare(const struct cfg *cfg)
{
	static struct zc_cell cell[2][NPOINTS];	/* [copy, zerocopy][point] */
	int zc = zc_supported(), rc = 0, fd;
	FILE *progress = cfg->json ? stderr : stdout;
	FILE *csv = NULL;
	struct vs_ctl c;

	if (zc < 0)
		vs_die("probing for zerocopy receive: %s", strerror(-zc));
	/* The CSV file is opened first: a bad path fails before any transfer. */
	if (cfg->csv) {
		csv = strcmp(cfg->csv, "-") ? fopen(cfg->csv, "w") : stdout;
		if (!csv)
			vs_die("--csv '%s': %s", cfg->csv, strerror(errno));
		if (csv == stdout)
			progress = stderr;
	}
	if (!zc)
		vs_warn("--compare: %s: only copy mode is measured", ZC_NO_KERNEL_MSG);
	fd = connect_ctl(cfg, &c);
	fprintf(progress, "Compare: %s, %" PRIu64 " MiB per point, %u round%s, server %u:%u, "
		"zerocopy release %s\n", cfg->seqpacket ? "SEQPACKET" : "STREAM", cfg->mb,
		cfg->rounds, cfg->rounds > 1 ? "s" : "", cfg->peer_cid, cfg->port,
		cfg->madvise_release ? "madvise" : "implicit");
	for (unsigned int r = 0; r < cfg->rounds && !rc && !stop; r++) {
		for (size_t p = 0; p < NPOINTS && !rc && !stop; p++) {
			for (int i = 0; i < 2 && !rc; i++) {
				/* A/B interleaved: the order alternates from round to round */
				int m = (int)((r + i) % 2);
				struct spec sp = {
					.type = cfg->seqpacket ? SOCK_SEQPACKET : SOCK_STREAM,
					.zerocopy = m, .verify = cfg->verify, .mb = cfg->mb,
					.madvise_release = cfg->madvise_release,
					.vsk_size = cfg->vsk_size,
					.rx = compare_pages[p], .tx = compare_pages[p],
				};
				struct side me, peer;
				struct ticker tk = { 0 };
				struct cfg quiet = *cfg;
				struct zc_cell *ce = &cell[m][p];

				if (m && !zc)
					continue;
				quiet.interval_s = 0;
				client_run(&quiet, &c, &sp, &me, &peer, &tk, false);
				if (client_problems(&sp, &me, &peer, true)) {
					rc = 1;
					break;
				}
				ce->sec[ce->n] = secs(me.ns);
				ce->cpu[ce->n] = vs_cpu_us_per_mb(&me.cpu, me.bytes);
				ce->n++;
				fprintf(progress, "round %u/%u, %4u pages, %-8s: %7.3f sec, %6.3f "
					"Gbits/s, rx cpu %.1f usec/MB\n", r + 1, cfg->rounds,
					compare_pages[p], m ? "zerocopy" : "copy", secs(me.ns),
					vs_gbps(me.bytes, me.ns), ce->cpu[ce->n - 1]);
				fflush(progress);
			}
		}
	}
	vs_ctl_send(&c, "BYE");
	close(fd);
	if (stop && !rc) {
		fprintf(stderr, "rx_zerocopy: interrupted: the table holds the rounds done\n");
		rc = 1;
	}
	if (cfg->json)
		compare_json(cfg, (const struct zc_cell (*)[NPOINTS])cell, zc, rc || !zc);
	else if (csv != stdout)
		compare_table(cfg, (const struct zc_cell (*)[NPOINTS])cell,
			      cfg->seqpacket ? "SEQPACKET" : "STREAM");
	/* Partial results are written too: the runs column says what was measured. */
	if (csv && compare_csv(cfg, csv, (const struct zc_cell (*)[NPOINTS])cell))
		rc = 1;
	if (!zc) {
		fprintf(stderr, "rx_zerocopy: --compare: %s: the zerocopy row is n/a\n",
			ZC_NO_KERNEL_MSG);
		return 1;
	}
	return rc;
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	struct cfg cfg = {
		.port = DEFAULT_PORT, .rx = DEFAULT_PAGES, .interval_s = 1.0, .rounds = DEFAULT_ROUNDS,
	};
	bool given[OPT_MAX] = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	char why[256];
	int opt;

	vs_set_prog(argv[0]);
	page = zc_page_size();
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (opt == '?')
			vs_usage_error("unknown option '%s'", argv[optind - 1]);
		if (opt == ':')
			vs_usage_error("%s needs a value", argv[optind - 1]);
		if (opt >= 0 && opt < OPT_MAX)
			given[opt] = true;
		switch (opt) {
		case OPT_HELP:
		case 'h':
			usage();
			return 0;
		case OPT_VERSION:
			printf("%s\n", RZ_VERSION);
			return 0;
		case OPT_MODE:
			if (!strcmp(optarg, "client"))
				cfg.client = true;
			else if (strcmp(optarg, "server"))
				vs_usage_error("--mode '%s': expected client or server", optarg);
			break;
		case OPT_PORT:
			cfg.port = (uint32_t)vs_opt_uint("--port", optarg, 1, 65535);
			break;
		case OPT_PEER:
			cfg.peer_cid = vs_opt_cid("--peer-cid", optarg);
			break;
		case OPT_MB:
			cfg.mb = vs_opt_uint("--mb", optarg, 1, MAX_MB);
			break;
		case OPT_RX:
			cfg.rx = vs_opt_uint("--rx", optarg, 1, MAX_PAGES);
			break;
		case OPT_TX:
			cfg.tx = vs_opt_uint("--tx", optarg, 1, MAX_PAGES);
			break;
		case OPT_ZEROCOPY:
			cfg.zerocopy = true;
			break;
		case OPT_SEQPACKET:
			cfg.seqpacket = true;
			break;
		case OPT_VERIFY:
			cfg.verify = true;
			break;
		case OPT_COMPARE:
			cfg.compare = true;
			break;
		case OPT_ROUNDS:
			cfg.rounds = (unsigned int)vs_opt_uint("--rounds", optarg, 1, MAX_ROUNDS);
			break;
		case OPT_LOOP:
			cfg.loop = true;
			break;
		case OPT_INTERVAL:
			cfg.interval_s = vs_opt_seconds("--interval", optarg, 0, 3600);
			break;
		case OPT_JSON:
			cfg.json = true;
			break;
		case OPT_CSV:
			if (!*optarg)
				vs_usage_error("--csv needs a file name ('-' for stdout)");
			cfg.csv = optarg;
			break;
		case OPT_VSK:
			cfg.vsk_size = vs_opt_size("--vsk-size", optarg, 1, UINT32_MAX);
			break;
		case OPT_RELEASE:
			if (!strcmp(optarg, "madvise"))
				cfg.madvise_release = true;
			else if (strcmp(optarg, "implicit"))
				vs_usage_error("--release '%s': expected implicit or madvise", optarg);
			break;
		case OPT_LABEL:
			if (!*optarg || strpbrk(optarg, ",\n\r"))
				vs_usage_error("--label '%s': it must be non-empty, without commas or "
					       "line breaks (a CSV column)", optarg);
			cfg.label = optarg;
			break;
		}
	}
	if (optind < argc)
		vs_usage_error("unexpected argument '%s'", argv[optind]);
	check_combinations(&cfg, given);
	if (!cfg.client) {
		cfg.mb = cfg.mb ? cfg.mb : DEFAULT_MB;
		cfg.tx = cfg.tx ? cfg.tx : DEFAULT_PAGES;
	} else if (cfg.compare && !cfg.mb) {
		cfg.mb = DEFAULT_MB;
	}

	/* The guard runs before any socket exists. */
	if (cfg.client && vs_guard_peer_cid(cfg.peer_cid, why, sizeof(why)))
		vs_die("%s", why);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (cfg.client && cfg.zerocopy) {
		int zc = zc_supported();

		if (zc == 0)
			vs_die("--zerocopy: %s", ZC_NO_KERNEL_MSG);
		if (zc < 0)
			vs_die("--zerocopy: probing for zerocopy receive: %s", strerror(-zc));
	}
	if (!cfg.client)
		return run_server(&cfg);
	return cfg.compare ? run_compare(&cfg) : run_client(&cfg);
}
