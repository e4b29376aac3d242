// SPDX-License-Identifier: GPL-2.0-only
/*
 * An LD_PRELOAD shim: socket() and socketpair() with domain AF_VSOCK fail
 * with EACCES without reaching the kernel, and each attempt appends
 *	socket(AF_VSOCK) attempted by pid N
 * (or socketpair(...)) to the file named by VSOCKSCOPE_NOVSOCK_LOG, when
 * set. Other domains go to the real functions. Host tests run tools under
 * it to prove they created no vsock socket.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static void record(const char *fn)
{
	const char *path = getenv("VSOCKSCOPE_NOVSOCK_LOG");
	char line[96];
	int fd, n;

	if (!path || !*path)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%s(AF_VSOCK) attempted by pid %ld\n",
		     fn, (long)getpid());
	if (write(fd, line, (size_t)n) < 0) {
		/* nothing more to do: the call fails anyway */
	}
	close(fd);
}

int socket(int domain, int type, int protocol)
{
	int (*real)(int, int, int);

	if (domain == AF_VSOCK) {
		record("socket");
		errno = EACCES;
		return -1;
	}
	real = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(domain, type, protocol);
}

int socketpair(int domain, int type, int protocol, int sv[2])
{
	int (*real)(int, int, int, int *);

	if (domain == AF_VSOCK) {
		record("socketpair");
		errno = EACCES;
		return -1;
	}
	real = (int (*)(int, int, int, int *))dlsym(RTLD_NEXT, "socketpair");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(domain, type, protocol, sv);
}
