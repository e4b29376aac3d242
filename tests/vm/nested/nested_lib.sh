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
	vs_wait_status $RX_PID "${1:-0}" receiver rx.out rx.err
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

# MSG_ZEROCOPY senders (6.7+: completions for 4 MiB in 64 KiB sends; 6.1: a clear error). The
# sender's kernel decides; the receiver learns it through vs_sync. Their count is not fixed
# across vhost: a 6.12 host sender saw 71 completions for its 64 sends, 13 of them copied, where
# the guest's sender and loopback see exactly 64.
zc_send() {
	vs_sync "$1" "$VSOCKSCOPE_KERNEL"
	case $VSOCKSCOPE_KERNEL in
	6.1)
		vs_run_rc 1 tx "$2" --zerocopy --bytes 1M
		vs_assert_file_match err "this kernel has no MSG_ZEROCOPY for vsock"
		;;
	*)
		vs_run_rc 0 tx "$2" --zerocopy --bytes 4M --buf-size 64K
		vs_assert_file_match out "^zerocopy completions: [1-9][0-9]* "
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

# assert_traced_send FILE BYTES: a --trace sender's report: the kernel saw BYTES RW bytes sent,
# equal to vsock_perf's count, and the peer's credit updates came back.
assert_traced_send() {
	vs_assert_file_match "$1" "^trace: RW bytes the kernel saw: sent $2, received 0 \(equal to vsock_perf's counts\)$"
	_n=$(sed -n 's/^trace: credit updates: received \([0-9]*\),.*/\1/p' "$1")
	[ "${_n:-0}" -ge 1 ] || vs_fail "expected >= 1 credit update from the peer, got '$_n'"
}

# conform_ok FILE RC: vsock_conform exited 0 and every case passed (FILE: its stdout; FILE.err).
conform_ok() {
	[ "$2" = 0 ] || { sed 's/^/  | /' "$1" "$1.err" >&2; vs_fail "vsock_conform exited $2"; }
	_n=$(vsock_conform --list | grep -vc reserved)
	vs_assert_file_match "$1" "^$_n passed, 0 failed\$"
}

# The two halves of a plain transfer case, one per side:
#   xfer_send CASE PORT BYTES [ARGS...]: meet the receiver, send BYTES to the peer, check the
#     total and the peer's confirmation;
#   xfer_receive CASE PORT BYTES [RXARGS...]: start a receiver, meet the sender, check that
#     BYTES came from the peer's CID, confirmed.
xfer_send() {
	_c=$1 _p=$2 _b=$3
	shift 3
	vs_sync "$_c"
	vs_run_rc 0 tx "$_p" --bytes "$_b" "$@"
	assert_total out sent "$_b"
	vs_assert_file_match out "^Connect to $VSOCKSCOPE_PEER_CID:$_p$"
	vs_assert_file_match out "^check: the peer confirmed every stream's byte count( and the payload)?$"
}

xfer_receive() {
	_c=$1 _p=$2 _b=$3
	shift 3
	rx_start "$_p" "$@"
	vs_sync "$_c"
	rx_wait
	assert_total rx.out received "$_b"
	vs_assert_file_match rx.out "^Connection from $VSOCKSCOPE_PEER_CID:[0-9]+$"
	vs_assert_file_match rx.out "^check: the peer confirmed every stream's byte count( and the payload)?$"
}

# assert_traced_receive FILE BYTES: a --trace receiver's report: the kernel saw BYTES RW bytes
# received, equal to vsock_perf's count, and woke the reader.
assert_traced_receive() {
	vs_assert_file_match "$1" "^trace: RW bytes the kernel saw: sent 0, received $2 \(equal to vsock_perf's counts\)$"
	_n=$(sed -n 's/^trace: POLLIN wakeups: the kernel woke the reader \([0-9]*\) times.*/\1/p' "$1")
	[ "${_n:-0}" -ge 1 ] || vs_fail "no reader wakeup traced: '$_n'"
}

