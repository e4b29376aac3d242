# vsock_conform across the real host<->guest path, the nested guest's side; pair:
# host_conform.sh (which reports the case lines; this side checks its own verdicts and sends
# its summary line for the host to compare).
. "$VS_ROOT/tests/vm/nested/nested_lib.sh"
CTL=1300
DATA=1400

test_conform_host_server_guest_client() {
	vs_sync conform_host_server
	vsock_conform --mode client --peer-cid 2 --control-vsock 2:$CTL --peer-port $DATA >cli.out 2>cli.out.err
	rc=$?
	vs_sync conform_host_server_done "$(tail -n 1 cli.out)"
	conform_ok cli.out $rc
}

test_conform_guest_server_host_client() {
	vsock_conform --mode server --peer-cid 2 --control-vsock any:$CTL --peer-port $DATA >srv.out 2>srv.out.err &
	pid=$!
	vs_wait_listen $CTL
	vs_sync conform_guest_server
	wait $pid
	rc=$?
	vs_sync conform_guest_server_done "$(tail -n 1 srv.out)"
	conform_ok srv.out $rc
}
