# Host tests of vsock_trace's command line. They run on the bare machine, so
# vsock_trace only ever gets command lines that must end in parse(), before
# any BPF is loaded. Two nets under that rule: the novsock shim (vsock_trace
# never needs a vsock socket; any attempt is logged), and, where available,
# a fresh user namespace, in which the process has no capability in the
# initial namespace: should a bad command line ever be accepted, loading BPF
# fails with EPERM instead of tracing this host's kernel.

trace() {
	VSOCKSCOPE_NOVSOCK_LOG=$PWD/vsock.log LD_PRELOAD=$VS_ROOT/build/tests/novsock.so \
		$SANDBOX "$VS_ROOT/build/bin/vsock_trace" "$@"
}

SANDBOX=
unshare --user true 2>/dev/null && SANDBOX="unshare --user"

no_socket_attempted() {
	[ ! -s vsock.log ] || vs_fail "a vsock socket was attempted: $(cat vsock.log)"
}

# bad ARGS TEXT: 'vsock_trace ARGS' is a usage error naming TEXT (tests/lib/cli.sh).
bad() {
	. "$VS_ROOT/tests/lib/cli.sh"
	vs_usage_case vsock_trace "$1" "$2" trace
}

test_binary_built() {
	[ -x "$VS_ROOT/build/bin/vsock_trace" ] || vs_fail "build/bin/vsock_trace not built (make tools)"
	[ -f "$VS_ROOT/build/tests/novsock.so" ] || vs_fail "build/tests/novsock.so not built (make unit)"
}

test_no_mode() {
	bad "" "no mode given"
	bad "--json" "no mode given"
	bad "-p 1 --port 5" "no mode given"
	no_socket_attempted
}

test_unknown_mode() {
	bad "frob" "unknown mode 'frob'"
	bad "Credit" "unknown mode 'Credit'"
	bad "--kprobe 1" "unknown mode '1'"
	# the message lists the valid modes
	bad "frob" "credit, stalls, wakeups, readlat, top, packets"
	no_socket_attempted
}

test_unknown_option() {
	bad "credit --frob" "unknown option '--frob'"
	bad "--frob credit" "unknown option '--frob'"
	bad "stalls -x" "-x"
	no_socket_attempted
}

test_option_without_value() {
	bad "credit --pid" "--pid needs a value"
	bad "credit --port" "--port needs a value"
	bad "stalls --min-ms" "--min-ms needs a value"
	no_socket_attempted
}

test_bad_option_values() {
	bad "credit --pid abc" "--pid 'abc'"
	bad "credit -p 0" "--pid '0'"
	bad "credit --pid -5" "--pid '-5'"
	bad "credit --port 0" "--port '0'"
	bad "credit --port 12x" "--port '12x'"
	bad "credit --port 4294967295" "--port '4294967295'"
	bad "credit --cid nowhere" "--cid 'nowhere'"
	bad "packets --rate 0" "--rate '0'"
	bad "packets --rate 1000001" "--rate '1000001'"
	bad "stalls --min-ms abc" "--min-ms 'abc'"
	bad "stalls --min-ms -1" "--min-ms '-1'"
	no_socket_attempted
}

test_bad_interval_and_count() {
	bad "credit 0.001" "interval '0.001'"
	bad "credit 0" "interval '0'"
	bad "credit abc" "interval 'abc'"
	bad "credit 100000" "interval '100000'"
	bad "top 1 0" "count '0'"
	bad "top 1 -- -1" "count '-1'"
	bad "top 1 -1" "unknown option '-1'"	# getopt takes it for an option
	bad "top 1 x" "count 'x'"
	no_socket_attempted
}

test_extra_argument() {
	bad "top 1 2 3" "unexpected argument '3'"
	bad "credit 1 1 extra" "unexpected argument 'extra'"
	no_socket_attempted
}

test_help_lists_every_mode_and_option() {
	vs_run_rc 0 trace --help
	[ ! -s err ] || vs_fail "--help wrote to stderr: $(cat err)"
	vs_assert_file_match out "^Usage: vsock_trace MODE "
	for m in credit stalls wakeups readlat top packets; do
		grep -Eq "^  $m +[a-zA-Z]" out || vs_fail "--help does not list mode $m"
	done
	for o in pid port cid min-ms rate per-socket timestamp kprobe json verbose help; do
		grep -q -- "--$o" out || vs_fail "--help does not mention --$o"
	done
	vs_run_rc 0 trace -h
	vs_assert_file_match out "^Usage: vsock_trace MODE "
	# --help wins over the rest of a command line, whatever it holds
	vs_run_rc 0 trace credit --help
	vs_assert_file_match out "^Usage: vsock_trace MODE "
	no_socket_attempted
}
