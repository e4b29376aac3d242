# The host VM's side of the nested smoke test (make check): one transfer each way, the
# host-to-guest one traced on the host, where vhost_vsock carries it. Pair: guest_smoke.sh.
. "$VS_ROOT/tests/vm/nested/nested_lib.sh"

test_host_to_guest_traced_on_the_host() {
	xfer_send host_to_guest 2101 16777216 --buf-size 64K --trace
	assert_traced_send out 16777216
}

test_guest_to_host() {
	xfer_receive guest_to_host 2102 16777216
}
