# The host VM's side of the nested smoke test (make check): one transfer each way, the
# host-to-guest one traced on the host, where vhost_vsock carries it. Pair: guest_smoke.sh.
. "$VS_ROOT/tests/vm/nested/nested_lib.sh"

test_host_to_guest_traced_on_the_host() {
	vs_sync host_to_guest
	vs_run_rc 0 tx 2101 --bytes 16M --buf-size 64K --trace
	assert_total out sent 16777216
	vs_assert_file_match out "^check: the peer confirmed every stream's byte count$"
	vs_assert_file_match out "^trace: RW bytes the kernel saw: sent 16777216, received 0 \(equal to vsock_perf's counts\)$"
	n=$(sed -n 's/^trace: credit updates: received \([0-9]*\),.*/\1/p' out)
	[ "${n:-0}" -ge 1 ] || vs_fail "expected >= 1 credit update from the guest, got '$n'"
}

test_guest_to_host() {
	rx_start 2102
	vs_sync guest_to_host
	rx_wait
	assert_total rx.out received 16777216
	vs_assert_file_match rx.out "^Connection from $VSOCKSCOPE_PEER_CID:[0-9]+$"
}
