// SPDX-License-Identifier: GPL-2.0-only
/* vsock_diag --credit: runs the task_file iterator and keeps its records by inode. */
#include "diag.h"
#include "vsock_diag.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char libbpf_msg[256];
static bool libbpf_verbose;

/* Keeps libbpf's last warning for the one-line error; prints all with -v. */
static int on_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list copy;

	if (level == LIBBPF_DEBUG && !libbpf_verbose)
		return 0;
	va_copy(copy, ap);
	vsnprintf(libbpf_msg, sizeof(libbpf_msg), fmt, copy);
	va_end(copy);
	libbpf_msg[strcspn(libbpf_msg, "\n")] = '\0';
	return libbpf_verbose ? vfprintf(stderr, fmt, ap) : 0;
}

/* The address of a kernel function from /proc/kallsyms (0 if absent or hidden). */
static uint64_t kallsyms_addr(const char *sym)
{
	char line[512], name[256];
	unsigned long long addr;
	uint64_t found = 0;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char type;

		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 && !strcmp(name, sym))
			found = addr;
	}
	fclose(f);
	return found;
}

int vsd_credit_open(struct vsd_credit *c, bool verbose, char *why, size_t wlen)
{
	uint64_t has_data;
	int err;

	memset(c, 0, sizeof(*c));
	libbpf_verbose = verbose;
	libbpf_set_print(on_libbpf);
	has_data = kallsyms_addr("virtio_transport_stream_has_data");
	c->no_virtio = !has_data;
	c->skel = vsock_diag_bpf__open();
	if (!c->skel) {
		snprintf(why, wlen, "opening the BPF object: %s", strerror(errno));
		return -1;
	}
	c->skel->rodata->virtio_stream_has_data = has_data;
	err = vsock_diag_bpf__load(c->skel);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			snprintf(why, wlen, "loading the BPF iterator: %s: needs root (CAP_BPF and "
				 "CAP_PERFMON)", strerror(-err));
		else
			snprintf(why, wlen, "loading the BPF iterator: %s%s%s", strerror(-err),
				 libbpf_msg[0] ? ": " : "", libbpf_msg);
		vsd_credit_close(c);
		return -1;
	}
	c->link = bpf_program__attach_iter(c->skel->progs.vsd_task_file, NULL);
	if (!c->link) {
		snprintf(why, wlen, "attaching the task_file iterator: %s", strerror(errno));
		vsd_credit_close(c);
		return -1;
	}
	return 0;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct vsd_rec *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

int vsd_credit_snapshot(struct vsd_credit *c, char *why, size_t wlen)
{
	size_t have = 0;	/* bytes in c->v, which may end in a partial record */
	int fd = bpf_iter_create(bpf_link__fd(c->link));

	c->n = 0;
	if (fd < 0) {
		snprintf(why, wlen, "starting the task_file iterator: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t got;

		if (c->cap * sizeof(*c->v) - have < 4096) {
			size_t cap = c->cap ? 2 * c->cap : 1024;
			struct vsd_rec *v = realloc(c->v, cap * sizeof(*v));

			if (!v) {
				snprintf(why, wlen, "reading the iterator: out of memory");
				close(fd);
				return -1;
			}
			c->v = v;
			c->cap = cap;
		}
		got = read(fd, (char *)c->v + have, c->cap * sizeof(*c->v) - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(why, wlen, "reading the task_file iterator: %s", strerror(errno));
			close(fd);
			return -1;
		}
		if (got == 0)
			break;
		have += (size_t)got;
	}
	close(fd);
	if (have % sizeof(struct vsd_rec)) {
		snprintf(why, wlen, "the iterator wrote %zu bytes, not a whole number of %zu-byte records",
			 have, sizeof(struct vsd_rec));
		return -1;
	}
	c->n = have / sizeof(struct vsd_rec);
	if (c->n)
		qsort(c->v, c->n, sizeof(*c->v), cmp_rec);
	return 0;
}

const struct vsd_rec *vsd_credit_find(const struct vsd_credit *c, uint64_t ino)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {	/* the first record of ino */
		size_t mid = lo + (hi - lo) / 2;

		if (c->v[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && c->v[lo].ino == ino ? &c->v[lo] : NULL;
}

void vsd_credit_close(struct vsd_credit *c)
{
	bpf_link__destroy(c->link);
	vsock_diag_bpf__destroy(c->skel);
	free(c->v);
	memset(c, 0, sizeof(*c));
}
