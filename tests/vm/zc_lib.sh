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
	wait $ZS_PID
	rc=$?
	if [ "$rc" != "${1:-0}" ]; then
		sed 's/^/  zs| /' zs.out zs.err >&2
		vs_fail "server exited $rc, expected ${1:-0}"
	fi
}

# zc ARGS...: an rx_zerocopy client of that server.
zc() {
	rx_zerocopy --mode client --peer-cid 1 --port $ZPORT "$@"
}

# Does this kernel have zerocopy receive? (zc_test --probe: 0 yes, 3 no)
has_zc() {
	zc_test --probe 2>/dev/null
}
