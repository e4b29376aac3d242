// SPDX-License-Identifier: GPL-2.0-only
/*
 * vs_bench: helpers for make bench.
 *   vs_bench memcpy [SIZE] [BLOCK]  memcpy bandwidth over a SIZE-byte buffer
 *                                   (default 256M) in BLOCK-byte copies (64K):
 *                                   the ceiling of a path that copies each byte
 *                                   once; loopback vsock copies twice.
 *   vs_bench time CMD [ARG...]      run CMD, print its wall time in seconds
 *                                   (CLOCK_MONOTONIC) on stderr as "elapsed: S"
 *   vs_bench socks N PORT           (test VM only) N AF_VSOCK STREAM sockets bound to
 *                                   ports PORT..PORT+N-1, every other one listening; prints
 *                                   "ready" and holds them until killed: vsock_diag's bench
 */
#include "vs_clock.h"
#include "vs_guard.h"
#include "vs_opts.h"
#include "vs_sock.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int bench_memcpy(uint64_t size, uint64_t block)
{
	char *src = malloc(size), *dst = malloc(block);
	uint64_t t0, ns, rounds = 4;

	if (!src || !dst)
		vs_die("cannot allocate %llu bytes", (unsigned long long)size);
	memset(src, 1, size);
	memset(dst, 0, block);
	t0 = vs_now_ns();
	for (uint64_t r = 0; r < rounds; r++)
		for (uint64_t off = 0; off + block <= size; off += block) {
			memcpy(dst, src + off, block);
			__asm__ volatile("" : : "r"(dst) : "memory");
		}
	ns = vs_now_ns() - t0;
	printf("memcpy: %llu bytes in %llu-byte blocks: %f Gbits/s\n",
	       (unsigned long long)(size * rounds), (unsigned long long)block,
	       vs_gbps(size * rounds, ns));
	free(src);
	free(dst);
	return 0;
}

static int bench_time(char **argv)
{
	uint64_t t0 = vs_now_ns();
	pid_t pid = fork();
	int st;

	if (pid < 0)
		vs_die("fork: %m");
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "vs_bench: %s: %m\n", argv[0]);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		vs_die("waitpid: %m");
	fprintf(stderr, "elapsed: %f\n", (double)(vs_now_ns() - t0) / 1e9);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int bench_socks(uint64_t n, uint64_t port)
{
	struct rlimit rl = { n + 64, n + 64 };

	if (!vs_in_testvm())
		vs_die("socks: refusing outside the test VM (no %s on the kernel command line)",
		       VS_TESTVM_MARKER);
	if (setrlimit(RLIMIT_NOFILE, &rl))
		vs_die("socks: RLIMIT_NOFILE %llu: %m", (unsigned long long)rl.rlim_cur);
	for (uint64_t i = 0; i < n; i++) {
		union vs_addr a = { .svm = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY,
					     .svm_port = (unsigned int)(port + i) } };
		int fd = socket(AF_VSOCK, SOCK_STREAM, 0);

		if (fd < 0 || bind(fd, &a.sa, sizeof(a.svm)) || (i % 2 == 0 && listen(fd, 1)))
			vs_die("socks: socket %llu (port %llu): %m", (unsigned long long)i,
			       (unsigned long long)(port + i));
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	vs_set_prog(argv[0]);
	if (argc >= 2 && !strcmp(argv[1], "memcpy"))
		return bench_memcpy(argc > 2 ? vs_opt_size("SIZE", argv[2], 1, 1ULL << 34) : 256 << 20,
				    argc > 3 ? vs_opt_size("BLOCK", argv[3], 1, 1ULL << 30) : 64 << 10);
	if (argc >= 3 && !strcmp(argv[1], "time"))
		return bench_time(argv + 2);
	if (argc == 4 && !strcmp(argv[1], "socks"))
		return bench_socks(vs_opt_uint("N", argv[2], 1, 1000000),
				   vs_opt_uint("PORT", argv[3], 1, UINT32_MAX - 1000000));
	vs_usage_error("usage: vs_bench memcpy [SIZE] [BLOCK] | vs_bench time CMD [ARG...] | "
		       "vs_bench socks N PORT");
}
