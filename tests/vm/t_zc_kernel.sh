# Zerocopy receive kernel patches (kernel-patches/): the API of src/zerocopy/vsock_zc.h
# exercised by tests/tools/zc_kernel_test.c over vsock_loopback. On a kernel without the
# patches (the Debian 6.1 and 6.12 guests) every case skips. Run on the patched kernel with
#   tests/vm/run --kernel patched tests/vm/suite.sh      (or --kernel patched-kasan)
# Under the KASAN kernel a case also fails when the kernel log reports a problem.

_zc_case() {
	dmesg -c >/dev/null 2>&1
	zc_kernel_test "$1"
	rc=$?
	[ $rc -eq 77 ] && exit 77
	if dmesg | grep -E 'BUG:|WARNING:|KASAN:|Oops|general protection|possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|sleeping function called' >dmesg.bad; then
		sed 's/^/  dmesg| /' dmesg.bad >&2
		vs_fail "the kernel reported a problem during zc_kernel_test $1"
	fi
	[ $rc -eq 0 ] || vs_fail "zc_kernel_test $1 exited $rc"
}

test_zc_api_errnos() {
	_zc_case api
}

test_zc_stream_verified() {
	_zc_case stream
}

test_zc_ebusy_before_release() {
	_zc_case ebusy
}

test_zc_mapped_bytes_credited() {
	_zc_case credit
}

test_zc_seqpacket_records() {
	_zc_case seqpacket
}

test_zc_no_page_leaked_at_close() {
	_zc_case leak
}