# conform_side server|client CASE: this side of a vsock_conform run against the peer, with the
# control channel over vsock (the server listens on any:1300, the client connects to the peer's
# CID; the cases use ports 1400-1401). Output in conform.out (and .err), status in $conform_rc;
# then a barrier CASE_done that carries each side's summary line ($vs_peer_value: the peer's).
conform_side() {
	if [ "$1" = server ]; then
		vsock_conform --mode server --peer-cid "$VSOCKSCOPE_PEER_CID" --control-vsock any:1300 \
			--peer-port 1400 >conform.out 2>conform.out.err &
		_pid=$!
		vs_wait_listen 1300
		vs_sync "$2"
		wait $_pid
		conform_rc=$?
	else
		vs_sync "$2"
		vsock_conform --mode client --peer-cid "$VSOCKSCOPE_PEER_CID" \
			--control-vsock "$VSOCKSCOPE_PEER_CID:1300" --peer-port 1400 >conform.out 2>conform.out.err
		conform_rc=$?
	fi
	vs_sync "${2}_done" "$(tail -n 1 conform.out)"
}

# rx_zerocopy across the nested path: the server (the sender) on one side, the client (the
# receiver, copy or --zerocopy) on the other, so that the receiver's packets come through
# vhost_vsock (host) or the virtio guest driver (guest) into its page-backed receive queue.
#   sending side:   zcx_send CASE PORT
#   receiving side: zcx_receive CASE PORT CLIENTARGS...   (output in ./out, ./err)
# They meet three times: CASE carries the receiver's verdict ("run", or "skip WHY" when its
# Debian kernel has no zerocopy receive, or "fail WHY" when a kernel meant to be patched lacks
# it), CASE_go once the server listens, CASE_done with the client's exit status.
# zcx_mark: the first transfer marks the kernel log, so that assert_no_kernel_splat looks only at
# what came after (a 6.1 nested guest warns at boot: fpu__init_system_xstate, nothing of ours).
ZCX_MARK="vsockscope: nested zerocopy transfers begin"
zcx_mark() {
	[ -f /tmp/.zcx_mark ] && return 0
	echo "$ZCX_MARK" >/dev/kmsg
	: >/tmp/.zcx_mark
}

zcx_send() {
	zcx_mark
	vs_sync "$1"
	case $vs_peer_value in
	run) ;;
	"skip "*) vs_skip "the receiving side: ${vs_peer_value#skip }" ;;
	*) vs_fail "the receiving side: ${vs_peer_value#fail }" ;;
	esac
	rx_zerocopy --mode server --port "$2" --interval 0 >zs.out 2>zs.err &
	ZS_PID=$!
	vs_wait_listen "$2"
	vs_sync "${1}_go"
	vs_sync "${1}_done"
	if [ "$vs_peer_value" != 0 ]; then
		kill $ZS_PID 2>/dev/null
		wait $ZS_PID
		sed 's/^/  server| /' zs.out zs.err >&2
		vs_fail "the receiving client exited $vs_peer_value (its output is on the other side)"
	fi
	vs_wait_status $ZS_PID 0 server zs.out zs.err
	vs_assert_file_match zs.out "^Connection from $VSOCKSCOPE_PEER_CID:[0-9]+: "
}

