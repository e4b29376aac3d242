# Host tests of rx_zerocopy and zc_test: they run on the bare machine, so every
# run is under the novsock shim, which proves no vsock socket was created.

rz() {
	VSOCKSCOPE_NOVSOCK_LOG=$PWD/vsock.log LD_PRELOAD=$VS_ROOT/build/tests/novsock.so \
		"$VS_ROOT/build/bin/rx_zerocopy" "$@"
}

no_socket_attempted() {
	[ ! -s vsock.log ] || vs_fail "a vsock socket was attempted: $(cat vsock.log)"
}

# ARGS|text of the one-line message
ZC_BAD_OPTIONS="--frobnicate|unknown option '--frobnicate'
--peer-cid 1|missing --mode client|server
--mode sideways|--mode 'sideways': expected client or server
--mode|--mode needs a value
--mode client|--mode client needs --peer-cid
--mode client --peer-cid abc|--peer-cid 'abc'
--mode client --peer-cid 1 --mb 0|--mb '0': out of range
--mode client --peer-cid 1 --mb 12Q|--mb '12Q'
--mode client --peer-cid 1 --mb 1048577|--mb '1048577': out of range
--mode client --peer-cid 1 --rx 0|--rx '0': out of range
--mode client --peer-cid 1 --tx 16385|--tx '16385': out of range
--mode client --peer-cid 1 --port 70000|--port '70000': out of range
--mode client --peer-cid 1 --interval -1|--interval '-1'
--mode client --peer-cid 1 --rounds 3|--rounds goes with --compare
--mode client --peer-cid 1 --compare --rounds 0|--rounds '0'
--mode client --peer-cid 1 --compare --zerocopy|--zerocopy does not go with --compare
--mode client --peer-cid 1 --compare --rx 8|--rx does not go with --compare
--mode client --peer-cid 1 --loop|--loop is a server option
--mode server --zerocopy|--zerocopy is a client option
--mode server --rx 8|--rx is a client option
--mode server --peer-cid 1|--peer-cid is a client option
--mode server --seqpacket|--seqpacket is a client option
--mode server --verify|--verify is a client option
--mode server --compare|--compare is a client option
--mode server stray|unexpected argument 'stray'
--mode client --peer-cid 1 --csv x.csv|--csv goes with --compare
--mode client --peer-cid 1 --compare --label k|--label goes with --csv
--mode client --peer-cid 1 --compare --csv x.csv --label a,b|--label 'a,b': it must be non-empty, without commas
--mode client --peer-cid 1 --compare --csv=|--csv needs a file name
--mode client --peer-cid 1 --compare --csv - --json|--csv - does not go with --json
--mode server --csv x.csv|--csv is a client option
--mode client --peer-cid 1 --zerocopy --release now|--release 'now': expected implicit or madvise
--mode client --peer-cid 1 --release madvise|--release goes with --zerocopy or --compare
--mode server --release madvise|--release is a client option
--mode client --peer-cid 1 --vsk-size 0|--vsk-size '0'
--mode client --peer-cid 1 --vsk-size 8G|--vsk-size '8G'
--mode server --vsk-size 1M|--vsk-size is a client option"

test_bad_options_exit_2_before_any_socket() {
	. "$VS_ROOT/tests/lib/cli.sh"
	printf '%s\n' "$ZC_BAD_OPTIONS" >cases
	[ "$(wc -l <cases)" -ge 20 ] || vs_fail "too few cases"
	while IFS='|' read -r args want; do
		vs_usage_case rx_zerocopy "$args" "$want" rz
	done <cases
	no_socket_attempted
}

test_help_lists_every_option() {
	vs_run_rc 0 rz --help
	for o in mode port peer-cid mb rx tx zerocopy seqpacket verify compare rounds loop \
		interval json release vsk-size; do
		grep -q -- "--$o" out || vs_fail "--help does not mention --$o"
	done
	vs_run_rc 0 rz --version
	vs_assert_file_match out "^rx_zerocopy \(vsockscope\)"
	no_socket_attempted
}

