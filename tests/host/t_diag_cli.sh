# Host tests of vsock_diag and vsock_cap: command lines, and the pcap decoder on
# the committed fixtures (tests/fixtures/pcap: a real capture from the test VM,
# synthetic SEQPACKET and byte-order variants, truncated and hostile files).
# Neither tool ever needs an AF_VSOCK socket: the novsock shim logs any attempt.

FIX=$VS_ROOT/tests/fixtures/pcap

run_tool() {
	_t=$1
	shift
	VSOCKSCOPE_NOVSOCK_LOG=$PWD/vsock.log LD_PRELOAD=$VS_ROOT/build/tests/novsock.so \
		"$VS_ROOT/build/bin/$_t" "$@"
}
diag() { run_tool vsock_diag "$@"; }
jget() { "$VS_ROOT/build/testbin/vs_jsonget" "$@"; }
cap() { run_tool vsock_cap "$@"; }

no_socket_attempted() {
	[ ! -s vsock.log ] || vs_fail "a vsock socket was attempted: $(cat vsock.log)"
}

bad_diag() {
	. "$VS_ROOT/tests/lib/cli.sh"
	vs_usage_case vsock_diag "$1" "$2" diag
}

bad_cap() {
	. "$VS_ROOT/tests/lib/cli.sh"
	vs_usage_case vsock_cap "$1" "$2" cap
}

test_binaries_built() {
	for t in vsock_diag vsock_cap; do
		[ -x "$VS_ROOT/build/bin/$t" ] || vs_fail "build/bin/$t not built (make tools)"
	done
}

test_diag_usage_errors_exit_2() {
	bad_diag "--frob" "unknown option '--frob'"
	bad_diag "-x" "unknown option '-x'"
	bad_diag "stray" "unexpected argument 'stray'"
	bad_diag "--state" "--state needs a value"
	bad_diag "--state bogus" "--state 'bogus': unknown state 'bogus'"
	bad_diag "-s listen,,nope" "unknown state 'nope'"
	bad_diag "-s ," "--state ',': no state given"
	bad_diag "--type raw" "--type 'raw': unknown type 'raw' (stream, seqpacket, dgram)"
	bad_diag "-t" "-t needs a value"
	bad_diag "--cid nowhere" "--cid 'nowhere'"
	bad_diag "--port 4294967296" "--port '4294967296'"
	bad_diag "--port -1" "--port '-1'"
	bad_diag "-i 0" "--interval '0'"
	bad_diag "-i abc" "--interval 'abc'"
	bad_diag "-c 3" "--count goes with --interval"
	bad_diag "-i 1 -c 0" "--count '0'"
	bad_diag "-a -l" "-a and -l both choose the states"
	bad_diag "-l --state estab" "-l and --state both choose the states"
	no_socket_attempted
}

test_cap_usage_errors_exit_2() {
	bad_cap "--frob" "unknown option '--frob'"
	bad_cap "stray" "unexpected argument 'stray'"
	bad_cap "-c 0" "--count '0'"
	bad_cap "-c x" "--count 'x'"
	bad_cap "-d 0" "--duration '0'"
	bad_cap "-s 10" "--snaplen '10'"
	bad_cap "-s 1M" "--snaplen '1M'"
	bad_cap "--port 99999999999" "--port '99999999999'"
	bad_cap "-r f.pcap -w g.pcap" "-r decodes a file: -i, -w, -c and -d are capture options"
	bad_cap "-r f.pcap -c 2" "-r decodes a file"
	bad_cap "-w g.pcap --json" "--json decodes; -w writes pcap"
	bad_cap "-i" "-i needs a value"
	bad_cap "-i 0123456789abcdefXYZ" "not a network device name"
	no_socket_attempted
}

