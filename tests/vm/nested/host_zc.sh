# Zerocopy receive (kernel-patches/) across the real host<->guest path, the host VM's side; the
# nested guest's side is guest_zc.sh, with the same cases in the same order. rx_zerocopy's
# server sends from one side, its client receives on the other with read() (copy) or through
# mapped pages (--zerocopy), every byte verified. Guest to host, the host's receive queue is
# filled by vhost_vsock (drivers/vhost/vsock.c); host to guest, the guest's by the virtio guest
# driver's rx ring (net/vmw_vsock/virtio_transport.c). Both kernels must be patched for the
# zerocopy cases (on a Debian receiver they skip; the copy cases run anywhere):
#   tests/vm/run --kernel patched --guest-kernel patched \
#     --guest tests/vm/nested/suite.sh tests/vm/nested/suite.sh zc
. "$VS_ROOT/tests/vm/nested/nested_lib.sh"

test_stream_guest_to_host_copy() {
	zcx_receive g2h_copy 2401 --mb 16 --rx 32 --tx 32 --verify
	vs_assert_eq "bytes received" 16777216 "$(vs_field out 'total bytes received: ')"
	vs_assert_file_match out "^check: the server sent 16777216 bytes, all received and verified$"
}

test_stream_guest_to_host_zerocopy() {
	zcx_receive g2h_zc 2402 --zerocopy --mb 16 --rx 32 --tx 32 --verify --json
	zcx_assert_mapped 16777216
}

test_stream_host_to_guest_copy() {
	zcx_send h2g_copy 2403
}

test_stream_host_to_guest_zerocopy() {
	zcx_send h2g_zc 2404
}

# Odd write sizes: 5 pages per write in a 3-page window, so mapped calls and recv_skip_hint
# reads interleave.
test_stream_guest_to_host_zerocopy_odd_sizes() {
	zcx_receive g2h_zc_odd 2405 --zerocopy --mb 8 --rx 3 --tx 5 --verify --json
	zcx_assert_mapped 8388608
}

test_stream_host_to_guest_zerocopy_odd_sizes() {
	zcx_send h2g_zc_odd 2406
}

test_seqpacket_guest_to_host_zerocopy() {
	zcx_receive g2h_seq 2407 --zerocopy --seqpacket --mb 8 --rx 8 --tx 64 --verify
	vs_assert_file_match out "^records: 32 received, record boundaries checked$"
	vs_assert_eq "bytes received" 8388608 "$(vs_field out 'total bytes received: ')"
	vs_assert_file_match out "^zerocopy: [1-9][0-9]* bytes mapped"
}

test_seqpacket_host_to_guest_zerocopy() {
	zcx_send h2g_seq 2408
}

test_no_kernel_splat() {
	assert_no_kernel_splat
}
