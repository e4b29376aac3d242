# vsock_sweep in the VM: a tiny grid, its table, CSV and JSON agree on rows and counts;
# a point the kernel refuses by design is skipped; a run that fails is counted and named.

sweep_field() { # FILE ROW COLUMN: the named column of CSV row ROW (1 = first data row)
	awk -F, -v r="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
		NR == r + 1 { print $k }' "$1"
}

test_two_point_sweep() {
	vs_run_rc 0 vsock_sweep --types stream --buf-sizes 4K,64K --repeat 2 --bytes 1M --port 1400 \
		--label t --out s
	# progress: run k of n with elapsed and ETA
	vs_assert_file_match err '^sweep: run 4/4 \(point 2/2, round 2/2\): STREAM buf 64.00 KiB streams 1: [0-9.]+ Gbit/s  elapsed [0-9]+:[0-9][0-9] ETA 0:00$'
	vs_assert_eq "table rows" 2 "$(grep -c '^STREAM ' out)"
	vs_assert_eq "CSV lines" 3 "$(wc -l <s.csv)"
	vs_assert_eq "CSV header" "label,type,buf_size,vsk_size,streams,traced,runs_ok,runs_failed,gbps_median,gbps_min,gbps_max,tx_gbps_median,tx_cpu_us_per_mib,rx_cpu_us_per_mib,cpu_s_per_gib,read_p50_us,read_p99_us,stalls,vsk_size_actual" "$(head -n 1 s.csv)"
	for r in 1 2; do
		vs_assert_eq "row $r label" t "$(sweep_field s.csv $r label)"
		vs_assert_eq "row $r runs_ok" 2 "$(sweep_field s.csv $r runs_ok)"
		vs_assert_eq "row $r runs_failed" 0 "$(sweep_field s.csv $r runs_failed)"
		vs_assert_eq "row $r vsk_size_actual" 262144 "$(sweep_field s.csv $r vsk_size_actual)"
		g=$(sweep_field s.csv $r gbps_median)
		lo=$(sweep_field s.csv $r gbps_min)
		hi=$(sweep_field s.csv $r gbps_max)
		vs_assert_le "row $r min <= median" "$lo" "$g"
		vs_assert_le "row $r median <= max" "$g" "$hi"
		awk -v g="$g" 'BEGIN { exit !(g > 0) }' || vs_fail "row $r: gbps_median $g"
		vs_assert_eq "row $r read_p50_us (untraced)" "" "$(sweep_field s.csv $r read_p50_us)"
	done
	vs_assert_eq "row 1 buf_size" 4096 "$(sweep_field s.csv 1 buf_size)"
	vs_assert_eq "row 2 buf_size" 65536 "$(sweep_field s.csv 2 buf_size)"
	vs_assert_eq "JSON points" 2 "$(vs_jsonget s.json points.#)"
	vs_assert_eq "JSON runs" 2 "$(vs_jsonget s.json points.1.runs.#)"
	vs_assert_eq "JSON run ok" true "$(vs_jsonget s.json points.1.runs.1.ok)"
	vs_assert_eq "JSON median = CSV" "$(sweep_field s.csv 2 gbps_median)" \
		"$(awk -v x="$(vs_jsonget s.json points.1.gbps.median)" 'BEGIN { printf "%.6g", x }')"
	vs_assert_match "JSON sender command" '^vsock_perf --sender 1 --port 1400 --buf-size 65536 ' \
		"$(vs_jsonget s.json points.1.sender_command)"
	vs_assert_eq "JSON kernel" "$(uname -r)" "$(vs_jsonget s.json machine.kernel)"
}

# Traced: the receiver's read latency and stall count fill their columns.
test_traced_point() {
	vs_run_rc 0 vsock_sweep --types stream --buf-sizes 16K --repeat 1 --bytes 2M --port 1401 --trace --out t
	vs_assert_eq traced 1 "$(sweep_field t.csv 1 traced)"
	vs_assert_match read_p99_us '^[0-9]+$' "$(sweep_field t.csv 1 read_p99_us)"
	vs_assert_match stalls '^[0-9]+$' "$(sweep_field t.csv 1 stalls)"
}

test_refused_point_skipped_failed_run_counted() {
	vs_run_rc 0 vsock_sweep --types seqpacket --buf-sizes 512K --vsk-sizes 256K --port 1402 --out k
	vs_assert_file_match err "skipping point 1/1 \(SEQPACKET buf 512.00 KiB vsk 256.00 KiB\): a SEQPACKET message larger"
	vs_assert_eq "skipped runs_ok" 0 "$(sweep_field k.csv 1 runs_ok)"
	vs_assert_eq "skipped runs_failed" 0 "$(sweep_field k.csv 1 runs_failed)"
	vs_assert_match "JSON skipped" "^a SEQPACKET message" "$(vs_jsonget k.json points.0.skipped)"
	# a vsock_perf that is not there: every run fails, is counted, named, and the exit is 1
	vs_run_rc 1 vsock_sweep --types stream --buf-sizes 4K --repeat 2 --port 1403 --perf /nonexistent/vsock_perf --out f
	vs_assert_file_match err "FAILED"
	vs_assert_eq "failed runs" 2 "$(sweep_field f.csv 1 runs_failed)"
	vs_assert_eq "failed median empty" "" "$(sweep_field f.csv 1 gbps_median)"
	vs_assert_match "JSON error" "receiver exited before listening: vsock_sweep: cannot run /nonexistent/vsock_perf" \
		"$(vs_jsonget f.json points.0.runs.0.error)"
}
