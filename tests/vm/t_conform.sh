# vsock_conform in the test VM: a server and a client against CID 1, the
# control channel over TCP on lo (as upstream's) and over vsock itself (as
# between nested VMs). Every case's verdict becomes a result line of its own
# ("ok - conform: 12 seqpacket_msg_bounds"), through $VS_CASE_TAP.

CTL_PORT=12345

# conform_run SERVER-ARGS -- CLIENT-ARGS: both roles, outputs in srv.out/srv.err and out/err;
# sets SRV_RC and CLI_RC.
conform_run() {
	srv_args=
	while [ "$1" != -- ]; do
		srv_args="$srv_args $1"
		shift
	done
	shift
	# shellcheck disable=SC2086
	vsock_conform --mode server --peer-cid 1 $srv_args >srv.out 2>srv.err &
	srv_pid=$!
	vsock_conform --mode client --peer-cid 1 "$@" >out 2>err
	CLI_RC=$?
	wait $srv_pid
	SRV_RC=$?
}

# The client's case lines ("  12 name   ok|FAIL|skip...") as result lines.
conform_tap() {
	awk '$1 ~ /^[0-9]+$/ && ($3 == "ok" || $3 ~ /^FAIL/ || $3 ~ /^skip/) {
		line = $0; sub(/^ *[0-9]+ +[^ ]+ +/, "", line)
		if ($3 == "ok") print "ok - conform: " $1 " " $2
		else if ($3 ~ /^skip/) print "ok - conform: " $1 " " $2 " # SKIP " line
		else print "not ok - conform: " $1 " " $2 ": " line
	}' "$1"
}

show_both() {
	sed 's/^/  client| /' out err >&2
	sed 's/^/  server| /' srv.out srv.err >&2
}

# The whole suite, TCP control channel on lo: every case passes on this kernel.
test_conform_all_cases_tcp_control() {
	ip link set lo up
	conform_run --control-port $CTL_PORT -- --control-host 127.0.0.1 --control-port $CTL_PORT
	conform_tap out >>"${VS_CASE_TAP:-/dev/null}"
	[ "$CLI_RC" = 0 ] && [ "$SRV_RC" = 0 ] || { show_both; vs_fail "client exited $CLI_RC, server $SRV_RC"; }
	n=$(vsock_conform --list | grep -vc reserved)
	vs_assert_file_match out "^$n passed, 0 failed\$"
	vs_assert_file_match srv.out "^$n passed, 0 failed\$"
	[ "$(conform_tap out | grep -c '^ok - conform: ')" = "$n" ] || vs_fail "expected $n case lines"
	# the vsock_diag cases (once reserved IDs) ran and compared with ss (present in the VM)
	for c in "37 diag_no_sockets" "38 diag_listener" "39 diag_connection"; do
		vs_assert_file_match out "^ *$c +ok"
	done
	vs_assert_no_file_match out "ss is not installed"
	head -n 1 out | grep -qxF "vsock_conform client: kernel $(uname -r), peer CID 1 (kernel $(uname -r)), control tcp 127.0.0.1:$CTL_PORT" ||
		vs_fail "unexpected header line: $(head -n 1 out)"
	[ ! -s err ] || { show_both; vs_fail "the client wrote to stderr"; }
}

# The control channel over vsock (no IP at all), with --pick, --skip and --json. The cases'
# ports are PORT and PORT+1, here the control port: the diag cases must tell the control
# connection's two ends from the case's sockets.
test_conform_vsock_control_pick_json() {
	conform_run --control-vsock any:$CTL_PORT --peer-port $((CTL_PORT - 1)) --json -- \
		--control-vsock 1:$CTL_PORT --peer-port $((CTL_PORT - 1)) --json \
		--pick 12 --pick 24 --pick 27 --skip 24 --pick 37 --pick 39
	[ "$CLI_RC" = 0 ] && [ "$SRV_RC" = 0 ] || { show_both; vs_fail "client exited $CLI_RC, server $SRV_RC"; }
	vs_assert_eq "cases" 5 "$(vs_jsonget out cases.#)"
	vs_assert_eq "case 0" 12 "$(vs_jsonget out cases.0.id)"
	vs_assert_eq "case 0 result" pass "$(vs_jsonget out cases.0.result)"
	vs_assert_eq "case 1 result" skip "$(vs_jsonget out cases.1.result)"
	vs_assert_eq "case 1 reason" "--skip" "$(vs_jsonget out cases.1.client.why)"
	vs_assert_eq "case 2" stream_msg_zerocopy "$(vs_jsonget out cases.2.name)"
	vs_assert_eq "case 3" diag_no_sockets "$(vs_jsonget out cases.3.name)"
	vs_assert_eq "case 3 result" pass "$(vs_jsonget out cases.3.result)"
	vs_assert_eq "case 4" diag_connection "$(vs_jsonget out cases.4.name)"
	vs_assert_eq "case 4 result" pass "$(vs_jsonget out cases.4.result)"
	vs_assert_eq "passed" 4 "$(vs_jsonget out passed)"
	vs_assert_eq "skipped" 1 "$(vs_jsonget out skipped)"
	vs_assert_eq "control" "vsock 1:$CTL_PORT" "$(vs_jsonget out control)"
	# the server skipped nothing itself and reports the same verdicts
	vs_assert_eq "server passed" 4 "$(vs_jsonget srv.out passed)"
	vs_assert_eq "server's case 1" skip "$(vs_jsonget srv.out cases.1.result)"
	vs_assert_eq "server's case 1 reason" "--skip on the client" "$(vs_jsonget srv.out cases.1.client.why)"
}

# A case that fails is reported by both sides with the failing side's reason, and both exit 1:
# here the server expects connections from CID 2 but they come from 1.
test_conform_failure_reported() {
	vsock_conform --mode server --peer-cid 2 --control-port $CTL_PORT >srv.out 2>srv.err &
	srv_pid=$!
	vs_run_rc 1 vsock_conform --mode client --peer-cid 1 --control-host 127.0.0.1 \
		--control-port $CTL_PORT --pick 6 --pick 8
	wait $srv_pid
	vs_assert_eq "server status" 1 "$?"
	# the client, left waiting, fails too: both reasons are on the line
	vs_assert_file_match out "^  6 stream_addresses +FAIL: client: the server side ended the case while this side waited for 'CHECKED'; server: accepted a connection from CID 1, expected the peer CID 2\$"
	vs_assert_file_match out "^  8 dgram_unsupported +ok\$"
	vs_assert_file_match out "^1 passed, 1 failed\$"
	vs_assert_file_match srv.out "^  6 stream_addresses +FAIL: client: .*; server: accepted a connection from CID 1"
}

# A server that is told to skip a case answers SKIPPED; the client counts it as skipped.
test_conform_server_side_skip() {
	conform_run --control-port $CTL_PORT --skip 9 -- --control-host 127.0.0.1 \
		--control-port $CTL_PORT --pick 9 --pick 36
	[ "$CLI_RC" = 0 ] || { show_both; vs_fail "client exited $CLI_RC"; }
	vs_assert_file_match out "^  9 stream_connect_twice +skip: server: --skip on the server\$"
	vs_assert_file_match out "^1 passed, 0 failed, 1 skipped\$"
}
