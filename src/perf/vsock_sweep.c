// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsock_sweep - runs vsock_perf over a grid (buffer sizes, vsock buffer
 * sizes, stream counts, STREAM and SEQPACKET), each point N times, and
 * writes the median, min and max of each point as a table, CSV and JSON
 * (schema: plots/schema.md). Every run is a vsock_perf receiver and
 * sender pair over vsock loopback (CID 1), read back through their --json
 * documents: the sweep measures nothing itself.
 */
#include "vs_clock.h"
#include "vs_guard.h"
#include "vs_jsonr.h"
#include "vs_opts.h"
#include "vs_out.h"
#include "vs_sock.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SWEEP_VERSION "vsock_sweep (vsockscope) 0.1"
#define SWEEP_SCHEMA "vsockscope-sweep/1"
#define MAX_LIST 64
#define DEFAULT_BUF_SIZES "64,128,256,512,1K,1518,4K,16K,64K,256K,1M"
#define DEFAULT_PORT 1234

/* The CSV columns, in order (plots/schema.md documents each). */
static const char *const csv_columns[] = {
	"label", "type", "buf_size", "vsk_size", "streams", "traced", "runs_ok", "runs_failed",
	"gbps_median", "gbps_min", "gbps_max", "tx_gbps_median", "tx_cpu_us_per_mib",
	"rx_cpu_us_per_mib", "cpu_s_per_gib", "read_p50_us", "read_p99_us", "stalls",
	"vsk_size_actual",
};

static void usage(void)
{
	printf("Usage: vsock_sweep [options]\n"
	       "\n"
	       "Runs vsock_perf over a grid of settings on vsock loopback (CID 1), in the test VM\n"
	       "only: a receiver and a sender per run, read back through their --json output.\n"
	       "Every point runs --repeat times; the runs go round by round over the whole grid,\n"
	       "so slow minutes of a noisy machine spread over all points. Prints a table of the\n"
	       "median, min and max of each point; --out writes CSV and JSON (plots/schema.md).\n"
	       "\n"
	       "Grid (comma-separated lists; sizes take K, M, G suffixes):\n"
	       "  --buf-sizes <list>    write/read sizes (default %s)\n"
	       "  --vsk-sizes <list>    vsock buffer sizes (default 256K)\n"
	       "  --streams <list>      parallel streams (default 1)\n"
	       "  --types <list>        stream, seqpacket (default stream,seqpacket)\n"
	       "\n"
	       "Each run:\n"
	       "  --time <sec>          send for this long (default 0.5)\n"
	       "  --bytes <n>KMG        or send this much per stream\n"
	       "  --repeat <n>          runs per point (default 3)\n"
	       "  --trace               the receiver runs with --trace: read latency, credit stalls\n"
	       "  --port <port>         the receivers' port (default %d)\n"
	       "  --run-timeout <sec>   give up on a run after this long (default 60)\n"
	       "  --perf <path>         the vsock_perf to run (default: next to vsock_sweep)\n"
	       "\n"
	       "Output:\n"
	       "  --out <prefix>        write <prefix>.csv and <prefix>.json\n"
	       "  --label <text>        the label column (default: the kernel release)\n"
	       "  --json                the JSON document on stdout instead of the table\n"
	       "  --csv                 the CSV on stdout instead of the table\n"
	       "  --dry-run             print each point's vsock_perf commands, run nothing\n"
	       "  --quiet               no progress lines on stderr\n"
	       "  --help, -h            this text\n"
	       "  --version             the version\n"
	       "\n"
	       "Exit status: 0 every run succeeded, 1 a run failed (the sweep goes on and says\n"
	       "which), 2 bad command line.\n", DEFAULT_BUF_SIZES, DEFAULT_PORT);
}

struct run {
	bool ok;
	double gbps;		/* the receiver's rx performance (all streams) */
	double tx_gbps;		/* the sender's tx performance (upstream's: time in send()) */
	double tx_cpu, rx_cpu;	/* CPU microseconds per MiB, each side */
	double p50, p99;	/* --trace: the receiver's read latency, us */
	double stalls;		/* --trace: the sender's credit stalls the receiver saw */
	uint64_t vsk_actual;
	char error[256];
};

struct point {
	int type;
	uint64_t buf, vsk, streams;
	struct run *runs;
	const char *skipped;	/* why the point is not run, or NULL */
};

/* Points the kernel refuses by design are skipped, and said so, rather than failed. */
static const char *why_skip(int type, uint64_t buf, uint64_t vsk)
{
	if (type == SOCK_SEQPACKET && buf > vsk)
		return "a SEQPACKET message larger than the vsock buffer: the kernel refuses it "
		       "(EMSGSIZE or ENOMEM)";
	return NULL;
}

