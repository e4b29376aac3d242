// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsock_conform: an AF_VSOCK conformance suite in the manner of the
 * kernel's tools/testing/vsock/vsock_test. Run it twice, a server and a
 * client on the two ends (or both in one VM with CID 1); they agree on each
 * case over a text control channel, TCP as upstream's or vsock itself.
 *
 * Per case: the client sends "CASE id=N", the server answers "READY id=N"
 * (or "SKIPPED id=N why=..."); each side runs its role in a child process;
 * each then sends "NOTE id=N text=..." (optional) and "DONE id=N result=R
 * why=...", and reads the peer's. Both sides print the same verdict.
 */
#include "conform.h"
#include "vs_clock.h"
#include "vs_guard.h"
#include "vs_opts.h"
#include "vs_out.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define CONFORM_MAGIC "VSCONF1"
#define DEFAULT_PEER_PORT 1234
#define DEFAULT_TIMEOUT_S 30.0
#define CONNECT_TIMEOUT_MS 10000

struct opts {
	bool server, list, json, have_mode, have_cid;
	struct vs_ctl_ep ctl;
	bool have_host, have_port, have_vsock;
	uint32_t peer_cid;
	uint32_t peer_port;
	double timeout_s;
	bool pick[512], skip[512], picked;
};

/* One side's or both sides' outcome of a case. */
struct outcome {
	enum cf_result r;
	char why[900];
	char note[256];
};

struct verdict {
	unsigned int id;
	enum cf_result r;
	struct outcome mine, peer;
};

static const char *const result_names[] = { "pass", "fail", "skip" };

static void usage(void)
{
	printf("usage: vsock_conform --mode client|server --peer-cid CID [options]\n"
	       "       vsock_conform --list\n"
	       "An AF_VSOCK conformance suite: run a server on one end and a client on the other\n"
	       "(or both in one VM, --peer-cid 1). Options as upstream's vsock_test:\n"
	       "  --mode client|server    this side's role\n"
	       "  --control-host HOST     TCP control channel: the server's address (client), or the\n"
	       "                          address to listen on (server, default: any)\n"
	       "  --control-port PORT     TCP control channel port\n"
	       "  --control-vsock CID:PORT  run the control channel over vsock instead: the server's\n"
	       "                          CID:PORT (client), or any:PORT to listen on (server)\n"
	       "  --peer-cid CID          the other side's CID (names: local=1, host=2)\n"
	       "  --peer-port PORT        vsock port the cases listen on, and PORT+1 (default %d)\n"
	       "  --list                  list the cases with their IDs and exit\n"
	       "  --skip ID               skip case ID (repeatable)\n"
	       "  --pick ID               run only the picked cases (repeatable)\n"
	       "  --timeout SEC           per-case time limit (default %.0f)\n"
	       "  --json                  one JSON document instead of text\n"
	       "  -h, --help\n"
	       "The last line of the text report is 'N passed, N failed, N skipped'; the exit status\n"
	       "is 1 when a case failed.\n", DEFAULT_PEER_PORT, DEFAULT_TIMEOUT_S);
}

static void list_cases(void)
{
	for (unsigned int i = 0; i < cf_ncases; i++) {
		const struct cf_case *c = &cf_cases[i];

		printf("%3u %-34s %s", i + 1, c->name, c->desc);
		if (c->reserved)
			printf(" [%s]", c->reserved);
		putchar('\n');
	}
}

static unsigned int opt_case_id(const char *opt, const char *arg)
{
	unsigned int id = (unsigned int)vs_opt_uint(opt, arg, 1, UINT32_MAX);

	if (id > cf_ncases)
		vs_usage_error("%s '%s': no such case (IDs are 1 to %u, see --list)", opt, arg,
			       cf_ncases);
	if (cf_cases[id - 1].reserved)
		vs_usage_error("%s '%s': case %u is %s, not a case yet (see --list)", opt, arg, id,
			       cf_cases[id - 1].reserved);
	return id;
}

