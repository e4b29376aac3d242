// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsock_diag - list AF_VSOCK sockets (as `ss --vsock` does, through the
 * vsock_diag netlink family), with their owning processes and, with
 * --credit, the virtio transport's credit state read by a BPF iterator.
 */
#include "diag.h"
#include "vs_clock.h"
#include "vs_diag.h"
#include "vs_opts.h"
#include "vs_out.h"
#include "vs_sock.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ANY UINT32_MAX	/* VMADDR_CID_ANY, VMADDR_PORT_ANY */

static struct {
	uint32_t states;	/* bit 1 << sk_state */
	unsigned int types;	/* bit 1 << SOCK_*; 0: all */
	bool cid_set, port_set;
	uint32_t cid, port;
	bool processes, extended, credit, json, header, verbose;
	double interval_s;	/* 0: one listing */
	uint64_t count;		/* listings with -i; 0: until Ctrl-C */
} env = { .states = VS_SS_CONN, .header = true };

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static void usage(void)
{
	printf("Usage: vsock_diag [options]\n"
	       "Lists AF_VSOCK sockets through the vsock_diag netlink family (module vsock_diag).\n"
	       "By default only connected sockets, as ss does.\n\n"
	       "  -a, --all             every socket: listening, bound, connecting, connected\n"
	       "  -l, --listening       listening sockets only\n"
	       "  -s, --state LIST      only these states (comma-separated): listen, estab, syn-sent,\n"
	       "                        unconn, closing (ss's names; also established, connected...)\n"
	       "  -t, --type LIST       only these types: stream, seqpacket, dgram\n"
	       "      --cid CID         only sockets with this local or peer CID\n"
	       "      --port PORT       only sockets with this local or peer port\n"
	       "  -p, --processes       the processes that hold each socket (pid, comm, fd; from /proc)\n"
	       "  -e, --extended        the owner's uid (from /proc)\n"
	       "      --credit          per socket: rx_bytes, fwd_cnt, buf_alloc, peer_buf_alloc, tx_cnt,\n"
	       "                        peer_fwd_cnt and the available credit, read with a BPF\n"
	       "                        iterator (root: CAP_BPF and CAP_PERFMON)\n"
	       "      --json            one JSON document per listing, a line each\n"
	       "  -i, --interval SEC    list again every SEC seconds, until Ctrl-C\n"
	       "  -c, --count N         with -i: stop after N listings\n"
	       "  -H, --no-header       no column header\n"
	       "  -v, --verbose         libbpf's messages (with --credit)\n"
	       "  -h, --help            this text\n");
}

/* ------------------------------------------------------------ options */

static uint32_t parse_states(const char *arg)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	uint32_t mask = 0;

	if (!copy)
		vs_die("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int s = vs_diag_state_parse(tok);

		if (s < 0)
			vs_usage_error("--state '%s': unknown state '%s' (listen, estab, syn-sent, "
				       "unconn, closing)", arg, tok);
		mask |= 1u << s;
	}
	free(copy);
	if (!mask)
		vs_usage_error("--state '%s': no state given", arg);
	return mask;
}

static unsigned int parse_types(const char *arg)
{
	static const struct {
		const char *name;
		int type;
	} names[] = { { "stream", SOCK_STREAM }, { "seqpacket", SOCK_SEQPACKET },
		      { "dgram", SOCK_DGRAM } };
	char *copy = strdup(arg), *save = NULL, *tok;
	unsigned int mask = 0;

	if (!copy)
		vs_die("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcasecmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			vs_usage_error("--type '%s': unknown type '%s' (stream, seqpacket, dgram)", arg,
				       tok);
		mask |= 1u << names[i].type;
	}
	free(copy);
	if (!mask)
		vs_usage_error("--type '%s': no type given", arg);
	return mask;
}

