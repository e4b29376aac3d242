# vsock_perf in the test VM: every mode, both sides' reports, the checks.
# Each case starts its own receiver (rx_start) and runs a sender against CID 1.

PORT=1234

# rx_start ARGS...: a receiver in the background, output in rx.out/rx.err,
# returned once it listens.
rx_start() {
	vsock_perf --port $PORT "$@" >rx.out 2>rx.err &
	RX_PID=$!
	vs_wait_listen $PORT
}

# rx_wait [STATUS]: wait for the receiver to exit and check its status (default 0).
rx_wait() {
	vs_wait_status $RX_PID "${1:-0}" rx rx.out rx.err
}

tx() {
	vsock_perf --sender 1 --port $PORT "$@"
}

test_upstream_lines_and_equal_totals() {
	rx_start --buf-size 64K
	vs_run_rc 0 tx --bytes 16M --buf-size 64K
	rx_wait
	for l in "total bytes sent: 16777216" "tx performance: [0-9.]+ Gbits/s" \
		"total time in tx loop: [0-9.]+ sec" "time in 'send\(\)': [0-9.]+ sec"; do
		vs_assert_file_match out "^$l\$"
	done
	for l in "total bytes received: 16777216" "rx performance: [0-9.]+ Gbits/s" \
		"total time in 'read\(\)': [0-9.]+ sec" "average time in 'read\(\)': [0-9.]+ ns" \
		"POLLIN wakeups: [1-9][0-9]*"; do
		vs_assert_file_match rx.out "^$l\$"
	done
	vs_assert_file_match rx.out "^Run as receiver$"
	vs_assert_file_match out "^check: the peer confirmed"
	vs_assert_file_match rx.out "^check: the peer confirmed"
}

test_default_bytes_is_64k() {
	rx_start
	vs_run_rc 0 tx
	rx_wait
	vs_assert_eq "sent" 65536 "$(vs_field out 'total bytes sent: ')"
	vs_assert_eq "received" 65536 "$(vs_field rx.out 'total bytes received: ')"
}

# --compat speaks upstream's wire protocol: plain data, no session.
test_compat_sender_to_our_receiver() {
	rx_start
	vs_run_rc 0 tx --compat --bytes 3M
	rx_wait
	vs_assert_eq "received" 3145728 "$(vs_field rx.out 'total bytes received: ')"
	vs_assert_file_match rx.out "plain vsock_perf sender"
	vs_assert_no_file_match out "^check:"
}

test_seqpacket_boundaries() {
	rx_start
	vs_run_rc 0 tx --seqpacket --buf-size 60000 --bytes 6000000 --verify
	rx_wait
	vs_assert_file_match rx.out "^messages: 100 received, record boundaries checked$"
	vs_assert_eq "received" 6000000 "$(vs_field rx.out 'total bytes received: ')"
}

# A message larger than the receiver's buffer is truncated: reported, exit 1 on both sides.
test_seqpacket_truncation_reported() {
	rx_start --buf-size 4K
	vs_run_rc 1 tx --seqpacket --buf-size 64K --bytes 1M
	rx_wait 1
	vs_assert_file_match rx.err "message 1 truncated to the 4096-byte --buf-size"
	vs_assert_file_match err "peer: message 1 truncated"
}

test_four_streams() {
	rx_start
	vs_run_rc 0 tx --streams 4 --bytes 4M --interval 0
	rx_wait
	for i in 1 2 3 4; do
		vs_assert_file_match out "^\[  $i\] total bytes sent: 4194304$"
		vs_assert_file_match rx.out "^\[  $i\] total bytes received: 4194304$"
	done
	vs_assert_eq "sum sent" 16777216 "$(vs_field out 'total bytes sent: ')"
	vs_assert_eq "sum received" 16777216 "$(vs_field rx.out 'total bytes received: ')"
}

test_reverse() {
	rx_start
	vs_run_rc 0 tx --reverse --bytes 8M
	rx_wait
	vs_assert_eq "client received" 8388608 "$(vs_field out 'total bytes received: ')"
	vs_assert_eq "server sent" 8388608 "$(vs_field rx.out 'total bytes sent: ')"
}

test_bidir() {
	rx_start
	vs_run_rc 0 tx --bidir --bytes 4M --verify
	rx_wait
	for f in out rx.out; do
		vs_assert_eq "$f sent" 4194304 "$(vs_field $f 'total bytes sent: ')"
		vs_assert_eq "$f received" 4194304 "$(vs_field $f 'total bytes received: ')"
	done
}

test_time_and_intervals() {
	rx_start
	vs_run_rc 0 tx --time 2 --interval 0.5
	rx_wait
	vs_assert_file_match out "^Send for 2.000 sec$"
	n=$(grep -c '^\[  1\] .* sec .* Gbits/s *send$' out)
	[ "$n" -ge 3 ] || vs_fail "expected >= 3 interval lines, got $n"
	vs_assert_le "tx loop time" 1.95 "$(vs_field out 'total time in tx loop: ' | cut -d' ' -f1)"
	vs_assert_eq "bytes" "$(vs_field out 'total bytes sent: ')" "$(vs_field rx.out 'total bytes received: ')"
}