zcx_receive() {
	_c=$1 _p=$2
	shift 2
	_state=run
	zcx_mark
	case " $* " in
	*" --zerocopy "*)
		if ! zc_test --probe >/dev/null 2>probe.err; then
			case ${VSOCKSCOPE_KERNEL:-} in
			6.1|6.12) _state="skip kernel $VSOCKSCOPE_KERNEL has no zerocopy receive (not patched)" ;;
			*) _state="fail kernel '${VSOCKSCOPE_KERNEL:-?}' ($(uname -r)) was meant to be patched but lacks zerocopy receive: $(cat probe.err)" ;;
			esac
		fi
		;;
	esac
	vs_sync "$_c" "$_state"
	case $_state in
	"skip "*) vs_skip "${_state#skip }" ;;
	"fail "*) vs_fail "${_state#fail }" ;;
	esac
	vs_sync "${_c}_go"
	rx_zerocopy --mode client --peer-cid "$VSOCKSCOPE_PEER_CID" --port "$_p" --interval 0 "$@" >out 2>err
	_rc=$?
	vs_sync "${_c}_done" $_rc
	if [ $_rc != 0 ]; then
		sed 's/^/  out| /' out >&2
		sed 's/^/  err| /' err >&2
		vs_fail "rx_zerocopy --mode client $* exited $_rc"
	fi
}

# zcx_assert_mapped BYTES: a --zerocopy --json client got BYTES, verified, and most of them
# mapped: every byte either mapped or read (recv_skip_hint), at least half mapped.
zcx_assert_mapped() {
	vs_assert_eq "bytes received" "$1" "$(vs_jsonget out end.bytes)"
	vs_assert_eq "ok" true "$(vs_jsonget out end.ok)"
	_m=$(vs_jsonget out end.mapped_bytes)
	_r=$(vs_jsonget out end.copied_bytes)
	vs_assert_eq "mapped + read bytes" "$1" $((_m + _r))
	vs_assert_le "half of the bytes" $(($1 / 2)) "$_m"
}

# zcx_receive_kind CASE PORT KIND: the receiving side of one transfer of the zc sets, verified:
#   copy      16 MiB read() in 32-page reads of 32-page writes
#   zerocopy  the same through a 32-page mapping (zcx_assert_mapped)
#   odd       8 MiB zerocopy, 5-page writes into a 3-page window: mapped calls and
#             recv_skip_hint reads interleave
#   seqpacket 8 MiB zerocopy, 32 records of 256 KiB (64 pages) into an 8-page window
zcx_receive_kind() {
	case $3 in
	copy)
		zcx_receive "$1" "$2" --mb 16 --rx 32 --tx 32 --verify
		vs_assert_eq "bytes received" 16777216 "$(vs_field out 'total bytes received: ')"
		vs_assert_file_match out "^check: the server sent 16777216 bytes, all received and verified$"
		;;
	zerocopy)
		zcx_receive "$1" "$2" --zerocopy --mb 16 --rx 32 --tx 32 --verify --json
		zcx_assert_mapped 16777216
		;;
	odd)
		zcx_receive "$1" "$2" --zerocopy --mb 8 --rx 3 --tx 5 --verify --json
		zcx_assert_mapped 8388608
		;;
	seqpacket)
		zcx_receive "$1" "$2" --zerocopy --seqpacket --mb 8 --rx 8 --tx 64 --verify
		vs_assert_file_match out "^records: 32 received, record boundaries checked$"
		vs_assert_eq "bytes received" 8388608 "$(vs_field out 'total bytes received: ')"
		vs_assert_file_match out "^zerocopy: [1-9][0-9]* bytes mapped"
		;;
	*) vs_fail "zcx_receive_kind: unknown kind '$3'" ;;
	esac
}

# assert_no_kernel_splat: this side's kernel log reports no BUG, WARNING, KASAN or lockdep splat
# since the first transfer (zcx_mark).
assert_no_kernel_splat() {
	dmesg >dmesg.all
	grep -q "$ZCX_MARK" dmesg.all || vs_fail "no '$ZCX_MARK' in the kernel log: no transfer ran"
	if sed -n "/$ZCX_MARK/,\$p" dmesg.all | grep -E 'BUG:|WARNING:|KASAN:|Oops|general protection|possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|sleeping function called' >dmesg.bad; then
		sed 's/^/  dmesg| /' dmesg.bad >&2
		vs_fail "the $VSOCKSCOPE_ROLE's kernel reported a problem"
	fi
}
