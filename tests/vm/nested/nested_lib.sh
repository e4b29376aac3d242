# tests/vm/nested/nested_lib.sh: helpers of the nested test cases (host_*.sh, guest_*.sh),
# sourced by them. A transfer case is a receiver on one side and a sender on the other:
#   receiver side: rx_start PORT ARGS...; vs_sync CASE; rx_wait [STATUS]
#   sender side:   vs_sync CASE; vs_run_rc 0 tx PORT ARGS...
# Slow: the nested guest may run under TCG; cases move 4-32 MiB.

# rx_start PORT ARGS...: a vsock_perf receiver in the background (rx.out, rx.err), returned
# once it listens.
rx_start() {
	_p=$1
	shift
	vsock_perf --port "$_p" --interval 0 "$@" >rx.out 2>rx.err &
	RX_PID=$!
	vs_wait_listen "$_p"
}

# rx_wait [STATUS]: wait for the receiver and check its status (default 0).
rx_wait() {
	wait $RX_PID
	_rc=$?
	if [ "$_rc" != "${1:-0}" ]; then
		sed 's/^/  rx| /' rx.out rx.err >&2
		vs_fail "receiver exited $_rc, expected ${1:-0}"
	fi
}

# tx PORT ARGS...: a vsock_perf sender to the peer (the nested guest from the host, CID 2 from
# the guest).
tx() {
	_p=$1
	shift
	vsock_perf --sender "$VSOCKSCOPE_PEER_CID" --port "$_p" --interval 0 "$@"
}

# assert_total FILE WHAT N: "total bytes WHAT: N" (the sum line when there are several streams).
assert_total() {
	vs_assert_eq "$1: total bytes $2" "$3" "$(vs_field "$1" "total bytes $2: ")"
}

# MSG_ZEROCOPY senders (6.7+: 64 completions for 4 MiB in 64 KiB sends; 6.1: a clear error). The
# sender's kernel decides; the receiver learns it through vs_sync.
zc_send() {
	vs_sync "$1" "$VSOCKSCOPE_KERNEL"
	case $VSOCKSCOPE_KERNEL in
	6.1)
		vs_run_rc 1 tx "$2" --zerocopy --bytes 1M
		vs_assert_file_match err "this kernel has no MSG_ZEROCOPY for vsock"
		;;
	*)
		vs_run_rc 0 tx "$2" --zerocopy --bytes 4M --buf-size 64K
		vs_assert_file_match out "^zerocopy completions: 64 "
		assert_total out sent 4194304
		;;
	esac
}

zc_receive() {
	rx_start "$2"
	vs_sync "$1" "$VSOCKSCOPE_KERNEL"
	if [ "$vs_peer_value" = 6.1 ]; then
		rx_wait 1
	else
		rx_wait
		assert_total rx.out received 4194304
	fi
}
