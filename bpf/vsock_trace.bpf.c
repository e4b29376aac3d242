// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsock_trace: the kernel's side of vsock transfers, aggregated in the
 * kernel per connection (packets by op, RW bytes, the peer's advertised
 * credit, credit stalls with their cause, wakeups, read latency) and in log2
 * histograms; events only for what a user asks to watch (packets, stalls).
 *
 * The two vsock tracepoints are raw_tp programs (their arguments are plain
 * integers, so no module BTF is needed). Function hooks exist twice, as
 * fentry/fexit and as kprobe/kretprobe; the loader picks one set at load time.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "vsock_trace.h"

#define VMADDR_PORT_ANY 0xffffffffU
#define POLLIN_BIT 0x1
#define POLLOUT_BIT 0x4
#define POLLERR_HUP_BITS 0x18
#define TCP_ESTABLISHED_STATE 1
#define SEND_SHUTDOWN_BIT 2

const volatile __u32 filter_tgid = 0;		/* 0: every process */
const volatile __u32 filter_port = 0;		/* 0: every port; else local or peer */
const volatile __u32 filter_cid = 0;
const volatile bool filter_cid_set = false;
const volatile bool emit_packets = false;
const volatile __u32 packets_per_sec = 1000;	/* rate limit of packet events */
const volatile bool emit_stalls = false;
const volatile __u64 min_stall_ns = 0;

/*
 * Stalls open right now, over all connections: while there are none, a read
 * skips looking up its peer's connection (the common case costs nothing).
 */
__u32 stalls_open = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VST_MAX_CONNS);
	__type(key, struct vst_conn_key);
	__type(value, struct vst_conn);
} conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4 * VST_MAX_CONNS);
	__type(key, struct vst_hist_key);
	__type(value, struct vst_hist);
} hists SEC(".maps");

/* Per CPU: a read adds to its CPU's copy without atomic operations. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VST_MAX_CONNS);
	__type(key, struct vst_hist_key);
	__type(value, struct vst_read_hists);
} read_hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/*
 * Per-thread state of a recvmsg() in progress (start_ns 0: none), with the
 * start of its last dequeue (copy). It lives in the task's local storage: found
 * without a hash lookup, reused by every call, freed with the task.
 */
struct recv_ctx {
	__u64 start_ns, sk, dequeue_start_ns;
};

/* Per-thread state between entry and exit of a hooked call. */

struct call_ctx {
	__u64 arg;
	__u32 want;
};

#define TID_MAP(name, value_type)				\
	struct {						\
		__uint(type, BPF_MAP_TYPE_HASH);		\
		__uint(max_entries, 8192);			\
		__type(key, __u32);				\
		__type(value, value_type);			\
	} name SEC(".maps")

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct recv_ctx);
} recv_ctxs SEC(".maps");

TID_MAP(poll_ctxs, struct call_ctx);

/* Packet events allowed in the current second, for the rate limit. */
struct rate {
	__u64 second, sent, dropped;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rate);
} rates SEC(".maps");

static __always_inline __u32 tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

static __always_inline bool tgid_ok(void)
{
	return !filter_tgid || (bpf_get_current_pid_tgid() >> 32) == filter_tgid;
}

static __always_inline bool key_ok(const struct vst_conn_key *k, __u32 lcid)
{
	if (filter_port && k->lport != filter_port && k->pport != filter_port)
		return false;
	if (filter_cid_set && k->pcid != filter_cid && lcid != filter_cid)
		return false;
	return true;
}

static __always_inline void *lookup_or_init(void *map, const void *key, const void *zero);

static struct vst_conn *conn_get(const struct vst_conn_key *k)
{
	static const struct vst_conn zero;

	return lookup_or_init(&conns, k, &zero);
}

static __always_inline void note_task(struct vst_conn *c)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (c->pid == pid)
		return;
	c->pid = pid;
	bpf_get_current_comm(c->comm, sizeof(c->comm));
}

/*
 * log2 of v, capped to the last slot. A global function: the verifier checks
 * it once and its callers see an unknown result, so three histogram updates
 * in one program do not multiply its branches (which exceeded 1M states).
 */
