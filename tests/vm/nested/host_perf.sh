# vsock_perf across the real host<->guest path, the host VM's side (vhost_vsock); the nested
# guest's side is guest_perf.sh, with the same cases in the same order. Each transfer checks the
# exact byte total on both ends (and vsock_perf's own cross-check of the peer's counts).
# Run: tests/vm/run --guest tests/vm/nested/suite.sh tests/vm/nested/suite.sh perf
. "$VS_ROOT/tests/vm/nested/nested_lib.sh"

test_stream_host_to_guest() {
	xfer_send stream_host_to_guest 2201 33554432 --buf-size 64K
}

test_stream_guest_to_host() {
	xfer_receive stream_guest_to_host 2202 33554432
}

test_seqpacket_host_to_guest() {
	xfer_send seqpacket_host_to_guest 2203 6000000 --seqpacket --buf-size 60000 --verify
}

test_seqpacket_guest_to_host() {
	xfer_receive seqpacket_guest_to_host 2204 6000000
	vs_assert_file_match rx.out "^messages: 100 received, record boundaries checked$"
}

# Traced where vhost_vsock carries the data: the host sends (virtio_transport_alloc_pkt in the
# sender's context) and the guest's credit updates arrive through the vhost worker.
test_trace_host_sends() {
	xfer_send trace_host_sends 2205 16777216 --buf-size 64K --trace
	assert_traced_send out 16777216
}

# The host receives: the guest's packets are built by vhost (no alloc_pkt event here) and reach
# virtio_transport_recv_pkt in the host's vhost-<pid> worker thread, not in vsock_perf's; the
# RW bytes still add up per connection, and the reader's wakeups are seen.
test_trace_host_receives() {
	xfer_receive trace_host_receives 2206 16777216 --trace
	assert_traced_receive rx.out 16777216
}

# Traced on the guest's side (virtio_transport.c): the host VM only moves the data.
test_trace_guest_sends() {
	xfer_receive trace_guest_sends 2207 16777216
}

test_trace_guest_receives() {
	xfer_send trace_guest_receives 2208 16777216 --buf-size 64K
}

# A guest reader that pauses 500 ms: the host's traced sender sees the stall; its cause is
# "unknown" here, since the receiver's socket is in another kernel.
test_trace_stall_seen_from_the_host() {
	vs_sync trace_stall
	vs_run_rc 0 tx 2209 --bytes 4M --buf-size 64K --trace --json
	max=$(vs_jsonget out end.trace.stalls.max_ms) || vs_fail "no end.trace.stalls in the JSON"
	vs_assert_le "longest stall" 400 "$max"
	vs_assert_le "longest stall" "$max" 1500
	vs_assert_eq "stalls of unknown cause" "$(vs_jsonget out end.trace.stalls.count)" "$(vs_jsonget out end.trace.stalls.unknown)"
	vs_assert_eq "rw_bytes_match" true "$(vs_jsonget out end.trace.rw_bytes_match)"
}

test_reverse_host_receives() {
	vs_sync reverse
	vs_run_rc 0 tx 2210 --reverse --bytes 8M
	vs_assert_eq "received" 8388608 "$(vs_field out 'total bytes received: ')"
}

test_bidir_two_streams() {
	vs_sync bidir
	vs_run_rc 0 tx 2211 --bidir --streams 2 --bytes 4M --verify
	assert_total out sent 8388608
	assert_total out received 8388608
}

test_latency_host_to_guest() {
	vs_sync latency
	vs_run_rc 0 tx 2212 --latency --rounds 200 --json
	vs_assert_eq "count" 200 "$(vs_jsonget out end.latency_us.count)"
}

test_zerocopy_host_to_guest() {
	zc_send zerocopy_host_to_guest 2213
}

test_zerocopy_guest_to_host() {
	zc_receive zerocopy_guest_to_host 2214
}

# The guard in the host VM: its own CID (2) and CID 1 would go to a guest transport, and there
# is none toward the machine: refused before any socket exists.
test_guard_own_cid_and_local() {
	for cid in 2 1; do
		vs_run_rc 1 vsock_perf --sender $cid --port 2299 --bytes 1M
		vs_assert_file_match err "refusing to connect to CID $cid: the vsock_loopback transport is not loaded"
	done
	vs_assert_eq "local CID (vhost_vsock's)" 2 "$VSOCKSCOPE_LOCAL_CID"
	for m in vmw_vsock_virtio_transport vsock_loopback; do
		[ ! -e /sys/module/$m ] || vs_fail "$m is loaded in the host VM"
	done
	(vs_modprobe vsock_loopback) 2>err && vs_fail "vs_modprobe vsock_loopback was allowed in the host VM"
	vs_assert_file_match err "refused in the nested run's host VM"
}
