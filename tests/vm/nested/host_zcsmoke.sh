# The nested zerocopy smoke test (make check, on the patched kernel as host VM and nested guest):
# one verified zerocopy transfer each way, then the kernel logs. The host VM's side; pair:
# guest_zcsmoke.sh. The full set is zc (host_zc.sh, make check-nested).
. "$VS_ROOT/tests/vm/nested/nested_lib.sh"

test_zerocopy_guest_to_host() {
	zcx_receive_kind smoke_g2h 2451 zerocopy
}

test_zerocopy_host_to_guest() {
	zcx_send smoke_h2g 2452
}

test_no_kernel_splat() {
	assert_no_kernel_splat
}