static struct {
	uint64_t buf[MAX_LIST], vsk[MAX_LIST], streams[MAX_LIST];
	size_t nbuf, nvsk, nstreams;
	int types[2];
	size_t ntypes;
	unsigned int repeat;
	double time_s;
	uint64_t bytes;
	bool trace, json, csv, dry_run, quiet;
	uint32_t port;
	double run_timeout_s;
	const char *out, *label, *perf;
	char label_buf[128], perf_buf[PATH_MAX], cmdline[2048];
	char tmpdir[64];
} cfg = { .repeat = 3, .time_s = 0.5, .port = DEFAULT_PORT, .run_timeout_s = 60 };

static struct point *points;
static size_t npoints;
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* ------------------------------------------------------------ options */

static size_t parse_list(const char *opt, const char *arg, uint64_t *out, uint64_t min,
			 uint64_t max, bool sizes)
{
	char *copy = strdup(arg), *save = NULL, *item;
	size_t n = 0;

	if (!copy)
		vs_die("out of memory");
	if (!*arg || arg[strlen(arg) - 1] == ',' || *arg == ',' || strstr(arg, ",,"))
		vs_usage_error("%s '%s': empty list item", opt, arg);
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		const char *why;
		uint64_t v;

		if (n == MAX_LIST)
			vs_usage_error("%s '%s': more than %d items", opt, arg, MAX_LIST);
		if (sizes ? vs_parse_size(item, &v, &why) : vs_parse_uint(item, min, max, &v, &why))
			vs_usage_error("%s '%s': item '%s': %s", opt, arg, item, why);
		if (v < min || v > max)
			vs_usage_error("%s '%s': item '%s': out of range (%" PRIu64 "-%" PRIu64 ")", opt,
				       arg, item, min, max);
		for (size_t i = 0; i < n; i++)
			if (out[i] == v)
				vs_usage_error("%s '%s': item '%s' given twice", opt, arg, item);
		out[n++] = v;
	}
	free(copy);
	return n;
}

static size_t parse_types(const char *arg, int *out)
{
	char *copy = strdup(arg), *save = NULL, *item;
	size_t n = 0;

	if (!copy)
		vs_die("out of memory");
	if (!*arg || arg[strlen(arg) - 1] == ',' || *arg == ',' || strstr(arg, ",,"))
		vs_usage_error("--types '%s': empty list item", arg);
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		int t = !strcasecmp(item, "stream") ? SOCK_STREAM :
			!strcasecmp(item, "seqpacket") ? SOCK_SEQPACKET : -1;

		if (t < 0)
			vs_usage_error("--types '%s': unknown type '%s' (stream, seqpacket)", arg, item);
		for (size_t i = 0; i < n; i++)
			if (out[i] == t)
				vs_usage_error("--types '%s': '%s' given twice", arg, item);
		out[n++] = t;
	}
	free(copy);
	return n;
}

/* The vsock_perf next to this program, else the one on PATH. */
static const char *default_perf(void)
{
	ssize_t n = readlink("/proc/self/exe", cfg.perf_buf, sizeof(cfg.perf_buf) - 16);
	char *slash;

	if (n > 0) {
		cfg.perf_buf[n] = '\0';
		slash = strrchr(cfg.perf_buf, '/');
		if (slash) {
			strcpy(slash + 1, "vsock_perf");
			if (access(cfg.perf_buf, X_OK) == 0)
				return cfg.perf_buf;
		}
	}
	return "vsock_perf";
}

enum {
	OPT_BUFS = 256, OPT_VSKS, OPT_STREAMS, OPT_TYPES, OPT_TIME, OPT_BYTES, OPT_REPEAT,
	OPT_TRACE, OPT_PORT, OPT_RUN_TIMEOUT, OPT_PERF, OPT_OUT, OPT_LABEL, OPT_JSON, OPT_CSV,
	OPT_DRY_RUN, OPT_QUIET, OPT_VERSION, OPT_HELP,
};

