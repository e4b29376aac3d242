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
