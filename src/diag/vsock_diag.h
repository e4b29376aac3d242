/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared between src/diag/vsock_diag.bpf.c and vsock_diag's credit reader. */
#ifndef VSOCK_DIAG_H
#define VSOCK_DIAG_H

#ifndef __VMLINUX_H__	/* user space; the BPF side has the types from vmlinux.h */
#include <linux/types.h>
#endif

#define VSD_COMM_LEN 16

enum {
	VSD_F_TRANSPORT = 1 << 0,	/* the socket has a transport (not yet: listeners, unconnected) */
	VSD_F_VIRTIO = 1 << 1,		/* ... and it is a virtio one: the credit fields are valid */
};

/* One AF_VSOCK socket found in a process's file table, by the task_file iterator. */
struct vsd_rec {
	__u64 ino;			/* the socket's inode: the netlink row's vdiag_ino */
	__u32 tgid, fd;			/* the process that holds it, and the descriptor */
	__u32 flags;
	__u32 state, type;		/* sk_state, sk_type */
	__u32 lcid, lport, pcid, pport;	/* vsk->local_addr, vsk->remote_addr */
	/* struct virtio_vsock_sock (vsk->trans), valid with VSD_F_VIRTIO */
	__u32 rx_bytes, fwd_cnt, last_fwd_cnt, buf_alloc;
	__u32 peer_buf_alloc, tx_cnt, peer_fwd_cnt;
	char comm[VSD_COMM_LEN];
};

#endif
