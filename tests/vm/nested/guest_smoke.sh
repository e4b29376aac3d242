# The nested guest's side of the nested smoke test (make check). Pair: host_smoke.sh.
. "$VS_ROOT/tests/vm/nested/nested_lib.sh"

test_host_to_guest_traced_on_the_host() {
	xfer_receive host_to_guest 2101 16777216
}

test_guest_to_host() {
	xfer_send guest_to_host 2102 16777216 --buf-size 64K
}