static void parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "buf-sizes", required_argument, NULL, OPT_BUFS },
		{ "vsk-sizes", required_argument, NULL, OPT_VSKS },
		{ "streams", required_argument, NULL, OPT_STREAMS },
		{ "types", required_argument, NULL, OPT_TYPES },
		{ "time", required_argument, NULL, OPT_TIME },
		{ "bytes", required_argument, NULL, OPT_BYTES },
		{ "repeat", required_argument, NULL, OPT_REPEAT },
		{ "trace", no_argument, NULL, OPT_TRACE },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "run-timeout", required_argument, NULL, OPT_RUN_TIMEOUT },
		{ "perf", required_argument, NULL, OPT_PERF },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, OPT_HELP },
		{ 0 },
	};
	bool time_given = false, bytes_given = false;
	size_t len = 0;
	int opt;

	for (int i = 0; i < argc && len < sizeof(cfg.cmdline) - 1; i++)
		len += (size_t)snprintf(cfg.cmdline + len, sizeof(cfg.cmdline) - len, "%s%s",
					i ? " " : "", i ? argv[i] : "vsock_sweep");
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_BUFS:
			cfg.nbuf = parse_list("--buf-sizes", optarg, cfg.buf, 1, 1ULL << 30, true);
			break;
		case OPT_VSKS:
			cfg.nvsk = parse_list("--vsk-sizes", optarg, cfg.vsk, 1, 1ULL << 32, true);
			break;
		case OPT_STREAMS:
			cfg.nstreams = parse_list("--streams", optarg, cfg.streams, 1, 128, false);
			break;
		case OPT_TYPES:
			cfg.ntypes = parse_types(optarg, cfg.types);
			break;
		case OPT_TIME:
			cfg.time_s = vs_opt_seconds("--time", optarg, 0.01, 3600);
			time_given = true;
			break;
		case OPT_BYTES:
			cfg.bytes = vs_opt_size("--bytes", optarg, 1, 1ULL << 40);
			bytes_given = true;
			break;
		case OPT_REPEAT:
			cfg.repeat = (unsigned int)vs_opt_uint("--repeat", optarg, 1, 1000);
			break;
		case OPT_TRACE:
			cfg.trace = true;
			break;
		case OPT_PORT:
			cfg.port = (uint32_t)vs_opt_uint("--port", optarg, 1, 65535);
			break;
		case OPT_RUN_TIMEOUT:
			cfg.run_timeout_s = vs_opt_seconds("--run-timeout", optarg, 1, 86400);
			break;
		case OPT_PERF:
			cfg.perf = optarg;
			break;
		case OPT_OUT:
			if (!*optarg)
				vs_usage_error("--out '': empty prefix");
			cfg.out = optarg;
			break;
		case OPT_LABEL:
			if (!*optarg || strlen(optarg) >= sizeof(cfg.label_buf) ||
			    strpbrk(optarg, ",\"\\\n\r\t"))
				vs_usage_error("--label '%s': 1-127 characters without commas, quotes, "
					       "backslashes or control characters", optarg);
			cfg.label = optarg;
			break;
		case OPT_JSON:
			cfg.json = true;
			break;
		case OPT_CSV:
			cfg.csv = true;
			break;
		case OPT_DRY_RUN:
			cfg.dry_run = true;
			break;
		case OPT_QUIET:
			cfg.quiet = true;
			break;
		case OPT_VERSION:
			printf("%s\n", SWEEP_VERSION);
			exit(0);
		case 'h':
		case OPT_HELP:
			usage();
			exit(0);
		default:
			vs_opt_bad(opt, argv);
		}
	}
	if (optind < argc)
		vs_usage_error("unexpected argument '%s'", argv[optind]);
	if (time_given && bytes_given)
		vs_usage_error("--time and --bytes exclude each other");
	if (bytes_given)
		cfg.time_s = 0;
	if (cfg.json && cfg.csv)
		vs_usage_error("--json and --csv both want stdout; use --out for files");
	if (!cfg.nbuf)
		cfg.nbuf = parse_list("--buf-sizes", DEFAULT_BUF_SIZES, cfg.buf, 1, 1ULL << 30, true);
	if (!cfg.nvsk)
		cfg.vsk[cfg.nvsk++] = 256 * 1024;
	if (!cfg.nstreams)
		cfg.streams[cfg.nstreams++] = 1;
	if (!cfg.ntypes) {
		cfg.types[cfg.ntypes++] = SOCK_STREAM;
		cfg.types[cfg.ntypes++] = SOCK_SEQPACKET;
	}
	if (!cfg.perf)
		cfg.perf = default_perf();
	if (!cfg.label) {
		struct utsname u;

		uname(&u);
		snprintf(cfg.label_buf, sizeof(cfg.label_buf), "%s", u.release);
		cfg.label = cfg.label_buf;
	}
}

/* ------------------------------------------------------------ one run */

/* The two command lines of a point (argv arrays with their strings in buf). */
struct cmds {
	char *rx[16], *tx[24];
	char buf[512];
};

static char *put(struct cmds *c, size_t *off, const char *fmt, uint64_t v)
{
	char *s = c->buf + *off;

	*off += (size_t)snprintf(s, sizeof(c->buf) - *off, fmt, v) + 1;
	return s;
}

