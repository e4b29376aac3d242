// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vsock_diag cases (37-39): the sock_diag dump that vsock_diag makes
 * (vs_diag_dump) lists exactly the case's sockets, with the right type,
 * state, addresses and inode, and `ss -H -a --vsock` lists the same.
 *
 * Each side sees only its own kernel's sockets; with --peer-cid 1 both
 * roles share one kernel, so each side also expects the other's sockets.
 * The case's sockets are those with a local or peer port of --peer-port or
 * --peer-port + 1, other than the two ends of a vsock control channel (found
 * by its addresses), so unrelated vsock users of the machine do not count.
 */
#include "cases.h"
#include "vs_clock.h"
#include "vs_diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ANY UINT32_MAX		/* VMADDR_CID_ANY, VMADDR_PORT_ANY */
#define MAX_SOCKS 16		/* more of the case's sockets than that is a failure anyway */

struct dsock {
	int type, state;
	uint32_t src_cid, src_port, dst_cid, dst_port;
	uint32_t ino;		/* 0: not known (ss does not print it) */
};

struct dlist {
	unsigned int n;		/* sockets of the case (may exceed MAX_SOCKS: only counted) */
	struct dsock s[MAX_SOCKS];
};

/* The filter: the case's ports and the vsock control connection to leave out. */
struct dfilter {
	uint32_t port;
	bool ctl_vsock;
	uint32_t ctl_lcid, ctl_lport, ctl_pcid, ctl_pport;
};

static void filter_init(struct cf_ctx *ctx, struct dfilter *f)
{
	union vs_addr l, p;
	socklen_t ll = sizeof(l), pl = sizeof(p);

	memset(f, 0, sizeof(*f));
	f->port = ctx->port;
	if (getsockname(ctx->ctl->fd, &l.sa, &ll) < 0 || l.sa.sa_family != AF_VSOCK)
		return;	/* TCP: no vsock socket of the suite's own */
	if (getpeername(ctx->ctl->fd, &p.sa, &pl) < 0)
		cf_fail(ctx, "getpeername of the vsock control connection: %s", strerror(errno));
	f->ctl_vsock = true;
	f->ctl_lcid = l.svm.svm_cid;
	f->ctl_lport = l.svm.svm_port;
	f->ctl_pcid = p.svm.svm_cid;
	f->ctl_pport = p.svm.svm_port;
}

/*
 * A connecting socket keeps the local CID it was bound with, VMADDR_CID_ANY
 * (getsockname and vsock_diag agree), while its peer sees the transport's CID.
 */
static bool cid_eq(uint32_t a, uint32_t b)
{
	return a == b || a == ANY || b == ANY;
}

static bool is_case_sock(const struct dfilter *f, const struct dsock *s)
{
	bool port = s->src_port == f->port || s->src_port == f->port + 1 ||
		    s->dst_port == f->port || s->dst_port == f->port + 1;

	if (!port)
		return false;
	if (f->ctl_vsock &&
	    ((cid_eq(s->src_cid, f->ctl_lcid) && s->src_port == f->ctl_lport &&
	      cid_eq(s->dst_cid, f->ctl_pcid) && s->dst_port == f->ctl_pport) ||
	     (cid_eq(s->src_cid, f->ctl_pcid) && s->src_port == f->ctl_pport &&
	      cid_eq(s->dst_cid, f->ctl_lcid) && s->dst_port == f->ctl_lport)))
		return false;	/* an end of the control connection */
	return true;
}

static void add(const struct dfilter *f, struct dlist *l, const struct dsock *s)
{
	if (!is_case_sock(f, s))
		return;
	if (l->n < MAX_SOCKS)
		l->s[l->n] = *s;
	l->n++;
}

struct dump_arg {
	const struct dfilter *f;
	struct dlist *l;
};

static int dump_one(const struct vs_diag_sock *v, void *arg)
{
	struct dump_arg *a = arg;
	struct dsock s = {
		.type = v->type, .state = v->state, .src_cid = v->src_cid, .src_port = v->src_port,
		.dst_cid = v->dst_cid, .dst_port = v->dst_port, .ino = v->ino,
	};

	add(a->f, a->l, &s);
	return 0;
}

/* vsock_diag's view: every state, filtered to the case's sockets. */
static void diag_list(struct cf_ctx *ctx, const struct dfilter *f, struct dlist *l)
{
	struct dump_arg a = { f, l };
	char why[512];

	memset(l, 0, sizeof(*l));
	if (vs_diag_dump(VS_SS_ALL, dump_one, &a, why, sizeof(why)) < 0)
		cf_fail(ctx, "vsock_diag: %s", why);
}

