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
	zcx_receive h2g_copy 2403 --mb 16 --rx 32 --tx 32 --verify
	vs_assert_eq "bytes received" 16777216 "$(vs_field out 'total bytes received: ')"
	vs_assert_file_match out "^check: the server sent 16777216 bytes, all received and verified$"
}

test_stream_host_to_guest_zerocopy() {
	zcx_receive h2g_zc 2404 --zerocopy --mb 16 --rx 32 --tx 32 --verify --json
	zcx_assert_mapped 16777216
}

test_stream_guest_to_host_zerocopy_odd_sizes() {
	zcx_send g2h_zc_odd 2405
}

test_stream_host_to_guest_zerocopy_odd_sizes() {
	zcx_receive h2g_zc_odd 2406 --zerocopy --mb 8 --rx 3 --tx 5 --verify --json
	zcx_assert_mapped 8388608
}

test_seqpacket_guest_to_host_zerocopy() {
	zcx_send g2h_seq 2407
}

test_seqpacket_host_to_guest_zerocopy() {
	zcx_receive h2g_seq 2408 --zerocopy --seqpacket --mb 8 --rx 8 --tx 64 --verify
	vs_assert_file_match out "^records: 32 received, record boundaries checked$"
	vs_assert_eq "bytes received" 8388608 "$(vs_field out 'total bytes received: ')"
	vs_assert_file_match out "^zerocopy: [1-9][0-9]* bytes mapped"
}

test_no_kernel_splat() {
	assert_no_kernel_splat
}
