# Zerocopy receive on the patched kernel (kernel-patches/): the conformance
# cases of zc_test (errnos of vsock_zc.h, the socket usable after each, the
# same bytes in copy and zerocopy mode, SEQPACKET records, mapped bytes
# credited to the sender when mapped, no page leaked after close) and
# rx_zerocopy --zerocopy.
# On Debian's unpatched 6.1/6.12 every case skips; on any other kernel
# (tests/vm/run --kernel patched, patched-kasan, or a bzImage path) a kernel
# without the API is a failure: it was meant to be patched.

. "$VS_ROOT/tests/vm/zc_lib.sh"

# zc_need: return if the kernel has the API; else skip (Debian kernels) or fail.
zc_need() {
	zc_test --probe >/dev/null 2>probe.err && return 0
	case ${VSOCKSCOPE_KERNEL:-} in
	6.1|6.12) vs_skip "kernel $VSOCKSCOPE_KERNEL has no zerocopy receive (not patched)" ;;
	esac
	vs_fail "kernel '${VSOCKSCOPE_KERNEL:-?}' ($(uname -r)) was meant to be patched but lacks the zerocopy receive API: $(cat probe.err)"
}

# zc_case NAME: one conformance case of zc_test; its TAP "# SKIP why" is a skip.
zc_case() {
	zc_need
	vs_run_rc 0 zc_test "$1"
	if grep -Eq "^ok [0-9]+ - $1 # SKIP " out; then
		vs_skip "zc_test $1: $(sed -n "s/^ok [0-9]* - $1 # SKIP //p" out)"
	fi
	vs_assert_file_match out "^ok [0-9]+ - $1\$"
}

test_option_default_and_readback() {
	zc_case option_default_and_readback
}

test_option_short_optlen_einval() {
	zc_case option_short_optlen_einval
}

test_dgram_eopnotsupp() {
	zc_case dgram_eopnotsupp
}

test_connected_option_eisconn() {
	zc_case connected_option_eisconn
}

test_listener_setting_inherited() {
	zc_case listener_setting_inherited
}

test_mmap_without_optin_einval() {
	zc_case mmap_without_optin_einval
}

test_mmap_write_exec_eperm() {
	zc_case mmap_write_exec_eperm
}

test_receive_bad_arguments_einval() {
	zc_case receive_bad_arguments_einval
}

test_receive_without_optin_einval() {
	zc_case receive_without_optin_einval
}

test_receive_unconnected_enotconn() {
	zc_case receive_unconnected_enotconn
}

test_second_call_before_release_ebusy() {
	zc_case second_call_before_release_ebusy
}

test_nonblocking_eagain() {
	zc_case nonblocking_eagain
}

test_end_of_stream_returns_zero() {
	zc_case end_of_stream_returns_zero
}

test_stream_same_bytes_both_modes() {
	zc_case stream_same_bytes_both_modes
}

test_seqpacket_boundaries() {
	zc_case seqpacket_boundaries
}

test_mapped_pages_credited() {
	zc_case mapped_pages_credited
}

test_no_page_leak_after_close() {
	zc_case no_page_leak_after_close
}

test_implicit_release_same_bytes() {
	zc_case implicit_release_same_bytes
}

test_implicit_release_reuses_window() {
	zc_case implicit_release_reuses_window
}

test_implicit_release_outside_window_ebusy() {
	zc_case implicit_release_outside_window_ebusy
}

test_receive_flags_einval() {
	zc_case receive_flags_einval
}

# Every case has its test_ function above.
test_every_zc_test_case_is_listed() {
	for c in $(zc_test --list); do
		grep -q "^test_$c()" "$VS_ROOT/tests/vm/t_zc_patched.sh" ||
			vs_fail "zc_test case $c has no test_$c in t_zc_patched.sh"
	done
}

