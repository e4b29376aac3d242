# Host tests of vsock_conform's command line. Every run is under the novsock
# shim: the tool may not even try to create a vsock socket here.

conform() {
	VSOCKSCOPE_NOVSOCK_LOG=$PWD/vsock.log LD_PRELOAD=$VS_ROOT/build/tests/novsock.so \
		"$VS_ROOT/build/bin/vsock_conform" "$@"
}

no_socket_attempted() {
	[ ! -s vsock.log ] || vs_fail "a vsock socket was attempted: $(cat vsock.log)"
}

bad() {
	. "$VS_ROOT/tests/lib/cli.sh"
	vs_usage_case vsock_conform "$1" "$2" conform
}

test_usage_errors_exit_2_with_a_hint() {
	bad "--frob" "unknown option '--frob'"
	bad "" "--mode client|server is required"
	bad "--mode both --peer-cid 1" "--mode 'both': expected client or server"
	bad "--mode client" "--peer-cid is required"
	bad "--mode client --peer-cid 1" "--control-port is required"
	bad "--mode client --peer-cid 1 --control-port 1234" "--control-host is required in client mode"
	bad "--mode client --peer-cid x --control-port 1" "--peer-cid 'x'"
	bad "--mode client --peer-cid any --control-host h --control-port 1" "--peer-cid -1: not a peer"
	bad "--mode server --peer-cid 1 --control-port 70000" "--control-port '70000': out of range"
	bad "--mode server --peer-cid 1 --control-port" "--control-port needs a value"
	bad "--mode server --peer-cid 1 --control-vsock 1234" "--control-vsock '1234': expected CID:PORT"
	bad "--mode server --peer-cid 1 --control-vsock x:1" "--control-vsock 'x:1'"
	bad "--mode server --peer-cid 1 --control-vsock 1:0" "--control-vsock '1:0': out of range"
	bad "--mode client --peer-cid 1 --control-vsock any:1234" "the client needs the server's CID"
	bad "--mode server --peer-cid 1 --control-vsock any:1 --control-port 1" "--control-vsock replaces"
	bad "--mode server --peer-cid 1 --control-port 1 --timeout 0" "--timeout '0'"
	bad "--mode server --peer-cid 1 --control-port 1 --peer-port 4294967295" "--peer-port '4294967295'"
	bad "--mode server --peer-cid 1 --control-port 1 stray" "unexpected argument 'stray'"
	no_socket_attempted
}

test_pick_and_skip_of_unknown_ids_are_usage_errors() {
	n=$(conform --list | wc -l)
	bad "--list --pick $((n + 1))" "--pick '$((n + 1))': no such case (IDs are 1 to $n"
	bad "--mode client --peer-cid 1 --control-host h --control-port 1 --pick 0" "--pick '0': out of range"
	bad "--mode client --peer-cid 1 --control-host h --control-port 1 --skip 999" "--skip '999': no such case"
	bad "--mode client --peer-cid 1 --control-host h --control-port 1 --pick abc" "--pick 'abc'"
	no_socket_attempted
}

# 37-39 were reserved for the vsock_diag checks; they are cases now, and --pick takes them.
test_diag_cases_are_picked() {
	vs_run_rc 0 conform --list --pick 37 --pick 38 --skip 39
	vs_assert_file_match out "^ 37 diag_no_sockets "
	vs_assert_file_match out "^ 38 diag_listener "
	vs_assert_file_match out "^ 39 diag_connection "
	vs_assert_no_file_match out "reserved"
	# past the parser, the VM guard is what stops a client on this host
	[ -e /sys/module/vsock_loopback ] && vs_skip "vsock_loopback is loaded on this host"
	vs_run_rc 1 conform --mode client --peer-cid 1 --control-host 127.0.0.1 --control-port 1 \
		--pick 37 --pick 39
	vs_assert_file_match err "^vsock_conform: --peer-cid: refusing to connect to CID 1"
	no_socket_attempted
}

# --list needs no socket, no peer, no mode: IDs 1..N in order, each named once.
test_list_without_any_socket() {
	vs_run_rc 0 conform --list
	n=$(wc -l <out)
	[ "$n" -ge 28 ] || vs_fail "only $n cases listed"
	awk '{ if ($1 != NR) { print "line " NR " has ID " $1; exit 1 } }' out || vs_fail "IDs not 1..$n in order"
	[ "$(awk '{ print $2 }' out | sort -u | wc -l)" = "$n" ] || vs_fail "a case name repeats"
	runnable=$(grep -vc '\[reserved' out)
	[ "$runnable" -ge 25 ] || vs_fail "only $runnable runnable cases"
	for c in stream_connection_reset stream_bind_only stream_client_close stream_server_close \
		stream_multiconn stream_msg_peek seqpacket_msg_bounds seqpacket_msg_trunc \
		seqpacket_msg_eor stream_rcvtimeo seqpacket_bigmsg stream_inv_buf \
		stream_poll_rcvlowat stream_shutwr stream_shutrd stream_msg_zerocopy \
		stream_cred_upd_on_set_rcvlowat stream_siocoutq stream_siocinq \
		stream_double_bind_connect stream_buffer_size diag_no_sockets diag_listener \
		diag_connection; do
		grep -q " $c " out || vs_fail "case $c is not listed"
	done
	[ ! -s err ] || vs_fail "--list wrote to stderr: $(cat err)"
	no_socket_attempted
}

test_help_names_every_option() {
	vs_run_rc 0 conform --help
	for o in mode control-host control-port control-vsock peer-cid peer-port list skip pick \
		timeout json; do
		grep -q -- "--$o" out || vs_fail "--help does not mention --$o"
	done
	no_socket_attempted
}

# Outside the VM, CID 1 (and a vsock control channel to it) is refused before any socket.
test_cid1_refused_without_loopback() {
	[ -e /sys/module/vsock_loopback ] && vs_skip "vsock_loopback is loaded on this host"
	vs_run_rc 1 conform --mode client --peer-cid 1 --control-host 127.0.0.1 --control-port 1
	vs_assert_file_match err "^vsock_conform: --peer-cid: refusing to connect to CID 1"
	vs_run_rc 1 conform --mode client --peer-cid 5 --control-vsock local:1234
	vs_assert_file_match err "^vsock_conform: --control-vsock: refusing to connect to CID 1"
	no_socket_attempted
}
