/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared between bpf/vsock_trace.bpf.c and its user-space readers. */
#ifndef VSOCK_TRACE_H
#define VSOCK_TRACE_H

#ifndef __VMLINUX_H__	/* user space; the BPF side has the types from vmlinux.h */
#include <linux/types.h>
#endif

#define VST_NR_OPS	8	/* VIRTIO_VSOCK_OP_INVALID .. _CREDIT_REQUEST */
#define VST_OP_REQUEST	1
#define VST_OP_RESPONSE	2
#define VST_OP_RW	5
#define VST_OP_CREDIT_UPDATE	6
#define VST_OP_CREDIT_REQUEST	7
#define VST_MAX_SLOTS	32	/* log2 histogram slots */
#define VST_MAX_CONNS	4096
#define VST_COMM_LEN	16

/*
 * A connection as one side sees it. The local CID is not part of the key:
 * a socket auto-bound to VMADDR_CID_ANY does not know it, packets do (it is
 * kept in vst_conn.lcid).
 */
struct vst_conn_key {
	__u32 lport, pcid, pport, pad;
};

/*
 * Why a sender sat at zero credit, decided when the stall ends (the
 * receiver must be in this kernel, as with loopback or a traced host):
 */
enum vst_stall_cause {
	VST_CAUSE_UNKNOWN,	/* the receiver is not in this kernel */
	VST_CAUSE_IN_FLIGHT,	/* window-limited: the window was in flight, nothing held back long */
	VST_CAUSE_NOT_READING,	/* for half the stall or more it had data queued and made no read */
	VST_CAUSE_NO_UPDATE,	/* for half the stall or more it held consumed, unadvertised bytes */
	VST_NR_CAUSES,
};

struct vst_conn {
	__u32 lcid;			/* from packets; 0 until one is seen */
	__u32 pad;
	__u64 tx_pkts[VST_NR_OPS], rx_pkts[VST_NR_OPS];
	__u64 tx_bytes, rx_bytes;	/* RW payload */
	__u32 peer_buf_alloc, peer_fwd_cnt;	/* last advertised by the peer */
	__s64 credit;			/* this side's credit as a sender, once known */
	__u32 credit_valid;
	__u16 seen_packet, from_start;	/* from_start: traced from the handshake */
	/* credit stalls of this side as a sender */
	__u64 stalls, stall_ns, stall_max_ns, stall_start_ns;
	__u64 stalls_by_cause[VST_NR_CAUSES];
	/* the open stall, as the receiver's reads shape it */
	__u64 stall_last_read_ns;	/* the receiver's last read (the start until it reads) */
	__u64 stall_data_ns;		/* since when data has waited for it unread (0: none) */
	__u64 stall_max_gap_ns;		/* its longest time without a read, with data waiting */
	__u64 stall_freed_ns;		/* since when it has held freed credit back (0: not yet) */
	/* the application side, from socket calls */
	__u64 vvs;			/* struct virtio_vsock_sock * of this side, once seen */
	__u64 data_ready, data_ready_below_lowat, poll_in;
	__u64 reads;			/* user space fills it in from the read histograms */
	__u32 pid;
	char comm[VST_COMM_LEN];
};

enum vst_hist_kind {
	VST_HIST_READ,		/* recvmsg() latency */
	VST_HIST_READ_BLOCKED,	/* ... of which waiting for data */
	VST_HIST_READ_COPY,	/* ... of which dequeueing and copying */
	VST_HIST_STALL,		/* credit stall durations */
	VST_NR_HISTS,
};

struct vst_hist_key {
	__u32 kind;
	__u32 pid;
	struct vst_conn_key conn;
};

struct vst_hist {
	__u64 slots[VST_MAX_SLOTS];	/* slot i: [2^i, 2^(i+1)) microseconds; slot 0 also < 1 */
	__u64 count, total_ns;
};

/* The three read histograms of one (pid, connection) in one map value: one lookup per read. */
struct vst_read_hists {
	struct vst_hist h[3];	/* VST_HIST_READ, _READ_BLOCKED, _READ_COPY */
};

enum vst_event_type { VST_EV_PACKET = 1, VST_EV_STALL };

struct vst_event {
	__u32 type;
	__u32 op;		/* packet */
	__u32 dir;		/* packet: 0 sent (alloc), 1 received */
	__u32 len, flags, buf_alloc, fwd_cnt;
	__u32 cause;		/* stall */
	__u64 ts_ns, dur_ns;
	struct vst_conn_key conn;
	__u32 pid;
	char comm[VST_COMM_LEN];
};

#endif