static void build_cmds(const struct point *p, struct cmds *c)
{
	size_t off = 0;
	int i = 0;

	c->rx[i++] = (char *)cfg.perf;
	c->rx[i++] = "--port";
	c->rx[i++] = put(c, &off, "%" PRIu64, cfg.port);
	c->rx[i++] = "--buf-size";
	c->rx[i++] = put(c, &off, "%" PRIu64, p->buf);
	c->rx[i++] = "--vsk-size";
	c->rx[i++] = put(c, &off, "%" PRIu64, p->vsk);
	c->rx[i++] = "--interval";
	c->rx[i++] = "0";
	c->rx[i++] = "--json";
	if (cfg.trace)
		c->rx[i++] = "--trace";
	c->rx[i] = NULL;

	i = 0;
	c->tx[i++] = (char *)cfg.perf;
	c->tx[i++] = "--sender";
	c->tx[i++] = "1";
	c->tx[i++] = "--port";
	c->tx[i++] = c->rx[2];
	c->tx[i++] = "--buf-size";
	c->tx[i++] = c->rx[4];
	c->tx[i++] = "--vsk-size";
	c->tx[i++] = c->rx[6];
	c->tx[i++] = "--streams";
	c->tx[i++] = put(c, &off, "%" PRIu64, p->streams);
	if (p->type == SOCK_SEQPACKET)
		c->tx[i++] = "--seqpacket";
	if (cfg.time_s > 0) {
		c->tx[i++] = "--time";
		c->tx[i++] = c->buf + off;
		off += (size_t)snprintf(c->buf + off, sizeof(c->buf) - off, "%g", cfg.time_s) + 1;
	} else {
		c->tx[i++] = "--bytes";
		c->tx[i++] = put(c, &off, "%" PRIu64, cfg.bytes);
	}
	c->tx[i++] = "--interval";
	c->tx[i++] = "0";
	c->tx[i++] = "--json";
	c->tx[i] = NULL;
}

static void join(char *const *argv, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; argv[i] && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? " " : "",
				      i ? argv[i] : "vsock_perf");
}