test_json_document() {
	rx_start --json
	vs_run_rc 0 tx --json --streams 2 --bytes 2M
	rx_wait
	vs_jsonget out start.test_start.num_streams >v || vs_fail "invalid JSON: $(cat out)"
	vs_assert_eq "num_streams" 2 "$(cat v)"
	vs_assert_eq "sum_sent.bytes" 4194304 "$(vs_jsonget out end.sum_sent.bytes)"
	vs_assert_eq "streams" 2 "$(vs_jsonget out end.streams.#)"
	vs_assert_eq "problems" 0 "$(vs_jsonget out end.problems)"
	vs_assert_eq "peer bytes" 2097152 "$(vs_jsonget out end.streams.0.peer.bytes)"
	vs_jsonget out intervals >/dev/null || vs_fail "no intervals array"
	vs_assert_eq "receiver sum" 4194304 "$(vs_jsonget rx.out end.sum_received.bytes)"
	[ "$(head -c 1 out)" = "{" ] || vs_fail "stdout is not just the JSON document"
}

test_verify_reports_corruption_offset() {
	rx_start
	vs_run_rc 1 tx --verify --bytes 1M --inject-error 123457
	rx_wait 1
	vs_assert_file_match rx.err "stream 1: --verify: first mismatch at offset 123457 "
	vs_assert_file_match err "the receiver found corrupted data at offset 123457"
}

# A sender that dies mid-transfer: the receiver reports the short transfer.
test_short_transfer_reported() {
	rx_start
	vsock_perf --sender 1 --port $PORT --bytes 4G >tx.out 2>&1 &
	tx_pid=$!
	sleep 1
	kill -9 $tx_pid
	rx_wait 1
	vs_assert_file_match rx.err "short transfer: received [0-9]+ of 4294967296 bytes"
}

test_latency() {
	rx_start
	vs_run_rc 0 tx --latency --rounds 300 --json
	rx_wait
	vs_assert_eq "count" 300 "$(vs_jsonget out end.latency_us.count)"
	vs_assert_eq "message size" 64 "$(vs_jsonget out end.latency_us.message_bytes)"
	vs_assert_le "min <= p50" "$(vs_jsonget out end.latency_us.min)" "$(vs_jsonget out end.latency_us.p50)"
	vs_assert_le "p50 <= p99" "$(vs_jsonget out end.latency_us.p50)" "$(vs_jsonget out end.latency_us.p99)"
	vs_assert_le "p99 <= max" "$(vs_jsonget out end.latency_us.p99)" "$(vs_jsonget out end.latency_us.max)"
	vs_assert_file_match rx.out "^echoed 300 requests of 64 bytes$"
}

test_latency_seqpacket_text() {
	rx_start
	vs_run_rc 0 tx --latency --seqpacket --rounds 100 --buf-size 1K --verify
	rx_wait
	vs_assert_file_match out "^latency: 100 round trips of 1024 bytes: min [0-9.]+ us, p50 [0-9.]+ us, p99 [0-9.]+ us, max [0-9.]+ us"
}

# The kernel clamps SO_VM_SOCKETS_BUFFER_SIZE silently; vsock_perf reads it back.
test_vsk_size_read_back() {
	rx_start --vsk-size 1G
	vs_run_rc 0 tx --vsk-size 1G --bytes 1M
	rx_wait
	vs_assert_eq "client vsk" "vsock buffer: 1073741824 bytes set" "$(grep '^vsock buffer:' out)"
	# virtio's limit is 4 GiB - 1: a larger request is clamped, and said so
	rx_start --vsk-size 8G
	vs_run_rc 0 tx --vsk-size 8G --bytes 64K
	rx_wait
	vs_assert_file_match err "--vsk-size 8589934592: the kernel set the vsock buffer to 4294967295 bytes instead"
	vs_assert_file_match rx.err "--vsk-size 8589934592: the kernel set the vsock buffer to 4294967295 bytes instead"
	vs_assert_file_match out "^vsock buffer: 4294967295 bytes set$"
}

# SO_RCVLOWAT 64K: poll() reports POLLIN only with >= 64 KiB queued (or at the
# end), so each read gets >= 64 KiB and the wakeups are at most 16M/64K + 1.
test_rcvlowat_bounds_wakeups() {
	rx_start --rcvlowat 64K --buf-size 128K
	vs_run_rc 0 tx --bytes 16M --buf-size 32K
	rx_wait
	vs_assert_file_match rx.out "^SO_RCVLOWAT 65536 bytes$"
	vs_assert_le "POLLIN wakeups" "$(vs_field rx.out 'POLLIN wakeups: ')" 257
}