static void parse(int argc, char **argv, struct opts *o)
{
	enum { O_MODE = 256, O_HOST, O_PORT, O_VSOCK, O_CID, O_PPORT, O_LIST, O_SKIP, O_PICK,
	       O_TIMEOUT, O_JSON, O_HELP };
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, O_MODE },
		{ "control-host", required_argument, NULL, O_HOST },
		{ "control-port", required_argument, NULL, O_PORT },
		{ "control-vsock", required_argument, NULL, O_VSOCK },
		{ "peer-cid", required_argument, NULL, O_CID },
		{ "peer-port", required_argument, NULL, O_PPORT },
		{ "list", no_argument, NULL, O_LIST },
		{ "skip", required_argument, NULL, O_SKIP },
		{ "pick", required_argument, NULL, O_PICK },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, O_HELP },
		{ 0 },
	};
	const char *why;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (opt) {
		case '?':
			vs_usage_error("unknown option '%s'", argv[optind - 1]);
		case ':':
			vs_usage_error("%s needs a value", argv[optind - 1]);
		case 'h':
		case O_HELP:
			usage();
			exit(0);
		case O_MODE:
			if (!strcmp(optarg, "server"))
				o->server = true;
			else if (strcmp(optarg, "client"))
				vs_usage_error("--mode '%s': expected client or server", optarg);
			o->have_mode = true;
			break;
		case O_HOST:
			if (!*optarg || strlen(optarg) >= sizeof(o->ctl.host))
				vs_usage_error("--control-host '%s': empty or too long", optarg);
			snprintf(o->ctl.host, sizeof(o->ctl.host), "%s", optarg);
			o->have_host = true;
			break;
		case O_PORT:
			o->ctl.port = (uint32_t)vs_opt_uint("--control-port", optarg, 1, 65535);
			o->have_port = true;
			break;
		case O_VSOCK:
			if (vs_ctl_parse_vsock(optarg, &o->ctl, &why))
				vs_usage_error("--control-vsock '%s': %s", optarg, why);
			o->have_vsock = true;
			break;
		case O_CID:
			o->peer_cid = vs_opt_cid("--peer-cid", optarg);
			o->have_cid = true;
			break;
		case O_PPORT:
			o->peer_port = (uint32_t)vs_opt_uint("--peer-port", optarg, 1, UINT32_MAX - 2);
			break;
		case O_LIST:
			o->list = true;
			break;
		case O_SKIP:
			o->skip[opt_case_id("--skip", optarg)] = true;
			break;
		case O_PICK:
			o->pick[opt_case_id("--pick", optarg)] = true;
			o->picked = true;
			break;
		case O_TIMEOUT:
			o->timeout_s = vs_opt_seconds("--timeout", optarg, 1, 3600);
			break;
		case O_JSON:
			o->json = true;
			break;
		}
	}
	if (optind < argc)
		vs_usage_error("unexpected argument '%s'", argv[optind]);
	if (o->list)
		return;
	if (!o->have_mode)
		vs_usage_error("--mode client|server is required");
	if (!o->have_cid)
		vs_usage_error("--peer-cid is required (1 to run both sides in one machine)");
	if (o->peer_cid == VMADDR_CID_ANY || o->peer_cid == VMADDR_CID_HYPERVISOR)
		vs_usage_error("--peer-cid %d: not a peer a case can connect to",
			       (int)o->peer_cid == -1 ? -1 : 0);
	if (o->have_vsock && (o->have_host || o->have_port))
		vs_usage_error("--control-vsock replaces --control-host and --control-port");
	if (o->have_vsock) {
		if (!o->server && o->ctl.cid == VMADDR_CID_ANY)
			vs_usage_error("--control-vsock: the client needs the server's CID, not any");
		return;
	}
	if (!o->have_port)
		vs_usage_error("--control-port is required (or --control-vsock CID:PORT)");
	if (!o->server && !o->have_host)
		vs_usage_error("--control-host is required in client mode");
	o->ctl.t = &vs_ctl_tcp;
}

static unsigned int kernel_version(char *release, size_t len)
{
	struct utsname u;
	unsigned int maj = 0, min = 0;

	if (uname(&u) < 0)
		vs_die("uname: %s", strerror(errno));
	snprintf(release, len, "%s", u.release);
	if (sscanf(u.release, "%u.%u", &maj, &min) != 2)
		vs_die("cannot read the kernel version from the release '%s'", u.release);
	return KV(maj, min);
}

