# rx_zerocopy in the test VM, on any kernel: copy mode moves exact byte counts
# (payload verified, SEQPACKET records checked); without kernel-patches/,
# --zerocopy fails with one clear line. Cases that need the patched kernel
# are in t_zc_patched.sh.

. "$VS_ROOT/tests/vm/zc_lib.sh"

test_copy_stream_exact_bytes_verified() {
	zs_start
	vs_run_rc 0 zc --mb 8 --rx 8 --tx 16 --verify
	zs_wait
	vs_assert_eq "received" 8388608 "$(vs_field out 'total bytes received: ')"
	vs_assert_file_match out "^Test: STREAM, copy receive, 8 MiB, rx 8 pages, tx 16 pages, verify"
	vs_assert_file_match out "^check: the server sent 8388608 bytes, all received and verified$"
	vs_assert_file_match out "^cpu: user [0-9.]+ sec, sys [0-9.]+ sec, [0-9.]+ usec/MB$"
	vs_assert_file_match out "^peer cpu: user"
	vs_assert_file_match out "^rx performance: [0-9.]+ Gbits/s$"
	vs_assert_file_match zs.out "^sent: 8388608 bytes in [0-9.]+ sec"
	vs_assert_file_match zs.out "^peer: received 8388608 bytes .*\(mapped 0, read 8388608\)"
}

# Odd sizes: the last write is short, rx and tx differ.
test_copy_stream_odd_sizes() {
	zs_start
	vs_run_rc 0 zc --mb 3 --rx 5 --tx 7 --verify
	zs_wait
	vs_assert_eq "received" 3145728 "$(vs_field out 'total bytes received: ')"
}

test_copy_seqpacket_records_checked() {
	zs_start
	vs_run_rc 0 zc --seqpacket --mb 4 --rx 8 --tx 8 --verify
	zs_wait
	vs_assert_file_match out "^records: 128 received, record boundaries checked$"
	vs_assert_eq "received" 4194304 "$(vs_field out 'total bytes received: ')"
}

# Records of 512 pages (2 MiB) need a vsock buffer that large: the client sets it.
test_copy_seqpacket_large_records() {
	zs_start
	vs_run_rc 0 zc --seqpacket --mb 5 --rx 512 --tx 512 --verify
	zs_wait
	vs_assert_file_match out "^records: 3 received, record boundaries checked$"
	vs_assert_eq "received" 5242880 "$(vs_field out 'total bytes received: ')"
}

# Copy-mode SEQPACKET reads of fewer pages than a record would truncate it: refused.
test_copy_seqpacket_rx_below_tx_refused() {
	zs_start
	vs_run_rc 1 zc --seqpacket --mb 1 --rx 4 --tx 8
	zs_wait 1
	vs_assert_file_match err "the server refused the transfer: --seqpacket: records are 8 pages \(--tx\) but the client reads 4 \(--rx\)"
}

# The server's --mb and --tx apply to a client that gives none.
test_server_defaults_apply() {
	zs_start --mb 3 --tx 4
	vs_run_rc 0 zc --verify
	zs_wait
	vs_assert_eq "received" 3145728 "$(vs_field out 'total bytes received: ')"
	vs_assert_file_match out "^Test: STREAM, copy receive, 3 MiB, rx 16 pages, tx 4 pages, verify"
}

test_loop_serves_clients_in_turn() {
	zs_start --loop
	vs_run_rc 0 zc --mb 1
	vs_run_rc 0 zc --mb 2 --seqpacket --rx 16
	kill $ZS_PID
	wait $ZS_PID
	[ "$(grep -c '^sent: ' zs.out)" = 2 ] || vs_fail "expected two transfers: $(cat zs.out)"
}

test_json_documents() {
	zs_start --json
	vs_run_rc 0 zc --json --mb 2 --interval 0.05 --verify
	zs_wait
	vs_assert_eq "bytes" 2097152 "$(vs_jsonget out end.bytes)"
	vs_assert_eq "peer bytes" 2097152 "$(vs_jsonget out end.peer_bytes)"
	vs_assert_eq "ok" true "$(vs_jsonget out end.ok)"
	vs_assert_eq "zerocopy" false "$(vs_jsonget out start.zerocopy)"
	vs_jsonget out end.cpu.usec_per_mb >/dev/null || vs_fail "no end.cpu.usec_per_mb"
	vs_jsonget out intervals >/dev/null || vs_fail "no intervals array"
	vs_assert_eq "server bytes" 2097152 "$(vs_jsonget zs.out end.bytes)"
	[ "$(head -c 1 out)" = "{" ] || vs_fail "stdout is not just the JSON document"
}

test_interval_lines() {
	zs_start
	vs_run_rc 0 zc --mb 32 --interval 0.05
	zs_wait
	n=$(grep -c '^\[  1\] .* sec .* Gbits/s *recv$' out)
	[ "$n" -ge 1 ] || vs_fail "no interval lines: $(cat out)"
	vs_assert_file_match out '^\[ ID\] Interval'
}