__noinline int vst_log2_slot(__u64 v)
{
	int r = 0;

	if (v >= 1ULL << 32) { v >>= 32; r += 32; }
	if (v >= 1 << 16) { v >>= 16; r += 16; }
	if (v >= 1 << 8) { v >>= 8; r += 8; }
	if (v >= 1 << 4) { v >>= 4; r += 4; }
	if (v >= 1 << 2) { v >>= 2; r += 2; }
	if (v >= 1 << 1) { r += 1; }
	return r < VST_MAX_SLOTS ? r : VST_MAX_SLOTS - 1;
}

/*
 * Counts ns in h: with atomic operations where CPUs share the value, plainly
 * in a per-CPU value (shared is a constant: the other branch is dropped).
 */
static __always_inline void hist_put(struct vst_hist *h, __u64 ns, bool shared)
{
	/* under 2 us is slot 0: most reads wait for nothing, no log2 for them */
	__u32 slot = ns < 2000 ? 0 : (__u32)vst_log2_slot(ns / 1000) & (VST_MAX_SLOTS - 1);

	if (shared) {
		__sync_fetch_and_add(&h->slots[slot], 1);
		__sync_fetch_and_add(&h->count, 1);
		__sync_fetch_and_add(&h->total_ns, ns);
	} else {
		h->slots[slot]++;
		h->count++;
		h->total_ns += ns;
	}
}

/* The value of key in map, created zeroed when absent (zero: a value-sized zero). */
static __always_inline void *lookup_or_init(void *map, const void *key, const void *zero)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

static void hist_add(__u32 kind, __u32 pid, const struct vst_conn_key *k, __u64 ns)
{
	static const struct vst_hist zero;
	struct vst_hist_key hk = { .kind = kind, .pid = pid, .conn = *k };
	struct vst_hist *h = lookup_or_init(&hists, &hk, &zero);

	if (h)
		hist_put(h, ns, true);
}

/*
 * The connection key of vsk. Its local and remote addresses sit side by side
 * (struct sockaddr_vm is uapi, 16 bytes): one read of both, not three.
 */
static __always_inline void key_from_vsk(struct vsock_sock *vsk, struct vst_conn_key *k)
{
	struct sockaddr_vm a[2];

	if (bpf_core_field_offset(struct vsock_sock, remote_addr) ==
	    bpf_core_field_offset(struct vsock_sock, local_addr) + sizeof(a[0]) &&
	    !bpf_core_read(a, sizeof(a), &vsk->local_addr)) {
		k->lport = a[0].svm_port;
		k->pcid = a[1].svm_cid;
		k->pport = a[1].svm_port;
	} else {
		k->lport = BPF_CORE_READ(vsk, local_addr.svm_port);
		k->pcid = BPF_CORE_READ(vsk, remote_addr.svm_cid);
		k->pport = BPF_CORE_READ(vsk, remote_addr.svm_port);
	}
	k->pad = 0;
}

/* ---------------------------------------------------------------- stalls */

/* The receiver of sender c's connection k, when it is in this kernel and seen reading. */
static struct virtio_vsock_sock *receiver_of(const struct vst_conn *c, const struct vst_conn_key *k)
{
	struct vst_conn_key rk = { .lport = k->pport, .pcid = c->lcid, .pport = k->lport };
	struct vst_conn *r = c->lcid ? bpf_map_lookup_elem(&conns, &rk) : NULL;

	return r ? (struct virtio_vsock_sock *)r->vvs : NULL;
}

/*
 * The receiver of sender c's open stall went without reading until now: a
 * gap, if data waited for it meanwhile (since the later of its last read and
 * the data's arrival). A stalled sender cannot send, so data that waits was
 * queued at the stall's start or in flight then.
 */
static __always_inline void stall_gap(struct vst_conn *c, __u64 now)
{
	__u64 from = c->stall_last_read_ns;

	if (!c->stall_data_ns)
		return;
	if (c->stall_data_ns > from)
		from = c->stall_data_ns;
	if (now - from > c->stall_max_gap_ns)
		c->stall_max_gap_ns = now - from;
}