test_help() {
	vs_run_rc 0 diag --help
	vs_assert_file_match out "^Usage: vsock_diag "
	for o in all listening state type cid port processes extended credit json interval count \
		no-header; do
		grep -q -- "--$o" out || vs_fail "vsock_diag --help does not mention --$o"
	done
	vs_run_rc 0 cap -h
	vs_assert_file_match out "^Usage: vsock_cap "
	for o in interface write count duration snaplen read port json; do
		grep -q -- "--$o" out || vs_fail "vsock_cap --help does not mention --$o"
	done
	no_socket_attempted
}

# Without the vsock_diag module the kernel has no AF_VSOCK handler: one line with the hint.
# (A netlink query only; with vsock_diag present, a listing with a header.)
test_diag_hint_without_module() {
	diag -a >out 2>err
	rc=$?
	if [ $rc -eq 1 ]; then
		vs_assert_eq "stderr lines" 1 "$(wc -l <err)"
		vs_assert_file_match err "^vsock_diag: sock_diag: the kernel has no AF_VSOCK handler \(No such file or directory\): the vsock_diag module is not loaded; load it with 'modprobe vsock_diag'$"
	else
		vs_assert_eq "exit status" 0 $rc
		vs_assert_file_match out "^TYPE +STATE +LOCAL +PEER +INODE +SHUT$"
	fi
	no_socket_attempted
}

test_cap_without_device() {
	vs_run_rc 1 cap -i nosuchmon0 -c 1
	vs_assert_eq "stderr lines" 1 "$(wc -l <err)"
	vs_assert_file_match err "^vsock_cap: (vsockmon is not available: the vsockmon module is not loaded|no device nosuchmon0)"
	vs_assert_file_match err "ip link add name nosuchmon0 type vsockmon"
	no_socket_attempted
}

# ------------------------------------------------------------------ decoder

# The real capture of a 100 KiB STREAM transfer (vsock_perf --compat, 6.1 guest).
test_decode_real_stream_capture() {
	vs_run_rc 0 cap -r "$FIX/stream_100k.pcap"
	vs_assert_eq "lines" 10 "$(wc -l <out)"
	vs_assert_eq "ops" "REQUEST RESPONSE RW RW SHUTDOWN CREDIT_UPDATE SHUTDOWN RST RST" \
		"$(awk '$3 == "->" { printf "%s%s", s, $5; s = " " }' out)"
	vs_assert_file_match out "^ +0\.000000 1:3752570616 +-> 1:1235 +REQUEST +STREAM +len 0 +flags - +buf_alloc 262144 fwd_cnt 0$"
	vs_assert_file_match out " RW +STREAM +len 65536 +flags - "
	vs_assert_file_match out " SHUTDOWN +STREAM +len 0 +flags SEND +buf_alloc"
	vs_assert_file_match out " SHUTDOWN +STREAM +len 0 +flags RCV\|SEND +buf_alloc"
	vs_assert_file_match out "^ +0\.042319 1:1235 +-> 1:3752570616 +CREDIT_UPDATE +STREAM +len 0 +flags - +buf_alloc 262144 fwd_cnt 102400$"
	vs_assert_eq "last line" "packets: 9, RW payload bytes: 102400, errors: 0" "$(tail -n 1 out)"
	[ ! -s err ] || vs_fail "stderr: $(cat err)"
	# --port filters; an unrelated port leaves nothing
	vs_run_rc 0 cap -r "$FIX/stream_100k.pcap" --port 1235
	vs_assert_eq "with --port 1235" "packets: 9, RW payload bytes: 102400, errors: 0" "$(tail -n 1 out)"
	vs_run_rc 0 cap -r "$FIX/stream_100k.pcap" --port 7
	vs_assert_eq "with --port 7" "packets: 0, RW payload bytes: 0, errors: 0" "$(cat out)"
}

