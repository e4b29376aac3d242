/* SPDX-License-Identifier: GPL-2.0-only */
/* vsock_diag's parts: owning processes from /proc, credit state from BPF. */
#ifndef DIAG_H
#define DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsock_diag.h"

/* A descriptor of a process that holds a socket. */
struct vsd_owner {
	uint64_t ino;
	uint32_t pid, fd, uid;
	char comm[VSD_COMM_LEN];
};

struct vsd_owners {
	struct vsd_owner *v;	/* sorted by inode, then pid and fd */
	size_t n, cap;
	size_t unreadable;	/* processes whose descriptors we may not read */
};

/*
 * Scans /proc/[pid]/fd for the sockets whose inodes are in inos (sorted);
 * 0, or -1 when /proc cannot be read (errno set).
 */
int vsd_owners_scan(struct vsd_owners *o, const uint64_t *inos, size_t n);
/* The first owner of ino, or NULL; the rest follow it in the array. */
const struct vsd_owner *vsd_owners_find(const struct vsd_owners *o, uint64_t ino);
void vsd_owners_free(struct vsd_owners *o);

struct vsock_diag_bpf;
struct bpf_link;

/* The credit reader: the iterator program, loaded once and run per listing. */
struct vsd_credit {
	struct vsock_diag_bpf *skel;
	struct bpf_link *link;
	struct vsd_rec *v;	/* the last snapshot, sorted by inode (first holder wins) */
	size_t n, cap;
	bool no_virtio;		/* no virtio transport in this kernel: no credit state */
};

/* Loads and attaches the iterator; 0, or -1 with a one-line reason in why. */
int vsd_credit_open(struct vsd_credit *c, bool verbose, char *why, size_t wlen);
/* Runs the iterator once; 0, or -1 with the reason. */
int vsd_credit_snapshot(struct vsd_credit *c, char *why, size_t wlen);
const struct vsd_rec *vsd_credit_find(const struct vsd_credit *c, uint64_t ino);
void vsd_credit_close(struct vsd_credit *c);

/* The sender's available credit: peer_buf_alloc - (tx_cnt - peer_fwd_cnt). */
static inline int64_t vsd_avail_credit(const struct vsd_rec *r)
{
	return (int64_t)r->peer_buf_alloc - (int64_t)(uint32_t)(r->tx_cnt - r->peer_fwd_cnt);
}

#endif
