// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsock_diag --credit: a task_file iterator that finds every AF_VSOCK socket
 * in every process's file table and writes its credit state (the virtio
 * transport's struct virtio_vsock_sock) as one struct vsd_rec to the
 * iterator's seq_file; user space matches the records to the netlink rows by
 * inode.
 *
 * struct vsock_sock and struct virtio_vsock_sock live in module BTF on
 * Debian kernels (vsock, vmw_vsock_virtio_transport_common). Every access is
 * a CO-RE probe read, which libbpf relocates against module BTF as for any
 * program type; bpf_core_type_exists() guards keep the program loadable when
 * a module (and so a type) is missing.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "vsock_diag.h"

#define AF_VSOCK 40

/* Set by user space from /proc/kallsyms: virtio_transport_stream_has_data(), 0 if absent. */
const volatile __u64 virtio_stream_has_data = 0;

SEC("iter/task_file")
int vsd_task_file(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct vsd_rec r = {};
	struct vsock_sock *vsk;
	struct socket *sock;
	struct sock *sk;
	const void *transport;

	if (!task || !file)
		return 0;
	sock = bpf_sock_from_file(file);
	if (!sock)
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || BPF_CORE_READ(sk, __sk_common.skc_family) != AF_VSOCK)
		return 0;
	if (!bpf_core_type_exists(struct vsock_sock))
		return 0;
	vsk = (struct vsock_sock *)sk;
	r.ino = BPF_CORE_READ(file, f_inode, i_ino);
	r.tgid = BPF_CORE_READ(task, tgid);
	r.fd = ctx->fd;
	r.state = BPF_CORE_READ(sk, __sk_common.skc_state);
	r.type = BPF_CORE_READ(sk, sk_type);
	r.lcid = BPF_CORE_READ(vsk, local_addr.svm_cid);
	r.lport = BPF_CORE_READ(vsk, local_addr.svm_port);
	r.pcid = BPF_CORE_READ(vsk, remote_addr.svm_cid);
	r.pport = BPF_CORE_READ(vsk, remote_addr.svm_port);
	bpf_probe_read_kernel_str(r.comm, sizeof(r.comm), task->comm);
	transport = BPF_CORE_READ(vsk, transport);
	if (transport) {
		r.flags |= VSD_F_TRANSPORT;
		if (virtio_stream_has_data &&
		    (__u64)BPF_CORE_READ(vsk, transport, stream_has_data) == virtio_stream_has_data &&
		    bpf_core_type_exists(struct virtio_vsock_sock)) {
			struct virtio_vsock_sock *vvs = BPF_CORE_READ(vsk, trans);

			if (vvs) {
				r.flags |= VSD_F_VIRTIO;
				r.rx_bytes = BPF_CORE_READ(vvs, rx_bytes);
				r.fwd_cnt = BPF_CORE_READ(vvs, fwd_cnt);
				r.last_fwd_cnt = BPF_CORE_READ(vvs, last_fwd_cnt);
				r.buf_alloc = BPF_CORE_READ(vvs, buf_alloc);
				r.peer_buf_alloc = BPF_CORE_READ(vvs, peer_buf_alloc);
				r.tx_cnt = BPF_CORE_READ(vvs, tx_cnt);
				r.peer_fwd_cnt = BPF_CORE_READ(vvs, peer_fwd_cnt);
			}
		}
	}
	bpf_seq_write(seq, &r, sizeof(r));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
