/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsock_conform: AF_VSOCK conformance cases. A case is a named pair of
 * functions, one per role, with a stable numeric ID: its index in
 * cf_cases[] plus one. New cases are appended; an ID is never reused.
 *
 * Each role of a case runs in a child process of its own, so a failed check
 * (cf_fail) or a crash ends only that case. The two halves synchronise over
 * the control channel (cf_send, cf_expect), as upstream's vsock_test does.
 */
#ifndef CONFORM_H
#define CONFORM_H

#include "vs_ctl.h"
#include "vs_sock.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A kernel release as a number, for per-kernel expectations: KV(6, 12). */
#define KV(maj, min) ((maj) * 1000 + (min))

struct cf_ctx {
	struct vs_ctl *ctl;
	uint32_t peer_cid;
	uint32_t port;		/* --peer-port: cases listen here (and on port + 1) */
	unsigned int kver;	/* this side's kernel, KV(major, minor) */
	const char *role;	/* "client" or "server" */
	int wait_ms;		/* how long a control line or a socket event may take */
	int result_fd;		/* where the child reports to the runner */
	char note[256];		/* what the case found worth reporting (a clamp, an errno) */
};

typedef void (*cf_fn)(struct cf_ctx *ctx);

struct cf_case {
	const char *name;
	const char *desc;
	cf_fn client;
	cf_fn server;		/* NULL: the server has nothing to do */
	const char *reserved;	/* non-NULL: an ID kept for later (why); not run */
};

extern const struct cf_case cf_cases[];
extern const unsigned int cf_ncases;

/* Case outcomes (the child's report). */
enum cf_result { CF_PASS, CF_FAIL, CF_SKIP };

/* Ends the case: failed, with a one-line reason. */
__attribute__((noreturn, format(printf, 2, 3)))
void cf_fail(struct cf_ctx *ctx, const char *fmt, ...);
/* Ends the case: cannot run here (counted as skipped), with the reason. */
__attribute__((noreturn, format(printf, 2, 3)))
void cf_skip(struct cf_ctx *ctx, const char *fmt, ...);
/* Adds to the note printed with the case's result. */
__attribute__((format(printf, 2, 3)))
void cf_note(struct cf_ctx *ctx, const char *fmt, ...);
/* The child's end: reports result and hands the control channel back; never returns. */
__attribute__((noreturn))
void cf_child_exit(struct cf_ctx *ctx, enum cf_result r, const char *why);

bool cf_kernel_at_least(const struct cf_ctx *ctx, unsigned int maj, unsigned int min);
/*
 * The errno a failed send() or recv() reports when the transport fails with
 * err: before 6.3 (send, "vsock: return errors other than -ENOMEM to
 * socket") and 6.4 (recv), af_vsock turned every transport error into ENOMEM.
 */
int cf_send_errno(const struct cf_ctx *ctx, int err);
int cf_recv_errno(const struct cf_ctx *ctx, int err);

/* Control channel. */
__attribute__((format(printf, 2, 3)))
void cf_send(struct cf_ctx *ctx, const char *fmt, ...);
/* Waits for a line whose first word is word (NULL: any line); copied to line if non-NULL. */
void cf_expect(struct cf_ctx *ctx, const char *word, char *line, size_t cap);
/* "WORD v=N": sends or waits for one number. */
void cf_send_u64(struct cf_ctx *ctx, const char *word, uint64_t v);
uint64_t cf_expect_u64(struct cf_ctx *ctx, const char *word);

/* Sockets: every failure ends the case with the call and its errno. */
int cf_socket(struct cf_ctx *ctx, int type);
/* A socket of type bound to VMADDR_CID_ANY:port and listening. */
int cf_listen(struct cf_ctx *ctx, int type, uint32_t port);
/* Listens on ctx->port, tells the client "LISTENING", accepts one connection. */
int cf_accept(struct cf_ctx *ctx, int type);
/* accept() on lfd within ctx->wait_ms; checks the peer is ctx->peer_cid. */
int cf_accept_on(struct cf_ctx *ctx, int lfd);
/* Waits for the server's "LISTENING", then connects to peer_cid:port. */
int cf_connect(struct cf_ctx *ctx, int type);
/* connect() of fd to peer_cid:port; 0 or -errno. */
int cf_connect_fd(struct cf_ctx *ctx, int fd, uint32_t port);

/*
 * send()/recv() checked against expect: a byte count, or -errno for an
 * expected failure. Partial transfers are continued for byte counts.
 */
void cf_send_buf(struct cf_ctx *ctx, int fd, const void *buf, size_t len, int flags,
		 ssize_t expect);
void cf_recv_buf(struct cf_ctx *ctx, int fd, void *buf, size_t len, int flags,
		 ssize_t expect);
/* Waits until the peer has closed or shut down writing (POLLRDHUP). */
void cf_wait_remote_close(struct cf_ctx *ctx, int fd);
/* poll() of one fd; returns revents (0 on timeout). */
short cf_poll(struct cf_ctx *ctx, int fd, short events, int timeout_ms);
void cf_setsockopt_int(struct cf_ctx *ctx, int fd, int level, int opt, const char *name, int v);
void cf_setsockopt_u64(struct cf_ctx *ctx, int fd, int level, int opt, const char *name, uint64_t v);
uint64_t cf_getsockopt_u64(struct cf_ctx *ctx, int fd, int level, int opt, const char *name);
/* An errno value as its name ("EPIPE"), or its number. */
const char *cf_errname(int err);
/* Fills buf with bytes derived from seed (a cheap pattern the peer can recompute). */
void cf_fill(void *buf, size_t len, uint32_t seed);
/* Index of the first byte that differs from cf_fill's pattern, or len. */
size_t cf_check(const void *buf, size_t len, uint32_t seed);
/* Page-aligned anonymous mapping (munmap with cf_unmap). */
void *cf_map(struct cf_ctx *ctx, size_t len);
void cf_unmap(void *p, size_t len);

#endif