# Without vsock_loopback the kernel sends CID 1 to the hypervisor: the guard
# refuses before any socket exists, also before the zerocopy probe.
test_cid1_refused_without_loopback() {
	[ -e /sys/module/vsock_loopback ] && vs_skip "vsock_loopback is loaded on this host"
	for extra in "" "--zerocopy" "--compare"; do
		# shellcheck disable=SC2086
		vs_run_rc 1 rz --mode client --peer-cid 1 $extra
		vs_assert_file_match err "^rx_zerocopy: refusing to connect to CID 1: the vsock_loopback transport is not loaded"
		[ "$(wc -l <err)" -eq 1 ] || vs_fail "expected one line: $(cat err)"
	done
	no_socket_attempted
}

# zc_test makes loopback traffic: it refuses outside the test VM, before any socket.
test_zc_test_refuses_outside_vm() {
	VSOCKSCOPE_NOVSOCK_LOG=$PWD/vsock.log LD_PRELOAD=$VS_ROOT/build/tests/novsock.so \
		"$VS_ROOT/build/bin/zc_test" >out 2>err
	vs_assert_eq "zc_test status" 1 "$?"
	vs_assert_file_match err "^zc_test: refusing to run: not inside the vsockscope test VM"
	VSOCKSCOPE_NOVSOCK_LOG=$PWD/vsock.log LD_PRELOAD=$VS_ROOT/build/tests/novsock.so \
		"$VS_ROOT/build/bin/zc_test" no_such_case >out 2>err
	vs_assert_eq "zc_test status" 2 "$?"
	vs_assert_file_match err "unknown case 'no_such_case'"
	"$VS_ROOT/build/bin/zc_test" --list >out
	[ "$(wc -l <out)" -ge 15 ] || vs_fail "zc_test --list: $(cat out)"
	no_socket_attempted
}

# vsock_zc.h must equal the uapi header of kernel-patches/ (skipped until the
# series changes include/uapi/linux/vm_sockets.h).
test_vsock_zc_h_equals_kernel_uapi() {
	[ -d "$VS_ROOT/kernel-patches" ] || vs_skip "no kernel-patches/ in this tree"
	sh "$VS_ROOT/tests/lib/zc_uapi_check.sh" "$VS_ROOT/kernel-patches" \
		"$VS_ROOT/src/zerocopy/vsock_zc.h" >out 2>&1
	rc=$?
	[ $rc -eq 77 ] && vs_skip "$(sed -n 's/^SKIP: //p' out)"
	[ $rc -eq 0 ] || vs_fail "vsock_zc.h and kernel-patches/ disagree: $(cat out)"
}

