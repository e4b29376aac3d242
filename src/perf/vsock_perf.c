// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsock_perf - AF_VSOCK throughput and latency, a drop-in for the kernel's
 * tools/testing/vsock/vsock_perf: same options, defaults and output lines,
 * plus SEQPACKET, parallel streams, reverse and bidirectional tests, timed
 * runs, interval lines, JSON, payload verification and round-trip latency.
 */
#include "perf.h"
#include "vs_guard.h"
#include "vs_opts.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PORT		1234
#define DEFAULT_BYTES		(64 * 1024)
#define DEFAULT_BUF_SIZE	(128 * 1024)
#define DEFAULT_VSK_SIZE	(256 * 1024)
#define DEFAULT_RCVLOWAT	1
#define DEFAULT_ROUNDS		10000
#define DEFAULT_LATENCY_MSG	64
#define MAX_BUF_SIZE		(1ULL << 30)

static void usage(void)
{
	printf("Usage: vsock_perf [--sender <cid>] [options]\n"
	       "\n"
	       "Benchmarks AF_VSOCK. Without --sender it is the receiver: it listens on --port,\n"
	       "serves one test (every test with --loop) and prints what it received. With\n"
	       "--sender it connects to <cid> and runs the test the options describe.\n"
	       "\n"
	       "Options of upstream vsock_perf (same defaults and meaning):\n"
	       "  --sender <cid>        sender mode: connect to <cid> (1 = local loopback, 2 = host)\n"
	       "  --port <port>         port (default %d)\n"
	       "  --bytes <bytes>KMG    bytes to send per stream (default %d)\n"
	       "  --buf-size <bytes>KMG buffer passed to write() by the sender and read() by the\n"
	       "                        receiver (default %d); SEQPACKET message size\n"
	       "  --vsk-size <bytes>KMG vsock buffer (SO_VM_SOCKETS_BUFFER_MAX_SIZE, then _SIZE),\n"
	       "                        read back and reported when the kernel clamps it (default %d)\n"
	       "  --rcvlowat <bytes>KMG SO_RCVLOWAT of receiving sockets (default %d)\n"
	       "  --zerocopy            send with MSG_ZEROCOPY (Linux 6.7+), completions reaped\n"
	       "\n"
	       "Sender options (the receiver learns the test from the sender):\n"
	       "  --seqpacket           SOCK_SEQPACKET: messages of --buf-size, boundaries checked\n"
	       "  --streams <n>         parallel connections (1-%d, default 1)\n"
	       "  --reverse             the receiver sends, the sender receives\n"
	       "  --bidir               both directions at once (n streams each way)\n"
	       "  --time <sec>          send for this long instead of --bytes\n"
	       "  --verify              position-dependent payload; the receiving side checks every\n"
	       "                        byte and reports the offset of the first mismatch\n"
	       "  --latency             request/response round trips of --buf-size bytes (default %d\n"
	       "                        here): count, min/p50/p99/max in microseconds\n"
	       "  --rounds <n>          round trips per stream for --latency (default %d)\n"
	       "  --compat              no session: exactly upstream's wire behaviour, for a peer\n"
	       "                        running upstream vsock_perf (no peer cross-check)\n"
	       "  --handshake-timeout <sec>  wait this long for the receiver's answer (default 5)\n"
	       "  --inject-error <offset>    testing aid: corrupt the byte at this stream offset\n"
	       "\n"
	       "Either side:\n"
	       "  --stall-rx <ms>       the receiving side stops reading for <ms> after its first\n"
	       "                        read on each stream, as a slow application would: the\n"
	       "                        sender then stalls on credit (see --trace)\n"
	       "  --rx-delay <ms>       the receiving side sleeps <ms> after every read (fractions\n"
	       "                        allowed), as a paced application would\n"
	       "\n"
	       "Receiver options:\n"
	       "  --loop                keep serving tests until interrupted\n"
	       "\n"
	       "Tracing (root; see vsock_trace for more):\n"
	       "  --trace               the kernel's view of this side's connections beside the\n"
	       "                        report: RW bytes (checked against ours), credit updates,\n"
	       "                        credit stalls and their cause, kernel POLLIN wakeups,\n"
	       "                        read latency p50/p99\n"
	       "  --trace-kprobe        --trace with kprobes instead of fentry\n"
	       "\n"
	       "Output:\n"
	       "  --interval <sec>      interval lines every <sec> (default 1, 0 = none)\n"
	       "  --json                one JSON document per test (iperf3-shaped)\n"
	       "  --help, -h            this text\n"
	       "  --version             the version\n"
	       "\n"
	       "Sizes take K, M, G, T suffixes (powers of 1024). Exit status: 0 success, 1 failure\n"
	       "or a failed check (short transfer, corrupted payload, lost record boundary),\n"
	       "2 bad command line. Ctrl-C prints the partial results.\n",
	       DEFAULT_PORT, DEFAULT_BYTES, DEFAULT_BUF_SIZE, DEFAULT_VSK_SIZE, DEFAULT_RCVLOWAT,
	       PERF_MAX_STREAMS, DEFAULT_LATENCY_MSG, DEFAULT_ROUNDS);
}

