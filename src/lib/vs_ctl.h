/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A text control channel over a connected socket: one command per line,
 * "WORD key=value key=value", as in the kernel's tools/testing/vsock.
 */
#ifndef VS_CTL_H
#define VS_CTL_H

#include <stdarg.h>
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
/* The same with a va_list; the formatted line (without newline) is also left in line, for messages. */
int vs_ctl_vsend(struct vs_ctl *c, char *line, size_t cap, const char *fmt, va_list ap);
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
/*
 * Copies everything after " key=" to the end of line into out: the last
 * field of a line, which may hold blanks (a reason, a message). 0, or -1 if
 * absent or too long.
 */
int vs_ctl_get_rest(const char *line, const char *key, char *out, size_t cap);
/*
 * Puts line (without its newline) back in front of what c has buffered, so
 * the next vs_ctl_recv() returns it again. 0, or -EMSGSIZE if it does not fit.
 */
int vs_ctl_unread(struct vs_ctl *c, const char *line);

/*
 * Where a control channel runs. The transport is a small interface, so a
 * tool takes TCP (upstream's --control-host/--control-port) and vsock itself
 * (between nested VMs, where no IP network may exist) alike.
 */
struct vs_ctl_ep;
struct vs_ctl_transport {
	const char *name;				/* "tcp", "vsock" */
	int (*listen)(const struct vs_ctl_ep *ep);	/* a listening fd or -errno */
	int (*connect)(const struct vs_ctl_ep *ep);	/* one attempt: fd or -errno */
};
extern const struct vs_ctl_transport vs_ctl_tcp, vs_ctl_vsock;

struct vs_ctl_ep {
	const struct vs_ctl_transport *t;
	char host[256];		/* tcp: a name or address; empty: any (listen only) */
	uint32_t cid;		/* vsock: the peer (connect) or local CID (listen; any) */
	uint32_t port;
};

/* "CID:PORT" (a CID as vs_parse_cid takes it) into a vsock endpoint; 0, or -1 and why. */
int vs_ctl_parse_vsock(const char *s, struct vs_ctl_ep *ep, const char **why);
/* Connects to ep, retrying refused or reset attempts (the peer not listening yet) for timeout_ms. */
int vs_ctl_connect(const struct vs_ctl_ep *ep, int timeout_ms);
/* Accepts one connection within timeout_ms (-1: forever); fd or -errno (-ETIMEDOUT). */
int vs_ctl_accept(int lfd, int timeout_ms);
/* "tcp 127.0.0.1:1234", "vsock 2:1235": for messages. */
const char *vs_ctl_ep_str(const struct vs_ctl_ep *ep, char *buf, size_t len);

#endif