# Without kernel-patches/: one line, exit 1, before any connection.
test_zerocopy_without_patches_says_so() {
	has_zc && vs_skip "this kernel has zerocopy receive (t_zc_patched.sh covers it)"
	vs_run_rc 1 zc --zerocopy --mb 1
	vs_assert_eq "message" "rx_zerocopy: --zerocopy: this kernel has no vsock zerocopy receive (kernel-patches/ not applied)" "$(cat err)"
	vs_run_rc 3 zc_test --probe
	vs_assert_file_match err "^zc_test: this kernel has no vsock zerocopy receive \(kernel-patches/ not applied\)$"
	# and copy mode still works
	zs_start
	vs_run_rc 0 zc --mb 1 --verify
	zs_wait
}

# --compare: every point with one server and one control connection; on a
# kernel without zerocopy the zerocopy row is n/a and the exit status 1.
test_compare_table() {
	zs_start
	if has_zc; then want=0; else want=1; fi
	vs_run_rc $want zc --compare --mb 1 --rounds 1
	zs_wait
	vs_assert_file_match out "^ +\| +8 \| +32 \| +64 \| +256 \| +512$"
	vs_assert_file_match out "^copy: seconds +( \| +[0-9]+\.[0-9]+){5}$"
	[ "$(grep -c '^round 1/1, ' out)" = $((5 * (1 + (1 - want)))) ] ||
		vs_fail "expected one progress line per point and mode: $(cat out)"
	if [ $want = 1 ]; then
		vs_assert_file_match out "^zerocopy: seconds +( \| +n/a){5}$"
		vs_assert_file_match err "--compare: this kernel has no vsock zerocopy receive \(kernel-patches/ not applied\): the zerocopy row is n/a"
	else
		vs_assert_file_match out "^zerocopy/copy +( \| +[0-9]+\.[0-9]+){5}$"
	fi
}

# t_zc_patched.sh skips on Debian's kernels but fails on one meant to be patched.
test_patched_cases_fail_on_a_kernel_meant_patched() {
	has_zc && vs_skip "this kernel has zerocopy receive"
	VSOCKSCOPE_KERNEL=patched sh -c ". '$VS_ROOT/tests/vm/lib.sh'; . '$VS_ROOT/tests/vm/t_zc_patched.sh'; test_seqpacket_boundaries" >out 2>err
	vs_assert_eq "status" 1 "$?"
	vs_assert_file_match err "kernel 'patched' .* was meant to be patched but lacks the zerocopy receive API: zc_test: this kernel has no vsock zerocopy receive"
	VSOCKSCOPE_KERNEL=6.1 sh -c ". '$VS_ROOT/tests/vm/lib.sh'; . '$VS_ROOT/tests/vm/t_zc_patched.sh'; test_seqpacket_boundaries" >out 2>err
	vs_assert_eq "status on 6.1" 77 "$?"
}

# --compare --csv: the zerocopy CSV of plots/ (header of tests/fixtures/zerocopy.csv, which
# tests/host/t_plots.sh holds equal to plots/schema.md and plots/plot), one copy and one
# zerocopy row per size, and the same numbers as the JSON.
test_compare_csv_matches_json() {
	zs_start
	if has_zc; then want=0 zruns=2; else want=1 zruns=0; fi
	vs_run_rc $want zc --compare --mb 1 --rounds 2 --json --csv zc.csv --label k1
	zs_wait
	vs_assert_eq "header" "$(head -n 1 "$VS_ROOT/tests/fixtures/zerocopy.csv")" "$(head -n 1 zc.csv)"
	vs_assert_eq "rows" 10 "$(tail -n +2 zc.csv | grep -c '^k1,')"
	i=0
	for pages in 8 32 64 256 512; do
		size=$((pages * 4096))
		vs_assert_eq "json buf_size $i" $size "$(vs_jsonget out compare.points.$i.buf_size)"
		row=$(grep "^k1,$size,copy," zc.csv) || vs_fail "no copy row for $size: $(cat zc.csv)"
		vs_assert_eq "copy runs $size" 2 "$(echo "$row" | cut -d, -f4)"
		json=$(vs_jsonget out compare.points.$i.copy.gbps_median)
		awk -v a="$(echo "$row" | cut -d, -f5)" -v b="$json" \
			'BEGIN { exit !(a > 0 && (a - b) / b < 1e-5 && (b - a) / b < 1e-5) }' ||
			vs_fail "copy gbps_median at $size: CSV $row, JSON $json"
		row=$(grep "^k1,$size,zerocopy," zc.csv) || vs_fail "no zerocopy row for $size"
		vs_assert_eq "zerocopy runs $size" $zruns "$(echo "$row" | cut -d, -f4)"
		[ $zruns = 0 ] && { [ "$row" = "k1,$size,zerocopy,0,,,," ] || vs_fail "zerocopy row without runs: $row"; }
		i=$((i + 1))
	done
}

# SIGTERM ends a client blocked in read() (zc_lib.sh: zc_term_blocked).
test_sigterm_ends_blocked_copy_client() {
	zc_term_blocked --rx 16 --tx 16
}