enum opt {
	OPT_HELP = 'H', OPT_SENDER = 'S', OPT_PORT = 'P', OPT_BYTES = 'M', OPT_BUF = 'B',
	OPT_VSK = 'V', OPT_RCVLOWAT = 'R', OPT_ZEROCOPY = 'Z',
	OPT_SEQPACKET = 256, OPT_STREAMS, OPT_REVERSE, OPT_BIDIR, OPT_TIME, OPT_VERIFY,
	OPT_LATENCY, OPT_ROUNDS, OPT_COMPAT, OPT_HANDSHAKE, OPT_INJECT, OPT_LOOP,
	OPT_INTERVAL, OPT_JSON, OPT_VERSION, OPT_STALL_RX, OPT_RX_DELAY, OPT_TRACE, OPT_TRACE_KPROBE,
};

static const struct option longopts[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ "sender", required_argument, NULL, OPT_SENDER },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "bytes", required_argument, NULL, OPT_BYTES },
	{ "buf-size", required_argument, NULL, OPT_BUF },
	{ "vsk-size", required_argument, NULL, OPT_VSK },
	{ "rcvlowat", required_argument, NULL, OPT_RCVLOWAT },
	{ "zerocopy", no_argument, NULL, OPT_ZEROCOPY },
	{ "seqpacket", no_argument, NULL, OPT_SEQPACKET },
	{ "streams", required_argument, NULL, OPT_STREAMS },
	{ "reverse", no_argument, NULL, OPT_REVERSE },
	{ "bidir", no_argument, NULL, OPT_BIDIR },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "latency", no_argument, NULL, OPT_LATENCY },
	{ "rounds", required_argument, NULL, OPT_ROUNDS },
	{ "compat", no_argument, NULL, OPT_COMPAT },
	{ "handshake-timeout", required_argument, NULL, OPT_HANDSHAKE },
	{ "inject-error", required_argument, NULL, OPT_INJECT },
	{ "loop", no_argument, NULL, OPT_LOOP },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "stall-rx", required_argument, NULL, OPT_STALL_RX },
	{ "rx-delay", required_argument, NULL, OPT_RX_DELAY },
	{ "trace", no_argument, NULL, OPT_TRACE },
	{ "trace-kprobe", no_argument, NULL, OPT_TRACE_KPROBE },
	{ 0 },
};

/* The option's name for messages, e.g. "--streams". */
static const char *name_of(int val)
{
	return vs_opt_name(longopts, val);
}

/* Options that only make sense on one side or together are refused, not ignored. */
static void check_combinations(const struct perf_cfg *c, const bool *given)
{
	static const int sender_only[] = {
		OPT_SEQPACKET, OPT_STREAMS, OPT_REVERSE, OPT_BIDIR, OPT_TIME, OPT_VERIFY,
		OPT_LATENCY, OPT_ROUNDS, OPT_COMPAT, OPT_HANDSHAKE, OPT_INJECT, OPT_ZEROCOPY,
		OPT_BYTES,
	};
	static const int session_only[] = {
		OPT_SEQPACKET, OPT_STREAMS, OPT_REVERSE, OPT_BIDIR, OPT_TIME, OPT_VERIFY,
		OPT_LATENCY, OPT_ROUNDS, OPT_INJECT,
	};

	for (size_t i = 0; !c->sender && i < sizeof(sender_only) / sizeof(int); i++)
		if (given[sender_only[i]])
			vs_usage_error("%s is a sender option (the receiver takes the test from "
				       "the sender)", name_of(sender_only[i]));
	for (size_t i = 0; c->compat && i < sizeof(session_only) / sizeof(int); i++)
		if (given[session_only[i]])
			vs_usage_error("%s needs a session with a vsockscope receiver; drop --compat",
				       name_of(session_only[i]));
	if (c->sender && c->loop)
		vs_usage_error("--loop is a receiver option");
	if (c->reverse && c->bidir)
		vs_usage_error("--reverse and --bidir exclude each other");
	if (c->latency && (c->reverse || c->bidir || c->zerocopy))
		vs_usage_error("--latency runs round trips; it takes no --reverse, --bidir or "
			       "--zerocopy");
	if (given[OPT_TIME] && (given[OPT_BYTES] || given[OPT_ROUNDS]))
		vs_usage_error("--time and %s exclude each other", name_of(given[OPT_BYTES] ?
									  OPT_BYTES : OPT_ROUNDS));
	if (given[OPT_ROUNDS] && !c->latency)
		vs_usage_error("--rounds goes with --latency");
}

