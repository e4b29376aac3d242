# The nested zerocopy smoke test, the nested guest's side. Pair: host_zcsmoke.sh.
. "$VS_ROOT/tests/vm/nested/nested_lib.sh"

test_zerocopy_guest_to_host() {
	zcx_send smoke_g2h 2451
}

test_zerocopy_host_to_guest() {
	zcx_receive_kind smoke_h2g 2452 zerocopy
}

test_no_kernel_splat() {
	assert_no_kernel_splat
}
