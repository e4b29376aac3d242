# Zerocopy receive across the real host<->guest path, the nested guest's side (virtio guest
# driver). Pair: host_zc.sh (the same cases in the same order; read it first).
. "$VS_ROOT/tests/vm/nested/nested_lib.sh"

test_stream_guest_to_host_copy() {
	zcx_send g2h_copy 2401
}

test_stream_guest_to_host_zerocopy() {
	zcx_send g2h_zc 2402
}

test_stream_host_to_guest_copy() {
	zcx_receive_kind h2g_copy 2403 copy
}

test_stream_host_to_guest_zerocopy() {
	zcx_receive_kind h2g_zc 2404 zerocopy
}

test_stream_guest_to_host_zerocopy_odd_sizes() {
	zcx_send g2h_zc_odd 2405
}

test_stream_host_to_guest_zerocopy_odd_sizes() {
	zcx_receive_kind h2g_zc_odd 2406 odd
}

test_seqpacket_guest_to_host_zerocopy() {
	zcx_send g2h_seq 2407
}

test_seqpacket_host_to_guest_zerocopy() {
	zcx_receive_kind h2g_seq 2408 seqpacket
}

test_no_kernel_splat() {
	assert_no_kernel_splat
}
