// SPDX-License-Identifier: GPL-2.0-only
/* vsock_diag -p/-e: which processes hold which sockets, from /proc/[pid]/fd. */
#include "diag.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool has_ino(const uint64_t *inos, size_t n, uint64_t ino)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (inos[mid] == ino)
			return true;
		if (inos[mid] < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void read_comm(int procfd, const char *pid, char *comm)
{
	char path[300];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/comm", pid);
	fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, comm, VSD_COMM_LEN - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		n = 0;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
}

static int add(struct vsd_owners *o, const struct vsd_owner *w)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 64;
		struct vsd_owner *v = realloc(o->v, cap * sizeof(*v));

		if (!v)
			return -1;
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = *w;
	return 0;
}

static int cmp_owner(const void *a, const void *b)
{
	const struct vsd_owner *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

int vsd_owners_scan(struct vsd_owners *o, const uint64_t *inos, size_t n)
{
	DIR *proc = opendir("/proc");
	struct dirent *d;

	o->n = 0;
	o->unreadable = 0;
	if (!proc)
		return -1;
	while ((d = readdir(proc))) {
		struct vsd_owner w = { 0 };
		char path[300];
		struct dirent *e;
		DIR *fds;
		int dfd;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/fd", d->d_name);
		dfd = openat(dirfd(proc), path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			if (errno == EACCES || errno == EPERM)
				o->unreadable++;
			continue;	/* or it has exited */
		}
		fds = fdopendir(dfd);
		if (!fds) {
			close(dfd);
			continue;
		}
		w.pid = (uint32_t)strtoul(d->d_name, NULL, 10);
		while ((e = readdir(fds))) {
			struct stat st;

			if (e->d_name[0] == '.')
				continue;
			/* follows the link to the socket's inode: its number and owner */
			if (fstatat(dirfd(fds), e->d_name, &st, 0) || !S_ISSOCK(st.st_mode) ||
			    !has_ino(inos, n, st.st_ino))
				continue;
			if (!w.comm[0])
				read_comm(dirfd(proc), d->d_name, w.comm);
			w.ino = st.st_ino;
			w.fd = (uint32_t)strtoul(e->d_name, NULL, 10);
			w.uid = st.st_uid;
			if (add(o, &w)) {
				closedir(fds);
				closedir(proc);
				errno = ENOMEM;
				return -1;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	if (o->n)
		qsort(o->v, o->n, sizeof(*o->v), cmp_owner);
	return 0;
}

const struct vsd_owner *vsd_owners_find(const struct vsd_owners *o, uint64_t ino)
{
	size_t lo = 0, hi = o->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (o->v[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < o->n && o->v[lo].ino == ino ? &o->v[lo] : NULL;
}

void vsd_owners_free(struct vsd_owners *o)
{
	free(o->v);
	memset(o, 0, sizeof(*o));
}
