# vsock_conform across the real host<->guest path, the host VM's side; pair: guest_conform.sh.
# Upstream's prescription for vsock_test, both role assignments, with the control channel over
# vsock itself (no IP between the VMs). This side reports every case's verdict as a result line
# ("ok - conform host=server: 12 seqpacket_msg_bounds") through $VS_CASE_TAP.
. "$VS_ROOT/tests/vm/nested/nested_lib.sh"
# conform_tap and show_both (t_conform.sh defines only functions and CTL_PORT at top level)
. "$VS_ROOT/tests/vm/t_conform.sh"
CTL=1300
DATA=1400

# conform_check FILE RC LABEL: the case lines as results, then every case passed.
conform_check() {
	conform_tap "$1" | sed "s/ - conform: / - conform $3: /" >>"${VS_CASE_TAP:-/dev/null}"
	conform_ok "$1" "$2"
}

test_conform_host_server_guest_client() {
	vsock_conform --mode server --peer-cid 3 --control-vsock any:$CTL --peer-port $DATA >srv.out 2>srv.out.err &
	pid=$!
	vs_wait_listen $CTL
	vs_sync conform_host_server
	wait $pid
	rc=$?
	vs_sync conform_host_server_done
	conform_check srv.out $rc host=server
	vs_assert_eq "the guest client's summary" "$(tail -n 1 srv.out)" "$vs_peer_value"
}

test_conform_guest_server_host_client() {
	vs_sync conform_guest_server
	vsock_conform --mode client --peer-cid 3 --control-vsock 3:$CTL --peer-port $DATA >cli.out 2>cli.out.err
	rc=$?
	vs_sync conform_guest_server_done
	conform_check cli.out $rc host=client
	vs_assert_eq "the guest server's summary" "$(tail -n 1 cli.out)" "$vs_peer_value"
}