int main(int argc, char **argv)
{
	struct perf_cfg cfg = {
		.port = DEFAULT_PORT, .bytes = DEFAULT_BYTES, .buf_size = DEFAULT_BUF_SIZE,
		.vsk_size = DEFAULT_VSK_SIZE, .rcvlowat = DEFAULT_RCVLOWAT, .streams = 1,
		.rounds = DEFAULT_ROUNDS, .interval_s = 1.0, .handshake_timeout_s = 5.0,
		.inject_error_at = -1,
	};
	bool given[512] = { 0 };
	char why[256];
	int opt, rc;

	vs_set_prog(argv[0]);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (opt == '?' || opt == ':')
			vs_opt_bad(opt, argv);
		given[opt] = true;
		switch (opt) {
		case OPT_HELP:
		case 'h':
			usage();
			return 0;
		case OPT_VERSION:
			printf("%s\n", PERF_VERSION);
			return 0;
		case OPT_SENDER:
			cfg.sender = true;
			cfg.peer_cid = vs_opt_cid("--sender", optarg);
			break;
		case OPT_PORT:
			cfg.port = (uint32_t)vs_opt_uint("--port", optarg, 1, 65535);
			break;
		case OPT_BYTES:
			cfg.bytes = vs_opt_size("--bytes", optarg, 0, UINT64_MAX);
			break;
		case OPT_BUF:
			cfg.buf_size = vs_opt_size("--buf-size", optarg, 1, MAX_BUF_SIZE);
			cfg.buf_size_set = true;
			break;
		case OPT_VSK:
			cfg.vsk_size = vs_opt_size("--vsk-size", optarg, 1, UINT64_MAX);
			break;
		case OPT_RCVLOWAT:
			cfg.rcvlowat = vs_opt_size("--rcvlowat", optarg, 1, INT_MAX);
			break;
		case OPT_ZEROCOPY:
			cfg.zerocopy = true;
			break;
		case OPT_SEQPACKET:
			cfg.seqpacket = true;
			break;
		case OPT_STREAMS:
			cfg.streams = (unsigned int)vs_opt_uint("--streams", optarg, 1, PERF_MAX_STREAMS);
			break;
		case OPT_REVERSE:
			cfg.reverse = true;
			break;
		case OPT_BIDIR:
			cfg.bidir = true;
			break;
		case OPT_TIME:
			cfg.time_s = vs_opt_seconds("--time", optarg, 0.001, 86400);
			break;
		case OPT_VERIFY:
			cfg.verify = true;
			break;
		case OPT_LATENCY:
			cfg.latency = true;
			break;
		case OPT_ROUNDS:
			cfg.rounds = vs_opt_uint("--rounds", optarg, 1, 1000000000);
			break;
		case OPT_COMPAT:
			cfg.compat = true;
			break;
		case OPT_HANDSHAKE:
			cfg.handshake_timeout_s = vs_opt_seconds("--handshake-timeout", optarg, 0.1, 3600);
			break;
		case OPT_INJECT:
			cfg.inject_error_at = (int64_t)vs_opt_size("--inject-error", optarg, 0, INT64_MAX);
			break;
		case OPT_LOOP:
			cfg.loop = true;
			break;
		case OPT_INTERVAL:
			cfg.interval_s = vs_opt_seconds("--interval", optarg, 0, 3600);
			if (cfg.interval_s > 0 && cfg.interval_s < 0.01)
				vs_usage_error("--interval '%s': below 0.01 seconds", optarg);
			break;
		case OPT_JSON:
			cfg.json = true;
			break;
		case OPT_TRACE_KPROBE:
			cfg.trace_kprobe = true;
			/* fall through */
		case OPT_TRACE:
			cfg.trace = true;
			break;
		case OPT_STALL_RX:
			cfg.stall_rx_ms = vs_opt_ms("--stall-rx", optarg, 0, 3.6e6);
			break;
		case OPT_RX_DELAY:
			cfg.rx_delay_ms = vs_opt_ms("--rx-delay", optarg, 0, 3.6e6);
			break;
		}
	}
	if (optind < argc)
		vs_usage_error("unexpected argument '%s'", argv[optind]);
	check_combinations(&cfg, given);
	if (cfg.latency && !cfg.buf_size_set)
		cfg.buf_size = DEFAULT_LATENCY_MSG;

	if (cfg.sender && vs_guard_peer_cid(cfg.peer_cid, why, sizeof(why)))
		vs_die("%s", why);
	install_signals();
	/* The tracer is attached before any connection exists, so it sees them whole. */
	if (cfg.trace)
		trace_open(&cfg);
	rc = !cfg.sender ? serve(&cfg) : cfg.compat ? raw_client(&cfg) : session_client(&cfg);
	trace_close();
	return rc;
}
