# The nested guest's side of the nested smoke test (make check). Pair: host_smoke.sh.
. "$VS_ROOT/tests/vm/nested/nested_lib.sh"

test_host_to_guest_traced_on_the_host() {
	rx_start 2101
	vs_sync host_to_guest
	rx_wait
	assert_total rx.out received 16777216
	vs_assert_file_match rx.out "^Connection from 2:[0-9]+$"
}

test_guest_to_host() {
	vs_sync guest_to_host
	vs_run_rc 0 tx 2102 --bytes 16M --buf-size 64K
	assert_total out sent 16777216
	vs_assert_file_match out "^check: the peer confirmed every stream's byte count$"
}