static void parse(int argc, char **argv)
{
	enum { O_CID = 256, O_PORT, O_CREDIT, O_JSON };
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' }, { "listening", no_argument, NULL, 'l' },
		{ "state", required_argument, NULL, 's' }, { "type", required_argument, NULL, 't' },
		{ "cid", required_argument, NULL, O_CID }, { "port", required_argument, NULL, O_PORT },
		{ "processes", no_argument, NULL, 'p' }, { "extended", no_argument, NULL, 'e' },
		{ "credit", no_argument, NULL, O_CREDIT }, { "json", no_argument, NULL, O_JSON },
		{ "interval", required_argument, NULL, 'i' }, { "count", required_argument, NULL, 'c' },
		{ "no-header", no_argument, NULL, 'H' }, { "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	const char *which = NULL;	/* the option that chose the states */
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":als:t:pei:c:Hvh", opts, NULL)) != -1) {
		const char *name = NULL;
		uint32_t states = 0;

		switch (opt) {
		case 'a':
			name = "-a";
			states = VS_SS_ALL;
			break;
		case 'l':
			name = "-l";
			states = 1u << VS_SS_LISTEN;
			break;
		case 's':
			name = "--state";
			states = parse_states(optarg);
			break;
		case 't':
			env.types = parse_types(optarg);
			break;
		case O_CID:
			env.cid = vs_opt_cid("--cid", optarg);
			env.cid_set = true;
			break;
		case O_PORT:
			env.port = (uint32_t)vs_opt_uint("--port", optarg, 0, UINT32_MAX);
			env.port_set = true;
			break;
		case 'p':
			env.processes = true;
			break;
		case 'e':
			env.extended = true;
			break;
		case O_CREDIT:
			env.credit = true;
			break;
		case O_JSON:
			env.json = true;
			break;
		case 'i':
			env.interval_s = vs_opt_seconds("--interval", optarg, 0.01, 86400);
			break;
		case 'c':
			env.count = vs_opt_uint("--count", optarg, 1, UINT64_MAX);
			break;
		case 'H':
			env.header = false;
			break;
		case 'v':
			env.verbose = true;
			break;
		case 'h':
			usage();
			exit(0);
		default:	/* ':' or unknown */
			vs_opt_bad(opt, argv);
		}
		if (name) {
			if (which && strcmp(which, name))
				vs_usage_error("%s and %s both choose the states: give one", which, name);
			which = name;
			env.states = states;
		}
	}
	if (optind < argc)
		vs_usage_error("unexpected argument '%s'", argv[optind]);
	if (env.count && !env.interval_s)
		vs_usage_error("--count goes with --interval");
}

/* ------------------------------------------------------------ listing */

struct rows {
	struct vs_diag_sock *v;
	size_t n, cap;
};

static bool wanted(const struct vs_diag_sock *s)
{
	if (env.types && !(env.types & (1u << (s->type & 31))))
		return false;
	if (env.cid_set && s->src_cid != env.cid && s->dst_cid != env.cid)
		return false;
	if (env.port_set && s->src_port != env.port && s->dst_port != env.port)
		return false;
	return true;
}

