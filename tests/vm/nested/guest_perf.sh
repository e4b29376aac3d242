# vsock_perf across the real host<->guest path, the nested guest's side (virtio-vsock driver);
# the host VM's side is host_perf.sh, with the same cases in the same order.
. "$VS_ROOT/tests/vm/nested/nested_lib.sh"

test_stream_host_to_guest() {
	rx_start 2201
	vs_sync stream_host_to_guest
	rx_wait
	assert_total rx.out received 33554432
	vs_assert_file_match rx.out "^Connection from 2:[0-9]+$"
	vs_assert_file_match rx.out "^check: the peer confirmed every stream's byte count$"
}

test_stream_guest_to_host() {
	vs_sync stream_guest_to_host
	vs_run_rc 0 tx 2202 --bytes 32M --buf-size 64K
	assert_total out sent 33554432
	vs_assert_file_match out "^Connect to 2:2202$"
	vs_assert_file_match out "^check: the peer confirmed every stream's byte count$"
}

test_seqpacket_host_to_guest() {
	rx_start 2203
	vs_sync seqpacket_host_to_guest
	rx_wait
	vs_assert_file_match rx.out "^messages: 100 received, record boundaries checked$"
	assert_total rx.out received 6000000
}

test_seqpacket_guest_to_host() {
	vs_sync seqpacket_guest_to_host
	vs_run_rc 0 tx 2204 --seqpacket --buf-size 60000 --bytes 6000000 --verify
	assert_total out sent 6000000
}

test_trace_host_sends() {
	rx_start 2205
	vs_sync trace_host_sends
	rx_wait
	assert_total rx.out received 16777216
}

test_trace_host_receives() {
	vs_sync trace_host_receives
	vs_run_rc 0 tx 2206 --bytes 16M --buf-size 64K
	assert_total out sent 16777216
}

# Traced in the guest, where the virtio-vsock driver carries the data.
test_trace_guest_sends() {
	vs_sync trace_guest_sends
	vs_run_rc 0 tx 2207 --bytes 16M --buf-size 64K --trace
	vs_assert_file_match out "^trace: RW bytes the kernel saw: sent 16777216, received 0 \(equal to vsock_perf's counts\)$"
	n=$(sed -n 's/^trace: credit updates: received \([0-9]*\),.*/\1/p' out)
	[ "${n:-0}" -ge 1 ] || vs_fail "expected >= 1 credit update from the host, got '$n'"
}

test_trace_guest_receives() {
	rx_start 2208 --trace --json
	vs_sync trace_guest_receives
	rx_wait
	vs_assert_eq "RW received" 16777216 "$(vs_jsonget rx.out end.trace.rw_bytes_received)"
	vs_assert_eq "rw_bytes_match" true "$(vs_jsonget rx.out end.trace.rw_bytes_match)"
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
