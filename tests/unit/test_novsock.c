// SPDX-License-Identifier: GPL-2.0-only
/*
 * Proves the novsock.so LD_PRELOAD shim works, so host tests that rely on
 * it mean something: this binary re-runs itself under the shim and calls
 * socket(AF_VSOCK), which the shim must refuse and log. The child refuses
 * to make that call unless socket() and socketpair() really resolve into
 * the shim's code.
 *
 * The shim is $VSOCKSCOPE_SHIM, else novsock.so next to this binary
 * (build/tests/ or build/asan/tests/, where `make unit` puts it).
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

#define CHILD_ARG "--novsock-child"
#define NOT_LOADED 99	/* the child's status when the shim is absent */

static char shim[PATH_MAX];

/* Is fn's code in a mapping of the file path (so calls to it go there)? */
static bool in_file(const char *path, void (*fn)(void))
{
	char l[PATH_MAX + 256];
	uintptr_t addr = (uintptr_t)fn;
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return false;
	while (!found && fgets(l, sizeof(l), f)) {
		unsigned long lo, hi;
		char *p = strchr(l, '/');

		if (!p || sscanf(l, "%lx-%lx", &lo, &hi) != 2)
			continue;
		p[strcspn(p, "\n")] = '\0';
		found = !strcmp(p, path) && addr >= lo && addr < hi;
	}
	fclose(f);
	return found;
}

/* The child: exits 0 when the shim refused AF_VSOCK and passed AF_UNIX on. */
static int child(void)
{
	const char *pre = getenv("LD_PRELOAD");
	const char *want = getenv("VSOCKSCOPE_SHIM");
	int fd, sv[2], st = 0;

	/* never call socket(AF_VSOCK) unless the shim is surely in place */
	if (!pre || !want || strcmp(pre, want) ||
	    !in_file(want, (void (*)(void))socket) ||
	    !in_file(want, (void (*)(void))socketpair)) {
		fprintf(stderr, "novsock child: shim not loaded, not calling socket()\n");
		_exit(NOT_LOADED);
	}
	errno = 0;
	fd = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (fd != -1 || errno != EACCES)
		st |= 1;
	errno = 0;
	if (socketpair(AF_VSOCK, SOCK_STREAM, 0, sv) != -1 || errno != EACCES)
		st |= 2;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		st |= 4;
	else
		close(fd);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		st |= 8;
	else
		close(sv[0]), close(sv[1]);
	return st;
}

/* Runs this binary as the child; with_shim sets LD_PRELOAD. Returns its pid. */
static pid_t spawn(const char *log, bool with_shim, int *status)
{
	char self[PATH_MAX], asan[512];
	const char *old = getenv("ASAN_OPTIONS");
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	pid_t pid;

	if (n <= 0)
		return -1;
	self[n] = '\0';
	/* under ASan the shim comes before the runtime: allow that */
	snprintf(asan, sizeof(asan), "%s%sverify_asan_link_order=0", old ? old : "",
		 old && *old ? ":" : "");
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		setenv("VSOCKSCOPE_NOVSOCK_LOG", log, 1);
		setenv("VSOCKSCOPE_SHIM", shim, 1);
		setenv("ASAN_OPTIONS", asan, 1);
		if (with_shim)
			setenv("LD_PRELOAD", shim, 1);
		else
			unsetenv("LD_PRELOAD");
		if (!with_shim)	/* its refusal message is expected: drop it */
			freopen("/dev/null", "w", stderr);
		execl(self, self, CHILD_ARG, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, status, 0) != pid)
		return -1;
	return pid;
}

/* The whole log file, in buf. */
static void slurp(const char *path, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	buf[0] = '\0';
	if (fd < 0)
		return;
	while (len + 1 < cap && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
}

TEST(shim_refuses_and_logs)
{
	char log[] = "/tmp/novsock-log-XXXXXX", text[512], want[128];
	int fd = mkstemp(log), st = -1;
	pid_t pid;

	REQUIRE(fd >= 0);
	close(fd);
	pid = spawn(log, true, &st);
	REQUIRE(pid > 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		FAIL("child exit status %d (signal %d): expected 0 (%d means the shim "
		     "did not load; bits 1/2: AF_VSOCK not refused, 4/8: AF_UNIX broken)",
		     WIFEXITED(st) ? WEXITSTATUS(st) : -1,
		     WIFSIGNALED(st) ? WTERMSIG(st) : 0, NOT_LOADED);
	slurp(log, text, sizeof(text));
	snprintf(want, sizeof(want), "socket(AF_VSOCK) attempted by pid %ld\n"
		 "socketpair(AF_VSOCK) attempted by pid %ld\n", (long)pid, (long)pid);
	CHECK_STR(text, want);
	unlink(log);
}

TEST(child_refuses_without_shim)
{
	char log[] = "/tmp/novsock-log-XXXXXX", text[512];
	int fd = mkstemp(log), st = -1;

	REQUIRE(fd >= 0);
	close(fd);
	REQUIRE(spawn(log, false, &st) > 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == NOT_LOADED);
	slurp(log, text, sizeof(text));
	CHECK_STR(text, "");
	unlink(log);
}

int main(int argc, char **argv)
{
	const char *env = getenv("VSOCKSCOPE_SHIM");
	char dir[PATH_MAX];
	ssize_t n;

	if (argc == 2 && !strcmp(argv[1], CHILD_ARG))
		return child();
	if (env && *env) {
		snprintf(dir, sizeof(dir), "%s", env);
	} else {
		n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
		dir[n > 0 ? n : 0] = '\0';
		*(strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir) = '\0';
		strncat(dir, "novsock.so", sizeof(dir) - strlen(dir) - 1);
	}
	if (!realpath(dir, shim)) {
		printf("not ok - test_novsock.c: shim: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	RUN(shim_refuses_and_logs);
	RUN(child_refuses_without_shim);
	return unit_exit();
}