test_zerocopy() {
	rx_start
	# by release: the patched test kernel (--kernel patched) is a 6.1 too
	case $(uname -r) in
	6.1|6.1.*)
		vs_run_rc 1 tx --zerocopy --bytes 1M
		vs_assert_file_match err "this kernel has no MSG_ZEROCOPY for vsock"
		rx_wait 1
		;;
	*)
		vs_run_rc 0 tx --zerocopy --bytes 4M --buf-size 64K
		rx_wait
		vs_assert_file_match out "^Run as sender MSG_ZEROCOPY$"
		vs_assert_file_match out "^zerocopy completions: 64 "
		vs_assert_eq "received" 4194304 "$(vs_field rx.out 'total bytes received: ')"
		;;
	esac
}

test_loop_serves_several_tests() {
	rx_start --loop --interval 0
	for n in 1 2 3; do
		vs_run_rc 0 tx --bytes ${n}M
	done
	kill -TERM $RX_PID
	rx_wait
	vs_assert_eq "tests served" 3 "$(grep -c '^check: the peer confirmed' rx.out)"
}

test_no_receiver_connection_reset() {
	vs_run_rc 1 tx --port 4321
	vs_assert_file_match err "^vsock_perf: connect to 1:4321: Connection reset by peer$"
}

test_port_in_use() {
	rx_start
	vs_run_rc 1 vsock_perf --port $PORT
	vs_assert_file_match err "listen on port $PORT: Address already in use"
	tx >/dev/null
	rx_wait
}

# A listener that never answers the handshake (like upstream's receiver).
test_handshake_timeout_hints_compat() {
	socat -u VSOCK-LISTEN:$PORT OPEN:/dev/null &
	pid=$!
	vs_wait_listen $PORT
	vs_run_rc 1 tx --handshake-timeout 1
	vs_assert_file_match err "did not answer the vsock_perf session handshake.*add --compat"
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	true
}

# Without vsock_loopback loaded, CID 1 is refused before any socket exists.
test_cid1_refused_without_loopback() {
	ko=/vsockscope/modules/vsock_loopback.ko
	[ -f "$ko" ] || vs_skip "vsock_loopback is not a module here"
	rmmod vsock_loopback || vs_fail "cannot unload vsock_loopback"
	tx --bytes 1M >out 2>err
	rc=$?
	insmod "$ko" || vs_fail "cannot reload vsock_loopback from $ko"
	vs_assert_eq "exit status" 1 "$rc"
	vs_assert_file_match err "refusing to connect to CID 1: the vsock_loopback transport is not loaded"
}

# The same table as the host test (there under the novsock shim).
test_bad_options_exit_2() {
	. "$VS_ROOT/tests/lib/cli.sh"
	check_bad_options vsock_perf
}

# Small writes and ENOBUFS (README): Debian's 6.12 (6.12.95, with the stable fixes "vsock/
# virtio: fix potential unbounded skb queue", "fix skb overhead accounting to preserve full
# buf_alloc" and "reset connection on receiving queue overflow") refuses a packet when
# (queued packets + 1) x SKB_TRUESIZE(0) (576 B on x86_64) exceeds the receiver's vsock
# buffer size, and resets the connection: read() fails with ENOBUFS, send() with EPIPE.
# With 256 KiB that is 455 queued packets. A receiver that stops reading for 1.5 s lets the
# whole credit queue up: 512-byte writes are 512 packets and hit the limit; 4 KiB writes are
# 64 (at most twice that when the credit splits writes) and never do. 6.1 counts payload only.
test_small_writes_queue_limit() {
	limited=0
	case $(uname -r) in 6.12.*) limited=1 ;; esac
	rx_start --buf-size 4096 --stall-rx 1500 --interval 0
	vs_run_rc 0 tx --bytes 1M --buf-size 4096 --interval 0
	rx_wait 0
	vs_assert_eq "received with 4 KiB writes" 1048576 "$(vs_field rx.out 'total bytes received: ')"
	rx_start --buf-size 512 --stall-rx 1500 --interval 0
	if [ $limited = 1 ]; then
		vs_run_rc 1 tx --bytes 1M --buf-size 512 --interval 0
		rx_wait 1
		vs_assert_file_match rx.err "read: No buffer space available \(the kernel dropped a packet and reset the connection: this socket's receive queue held too many small packets"
		vs_assert_file_match err "send: (Broken pipe|Connection reset by peer) \(the peer closed or reset the connection\)"
		vs_assert_file_match err "this side sent [0-9]+ bytes, the peer received [0-9]+$"
	else
		vs_run_rc 0 tx --bytes 1M --buf-size 512 --interval 0
		rx_wait 0
		vs_assert_eq "received with 512-byte writes" 1048576 "$(vs_field rx.out 'total bytes received: ')"
	fi
}