static int collect(const struct vs_diag_sock *s, void *arg)
{
	struct rows *r = arg;

	if (!wanted(s))
		return 0;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		struct vs_diag_sock *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = *s;
	return 0;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

/* Type, then local CID:port, then peer CID:port, then inode: a stable order. */
static int cmp_row(const void *a, const void *b)
{
	const struct vs_diag_sock *x = a, *y = b;
	int c;

	if ((c = cmp_u32(x->type, y->type)) || (c = cmp_u32(x->src_cid, y->src_cid)) ||
	    (c = cmp_u32(x->src_port, y->src_port)) || (c = cmp_u32(x->dst_cid, y->dst_cid)) ||
	    (c = cmp_u32(x->dst_port, y->dst_port)))
		return c;
	return cmp_u32(x->ino, y->ino);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static const char *shut_name(unsigned int shut)
{
	static const char *const names[4] = { "-", "rcv", "send", "rcv,send" };

	return names[shut & 3];
}

struct listing {
	struct rows rows;
	struct vsd_owners owners;
	struct vsd_credit credit;
	bool credit_ok;
	char credit_why[512];
};

static void print_text(struct listing *L)
{
	char l[32], p[32];

	if (env.header) {
		printf("%-9s %-8s %-22s %-22s %10s %-8s", "TYPE", "STATE", "LOCAL", "PEER", "INODE",
		       "SHUT");
		if (env.extended)
			printf(" %6s", "UID");
		if (env.credit)
			printf(" %10s %10s %10s %10s %10s %10s %10s", "RX_BYTES", "FWD_CNT",
			       "BUF_ALLOC", "PEER_BUF", "TX_CNT", "PEER_FWD", "CREDIT");
		if (env.processes)
			printf(" PROCESS");
		printf("\n");
	}
	for (size_t i = 0; i < L->rows.n; i++) {
		const struct vs_diag_sock *s = &L->rows.v[i];
		const struct vsd_owner *o = (env.processes || env.extended) ?
			vsd_owners_find(&L->owners, s->ino) : NULL;

		printf("%-9s %-8s %-22s %-22s %10u %-8s", vs_type_name(s->type),
		       vs_diag_state_name(s->state), vs_diag_addr_str(l, sizeof(l), s->src_cid, s->src_port),
		       vs_diag_addr_str(p, sizeof(p), s->dst_cid, s->dst_port), s->ino, shut_name(s->shutdown));
		if (env.extended) {
			if (o)
				printf(" %6u", o->uid);
			else
				printf(" %6s", "-");
		}
		if (env.credit) {
			const struct vsd_rec *r = L->credit_ok ? vsd_credit_find(&L->credit, s->ino) : NULL;

			if (r && (r->flags & VSD_F_VIRTIO))
				printf(" %10u %10u %10u %10u %10u %10u %10lld", r->rx_bytes, r->fwd_cnt,
				       r->buf_alloc, r->peer_buf_alloc, r->tx_cnt, r->peer_fwd_cnt,
				       (long long)vsd_avail_credit(r));
			else
				printf(" %10s %10s %10s %10s %10s %10s %10s", "-", "-", "-", "-", "-", "-",
				       "-");
		}
		if (env.processes && o) {
			printf(" users:(");
			for (const struct vsd_owner *w = o; w < L->owners.v + L->owners.n &&
			     w->ino == s->ino; w++)
				printf("%s(\"%s\",pid=%u,fd=%u)", w == o ? "" : ",", w->comm, w->pid, w->fd);
			printf(")");
		}
		printf("\n");
	}
	if (env.credit && !L->credit_ok)
		fprintf(stderr, "%s: --credit: no credit columns: %s\n", vs_prog(), L->credit_why);
}

static void print_json(struct listing *L)
{
	struct vs_json j;

	vs_json_init(&j, stdout, false);
	vs_json_obj_begin(&j, NULL);
	vs_json_double(&j, "time", (double)time(NULL));
	vs_json_u64(&j, "count", L->rows.n);
	if (env.credit) {
		if (L->credit_ok)
			vs_json_null(&j, "credit_error");
		else
			vs_json_str(&j, "credit_error", L->credit_why);
	}
	vs_json_arr_begin(&j, "sockets");
	for (size_t i = 0; i < L->rows.n; i++) {
		const struct vs_diag_sock *s = &L->rows.v[i];
		const struct vsd_owner *o = (env.processes || env.extended) ?
			vsd_owners_find(&L->owners, s->ino) : NULL;

		vs_json_obj_begin(&j, NULL);
		vs_json_str(&j, "type", vs_type_name(s->type));
		vs_json_str(&j, "state", vs_diag_state_name(s->state));
		vs_json_u64(&j, "local_cid", s->src_cid);
		vs_json_u64(&j, "local_port", s->src_port);
		vs_json_u64(&j, "peer_cid", s->dst_cid);
		vs_json_u64(&j, "peer_port", s->dst_port);
		vs_json_u64(&j, "inode", s->ino);
		vs_json_u64(&j, "shutdown", s->shutdown);
		if (o)
			vs_json_u64(&j, "uid", o->uid);
		else
			vs_json_null(&j, "uid");
		if (env.processes) {
			vs_json_arr_begin(&j, "processes");
			for (const struct vsd_owner *w = o; w && w < L->owners.v + L->owners.n &&
			     w->ino == s->ino; w++) {
				vs_json_obj_begin(&j, NULL);
				vs_json_u64(&j, "pid", w->pid);
				vs_json_str(&j, "comm", w->comm);
				vs_json_u64(&j, "fd", w->fd);
				vs_json_obj_end(&j);
			}
			vs_json_arr_end(&j);
		}
		if (env.credit) {
			const struct vsd_rec *r = L->credit_ok ? vsd_credit_find(&L->credit, s->ino) : NULL;

			if (r && (r->flags & VSD_F_VIRTIO)) {
				vs_json_obj_begin(&j, "credit");
				vs_json_u64(&j, "rx_bytes", r->rx_bytes);
				vs_json_u64(&j, "fwd_cnt", r->fwd_cnt);
				vs_json_u64(&j, "last_fwd_cnt", r->last_fwd_cnt);
				vs_json_u64(&j, "buf_alloc", r->buf_alloc);
				vs_json_u64(&j, "peer_buf_alloc", r->peer_buf_alloc);
				vs_json_u64(&j, "tx_cnt", r->tx_cnt);
				vs_json_u64(&j, "peer_fwd_cnt", r->peer_fwd_cnt);
				vs_json_i64(&j, "credit", vsd_avail_credit(r));
				vs_json_obj_end(&j);
			} else {
				vs_json_null(&j, "credit");
			}
		}
		vs_json_obj_end(&j);
	}
	vs_json_arr_end(&j);
	vs_json_obj_end(&j);
	vs_json_finish(&j);
}

/* One listing: netlink rows, then owners and credit matched by inode. */
static void list_once(struct listing *L)
{
	char why[512];

	L->rows.n = 0;
	if (vs_diag_dump(env.states, collect, &L->rows, why, sizeof(why)) < 0)
		vs_die("%s", why);
	if (L->rows.n)
		qsort(L->rows.v, L->rows.n, sizeof(*L->rows.v), cmp_row);
	if (env.processes || env.extended) {
		uint64_t *inos = malloc((L->rows.n + 1) * sizeof(*inos));

		if (!inos)
			vs_die("out of memory");
		for (size_t i = 0; i < L->rows.n; i++)
			inos[i] = L->rows.v[i].ino;
		qsort(inos, L->rows.n, sizeof(*inos), cmp_u64);
		if (vsd_owners_scan(&L->owners, inos, L->rows.n))
			vs_warn("reading /proc: %s: no owners shown", strerror(errno));
		free(inos);
	}
	if (env.credit && L->credit_ok &&
	    vsd_credit_snapshot(&L->credit, L->credit_why, sizeof(L->credit_why)))
		L->credit_ok = false;
	if (env.json)
		print_json(L);
	else
		print_text(L);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct listing L = { 0 };
	uint64_t n = 0, next;

	vs_set_prog(argv[0]);
	parse(argc, argv);
	if (env.credit) {
		L.credit_ok = !vsd_credit_open(&L.credit, env.verbose, L.credit_why,
					       sizeof(L.credit_why));
		if (L.credit_ok && L.credit.no_virtio) {
			snprintf(L.credit_why, sizeof(L.credit_why), "no virtio vsock transport in this "
				 "kernel (virtio_transport_stream_has_data is not in /proc/kallsyms; "
				 "load vmw_vsock_virtio_transport_common)");
			L.credit_ok = false;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	next = vs_now_ns();
	while (!exiting) {
		list_once(&L);
		if (!env.interval_s || (env.count && ++n >= env.count))
			break;
		next += (uint64_t)(env.interval_s * 1e9);
		while (!exiting && vs_now_ns() < next) {
			uint64_t left = next - vs_now_ns();

			vs_sleep_ns(left < 100000000 ? left : 100000000);
		}
		if (!env.json && !exiting)
			printf("\n");
	}
	if (env.credit)
		vsd_credit_close(&L.credit);
	vsd_owners_free(&L.owners);
	free(L.rows.v);
	return 0;
}
