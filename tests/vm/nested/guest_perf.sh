# vsock_perf across the real host<->guest path, the nested guest's side (virtio-vsock driver);
# the host VM's side is host_perf.sh, with the same cases in the same order.
. "$VS_ROOT/tests/vm/nested/nested_lib.sh"

test_stream_host_to_guest() {
	xfer_receive stream_host_to_guest 2201 33554432
}

test_stream_guest_to_host() {
	xfer_send stream_guest_to_host 2202 33554432 --buf-size 64K
}

test_seqpacket_host_to_guest() {
	xfer_receive seqpacket_host_to_guest 2203 6000000
	vs_assert_file_match rx.out "^messages: 100 received, record boundaries checked$"
}

test_seqpacket_guest_to_host() {
	xfer_send seqpacket_guest_to_host 2204 6000000 --seqpacket --buf-size 60000 --verify
}

test_trace_host_sends() {
	xfer_receive trace_host_sends 2205 16777216
}

test_trace_host_receives() {
	xfer_send trace_host_receives 2206 16777216 --buf-size 64K
}

# Traced in the guest, where the virtio-vsock driver carries the data.
test_trace_guest_sends() {
	xfer_send trace_guest_sends 2207 16777216 --buf-size 64K --trace
	assert_traced_send out 16777216
}

test_trace_guest_receives() {
	xfer_receive trace_guest_receives 2208 16777216 --trace
	assert_traced_receive rx.out 16777216
}

test_trace_stall_seen_from_the_host() {
	rx_start 2209 --stall-rx 500
	vs_sync trace_stall
	rx_wait
	assert_total rx.out received 4194304
}

test_reverse_host_receives() {
	rx_start 2210
	vs_sync reverse
	rx_wait
	vs_assert_eq "sent" 8388608 "$(vs_field rx.out 'total bytes sent: ')"
}

test_bidir_two_streams() {
	rx_start 2211
	vs_sync bidir
	rx_wait
	assert_total rx.out sent 8388608
	assert_total rx.out received 8388608
}

test_latency_host_to_guest() {
	rx_start 2212
	vs_sync latency
	rx_wait
	vs_assert_file_match rx.out "^echoed 200 requests of 64 bytes$"
}

test_zerocopy_host_to_guest() {
	zc_receive zerocopy_host_to_guest 2213
}

test_zerocopy_guest_to_host() {
	zc_send zerocopy_guest_to_host 2214
}

# The guard in the nested guest: CID 2 (the host VM) is a real peer; its own CID and CID 1 are
# refused (no vsock_loopback here either).
test_guard_own_cid_and_local() {
	vs_assert_eq "local CID" 3 "$VSOCKSCOPE_LOCAL_CID"
	for cid in 3 1; do
		vs_run_rc 1 vsock_perf --sender $cid --port 2299 --bytes 1M
		vs_assert_file_match err "refusing to connect to CID $cid: the vsock_loopback transport is not loaded"
	done
}