static const char *sock_str(const struct dsock *s, char *buf, size_t len)
{
	char l[32], p[32];

	int n = snprintf(buf, len, "%s %s %s %s", vs_type_name(s->type),
			 vs_diag_state_name((unsigned int)s->state),
			 vs_diag_addr_str(l, sizeof(l), s->src_cid, s->src_port),
			 vs_diag_addr_str(p, sizeof(p), s->dst_cid, s->dst_port));

	if (s->ino && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " ino %u", s->ino);
	return buf;
}

static const char *list_str(const struct dlist *l, char *buf, size_t len)
{
	size_t used = 0;
	char one[128];

	snprintf(buf, len, "none");
	for (unsigned int i = 0; i < l->n && i < MAX_SOCKS && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "; " : "",
					 sock_str(&l->s[i], one, sizeof(one)));
	return buf;
}

static bool same(const struct dsock *a, const struct dsock *b, bool ino)
{
	return a->type == b->type && a->state == b->state && a->src_cid == b->src_cid &&
	       a->src_port == b->src_port && a->dst_cid == b->dst_cid &&
	       a->dst_port == b->dst_port && (!ino || a->ino == b->ino);
}

/*
 * got holds each of want exactly once and nothing else (inodes compared when
 * ino); 0, or -1 with the difference in why.
 */
static int compare(const struct dlist *got, const struct dsock *want, unsigned int nwant, bool ino,
		   char *why, size_t wlen)
{
	char a[1200], b[128];
	bool used[MAX_SOCKS] = { false };

	if (got->n != nwant) {
		snprintf(why, wlen, "%u sockets of the case, expected %u: %s", got->n, nwant,
			 list_str(got, a, sizeof(a)));
		return -1;
	}
	for (unsigned int i = 0; i < nwant; i++) {
		unsigned int j;

		for (j = 0; j < got->n; j++)
			if (!used[j] && same(&got->s[j], &want[i], ino))
				break;
		if (j == got->n) {
			struct dsock w = want[i];

			if (!ino)
				w.ino = 0;	/* not compared: not shown */
			snprintf(why, wlen, "expected %s, listed: %s", sock_str(&w, b, sizeof(b)),
				 list_str(got, a, sizeof(a)));
			return -1;
		}
		used[j] = true;
	}
	return 0;
}

/* ss's netid for a type, as ss 6.x prints it; SEQPACKET was "???" before ss learnt it. */
static int ss_type(const char *netid)
{
	return !strcmp(netid, "v_str") ? SOCK_STREAM : !strcmp(netid, "v_dgr") ? SOCK_DGRAM
	       : !strcmp(netid, "v_seq") || !strcmp(netid, "???") ? SOCK_SEQPACKET : -1;
}

/*
 * ss's view, `ss -H -a --vsock`, filtered the same way; 1 when ss is not
 * installed (the caller notes it), 0 when l holds the listing.
 */
static int ss_list(struct cf_ctx *ctx, const struct dfilter *f, struct dlist *l)
{
	static char out[1 << 16];
	size_t len = 0;
	int pfd[2], st = 0;
	pid_t pid;
	ssize_t n;

	memset(l, 0, sizeof(*l));
	if (pipe2(pfd, O_CLOEXEC) < 0)
		cf_fail(ctx, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		cf_fail(ctx, "fork: %s", strerror(errno));
	if (pid == 0) {
		int e;

		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execlp("ss", "ss", "-H", "-a", "--vsock", (char *)NULL);
		e = errno;
		dprintf(1, "exec ss: %s\n", strerror(e));
		_exit(e == ENOENT ? 127 : 126);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], out + len, sizeof(out) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			cf_fail(ctx, "reading ss's output: %s", strerror(errno));
		len += (size_t)n;
		if (len == sizeof(out) - 1)
			cf_fail(ctx, "ss -H -a --vsock: more than %zu bytes of output", len);
	}
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	out[len] = '\0';
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && !strncmp(out, "exec ss:", 8))
		return 1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		cf_fail(ctx, "ss -H -a --vsock failed (status 0x%x): %.200s", st, out);
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		char netid[16], state[16], local[64], peer[64];
		struct dsock s = { 0 };

		if (sscanf(line, "%15s %15s %*s %*s %63s %63s", netid, state, local, peer) != 4 ||
		    (s.type = ss_type(netid)) < 0 || (s.state = vs_diag_state_parse(state)) < 0 ||
		    vs_diag_addr_parse(local, &s.src_cid, &s.src_port) ||
		    vs_diag_addr_parse(peer, &s.dst_cid, &s.dst_port))
			cf_fail(ctx, "ss -H -a --vsock: unexpected line '%.120s'", line);
		add(f, l, &s);
	}
	return 0;
}