test_decode_json() {
	vs_run_rc 0 cap -r "$FIX/stream_100k.pcap" --json
	vs_assert_eq "lines" 9 "$(wc -l <out)"
	sed -n 3p out >rw.json
	vs_assert_eq "third packet" "RW STREAM 65536 0 3752570616 1235 PAYLOAD 262144 0 65536" \
		"$(jget rw.json op type len flags src_port dst_port monitor_op buf_alloc fwd_cnt \
			captured_payload | tr '\n' ' ' | sed 's/ $//')"
	sed -n 7p out >sd.json
	vs_assert_eq "SHUTDOWN flags" "3 RCV|SEND" "$(jget sd.json flags flags_text | tr '\n' ' ' | sed 's/ $//')"
}

# The pcap layout we write, byte by byte against LINKTYPE_VSOCK: the file header, then the
# first record's header and its af_vsockmon_hdr (include/uapi/linux/vsockmon.h).
test_written_file_layout() {
	f=$FIX/stream_100k.pcap
	# magic (microseconds, little-endian), version 2.4, thiszone 0, sigfigs 0, snaplen, linktype
	vs_assert_eq "file header" "a1b2c3d4 0002 0004 00000000 00000000 00040000 0000010f" \
		"$(od -An -tx4 -N4 "$f" | tr -d ' ') $(od -An -tx2 -j4 -N4 "$f" | sed 's/^ *//') $(od -An -tx4 -j8 -N16 "$f" | sed 's/^ *//')"
	# record 1: incl_len = orig_len = 76 = af_vsockmon_hdr (32) + virtio_vsock_hdr (44)
	vs_assert_eq "record 1 lengths" "76 76" "$(od -An -tu4 -j32 -N8 "$f" | awk '{ print $1, $2 }')"
	# af_vsockmon_hdr: src_cid 1, dst_cid 1, ports, op CONNECT (1), transport VIRTIO (2), len 44
	vs_assert_eq "af_vsockmon_hdr" "1 1 3752570616 1235" \
		"$(od -An -tu8 -j40 -N16 "$f" | awk '{ printf "%s %s ", $1, $2 }')$(od -An -tu4 -j56 -N8 "$f" | awk '{ print $1, $2 }')"
	vs_assert_eq "op transport len reserved" "1 2 44 0" "$(od -An -tu2 -j64 -N8 "$f" | awk '{ print $1, $2, $3, $4 }')"
	# the records fill the file exactly
	n=$(cap -r "$f" --json | sed -n 's/.*"captured_payload":\([0-9]*\).*/\1/p' |
		awk '{ t += 16 + 76 + $1 } END { print t + 24 }')
	vs_assert_eq "file size = header + records" "$n" "$(stat -c %s "$f")"
}

test_decode_seqpacket_flags() {
	vs_run_rc 0 cap -r "$FIX/seqpacket_eor.pcap"
	vs_assert_eq "RW flags" "- EOM EOM|EOR" \
		"$(awk '$5 == "RW" { printf "%s%s", s, $10; s = " " }' out)"
	vs_assert_file_match out " RW +SEQPACKET +len 64 +flags EOM\|EOR "
	vs_assert_eq "last line" "packets: 8, RW payload bytes: 192, errors: 0" "$(tail -n 1 out)"
}

# The same packets written big-endian, or with nanosecond time stamps, decode the same.
test_decode_byte_order_and_nsec() {
	vs_run_rc 0 cap -r "$FIX/bigendian.pcap"
	head -n 3 out >be
	cap -r "$FIX/seqpacket_eor.pcap" | head -n 3 >le
	vs_assert_eq "big-endian file" "$(cat le)" "$(cat be)"
	vs_run_rc 0 cap -r "$FIX/nsec.pcap"
	vs_assert_file_match out "^ +0\.000001 1:1234 +-> 1:5000 +RESPONSE "
}