static pid_t spawn(char *const *argv, const char *out, const char *err)
{
	pid_t pid = fork();

	if (pid < 0)
		vs_die("fork: %s", strerror(errno));
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(argv[0], argv);
		dprintf(2, "vsock_sweep: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Waits for pid until deadline (ns); its status, or -1 after killing it at the deadline. */
static int wait_until(pid_t pid, uint64_t deadline)
{
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (r < 0 && errno != EINTR)
			return -1;
		if (vs_now_ns() >= deadline || interrupted) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		vs_sleep_ns(5 * 1000000ULL);
	}
}

/* The whole of a small file, NUL-terminated (NULL when unreadable); *n its length. */
static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, len = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap ? cap * 2 : 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		size_t r = fread(buf + len, 1, cap - len - 1, f);

		len += r;
		if (r == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	*n = len;
	return buf;
}

/* The first line of a file, for an error message ("" when empty). */
static void first_line(const char *path, char *out, size_t cap)
{
	size_t n;
	char *s = slurp(path, &n);

	out[0] = '\0';
	if (s) {
		snprintf(out, cap, "%.*s", (int)strcspn(s, "\n"), s);
		free(s);
	}
}

__attribute__((format(printf, 2, 3)))
static void run_error(struct run *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	r->ok = false;
}

/* Reads a side's --json document; NULL with r->error set when it is not one. */
static char *read_doc(struct run *r, const char *side, const char *path)
{
	size_t n, off;
	const char *why;
	char *doc = slurp(path, &n);

	if (!doc || !n) {
		run_error(r, "the %s printed no JSON", side);
		free(doc);
		return NULL;
	}
	if (vs_jsonr_check(doc, n, &off, &why)) {
		run_error(r, "the %s's JSON is malformed at byte %zu: %s", side, off, why);
		free(doc);
		return NULL;
	}
	return doc;
}

static bool need(struct run *r, const char *doc, const char *side, const char *path, double *v)
{
	if (vs_jsonr_num(doc, path, v) == 0)
		return true;
	run_error(r, "the %s's JSON has no number at %s", side, path);
	return false;
}

static void run_point(const struct point *p, struct run *r)
{
	char rx_out[96], rx_err[96], tx_out[96], tx_err[96], line[200];
	struct cmds c;
	uint64_t deadline;
	double v;
	char *rx = NULL, *tx = NULL;
	pid_t rpid, tpid;
	int rs, ts, l;

	memset(r, 0, sizeof(*r));
	build_cmds(p, &c);
	snprintf(rx_out, sizeof(rx_out), "%s/rx.json", cfg.tmpdir);
	snprintf(rx_err, sizeof(rx_err), "%s/rx.err", cfg.tmpdir);
	snprintf(tx_out, sizeof(tx_out), "%s/tx.json", cfg.tmpdir);
	snprintf(tx_err, sizeof(tx_err), "%s/tx.err", cfg.tmpdir);

	/* The receiver first; the sender once it listens (a traced one loads BPF first). */
	deadline = vs_now_ns() + (uint64_t)(cfg.run_timeout_s * 1e9);
	rpid = spawn(c.rx, rx_out, rx_err);
	while ((l = vs_vsock_listening(cfg.port)) == 0) {
		if (waitpid(rpid, &rs, WNOHANG) == rpid) {
			first_line(rx_err, line, sizeof(line));
			run_error(r, "the receiver exited before listening: %s", line[0] ? line : "no message");
			return;
		}
		if (vs_now_ns() >= deadline || interrupted) {
			kill(rpid, SIGKILL);
			waitpid(rpid, &rs, 0);
			run_error(r, interrupted ? "interrupted" : "the receiver did not listen on port %u "
				  "within --run-timeout", cfg.port);
			return;
		}
		vs_sleep_ns(10 * 1000000ULL);
	}
	if (l < 0) {
		kill(rpid, SIGKILL);
		waitpid(rpid, &rs, 0);
		vs_die("cannot see vsock listeners through sock_diag: %s%s", strerror(-l),
		       l == -ENOENT ? " (load the vsock_diag module)" : "");
	}
	tpid = spawn(c.tx, tx_out, tx_err);
	ts = wait_until(tpid, deadline);
	rs = wait_until(rpid, ts < 0 ? vs_now_ns() : deadline + 2 * VS_NSEC_PER_SEC);
	if (ts != 0 || rs != 0) {
		char rl[200];

		first_line(tx_err, line, sizeof(line));
		first_line(rx_err, rl, sizeof(rl));
		if (ts < 0 || rs < 0)
			run_error(r, interrupted ? "interrupted" : "killed after --run-timeout %gs", cfg.run_timeout_s);
		else
			run_error(r, "vsock_perf failed (sender exit %d%s%s, receiver exit %d%s%s)", ts,
				  line[0] ? ": " : "", line, rs, rl[0] ? ": " : "", rl);
		return;
	}
	if (!(tx = read_doc(r, "sender", tx_out)) || !(rx = read_doc(r, "receiver", rx_out)))
		goto out;
	r->ok = true;
	if (!need(r, rx, "receiver", "end.sum_received.rx_performance_gbps", &r->gbps) ||
	    !need(r, tx, "sender", "end.sum_sent.tx_performance_gbps", &r->tx_gbps) ||
	    !need(r, tx, "sender", "end.cpu_utilization.local.usec_per_mb", &r->tx_cpu) ||
	    !need(r, rx, "receiver", "end.cpu_utilization.local.usec_per_mb", &r->rx_cpu) ||
	    !need(r, rx, "receiver", "start.connected.0.vsk_size", &v))
		goto out;
	r->vsk_actual = (uint64_t)v;
	if (cfg.trace &&
	    (!need(r, rx, "receiver", "end.trace.read_latency_us.p50", &r->p50) ||
	     !need(r, rx, "receiver", "end.trace.read_latency_us.p99", &r->p99) ||
	     !need(r, rx, "receiver", "end.trace.stalls.count", &r->stalls)))
		goto out;
out:
	free(tx);
	free(rx);
}

/* ------------------------------------------------------------ statistics and output */

struct stat3 {
	size_t n;
	double median, min, max;
};

/* Over the successful runs of p, the field at offset off of struct run. */
static struct stat3 stat_of(const struct point *p, size_t off)
{
	double v[1000];
	struct stat3 s = { 0, NAN, NAN, NAN };

	for (unsigned int i = 0; i < cfg.repeat; i++) {
		const struct run *r = &p->runs[i];
		double x = *(const double *)((const char *)r + off);

		if (!r->ok)
			continue;
		if (!s.n || x < s.min)
			s.min = x;
		if (!s.n || x > s.max)
			s.max = x;
		v[s.n++] = x;
	}
	s.median = vs_median(v, s.n);
	return s;
}

#define STAT(p, field) stat_of(p, offsetof(struct run, field))

/* CPU seconds per GiB, both sides together, per run; its median. */
static double cpu_s_per_gib(const struct point *p)
{
	double v[1000];
	size_t n = 0;

	for (unsigned int i = 0; i < cfg.repeat; i++)
		if (p->runs[i].ok)
			v[n++] = (p->runs[i].tx_cpu + p->runs[i].rx_cpu) * 1024 / 1e6;
	return vs_median(v, n);
}

static unsigned int runs_ok(const struct point *p)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < cfg.repeat; i++)
		n += p->runs[i].ok;
	return n;
}

static uint64_t vsk_actual(const struct point *p)
{
	for (unsigned int i = 0; i < cfg.repeat; i++)
		if (p->runs[i].ok)
			return p->runs[i].vsk_actual;
	return 0;
}

static void csv_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, ",%.6g", v);
	else
		fputs(",", f);
}

static void write_csv(FILE *f)
{
	for (size_t i = 0; i < sizeof(csv_columns) / sizeof(csv_columns[0]); i++)
		fprintf(f, "%s%s", i ? "," : "", csv_columns[i]);
	fputc('\n', f);
	for (size_t k = 0; k < npoints; k++) {
		const struct point *p = &points[k];
		unsigned int ok = runs_ok(p);
		struct stat3 g = STAT(p, gbps);

		fprintf(f, "%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%d,%u,%u", cfg.label,
			vs_type_name(p->type), p->buf, p->vsk, p->streams, cfg.trace, ok,
			p->skipped ? 0 : cfg.repeat - ok);
		csv_num(f, g.median);
		csv_num(f, g.min);
		csv_num(f, g.max);
		csv_num(f, STAT(p, tx_gbps).median);
		csv_num(f, STAT(p, tx_cpu).median);
		csv_num(f, STAT(p, rx_cpu).median);
		csv_num(f, cpu_s_per_gib(p));
		csv_num(f, cfg.trace ? STAT(p, p50).median : NAN);
		csv_num(f, cfg.trace ? STAT(p, p99).median : NAN);
		csv_num(f, cfg.trace ? STAT(p, stalls).median : NAN);
		if (ok)
			fprintf(f, ",%" PRIu64 "\n", vsk_actual(p));
		else
			fputs(",\n", f);
	}
}