# rx_zerocopy: the same verified bytes in both modes, most of them mapped.
test_rx_zerocopy_stream_verified() {
	zc_need
	zs_start --loop
	vs_run_rc 0 zc --mb 16 --rx 32 --tx 32 --verify
	vs_assert_eq "copy bytes" 16777216 "$(vs_field out 'total bytes received: ')"
	vs_run_rc 0 zc --zerocopy --mb 16 --rx 32 --tx 32 --verify --json
	vs_assert_eq "zerocopy bytes" 16777216 "$(vs_jsonget out end.bytes)"
	vs_assert_eq "ok" true "$(vs_jsonget out end.ok)"
	mapped=$(vs_jsonget out end.mapped_bytes)
	copied=$(vs_jsonget out end.copied_bytes)
	vs_assert_eq "mapped + copied" 16777216 $((mapped + copied))
	[ "$mapped" -gt 0 ] || vs_fail "nothing was mapped"
	kill $ZS_PID
	wait $ZS_PID
}

# Both ways of giving mapped pages back: the same verified bytes, and the JSON says which.
test_rx_zerocopy_release_modes() {
	zc_need
	zs_start --loop
	for how in implicit madvise; do
		vs_run_rc 0 zc --zerocopy --release $how --mb 8 --rx 16 --tx 16 --verify --json
		vs_assert_eq "$how: bytes" 8388608 "$(vs_jsonget out end.bytes)"
		vs_assert_eq "$how: ok" true "$(vs_jsonget out end.ok)"
		vs_assert_eq "$how: release" $how "$(vs_jsonget out start.release)"
		[ "$(vs_jsonget out end.mapped_bytes)" -gt 0 ] || vs_fail "$how: nothing was mapped"
	done
	vs_run_rc 0 zc --zerocopy --mb 1 --rx 16 --tx 16 --json
	vs_assert_eq "the default" implicit "$(vs_jsonget out start.release)"
	kill $ZS_PID
	wait $ZS_PID
}

test_rx_zerocopy_seqpacket_records() {
	zc_need
	zs_start
	vs_run_rc 0 zc --zerocopy --seqpacket --mb 8 --rx 8 --tx 64 --verify
	zs_wait
	vs_assert_file_match out "^records: 32 received, record boundaries checked$"
	vs_assert_eq "bytes" 8388608 "$(vs_field out 'total bytes received: ')"
	vs_assert_file_match out "^zerocopy: [1-9][0-9]* bytes mapped"
}

test_rx_zerocopy_compare_full_table() {
	zc_need
	zs_start
	vs_run_rc 0 zc --compare --mb 1 --rounds 1 --verify
	zs_wait
	vs_assert_file_match out "^zerocopy: seconds +( \| +[0-9]+\.[0-9]+){5}$"
	vs_assert_file_match out "^zerocopy/copy +( \| +[0-9]+\.[0-9]+){5}$"
}

# A receiver whose vsock buffer is larger than its sender's (2 MiB against
# 256 KiB): the sender caps its credit at its own buffer size (Debian 6.1's
# stable fix), so updates must come within that window. Patch 6's first
# version counted the peer's credit in the receiver's 2 MiB, sent none, and
# the transfer hung at 256 KiB. Copy and zerocopy, both release modes.
test_rx_zerocopy_receive_buffer_larger_than_senders() {
	zc_need
	zs_start --loop
	for mode in "" "--zerocopy --release implicit" "--zerocopy --release madvise"; do
		# shellcheck disable=SC2086
		vs_run_rc 0 timeout -k 5 60 rx_zerocopy --mode client --peer-cid 1 --port $ZPORT $mode \
			--vsk-size 2M --mb 16 --rx 8 --tx 8 --verify --json
		vs_assert_eq "${mode:-copy}: bytes" 16777216 "$(vs_jsonget out end.bytes)"
		vs_assert_eq "${mode:-copy}: ok" true "$(vs_jsonget out end.ok)"
		vs_assert_eq "${mode:-copy}: vsk_size" 2097152 "$(vs_jsonget out start.vsk_size)"
	done
	kill $ZS_PID
	wait $ZS_PID
}

# SIGTERM ends a client blocked in SO_VM_SOCKETS_ZEROCOPY_RECEIVE (zc_lib.sh: zc_term_blocked).
test_rx_zerocopy_sigterm_ends_blocked_client() {
	zc_need
	zc_term_blocked --zerocopy --rx 16 --tx 16
}
