/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A text control channel over a connected socket: one command per line,
 * "WORD key=value key=value", as in the kernel's tools/testing/vsock.
 */
#ifndef VS_CTL_H
#define VS_CTL_H

#include <stddef.h>
#include <stdint.h>

#define VS_CTL_LINE_MAX 1024

struct vs_ctl {
	int fd;
	int timeout_ms;	/* per receive; -1 waits forever */
	size_t len;	/* bytes buffered in buf */
	char buf[VS_CTL_LINE_MAX * 2];
};

void vs_ctl_init(struct vs_ctl *c, int fd, int timeout_ms);
/* Formats one line (the newline is added); 0 or -errno. */
__attribute__((format(printf, 2, 3)))
int vs_ctl_send(struct vs_ctl *c, const char *fmt, ...);
/*
 * Reads one line without its newline into line (cap bytes with the NUL).
 * Returns its length, or -ETIMEDOUT, -EPIPE (peer closed), -EMSGSIZE
 * (line longer than VS_CTL_LINE_MAX), -EBADMSG (NUL byte) or -errno.
 */
int vs_ctl_recv(struct vs_ctl *c, char *line, size_t cap);

/* The first word of line is word (followed by a blank or the end)? */
int vs_ctl_is(const char *line, const char *word);
/* Copies the value of key=value in line into out; 0, or -1 if absent or too long. */
int vs_ctl_get(const char *line, const char *key, char *out, size_t cap);
/* The value of key as an unsigned number; 0, or -1 if absent or malformed. */
int vs_ctl_get_u64(const char *line, const char *key, uint64_t *out);

#endif