static void json_stat(struct vs_json *j, const char *key, struct stat3 s)
{
	vs_json_obj_begin(j, key);
	vs_json_double(j, "median", s.median);
	vs_json_double(j, "min", s.min);
	vs_json_double(j, "max", s.max);
	vs_json_obj_end(j);
}

static void json_list(struct vs_json *j, const char *key, const uint64_t *v, size_t n)
{
	vs_json_arr_begin(j, key);
	for (size_t i = 0; i < n; i++)
		vs_json_u64(j, NULL, v[i]);
	vs_json_arr_end(j);
}

static void cpu_model(char *out, size_t cap)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "re");

	snprintf(out, cap, "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && c) {
			c += 1 + (c[1] == ' ');
			snprintf(out, cap, "%.*s", (int)strcspn(c, "\n"), c);
			break;
		}
	}
	if (f)
		fclose(f);
}

static int write_json(FILE *f, uint64_t started, double elapsed)
{
	struct vs_json j;
	struct utsname u;
	char cpu[160];

	uname(&u);
	cpu_model(cpu, sizeof(cpu));
	vs_json_init(&j, f, true);
	vs_json_obj_begin(&j, NULL);
	vs_json_str(&j, "schema", SWEEP_SCHEMA);
	vs_json_str(&j, "version", SWEEP_VERSION);
	vs_json_str(&j, "command", cfg.cmdline);
	vs_json_str(&j, "label", cfg.label);
	vs_json_obj_begin(&j, "machine");
	vs_json_str(&j, "kernel", u.release);
	vs_json_str(&j, "arch", u.machine);
	vs_json_u64(&j, "cpus", (uint64_t)sysconf(_SC_NPROCESSORS_ONLN));
	vs_json_str(&j, "cpu_model", cpu);
	vs_json_obj_end(&j);
	vs_json_u64(&j, "started", started);
	vs_json_double(&j, "elapsed_sec", elapsed);
	vs_json_bool(&j, "interrupted", interrupted);
	vs_json_obj_begin(&j, "grid");
	vs_json_arr_begin(&j, "types");
	for (size_t i = 0; i < cfg.ntypes; i++)
		vs_json_str(&j, NULL, vs_type_name(cfg.types[i]));
	vs_json_arr_end(&j);
	json_list(&j, "buf_sizes", cfg.buf, cfg.nbuf);
	json_list(&j, "vsk_sizes", cfg.vsk, cfg.nvsk);
	json_list(&j, "streams", cfg.streams, cfg.nstreams);
	vs_json_u64(&j, "repeat", cfg.repeat);
	vs_json_double(&j, "time_sec", cfg.time_s);
	vs_json_u64(&j, "bytes", cfg.time_s > 0 ? 0 : cfg.bytes);
	vs_json_bool(&j, "trace", cfg.trace);
	vs_json_obj_end(&j);
	vs_json_arr_begin(&j, "points");
	for (size_t k = 0; k < npoints; k++) {
		const struct point *p = &points[k];
		unsigned int ok = runs_ok(p);
		struct cmds c;
		char cmd[600];

		build_cmds(p, &c);
		vs_json_obj_begin(&j, NULL);
		vs_json_str(&j, "type", vs_type_name(p->type));
		vs_json_u64(&j, "buf_size", p->buf);
		vs_json_u64(&j, "vsk_size", p->vsk);
		vs_json_u64(&j, "streams", p->streams);
		vs_json_bool(&j, "traced", cfg.trace);
		vs_json_u64(&j, "runs_ok", ok);
		vs_json_u64(&j, "runs_failed", p->skipped ? 0 : cfg.repeat - ok);
		vs_json_str(&j, "skipped", p->skipped);
		if (ok)
			vs_json_u64(&j, "vsk_size_actual", vsk_actual(p));
		else
			vs_json_null(&j, "vsk_size_actual");
		json_stat(&j, "gbps", STAT(p, gbps));
		json_stat(&j, "tx_gbps", STAT(p, tx_gbps));
		json_stat(&j, "tx_cpu_us_per_mib", STAT(p, tx_cpu));
		json_stat(&j, "rx_cpu_us_per_mib", STAT(p, rx_cpu));
		vs_json_double(&j, "cpu_s_per_gib", cpu_s_per_gib(p));
		if (cfg.trace) {
			json_stat(&j, "read_p50_us", STAT(p, p50));
			json_stat(&j, "read_p99_us", STAT(p, p99));
			json_stat(&j, "stalls", STAT(p, stalls));
		}
		join(c.rx, cmd, sizeof(cmd));
		vs_json_str(&j, "receiver_command", cmd);
		join(c.tx, cmd, sizeof(cmd));
		vs_json_str(&j, "sender_command", cmd);
		vs_json_arr_begin(&j, "runs");
		for (unsigned int i = 0; !p->skipped && i < cfg.repeat; i++) {
			const struct run *r = &p->runs[i];

			vs_json_obj_begin(&j, NULL);
			vs_json_bool(&j, "ok", r->ok);
			if (r->ok) {
				vs_json_double(&j, "gbps", r->gbps);
				vs_json_double(&j, "tx_gbps", r->tx_gbps);
				vs_json_double(&j, "tx_cpu_us_per_mib", r->tx_cpu);
				vs_json_double(&j, "rx_cpu_us_per_mib", r->rx_cpu);
				if (cfg.trace) {
					vs_json_double(&j, "read_p50_us", r->p50);
					vs_json_double(&j, "read_p99_us", r->p99);
					vs_json_double(&j, "stalls", r->stalls);
				}
			}
			vs_json_str(&j, "error", r->error[0] ? r->error : NULL);
			vs_json_obj_end(&j);
		}
		vs_json_arr_end(&j);
		vs_json_obj_end(&j);
	}
	vs_json_arr_end(&j);
	vs_json_obj_end(&j);
	return vs_json_finish(&j);
}