/*
 * The check of the three cases: vsock_diag lists exactly want (inodes
 * included) among the case's sockets, and so does ss where it is installed.
 */
static void check_listing(struct cf_ctx *ctx, const char *when, const struct dsock *want,
			  unsigned int nwant)
{
	struct dfilter f;
	struct dlist l;
	char why[1400];

	filter_init(ctx, &f);
	diag_list(ctx, &f, &l);
	if (compare(&l, want, nwant, true, why, sizeof(why)))
		cf_fail(ctx, "%s: vsock_diag lists %s", when, why);
	if (ss_list(ctx, &f, &l)) {
		if (!strstr(ctx->note, "ss is not installed"))
			cf_note(ctx, "ss is not installed: vsock_diag's listing not compared with ss");
		return;
	}
	if (compare(&l, want, nwant, false, why, sizeof(why)))
		cf_fail(ctx, "%s: vsock_diag agrees, but ss -a --vsock lists %s", when, why);
}

/*
 * Waits until vsock_diag lists none of the case's sockets: a connection an
 * earlier case closed goes away once the peer has answered its shutdown, a
 * moment later. Then none must be listed, by ss either.
 */
static void wait_none(struct cf_ctx *ctx)
{
	uint64_t start = vs_now_ns(), end = start + (uint64_t)ctx->wait_ms * 1000000ULL;
	unsigned int first = 0;
	struct dfilter f;
	struct dlist l;

	filter_init(ctx, &f);
	for (;;) {
		diag_list(ctx, &f, &l);
		if (!first)
			first = l.n;
		if (l.n == 0 || vs_now_ns() >= end)
			break;
		usleep(20000);
	}
	if (first && !l.n)
		cf_note(ctx, "waited %.0f ms for %u closed sockets of earlier cases to go",
			(double)(vs_now_ns() - start) / 1e6, first);
	check_listing(ctx, "with no socket of the case open", NULL, 0);
}

static bool same_kernel(const struct cf_ctx *ctx)
{
	return ctx->peer_cid == VMADDR_CID_LOCAL;
}

static uint32_t inode_of(struct cf_ctx *ctx, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		cf_fail(ctx, "fstat of a vsock socket: %s", strerror(errno));
	return (uint32_t)st.st_ino;
}

/* This side's socket as vsock_diag should list it: state, getsockname/getpeername, fstat. */
static struct dsock own_sock(struct cf_ctx *ctx, int fd, int state, bool connected)
{
	struct dsock s = { .type = SOCK_STREAM, .state = state, .dst_cid = ANY, .dst_port = ANY };

	if (vs_local_addr(fd, &s.src_cid, &s.src_port))
		cf_fail(ctx, "getsockname: %s", strerror(errno));
	if (connected && vs_peer_addr(fd, &s.dst_cid, &s.dst_port))
		cf_fail(ctx, "getpeername: %s", strerror(errno));
	s.ino = inode_of(ctx, fd);
	return s;
}

/* "WORD ino=N lcid=C lport=P pcid=C pport=P": a socket of the other side, for a shared kernel. */
static void send_sock(struct cf_ctx *ctx, const char *word, const struct dsock *s)
{
	cf_send(ctx, "%s ino=%u lcid=%u lport=%u pcid=%u pport=%u", word, s->ino, s->src_cid,
		s->src_port, s->dst_cid, s->dst_port);
}

static void expect_sock(struct cf_ctx *ctx, const char *word, struct dsock *s)
{
	static const char *const keys[] = { "ino", "lcid", "lport", "pcid", "pport" };
	uint32_t *fields[] = { &s->ino, &s->src_cid, &s->src_port, &s->dst_cid, &s->dst_port };
	char line[VS_CTL_LINE_MAX + 1];

	cf_expect(ctx, word, line, sizeof(line));
	for (int i = 0; i < 5; i++) {
		uint64_t v;

		if (vs_ctl_get_u64(line, keys[i], &v) || v > UINT32_MAX)
			cf_fail(ctx, "control channel: malformed '%.80s'", line);
		*fields[i] = (uint32_t)v;
	}
}

/*
 * 37: with no socket of the case open, none is listed; a socket bound to the
 * case's port is listed (UNCONN), and none again once it is closed. The
 * bound socket shows the filter sees what it should.
 */
void diag_no_sockets_client(struct cf_ctx *ctx)
{
	struct dsock bound = { .type = SOCK_STREAM, .state = VS_SS_CLOSE, .dst_cid = ANY,
			       .dst_port = ANY };

	wait_none(ctx);
	cf_send(ctx, "EMPTY");
	cf_expect(ctx, "EMPTY", NULL, 0);
	expect_sock(ctx, "BOUND", &bound);
	check_listing(ctx, "with the server's socket bound", &bound, same_kernel(ctx) ? 1 : 0);
	cf_send(ctx, "CHECKED");
	cf_expect(ctx, "CLOSED", NULL, 0);
	check_listing(ctx, "after the server closed its socket", NULL, 0);
}