/* Why did the stall of sender c (key k) last from start to now? See enum vst_stall_cause. */
static __u32 stall_cause(struct vst_conn *c, const struct vst_conn_key *k, __u64 start, __u64 now)
{
	if (!receiver_of(c, k))
		return VST_CAUSE_UNKNOWN;
	/*
	 * The gap up to now counts too: the update that ends a stall is sent
	 * from inside a read, before the hook on its return has noted it.
	 */
	stall_gap(c, now);
	if (c->stall_max_gap_ns >= (now - start) / 2)
		return VST_CAUSE_NOT_READING;
	if (c->stall_freed_ns && now - c->stall_freed_ns >= (now - start) / 2)
		return VST_CAUSE_NO_UPDATE;
	return VST_CAUSE_IN_FLIGHT;
}

static void stall_begin(struct vst_conn *c, const struct vst_conn_key *k)
{
	struct virtio_vsock_sock *rv = receiver_of(c, k), *sv = (struct virtio_vsock_sock *)c->vvs;
	__u64 now = bpf_ktime_get_ns();

	if (c->stall_start_ns)
		return;
	c->stall_freed_ns = 0;
	c->stall_data_ns = 0;
	if (rv && sv) {
		/* has the receiver consumed beyond what it told this sender? does data wait? */
		if (BPF_CORE_READ(rv, fwd_cnt) != BPF_CORE_READ(sv, peer_fwd_cnt))
			c->stall_freed_ns = now;
		if (BPF_CORE_READ(rv, rx_bytes))
			c->stall_data_ns = now;
	}
	c->stall_last_read_ns = now;
	c->stall_max_gap_ns = 0;
	c->stall_start_ns = now;
	__sync_fetch_and_add(&stalls_open, 1);
	note_task(c);
}