test_decode_unknown_values_and_other_transports() {
	vs_run_rc 0 cap -r "$FIX/unknown_op_flags.pcap"
	vs_assert_file_match out " OP_9 +TYPE_5 +len 0 +flags 0xf0 "
	vs_assert_file_match out " SHUTDOWN +STREAM +len 0 +flags RCV\|SEND\|0x10 "
	vs_run_rc 0 cap -r "$FIX/no_info_transport.pcap"
	vs_assert_file_match out "^ +0\.000000 3:10 +-> 2:20 +PAYLOAD +transport 1, payload 5 bytes$"
	vs_run_rc 0 cap -r "$FIX/empty.pcap"
	vs_assert_eq "empty file" "packets: 0, RW payload bytes: 0, errors: 0" "$(cat out)"
}

# Truncated and hostile files: exit 1 with one line naming the problem, never a crash.
test_decode_hostile_files() {
	while IFS='|' read -r f want; do
		cap -r "$FIX/$f" >out 2>err
		rc=$?
		[ $rc -eq 1 ] || vs_fail "$f: exit $rc, expected 1: $(cat out err)"
		grep -qF -- "$want" err || vs_fail "$f: stderr lacks '$want': $(cat err)"
		vs_assert_eq "$f: stderr lines" 1 "$(wc -l <err)"
	done <<'EOF'
zero_bytes.pcap|not a pcap file: 0 bytes, shorter than the magic number
truncated_file_header.pcap|truncated pcap file header: 20 bytes of 24
truncated_record_header.pcap|record 1: truncated record header (10 bytes of 16)
truncated_record_data.pcap|record 1: truncated: 76 bytes captured, 40 left in the file
bad_magic.pcap|not a pcap file: magic number 0xefbeadde
pcapng.pcap|a pcapng file: only pcap is read
bad_version.pcap|pcap version 1.0, expected 2.4
ethernet_linktype.pcap|link type 1, not LINKTYPE_VSOCK (271)
huge_caplen.pcap|record 1: captured length 4294967295 exceeds the snapshot length 262144
origlen_below_caplen.pcap|record 1: original length 10 is below the captured length 76
short_vsockmon_hdr.pcap|record 1: truncated vsockmon header: 20 bytes of 32
transport_len_too_big.pcap|record 1: truncated transport header: 65535 bytes announced, 44 captured
virtio_hdr_len_wrong.pcap|record 1: virtio transport header of 40 bytes, expected 44
rw_len_mismatch.pcap|record 1: RW header says len 1000, the packet carries 10 payload bytes
bad_usec.pcap|record 1: time stamp fraction 2000000 out of range
EOF
	# a bad record does not hide the good ones after it
	cap -r "$FIX/rw_len_mismatch.pcap" >out 2>err
	vs_assert_file_match out " RESPONSE +SEQPACKET "
	vs_assert_eq "last line" "packets: 1, RW payload bytes: 0, errors: 1" "$(tail -n 1 out)"
	vs_run_rc 1 cap -r "$PWD/nonexistent.pcap"
	vs_assert_file_match err "nonexistent.pcap: No such file or directory"
}

# tshark (Wireshark's vsock dissector) reads the file vsock_cap wrote, fields decoded.
# tshark is not a dependency (a large package): skipped where it is not installed.
test_tshark_reads_our_capture() {
	command -v tshark >/dev/null || vs_skip "tshark is not installed"
	tshark -r "$FIX/stream_100k.pcap" -T fields -e vsock.op -e vsock.virtio.op \
		-e vsock.virtio.len -e vsock.virtio.flags -e vsock.virtio.fwd_cnt >out 2>err ||
		vs_fail "tshark failed: $(cat err)"
	vs_assert_eq "tshark: packets" 9 "$(wc -l <out)"
	vs_assert_eq "tshark: virtio ops" "1 2 5 5 4 6 4 3 3" "$(awk '{ printf "%s%s", s, $2; s = " " }' out)"
	vs_assert_eq "tshark: RW bytes" 102400 "$(awk '$2 == 5 { t += $3 } END { print t }' out)"
	vs_assert_eq "tshark: CREDIT_UPDATE fwd_cnt" 102400 "$(awk '$2 == 6 { print $5 }' out)"
}
