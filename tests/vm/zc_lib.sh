# Helpers of the rx_zerocopy VM tests (t_zerocopy.sh, t_zc_patched.sh), sourced by them.

ZPORT=5123

# zs_start ARGS...: an rx_zerocopy server in the background (zs.out, zs.err).
zs_start() {
	rx_zerocopy --mode server --port $ZPORT "$@" >zs.out 2>zs.err &
	ZS_PID=$!
	vs_wait_listen $ZPORT
}

# zs_wait [STATUS]: the server exits with STATUS (default 0).
zs_wait() {
	vs_wait_status $ZS_PID "${1:-0}" zs zs.out zs.err
}

# zc ARGS...: an rx_zerocopy client of that server.
zc() {
	rx_zerocopy --mode client --peer-cid 1 --port $ZPORT "$@"
}

# Does this kernel have zerocopy receive? (zc_test --probe: 0 yes, 3 no)
has_zc() {
	zc_test --probe 2>/dev/null
}

# zc_term_blocked ARGS...: a client (rx_zerocopy ARGS) blocked in its receive call ends on
# SIGTERM: the server is stopped (SIGSTOP) mid-transfer, so nothing more arrives; the client
# exits 1 within 10 s saying how many bytes it got. (It used to retry the interrupted call.)
zc_term_blocked() {
	zs_start
	# not the zc function: a function in the background is a subshell, and the signal
	# would end that shell instead
	rx_zerocopy --mode client --peer-cid 1 --port $ZPORT --mb 100000 --interval 0 "$@" \
		>out 2>err &
	_zc_pid=$!
	sleep 2
	kill -0 $_zc_pid 2>/dev/null || vs_fail "the client ended early: $(cat err)"
	kill -STOP $ZS_PID
	sleep 1
	kill -TERM $_zc_pid
	_zc_i=0
	while kill -0 $_zc_pid 2>/dev/null; do
		_zc_i=$((_zc_i + 1))
		if [ $_zc_i -gt 50 ]; then
			kill -KILL $_zc_pid
			kill -CONT $ZS_PID
			kill $ZS_PID
			vs_fail "the client still ran 10 s after SIGTERM"
		fi
		sleep 0.2
	done
	wait $_zc_pid
	_zc_rc=$?
	kill -CONT $ZS_PID
	kill $ZS_PID 2>/dev/null
	wait $ZS_PID 2>/dev/null
	vs_assert_eq "the client's exit status after SIGTERM" 1 $_zc_rc
	vs_assert_file_match err "^rx_zerocopy: interrupted after [0-9]+ bytes$"
}