void diag_no_sockets_server(struct cf_ctx *ctx)
{
	union vs_addr a = { .svm = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY } };
	struct dsock bound;
	int fd;

	wait_none(ctx);
	cf_send(ctx, "EMPTY");
	cf_expect(ctx, "EMPTY", NULL, 0);
	fd = cf_socket(ctx, SOCK_STREAM);
	a.svm.svm_port = ctx->port;
	if (bind(fd, &a.sa, sizeof(a.svm)) < 0)
		cf_fail(ctx, "bind(any:%u): %s", ctx->port, strerror(errno));
	bound = own_sock(ctx, fd, VS_SS_CLOSE, false);
	check_listing(ctx, "with a socket bound to the case's port", &bound, 1);
	send_sock(ctx, "BOUND", &bound);
	cf_expect(ctx, "CHECKED", NULL, 0);
	close(fd);
	check_listing(ctx, "after closing the bound socket", NULL, 0);
	cf_send(ctx, "CLOSED");
}

/* 38: a listener is listed exactly once: LISTEN, STREAM, *:port, peer *:*, its inode. */
void diag_listener_client(struct cf_ctx *ctx)
{
	struct dsock lst = { .type = SOCK_STREAM, .state = VS_SS_LISTEN, .dst_cid = ANY,
			     .dst_port = ANY };

	expect_sock(ctx, "LISTENING", &lst);
	check_listing(ctx, "with the server listening", &lst, same_kernel(ctx) ? 1 : 0);
	cf_send(ctx, "CHECKED");
}

void diag_listener_server(struct cf_ctx *ctx)
{
	int fd = cf_listen(ctx, SOCK_STREAM, ctx->port);
	struct dsock lst = own_sock(ctx, fd, VS_SS_LISTEN, false);

	/* bound to any CID, as cf_listen does: not a CID of this machine */
	if (lst.src_cid != ANY || lst.src_port != ctx->port)
		cf_fail(ctx, "getsockname of the listener: %u:%u, expected any:%u", lst.src_cid,
			lst.src_port, ctx->port);
	check_listing(ctx, "with a listener", &lst, 1);
	send_sock(ctx, "LISTENING", &lst);
	cf_expect(ctx, "CHECKED", NULL, 0);
	close(fd);
}

/*
 * 39: a connection: this side's end is listed ESTAB with the peer's cid:port
 * as the peer reports it, and, in a shared kernel, the peer's end too (the
 * listener is closed by then).
 */
static void check_connection(struct cf_ctx *ctx, int fd)
{
	struct dsock want[2];
	char a[32], b[32], c[32], d[32];

	want[0] = own_sock(ctx, fd, VS_SS_ESTABLISHED, true);
	send_sock(ctx, "SOCK", &want[0]);
	want[1] = (struct dsock){ .type = SOCK_STREAM, .state = VS_SS_ESTABLISHED };
	expect_sock(ctx, "SOCK", &want[1]);
	/* each end's peer address is the other's local one (the CIDs as cid_eq says) */
	if (want[1].src_port != want[0].dst_port || want[1].dst_port != want[0].src_port ||
	    !cid_eq(want[1].src_cid, want[0].dst_cid) || !cid_eq(want[1].dst_cid, want[0].src_cid))
		cf_fail(ctx, "this end is %s with peer %s, the peer's end is %s with peer %s",
			vs_diag_addr_str(a, sizeof(a), want[0].src_cid, want[0].src_port),
			vs_diag_addr_str(b, sizeof(b), want[0].dst_cid, want[0].dst_port),
			vs_diag_addr_str(c, sizeof(c), want[1].src_cid, want[1].src_port),
			vs_diag_addr_str(d, sizeof(d), want[1].dst_cid, want[1].dst_port));
	if (want[0].dst_cid != ctx->peer_cid)
		cf_fail(ctx, "getpeername gives CID %u, expected --peer-cid %u", want[0].dst_cid,
			ctx->peer_cid);
	check_listing(ctx, "with a connection", want, same_kernel(ctx) ? 2 : 1);
	cf_send(ctx, "CHECKED");
	cf_expect(ctx, "CHECKED", NULL, 0);
}

void diag_connection_client(struct cf_ctx *ctx)
{
	int fd = cf_connect(ctx, SOCK_STREAM);

	check_connection(ctx, fd);
	close(fd);
}

void diag_connection_server(struct cf_ctx *ctx)
{
	int fd = cf_accept(ctx, SOCK_STREAM);

	check_connection(ctx, fd);
	close(fd);
}