# The checker itself, on made-up patches: equal, a wrong number, a moved field.
test_uapi_checker_finds_differences() {
	hdr=$VS_ROOT/src/zerocopy/vsock_zc.h
	mkdir p
	{
		echo "diff --git a/include/uapi/linux/vm_sockets.h b/include/uapi/linux/vm_sockets.h"
		echo "--- a/include/uapi/linux/vm_sockets.h"
		echo "+++ b/include/uapi/linux/vm_sockets.h"
		echo "@@ -1,1 +1,20 @@"
		echo "+#define SO_VM_SOCKETS_ZEROCOPY_RX 9"
		echo "+#define SO_VM_SOCKETS_ZEROCOPY_RECEIVE 10"
		echo "+#define VSOCK_ZEROCOPY_RECEIVE_RELEASE 0x1"
		echo "+"
		sed -n '/^struct vsock_zerocopy_receive {/,/^};/p' "$hdr" | sed 's/^/+/'
	} >p/0001-good.patch
	vs_run_rc 0 sh "$VS_ROOT/tests/lib/zc_uapi_check.sh" p "$hdr"
	sed 's/ZEROCOPY_RECEIVE 10/ZEROCOPY_RECEIVE 11/' p/0001-good.patch >p/0001-good.patch.new
	mv p/0001-good.patch.new p/0001-good.patch
	vs_run_rc 1 sh "$VS_ROOT/tests/lib/zc_uapi_check.sh" p "$hdr"
	vs_assert_file_match out "SO_VM_SOCKETS_ZEROCOPY_RECEIVE: .* says '10', the uapi header .* says '11'"
	sed -i 's/ZEROCOPY_RECEIVE 11/ZEROCOPY_RECEIVE 10/; s/RECEIVE_RELEASE 0x1/RECEIVE_RELEASE 0x2/' \
		p/0001-good.patch
	vs_run_rc 1 sh "$VS_ROOT/tests/lib/zc_uapi_check.sh" p "$hdr"
	vs_assert_file_match out "VSOCK_ZEROCOPY_RECEIVE_RELEASE: .* says '0x1', the uapi header .* says '0x2'"
	sed -i 's/RECEIVE_RELEASE 0x2/RECEIVE_RELEASE 0x1/' p/0001-good.patch
	sed -i 's/__u32 inq;/__u64 inq;/' p/0001-good.patch
	vs_run_rc 1 sh "$VS_ROOT/tests/lib/zc_uapi_check.sh" p "$hdr"
	vs_assert_file_match out "layout differs"
	rm p/0001-good.patch
	echo "diff --git a/net/x.c b/net/x.c" >p/0001-other.patch
	vs_run_rc 77 sh "$VS_ROOT/tests/lib/zc_uapi_check.sh" p "$hdr"
}

# rx_zerocopy --compare --csv writes its CSV with src/zerocopy/zc_compare.c; zc_csv runs
# that code on known runs: the numbers are the runs' medians and extremes, and plots/plot
# (the schema check of plots/schema.md) draws the result.
test_compare_csv_passes_the_plot_schema() {
	command -v gnuplot >/dev/null || vs_skip "gnuplot is not installed"
	# 128 MiB per run: 1 s is 1.073741824 Gbit/s; 1000 usec/MiB is 1.024 s/GiB
	printf '%s\n' "32768 copy 1 1000" "32768 zerocopy 0.5 500" "32768 copy 2 3000" \
		"32768 copy 4 2000" "2097152 copy 1 100" >runs
	"$VS_ROOT/build/testbin/zc_csv" patched 128 <runs >zc.csv || vs_fail "zc_csv failed"
	cat >want <<'EOT'
label,buf_size,mode,runs,gbps_median,gbps_min,gbps_max,cpu_s_per_gib
patched,32768,copy,3,0.536871,0.268435,1.07374,2.048
patched,32768,zerocopy,1,2.14748,2.14748,2.14748,0.512
patched,2097152,copy,1,1.07374,1.07374,1.07374,0.1024
patched,2097152,zerocopy,0,,,,
EOT
	diff want zc.csv >diff.out || vs_fail "unexpected CSV: $(cat diff.out)"
	[ "$(head -n 1 zc.csv)" = "$(head -n 1 "$VS_ROOT/tests/fixtures/zerocopy.csv")" ] ||
		vs_fail "the header differs from tests/fixtures/zerocopy.csv (plots/schema.md)"
	"$VS_ROOT/plots/plot" zerocopy -o zc.png zc.csv 2>err || vs_fail "plots/plot refused it: $(cat err)"
	[ -s zc.png ] || vs_fail "no PNG"
	# no run at all: plots/plot says so instead of drawing an empty figure
	printf '' | "$VS_ROOT/build/testbin/zc_csv" patched 128 >empty.csv
	vs_assert_eq "header only" 1 "$(wc -l <empty.csv)"
	if "$VS_ROOT/plots/plot" zerocopy -o e.png empty.csv 2>err; then vs_fail "an empty CSV was drawn"; fi
	[ ! -e e.png ] || vs_fail "an image was written for an empty CSV"
}