static void write_table(FILE *f)
{
	char b[32], v[32];

	fprintf(f, "%-9s %9s %9s %7s %5s %9s %9s %9s %10s %10s%s\n", "TYPE", "BUF", "VSK", "STREAMS",
		"RUNS", "GBIT/S", "MIN", "MAX", "TX_US/MIB", "RX_US/MIB",
		cfg.trace ? "  RD_P50_US  RD_P99_US  STALLS" : "");
	for (size_t k = 0; k < npoints; k++) {
		const struct point *p = &points[k];
		struct stat3 g = STAT(p, gbps);

		if (p->skipped) {
			fprintf(f, "%-9s %9s %9s %7" PRIu64 "  skipped: %s\n", vs_type_name(p->type),
				vs_fmt_bytes(b, sizeof(b), p->buf), vs_fmt_bytes(v, sizeof(v), p->vsk),
				p->streams, p->skipped);
			continue;
		}
		fprintf(f, "%-9s %9s %9s %7" PRIu64 " %2u/%-2u %9.3f %9.3f %9.3f %10.1f %10.1f",
			vs_type_name(p->type), vs_fmt_bytes(b, sizeof(b), p->buf),
			vs_fmt_bytes(v, sizeof(v), p->vsk), p->streams, runs_ok(p), cfg.repeat, g.median,
			g.min, g.max, STAT(p, tx_cpu).median, STAT(p, rx_cpu).median);
		if (cfg.trace)
			fprintf(f, " %10.0f %10.0f %7.0f", STAT(p, p50).median, STAT(p, p99).median,
				STAT(p, stalls).median);
		fputc('\n', f);
	}
}

static void write_file(const char *suffix, bool json, uint64_t started, double elapsed)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;

	snprintf(path, sizeof(path), "%s.%s", cfg.out, suffix);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		vs_die("cannot write %s: %s", tmp, strerror(errno));
	if (json)
		write_json(f, started, elapsed);
	else
		write_csv(f);
	if (ferror(f) | fclose(f))
		vs_die("writing %s failed: %s", tmp, strerror(errno));
	if (rename(tmp, path))
		vs_die("cannot rename %s to %s: %s", tmp, path, strerror(errno));
}

/* ------------------------------------------------------------ main */

static void fmt_dur(char *buf, size_t len, double s)
{
	unsigned int t = s < 3.6e6 ? (unsigned int)(s + 0.5) : 3600000;

	snprintf(buf, len, "%u:%02u", t / 60, t % 60);
}

