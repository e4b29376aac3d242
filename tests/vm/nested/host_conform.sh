# vsock_conform across the real host<->guest path, the host VM's side; pair: guest_conform.sh.
# Upstream's prescription for vsock_test, both role assignments, with the control channel over
# vsock itself (no IP between the VMs). This side reports every case's verdict as a result line
# ("ok - conform host=server: 12 seqpacket_msg_bounds") through $VS_CASE_TAP.
. "$VS_ROOT/tests/vm/nested/nested_lib.sh"
# conform_tap (t_conform.sh defines only functions and CTL_PORT at top level)
. "$VS_ROOT/tests/vm/t_conform.sh"

# conform_check LABEL: the case lines as results, every case passed, both sides agree.
conform_check() {
	conform_tap conform.out | sed "s/ - conform: / - conform $1: /" >>"${VS_CASE_TAP:-/dev/null}"
	conform_ok conform.out $conform_rc
	vs_assert_eq "the guest's summary" "$(tail -n 1 conform.out)" "$vs_peer_value"
}

test_conform_host_server_guest_client() {
	conform_side server conform_host_server
	conform_check host=server
}

test_conform_guest_server_host_client() {
	conform_side client conform_guest_server
	conform_check host=client
}
