# Host tests of the command line. They run on the bare machine, so every
# vsock_perf here runs under the novsock shim: socket(AF_VSOCK) fails and is
# logged, which proves the tool gave up before creating any socket.

. "$VS_ROOT/tests/lib/cli.sh"
perf() { vs_novsock vsock_perf "$@"; }

# Every bad input exits 2 with one line naming the option and the value.
test_bad_options_exit_2_before_any_socket() {
	check_bad_options perf
	vs_no_socket_attempted
}

# Without vsock_loopback the kernel sends CID 1 to the hypervisor: refused.
test_cid1_refused_without_loopback() {
	[ -e /sys/module/vsock_loopback ] && vs_skip "vsock_loopback is loaded on this host"
	vs_run_rc 1 perf --sender 1 --bytes 1M
	vs_assert_file_match err "refusing to connect to CID 1: the vsock_loopback transport is not loaded"
	[ "$(wc -l <err)" -eq 1 ] || vs_fail "expected one line: $(cat err)"
	vs_no_socket_attempted
}

test_cid_local_name_refused_too() {
	[ -e /sys/module/vsock_loopback ] && vs_skip "vsock_loopback is loaded on this host"
	vs_run_rc 1 perf --sender local --compat
	vs_assert_file_match err "refusing to connect to CID 1"
	vs_no_socket_attempted
}

test_help_lists_every_option() {
	vs_run_rc 0 perf --help
	for o in sender port bytes buf-size vsk-size rcvlowat zerocopy seqpacket streams reverse \
		bidir time verify latency rounds compat loop interval json; do
		grep -q -- "--$o" out || vs_fail "--help does not mention --$o"
	done
	vs_no_socket_attempted
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
