# vsock_perf --trace in the test VM: the kernel's view beside vsock_perf's own.

PORT=1240

rx_start() {
	vsock_perf --port $PORT --interval 0 "$@" >rx.out 2>rx.err &
	RX_PID=$!
	vs_wait_listen $PORT
}

rx_wait() {
	wait $RX_PID
	rc=$?
	[ "$rc" = "${1:-0}" ] || { sed 's/^/  rx| /' rx.out rx.err >&2; vs_fail "receiver exited $rc"; }
}

tx() {
	vsock_perf --sender 1 --port $PORT --interval 0 "$@"
}

# The RW bytes the kernel saw equal what vsock_perf counted; credit updates came back.
test_trace_rw_bytes_and_credit_updates() {
	rx_start
	vs_run_rc 0 tx --bytes 8M --buf-size 64K --trace
	rx_wait
	vs_assert_file_match out "^trace: kernel view \(fentry/fexit and the vsock tracepoints\)"
	vs_assert_file_match out "^trace: RW bytes the kernel saw: sent 8388608, received 0 \(equal to vsock_perf's counts\)$"
	n=$(sed -n 's/^trace: credit updates: received \([0-9]*\),.*/\1/p' out)
	[ "${n:-0}" -ge 1 ] || vs_fail "expected >= 1 credit update received, got '$n'"
}

# A receiver that stops reading for 500 ms: one stall of about that length, attributed to it.
test_trace_induced_stall() {
	rx_start --stall-rx 500
	vs_run_rc 0 tx --bytes 4M --buf-size 64K --trace --json
	rx_wait
	max=$(vs_jsonget out end.trace.stalls.max_ms) || vs_fail "no end.trace.stalls in the JSON"
	vs_assert_le "longest stall" 400 "$max"
	vs_assert_le "longest stall" "$max" 600
	n=$(vs_jsonget out end.trace.stalls.receiver_not_reading)
	[ "$n" -ge 1 ] || vs_fail "the stall was not attributed to the receiver: $(vs_jsonget out end.trace.stalls)"
	vs_assert_eq "rw_bytes_match" true "$(vs_jsonget out end.trace.rw_bytes_match)"
}

# kprobes instead of fentry: the same byte counts and a transfer that checks out.
test_trace_kprobe_same_counts() {
	rx_start
	vs_run_rc 0 tx --bytes 4M --trace-kprobe --json
	rx_wait
	vs_assert_eq "hooks" kprobe "$(vs_jsonget out end.trace.hooks)"
	vs_assert_eq "RW sent" 4194304 "$(vs_jsonget out end.trace.rw_bytes_sent)"
	rx_start
	vs_run_rc 0 tx --bytes 4M --trace --json
	rx_wait
	vs_assert_eq "hooks" fentry "$(vs_jsonget out end.trace.hooks)"
	vs_assert_eq "RW sent" 4194304 "$(vs_jsonget out end.trace.rw_bytes_sent)"
}

# The receiver's kernel wakeups beside its own POLLIN count, with SO_RCVLOWAT.
test_trace_receiver_wakeups() {
	rx_start --trace --rcvlowat 64K --json
	vs_run_rc 0 tx --bytes 4M --buf-size 16K
	rx_wait
	user=$(vs_jsonget rx.out end.trace.wakeups.user_space_pollin)
	polls=$(vs_jsonget rx.out end.trace.wakeups.poll_pollin_returns)
	below=$(vs_jsonget rx.out end.trace.wakeups.kernel_below_rcvlowat)
	vs_assert_eq "user-space POLLIN" "$(vs_jsonget rx.out end.sum_received.pollin_wakeups)" "$user"
	vs_assert_le "user-space POLLIN <= vsock_poll() POLLIN returns" "$user" "$polls"
	[ "$below" -ge 1 ] || vs_fail "no arrival below SO_RCVLOWAT counted"
	vs_assert_eq "RW received" 4194304 "$(vs_jsonget rx.out end.trace.rw_bytes_received)"
}

# A kernel without one of the hooks: said once, the rest still traced.
test_trace_missing_hook_reported() {
	rx_start
	VSOCKSCOPE_TRACE_HIDE=vsock_poll vs_run_rc 0 tx --bytes 1M --trace
	rx_wait
	vs_assert_file_match err "--trace: not traced on this kernel: vsock_poll"
	vs_assert_file_match out "; not traced: vsock_poll"
	vs_assert_file_match out "^trace: RW bytes the kernel saw: sent 1048576"
}
