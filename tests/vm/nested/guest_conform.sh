# vsock_conform across the real host<->guest path, the nested guest's side; pair:
# host_conform.sh (which reports the case lines and compares both summaries).
. "$VS_ROOT/tests/vm/nested/nested_lib.sh"

test_conform_host_server_guest_client() {
	conform_side client conform_host_server
	conform_ok conform.out $conform_rc
}

test_conform_guest_server_host_client() {
	conform_side server conform_guest_server
	conform_ok conform.out $conform_rc
}
