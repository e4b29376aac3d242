# Host tests of the plots (plots/plot, vs_plotdata) and of vsock_sweep's command line.
# Nothing here creates a vsock socket: plots read files, and every vsock_sweep runs under
# the novsock shim, which fails and logs any socket(AF_VSOCK).

FX=$VS_ROOT/tests/fixtures
PLOT=$VS_ROOT/plots/plot

. "$VS_ROOT/tests/lib/cli.sh"
sweep() { vs_novsock vsock_sweep "$@"; }

need_gnuplot() {
	command -v gnuplot >/dev/null || vs_fail "gnuplot is not installed (make deps)"
}

# is_png FILE: PNG signature and a plausible size for a 960x560 plot.
is_png() {
	[ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		vs_fail "$1 is not a PNG: $(head -c 16 "$1" | od -An -c)"
	[ "$(wc -c <"$1")" -gt 10000 ] || vs_fail "$1 is only $(wc -c <"$1") bytes"
}

# is_svg FILE: an <svg> root element that is closed, with drawn content.
is_svg() {
	grep -q '^<svg' "$1" || vs_fail "$1 has no <svg> root element"
	tail -n 3 "$1" | grep -q '</svg>' || vs_fail "$1 does not end its <svg> element"
	[ "$(grep -c '<path\|<text\|<g ' "$1")" -gt 20 ] || vs_fail "$1 draws almost nothing"
	[ "$(wc -c <"$1")" -gt 10000 ] || vs_fail "$1 is only $(wc -c <"$1") bytes"
}

# renders NAME KIND ARGS...: NAME.png and NAME.svg both render and look like images.
renders() {
	name=$1
	shift
	for ext in png svg; do
		vs_run_rc 0 "$PLOT" "$@" -o "$name.$ext"
		[ ! -s err ] || vs_fail "plots/plot $* wrote to stderr: $(cat err)"
	done
	is_png "$name.png"
	is_svg "$name.svg"
}

# refuses TEXT ARGS...: plots/plot exits 1 with one line containing TEXT, and writes no image.
refuses() {
	msg=$1
	shift
	vs_run_rc 1 "$PLOT" "$@" -o bad.png
	[ "$(wc -l <err)" -eq 1 ] || vs_fail "expected one line, got: $(cat err)"
	grep -qF -- "$msg" err || vs_fail "message lacks '$msg': $(cat err)"
	[ ! -e bad.png ] || vs_fail "a plot was written for bad input: $(cat err)"
}

test_tools_built() {
	for t in bin/vsock_sweep bin/vs_plotdata tests/novsock.so; do
		[ -e "$VS_ROOT/build/$t" ] || vs_fail "build/$t not built (make tools unit)"
	done
}

test_throughput_and_cpu_render() {
	need_gnuplot
	renders tp throughput "$FX/sweep-6.1.csv" "$FX/sweep-6.12.csv"
	renders cpu cpu "$FX/sweep-6.1.csv" "$FX/sweep-6.12.csv"
	renders st throughput --x streams "$FX/sweep-streams.csv"
	# the legend names a series per kernel and type
	for s in "6.1 STREAM" "6.1 SEQPACKET" "6.12 STREAM" "6.12 SEQPACKET"; do
		grep -q "$s" tp.svg || vs_fail "the throughput legend lacks '$s'"
	done
	grep -q 'Gbit/s' tp.svg || vs_fail "no Gbit/s axis label"
	grep -q 'buffer size' tp.svg || vs_fail "no buffer size axis label"
	grep -q 'CPU seconds per GiB' cpu.svg || vs_fail "no CPU axis label"
}

test_zerocopy_readlat_credit_render() {
	need_gnuplot
	renders zc zerocopy "$FX/zerocopy.csv"
	grep -q 'zerocopy' zc.svg || vs_fail "no zerocopy series"
	renders rl1 readlat "$FX/readlat.jsonl"
	grep -q 'waiting for data' rl1.svg || vs_fail "single readlat input: no 'waiting for data' series"
	renders rl2 readlat "6.1=$FX/readlat.jsonl" "6.12=$FX/readlat.jsonl"
	grep -q '6.12 (' rl2.svg || vs_fail "readlat with labels: no '6.12' series"
	renders cr credit "$FX/credit.jsonl"
	grep -q 'available credit' cr.svg || vs_fail "no credit series"
}

# The CSV header is the same in vsock_sweep, plots/plot, plots/schema.md and the fixtures.
test_sweep_csv_schema() {
	hdr=$(head -n 1 "$FX/sweep-6.1.csv")
	grep -qF "SWEEP_HEADER=\"$hdr\"" "$PLOT" || vs_fail "plots/plot's SWEEP_HEADER differs from the fixture's: $hdr"
	for c in $(echo "$hdr" | tr , ' '); do
		grep -q "^| \`$c\` |" "$VS_ROOT/plots/schema.md" || vs_fail "plots/schema.md does not document column $c"
		grep -q "\"$c\"" "$VS_ROOT/src/perf/vsock_sweep.c" || vs_fail "vsock_sweep.c has no column $c"
	done
	# types: every row of every fixture passes the checker (a bad one fails: test_bad_input_*)
	awk -F, 'FNR > 1 && ($3 !~ /^[0-9]+$/ || ($7 > 0 && $9 !~ /^[0-9.e-]+$/)) { exit 1 }' \
		"$FX"/sweep-*.csv || vs_fail "a fixture row has a bad type"
	zh=$(head -n 1 "$FX/zerocopy.csv")
	grep -qF "ZC_HEADER=\"$zh\"" "$PLOT" || vs_fail "plots/plot's ZC_HEADER differs from the fixture's: $zh"
	for c in $(echo "$zh" | tr , ' '); do
		grep -q "^| \`$c\` |" "$VS_ROOT/plots/schema.md" || vs_fail "plots/schema.md does not document zerocopy column $c"
	done
}

test_sweep_json_schema() {
	j=$FX/sweep-6.1.json
	get() { "$VS_ROOT/build/testbin/vs_jsonget" "$j" "$@" || vs_fail "$j: no $*"; }
	vs_assert_eq schema vsockscope-sweep/1 "$(get schema)"
	n=$(get points.#)
	vs_assert_eq "points = CSV rows" "$(($(wc -l <"$FX/sweep-6.1.csv") - 1))" "$n"
	vs_assert_eq "points = grid size" "$(($(get grid.types.#) * $(get grid.buf_sizes.#) * \
		$(get grid.vsk_sizes.#) * $(get grid.streams.#)))" "$n"
	i=0
	while [ $i -lt "$n" ]; do
		for k in buf_size vsk_size streams runs_ok runs_failed gbps.median gbps.min gbps.max \
			tx_cpu_us_per_mib.median rx_cpu_us_per_mib.median cpu_s_per_gib; do
			vs_assert_match "points.$i.$k" '^[0-9][0-9.e+-]*$' "$(get points.$i.$k)"
		done
		vs_assert_match "points.$i.type" '^(STREAM|SEQPACKET)$' "$(get points.$i.type)"
		vs_assert_match "points.$i.sender_command" '^vsock_perf --sender 1 ' "$(get points.$i.sender_command)"
		vs_assert_eq "points.$i.runs" "$(get grid.repeat)" "$(get points.$i.runs.#)"
		i=$((i + 1))
	done
}

test_bad_input_is_an_error_not_a_blank_plot() {
	need_gnuplot
	: >empty.csv
	refuses "empty.csv: empty file" throughput empty.csv
	head -n 1 "$FX/sweep-6.1.csv" >header-only.csv
	refuses "no row with a successful run" throughput header-only.csv
	sed '1s/gbps_median/gbps/' "$FX/sweep-6.1.csv" >hdr.csv
	refuses 'header column 9 is "gbps"' throughput hdr.csv
	sed '2s/,STREAM,/,DGRAM,/' "$FX/sweep-6.1.csv" >type.csv
	refuses 'line 2: type "DGRAM"' throughput type.csv
	awk -F, -v OFS=, 'NR == 3 { $9 = "fast" } 1' "$FX/sweep-6.1.csv" >num.csv
	refuses 'line 3: column 9 "fast" is not a number' cpu num.csv
	awk -F, -v OFS=, 'NR == 2 { NF = 5 } 1' "$FX/sweep-6.1.csv" >short.csv
	refuses "line 2: 5 columns, the header has 19" throughput short.csv
	awk -F, -v OFS=, 'NR > 1 { $7 = 0; for (i = 9; i <= NF; i++) $i = "" } 1' "$FX/sweep-6.1.csv" >failed.csv
	refuses "no row with a successful run: nothing to plot" throughput failed.csv
	sed '2s/,copy,/,mmap,/' "$FX/zerocopy.csv" >zc.csv
	refuses 'mode "mmap": copy or zerocopy' zerocopy zc.csv
	refuses 'header column 2 is "type"' zerocopy "$FX/sweep-6.1.csv"
	refuses "nope.csv: cannot read it" throughput nope.csv
}

test_bad_trace_input_is_an_error() {
	need_gnuplot
	: >empty.jsonl
	refuses "empty.jsonl: empty file" readlat empty.jsonl
	echo '{"mode":"readlat",' >broken.jsonl
	refuses "broken.jsonl: line 1 is not JSON" readlat broken.jsonl
	refuses "no readlat report" readlat "$FX/credit.jsonl"
	refuses "no credit report" credit "$FX/readlat.jsonl"
	echo '{"mode":"readlat","report":"summary","time":1,"elapsed":1,"processes":[]}' >noreads.jsonl
	refuses "count no reads" readlat noreads.jsonl
	grep -v '"tx_rw_bytes":[1-9]' "$FX/credit.jsonl" >idle.jsonl
	refuses "no connection sent data" credit idle.jsonl
	sed 's/"elapsed":[0-9.]*,//' "$FX/credit.jsonl" >old.jsonl
	refuses "no elapsed time" credit old.jsonl
}

test_plot_usage_errors() {
	vs_usage_case plots/plot "" "no plot kind given" "$PLOT"
	vs_usage_case plots/plot "pie -o x.png a" "unknown plot kind 'pie'" "$PLOT"
	vs_usage_case plots/plot "throughput a.csv" "no output given" "$PLOT"
	vs_usage_case plots/plot "throughput -o x.jpg a.csv" "must end in .png or .svg" "$PLOT"
	vs_usage_case plots/plot "throughput -o x.png" "no input file given" "$PLOT"
	vs_usage_case plots/plot "throughput --x rate -o x.png a.csv" "--x 'rate'" "$PLOT"
	vs_usage_case plots/plot "credit --x streams -o x.png a" "--x goes with" "$PLOT"
	vs_usage_case plots/plot "credit -o x.png a b" "credit takes one input file" "$PLOT"
	vs_usage_case plots/plot "throughput --frob -o x.png a" "unknown option '--frob'" "$PLOT"
	vs_usage_case vs_plotdata "" "no table kind given" "$VS_ROOT/build/bin/vs_plotdata"
	vs_usage_case vs_plotdata "pie x" "unknown table kind 'pie'" "$VS_ROOT/build/bin/vs_plotdata"
	vs_usage_case vs_plotdata "credit a b" "credit takes one FILE" "$VS_ROOT/build/bin/vs_plotdata"
}

test_sweep_usage_errors() {
	while IFS='|' read -r args want; do
		vs_usage_case vsock_sweep "$args" "$want" sweep
	done <<'LIST'
--frob|unknown option '--frob'
--buf-sizes 12Q|--buf-sizes '12Q': item '12Q': unknown suffix
--buf-sizes 64,,128|--buf-sizes '64,,128': empty list item
--buf-sizes 64,|empty list item
--buf-sizes 64,64|item '64' given twice
--buf-sizes 2G|--buf-sizes '2G': item '2G': out of range
--buf-sizes 0|item '0': out of range
--vsk-sizes 1X|--vsk-sizes '1X'
--streams 0|--streams '0': item '0'
--streams 129|--streams '129'
--types udp|--types 'udp': unknown type 'udp'
--types stream,stream|'stream' given twice
--time 1 --bytes 1M|--time and --bytes exclude each other
--time 0|--time '0'
--repeat 0|--repeat '0'
--json --csv|--json and --csv both want stdout
--label a,b|--label 'a,b'
--port 70000|--port '70000'
--out|--out needs a value
stray|unexpected argument 'stray'
LIST
	vs_no_socket_attempted
}

test_sweep_dry_run_expands_the_grid() {
	vs_run_rc 0 sweep --dry-run
	vs_assert_eq "default grid" "22 points (1 skipped) x 3 runs = 63 runs" "$(tail -n 1 out)"
	for b in 64 128 256 512 1024 1518 4096 16384 65536 262144 1048576; do
		grep -q -- "--buf-size $b .*--streams 1 --time 0.5" out || vs_fail "no STREAM point at $b bytes"
	done
	grep -q "skipped: a SEQPACKET message larger than the vsock buffer" out || vs_fail "SEQPACKET 1M not skipped"
	vs_run_rc 0 sweep --dry-run --types stream --buf-sizes 4K --vsk-sizes 64K,1M --streams 1,4 --repeat 2 --trace
	vs_assert_eq "small grid" "4 points (0 skipped) x 2 runs = 8 runs" "$(tail -n 1 out)"
	grep -q -- "--vsk-size 1048576 --interval 0 --json --trace & .*--streams 4 " out || vs_fail "no traced 4-stream point: $(cat out)"
	vs_no_socket_attempted
}

# Outside the VM the sweep refuses before it starts any vsock_perf.
test_sweep_refuses_without_loopback() {
	[ -e /sys/module/vsock_loopback ] && vs_skip "vsock_loopback is loaded on this host"
	vs_run_rc 1 sweep --repeat 1 --buf-sizes 4K
	vs_assert_file_match err "refusing to connect to CID 1: the vsock_loopback transport is not loaded"
	[ "$(wc -l <err)" -eq 1 ] || vs_fail "expected one line: $(cat err)"
	vs_no_socket_attempted
}
