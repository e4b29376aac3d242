# Host tests of the command line. They run on the bare machine, so every
# vsock_perf here runs under the novsock shim: socket(AF_VSOCK) fails and is
# logged, which proves the tool gave up before creating any socket.

perf() {
	VSOCKSCOPE_NOVSOCK_LOG=$PWD/vsock.log LD_PRELOAD=$VS_ROOT/build/tests/novsock.so \
		"$VS_ROOT/build/bin/vsock_perf" "$@"
}

no_socket_attempted() {
	[ ! -s vsock.log ] || vs_fail "a vsock socket was attempted: $(cat vsock.log)"
}

# Every bad input exits 2 with one line naming the option and the value.
test_bad_options_exit_2_before_any_socket() {
	while IFS='|' read -r args want; do
		set -f
		# shellcheck disable=SC2086
		perf $args >out 2>err
		rc=$?
		set +f
		[ $rc -eq 2 ] || vs_fail "'$args' exited $rc, expected 2: $(cat err)"
		[ "$(wc -l <err)" -eq 1 ] || vs_fail "'$args': expected one line, got: $(cat err)"
		grep -qF -- "$want" err || vs_fail "'$args': message lacks '$want': $(cat err)"
		grep -q "try 'vsock_perf --help'" err || vs_fail "'$args': no usage hint: $(cat err)"
		[ ! -s out ] || vs_fail "'$args' printed to stdout: $(cat out)"
	done <<'CASES'
--frobnicate|unknown option '--frobnicate'
--sender 1 --bytes 12Q|--bytes '12Q': unknown suffix
--sender 1 --port 70000|--port '70000': out of range
--buf-size 0|--buf-size '0': out of range
--sender 1 --bytes|--bytes needs a value
--sender|--sender needs a value
--sender 1 --streams 0|--streams '0'
--sender 1 --streams 129|--streams '129'
--sender 1 --bytes 99999999999999999999|--bytes '99999999999999999999': too large
--sender 1 --bytes 16E|--bytes '16E': too large
--sender abc|--sender 'abc'
--sender 4294967296|--sender '4294967296'
--sender 1 --time 0|--time '0'
--sender 1 --time 1h|--time '1h'
--sender 1 --interval -1|--interval '-1'
--sender 1 --vsk-size 1X|--vsk-size '1X'
--rcvlowat 0|--rcvlowat '0'
--sender 1 --reverse --bidir|--reverse and --bidir
--sender 1 --latency --bidir|--latency
--sender 1 --time 2 --bytes 1M|--time and --bytes
--sender 1 --rounds 10|--rounds goes with --latency
--sender 1 --compat --streams 2|--streams needs a session
--time 2|--time is a sender option
--streams 2|--streams is a sender option
--zerocopy|--zerocopy is a sender option
--sender 1 --loop|--loop is a receiver option
--sender 1 stray|unexpected argument 'stray'
CASES
	no_socket_attempted
}

# Without vsock_loopback the kernel sends CID 1 to the hypervisor: refused.
test_cid1_refused_without_loopback() {
	[ -e /sys/module/vsock_loopback ] && vs_skip "vsock_loopback is loaded on this host"
	vs_run_rc 1 perf --sender 1 --bytes 1M
	vs_assert_file_match err "refusing to connect to CID 1: the vsock_loopback transport is not loaded"
	[ "$(wc -l <err)" -eq 1 ] || vs_fail "expected one line: $(cat err)"
	no_socket_attempted
}

test_cid_local_name_refused_too() {
	[ -e /sys/module/vsock_loopback ] && vs_skip "vsock_loopback is loaded on this host"
	vs_run_rc 1 perf --sender local --compat
	vs_assert_file_match err "refusing to connect to CID 1"
	no_socket_attempted
}

test_help_lists_every_option() {
	vs_run_rc 0 perf --help
	for o in sender port bytes buf-size vsk-size rcvlowat zerocopy seqpacket streams reverse \
		bidir time verify latency rounds compat loop interval json; do
		grep -q -- "--$o" out || vs_fail "--help does not mention --$o"
	done
	no_socket_attempted
}

# The VM suite refuses to run on the bare machine. PATH holds stubs, so even a
# broken guard could not reach a real vsock tool.
test_vm_suite_refuses_outside_vm() {
	mkdir stubs
	for t in vsock_perf socat; do
		printf '#!/bin/sh\necho "$0 ran" >> %s/ran.log\n' "$PWD" >stubs/$t
		chmod +x stubs/$t
	done
	PATH=$PWD/stubs:/usr/bin:/bin sh "$VS_ROOT/tests/vm/suite.sh" >out 2>err
	rc=$?
	vs_assert_eq "suite exit status" 3 "$rc"
	vs_assert_file_match err "refusing to run: not inside the vsockscope test VM"
	[ ! -e ran.log ] || vs_fail "a stub ran: $(cat ran.log)"
}

test_vm_harness_usage_errors() {
	vs_run_rc 2 "$VS_ROOT/tests/vm/run"
	vs_run_rc 2 "$VS_ROOT/tests/vm/run" --kernel 5.10 /bin/true
	vs_assert_file_match err "5.10"
	vs_run_rc 2 "$VS_ROOT/tests/vm/run" /nonexistent/script.sh
}