/* Reads the child's report from fd, within deadline; *left gets the unconsumed control bytes. */
static void collect(int fd, pid_t pid, uint64_t deadline, struct outcome *out, struct vs_ctl *c,
		    double timeout_s)
{
	static char buf[VS_CTL_LINE_MAX * 4 + 2048];
	size_t len = 0;
	bool timed_out = false;
	int st = 0, code;
	char *nl1, *nl2;

	for (;;) {
		uint64_t now = vs_now_ns();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int r;

		if (now >= deadline) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		r = poll(&p, 1, (int)((deadline - now) / 1000000ULL) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	buf[len] = '\0';
	nl1 = memchr(buf, '\n', len);
	nl2 = nl1 ? memchr(nl1 + 1, '\n', len - (size_t)(nl1 + 1 - buf)) : NULL;
	if (timed_out || !nl2 || sscanf(buf, "%d", &code) != 1 || code < 0 || code > 2) {
		out->r = CF_FAIL;
		if (timed_out)
			snprintf(out->why, sizeof(out->why), "timed out after %.0f s", timeout_s);
		else if (WIFSIGNALED(st))
			snprintf(out->why, sizeof(out->why), "killed by signal %d (%s)",
				 WTERMSIG(st), strsignal(WTERMSIG(st)));
		else
			snprintf(out->why, sizeof(out->why), "exited %d without a report",
				 WEXITSTATUS(st));
		c->len = 0;	/* what the child read is lost; DONE resynchronises */
		return;
	}
	out->r = (enum cf_result)code;
	*nl1 = *nl2 = '\0';
	snprintf(out->why, sizeof(out->why), "%s", strchr(buf, ' ') ? strchr(buf, ' ') + 1 : "");
	snprintf(out->note, sizeof(out->note), "%s", nl1 + 1);
	/* the control bytes the child had read ahead are ours again */
	len -= (size_t)(nl2 + 1 - buf);
	if (len > sizeof(c->buf))
		len = sizeof(c->buf);
	memcpy(c->buf, nl2 + 1, len);
	c->len = len;
	if (out->r == CF_PASS && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		out->r = CF_FAIL;
		snprintf(out->why, sizeof(out->why), "passed, then exited with status %d%s",
			 WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st),
			 " (a sanitizer report? see stderr)");
	}
}

/* Runs this side's role of case id in a child process. */
static void run_role(const struct opts *o, struct vs_ctl *c, unsigned int id, unsigned int kver,
		     struct outcome *out)
{
	const struct cf_case *cs = &cf_cases[id - 1];
	cf_fn fn = o->server ? cs->server : cs->client;
	int pfd[2];
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (pipe2(pfd, O_CLOEXEC) < 0)
		vs_die("pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		vs_die("fork: %s", strerror(errno));
	if (pid == 0) {
		struct cf_ctx ctx = {
			.ctl = c, .peer_cid = o->peer_cid, .port = o->peer_port, .kver = kver,
			.role = o->server ? "server" : "client", .result_fd = pfd[1],
			.wait_ms = (int)(o->timeout_s * 1000 / 3),
		};

		close(pfd[0]);
		if (fn)
			fn(&ctx);
		cf_child_exit(&ctx, CF_PASS, NULL);
	}
	close(pfd[1]);
	collect(pfd[0], pid, vs_now_ns() + (uint64_t)(o->timeout_s * 1e9), out, c, o->timeout_s);
}

static void ctl_send(struct vs_ctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ctl_send(struct vs_ctl *c, const char *fmt, ...)
{
	char line[VS_CTL_LINE_MAX + 1];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vs_ctl_vsend(c, line, sizeof(line), fmt, ap);
	va_end(ap);
	if (r)
		vs_die("control channel: sending '%.40s': %s", line, strerror(-r));
}

static void ctl_recv(struct vs_ctl *c, char *line, size_t cap, const char *waiting_for)
{
	int n = vs_ctl_recv(c, line, cap);

	if (n < 0)
		vs_die("control channel: waiting for %s: %s", waiting_for,
		       n == -ETIMEDOUT ? "timed out" : n == -EPIPE ? "the peer closed it"
		       : strerror(-n));
}

/* Sends this side's outcome of case id and reads the peer's. */
static void exchange(struct vs_ctl *c, unsigned int id, const struct outcome *mine,
		     struct outcome *peer)
{
	char line[VS_CTL_LINE_MAX + 1], v[16];
	uint64_t got;

	if (mine->note[0])
		ctl_send(c, "NOTE id=%u text=%s", id, mine->note);
	ctl_send(c, "DONE id=%u result=%s why=%s", id, result_names[mine->r], mine->why);
	memset(peer, 0, sizeof(*peer));
	for (;;) {
		ctl_recv(c, line, sizeof(line), "the peer's result");
		if (vs_ctl_get_u64(line, "id", &got) || got != id)
			continue;	/* a case line the peer's role left unread */
		if (vs_ctl_is(line, "NOTE")) {
			vs_ctl_get_rest(line, "text", peer->note, sizeof(peer->note));
			continue;
		}
		if (!vs_ctl_is(line, "DONE"))
			continue;
		if (vs_ctl_get(line, "result", v, sizeof(v)))
			vs_die("control channel: malformed '%.60s'", line);
		peer->r = !strcmp(v, "pass") ? CF_PASS : !strcmp(v, "skip") ? CF_SKIP : CF_FAIL;
		vs_ctl_get_rest(line, "why", peer->why, sizeof(peer->why));
		return;
	}
}

struct report {
	const struct opts *o;
	struct vs_json j;
	unsigned int passed, failed, skipped;
};

static void report_case(struct report *rp, const struct verdict *v)
{
	const struct outcome *cl = rp->o->server ? &v->peer : &v->mine;
	const struct outcome *sv = rp->o->server ? &v->mine : &v->peer;
	const struct cf_case *cs = &cf_cases[v->id - 1];

	if (v->r == CF_PASS)
		rp->passed++;
	else if (v->r == CF_FAIL)
		rp->failed++;
	else
		rp->skipped++;
	if (rp->o->json) {
		vs_json_obj_begin(&rp->j, NULL);
		vs_json_u64(&rp->j, "id", v->id);
		vs_json_str(&rp->j, "name", cs->name);
		vs_json_str(&rp->j, "result", result_names[v->r]);
		for (int side = 0; side < 2; side++) {
			const struct outcome *x = side ? sv : cl;

			vs_json_obj_begin(&rp->j, side ? "server" : "client");
			vs_json_str(&rp->j, "result", result_names[x->r]);
			vs_json_str(&rp->j, "why", x->why);
			vs_json_str(&rp->j, "note", x->note);
			vs_json_obj_end(&rp->j);
		}
		vs_json_obj_end(&rp->j);
		return;
	}
	printf("%3u %-34s %s", v->id, cs->name, v->r == CF_PASS ? "ok" : v->r == CF_FAIL
	       ? "FAIL" : "skip");
	if (v->r != CF_PASS) {
		const char *sep = ": ";

		for (int side = 0; side < 2; side++) {
			const struct outcome *x = side ? sv : cl;

			if (x->r != CF_PASS && x->why[0]) {
				printf("%s%s: %s", sep, side ? "server" : "client", x->why);
				sep = "; ";
			}
		}
	}
	for (int side = 0; side < 2; side++) {
		const struct outcome *x = side ? sv : cl;

		if (x->note[0])
			printf(" (%s: %s)", side ? "server" : "client", x->note);
	}
	putchar('\n');
	fflush(stdout);
}

static enum cf_result combine(const struct outcome *a, const struct outcome *b)
{
	if (a->r == CF_FAIL || b->r == CF_FAIL)
		return CF_FAIL;
	return a->r == CF_SKIP || b->r == CF_SKIP ? CF_SKIP : CF_PASS;
}

static bool selected(const struct opts *o, unsigned int id, const char **why)
{
	if (cf_cases[id - 1].reserved)
		return false;
	*why = o->skip[id] ? "--skip" : o->picked && !o->pick[id] ? "not picked" : NULL;
	return true;
}

static void run_one(struct report *rp, struct vs_ctl *c, unsigned int id, unsigned int kver)
{
	struct verdict v = { .id = id };

	run_role(rp->o, c, id, kver, &v.mine);
	exchange(c, id, &v.mine, &v.peer);
	v.r = combine(&v.mine, &v.peer);
	report_case(rp, &v);
}

static void skipped_case(struct report *rp, unsigned int id, const char *side, const char *why)
{
	struct verdict v = { .id = id, .r = CF_SKIP };
	struct outcome *x = !strcmp(side, "server") == rp->o->server ? &v.mine : &v.peer;

	v.mine.r = v.peer.r = CF_SKIP;
	snprintf(x->why, sizeof(x->why), "%s", why);
	report_case(rp, &v);
}

static void client_loop(struct report *rp, struct vs_ctl *c, unsigned int kver)
{
	char line[VS_CTL_LINE_MAX + 1], why[300];

	for (unsigned int id = 1; id <= cf_ncases; id++) {
		const char *skip;

		if (!selected(rp->o, id, &skip))
			continue;
		if (skip) {
			/* --skip is reported; what --pick left out is not news */
			if (rp->o->skip[id]) {
				skipped_case(rp, id, "client", skip);
				/* so the server's report lists it too */
				ctl_send(c, "SKIPCASE id=%u why=%s on the client", id, skip);
			}
			continue;
		}
		ctl_send(c, "CASE id=%u name=%s", id, cf_cases[id - 1].name);
		ctl_recv(c, line, sizeof(line), "the server's answer to CASE");
		if (vs_ctl_is(line, "SKIPPED")) {
			if (vs_ctl_get_rest(line, "why", why, sizeof(why)))
				snprintf(why, sizeof(why), "skipped by the server");
			skipped_case(rp, id, "server", why);
			continue;
		}
		if (!vs_ctl_is(line, "READY"))
			vs_die("the server does not run case %u (%s): '%.80s' (the same version "
			       "on both sides?)", id, cf_cases[id - 1].name, line);
		run_one(rp, c, id, kver);
	}
	ctl_send(c, "BYE");
}

static void server_loop(struct report *rp, struct vs_ctl *c, unsigned int kver)
{
	char line[VS_CTL_LINE_MAX + 1], name[64];
	uint64_t id;

	c->timeout_ms = -1;	/* the client decides the pace */
	for (;;) {
		const char *skip;

		ctl_recv(c, line, sizeof(line), "the next case");
		if (vs_ctl_is(line, "BYE"))
			return;
		if (vs_ctl_is(line, "SKIPCASE") && !vs_ctl_get_u64(line, "id", &id) && id >= 1 &&
		    id <= cf_ncases) {
			char why[300];

			if (vs_ctl_get_rest(line, "why", why, sizeof(why)))
				snprintf(why, sizeof(why), "skipped by the client");
			skipped_case(rp, (unsigned int)id, "client", why);
			continue;
		}
		if (!vs_ctl_is(line, "CASE") || vs_ctl_get_u64(line, "id", &id) ||
		    vs_ctl_get(line, "name", name, sizeof(name)))
			vs_die("control channel: expected CASE, got '%.80s'", line);
		if (id < 1 || id > cf_ncases || strcmp(name, cf_cases[id - 1].name) ||
		    !selected(rp->o, (unsigned int)id, &skip)) {
			ctl_send(c, "UNKNOWN id=%llu", (unsigned long long)id);
			vs_die("the client asked for case %llu '%s', which this server does not "
			       "have (the same version on both sides?)", (unsigned long long)id,
			       name);
		}
		if (skip) {
			ctl_send(c, "SKIPPED id=%llu why=%s on the server", (unsigned long long)id,
				 skip);
			skipped_case(rp, (unsigned int)id, "server", skip);
			continue;
		}
		ctl_send(c, "READY id=%llu", (unsigned long long)id);
		c->timeout_ms = (int)(rp->o->timeout_s * 1000);
		run_one(rp, c, (unsigned int)id, kver);
		c->timeout_ms = -1;
	}
}

/* Opens the control channel: the server accepts one client, the client connects. */
static int open_control(const struct opts *o)
{
	char ep[300];
	int fd;

	if (o->server) {
		int lfd = o->ctl.t->listen(&o->ctl);

		if (lfd < 0)
			vs_die("control channel: listening on %s: %s",
			       vs_ctl_ep_str(&o->ctl, ep, sizeof(ep)), strerror(-lfd));
		if (!o->json)
			printf("Control socket listening on %s\n", vs_ctl_ep_str(&o->ctl, ep, sizeof(ep)));
		fflush(stdout);
		fd = vs_ctl_accept(lfd, -1);
		close(lfd);
		if (fd < 0)
			vs_die("control channel: accept: %s", strerror(-fd));
		return fd;
	}
	fd = vs_ctl_connect(&o->ctl, CONNECT_TIMEOUT_MS);
	if (fd < 0)
		vs_die("control channel: connecting to %s: %s",
		       vs_ctl_ep_str(&o->ctl, ep, sizeof(ep)), strerror(-fd));
	return fd;
}

int main(int argc, char **argv)
{
	struct opts o = { .peer_port = DEFAULT_PEER_PORT, .timeout_s = DEFAULT_TIMEOUT_S };
	struct report rp = { .o = &o };
	char release[128], line[VS_CTL_LINE_MAX + 1], peer_rel[128] = "?", why[512], ep[300];
	struct vs_ctl c;
	unsigned int kver;
	int fd;

	vs_set_prog(argv[0]);
	parse(argc, argv, &o);
	if (o.list) {
		list_cases();
		return 0;
	}
	/* The guard comes before any vsock socket exists (the control one included). */
	if (vs_guard_peer_cid(o.peer_cid, why, sizeof(why)))
		vs_die("--peer-cid: %s", why);
	if (o.ctl.t == &vs_ctl_vsock && !o.server &&
	    vs_guard_peer_cid(o.ctl.cid, why, sizeof(why)))
		vs_die("--control-vsock: %s", why);
	kver = kernel_version(release, sizeof(release));
	signal(SIGPIPE, SIG_IGN);

	fd = open_control(&o);
	vs_ctl_init(&c, fd, CONNECT_TIMEOUT_MS);
	if (o.server) {
		ctl_recv(&c, line, sizeof(line), "the client's hello");
		if (!vs_ctl_is(line, CONFORM_MAGIC))
			vs_die("control channel: not a vsock_conform client: '%.60s'", line);
		vs_ctl_get(line, "kernel", peer_rel, sizeof(peer_rel));
		ctl_send(&c, CONFORM_MAGIC " kernel=%s cases=%u", release, cf_ncases);
	} else {
		ctl_send(&c, CONFORM_MAGIC " kernel=%s cases=%u", release, cf_ncases);
		ctl_recv(&c, line, sizeof(line), "the server's hello");
		if (!vs_ctl_is(line, CONFORM_MAGIC))
			vs_die("control channel: the peer is not a vsock_conform server: '%.60s'",
			       line);
		vs_ctl_get(line, "kernel", peer_rel, sizeof(peer_rel));
	}
	if (o.json) {
		vs_json_init(&rp.j, stdout, false);
		vs_json_obj_begin(&rp.j, NULL);
		vs_json_str(&rp.j, "mode", o.server ? "server" : "client");
		vs_json_str(&rp.j, "kernel", release);
		vs_json_str(&rp.j, "peer_kernel", peer_rel);
		vs_json_u64(&rp.j, "peer_cid", o.peer_cid);
		vs_json_str(&rp.j, "control", vs_ctl_ep_str(&o.ctl, ep, sizeof(ep)));
		vs_json_arr_begin(&rp.j, "cases");
	} else {
		printf("vsock_conform %s: kernel %s, peer CID %u (kernel %s), control %s\n",
		       o.server ? "server" : "client", release, o.peer_cid, peer_rel,
		       vs_ctl_ep_str(&o.ctl, ep, sizeof(ep)));
		fflush(stdout);
	}
	if (o.server)
		server_loop(&rp, &c, kver);
	else
		client_loop(&rp, &c, kver);
	close(fd);
	if (o.json) {
		vs_json_arr_end(&rp.j);
		vs_json_u64(&rp.j, "passed", rp.passed);
		vs_json_u64(&rp.j, "failed", rp.failed);
		vs_json_u64(&rp.j, "skipped", rp.skipped);
		vs_json_obj_end(&rp.j);
		if (vs_json_finish(&rp.j))
			vs_die("internal error: malformed JSON report");
	} else {
		printf("%u passed, %u failed", rp.passed, rp.failed);
		if (rp.skipped)
			printf(", %u skipped", rp.skipped);
		putchar('\n');
	}
	return rp.failed ? 1 : 0;
}