static void stall_end(struct vst_conn *c, const struct vst_conn_key *k)
{
	__u64 start = c->stall_start_ns, now = bpf_ktime_get_ns(), dur;
	struct vst_event *e;
	__u32 cause;

	if (!start || !__sync_bool_compare_and_swap(&c->stall_start_ns, start, 0))
		return;
	__sync_fetch_and_add(&stalls_open, -1);
	dur = now - start;
	cause = stall_cause(c, k, start, now);
	__sync_fetch_and_add(&c->stalls, 1);
	__sync_fetch_and_add(&c->stall_ns, dur);
	if (dur > c->stall_max_ns)
		c->stall_max_ns = dur;
	__sync_fetch_and_add(&c->stalls_by_cause[cause & 3], 1);
	hist_add(VST_HIST_STALL, c->pid, k, dur);
	if (!emit_stalls || dur < min_stall_ns)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return;
	__builtin_memset(e, 0, sizeof(*e));
	e->type = VST_EV_STALL;
	e->ts_ns = now;
	e->dur_ns = dur;
	e->cause = cause;
	e->conn = *k;
	e->pid = c->pid;
	__builtin_memcpy(e->comm, c->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

/* The sender of connection k had a packet from its peer: is it out of its stall? */
static void stall_check_credit(struct vst_conn *c, const struct vst_conn_key *k, __u32 buf_alloc,
			       __u32 fwd_cnt)
{
	struct virtio_vsock_sock *sv = (struct virtio_vsock_sock *)c->vvs;
	__u32 tx_cnt;

	if (!c->stall_start_ns || !sv)
		return;
	tx_cnt = BPF_CORE_READ(sv, tx_cnt);
	if ((__s32)(buf_alloc - (tx_cnt - fwd_cnt)) > 0)
		stall_end(c, k);
}

/* The sender of receiver rk's connection, if this kernel has it and it is stalled. */
static struct vst_conn *stalled_sender_of(const struct vst_conn_key *rk, __u32 rcv_lcid)
{
	struct vst_conn_key sk = { .lport = rk->pport, .pcid = rcv_lcid, .pport = rk->lport };
	struct vst_conn *s = rcv_lcid ? bpf_map_lookup_elem(&conns, &sk) : NULL;

	return s && s->stall_start_ns ? s : NULL;
}

/* The application behind receiver rk (socket rv) read: a gap of the sender's open stall ends. */
static void stall_note_read(const struct vst_conn_key *rk, __u32 rcv_lcid,
			    struct virtio_vsock_sock *rv)
{
	struct vst_conn *s = stalled_sender_of(rk, rcv_lcid);
	__u64 now = bpf_ktime_get_ns();

	if (!s)
		return;
	stall_gap(s, now);
	s->stall_last_read_ns = now;
	/* the read freed credit: held back from now until an update ends the stall */
	if (!s->stall_freed_ns)
		s->stall_freed_ns = now;
	s->stall_data_ns = rv && BPF_CORE_READ(rv, rx_bytes) ? now : 0;
}

/* Data reached receiver rk: from now on, it waits for a read. */
static void stall_note_data(const struct vst_conn_key *rk, __u32 rcv_lcid)
{
	struct vst_conn *s = stalled_sender_of(rk, rcv_lcid);

	if (s && !s->stall_data_ns)
		s->stall_data_ns = bpf_ktime_get_ns();
}

/*
 * The sender's credit: what the peer advertised minus what is in flight
 * (tx_cnt counts sent bytes). A connection seen from its handshake has sent
 * exactly the RW bytes counted here; else tx_cnt is read from the socket,
 * once a hook has seen it.
 */
static __always_inline void update_credit(struct vst_conn *c)
{
	struct virtio_vsock_sock *sv = (struct virtio_vsock_sock *)c->vvs;
	__u32 tx_cnt;

	if (c->from_start)
		tx_cnt = (__u32)c->tx_bytes;
	else if (sv)
		tx_cnt = BPF_CORE_READ(sv, tx_cnt);
	else
		return;
	c->credit = (__s32)(c->peer_buf_alloc - (tx_cnt - c->peer_fwd_cnt));
	c->credit_valid = 1;
}

/* ---------------------------------------------------------------- packets */

/* The first packet of c says whether it is traced from its handshake on. */
static __always_inline void first_packet(struct vst_conn *c, __u32 op)
{
	if (c->seen_packet)
		return;
	c->seen_packet = 1;
	c->from_start = op == VST_OP_REQUEST || op == VST_OP_RESPONSE;
}

static void packet_event(const struct vst_conn_key *k, __u32 dir, __u32 op, __u32 len,
			 __u32 flags, __u32 buf_alloc, __u32 fwd_cnt)
{
	__u32 zero = 0;
	struct rate *r = bpf_map_lookup_elem(&rates, &zero);
	__u64 now = bpf_ktime_get_ns(), sec = now / 1000000000ULL;
	struct vst_event *e;

	if (!r)
		return;
	if (r->second != sec) {
		r->second = sec;
		r->sent = 0;
	}
	if (r->sent >= packets_per_sec) {
		__sync_fetch_and_add(&r->dropped, 1);
		return;
	}
	r->sent++;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&r->dropped, 1);
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->type = VST_EV_PACKET;
	e->ts_ns = now;
	e->dir = dir;
	e->op = op;
	e->len = len;
	e->flags = flags;
	e->buf_alloc = buf_alloc;
	e->fwd_cnt = fwd_cnt;
	e->conn = *k;
	bpf_ringbuf_submit(e, 0);
}

/* TP_PROTO(src_cid, src_port, dst_cid, dst_port, len, type, op, flags[, zcopy]) */
SEC("raw_tp/virtio_transport_alloc_pkt")
int vst_alloc_pkt(struct bpf_raw_tracepoint_args *ctx)
{
	struct vst_conn_key k = {
		.lport = (__u32)ctx->args[1], .pcid = (__u32)ctx->args[2], .pport = (__u32)ctx->args[3],
	};
	__u32 lcid = (__u32)ctx->args[0], len = (__u32)ctx->args[4], op = (__u16)ctx->args[6];
	struct vst_conn *c;

	if (!key_ok(&k, lcid) || !(c = conn_get(&k)))
		return 0;
	first_packet(c, op);
	c->lcid = lcid;
	__sync_fetch_and_add(&c->tx_pkts[op & (VST_NR_OPS - 1)], 1);
	if (op == VST_OP_RW) {
		__sync_fetch_and_add(&c->tx_bytes, len);
		update_credit(c);
	}
	if (emit_packets)
		packet_event(&k, 0, op, len, (__u32)ctx->args[7], 0, 0);
	return 0;
}

/* TP_PROTO(src_cid, src_port, dst_cid, dst_port, len, type, op, flags, buf_alloc, fwd_cnt) */
SEC("raw_tp/virtio_transport_recv_pkt")
int vst_recv_pkt(struct bpf_raw_tracepoint_args *ctx)
{
	struct vst_conn_key k = {
		.lport = (__u32)ctx->args[3], .pcid = (__u32)ctx->args[0], .pport = (__u32)ctx->args[1],
	};
	__u32 lcid = (__u32)ctx->args[2], len = (__u32)ctx->args[4], op = (__u16)ctx->args[6];
	__u32 buf_alloc = (__u32)ctx->args[8], fwd_cnt = (__u32)ctx->args[9];
	struct vst_conn *c;

	if (!key_ok(&k, lcid) || !(c = conn_get(&k)))
		return 0;
	first_packet(c, op);
	c->lcid = lcid;
	__sync_fetch_and_add(&c->rx_pkts[op & (VST_NR_OPS - 1)], 1);
	c->peer_buf_alloc = buf_alloc;
	c->peer_fwd_cnt = fwd_cnt;
	if (op == VST_OP_RW) {
		__sync_fetch_and_add(&c->rx_bytes, len);
		if (stalls_open)
			stall_note_data(&k, lcid);
	}
	update_credit(c);
	stall_check_credit(c, &k, buf_alloc, fwd_cnt);
	if (emit_packets)
		packet_event(&k, 1, op, len, (__u32)ctx->args[7], buf_alloc, fwd_cnt);
	return 0;
}

/* ------------------------------------------------ socket calls (both hook sets) */

/*
 * A writer with data to send and no credit: sendmsg() is about to block
 * (virtio_transport_notify_send_pre_block() runs only then), or poll() asked
 * for POLLOUT and did not get it. Hooking these instead of every
 * stream_has_space() call keeps the common, unstalled send free.
 */
static void on_no_space(struct vsock_sock *vsk)
{
	struct vst_conn_key k;
	struct vst_conn *c;

	key_from_vsk(vsk, &k);
	if (k.pport == VMADDR_PORT_ANY || !key_ok(&k, 0) || !tgid_ok() || !(c = conn_get(&k)))
		return;
	if (!c->vvs)
		c->vvs = (__u64)BPF_CORE_READ(vsk, trans);
	stall_begin(c, &k);
}

/* A dequeue starts: time it inside the recvmsg() in progress, if any. */
static __always_inline void dequeue_enter(void)
{
	struct recv_ctx *r = bpf_task_storage_get(&recv_ctxs, bpf_get_current_task_btf(), 0, 0);

	if (r && r->start_ns)
		r->dequeue_start_ns = bpf_ktime_get_ns();
}

/*
 * A recvmsg() returned ret. Its copy time runs from the start of its last
 * dequeue to the return; the rest of it waited for data (a read that
 * dequeues more than once, to reach SO_RCVLOWAT, counts the earlier copies
 * as waiting).
 */
static void on_recvmsg_exit(struct recv_ctx *r, __s64 ret)
{
	static const struct vst_read_hists zero;
	__u64 now = bpf_ktime_get_ns(), total = now - r->start_ns;
	__u64 copy = r->dequeue_start_ns ? now - r->dequeue_start_ns : 0;
	struct vsock_sock *vsk = (struct vsock_sock *)r->sk;
	struct vst_hist_key hk = { .kind = VST_HIST_READ, .pid = bpf_get_current_pid_tgid() >> 32 };
	struct vst_read_hists *h;
	struct vst_conn *c;

	if (copy > total)
		copy = total;
	key_from_vsk(vsk, &hk.conn);
	if (!key_ok(&hk.conn, 0) || !(h = lookup_or_init(&read_hists, &hk, &zero)))
		return;
	/*
	 * The connection itself is looked up only at a process's first read on
	 * a CPU (to learn the socket and the reader) and while a stall is open (the
	 * reads shape its cause): the common read costs one map lookup.
	 */
	if ((!h->h[0].count || stalls_open) && (c = conn_get(&hk.conn))) {
		if (!c->vvs)
			c->vvs = (__u64)BPF_CORE_READ(vsk, trans);
		note_task(c);
		if (ret > 0 && stalls_open)
			stall_note_read(&hk.conn, c->lcid, (struct virtio_vsock_sock *)c->vvs);
	}
	hist_put(&h->h[0], total, false);
	hist_put(&h->h[1], total - copy, false);
	hist_put(&h->h[2], copy, false);
}

/*
 * vsock_data_ready() of socket sk (rcvlowat: its SO_RCVLOWAT). The socket's
 * transport state comes from its connection once a read has noted it there.
 */
static void on_data_ready(struct sock *sk, int lowat)
{
	struct vsock_sock *vsk = (struct vsock_sock *)sk;
	struct virtio_vsock_sock *vvs;
	struct vst_conn_key k;
	struct vst_conn *c;
	__u32 queued;

	key_from_vsk(vsk, &k);
	if (!key_ok(&k, 0) || !(c = conn_get(&k)))
		return;
	vvs = c->vvs ? (struct virtio_vsock_sock *)c->vvs : BPF_CORE_READ(vsk, trans);
	if (!vvs)
		return;
	queued = BPF_CORE_READ(vvs, rx_bytes);
	/* vsock_data_ready() wakes the reader only at SO_RCVLOWAT (or at the end) */
	if ((__s64)queued >= lowat)
		__sync_fetch_and_add(&c->data_ready, 1);
	else
		__sync_fetch_and_add(&c->data_ready_below_lowat, 1);
}

/* The events a poll() asked for (poll_requested_events()); 0 when unknown. */
static __always_inline __u32 poll_wanted(struct poll_table_struct *wait)
{
	return wait ? BPF_CORE_READ(wait, _key) : 0;
}

/*
 * vsock_poll() of socket sk returned ret to a caller that wanted events want.
 * Most calls neither return POLLIN nor miss a wanted POLLOUT (a reader's poll
 * that is about to sleep): they return before reading anything.
 */
static void on_poll_exit(struct sock *sk, __u32 ret, __u32 want)
{
	struct vsock_sock *vsk = (struct vsock_sock *)sk;
	bool no_pollout = (want & POLLOUT_BIT) && !(ret & (POLLOUT_BIT | POLLERR_HUP_BITS));
	struct vst_conn_key k;
	struct vst_conn *c;

	if ((!(ret & POLLIN_BIT) && !no_pollout) || !vsk)
		return;
	if (no_pollout && BPF_CORE_READ(vsk, sk.__sk_common.skc_state) == TCP_ESTABLISHED_STATE &&
	    !(BPF_CORE_READ_BITFIELD_PROBED(&vsk->sk, sk_shutdown) & SEND_SHUTDOWN_BIT))
		on_no_space(vsk);
	if (!(ret & POLLIN_BIT))
		return;
	key_from_vsk(vsk, &k);
	if (k.pport == VMADDR_PORT_ANY || !key_ok(&k, 0) || !(c = conn_get(&k)))
		return;
	__sync_fetch_and_add(&c->poll_in, 1);
}

static __always_inline void save(void *map, __u64 arg, __u32 want)
{
	struct call_ctx v = { .arg = arg, .want = want };
	__u32 t = tid();

	bpf_map_update_elem(map, &t, &v, BPF_ANY);
}

static __always_inline struct call_ctx *take(void *map, struct call_ctx *out)
{
	__u32 t = tid();
	struct call_ctx *v = bpf_map_lookup_elem(map, &t);

	if (!v)
		return NULL;
	*out = *v;
	bpf_map_delete_elem(map, &t);
	return out;
}

static __always_inline void recv_enter(struct sock *sk)
{
	struct recv_ctx *r;

	if (!tgid_ok())
		return;
	r = bpf_task_storage_get(&recv_ctxs, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!r)
		return;
	r->dequeue_start_ns = 0;
	r->sk = (__u64)sk;
	r->start_ns = bpf_ktime_get_ns();
}

static __always_inline void recv_exit(__s64 ret)
{
	struct recv_ctx *r = bpf_task_storage_get(&recv_ctxs, bpf_get_current_task_btf(), 0, 0);

	if (!r || !r->start_ns)
		return;
	on_recvmsg_exit(r, ret);
	r->start_ns = 0;
}

/* fentry/fexit set */

SEC("fentry/virtio_transport_notify_send_pre_block")
int BPF_PROG(fe_send_block, struct vsock_sock *vsk)
{
	on_no_space(vsk);
	return 0;
}

SEC("fentry/virtio_transport_stream_dequeue")
int BPF_PROG(fe_dequeue)
{
	dequeue_enter();
	return 0;
}

SEC("fentry/virtio_transport_seqpacket_dequeue")
int BPF_PROG(fe_seq_dequeue)
{
	dequeue_enter();
	return 0;
}

SEC("fentry/vsock_connectible_recvmsg")
int BPF_PROG(fe_recvmsg, struct socket *sock)
{
	recv_enter(sock->sk);
	return 0;
}

SEC("fexit/vsock_connectible_recvmsg")
int BPF_PROG(fx_recvmsg, struct socket *sock, struct msghdr *msg, size_t len, int flags, int ret)
{
	recv_exit(ret);
	return 0;
}

SEC("fentry/vsock_data_ready")
int BPF_PROG(fe_data_ready, struct sock *sk)
{
	on_data_ready(sk, sk->sk_rcvlowat);
	return 0;
}

SEC("fexit/vsock_poll")
int BPF_PROG(fx_poll, struct file *file, struct socket *sock, struct poll_table_struct *wait,
	     __u32 ret)
{
	/* BTF-typed arguments: plain loads, no probe reads (a NULL wait reads as 0) */
	on_poll_exit(sock->sk, ret, wait ? wait->_key : 0);
	return 0;
}

/* kprobe/kretprobe set: the same, with arguments carried from entry to return */

SEC("kprobe/virtio_transport_notify_send_pre_block")
int BPF_KPROBE(kp_send_block, struct vsock_sock *vsk)
{
	on_no_space(vsk);
	return 0;
}

/* kretprobes have no arguments: the socket is the one of the recvmsg() in progress */
SEC("kprobe/virtio_transport_stream_dequeue")
int BPF_KPROBE(kp_dequeue)
{
	dequeue_enter();
	return 0;
}

SEC("kprobe/virtio_transport_seqpacket_dequeue")
int BPF_KPROBE(kp_seq_dequeue)
{
	dequeue_enter();
	return 0;
}

SEC("kprobe/vsock_connectible_recvmsg")
int BPF_KPROBE(kp_recvmsg, struct socket *sock)
{
	recv_enter(BPF_CORE_READ(sock, sk));
	return 0;
}

SEC("kretprobe/vsock_connectible_recvmsg")
int BPF_KRETPROBE(kr_recvmsg, int ret)
{
	recv_exit(ret);
	return 0;
}

SEC("kprobe/vsock_data_ready")
int BPF_KPROBE(kp_data_ready, struct sock *sk)
{
	on_data_ready(sk, BPF_CORE_READ(sk, sk_rcvlowat));
	return 0;
}

SEC("kprobe/vsock_poll")
int BPF_KPROBE(kp_poll, struct file *file, struct socket *sock, struct poll_table_struct *wait)
{
	save(&poll_ctxs, (__u64)sock, poll_wanted(wait));
	return 0;
}

SEC("kretprobe/vsock_poll")
int BPF_KRETPROBE(kr_poll, __u32 ret)
{
	struct call_ctx c;
	struct socket *sock;

	if (!take(&poll_ctxs, &c))
		return 0;
	sock = (struct socket *)c.arg;
	on_poll_exit(BPF_CORE_READ(sock, sk), ret, c.want);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
