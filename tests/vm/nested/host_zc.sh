# Zerocopy receive (kernel-patches/) across the real host<->guest path, the host VM's side; the
# nested guest's side is guest_zc.sh, with the same cases in the same order. rx_zerocopy's
# server sends from one side, its client receives on the other with read() (copy) or through
# mapped pages (--zerocopy), every byte verified (zcx_receive_kind in nested_lib.sh says what
# each kind moves and checks). Guest to host, the host's receive queue is filled by
# vhost_vsock (drivers/vhost/vsock.c); host to guest, the guest's by the virtio guest driver's
# rx ring (net/vmw_vsock/virtio_transport.c). Both kernels must be patched for the zerocopy
# cases (on a Debian receiver they skip; the copy cases run anywhere):
#   tests/vm/run --kernel patched --guest-kernel patched \
#     --guest tests/vm/nested/suite.sh tests/vm/nested/suite.sh zc
. "$VS_ROOT/tests/vm/nested/nested_lib.sh"

test_stream_guest_to_host_copy() {
	zcx_receive_kind g2h_copy 2401 copy
}

test_stream_guest_to_host_zerocopy() {
	zcx_receive_kind g2h_zc 2402 zerocopy
}

test_stream_host_to_guest_copy() {
	zcx_send h2g_copy 2403
}

test_stream_host_to_guest_zerocopy() {
	zcx_send h2g_zc 2404
}

test_stream_guest_to_host_zerocopy_odd_sizes() {
	zcx_receive_kind g2h_zc_odd 2405 odd
}

test_stream_host_to_guest_zerocopy_odd_sizes() {
	zcx_send h2g_zc_odd 2406
}

test_seqpacket_guest_to_host_zerocopy() {
	zcx_receive_kind g2h_seq 2407 seqpacket
}

test_seqpacket_host_to_guest_zerocopy() {
	zcx_send h2g_seq 2408
}

test_no_kernel_splat() {
	assert_no_kernel_splat
}