int main(int argc, char **argv)
{
	uint64_t t0 = vs_now_ns(), started = (uint64_t)time(NULL);
	unsigned int failed = 0, done = 0, total;
	char why[256], b[32], v[32];
	size_t k = 0, nskipped = 0;

	vs_set_prog(argv[0]);
	parse(argc, argv);
	npoints = cfg.ntypes * cfg.nstreams * cfg.nvsk * cfg.nbuf;
	points = calloc(npoints, sizeof(*points));
	if (!points)
		vs_die("out of memory");
	for (size_t t = 0; t < cfg.ntypes; t++)
		for (size_t s = 0; s < cfg.nstreams; s++)
			for (size_t v = 0; v < cfg.nvsk; v++)
				for (size_t b = 0; b < cfg.nbuf; b++, k++) {
					points[k] = (struct point){ cfg.types[t], cfg.buf[b], cfg.vsk[v],
								    cfg.streams[s], NULL, NULL };
					points[k].skipped = why_skip(cfg.types[t], cfg.buf[b], cfg.vsk[v]);
					nskipped += points[k].skipped != NULL;
					points[k].runs = calloc(cfg.repeat, sizeof(struct run));
					if (!points[k].runs)
						vs_die("out of memory");
				}
	total = (unsigned int)(npoints - nskipped) * cfg.repeat;

	if (cfg.dry_run) {
		for (k = 0; k < npoints; k++) {
			struct cmds c;
			char rx[600], tx[600];

			build_cmds(&points[k], &c);
			join(c.rx, rx, sizeof(rx));
			join(c.tx, tx, sizeof(tx));
			if (points[k].skipped)
				printf("point %zu/%zu: skipped: %s\n", k + 1, npoints, points[k].skipped);
			else
				printf("point %zu/%zu: %s & %s\n", k + 1, npoints, rx, tx);
		}
		printf("%zu points (%zu skipped) x %u runs = %u runs\n", npoints, nskipped, cfg.repeat,
		       total);
		return 0;
	}
	/* Every run connects to CID 1: refuse where that would reach the hypervisor. */
	if (vs_guard_peer_cid(VMADDR_CID_LOCAL, why, sizeof(why)))
		vs_die("%s", why);
	snprintf(cfg.tmpdir, sizeof(cfg.tmpdir), "/tmp/vsock_sweep.XXXXXX");
	if (!mkdtemp(cfg.tmpdir))
		vs_die("mkdtemp %s: %s", cfg.tmpdir, strerror(errno));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (k = 0; k < npoints; k++)
		if (points[k].skipped && !cfg.quiet)
			fprintf(stderr, "sweep: skipping point %zu/%zu (%s buf %s vsk %s): %s\n", k + 1,
				npoints, vs_type_name(points[k].type), vs_fmt_bytes(b, sizeof(b), points[k].buf),
				vs_fmt_bytes(v, sizeof(v), points[k].vsk), points[k].skipped);

	/* Round by round over the whole grid: slow minutes spread over every point. */
	for (unsigned int round = 0; round < cfg.repeat && !interrupted; round++) {
		for (k = 0; k < npoints && !interrupted; k++) {
			struct point *p = &points[k];
			struct run *r = &p->runs[round];
			char el[32], eta[32];
			double secs;

			if (p->skipped)
				continue;
			run_point(p, r);
			done++;
			failed += !r->ok;
			secs = (double)(vs_now_ns() - t0) / 1e9;
			fmt_dur(el, sizeof(el), secs);
			fmt_dur(eta, sizeof(eta), secs / done * (total - done));
			if (!cfg.quiet || !r->ok)
				fprintf(stderr, "sweep: run %u/%u (point %zu/%zu, round %u/%u): %s buf %s "
					"streams %" PRIu64 ": %s%.3f Gbit/s%s  elapsed %s ETA %s\n", done,
					total, k + 1, npoints, round + 1, cfg.repeat, vs_type_name(p->type),
					vs_fmt_bytes(b, sizeof(b), p->buf), p->streams,
					r->ok ? "" : "FAILED, ", r->ok ? r->gbps : 0.0, "", el, eta);
			if (!r->ok)
				fprintf(stderr, "sweep: run %u/%u: %s\n", done, total, r->error);
		}
	}
	{
		char path[96];

		for (const char *const *f = (const char *const[]){ "rx.json", "rx.err", "tx.json",
								   "tx.err", NULL }; *f; f++) {
			snprintf(path, sizeof(path), "%s/%s", cfg.tmpdir, *f);
			unlink(path);
		}
		rmdir(cfg.tmpdir);
	}
	if (interrupted) {
		fprintf(stderr, "sweep: interrupted after %u of %u runs: the results are partial\n", done,
			total);
		failed += total - done;
		for (k = 0; k < npoints; k++)
			for (unsigned int i = 0; i < cfg.repeat; i++)
				if (!points[k].skipped && !points[k].runs[i].ok && !points[k].runs[i].error[0])
					run_error(&points[k].runs[i], "not run: the sweep was interrupted");
	}
	{
		double elapsed = (double)(vs_now_ns() - t0) / 1e9;

		if (cfg.out) {
			write_file("csv", false, started, elapsed);
			write_file("json", true, started, elapsed);
		}
		if (cfg.json)
			write_json(stdout, started, elapsed);
		else if (cfg.csv)
			write_csv(stdout);
		else
			write_table(stdout);
		if (!cfg.quiet)
			fprintf(stderr, "sweep: %u runs in %.1f s, %u failed%s%s%s\n", total, elapsed,
				failed, cfg.out ? "; wrote " : "", cfg.out ? cfg.out : "",
				cfg.out ? ".csv and .json" : "");
	}
	return failed ? 1 : 0;
}
